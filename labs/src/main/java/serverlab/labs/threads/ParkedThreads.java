package serverlab.labs.threads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.labs.metrics.ProcessTreeSample;
import serverlab.servers.process.ChildJvm;

/**
 * A child JVM that starts {@code count} threads of one kind and parks them all, so a notebook can
 * measure what a waiting thread costs (memory, kernel threads) in a process of its own: 10,000
 * platform threads inside the notebook's JVM would put the notebook at risk.
 *
 * <pre>{@code
 * try (ParkedThreads parked = ParkedThreads.start(ParkedThreads.Kind.VIRTUAL, 100_000)) {
 *     ProcessTreeSample s = parked.sample();   // RSS, PSS and kernel threads of the child
 * }
 * }</pre>
 *
 * <p>The child reports how long starting its threads took and its heap in use after a full GC;
 * compare against {@code count = 0} (the JVM alone) for the cost per thread.
 */
public final class ParkedThreads implements AutoCloseable {

    /** Platform threads are one kernel thread each; virtual threads are mounted on a few carriers. */
    public enum Kind { PLATFORM, VIRTUAL }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Kind kind;
    private final int count;
    private final Process process;
    private final Duration startTime;
    private final long heapUsedBytes;

    private ParkedThreads(Kind kind, int count, Process process, String readyLine) {
        this.kind = kind;
        this.count = count;
        this.process = process;
        String[] parts = readyLine.split(" "); // "parked <count> <start nanos> <heap bytes>"
        this.startTime = Duration.ofNanos(Long.parseLong(parts[2]));
        this.heapUsedBytes = Long.parseLong(parts[3]);
    }

    /** Starts a child JVM with {@code count} parked threads of {@code kind}; returns once all are parked. */
    public static ParkedThreads start(Kind kind, int count) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0: " + count);
        Process process;
        try {
            // No heap limit: 100,000 parked virtual threads keep their stacks on the heap.
            process = ChildJvm.start(List.of("-Xshare:auto", "-XX:+UseSerialGC"), ParkedThreads.class,
                    List.of(kind.name(), Integer.toString(count)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for " + count + " parked threads", e);
        }
        var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = null;
        try {
            ready = CompletableFuture.supplyAsync(() -> readLine(out)).get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported below
        }
        if (ready == null || !ready.startsWith("parked ")) {
            process.destroyForcibly();
            throw new IllegalStateException("the child JVM did not park " + count + " " + kind.name().toLowerCase()
                    + " threads within " + START_TIMEOUT.toSeconds() + " s (see its stderr above)");
        }
        return new ParkedThreads(kind, count, process, ready);
    }

    public Kind kind() {
        return kind;
    }

    public int count() {
        return count;
    }

    public long pid() {
        return process.pid();
    }

    /** How long the child took to start all its threads (JVM start not included). */
    public Duration startTime() {
        return startTime;
    }

    /** The child's heap in use after a full GC, with every thread parked. */
    public long heapUsedBytes() {
        return heapUsedBytes;
    }

    /** Memory, kernel threads and CPU of the child now. */
    public ProcessTreeSample sample() {
        return ProcessTreeProbe.of(pid()).sample();
    }

    /** Ends the child: it exits when its stdin closes; forcibly if it does not within 5 s. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The child: {@code ParkedThreads PLATFORM|VIRTUAL count}; exits when stdin closes (also when its parent dies). */
    public static void main(String[] args) throws Exception {
        Kind kind = Kind.valueOf(args[0]);
        int count = Integer.parseInt(args[1]);
        Thread.Builder builder = kind == Kind.PLATFORM ? Thread.ofPlatform().daemon(true) : Thread.ofVirtual();
        CountDownLatch started = new CountDownLatch(count);
        Runnable parkForever = () -> {
            started.countDown();
            while (true) {
                LockSupport.park(); // parks again after a spurious wake-up
            }
        };
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            builder.start(parkForever);
        }
        started.await();
        long startNanos = System.nanoTime() - t0;
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        System.out.println("parked " + count + " " + startNanos + " " + (runtime.totalMemory() - runtime.freeMemory()));
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin; every parked thread is a daemon, so returning ends the JVM
        }
    }
}
