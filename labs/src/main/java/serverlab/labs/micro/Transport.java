package serverlab.labs.micro;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The IPC mechanisms compared by {@link IpcLatency} and {@link IpcThroughput}. In every case
 * the other end is a separate OS process ({@link EchoPeer}, a child JVM started and stopped by
 * {@link PeerProcess}), so each message really crosses a process boundary.
 */
enum Transport {
    /** Two anonymous pipes (pipe(2)): the child's stdin and stdout. */
    PIPE,
    /** A Unix-domain stream socket (AF_UNIX) in a temporary directory; the child connects. */
    UNIX,
    /** A TCP connection over 127.0.0.1 (ephemeral port, Nagle off); the child connects. */
    TCP,
    /**
     * A memory-mapped file (in {@code /dev/shm} when present) that both processes map, one
     * mailbox per direction. No system call per message: the receiver <em>spins</em> on a
     * sequence number in the mapping ({@link Thread#onSpinWait}), and so, in a round trip,
     * do both processes — that is the point (and the price) of shared memory. The spin is
     * bounded: an idle side parks in 50 µs steps so it does not burn a shared core forever.
     */
    SHM,
    /**
     * A message queue, stood in for by two named FIFOs ({@code mkfifo}, request and reply).
     * Java has no binding for POSIX ({@code mq_send}/{@code mq_receive}) or System V
     * ({@code msgsnd}/{@code msgrcv}) queues, so this transport reproduces what defines them:
     * kernel-buffered, discrete messages whose boundaries are preserved. Each message is a
     * 4-byte length plus payload written with one write(2) of at most {@code PIPE_BUF} (4096)
     * bytes, which POSIX guarantees atomic on a FIFO; the reader takes whole messages. Larger
     * transfers are split into such messages, as a queue with a 4 KiB message size would.
     */
    QUEUE;

    /** One side of a connection. */
    interface Endpoint extends AutoCloseable {
        void write(byte[] src, int length) throws IOException;

        void readFully(byte[] dst, int length) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Largest message (and largest single write) the benchmarks use. */
    static final int MAX_MESSAGE = 64 * 1024;

    /** Blocking byte channels: Unix-domain and TCP sockets, the child's end of the pipes, FIFOs. */
    static final class StreamEndpoint implements Endpoint {
        private final ReadableByteChannel in;
        private final WritableByteChannel out;

        StreamEndpoint(ReadableByteChannel in, WritableByteChannel out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public void write(byte[] src, int length) throws IOException {
            writeFully(out, ByteBuffer.wrap(src, 0, length));
        }

        @Override
        public void readFully(byte[] dst, int length) throws IOException {
            Transport.readFully(in, ByteBuffer.wrap(dst, 0, length));
        }

        @Override
        public void close() throws IOException {
            in.close();
            out.close();
        }
    }

    /** The parent's end of the pipes: {@link Process} streams (buffered, hence the flush). */
    static final class ProcessStreamEndpoint implements Endpoint {
        private final InputStream in;
        private final OutputStream out;

        ProcessStreamEndpoint(Process process) {
            this.in = process.getInputStream();
            this.out = process.getOutputStream();
        }

        @Override
        public void write(byte[] src, int length) throws IOException {
            out.write(src, 0, length);
            out.flush();
        }

        @Override
        public void readFully(byte[] dst, int length) throws IOException {
            if (in.readNBytes(dst, 0, length) < length) {
                throw new IOException("peer closed the pipe");
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
            in.close();
        }
    }

    /** Length-prefixed messages over a FIFO pair, each sent with one atomic write (see {@link #QUEUE}). */
    static final class FifoQueueEndpoint implements Endpoint {
        static final int PIPE_BUF = 4096;
        private static final int MAX_PAYLOAD = PIPE_BUF - 4;

        private final FileChannel in;
        private final FileChannel out;
        private final ByteBuffer outgoing = ByteBuffer.allocate(PIPE_BUF).order(ByteOrder.nativeOrder());
        private final ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        private final byte[] inbox = new byte[MAX_PAYLOAD];
        private int inboxPosition;
        private int inboxLength;

        FifoQueueEndpoint(FileChannel in, FileChannel out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public void write(byte[] src, int length) throws IOException {
            for (int offset = 0; offset < length; offset += MAX_PAYLOAD) {
                int n = Math.min(MAX_PAYLOAD, length - offset);
                outgoing.clear();
                outgoing.putInt(n).put(src, offset, n).flip();
                writeFully(out, outgoing); // <= PIPE_BUF bytes: one atomic write in practice
            }
        }

        @Override
        public void readFully(byte[] dst, int length) throws IOException {
            int filled = 0;
            while (filled < length) {
                if (inboxPosition == inboxLength) {
                    header.clear();
                    Transport.readFully(in, header);
                    inboxLength = header.getInt(0);
                    inboxPosition = 0;
                    if (inboxLength <= 0 || inboxLength > MAX_PAYLOAD) {
                        throw new IOException("corrupt message length " + inboxLength);
                    }
                    Transport.readFully(in, ByteBuffer.wrap(inbox, 0, inboxLength));
                }
                int n = Math.min(length - filled, inboxLength - inboxPosition);
                System.arraycopy(inbox, inboxPosition, dst, filled, n);
                filled += n;
                inboxPosition += n;
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
            out.close();
        }
    }

    /**
     * One mailbox per direction in a file both processes map: [sequence long][length int]
     * [pad int][data]. The writer waits until the reader has consumed its previous message
     * (the reader's acknowledged sequence, kept in the mailbox's second long, equals the
     * written one), copies the data, then publishes sequence + 1; the reader waits for a new
     * sequence, copies out, then acknowledges it. Volatile accesses order data against the
     * counters across processes (the mapping is the same physical memory).
     */
    static final class SharedMemoryEndpoint implements Endpoint {
        private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
        private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
        private static final int HEADER = 24; // written seq, acknowledged seq, length, pad
        private static final int SLOT = HEADER + MAX_MESSAGE;
        static final long SIZE = 2L * SLOT;
        private static final int SPINS_BEFORE_PARK = 100_000;

        private final FileChannel file;
        private final MappedByteBuffer memory;
        private final int inSlot;
        private final int outSlot;
        private final BooleanSupplier peerAlive;
        private long sent;
        private long received;
        private int inPosition;
        private int inLength;

        /** Maps {@code path} (created and sized by the parent); the parent and child use opposite slots. */
        SharedMemoryEndpoint(Path path, boolean parent, BooleanSupplier peerAlive) throws IOException {
            this.file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.memory = file.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            this.outSlot = parent ? 0 : SLOT;
            this.inSlot = parent ? SLOT : 0;
            this.peerAlive = peerAlive;
        }

        @Override
        public void write(byte[] src, int length) throws IOException {
            for (int offset = 0; offset < length; offset += MAX_MESSAGE) {
                int n = Math.min(MAX_MESSAGE, length - offset);
                awaitSequence(outSlot + 8, sent); // reader has acknowledged everything sent
                memory.put(outSlot + HEADER, src, offset, n);
                INT.setVolatile(memory, outSlot + 16, n);
                LONG.setVolatile(memory, outSlot, ++sent);
            }
        }

        @Override
        public void readFully(byte[] dst, int length) throws IOException {
            int filled = 0;
            while (filled < length) {
                if (inLength == 0) {
                    awaitSequence(inSlot, received + 1);
                    inLength = (int) INT.getVolatile(memory, inSlot + 16);
                    inPosition = 0;
                }
                int n = Math.min(length - filled, inLength - inPosition);
                memory.get(inSlot + HEADER + inPosition, dst, filled, n);
                filled += n;
                inPosition += n;
                if (inPosition == inLength) {
                    inLength = 0;
                    LONG.setVolatile(memory, inSlot + 8, ++received);
                }
            }
        }

        /** Spins (bounded), then parks in short steps, until the long at {@code offset} is {@code expected}. */
        private void awaitSequence(int offset, long expected) throws IOException {
            int spins = 0;
            while ((long) LONG.getVolatile(memory, offset) != expected) {
                if (++spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                    continue;
                }
                LockSupport.parkNanos(50_000); // idle peer: stop burning a shared core
                if (Thread.currentThread().isInterrupted()) {
                    throw new IOException("interrupted");
                }
                if ((spins & 0xff) == 0 && !peerAlive.getAsBoolean()) {
                    throw new IOException("shared-memory peer is gone");
                }
            }
        }

        @Override
        public void close() throws IOException {
            file.close(); // the mapping itself is released when the buffer is collected
        }
    }

    static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    static void readFully(ReadableByteChannel in, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (in.read(b) < 0) {
                throw new IOException("peer closed the connection");
            }
        }
    }
}
