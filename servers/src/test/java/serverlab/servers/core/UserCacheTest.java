package serverlab.servers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserCacheTest {

    @TempDir
    Path dir;

    @Test
    void xdgFirstThenTheSessionsHomeThenTheAccountsHome() {
        Path xdg = dir.resolve("xdg"), home = dir.resolve("home"), account = dir.resolve("account");
        String user = System.getProperty("user.name");
        assertEquals(xdg.resolve("serverlab"), UserCache.directory(Map.of("XDG_CACHE_HOME", xdg.toString(), "HOME", home.toString()), account.toString(), dir, user));
        assertEquals(home.resolve(".cache/serverlab"), UserCache.directory(Map.of("HOME", home.toString()), account.toString(), dir, user));
        assertEquals(account.resolve(".cache/serverlab"), UserCache.directory(Map.of(), account.toString(), dir, user));
    }

    /** The account `nobody` has the home /nonexistent: the cache goes to a private directory in tmp. */
    @Test
    void aHomeThatCannotBeCreatedFallsBackToTmp() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        String user = System.getProperty("user.name");
        Path cache = UserCache.directory(Map.of("HOME", file.toString()), file.toString(), dir, user);
        assertEquals(dir.resolve("serverlab-cache-" + user), cache);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
    }
}
