package serverlab.servers.process;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import serverlab.servers.ServerOptions;

/**
 * {@link ServerOptions} as {@code name=value} lines, the way a parent hands its options to
 * worker JVMs: as command-line arguments, or as the lines of a configuration file.
 */
public final class WorkerConfig {

    private WorkerConfig() {
    }

    public static List<String> toLines(ServerOptions o) {
        return List.of(
                "bindAddress=" + o.bindAddress(),
                "port=" + o.port(),
                "workers=" + o.workers(),
                "threads=" + o.threads(),
                "queueCapacity=" + o.queueCapacity(),
                "selector=" + o.selector(),
                "maxConnections=" + o.maxConnections(),
                "idleTimeoutMillis=" + o.idleTimeout().toMillis(),
                "maxHeaderBytes=" + o.maxHeaderBytes(),
                "maxBodyBytes=" + o.maxBodyBytes(),
                "dataDir=" + o.dataDir().toAbsolutePath(),
                "controlPort=" + o.controlPort());
    }

    /** Parses {@code name=value} lines; blank lines and {@code #} comments are skipped. */
    public static ServerOptions fromLines(List<String> lines) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(String.join("\n", lines)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServerOptions(
                required(p, "bindAddress"),
                Integer.parseInt(required(p, "port")),
                Integer.parseInt(required(p, "workers")),
                Integer.parseInt(required(p, "threads")),
                Integer.parseInt(required(p, "queueCapacity")),
                required(p, "selector"),
                Integer.parseInt(required(p, "maxConnections")),
                Duration.ofMillis(Long.parseLong(required(p, "idleTimeoutMillis"))),
                Integer.parseInt(required(p, "maxHeaderBytes")),
                Long.parseLong(required(p, "maxBodyBytes")),
                Path.of(required(p, "dataDir")),
                Integer.parseInt(required(p, "controlPort")));
    }

    private static String required(Properties p, String name) {
        String value = p.getProperty(name);
        if (value == null) {
            throw new IllegalArgumentException("worker configuration lacks " + name);
        }
        return value;
    }
}
