package serverlab.labs.micro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Asynchronous file I/O on Linux, measured: who really reads the file when a program asks the JDK
 * for asynchronous reads.
 *
 * <pre>{@code
 * try (AsyncFileReads reads = AsyncFileReads.withTempFile(4 << 20).reads(32).helperThreads(4)) {
 *     Table t = reads.compare();   // default executor, explicit pool, event-loop hand-off
 * }
 * }</pre>
 *
 * <p>Three ways to read one file {@code reads} times at once, each reported with the threads that ran
 * the reads, the JVM's thread count before, at its peak during, and after the run, and the time taken:
 * <ul>
 * <li>{@code AsynchronousFileChannel}, default executor: {@code AsynchronousFileChannel.open(file, READ)}.
 * <li>{@code AsynchronousFileChannel}, explicit pool: the same with a fixed pool of {@code helperThreads}.
 * <li>event-loop hand-off: what an event loop does with disk reads (libuv, {@code event-loop-workers}):
 *     a fixed pool of {@code helperThreads} does plain blocking {@link FileChannel} reads and posts each
 *     completion to a queue that the loop (here the calling thread) drains.
 * </ul>
 *
 * <p><b>What the JDK does.</b> On Linux {@code AsynchronousFileChannel.open} builds a
 * {@code sun.nio.ch.SimpleAsynchronousFileChannelImpl} (JDK 25's {@code UnixChannelFactory}: "for now use
 * simple implementation"). Its {@code read} wraps a blocking {@code pread} ({@code IOUtil.read} with a
 * position) in a {@code Runnable} and {@code execute}s it on the channel's executor; the completion
 * handler runs on that same thread right after the read. Without an executor it is the JDK's default
 * pool, {@code Executors.newCachedThreadPool} of daemon {@code InnocuousThread}s: one new thread per
 * read that finds no idle one, idle threads kept for 60 s. So "asynchronous" file I/O is a thread pool
 * doing blocking reads, the same structure as the hand-off, only with a pool the program does not size.
 * Kernel asynchronous I/O is not used, neither Linux AIO ({@code io_submit}) nor io_uring: JDK 25's
 * java.base sources never mention io_uring, neither {@code libnio.so}, {@code libjava.so} nor
 * {@code libjvm.so} contains the strings {@code io_uring} or {@code io_submit}, and each run counts the
 * {@code anon_inode:[io_uring]} descriptors in {@code /proc/self/fd} while reads are in flight: none. Observed on this machine (JDK 25, 2 shared cores, a 4 MiB file in the page cache, 32 reads
 * at once, two rounds): the default executor ran the reads on 4-9 distinct {@code InnocuousThread-N}
 * threads, the channel was {@code SimpleAsynchronousFileChannelImpl}, and the JVM's thread count stayed
 * that much higher after the run (the pool's idle threads); the explicit pool and the hand-off used exactly
 * their 4 helpers; no io_uring descriptor in any run; elapsed 110-630 ms with no consistent order between
 * the three (the reads are memory copies from the page cache, the machine is shared).
 */
public final class AsyncFileReads implements AutoCloseable {

    /** What one way of reading measured; {@code ioThreads} are the distinct threads that ran the reads. */
    public record Run(String strategy, int reads, long bytesEach, Set<String> ioThreads, int jvmThreadsBefore,
                      int jvmThreadsPeak, int jvmThreadsAfter, double elapsedMs, String channelClass, int ioUringFds) {
    }

    private final Path file;
    private final boolean deleteOnClose;
    private int reads = 32;
    private int helperThreads = 4;

    private AsyncFileReads(Path file, boolean deleteOnClose) {
        this.file = file;
        this.deleteOnClose = deleteOnClose;
    }

    /** Reads {@code file}, which stays where it is. */
    public static AsyncFileReads of(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("not a regular file: " + file);
        return new AsyncFileReads(file, false);
    }

    /** Reads a temporary file of {@code bytes} random bytes, deleted by {@link #close()}. */
    public static AsyncFileReads withTempFile(int bytes) {
        try {
            Path file = Files.createTempFile("serverlab-async-reads-", ".bin");
            byte[] data = new byte[bytes];
            ThreadLocalRandom.current().nextBytes(data);
            Files.write(file, data);
            return new AsyncFileReads(file, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path file() {
        return file;
    }

    /** Reads of the whole file issued at once. Default 32. */
    public AsyncFileReads reads(int k) {
        if (k < 1) throw new IllegalArgumentException("reads must be at least 1");
        reads = k;
        return this;
    }

    /** Threads of the explicit pool and of the hand-off. Default 4. */
    public AsyncFileReads helperThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("helperThreads must be at least 1");
        helperThreads = n;
        return this;
    }

    /** The three ways, one row each: {@code strategy}, {@code reads}, {@code file_kib}, {@code io_threads},
     *  {@code thread_names} (a sample), {@code jvm_threads_before}, {@code jvm_threads_peak},
     *  {@code jvm_threads_after}, {@code elapsed_ms}, {@code channel_class}, {@code io_uring_fds}. */
    public Table compare() throws InterruptedException {
        return table(defaultExecutor(), explicitPool(), eventLoopHandOff());
    }

    public static Table table(Run... runs) {
        Table t = Table.create("reading a file " + (runs.length == 0 ? 0 : runs[0].reads()) + " times at once",
                StringColumn.create("strategy"), IntColumn.create("reads"), DoubleColumn.create("file_kib"),
                IntColumn.create("io_threads"), StringColumn.create("thread_names"),
                IntColumn.create("jvm_threads_before"), IntColumn.create("jvm_threads_peak"),
                IntColumn.create("jvm_threads_after"), DoubleColumn.create("elapsed_ms"),
                StringColumn.create("channel_class"), IntColumn.create("io_uring_fds"));
        for (Run r : runs) {
            List<String> names = List.copyOf(r.ioThreads());
            String sample = String.join(", ", names.subList(0, Math.min(3, names.size()))) + (names.size() > 3 ? ", …" : "");
            t.stringColumn("strategy").append(r.strategy());
            t.intColumn("reads").append(r.reads());
            t.doubleColumn("file_kib").append(r.bytesEach() / 1024.0);
            t.intColumn("io_threads").append(r.ioThreads().size());
            t.stringColumn("thread_names").append(sample);
            t.intColumn("jvm_threads_before").append(r.jvmThreadsBefore());
            t.intColumn("jvm_threads_peak").append(r.jvmThreadsPeak());
            t.intColumn("jvm_threads_after").append(r.jvmThreadsAfter());
            t.doubleColumn("elapsed_ms").append(r.elapsedMs());
            t.stringColumn("channel_class").append(r.channelClass());
            t.intColumn("io_uring_fds").append(r.ioUringFds());
        }
        return t;
    }

    /** {@code AsynchronousFileChannel.open(file, READ)}: the JDK's own pool runs the reads. */
    public Run defaultExecutor() throws InterruptedException {
        return asynchronousChannel("AsynchronousFileChannel, default executor", null);
    }

    /** {@code AsynchronousFileChannel.open(file, Set.of(READ), pool)} with a fixed pool of {@code helperThreads}. */
    public Run explicitPool() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(helperThreads, Thread.ofPlatform().daemon(true).name("aio-pool-", 1).factory());
        return asynchronousChannel("AsynchronousFileChannel, pool of " + helperThreads, pool);
    }

    /** Helpers do blocking reads and post completions to a queue the loop (the calling thread) drains. */
    public Run eventLoopHandOff() throws InterruptedException {
        Measurement m = new Measurement();
        ExecutorService helpers = Executors.newFixedThreadPool(helperThreads, Thread.ofPlatform().daemon(true).name("loop-helper-", 1).factory());
        BlockingQueue<Object> completions = new LinkedBlockingQueue<>(); // a byte count, or the IOException
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
            for (int i = 0; i < reads; i++) {
                helpers.execute(() -> {
                    m.ioThreads.add(Thread.currentThread().getName());
                    m.sampleIoUring();
                    try {
                        completions.add(readFully(channel, ByteBuffer.allocate((int) size)));
                    } catch (IOException e) {
                        completions.add(e);
                    }
                });
            }
            for (int i = 0; i < reads; i++) { // the loop: one completion event per read
                if (completions.take() instanceof IOException e) throw new UncheckedIOException(e);
            }
            m.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            shutDown(helpers);
        }
        return m.run("event-loop hand-off, " + helperThreads + " helpers", size, FileChannel.class.getName());
    }

    /** Reads with an AsynchronousFileChannel on {@code pool} ({@code null}: the JDK's default), then shuts the pool down. */
    private Run asynchronousChannel(String strategy, ExecutorService pool) throws InterruptedException {
        Measurement m = new Measurement();
        CountDownLatch done = new CountDownLatch(reads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long size;
        String channelClass;
        try (AsynchronousFileChannel channel = pool == null
                ? AsynchronousFileChannel.open(file, StandardOpenOption.READ)
                : AsynchronousFileChannel.open(file, Set.of(StandardOpenOption.READ), pool)) {
            size = channel.size();
            channelClass = channel.getClass().getName();
            for (int i = 0; i < reads; i++) {
                ByteBuffer buffer = ByteBuffer.allocate((int) size);
                channel.read(buffer, 0, buffer, new CompletionHandler<Integer, ByteBuffer>() {
                    @Override
                    public void completed(Integer n, ByteBuffer dst) {
                        m.ioThreads.add(Thread.currentThread().getName()); // the handler runs on the thread that did the pread
                        m.sampleIoUring();
                        if (n >= 0 && dst.hasRemaining()) {
                            channel.read(dst, dst.position(), dst, this); // a short read: the rest
                        } else {
                            done.countDown();
                        }
                    }

                    @Override
                    public void failed(Throwable e, ByteBuffer dst) {
                        failure.compareAndSet(null, e);
                        done.countDown();
                    }
                });
            }
            done.await();
            m.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (pool != null) shutDown(pool);
        }
        if (failure.get() != null) throw new IllegalStateException("a read failed", failure.get());
        return m.run(strategy, size, channelClass);
    }

    private static int readFully(FileChannel channel, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, total);
            if (n < 0) break;
            total += n;
        }
        return total;
    }

    private static void shutDown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) throw new IllegalStateException("the pool did not stop");
    }

    /** Threads and time of one run; the JVM's peak thread count is reset at its start. */
    private final class Measurement {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        final Set<String> ioThreads = new ConcurrentSkipListSet<>();
        private final AtomicInteger ioUringFds = new AtomicInteger(-1);
        private final int before = THREADS.getThreadCount();
        private final long start;
        private long elapsedNanos;
        private int peak;

        Measurement() {
            THREADS.resetPeakThreadCount();
            start = System.nanoTime();
        }

        /** Once per run, while reads are in flight. */
        void sampleIoUring() {
            if (ioUringFds.get() < 0) ioUringFds.compareAndSet(-1, countIoUringFds());
        }

        void finish() {
            elapsedNanos = System.nanoTime() - start;
            peak = THREADS.getPeakThreadCount();
        }

        /** The result, with the JVM's thread count now, after the run has cleaned up. */
        Run run(String strategy, long bytesEach, String channelClass) {
            return new Run(strategy, reads, bytesEach, new TreeSet<>(ioThreads), before, peak, THREADS.getThreadCount(),
                    elapsedNanos / 1e6, channelClass, ioUringFds.get());
        }
    }

    /** Descriptors of this process that are io_uring instances. */
    static int countIoUringFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:[io_uring]");
                } catch (IOException e) { // closed meanwhile
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (!deleteOnClose) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
