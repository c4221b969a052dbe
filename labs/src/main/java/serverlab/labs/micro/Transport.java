package serverlab.labs.micro;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The IPC mechanisms compared by {@link IpcLatency} and {@link IpcThroughput}. Each gives a
 * connected pair of endpoints; the benchmark drives one and a peer thread the other. The
 * kernel path of a pipe or socket is the same whether the peer is a thread or a process,
 * so a thread peer keeps the benchmark self-contained.
 */
enum Transport {
    /** Two anonymous pipes, one per direction (pipe(2)). */
    PIPE,
    /** A Unix-domain stream socket (AF_UNIX). */
    UNIX,
    /** A TCP connection over loopback, Nagle off. */
    TCP,
    /**
     * A memory-mapped file shared by both sides, one mailbox per direction; the receiver
     * spins on a flag (briefly, then parks), so no system call is involved per message.
     */
    SHM,
    /**
     * A bounded blocking queue of messages ({@link ArrayBlockingQueue}). It stands for a
     * POSIX message queue (mq_send/mq_receive): discrete messages, bounded, blocking when
     * full or empty — but in-process, so it shows the queue discipline without the system call.
     */
    QUEUE;

    /** One side of a connected pair. */
    interface Endpoint extends AutoCloseable {
        void write(byte[] src, int length) throws IOException;

        void readFully(byte[] dst, int length) throws IOException;

        @Override
        void close() throws IOException;
    }

    record Pair(Endpoint client, Endpoint server) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.close();
            server.close();
        }
    }

    static final int MAX_MESSAGE = 64 * 1024;

    Pair open() throws IOException {
        return switch (this) {
            case PIPE -> {
                Pipe up = Pipe.open();
                Pipe down = Pipe.open();
                yield new Pair(new StreamEndpoint(down.source(), up.sink()), new StreamEndpoint(up.source(), down.sink()));
            }
            case UNIX -> {
                Path socket = Files.createTempFile("serverlab-ipc", ".sock");
                Files.delete(socket);
                try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    listener.bind(UnixDomainSocketAddress.of(socket));
                    SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                    SocketChannel server = listener.accept();
                    yield new Pair(new StreamEndpoint(client, client), new StreamEndpoint(server, server));
                } finally {
                    Files.deleteIfExists(socket);
                }
            }
            case TCP -> {
                try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel server = listener.accept();
                    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    server.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    yield new Pair(new StreamEndpoint(client, client), new StreamEndpoint(server, server));
                }
            }
            case SHM -> SharedMemoryEndpoint.pair();
            case QUEUE -> {
                BlockingQueue<byte[]> up = new ArrayBlockingQueue<>(64);
                BlockingQueue<byte[]> down = new ArrayBlockingQueue<>(64);
                yield new Pair(new QueueEndpoint(down, up), new QueueEndpoint(up, down));
            }
        };
    }

    /** Blocking byte channels: pipes and sockets. */
    private static final class StreamEndpoint implements Endpoint {
        private final ReadableByteChannel in;
        private final WritableByteChannel out;

        StreamEndpoint(ReadableByteChannel in, WritableByteChannel out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public void write(byte[] src, int length) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(src, 0, length);
            while (b.hasRemaining()) {
                out.write(b);
            }
        }

        @Override
        public void readFully(byte[] dst, int length) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(dst, 0, length);
            while (b.hasRemaining()) {
                if (in.read(b) < 0) {
                    throw new IOException("closed");
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
            out.close();
        }
    }

    /** Messages are copied into and out of the queue, as a kernel message queue would. */
    private static final class QueueEndpoint implements Endpoint {
        private final BlockingQueue<byte[]> in;
        private final BlockingQueue<byte[]> out;
        private byte[] current;
        private int position;

        QueueEndpoint(BlockingQueue<byte[]> in, BlockingQueue<byte[]> out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public void write(byte[] src, int length) throws IOException {
            try {
                out.put(java.util.Arrays.copyOf(src, length));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public void readFully(byte[] dst, int length) throws IOException {
            int filled = 0;
            try {
                while (filled < length) {
                    if (current == null) {
                        current = in.take();
                        position = 0;
                    }
                    int n = Math.min(length - filled, current.length - position);
                    System.arraycopy(current, position, dst, filled, n);
                    filled += n;
                    position += n;
                    if (position == current.length) {
                        current = null;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public void close() {
            // nothing to release
        }
    }

    /**
     * One mailbox per direction in a mapped file: [state int][length int][data]. The writer
     * waits for state 0 (empty), copies the data, then publishes state 1; the reader waits
     * for 1, copies out, then sets 0. Volatile accesses order the data against the flag.
     */
    private static final class SharedMemoryEndpoint implements Endpoint {
        private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
        private static final int SLOT = 8 + MAX_MESSAGE;
        private static final int SPINS_BEFORE_PARK = 100_000;

        private final MappedByteBuffer memory;
        private final int inSlot;
        private final int outSlot;
        private final FileChannel file;
        private int inPosition;
        private int inLength;

        private SharedMemoryEndpoint(MappedByteBuffer memory, FileChannel file, int inSlot, int outSlot) {
            this.memory = memory;
            this.file = file;
            this.inSlot = inSlot;
            this.outSlot = outSlot;
        }

        static Pair pair() throws IOException {
            Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
            Path path = Files.createTempFile(dir, "serverlab-shm", ".bin");
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
            MappedByteBuffer memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, 2L * SLOT);
            Files.deleteIfExists(path); // the mapping stays valid; nothing is left behind
            return new Pair(new SharedMemoryEndpoint(memory, channel, SLOT, 0),
                    new SharedMemoryEndpoint(memory, null, 0, SLOT));
        }

        @Override
        public void write(byte[] src, int length) {
            for (int offset = 0; offset < length; offset += MAX_MESSAGE) {
                int n = Math.min(MAX_MESSAGE, length - offset);
                awaitState(outSlot, 0);
                memory.put(outSlot + 8, src, offset, n);
                INT.setVolatile(memory, outSlot + 4, n);
                INT.setVolatile(memory, outSlot, 1);
            }
        }

        @Override
        public void readFully(byte[] dst, int length) {
            int filled = 0;
            while (filled < length) {
                if (inLength == 0) {
                    awaitState(inSlot, 1);
                    inLength = (int) INT.getVolatile(memory, inSlot + 4);
                    inPosition = 0;
                }
                int n = Math.min(length - filled, inLength - inPosition);
                memory.get(inSlot + 8 + inPosition, dst, filled, n);
                filled += n;
                inPosition += n;
                if (inPosition == inLength) {
                    inLength = 0;
                    INT.setVolatile(memory, inSlot, 0);
                }
            }
        }

        private void awaitState(int slot, int state) {
            int spins = 0;
            while ((int) INT.getVolatile(memory, slot) != state) {
                if (++spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(50_000); // idle peer: stop burning a shared core
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("interrupted");
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (file != null) {
                file.close();
            }
        }
    }
}
