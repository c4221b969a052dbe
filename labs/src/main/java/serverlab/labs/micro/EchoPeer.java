package serverlab.labs.micro;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The other process of the IPC benchmarks: a tiny JVM main that {@link PeerProcess} starts.
 *
 * <pre>{@code
 * EchoPeer <transport> echo <message bytes> <address...>   // read a message, send it back
 * EchoPeer <transport> sink <chunk bytes> <total bytes> <address...>   // read total, ack 1 byte
 * }</pre>
 *
 * <p>The address is what the transport needs: nothing (PIPE: stdin/stdout), a socket path
 * (UNIX), a port (TCP), the mapped file (SHM) or the request and reply FIFOs (QUEUE). Once
 * connected, the peer sends its pid (8 bytes) over the transport, so the parent can check that
 * it talks to another process. It exits when the connection closes or, for transports other
 * than PIPE, when its stdin reaches end-of-file (the parent went away).
 */
public final class EchoPeer {

    private EchoPeer() {
    }

    public static void main(String[] args) throws Exception {
        Transport transport = Transport.valueOf(args[0]);
        boolean sink = args[1].equals("sink");
        int size = Integer.parseInt(args[2]);
        long total = sink ? Long.parseLong(args[3]) : 0;
        int a = sink ? 4 : 3; // first address argument
        if (transport != Transport.PIPE) {
            Thread.ofPlatform().daemon(true).name("parent-watch").start(EchoPeer::exitWhenParentGoes);
        }
        try (Transport.Endpoint endpoint = connect(transport, args, a)) {
            byte[] pid = ByteBuffer.allocate(8).putLong(ProcessHandle.current().pid()).array();
            endpoint.write(pid, pid.length);
            byte[] buffer = new byte[size];
            while (true) {
                if (sink) {
                    for (long received = 0; received < total; received += size) {
                        endpoint.readFully(buffer, size);
                    }
                    endpoint.write(buffer, 1);
                } else {
                    endpoint.readFully(buffer, size);
                    endpoint.write(buffer, size);
                }
            }
        } catch (IOException closed) {
            // the parent closed the connection: done
        }
        Runtime.getRuntime().halt(0);
    }

    private static Transport.Endpoint connect(Transport transport, String[] args, int a) throws IOException {
        return switch (transport) {
            case PIPE -> new Transport.StreamEndpoint(new FileInputStream(FileDescriptor.in).getChannel(),
                    new FileOutputStream(FileDescriptor.out).getChannel());
            case UNIX -> {
                SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(args[a]));
                yield new Transport.StreamEndpoint(channel, channel);
            }
            case TCP -> {
                SocketChannel channel = SocketChannel.open(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[a])));
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                yield new Transport.StreamEndpoint(channel, channel);
            }
            case SHM -> new Transport.SharedMemoryEndpoint(Path.of(args[a]), false, () -> true);
            case QUEUE -> {
                // same order as the parent (request, then reply), or both would block in open(2)
                FileChannel requests = FileChannel.open(Path.of(args[a]), StandardOpenOption.READ);
                FileChannel replies = FileChannel.open(Path.of(args[a + 1]), StandardOpenOption.WRITE);
                yield new Transport.FifoQueueEndpoint(requests, replies);
            }
        };
    }

    private static void exitWhenParentGoes() {
        try {
            while (System.in.read() >= 0) {
                // the parent never writes here; we only wait for end-of-file
            }
        } catch (IOException e) {
            // same: the parent is gone
        }
        Runtime.getRuntime().halt(0);
    }
}
