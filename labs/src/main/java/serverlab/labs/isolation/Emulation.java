package serverlab.labs.isolation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Emulating another instruction set, "simulated hardware A on hardware B": one small C program
 * ({@code workload.c}) compiled static for this machine and for 64-bit ARM with Debian's cross compiler,
 * then run natively and under qemu-user, which translates each block of ARM code into host code and
 * passes the program's system calls to the host kernel.
 *
 * <pre>{@code
 * if (Emulation.availability().available()) {
 *     Table t = Emulation.compare(Emulation.Workload.values(), 3);  // workload, native_ms, emulated_ms, slowdown, same_output
 *     Emulation.describe(Emulation.compiled(Emulation.Arch.AARCH64));  // "ELF 64-bit LSB executable, ARM aarch64, statically linked"
 * }
 * }</pre>
 *
 * Times are what the program measures itself with the monotonic clock: qemu's start-up is not in them.
 */
public final class Emulation {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);
    private static final Pattern CHECKSUM = Pattern.compile("checksum (\\p{XDigit}+)");
    private static final Pattern ELAPSED = Pattern.compile("elapsed_ms ([0-9.]+)");
    private static final int ELF_MAGIC = 0x7f454c46;                       // "\177ELF", read big-endian

    /** Where a build runs: this machine, or 64-bit ARM through qemu-user. */
    public enum Arch {
        HOST("gcc", null, "gcc"),
        AARCH64("aarch64-linux-gnu-gcc", "qemu-aarch64", "gcc-aarch64-linux-gnu");

        final String compiler;
        private final String emulator;
        private final String compilerPackage;

        Arch(String compiler, String emulator, String compilerPackage) {
            this.compiler = compiler;
            this.emulator = emulator;
            this.compilerPackage = compilerPackage;
        }
    }

    /** What the program does, sized so a native run takes about 100 ms here. */
    public enum Workload {
        /** A sieve and integer hashing: instructions only, so emulation pays for every one of them. */
        CPU_BOUND("cpu"),
        /** getppid() in a loop: each call leaves the program for the kernel, which is not emulated. */
        SYSCALL_HEAVY("syscall");

        final String argument;

        Workload(String argument) {
            this.argument = argument;
        }
    }

    /** Whether the tools are here; {@code missing} is one line saying what to install. */
    public record Availability(boolean available, String missing) {
    }

    /** One run: the checksum the program printed and the milliseconds it measured. */
    public record Run(String checksum, double millis) {

        /** Reads the program's {@code checksum} and {@code elapsed_ms} lines out of {@code output}. */
        static Run parse(String output) {
            Matcher checksum = CHECKSUM.matcher(output);
            Matcher elapsed = ELAPSED.matcher(output);
            if (!checksum.find() || !elapsed.find()) {
                throw new IllegalStateException("the workload printed no checksum and time:\n" + output.strip());
            }
            return new Run(checksum.group(1), Double.parseDouble(elapsed.group(1)));
        }
    }

    private Emulation() {
    }

    public static Availability availability() {
        List<String> packages = new ArrayList<>();
        for (Arch arch : Arch.values()) {
            if (Executables.onPath(arch.compiler).isEmpty()) packages.add(arch.compilerPackage);
        }
        if (Executables.onPath(Arch.AARCH64.emulator).isEmpty()) packages.add("qemu-user");
        return packages.isEmpty() ? new Availability(true, "")
                : new Availability(false, "apt-get install " + String.join(" ", packages));
    }

    /** {@code workload.c} built static for {@code arch} (compiled once, then cached). */
    public static Path compiled(Arch arch) {
        return Executables.compiledStatic("workload.c", arch.compiler);
    }

    /** The isolation ladder's rung: the aarch64 build started under qemu-user until its main runs, then idle. */
    public static IsolationLadder.Rung rung() {
        Path binary = compiled(Arch.AARCH64);
        return IsolationLadder.Rung.ofCommand("emulated program (qemu-user)", List.of(Arch.AARCH64.emulator, binary.toString(), "idle"),
                "RSS of qemu-aarch64 running the idle program");
    }

    /** Runs {@code workload} built for {@code arch}, natively or under qemu-user. */
    public static Run run(Arch arch, Workload workload) {
        String binary = compiled(arch).toString();
        List<String> command = arch.emulator == null ? List.of(binary, workload.argument)
                : List.of(arch.emulator, binary, workload.argument);
        return Run.parse(Executables.run(command, RUN_TIMEOUT));
    }

    /**
     * Each workload {@code repetitions} times natively and under qemu-user, alternating: columns {@code workload},
     * {@code native_ms} and {@code emulated_ms} (medians), {@code slowdown} (their ratio) and {@code same_output}
     * (every run printed the same checksum).
     */
    public static Table compare(Workload[] workloads, int repetitions) {
        if (repetitions < 1) throw new IllegalArgumentException("repetitions must be at least 1");
        StringColumn names = StringColumn.create("workload");
        DoubleColumn nativeMs = DoubleColumn.create("native_ms");
        DoubleColumn emulatedMs = DoubleColumn.create("emulated_ms");
        DoubleColumn slowdown = DoubleColumn.create("slowdown");
        BooleanColumn same = BooleanColumn.create("same_output");
        for (Workload workload : workloads) {
            List<Run> host = new ArrayList<>();
            List<Run> emulated = new ArrayList<>();
            for (int i = 0; i < repetitions; i++) {
                host.add(run(Arch.HOST, workload));
                emulated.add(run(Arch.AARCH64, workload));
            }
            double h = medianMillis(host);
            double e = medianMillis(emulated);
            names.append(workload.name());
            nativeMs.append(h);
            emulatedMs.append(e);
            slowdown.append(e / h);
            same.append(Stream.concat(host.stream(), emulated.stream()).map(Run::checksum).distinct().count() == 1);
        }
        return Table.create("emulation", names, nativeMs, emulatedMs, slowdown, same);
    }

    private static double medianMillis(List<Run> runs) {
        return median(runs.stream().mapToDouble(Run::millis).toArray());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * What an executable is, read from its ELF header the way {@code file} does: class, byte order, type,
     * machine and whether it names a dynamic loader (a {@code PT_INTERP} program header), e.g.
     * {@code "ELF 64-bit LSB executable, ARM aarch64, statically linked"}.
     */
    public static String describe(Path executable) {
        try (FileChannel channel = FileChannel.open(executable)) {
            ByteBuffer header = ByteBuffer.allocate(64);
            channel.read(header, 0);
            header.flip();
            if (header.limit() < 52 || header.getInt(0) != ELF_MAGIC) return "not an ELF file";
            boolean wide = header.get(4) == 2;
            header.order(header.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long programHeaders = wide ? header.getLong(32) : Integer.toUnsignedLong(header.getInt(28));
            int entrySize = Short.toUnsignedInt(header.getShort(wide ? 54 : 42));
            int entries = Short.toUnsignedInt(header.getShort(wide ? 56 : 44));
            boolean dynamic = false;
            ByteBuffer entry = ByteBuffer.allocate(4).order(header.order());
            for (int i = 0; i < entries && !dynamic; i++) {
                entry.clear();
                channel.read(entry, programHeaders + (long) i * entrySize);
                dynamic = entry.getInt(0) == 3;                            // PT_INTERP: the path of ld.so
            }
            return "ELF " + (wide ? "64" : "32") + "-bit " + (header.order() == ByteOrder.BIG_ENDIAN ? "MSB " : "LSB ")
                    + type(header.getShort(16)) + ", " + machine(header.getShort(18)) + ", "
                    + (dynamic ? "dynamically linked" : "statically linked");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + executable, e);
        }
    }

    private static String type(short type) {
        return switch (type) {
            case 1 -> "relocatable";
            case 2 -> "executable";
            case 3 -> "shared object";                                     // also every PIE executable
            case 4 -> "core file";
            default -> "type " + type;
        };
    }

    private static String machine(short machine) {
        return switch (machine) {
            case 0x03 -> "Intel 80386";
            case 0x28 -> "ARM";
            case 0x3e -> "x86-64";
            case 0xb7 -> "ARM aarch64";
            case 0xf3 -> "UCB RISC-V";
            default -> "machine 0x" + Integer.toHexString(Short.toUnsignedInt(machine));
        };
    }
}
