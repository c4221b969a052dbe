package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;

/** The parent–child pipe protocol, and what a child does with options it cannot honour. */
class ChildMessageTest {

    @Test
    void statsKeepEveryPerWorkerKeyAndLoopEvent() {
        ServerStats stats = new ServerStats(3, 9, 1, 0,
                Map.of("pool-1", 4L, "loop 1", 3L, "helper-1", 1L, "quote\"d", 1L), Map.of("pid 42.read", 3L, "pid 42.timer", 1L));
        WorkerStats sent = new WorkerStats(42, stats, List.of(7L, 8L));
        ChildMessage received = ChildMessage.parse(ChildMessage.stats(sent).toJson());
        assertEquals(sent, received.workerStats());
    }

    @Test
    void commandsRoundTrip() {
        assertEquals(2500L, ChildMessage.parse(ChildMessage.stop(Duration.ofMillis(2500)).toJson()).drainMillis());
        assertEquals(ChildMessage.STATS, ChildMessage.parse(ChildMessage.statsRequest().toJson()).type());
        assertEquals(8080, ChildMessage.parse(ChildMessage.ready(8080).toJson()).port());
        assertThrows(IllegalArgumentException.class, () -> ChildMessage.parse("Picked up JAVA_TOOL_OPTIONS: -Xmx1g"));
    }

    /** Without --add-exports, "poll" cannot be had: the child must fail, not serve with epoll. */
    @Test
    void aSelectorTheChildCannotHonourFailsItLoudly() throws Exception {
        Process child = new ProcessBuilder(ChildJvm.javaBinary(), "-cp", System.getProperty("java.class.path"),
                ServerHost.class.getName(), "event-loop", ServerOptions.defaults().withSelector("poll").toJson())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.PIPE).start();
        try {
            String stderr = new String(child.getErrorStream().readAllBytes());
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertNotEquals(0, child.exitValue(), stderr);
            assertTrue(stderr.contains("--add-exports"), stderr);
        } finally {
            child.destroyForcibly();
        }
    }
}
