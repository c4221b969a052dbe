package serverlab.labs.micro;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * What a process costs: fork/exec of {@code /bin/true}, and starting a JVM that runs an
 * empty main (what the process-per-request server pays per request).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class Spawn {

    /** The tiny main the JVM benchmark starts. */
    public static final class EmptyMain {
        public static void main(String[] args) {
            // intentionally empty: we measure JVM start-up and exit
        }
    }

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Benchmark
    public int process() throws Exception {
        return new ProcessBuilder("/bin/true").start().waitFor();
    }

    @Benchmark
    public int jvm() throws Exception {
        return new ProcessBuilder(JAVA, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), EmptyMain.class.getName())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
