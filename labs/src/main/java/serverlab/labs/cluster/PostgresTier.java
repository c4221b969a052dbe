package serverlab.labs.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import serverlab.servers.Tracked;

/**
 * PostgreSQL as Debian installs it ({@code /usr/lib/postgresql/<version>/bin}), run by us: {@code initdb} in a
 * temp directory, then {@code postgres} in the foreground on a private loopback port, trusting local connections
 * of the user {@code serverlab}. PostgreSQL refuses to run as root, so as root both run as the system user
 * {@code postgres} (or {@code nobody} if there is none) through {@code setpriv}, in a directory that user owns.
 * A shell keeps it on a leash ({@link #LEASH}): when its stdin ends, postgres gets SIGINT, its fast shutdown.
 */
final class PostgresTier implements DataTier {

    /** Where PostgreSQL's versions are installed; the system property {@value #INSTALL_PROPERTY} moves it (a test's missing PostgreSQL). */
    static final String INSTALL_PROPERTY = "serverlab.postgresql";
    private static final String USER = "serverlab";
    private static final long START_TIMEOUT_MS = 30_000;
    /**
     * Runs its arguments (postgres) until they exit or this script's stdin ends (we closed it, or we died).
     * Background jobs of sh read /dev/null, so the watcher reads the script's stdin through fd 3.
     */
    private static final String LEASH = """
            exec 3<&0
            "$@" 3<&- &
            server=$!
            (cat <&3 >/dev/null; kill -INT "$server" 2>/dev/null) &
            exec 3<&-
            wait "$server"
            """;

    private final Process process;
    private final int port;
    private final String version;
    private final String runAs;

    private PostgresTier(Process process, int port, String version, String runAs) {
        this.process = process;
        this.port = port;
        this.version = version;
        this.runAs = runAs;
    }

    /** Why PostgreSQL cannot be used here, in one line with what to install; null if it can. */
    static String missing() {
        if (binaries().isEmpty()) return "no PostgreSQL server under " + install() + ": apt-get install postgresql";
        if (isRoot() && Optional.ofNullable(systemUser()).isEmpty()) return "running as root and no unprivileged user to run PostgreSQL as";
        return null;
    }

    private static Path install() {
        return Path.of(System.getProperty(INSTALL_PROPERTY, "/usr/lib/postgresql"));
    }

    /** The newest installed version's bin directory. */
    private static Optional<Path> binaries() {
        try (Stream<Path> versions = Files.list(install())) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("postgres")))
                    .max(Comparator.comparing(bin -> Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static PostgresTier start(Path directory) {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException(missing()));
        String runAs = isRoot() ? systemUser() : System.getProperty("user.name");
        Path data = directory.resolve("pgdata");
        Path log = directory.resolve("postgres.log");
        try {
            Files.createDirectories(data);
            if (isRoot()) handOver(directory, data, runAs);
            run(asUser(runAs, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--no-sync", "--no-instructions"), directory, log);
            int port = freePort();
            List<String> leashed = new ArrayList<>(List.of("sh", "-c", LEASH, "serverlab-postgres-leash"));
            leashed.addAll(asUser(runAs, bin.resolve("postgres").toString(), "-D", data.toString(),
                    "-p", Integer.toString(port), "-k", data.toString(), "-c", "listen_addresses=127.0.0.1"));
            Process process = new ProcessBuilder(leashed)
                    .directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            PostgresTier tier = new PostgresTier(process, port, version(bin), runAs);
            Tracked.register(tier);
            tier.awaitAccepting(log);
            return tier;
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    /** The data directory must belong to the user PostgreSQL runs as, and the way there must be open to it. */
    private static void handOver(Path directory, Path data, String user) throws IOException {
        UserPrincipalLookupService users = directory.getFileSystem().getUserPrincipalLookupService();
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setOwner(data, users.lookupPrincipalByName(user));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    }

    private static List<String> asUser(String user, String... command) {
        List<String> line = new ArrayList<>();
        if (isRoot()) line.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"));
        line.addAll(List.of(command));
        return line;
    }

    private static void run(List<String> command, Path directory, Path log) throws IOException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.getFirst() + " took over 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (process.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed: " + lastLine(log));
    }

    private void awaitAccepting(Path log) throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        Database database = database();
        while (true) {
            try (Connection ignored = DriverManager.getConnection(database.url(), database.user(), database.password())) {
                return;
            } catch (SQLException notYet) {
                if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                    close();
                    throw new IOException("postgres " + (process.isAlive() ? "not accepting connections" : "exited") + ": " + lastLine(log));
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    close();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for postgres", e);
                }
            }
        }
    }

    @Override
    public Kind kind() {
        return Kind.POSTGRES;
    }

    @Override
    public Database database() {
        return new Database("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "");
    }

    @Override
    public String describe() {
        return "PostgreSQL " + version + " (initdb in a temp dir, port " + port + ", as user " + runAs + ")";
    }

    @Override
    public long pid() {
        return process.pid();
    }

    /** SIGINT through the leash: PostgreSQL's fast shutdown (rolls back open transactions, disconnects clients). */
    @Override
    public void close() {
        Tracked.unregister(this);
        StdinStop.stop(process, 10);
    }

    private static String version(Path bin) throws IOException {
        Process process = new ProcessBuilder(bin.resolve("postgres").toString(), "--version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return text.substring(text.lastIndexOf(' ') + 1); // "postgres (PostgreSQL) 15.14"
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The unprivileged user root runs PostgreSQL as: Debian's {@code postgres}, else {@code nobody}; null if neither. */
    private static String systemUser() {
        try {
            List<String> passwd = Files.readAllLines(Path.of("/etc/passwd"));
            for (String user : List.of("postgres", "nobody")) {
                if (passwd.stream().anyMatch(line -> line.startsWith(user + ":"))) return user;
            }
        } catch (IOException e) {
            // no passwd file: no user to switch to
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(no output)" : lines.getLast();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
