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

/** Round-trip time of a 64-byte message to an echoing peer, per transport. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IpcLatency {

    private static final int MESSAGE = 64;

    @Param({"PIPE", "UNIX", "TCP", "SHM", "QUEUE"})
    public String transport;

    private Transport.Pair pair;
    private Thread echo;
    private final byte[] message = new byte[MESSAGE];
    private final byte[] reply = new byte[MESSAGE];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pair = Transport.valueOf(transport).open();
        echo = Thread.ofPlatform().daemon(true).name("ipc-echo").start(() -> {
            byte[] buffer = new byte[MESSAGE];
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    pair.server().readFully(buffer, MESSAGE);
                    pair.server().write(buffer, MESSAGE);
                }
            } catch (Exception closed) {
                // benchmark over
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        echo.interrupt();
        pair.close();
        echo.join(1000);
    }

    @Benchmark
    public byte roundTrip() throws Exception {
        pair.client().write(message, MESSAGE);
        pair.client().readFully(reply, MESSAGE);
        return reply[0];
    }
}
