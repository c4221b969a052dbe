package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {

    @Test
    void cpioReadsTheDirectoriesFilesAndDeviceNodeBack(@TempDir Path dir) throws Exception {
        assumeTrue(Executables.onPath("cpio").isPresent(), "apt-get install cpio (only this test reads archives back)");
        Path archive = new Initramfs().directory("bin").file("bin/hello", 0755, "hi\n".getBytes(StandardCharsets.US_ASCII))
                .directory("dev").characterDevice("dev/console", 5, 1).file("init", 0700, new byte[] {'#', '!'})
                .writeTo(dir.resolve("initramfs.cpio"));
        String listing = Executables.run(List.of("sh", "-c", "cpio -itv --quiet < " + archive), Duration.ofSeconds(10));
        List<String> entries = listing.lines().toList();
        assertEquals(5, entries.size(), listing);
        assertTrue(entries.get(1).startsWith("-rwxr-xr-x") && entries.get(1).endsWith(" bin/hello"), listing);
        assertTrue(entries.get(3).startsWith("crw-------") && entries.get(3).contains("5,") && entries.get(3).endsWith(" dev/console"), listing);
        assertEquals("hi\n", Executables.run(List.of("sh", "-c", "cpio -i --quiet --to-stdout bin/hello < " + archive), Duration.ofSeconds(10)));
    }
}
