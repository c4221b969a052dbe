package serverlab.labs.micro;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/** What a thread costs to create, start and join: an OS thread vs a virtual thread. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ThreadStart {

    private static final Runnable NOTHING = () -> { };

    @Benchmark
    public void platformThread() throws InterruptedException {
        Thread t = Thread.ofPlatform().start(NOTHING);
        t.join();
    }

    @Benchmark
    public void virtualThread() throws InterruptedException {
        Thread t = Thread.ofVirtual().start(NOTHING);
        t.join();
    }
}
