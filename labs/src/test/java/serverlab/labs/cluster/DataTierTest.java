package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.zaxxer.hikari.HikariDataSource;

import serverlab.servers.process.ChildJvm;

/** Both data tiers, through the very same JDBC code the app servers run. */
class DataTierTest {

    @TempDir
    Path directory;

    @Test
    void h2ServesTheShop() throws Exception {
        assertShopWorks(DataTier.Kind.H2, "H2 2.");
    }

    @Test
    void postgresServesTheShop() throws Exception {
        String missing = PostgresTier.missing();
        assumeTrue(missing == null, "PostgreSQL test skipped: " + missing);
        assertShopWorks(DataTier.Kind.POSTGRES, "PostgreSQL ");
    }

    @Test
    void autoPicksPostgresWhenInstalledElseSaysWhyNot() {
        try (DataTier tier = DataTier.start(DataTier.Kind.AUTO, directory)) {
            String missing = PostgresTier.missing();
            assertEquals(missing == null ? DataTier.Kind.POSTGRES : DataTier.Kind.H2, tier.kind());
            if (missing != null) assertTrue(tier.describe().contains(missing), tier.describe());
        }
    }

    /** SIGKILL the JVM that started a data tier: the database server stops on its own (its stdin ends). */
    @Test
    void aKilledOwnersDatabaseStopsWithIt() throws Exception {
        List<DataTier.Kind> kinds = PostgresTier.missing() == null
                ? List.of(DataTier.Kind.H2, DataTier.Kind.POSTGRES) : List.of(DataTier.Kind.H2);
        // PostgreSQL runs as an unprivileged user, which must be able to walk down to its directory
        Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        for (DataTier.Kind kind : kinds) {
            Path owned = Files.createDirectory(directory.resolve(kind.name()));
            Process owner = ChildJvm.start(List.of("-Xmx128m"), DataTierOwner.class, List.of(kind.name(), owned.toString()));
            try {
                String ready = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                assertTrue(ready != null && ready.startsWith("ready "), kind + " owner said " + ready);
                assertFalse(ClusterDirectory.processesNaming(owned).isEmpty(), kind + " runs nothing naming its directory");
                owner.destroyForcibly().waitFor();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!ClusterDirectory.processesNaming(owned).isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
                assertEquals(List.of(), ClusterDirectory.processesNaming(owned), kind + " outlived its owner");
            } finally {
                owner.destroyForcibly();
                ClusterDirectory.processesNaming(owned).forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    private void assertShopWorks(DataTier.Kind kind, String describedAs) throws Exception {
        long pid;
        try (DataTier tier = DataTier.start(kind, directory);
             HikariDataSource pool = tier.database().pool(2, "test")) {
            pid = tier.pid();
            assertTrue(tier.describe().startsWith(describedAs), tier.describe());
            ShopStore shop = new ShopStore(pool);
            shop.reset(3);
            assertEquals(List.of("item 1", "item 2"), shop.list(2).stream().map(ShopStore.Item::name).toList());
            long id = shop.create("lamp", 1999);
            assertEquals(Optional.of(new ShopStore.Item(id, "lamp", 1999)), shop.get(id));
            assertEquals(Optional.empty(), shop.get(id + 1000));

            SessionStore sessions = Sessions.IN_DATABASE.store(pool);
            String token = sessions.login("ada");
            assertEquals(Optional.of("ada"), sessions.user(token));
            assertTrue(sessions.addToCart(token, id));
            assertEquals(Optional.of(List.of(id)), sessions.cart(token));
            assertFalse(sessions.addToCart("no-such-session", id));
            assertEquals(Optional.empty(), sessions.cart("no-such-session"));
        }
        assertTrue(ProcessHandle.of(pid).isEmpty(), kind + " server still running after close");
        assertTrue(ClusterDirectory.processesNaming(directory).isEmpty());
        assertTrue(Files.exists(directory));
    }
}
