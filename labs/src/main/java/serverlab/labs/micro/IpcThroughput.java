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
 * Bulk transfer: one operation moves 1 MiB in 64 KiB writes to a peer that reads it all
 * and acknowledges with one byte, so the score in ops/s is MiB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IpcThroughput {

    private static final int CHUNK = 64 * 1024;
    private static final int TOTAL = 1024 * 1024;

    @Param({"PIPE", "UNIX", "TCP", "SHM", "QUEUE"})
    public String transport;

    private Transport.Pair pair;
    private Thread sink;
    private final byte[] chunk = new byte[CHUNK];
    private final byte[] ack = new byte[1];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pair = Transport.valueOf(transport).open();
        sink = Thread.ofPlatform().daemon(true).name("ipc-sink").start(() -> {
            byte[] buffer = new byte[CHUNK];
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    for (int received = 0; received < TOTAL; received += CHUNK) {
                        pair.server().readFully(buffer, CHUNK);
                    }
                    pair.server().write(buffer, 1);
                }
            } catch (Exception closed) {
                // benchmark over
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        sink.interrupt();
        pair.close();
        sink.join(1000);
    }

    @Benchmark
    public byte mebibyte() throws Exception {
        for (int sent = 0; sent < TOTAL; sent += CHUNK) {
            pair.client().write(chunk, CHUNK);
        }
        pair.client().readFully(ack, 1);
        return ack[0];
    }
}
