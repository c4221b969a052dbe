package serverlab.labs.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import serverlab.labs.Quick;
import serverlab.servers.Server;

/**
 * <a href="https://github.com/wg/wrk">wrk</a>, the closed-loop HTTP benchmark, run against a loopback server
 * so a chapter can put this workbook's load generator next to a well-known one. wrk is optional: when it is
 * not installed, {@link #available()} is false and {@link #missing()} says how to install it.
 *
 * <pre>{@code
 * if (Wrk.available()) {
 *     Wrk.Result wrk = Wrk.run(server, "/hello", 2, 50, Duration.ofSeconds(5));   // 2 threads, 50 connections
 * }
 * }</pre>
 */
public final class Wrk {

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|75|90|99)%\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
    private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** What one wrk run printed: throughput, latency percentiles (ms), errors, and the raw output. */
    public record Result(double requestsPerSecond, long requests, double p50Ms, double p75Ms, double p90Ms, double p99Ms,
                         long errors, String output) {
    }

    private Wrk() {
    }

    /** The wrk executable on the PATH, if there is one. */
    public static Optional<Path> executable() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.of(path.split(":")).map(dir -> Path.of(dir, "wrk")).filter(Files::isExecutable).findFirst();
    }

    public static boolean available() {
        return executable().isPresent();
    }

    /** One line for a notebook when wrk is missing. */
    public static String missing() {
        return "wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk)";
    }

    /**
     * Runs {@code wrk --latency} with {@code threads} threads and {@code connections} keep-alive connections
     * against {@code path} on {@code server} for {@code duration} (scaled by quick mode, whole seconds, at least 1).
     */
    public static Result run(Server server, String path, int threads, int connections, Duration duration) {
        InetSocketAddress address = server.address();
        if (!address.getAddress().isLoopbackAddress() && !address.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("wrk is only pointed at loopback servers here: " + address);
        }
        Path wrk = executable().orElseThrow(() -> new IllegalStateException(missing()));
        long seconds = Math.max(1, Math.round(Quick.duration(duration).toMillis() / 1000.0));
        List<String> command = new ArrayList<>(List.of(wrk.toString(), "--latency", "-t" + threads, "-c" + connections,
                "-d" + seconds + "s", "http://127.0.0.1:" + address.getPort() + path));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(seconds + 30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("wrk did not finish within " + (seconds + 30) + " s: " + command);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("wrk failed (exit " + process.exitValue() + "): " + output.strip());
            }
            return parse(output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + wrk + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while wrk ran", e);
        }
    }

    /** Parses the output of {@code wrk --latency}. */
    static Result parse(String output) {
        Matcher rate = RATE.matcher(output);
        Matcher total = TOTAL.matcher(output);
        if (!rate.find() || !total.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + output);
        }
        double[] percentiles = new double[4];
        Matcher p = PERCENTILE.matcher(output);
        List<String> order = List.of("50", "75", "90", "99");
        while (p.find()) {
            percentiles[order.indexOf(p.group(1))] = millis(Double.parseDouble(p.group(2)), p.group(3));
        }
        long errors = 0;
        Matcher socket = ERRORS.matcher(output);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) errors += Long.parseLong(socket.group(g));
        }
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) errors += Long.parseLong(non2xx.group(1));
        return new Result(Double.parseDouble(rate.group(1)), Long.parseLong(total.group(1)),
                percentiles[0], percentiles[1], percentiles[2], percentiles[3], errors, output);
    }

    private static double millis(double value, String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> value / 1000;
            case "ms" -> value;
            case "s" -> value * 1000;
            case "m" -> value * 60_000;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
