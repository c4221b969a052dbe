package serverlab.labs.micro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A child JVM running {@link EchoPeer}, connected to this process over one {@link Transport}.
 * The benchmarks start one in {@code @Setup(Level.Trial)} and close it in {@code @TearDown}:
 * closing closes the connection and the child's stdin, then destroys the child through its
 * {@link Process} handle (forcibly if it has not exited within a second) and deletes the
 * temporary directory holding the socket, mapped file or FIFOs.
 */
final class PeerProcess implements AutoCloseable {

    /** Pid each transport's most recent peer reported over the transport itself (for tests). */
    static final Map<Transport, Long> REPORTED_PIDS = new ConcurrentHashMap<>();

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final long CONNECT_TIMEOUT_MS = 30_000;

    private final Transport transport;
    private final Path dir;
    private Process process;
    private Transport.Endpoint endpoint;
    private long reportedPid;

    private PeerProcess(Transport transport, Path dir) {
        this.transport = transport;
        this.dir = dir;
    }

    /** A peer echoing {@code message}-byte messages. */
    static PeerProcess echo(Transport transport, int message) throws IOException {
        return start(transport, List.of("echo", Integer.toString(message)));
    }

    /** A peer reading {@code total} bytes in {@code chunk}-byte pieces, then acknowledging with one byte. */
    static PeerProcess sink(Transport transport, int chunk, long total) throws IOException {
        return start(transport, List.of("sink", Integer.toString(chunk), Long.toString(total)));
    }

    private static PeerProcess start(Transport transport, List<String> modeArgs) throws IOException {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        PeerProcess peer = new PeerProcess(transport, Files.createTempDirectory(base, "serverlab-ipc"));
        try {
            peer.connect(modeArgs);
            byte[] pid = new byte[8];
            peer.endpoint.readFully(pid, pid.length);
            peer.reportedPid = ByteBuffer.wrap(pid).getLong();
            if (peer.reportedPid != peer.process.pid() || peer.reportedPid == ProcessHandle.current().pid()) {
                throw new IOException("peer reported pid " + peer.reportedPid + ", expected " + peer.process.pid());
            }
            REPORTED_PIDS.put(transport, peer.reportedPid);
            return peer;
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    private void connect(List<String> modeArgs) throws IOException {
        switch (transport) {
            case PIPE -> {
                launch(modeArgs);
                endpoint = new Transport.ProcessStreamEndpoint(process);
            }
            case UNIX -> {
                Path socket = dir.resolve("peer.sock");
                try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    listener.bind(UnixDomainSocketAddress.of(socket));
                    launch(modeArgs, socket.toString());
                    SocketChannel channel = accept(listener);
                    endpoint = new Transport.StreamEndpoint(channel, channel);
                }
            }
            case TCP -> {
                try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                    launch(modeArgs, Integer.toString(port));
                    SocketChannel channel = accept(listener);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    endpoint = new Transport.StreamEndpoint(channel, channel);
                }
            }
            case SHM -> {
                Path file = dir.resolve("shared.bin");
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    channel.truncate(0).write(ByteBuffer.wrap(new byte[1]), Transport.SharedMemoryEndpoint.SIZE - 1);
                }
                endpoint = new Transport.SharedMemoryEndpoint(file, true, () -> process.isAlive());
                launch(modeArgs, file.toString());
            }
            case QUEUE -> {
                Path requests = dir.resolve("requests.fifo");
                Path replies = dir.resolve("replies.fifo");
                mkfifo(requests, replies);
                launch(modeArgs, requests.toString(), replies.toString());
                // open(2) of a FIFO blocks until the other side opens it too: request, then reply
                FileChannel out = openFifo(requests, StandardOpenOption.WRITE);
                FileChannel in = openFifo(replies, StandardOpenOption.READ);
                endpoint = new Transport.FifoQueueEndpoint(in, out);
            }
        }
    }

    private void launch(List<String> modeArgs, String... address) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                EchoPeer.class.getName(), transport.name()));
        command.addAll(modeArgs);
        command.addAll(List.of(address));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (transport != Transport.PIPE) {
            process.getInputStream().close(); // the child's stdout is unused; its stdin stays open as a lifeline
        }
    }

    /** Accepts the child's connection, giving up if the child dies or takes too long. */
    private SocketChannel accept(ServerSocketChannel listener) throws IOException {
        listener.configureBlocking(false);
        long deadline = System.currentTimeMillis() + CONNECT_TIMEOUT_MS;
        while (true) {
            SocketChannel channel = listener.accept();
            if (channel != null) {
                channel.configureBlocking(true);
                return channel;
            }
            checkStarting(deadline);
            sleep();
        }
    }

    /** Opens our end of a FIFO; if the child never opens its end, unblocks the open and fails. */
    private FileChannel openFifo(Path fifo, StandardOpenOption mode) throws IOException {
        CompletableFuture<FileChannel> open = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("fifo-open").start(() -> {
            try {
                open.complete(FileChannel.open(fifo, mode));
            } catch (Throwable e) {
                open.completeExceptionally(e);
            }
        });
        long deadline = System.currentTimeMillis() + CONNECT_TIMEOUT_MS;
        while (true) {
            try {
                return open.get(5, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                try {
                    checkStarting(deadline);
                } catch (IOException e) {
                    // an O_RDWR open never blocks on Linux and completes the pending one; then close both
                    try (FileChannel unblock = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        open.join().close();
                    } catch (RuntimeException ignored) {
                        // the pending open failed anyway
                    }
                    throw e;
                }
            } catch (ExecutionException e) {
                throw new IOException("cannot open " + fifo, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private void checkStarting(long deadline) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("EchoPeer exited with status " + process.exitValue() + " before connecting");
        }
        if (System.currentTimeMillis() > deadline) {
            throw new IOException("EchoPeer did not connect within " + CONNECT_TIMEOUT_MS + " ms");
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void mkfifo(Path... fifos) throws IOException {
        List<String> command = new ArrayList<>(List.of("mkfifo"));
        for (Path fifo : fifos) {
            command.add(fifo.toString());
        }
        try {
            Process mkfifo = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(mkfifo.getInputStream().readAllBytes());
            if (mkfifo.waitFor() != 0) {
                throw new IOException("mkfifo failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    Transport.Endpoint endpoint() {
        return endpoint;
    }

    /** The pid the child sent over the transport (checked to be the child's, not ours). */
    long reportedPid() {
        return reportedPid;
    }

    Process process() {
        return process;
    }

    @Override
    public void close() throws IOException {
        try {
            if (endpoint != null) {
                endpoint.close();
            }
        } finally {
            if (process != null) {
                try {
                    process.getOutputStream().close(); // EOF on the child's stdin
                } catch (IOException ignored) {
                    // already closed (PIPE endpoint)
                }
                process.destroy();
                try {
                    if (!process.waitFor(1, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e); // best effort: it is a temp dir
        }
    }
}
