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
 * Bulk transfer to a peer <em>process</em> ({@link EchoPeer}, a child JVM), per
 * {@link Transport}: one operation moves 1 MiB (1,048,576 bytes) in 64 KiB writes to a peer
 * that reads it all and acknowledges with one byte, so the score in ops/s is MiB/s. (The
 * QUEUE transport carries it as 4 KiB messages, see {@link Transport#QUEUE}.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IpcThroughput {

    private static final int CHUNK = 64 * 1024;
    private static final int TOTAL = 1024 * 1024;

    @Param({"PIPE", "UNIX", "TCP", "SHM", "QUEUE"})
    public String transport;

    private PeerProcess peer;
    private Transport.Endpoint endpoint;
    private final byte[] chunk = new byte[CHUNK];
    private final byte[] ack = new byte[1];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        peer = PeerProcess.sink(Transport.valueOf(transport), CHUNK, TOTAL);
        endpoint = peer.endpoint();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        peer.close();
    }

    @Benchmark
    public byte mebibyte() throws Exception {
        for (int sent = 0; sent < TOTAL; sent += CHUNK) {
            endpoint.write(chunk, CHUNK);
        }
        endpoint.readFully(ack, 1);
        return ack[0];
    }
}
