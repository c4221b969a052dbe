package serverlab.labs.load;

import java.time.Duration;
import java.util.Locale;

/**
 * Command-line front end, wrk-style, used by {@code bench/loadgen} to compare with wrk:
 * {@code LoadCli [-c connections] [-t threads] [-d seconds] [-w warmup-seconds] [-R rate] URL}.
 * Without {@code -R} it runs a closed loop; with it, an open loop at that rate.
 * Prints the summary and a wrk-compatible {@code Requests/sec:} line.
 */
public final class LoadCli {

    private LoadCli() {
    }

    public static void main(String[] args) {
        int connections = 10;
        int threads = 2;
        double seconds = 10;
        double warmupSeconds = 2;
        double rate = 0;
        String url = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> connections = Integer.parseInt(args[++i]);
                case "-t" -> threads = Integer.parseInt(args[++i]);
                case "-d" -> seconds = Double.parseDouble(args[++i]);
                case "-w" -> warmupSeconds = Double.parseDouble(args[++i]);
                case "-R" -> rate = Double.parseDouble(args[++i]);
                default -> url = args[i];
            }
        }
        if (url == null) {
            System.err.println("usage: LoadCli [-c connections] [-t threads] [-d seconds] [-w warmup] [-R rate] URL");
            System.exit(2);
        }
        LoadTest test = rate > 0 ? Load.openLoop(url).rate(rate) : Load.closedLoop(url);
        LoadResult r = test.connections(connections).threads(threads)
                .duration(Duration.ofMillis((long) (seconds * 1000)))
                .warmup(Duration.ofMillis((long) (warmupSeconds * 1000)))
                .exactDurations().progress(false).run();
        System.out.println(r.summary());
        System.out.println(String.format(Locale.ROOT, "Requests/sec: %.2f", r.achievedRate()));
    }
}
