package serverlab.servers.handlers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sample data lives in one cached directory per user: written once, repaired when incomplete, never one per JVM. */
class SampleDataTest {

    @Test
    void writtenOnceThenReused(@TempDir Path cache) throws Exception {
        Path first = SampleData.cached(cache);
        assertEquals(cache.resolve(SampleData.CACHED_NAME), first);
        assertArrayEquals(Patterns.bytes(1 << 20), Files.readAllBytes(first.resolve(SampleData.LARGE)));
        FileTime written = Files.getLastModifiedTime(first.resolve(SampleData.LARGE));
        Thread.sleep(20);
        assertEquals(first, SampleData.cached(cache));
        assertEquals(written, Files.getLastModifiedTime(first.resolve(SampleData.LARGE)), "a complete directory is not rewritten");
        try (var entries = Files.list(cache)) {
            assertEquals(List.of(first), entries.toList(), "no temp directories left beside it");
        }
    }

    @Test
    void anIncompleteDirectoryIsRepaired(@TempDir Path cache) throws Exception {
        Path dir = SampleData.cached(cache);
        Files.write(dir.resolve(SampleData.MEDIUM), new byte[10]);   // truncated, as by a crash while writing
        Files.delete(dir.resolve(SampleData.HELLO));
        assertEquals(dir, SampleData.cached(cache));
        assertEquals(64 << 10, Files.size(dir.resolve(SampleData.MEDIUM)));
        assertTrue(Files.size(dir.resolve(SampleData.HELLO)) > 0);
    }

    @Test
    void concurrentFirstUsesAgreeOnOneCompleteDirectory(@TempDir Path cache) throws Exception {
        ExecutorService jvms = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) results.add(jvms.submit(() -> SampleData.cached(cache)));
            for (Future<Path> result : results) assertEquals(cache.resolve(SampleData.CACHED_NAME), result.get());
        } finally {
            jvms.shutdownNow();
        }
        assertEquals(1 << 20, Files.size(cache.resolve(SampleData.CACHED_NAME).resolve(SampleData.LARGE)));
        try (var entries = Files.list(cache)) {
            assertEquals(1, entries.count(), "the losers of the race removed their copies");
        }
    }
}
