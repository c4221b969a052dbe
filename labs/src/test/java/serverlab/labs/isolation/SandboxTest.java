package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.servers.ServerOptions;
import serverlab.servers.Tracked;
import serverlab.servers.process.ChildJvm;

/**
 * A server in a sandbox is isolated (asserted from inside), reachable through its veth pair and nowhere else
 * unless it is loopback, limited in CPU and memory, and leaves nothing behind — even when its owner is killed.
 * Needs root; skipped with the reason otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SandboxTest {

    private static final String OURS = Sandbox.PREFIX + ProcessHandle.current().pid() + "-";

    @BeforeAll
    static void needsRoot() {
        Sandbox.Availability available = Sandbox.availability();
        assumeTrue(available.available(), available.missing());
    }

    @AfterEach
    void nothingOfOursLeft() {
        assertEquals(List.of(), leftovers(OURS));
    }

    @Test
    void isolatedAsSeenFromInside() throws IOException {
        String hostHostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        try (Sandbox box = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).start("event-loop", ServerOptions.defaults())) {
            List<String[]> processes = box.exec("ps", "-e", "-o", "pid=,comm=").lines()
                    .map(l -> l.strip().split("\\s+", 2)).toList();
            assertEquals("1", processes.getFirst()[0], "pid 1 inside is the server's JVM");
            assertEquals("java", processes.getFirst()[1]);
            assertEquals(Set.of("java", "ps"), processes.stream().map(p -> p[1]).collect(Collectors.toSet()),
                    "only the server and our ps are visible inside");
            assertEquals(1, Sandbox.pidInside(box.pid()), "the JVM the host sees is pid 1 inside");

            assertEquals(box.id(), box.hostname());
            assertNotEquals(hostHostname, box.hostname());

            assertEquals(List.of("lo", "eth0"), box.interfaces(), "only loopback and the sandbox's end of the veth");
            assertTrue(VethNetwork.hostLinks().contains(box.hostLink()), "the host has the other end");
        }
    }

    @Test
    void reachableThroughTheVethWithTheLoadGeneratorAndOnlyWhileItLives() {
        InetSocketAddress address;
        try (Sandbox box = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).start("thread-pool", ServerOptions.defaults())) {
            address = box.address();
            assertTrue(address.getAddress().getHostAddress().startsWith("10.213."), address.toString());
            assertFalse(address.getAddress().isLoopbackAddress());
            LoadResult result = Load.closedLoop(box).connections(4).duration(Duration.ofSeconds(1)).run();
            assertTrue(result.requests() > 100, result.summary());
            assertEquals(0, result.totalErrors(), result.summary());
            assertTrue(box.stats().requests() >= result.requests(), "the sandboxed server counted the load");

            InetSocketAddress samePortElsewhere = new InetSocketAddress(otherAddress(address.getAddress()), address.getPort());
            assertRefused(samePortElsewhere);
            assertRefused(new InetSocketAddress(address.getAddress(), address.getPort() + 1));
        }
        assertRefused(address);
    }

    @Test
    void hostProbesMeasureTheServerInside() throws IOException {
        try (Sandbox box = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).start("nginx-style", ServerOptions.defaults())) {
            List<Long> workers = box.workerPids();
            assertEquals(2, workers.size(), workers.toString());
            ProcessTreeProbe probe = ProcessTreeProbe.of(box.pid());
            assertTrue(probe.pids().containsAll(workers), probe.pids() + " lacks " + workers);
            assertTrue(probe.sample().rssBytes() > 0);
        }
    }

    /**
     * CPU-bound requests on a thread pool: a quarter of a CPU serves well under what two serve. A quarter, not the
     * chapter's half: on a shared machine with other work running, "two CPUs" were measured to get less than half
     * a core (eight threads, so that the unlimited sandbox gets as much of it as it can).
     */
    @Test
    void theCpuLimitTakesEffect() {
        double slow = cpuBoundThroughput(0.25);
        double fast = cpuBoundThroughput(2);
        assertTrue(slow < 0.7 * fast, "0.25 CPU: " + slow + " req/s, 2 CPUs: " + fast + " req/s");
    }

    private static double cpuBoundThroughput(double cpus) {
        try (Sandbox box = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).cpus(cpus).start("thread-pool", ServerOptions.defaults().withThreads(8))) {
            assertEquals(cpus, box.cpuLimit(), 1e-9);
            assertEquals((int) Math.ceil(cpus), box.jvmView().availableProcessors(), "the JVM sees the quota");
            return Load.closedLoop(box).connections(8).path("/cpu?iterations=2000000")
                    .warmup(Duration.ofMillis(300)).duration(Duration.ofMillis(1500)).run().achievedRate();
        }
    }

    /**
     * A worker that allocates past the sandbox's memory limit is killed by the kernel's OOM killer inside the
     * sandbox; the supervisor replaces it and the server goes on; the master and the host's processes live on.
     */
    @Test
    void theMemoryLimitKillsInsideNotOutside() throws Exception {
        Process hostCanary = new ProcessBuilder("sleep", "60").start();
        try (Sandbox box = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).memory(192L << 20).start("nginx-style", ServerOptions.defaults())) {
            assertEquals(192L << 20, box.memoryLimit());
            assertEquals(192L << 20, box.jvmView().memoryBytes(), "the JVM sees the limit as its memory");
            List<Long> before = box.workerPids();
            long master = box.pid();
            for (int i = 0; i < 4 && box.oomKills() == 0; i++) {
                get(box.address(), "/alloc?mb=80"); // the answer may never come: its worker is the one killed
            }
            assertTrue(box.oomKills() >= 1, "no OOM kill at " + (box.memoryUsage() >> 20) + " MiB used");
            List<Long> after = awaitWorkers(box, before);
            assertTrue(after.stream().anyMatch(pid -> !before.contains(pid)), "the supervisor started a new worker: " + before + " -> " + after);
            assertTrue(ProcessHandle.of(master).isPresent(), "the master survived");
            assertTrue(hostCanary.isAlive(), "a host process survived");
            assertEquals("200", get(box.address(), "/hello").substring(9, 12), "the server still serves");
        } finally {
            hostCanary.destroy();
        }
    }

    @Test
    void closeLeavesNothingBehind() {
        Sandbox box = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).cpus(1).memory(256L << 20).start("prefork", ServerOptions.defaults());
        List<Long> processes = ProcessTreeProbe.of(box.pid()).pids();
        assertFalse(leftovers(box.id()).isEmpty(), "the sandbox is visible to the leftovers check");
        box.close();
        assertEquals(List.of(), leftovers(box.id()));
        assertTrue(processes.stream().noneMatch(pid -> ProcessHandle.of(pid).isPresent()), "a process survived: " + processes);
    }

    /** A kernel restart closes what the kernel started (Tracked.closeAll): a sandbox too, without a trace. */
    @Test
    void aKernelRestartClosesTheSandbox() {
        Sandbox box = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).start("virtual-threads", ServerOptions.defaults());
        long jvm = box.pid();
        Tracked.closeAll();
        assertTrue(box.isClosed());
        assertEquals(List.of(), leftovers(box.id()));
        assertTrue(ProcessHandle.of(jvm).isEmpty(), "the server's JVM is gone");
    }

    /** The owner dies with SIGKILL (a crashed kernel): nothing closes the sandbox, so the next start reaps it. */
    @ParameterizedTest
    @EnumSource(value = Sandbox.Engine.class, names = {"NAMESPACES", "PODMAN"})
    void aSandboxOfAKilledOwnerIsReapedAtTheNextStart(Sandbox.Engine engine) throws Exception {
        Sandbox.Availability available = Sandbox.availability(engine);
        assumeTrue(available.available(), available.missing());
        Process owner = ChildJvm.command(List.of("-Xmx64m"), SandboxOwner.class, List.of(engine.name()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String[] started;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertTrue(line != null && line.startsWith(Sandbox.PREFIX), "the owner printed " + line);
            started = line.split(" ");
            owner.destroyForcibly().waitFor();
        } finally {
            owner.destroyForcibly();
        }
        String id = started[0];
        assertFalse(leftovers(id).isEmpty(), "the killed owner left its sandbox");
        try (Sandbox next = Sandbox.builder().engine(Sandbox.Engine.NAMESPACES).start("iterative", ServerOptions.defaults())) {
            assertEquals(List.of(), leftovers(id), "reaped when " + next.id() + " started");
            // killed; its parent was the dead owner, so the machine's init reaps it, in its own time
            ProcessHandle orphan = ProcessHandle.of(Long.parseLong(started[1])).orElse(null);
            assertTrue(orphan == null || orphan.onExit().get(10, TimeUnit.SECONDS) != null, "the orphaned server's JVM is gone");
        }
    }

    /** Podman builds an image from scratch, runs the server in a container on the sandbox's veth, limits and removes it. */
    @Test
    void podmanRunsTheServerInAContainerOfOurImage() throws IOException {
        Sandbox.Availability podman = Sandbox.availability(Sandbox.Engine.PODMAN);
        assumeTrue(podman.available(), podman.missing());
        String cgroup;
        try (Sandbox box = Sandbox.builder().engine(Sandbox.Engine.PODMAN).cpus(0.5).memory(256L << 20)
                .start("event-loop", ServerOptions.defaults())) {
            assertTrue(box.engine().startsWith("podman"), box.engine());
            List<String> processes = box.exec("ps", "-o", "pid,comm").lines().skip(1).map(String::strip).toList();
            assertTrue(processes.getFirst().matches("1\\s+java"), processes.toString());
            assertEquals(box.id(), box.hostname());
            assertEquals(List.of("lo", "eth0"), box.interfaces());
            assertEquals(0.5, box.cpuLimit(), 1e-9);
            assertEquals(256L << 20, box.memoryLimit());
            assertEquals(1, box.jvmView().availableProcessors());
            assertEquals(1, Sandbox.pidInside(box.pid()));
            LoadResult result = Load.closedLoop(box).connections(2).duration(Duration.ofMillis(500)).run();
            assertTrue(result.requests() > 0 && result.totalErrors() == 0, result.summary());
            cgroup = Files.readAllLines(Path.of("/proc", Long.toString(box.pid()), "cgroup")).getFirst();
        }
        String path = cgroup.split(":", 3)[2];
        assertFalse(ControlGroup.directoriesOf(path.substring(1)).stream().anyMatch(Files::exists), "its cgroup is removed: " + path);
    }

    /** Network namespaces, host links, cgroups and podman containers whose name starts with {@code prefix}. */
    private static List<String> leftovers(String prefix) {
        String link = "sbx" + prefix.substring(Sandbox.PREFIX.length());
        List<String> containers = Sandbox.availability(Sandbox.Engine.PODMAN).available() ? PodmanContainer.containers() : List.of();
        return Stream.of(VethNetwork.namespaces().stream().filter(n -> n.startsWith(prefix)),
                        VethNetwork.hostLinks().stream().filter(n -> n.startsWith(link)),
                        ControlGroup.existing(prefix).stream().map(n -> "cgroup " + n),
                        containers.stream().filter(n -> n.startsWith(prefix)).map(n -> "container " + n))
                .flatMap(s -> s).toList();
    }

    private static List<Long> awaitWorkers(Sandbox box, List<Long> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Long> workers = box.workerPids();
        while ((workers.size() < before.size() || workers.equals(before)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            workers = box.workerPids();
        }
        return workers;
    }

    private static void assertRefused(InetSocketAddress address) {
        assertThrows(IllegalArgumentException.class,
                () -> Load.closedLoop(address.getAddress().getHostAddress() + ":" + address.getPort())
                        .duration(Duration.ofMillis(100)).run(),
                address + " must be refused");
    }

    private static InetAddress otherAddress(InetAddress address) throws IllegalStateException {
        byte[] bytes = address.getAddress();
        bytes[3] ^= 1; // the host's end of the /30: a real address, but not the sandbox's
        try {
            return InetAddress.getByAddress(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The status line of a GET, or "" if the connection broke (the worker was killed meanwhile). */
    private static String get(InetSocketAddress address, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 2_000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return status == null ? "" : status;
        } catch (IOException e) {
            return "";
        }
    }
}
