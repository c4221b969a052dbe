package serverlab.labs.micro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class AsyncFileReadsTest {

    @Test
    void asynchronousFileChannelIsAThreadPoolDoingBlockingReads() throws Exception {
        Path file;
        try (AsyncFileReads reads = AsyncFileReads.withTempFile(1 << 20).reads(16).helperThreads(3)) {
            AsyncFileReads.Run byDefault = reads.defaultExecutor();
            AsyncFileReads.Run pool = reads.explicitPool();
            AsyncFileReads.Run handOff = reads.eventLoopHandOff();
            String caller = Thread.currentThread().getName();

            // the JDK's Linux implementation: a blocking pread per read, run on an executor
            assertEquals("sun.nio.ch.SimpleAsynchronousFileChannelImpl", byDefault.channelClass());
            assertEquals("sun.nio.ch.SimpleAsynchronousFileChannelImpl", pool.channelClass());
            assertFalse(byDefault.ioThreads().isEmpty());
            assertFalse(byDefault.ioThreads().contains(caller), "the reads ran on other threads: " + byDefault);
            // the JDK's default pool (threads it started earlier in this JVM may still be idle in it, so no thread-count test)
            assertTrue(byDefault.ioThreads().stream().allMatch(name -> name.startsWith("InnocuousThread-")), byDefault.toString());
            assertTrue(pool.ioThreads().stream().allMatch(name -> name.startsWith("aio-pool-")), pool.toString());
            assertTrue(pool.ioThreads().size() <= 3, pool.toString());
            assertTrue(handOff.ioThreads().stream().allMatch(name -> name.startsWith("loop-helper-")), handOff.toString());
            assertTrue(handOff.ioThreads().size() <= 3, handOff.toString());
            for (AsyncFileReads.Run run : new AsyncFileReads.Run[] {byDefault, pool, handOff}) {
                assertEquals(0, run.ioUringFds(), "no io_uring instance in the process: " + run);
                assertEquals(1 << 20, run.bytesEach());
            }

            Table t = AsyncFileReads.table(byDefault, pool, handOff);
            assertEquals(3, t.rowCount());
            assertEquals(16, t.intColumn("reads").get(0));
            file = reads.file();
            assertTrue(Files.exists(file));
        }
        assertFalse(Files.exists(file), "the temporary file is deleted on close");
    }
}
