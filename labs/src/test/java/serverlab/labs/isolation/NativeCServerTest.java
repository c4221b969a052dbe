package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class NativeCServerTest {

    @Test
    void answersHelloOnLoopbackAndStopsOnClose() {
        assumeTrue(Executables.onPath("gcc").isPresent(), "apt-get install gcc");
        long pid;
        try (NativeCServer server = NativeCServer.start()) {
            pid = server.pid();
            assertTrue(server.address().getAddress().isLoopbackAddress());
            assertTrue(HelloClient.answers(server.address(), Duration.ofSeconds(5)));
            assertTrue(server.roundTripMicros(50) > 0);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "hello_server " + pid + " still runs");
    }
}
