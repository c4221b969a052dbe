package serverlab.labs.isolation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import serverlab.servers.Tracked;

/**
 * A whole virtual machine, the notes' hypervisor stack: qemu-system-x86_64 boots Debian's kernel with a tiny
 * initramfs built here (a static busybox, {@code hello_server.c} and {@code workload.c} built static for the
 * host, the virtio network modules, and {@code guest-init.sh} as {@code /init}); no disk. The CPU is KVM's
 * (hardware-assisted, the type-2 "hosted" stack) where {@code /dev/kvm} really works, otherwise qemu's own
 * translator TCG (pure emulation, x86 on x86). The guest's server is reached through user-mode networking:
 * qemu forwards 127.0.0.1:&lt;free port&gt; on the host to port 8080 in the guest.
 *
 * <pre>{@code
 * try (VirtualMachine vm = VirtualMachine.boot(Duration.ofSeconds(60))) {
 *     vm.accelerator();                          // "tcg" or "kvm"; vm.whyNotKvm() says why not
 *     vm.bootMillis();                           // qemu started -> the guest's server answered
 *     vm.run(Emulation.Workload.CPU_BOUND);      // ms, measured inside the guest by the program itself
 *     vm.roundTripMicros(1000);                  // GET /hello into the guest, median
 * }
 * }</pre>
 *
 * Commands reach the guest over its serial console (qemu's stdin and stdout): {@code /init} reads a
 * workload's name and prints the program's output, whose time is taken by the guest's own clock.
 */
public final class VirtualMachine implements AutoCloseable {

    private static final String QEMU = "qemu-system-x86_64";
    private static final int GUEST_PORT = 8080;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
    private static final Path KVM = Path.of("/dev/kvm");
    private static final Path KVM_PVM = Path.of("/sys/module/kvm_pvm");
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B(\\[[0-9;?]*[A-Za-z]|c)");
    private static final Pattern KVM_FAILED = Pattern.compile("failed to initialize kvm: (.*)");

    /** Whether a guest can boot here; {@code missing} is one line saying what to install or change. */
    public record Availability(boolean available, String missing) {
    }

    /** Debian's kernel image and the modules built with it. */
    record Kernel(Path image, Path modules) {
    }

    private final Process qemu;
    private final Path directory;
    private final InetSocketAddress address;
    private final StringBuffer console = new StringBuffer();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread consoleReader;
    private String accelerator;
    private Optional<String> whyNotKvm;
    private double bootMillis;

    private VirtualMachine(Process qemu, Path directory, int port, Optional<String> whyNotKvm) {
        this.qemu = qemu;
        this.directory = directory;
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        this.whyNotKvm = whyNotKvm;
        this.accelerator = whyNotKvm.isPresent() ? "tcg" : "kvm";
        this.consoleReader = Thread.ofPlatform().daemon().name("qemu-console-" + qemu.pid()).start(this::readConsole);
    }

    public static Availability availability() {
        if (!System.getProperty("os.arch").equals("amd64")) {
            return new Availability(false, "the guest and its programs are built for x86-64; this is " + System.getProperty("os.arch"));
        }
        List<String> packages = new ArrayList<>();
        if (Executables.onPath(QEMU).isEmpty()) packages.add("qemu-system-x86");
        Optional<Kernel> kernel = kernel();
        if (kernel.isEmpty()) packages.add("linux-image-cloud-amd64");
        if (busybox().isEmpty()) packages.add("busybox-static");
        if (Executables.onPath(Emulation.Arch.HOST.compiler).isEmpty()) packages.add("gcc");
        if (!packages.isEmpty()) return new Availability(false, "apt-get install " + String.join(" ", packages));
        Path image = kernel.get().image();
        return Files.isReadable(image) ? new Availability(true, "")
                : new Availability(false, image + " is readable by root only: sudo chmod 0644 " + image);
    }

    /**
     * Boots the guest and waits until its server answers through the forwarded port.
     *
     * @throws IllegalStateException if something is missing ({@link #availability()}), qemu exits, or the guest's
     *                               server does not answer within {@code timeout}; the message ends with the console's last lines
     */
    public static VirtualMachine boot(Duration timeout) {
        Availability availability = availability();
        if (!availability.available()) throw new IllegalStateException(availability.missing());
        Kernel kernel = kernel().orElseThrow();
        Optional<String> whyNotKvm = whyNotKvm(cpuFlags(), Files.exists(KVM), Files.isReadable(KVM) && Files.isWritable(KVM),
                Files.isDirectory(KVM_PVM));
        Path directory;
        try {
            directory = Files.createTempDirectory("serverlab-vm-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory for the guest", e);
        }
        VirtualMachine vm = null;
        try {
            Path initramfs = initramfs(kernel).writeTo(directory.resolve("initramfs.cpio"));
            int port = freeLoopbackPort();
            List<String> command = new ArrayList<>(List.of(QEMU, "-nodefaults", "-nographic", "-monitor", "none",
                    "-serial", "stdio", "-no-reboot", "-m", "256M", "-smp", "1"));
            // qemu tries each -accel in turn: "kvm" first where it should work, then "tcg" if it does not
            command.addAll(whyNotKvm.isPresent() ? List.of("-accel", "tcg") : List.of("-accel", "kvm", "-accel", "tcg", "-cpu", "max"));
            command.addAll(List.of("-kernel", kernel.image().toString(), "-initrd", initramfs.toString(),
                    "-append", "console=ttyS0 quiet panic=-1",
                    "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:" + port + "-:" + GUEST_PORT,
                    "-device", "virtio-net-pci,netdev=net0,romfile="));          // no option ROM: no iPXE banner and wait
            long start = System.nanoTime();
            vm = new VirtualMachine(new ProcessBuilder(command).redirectErrorStream(true).start(), directory, port, whyNotKvm);
            Tracked.register(vm);
            vm.awaitServer(start, timeout);
            return vm;
        } catch (IOException | RuntimeException e) {
            if (vm != null) {
                vm.close();
            } else {
                deleteTree(directory);
            }
            if (e instanceof IllegalStateException failed) throw failed;
            throw new IllegalStateException("cannot boot the guest: " + e.getMessage(), e);
        }
    }

    /** "kvm" (hardware-assisted) or "tcg" (qemu translates every guest instruction). */
    public String accelerator() {
        return accelerator;
    }

    /** Why KVM was not used, when it was not. */
    public Optional<String> whyNotKvm() {
        return whyNotKvm;
    }

    /** From starting qemu until the guest's server first answered GET /hello through the forwarded port. */
    public double bootMillis() {
        return bootMillis;
    }

    /** The guest's server as the host reaches it: 127.0.0.1 and the port qemu forwards to the guest's 8080. */
    public InetSocketAddress address() {
        return address;
    }

    /** qemu's process id on the host: the whole guest (its memory included) is this one process. */
    public long pid() {
        return qemu.pid();
    }

    /** Everything the guest's serial console printed so far, without the firmware's terminal escapes. */
    public String console() {
        return TERMINAL_ESCAPE.matcher(console).replaceAll("");
    }

    /** Milliseconds {@code workload} took inside the guest, measured there by the program itself. */
    public double run(Emulation.Workload workload) {
        return runInGuest(workload).millis();
    }

    /** Runs the host's static build of {@code workload.c} inside the guest: its checksum and its own time. */
    public synchronized Emulation.Run runInGuest(Emulation.Workload workload) {
        lines.clear();
        StringBuilder output = new StringBuilder();
        try {
            OutputStream serial = qemu.getOutputStream();
            serial.write((workload.argument + "\n").getBytes(StandardCharsets.US_ASCII));
            serial.flush();
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            String line;
            do {
                line = lines.poll(1, TimeUnit.SECONDS);
                if (line != null) {
                    output.append(line).append('\n');
                } else if (!qemu.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the guest did not finish " + workload + ":\n" + consoleTail());
                }
            } while (line == null || !line.contains("serverlab-done"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the guest's console", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the guest ran " + workload, e);
        }
        return Emulation.Run.parse(output.toString());
    }

    /** {@code n} GET /hello requests into the guest over one keep-alive connection; the median round trip in µs. */
    public double roundTripMicros(int n) {
        return HelloClient.medianRoundTripMicros(address, n);
    }

    /** Stops qemu by its pid (SIGTERM, then SIGKILL after 5 s) and deletes the guest's temp directory. */
    @Override
    public void close() {
        Tracked.unregister(this);
        qemu.destroy();
        try {
            if (!qemu.waitFor(5, TimeUnit.SECONDS)) qemu.destroyForcibly().waitFor();
            consoleReader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            qemu.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(directory);
    }

    @Override
    public String toString() {
        return "qemu pid " + pid() + " (" + accelerator + ") serving " + address;
    }

    /** The guest's temp directory (its initramfs), for the tests' check that close removes it. */
    Path directory() {
        return directory;
    }

    private void readConsole() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.ISO_8859_1))) {
            for (String line; (line = in.readLine()) != null; ) {
                console.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException closed) {
            // qemu is gone; the console ends here
        }
    }

    private void awaitServer(long start, Duration timeout) {
        long deadline = start + timeout.toNanos();
        try {
            // Until the guest's network is up, qemu accepts on the host and its SYN into the guest goes unanswered:
            // a short timeout and a new attempt find the server sooner than waiting for that SYN's retransmission.
            while (!HelloClient.answers(address, Duration.ofMillis(250))) {
                if (!qemu.isAlive()) {
                    throw new IllegalStateException("qemu exited (status " + qemu.waitFor() + ") before the guest answered:\n" + consoleTail());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the guest's server did not answer within " + timeout.toSeconds()
                            + " s (" + accelerator + "); give it longer, or see its console:\n" + consoleTail());
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the guest booted", e);
        }
        bootMillis = (System.nanoTime() - start) / 1e6;
        Matcher failed = KVM_FAILED.matcher(console);
        if (accelerator.equals("kvm") && failed.find()) {               // qemu fell back to the next -accel
            accelerator = "tcg";
            whyNotKvm = Optional.of("qemu could not use KVM: " + failed.group(1).strip());
        }
    }

    private String consoleTail() {
        List<String> all = console().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    }

    // --- the host: kernel, busybox, KVM ------------------------------------------------------------

    /**
     * Why qemu should not try KVM here, from what the host exposes. KVM needs the CPU's virtualization extensions
     * (the {@code vmx} flag on Intel, {@code svm} on AMD) and a {@code /dev/kvm} this user may open. A VM whose
     * hypervisor does not offer nested virtualization hides the flags; some then offer a {@code /dev/kvm} anyway
     * ({@code kvm_pvm}, which runs guests without those extensions but only PVM-built guest kernels).
     */
    static Optional<String> whyNotKvm(Set<String> cpuFlags, boolean devKvm, boolean devKvmUsable, boolean pvm) {
        if (!cpuFlags.contains("vmx") && !cpuFlags.contains("svm")) {
            String why = cpuFlags.contains("hypervisor")
                    ? "the CPU has no vmx/svm flag (this machine is itself a VM without nested virtualization)"
                    : "the CPU has no vmx/svm flag (virtualization is off in the firmware, or the CPU has none)";
            return Optional.of(devKvm && pvm
                    ? why + "; its /dev/kvm is kvm_pvm, which boots only PVM-built guest kernels, not Debian's" : why);
        }
        if (!devKvm) return Optional.of("there is no /dev/kvm (load kvm_intel or kvm_amd, or pass the device into this container)");
        if (!devKvmUsable) return Optional.of("this user cannot open /dev/kvm (add it to the kvm group)");
        return Optional.empty();
    }

    private static Set<String> cpuFlags() {
        try (Stream<String> cpuinfo = Files.lines(Path.of("/proc/cpuinfo"))) {
            return cpuinfo.filter(line -> line.startsWith("flags")).findFirst()
                    .map(line -> Set.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+"))).orElse(Set.of());
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** The newest {@code /boot/vmlinuz-*} whose modules are installed. */
    static Optional<Kernel> kernel() {
        try (Stream<Path> boot = Files.list(Path.of("/boot"))) {
            return boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .map(p -> new Kernel(p, Path.of("/lib/modules", p.getFileName().toString().substring("vmlinuz-".length()))))
                    .filter(k -> Files.isRegularFile(k.modules().resolve("modules.dep")))
                    .max(Comparator.comparing(k -> k.image().toFile().lastModified()));
        } catch (IOException noBoot) {
            return Optional.empty();
        }
    }

    private static Optional<Path> busybox() {
        return Executables.onPath("busybox").filter(b -> Emulation.describe(b).endsWith("statically linked"));
    }

    // --- the guest: its initramfs ------------------------------------------------------------------

    private static Initramfs initramfs(Kernel kernel) throws IOException {
        Initramfs image = new Initramfs();
        for (String dir : List.of("bin", "dev", "proc", "sys", "modules")) image.directory(dir);
        image.characterDevice("dev/console", 5, 1)
                .file("init", 0755, Executables.resource("guest-init.sh"))
                .file("bin/busybox", 0755, Files.readAllBytes(busybox().orElseThrow()))
                .file("bin/hello_server", 0755, Files.readAllBytes(
                        Executables.compiledStatic("hello_server.c", Emulation.Arch.HOST.compiler)))
                .file("bin/workload", 0755, Files.readAllBytes(Emulation.compiled(Emulation.Arch.HOST)));
        String dependencies = Files.readString(kernel.modules().resolve("modules.dep"));
        List<String> order = new ArrayList<>();
        for (String module : loadOrder(dependencies, "virtio_pci", "virtio_net")) {
            Path file = kernel.modules().resolve(module);
            image.file("modules/" + file.getFileName(), 0644, Files.readAllBytes(file));
            order.add(file.getFileName().toString());
        }
        return image.file("modules/order", 0644, String.join("\n", order).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The modules to insmod, dependencies first, for {@code names}, read from {@code modules.dep}
     * ({@code path: dependency-path...} per line). A name that is not there is built into the kernel.
     */
    static List<String> loadOrder(String modulesDep, String... names) {
        Map<String, List<String>> dependencies = new HashMap<>();
        for (String line : modulesDep.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String rest = line.substring(colon + 1).strip();
            dependencies.put(line.substring(0, colon), rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+")));
        }
        Set<String> order = new LinkedHashSet<>();
        for (String name : names) {
            dependencies.keySet().stream().filter(path -> moduleName(path).equals(name)).findFirst()
                    .ifPresent(path -> addWithDependencies(path, dependencies, order));
        }
        return List.copyOf(order);
    }

    private static void addWithDependencies(String path, Map<String, List<String>> dependencies, Set<String> order) {
        if (order.contains(path)) return;
        for (String dependency : dependencies.getOrDefault(path, List.of())) addWithDependencies(dependency, dependencies, order);
        order.add(path);
    }

    /** {@code kernel/drivers/net/virtio_net.ko} (or {@code .ko.xz}) is module {@code virtio_net}. */
    private static String moduleName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        return file.substring(0, file.indexOf(".ko"));
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
