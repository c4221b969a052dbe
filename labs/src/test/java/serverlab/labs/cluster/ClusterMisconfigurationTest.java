package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import serverlab.servers.reference.NginxServer;

/** A cluster that cannot start as asked says why in one line, with what to install or change, and leaves nothing. */
class ClusterMisconfigurationTest {

    @TempDir
    Path directory;

    @Test
    void nginxMissingSaysWhatToInstall() {
        String message = withProperty(NginxServer.BINARY_PROPERTY, directory.resolve("nginx").toString(), () -> startFails(Cluster.builder()));
        assertTrue(message.contains("apt-get install nginx-light"), message);
        String missing = withProperty(NginxServer.BINARY_PROPERTY, directory.resolve("nginx").toString(), Cluster::missing);
        assertTrue(missing.contains("apt-get install nginx-light") && !missing.contains("\n"), missing);
    }

    @Test
    void aBalancerPortInUseSaysWhichPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String message = startFails(Cluster.builder().balancerPort(taken.getLocalPort()));
            assertTrue(message.contains("port " + taken.getLocalPort() + " is in use"), message);
        }
    }

    @Test
    void postgresMissingFallsBackToH2WithANote() {
        withProperty(PostgresTier.INSTALL_PROPERTY, directory.toString(), () -> {
            try (DataTier tier = DataTier.start(DataTier.Kind.AUTO, directory)) {
                assertEquals(DataTier.Kind.H2, tier.kind());
                assertTrue(tier.describe().endsWith("PostgreSQL not used: no PostgreSQL server under " + directory
                        + ": apt-get install postgresql"), tier.describe());
            }
            IllegalStateException asked = assertThrows(IllegalStateException.class, () -> DataTier.start(DataTier.Kind.POSTGRES, directory));
            assertEquals("no PostgreSQL server under " + directory + ": apt-get install postgresql", asked.getMessage());
            return null;
        });
    }

    /** Starts a one-server H2 cluster that must fail; returns its message after checking it is one line and nothing is left. */
    private static String startFails(Cluster.Builder builder) {
        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> builder.appServers(1).dataTier(DataTier.Kind.H2).start());
        String message = failed.getMessage();
        assertFalse(message.contains("\n"), "more than one line: " + message);
        assertTrue(ownDirectories().isEmpty(), "left behind: " + ownDirectories());
        return message;
    }

    private static java.util.List<Path> ownDirectories() {
        String prefix = ClusterDirectory.PREFIX + ProcessHandle.current().pid() + "-";
        try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static <T> T withProperty(String name, String value, Supplier<T> body) {
        String previous = System.getProperty(name);
        System.setProperty(name, value);
        try {
            return body.get();
        } finally {
            if (previous == null) System.clearProperty(name);
            else System.setProperty(name, previous);
        }
    }
}
