package serverlab.labs.micro;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Round-trip time of a 64-byte message to an echoing peer <em>process</em> ({@link EchoPeer},
 * a child JVM), per {@link Transport}: pipe, Unix-domain socket, TCP loopback, shared memory
 * (a memory-mapped file; both processes spin) and a message queue (two named FIFOs standing
 * in for a POSIX/System V queue). The child is started once per trial and stopped after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IpcLatency {

    private static final int MESSAGE = 64;

    @Param({"PIPE", "UNIX", "TCP", "SHM", "QUEUE"})
    public String transport;

    private PeerProcess peer;
    private Transport.Endpoint endpoint;
    private final byte[] message = new byte[MESSAGE];
    private final byte[] reply = new byte[MESSAGE];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        peer = PeerProcess.echo(Transport.valueOf(transport), MESSAGE);
        endpoint = peer.endpoint();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        peer.close();
    }

    @Benchmark
    public byte roundTrip() throws Exception {
        endpoint.write(message, MESSAGE);
        endpoint.readFully(reply, MESSAGE);
        return reply[0];
    }
}
