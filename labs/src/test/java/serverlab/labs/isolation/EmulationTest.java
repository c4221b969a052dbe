package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tech.tablesaw.api.Table;

class EmulationTest {

    @Test
    void qemuUserRunsTheArmBuildWithTheSameOutputAndMoreSlowly() {
        Emulation.Availability tools = Emulation.availability();
        assumeTrue(tools.available(), tools.missing());
        Table t = Emulation.compare(Emulation.Workload.values(), 3);        // medians of 3: the machine is shared
        assertEquals(Emulation.Workload.values().length, t.rowCount());
        for (int row = 0; row < t.rowCount(); row++) {
            assertTrue(t.booleanColumn("same_output").get(row), t.print());
        }
        assertTrue(t.doubleColumn("slowdown").get(t.stringColumn("workload").indexOf("CPU_BOUND")) > 1, t.print());
    }

    @Test
    void theArmBuildIsAStaticAarch64Executable() {
        assumeTrue(Emulation.availability().available(), Emulation.availability().missing());
        assertEquals("ELF 64-bit LSB executable, ARM aarch64, statically linked",
                Emulation.describe(Emulation.compiled(Emulation.Arch.AARCH64)));
        assertEquals("ELF 64-bit LSB executable, x86-64, statically linked",
                Emulation.describe(Emulation.compiled(Emulation.Arch.HOST)));
    }

    @Test
    void aProgramThatNamesItsLoaderIsDynamicallyLinked() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertTrue(Emulation.describe(java).endsWith(", dynamically linked"), Emulation.describe(java));
    }

    @Test
    void aFileWithoutTheElfMagicIsSaidToBeNoElf(@TempDir Path dir) throws Exception {
        assertEquals("not an ELF file", Emulation.describe(Files.writeString(dir.resolve("script"), "#!/bin/sh\necho hi\n")));
    }

    @Test
    void aRunIsReadFromTheProgramsOutputAndMissingLinesAreAnError() {
        assertEquals(new Emulation.Run("f13577103295617d", 91.997),
                Emulation.Run.parse("checksum f13577103295617d\nelapsed_ms 91.997\n"));
        assertThrows(IllegalStateException.class, () -> Emulation.Run.parse("qemu-aarch64: Could not open '/x'\n"));
    }
}
