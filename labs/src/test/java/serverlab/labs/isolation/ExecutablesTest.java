package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {

    @Test
    void aSourceIsCompiledOnceAndOnlyTheBinaryStaysInTheCache(@TempDir Path cache) throws Exception {
        assumeTrue(Executables.onPath("gcc").isPresent(), "apt-get install gcc");
        Path binary = Executables.compiledStatic("workload.c", "gcc", cache);
        long built = Files.getLastModifiedTime(binary).toMillis();
        Thread.sleep(20);
        assertEquals(binary, Executables.compiledStatic("workload.c", "gcc", cache));
        assertEquals(built, Files.getLastModifiedTime(binary).toMillis(), "compiled a second time");
        try (Stream<Path> files = Files.walk(cache)) {
            assertEquals(List.of(binary), files.filter(Files::isRegularFile).toList());
        }
    }

    @Test
    void aFailingCommandSaysWhatItPrinted() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Executables.run(List.of("sh", "-c", "echo broken; exit 3"), Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("exit 3") && e.getMessage().contains("broken"), e.getMessage());
    }

    @Test
    void aCommandThatOverrunsItsTimeIsKilled() {
        long start = System.nanoTime();
        assertThrows(IllegalStateException.class, () -> Executables.run(List.of("sleep", "30"), Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }
}
