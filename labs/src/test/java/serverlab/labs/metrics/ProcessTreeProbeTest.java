package serverlab.labs.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class ProcessTreeProbeTest {

    private final List<Process> started = new ArrayList<>();

    /** Starts ChildWorkload in a new JVM and waits for its "ready" line. */
    private Process child(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx400m", "-Xss256k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ChildWorkload.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "child did not start");
        return p;
    }

    @AfterEach
    void stopChildren() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void countsThreadsAndResidentMemoryOfAKnownProcess() throws Exception {
        Process p = child("threads=50", "touchMb=200");
        ProcessTreeSample s = ProcessTreeProbe.of(p.pid()).sample();
        assertEquals(1, s.processes());
        assertTrue(s.threads() >= 50 + 1, "50 sleepers + main: " + s);
        assertTrue(s.rssMb() >= 200, "200 MB array was touched: " + s);
        assertTrue(s.pssMb() >= 150 && s.pssMb() <= s.rssMb() + 1, "PSS ≤ RSS, mostly private: " + s);
        assertTrue(s.openFds() >= 3, "at least stdin/stdout/stderr: " + s);
        assertTrue(s.cpuMs() > 0, "a JVM start costs CPU time: " + s);
    }

    /** The JIT's own CPU time: this JVM has compiled (JUnit alone needs it); the child (C1 only) too; sleep has no JIT. */
    @Test
    void jitCompilerTimeIsFoundInJvmsOnly() throws Exception {
        long self = ProcessHandle.current().pid();
        assertTrue(ProcessTreeProbe.hasJitCompiler(self));
        assertTrue(ProcessTreeProbe.jitCompilerCpuMs(self) > 0, "this JVM has compiled methods by now");
        assertTrue(ProcessTreeProbe.hasJitCompiler(child().pid()), "a JVM with C1 only still has a JIT");

        Process sleep = new ProcessBuilder("sleep", "30").start();
        started.add(sleep);
        assertFalse(ProcessTreeProbe.hasJitCompiler(sleep.pid()));
        assertEquals(0, ProcessTreeProbe.jitCompilerCpuMs(sleep.pid()));
        assertEquals(0, ProcessTreeProbe.jitCompilerCpuMs(Long.MAX_VALUE), "no such process");
    }

    @Test
    void contextSwitchesAreSummedOverAllThreadsNotJustMain() throws Exception {
        Process p = child("pingpong");
        Thread.sleep(500); // let the ping-pong threads switch many times
        ProcessTreeSample s = ProcessTreeProbe.of(p.pid()).sample();
        long mainOnly = ProcessTreeProbe.mainThreadContextSwitches(p.pid());
        // The main thread just waits on stdin; the two worker threads switch thousands of times.
        assertTrue(s.voluntaryCtxSwitches() > 1000, s.toString());
        assertTrue(s.contextSwitches() > 10 * Math.max(1, mainOnly),
                "tree sum " + s.contextSwitches() + " vs main thread " + mainOnly);
    }

    @Test
    void switchesOfThreadsThatEndedStillCount() throws Exception {
        ProcessTreeProbe probe = ProcessTreeProbe.self();
        java.util.concurrent.CountDownLatch counted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch mayEnd = new java.util.concurrent.CountDownLatch(1);
        Thread sleeper = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 200; i++) Thread.sleep(1);   // ~200 voluntary switches
                counted.countDown();
                mayEnd.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        counted.await();
        long whileAlive = probe.sample().contextSwitches();
        mayEnd.countDown();
        sleeper.join();
        long afterItEnded = probe.sample().contextSwitches();
        // Without the departed threads' counts, the second sample loses the sleeper's ~200 switches.
        assertTrue(afterItEnded >= whileAlive, "switches fell from " + whileAlive + " to " + afterItEnded + " when a thread ended");
    }

    @Test
    void includesDescendantProcesses() throws Exception {
        Process p = child("spawn");
        ProcessTreeSample s = ProcessTreeProbe.of(p.pid()).sample();
        assertEquals(2, s.processes(), "the JVM and its sleep child: " + s.pids());
        assertEquals(p.pid(), s.pids().get(0));
    }

    @Test
    void samplerProducesATimeSeries() throws Exception {
        Process p = child("threads=5");
        Sampler.Sampled<String> run = Sampler.around(p.pid(), Duration.ofMillis(50), () -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "done";
        });
        Table t = run.samples();
        assertEquals("done", run.result());
        assertTrue(t.rowCount() >= 3, t.print());
        assertEquals(List.of("time_s", "processes", "rss_mb", "pss_mb", "threads", "ctx_voluntary",
                "ctx_involuntary", "cpu_user_ms", "cpu_sys_ms", "fds"), t.columnNames());
        assertTrue(t.intColumn("threads").min() >= 6, t.print());
        for (int i = 1; i < t.rowCount(); i++) {
            assertTrue(t.doubleColumn("time_s").get(i) > t.doubleColumn("time_s").get(i - 1), t.print());
        }
    }
}
