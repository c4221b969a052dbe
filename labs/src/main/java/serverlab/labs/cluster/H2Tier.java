package serverlab.labs.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import serverlab.servers.Tracked;
import serverlab.servers.process.ChildJvm;

/** H2 in server mode, in a JVM of its own ({@link H2Host}): the data tier that needs nothing installed. */
final class H2Tier implements DataTier {

    private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:-UsePerfData");

    private final Process process;
    private final int port;
    private final String fallbackReason;

    private H2Tier(Process process, int port, String fallbackReason) {
        this.process = process;
        this.port = port;
        this.fallbackReason = fallbackReason;
    }

    /** @param fallbackReason why not PostgreSQL, for {@link #describe()}; empty if H2 was asked for */
    static H2Tier start(Path directory, String fallbackReason) {
        Process process = null;
        try {
            Path files = Files.createDirectories(directory.resolve("h2"));
            process = ChildJvm.start(JVM_FLAGS, H2Host.class, List.of(files.toString()));
            String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (line == null || !line.startsWith("port ")) throw new IOException("it printed " + line + " instead of its port");
            H2Tier tier = new H2Tier(process, Integer.parseInt(line.substring("port ".length()).strip()), fallbackReason);
            Tracked.register(tier);
            return tier;
        } catch (IOException | RuntimeException e) {
            if (process != null) process.destroyForcibly();
            throw new IllegalStateException("H2 server did not start (see stderr): " + e.getMessage(), e);
        }
    }

    @Override
    public Kind kind() {
        return Kind.H2;
    }

    @Override
    public Database database() {
        return new Database("jdbc:h2:tcp://127.0.0.1:" + port + "/shop", "sa", "");
    }

    @Override
    public String describe() {
        return "H2 " + org.h2.engine.Constants.VERSION + " server mode (its own JVM, port " + port + ")"
                + (fallbackReason.isEmpty() ? "" : "; PostgreSQL not used: " + fallbackReason);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    /** Ends the host's stdin, its signal to stop; forced after 5 s. */
    @Override
    public void close() {
        Tracked.unregister(this);
        StdinStop.stop(process, 5);
    }

    @Override
    public String toString() {
        return describe();
    }
}
