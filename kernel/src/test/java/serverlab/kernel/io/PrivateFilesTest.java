package serverlab.kernel.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void runtimeDirectoryIsPerUserAndPrivate() throws IOException {
        Path dir = PrivateFiles.runtimeDirectory(null, tmp, "alice");
        assertEquals(tmp.resolve("serverlab-alice"), dir);
        assertEquals("rwx------", permissions(dir));
        assertEquals(tmp.resolve("xdg/serverlab"), PrivateFiles.runtimeDirectory(tmp.resolve("xdg").toString(), tmp, "alice"));
    }

    @Test
    void anExistingRuntimeDirectoryIsTightened() throws IOException {
        Files.createDirectory(tmp.resolve("serverlab-bob"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals("rwx------", permissions(PrivateFiles.runtimeDirectory(null, tmp, "bob")));
    }

    @Test
    void aLinkPlantedWhereTheRuntimeDirectoryGoesIsRefused() throws IOException {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(tmp.resolve("serverlab-carol"), elsewhere);
        assertThrows(IOException.class, () -> PrivateFiles.runtimeDirectory(null, tmp, "carol"));
    }

    @Test
    void backgroundLogIsPrivateNeverFollowsALinkAndIsDeleted() throws IOException {
        Path log = PrivateFiles.runtimeDirectory(null, tmp, "dave").resolve("kernel-1-background.log");
        BackgroundOutput output = new BackgroundOutput(log);
        output.write("stdout", "hello\n".getBytes(StandardCharsets.UTF_8), 0, 6);
        assertEquals("rw-------", permissions(log));
        output.delete();
        assertFalse(Files.exists(log));

        Path victim = Files.writeString(tmp.resolve("victim"), "");
        Path planted = tmp.resolve("planted.log");
        Files.createSymbolicLink(planted, victim);
        BackgroundOutput redirected = new BackgroundOutput(planted);
        redirected.write("stdout", "secret\n".getBytes(StandardCharsets.UTF_8), 0, 7);
        assertEquals("", Files.readString(victim));
        assertTrue(redirected.tail(1).contains("secret"), "the in-memory tail still has it");
    }
}
