package serverlab.labs.micro;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Round-trip hand-over between two parties, the way lmbench's lat_ctx measures context
 * switches: two platform threads, two virtual threads, and two processes over a pipe
 * (this JVM and a {@code cat} child echoing one byte). A round trip is two switches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ContextSwitch {

    private static final int ROUNDS = 1000;

    private PingPong platform;
    private PingPong virtual;
    private Process cat;
    private OutputStream toCat;
    private InputStream fromCat;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        platform = new PingPong(Thread.ofPlatform().daemon(true));
        virtual = new PingPong(Thread.ofVirtual());
        cat = new ProcessBuilder("cat").start();
        toCat = cat.getOutputStream();
        fromCat = cat.getInputStream();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        platform.close();
        virtual.close();
        toCat.close();
        cat.destroyForcibly().waitFor();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void platformThreads() throws InterruptedException {
        platform.roundTrips(ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void virtualThreads() throws InterruptedException {
        virtual.roundTrips(ROUNDS);
    }

    @Benchmark
    public int processesOverPipe() throws Exception {
        toCat.write('x');
        toCat.flush();
        return fromCat.read();
    }
}
