package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

/** Prefork with the chapter workloads: /crash ends one worker, /counter counts per worker. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkerCrashTest {

    private static PreforkServer start() {
        return (PreforkServer) Servers.start(PreforkServer.NAME, ServerOptions.defaults().withWorkers(2));
    }

    private static InetSocketAddress address(PreforkServer server) {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    @Test
    void crashEndsOneWorkerTheSupervisorRestartsItAndTheOtherKeepsServing() throws Exception {
        try (PreforkServer server = start()) {
            List<Long> before = server.workerPids();
            assertEquals(2, before.size());
            try (HttpTestClient client = new HttpTestClient(address(server))) {
                client.write("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n");
                assertTrue(client.closedByServer(), "the crashing worker answers nothing");
            }
            List<Long> after = before;
            for (long deadline = System.nanoTime() + 30_000_000_000L; System.nanoTime() < deadline; Thread.sleep(50)) {
                after = server.workerPids();
                if (server.restarts() == 1 && after.size() == 2) {
                    break;
                }
            }
            assertEquals(1, server.restarts(), "one restart after one crash");
            assertEquals(2, after.size(), after.toString());
            long survivors = before.stream().filter(after::contains).count();
            assertEquals(1, survivors, "one worker died and one kept running: before " + before + ", after " + after);
            long replacement = after.stream().filter(pid -> !before.contains(pid)).findFirst().orElseThrow();
            assertFalse(before.contains(replacement));
            for (int i = 0; i < 20; i++) {
                try (HttpTestClient client = new HttpTestClient(address(server))) {
                    assertEquals(200, client.get("/hello").status());
                }
            }
        }
    }

    /** Each worker process counts alone: its values run 1, 2, 3… and together they add up to the requests. */
    @Test
    void counterIsKeptPerWorkerProcess() throws IOException {
        Pattern counter = Pattern.compile("\\{\"counter\":(\\d+),\"pid\":(\\d+)}");
        try (PreforkServer server = start()) {
            Map<Long, Long> lastByPid = new HashMap<>();
            int requests = 40;
            for (int i = 0; i < requests; i++) {
                try (HttpTestClient client = new HttpTestClient(address(server))) {
                    Matcher m = counter.matcher(client.get("/counter").bodyText());
                    assertTrue(m.matches());
                    long pid = Long.parseLong(m.group(2));
                    long value = Long.parseLong(m.group(1));
                    assertEquals(lastByPid.getOrDefault(pid, 0L) + 1, value, "worker " + pid + " counts on its own");
                    lastByPid.put(pid, value);
                }
            }
            assertTrue(server.workerPids().containsAll(lastByPid.keySet()), lastByPid.toString());
            assertEquals(requests, lastByPid.values().stream().mapToLong(Long::longValue).sum());
            server.stopGracefully(Duration.ofSeconds(2));
        }
    }
}
