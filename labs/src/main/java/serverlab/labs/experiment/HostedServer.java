package serverlab.labs.experiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.Tracked;

/**
 * A server running in its own child JVM (same class path), so that measuring its process
 * tree measures the server alone — not the load generator sharing our JVM.
 */
public final class HostedServer implements Server {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(\\d+)");
    private static final Pattern PER_WORKER = Pattern.compile("\"requestsPerWorker\":\\{(.*)}}");

    private final String name;
    private final Process process;
    private final InetSocketAddress address;
    private final List<Long> workerPids;
    private final BufferedReader out;
    private final PrintStream in;
    private volatile boolean closed;

    private HostedServer(String name, Process process, BufferedReader out, String readyLine) {
        this.name = name;
        this.process = process;
        this.out = out;
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        String[] parts = readyLine.split(" ");
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(parts[1]));
        List<Long> pids = new ArrayList<>();
        if (!parts[2].equals("-")) {
            for (String p : parts[2].split(",")) {
                pids.add(Long.parseLong(p));
            }
        }
        this.workerPids = List.copyOf(pids);
    }

    /** Starts {@code name} with {@code options} in a child JVM and waits until it listens. */
    public static HostedServer start(String name, ServerOptions options) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                ServerHost.class.getName(), name));
        command.addAll(ServerOptionsArgs.toArgs(options));
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String ready;
            try {
                ready = CompletableFuture.supplyAsync(() -> readLine(out))
                        .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                killTree(process);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("server " + name + " did not start in its child JVM", e);
            }
            if (ready == null || !ready.startsWith("ready ")) {
                killTree(process);
                throw new IllegalStateException("server " + name + " failed to start in its child JVM (see stderr)");
            }
            HostedServer server = new HostedServer(name, process, out, ready);
            Tracked.register(server);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for " + name, e);
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public synchronized ServerStats stats() {
        in.println("stats");
        String line = readLine(out);
        if (line == null || !line.startsWith("stats ")) {
            throw new IllegalStateException("server " + name + " did not answer stats (exited?)");
        }
        return parseStats(line.substring(6));
    }

    static ServerStats parseStats(String json) {
        Map<String, Long> numbers = new HashMap<>();
        Map<String, Long> perWorker = new HashMap<>();
        Matcher workers = PER_WORKER.matcher(json);
        String top = json;
        if (workers.find()) {
            Matcher m = NUMBER.matcher(workers.group(1));
            while (m.find()) {
                perWorker.put(m.group(1), Long.parseLong(m.group(2)));
            }
            top = json.substring(0, workers.start());
        }
        Matcher m = NUMBER.matcher(top);
        while (m.find()) {
            numbers.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return new ServerStats(numbers.getOrDefault("acceptedConnections", 0L), numbers.getOrDefault("requests", 0L),
                numbers.getOrDefault("activeConnections", 0L).intValue(), numbers.getOrDefault("errors", 0L), perWorker);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public List<Long> workerPids() {
        return workerPids;
    }

    @Override
    public void stopGracefully(Duration timeout) {
        if (closed) {
            return;
        }
        synchronized (this) {
            in.println("stop " + timeout.toMillis());
        }
        try {
            if (!process.waitFor(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                killTree(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        killTree(process);
        Tracked.unregister(this);
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (child JVM pid " + pid() + ") on " + address;
    }
}
