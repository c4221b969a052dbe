package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import serverlab.servers.handlers.Workloads;
import serverlab.servers.process.HttpTestClient;

/** The chapter workloads on in-process servers: /pause, /counter, /crash, /page, /resource and /alloc. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkloadsTest {

    private static final Pattern COUNTER = Pattern.compile("\\{\"counter\":(\\d+),\"pid\":(\\d+)}");

    private static InetSocketAddress address(Server server) {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    static java.util.stream.Stream<String> builtIn() {
        return TestServers.inProcess().stream();
    }

    /**
     * The request that pauses answers before the pause is over; a request sent during the pause is
     * answered only after it (lower bounds only: a slow machine cannot make this fail).
     */
    @ParameterizedTest
    @MethodSource("builtIn")
    void pauseStallsEveryRequestButAnswersAtOnce(String architecture) throws IOException {
        try (Server server = Servers.start(architecture, ServerOptions.defaults().withThreads(4))) {
            long pauseNanos = 400_000_000L;
            long start = System.nanoTime();
            try (HttpTestClient pauser = new HttpTestClient(address(server))) {
                HttpTestClient.Response paused = pauser.get("/pause?ms=" + pauseNanos / 1_000_000);
                assertEquals(200, paused.status(), paused.bodyText());
                assertTrue(System.nanoTime() - start < pauseNanos,
                        "/pause must answer before its own pause ends, took " + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
            try (HttpTestClient other = new HttpTestClient(address(server))) {
                assertEquals(200, other.get("/hello").status());
                assertTrue(System.nanoTime() - start >= pauseNanos, "a request during the pause waited for its end");
            }
        }
    }

    @Test
    void counterCountsInThisProcess() throws IOException {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults());
             HttpTestClient client = new HttpTestClient(address(server))) {
            for (int expected = 1; expected <= 3; expected++) {
                Matcher m = COUNTER.matcher(client.get("/counter").bodyText());
                assertTrue(m.matches());
                assertEquals(expected, Long.parseLong(m.group(1)));
                assertEquals(ProcessHandle.current().pid(), Long.parseLong(m.group(2)));
            }
        }
    }

    @Test
    void crashInTheKernelJvmAnswers500AndTheServerKeepsServing() throws IOException {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults());
             HttpTestClient client = new HttpTestClient(address(server))) {
            HttpTestClient.Response crash = client.get("/crash");
            assertEquals(500, crash.status());
            assertTrue(crash.bodyText().contains("hosted"), crash.bodyText());
            assertEquals(Workloads.HELLO_TEXT, client.get("/hello").bodyText());
            try (HttpTestClient another = new HttpTestClient(address(server))) {
                assertEquals(200, another.get("/hello").status());
            }
        }
    }

    @Test
    void pageReferencesItsResourcesWhichAreServed() throws IOException {
        try (Server server = Servers.start("thread-per-connection", ServerOptions.defaults());
             HttpTestClient client = new HttpTestClient(address(server))) {
            HttpTestClient.Response page = client.get("/page?resources=3&ms=20");
            assertEquals(200, page.status());
            assertTrue(page.header("content-type").startsWith("text/html"), page.headers().toString());
            Matcher m = Pattern.compile("src=\"(/resource/\\d+\\?ms=20)\"").matcher(page.bodyText());
            int found = 0;
            while (m.find()) {
                HttpTestClient.Response resource = client.get(m.group(1));
                assertEquals(200, resource.status());
                assertEquals("resource " + found + "\n", resource.bodyText());
                found++;
            }
            assertEquals(3, found, page.bodyText());
            assertEquals(400, client.get("/resource/x").status());
        }
    }

    /** /alloc really allocates what it says (the server's threads allocate at least that much), within its cap. */
    @Test
    void allocAllocatesTheMebibytesAsked() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults());
             HttpTestClient client = new HttpTestClient(address(server))) {
            long before = threads.getTotalThreadAllocatedBytes();
            HttpTestClient.Response alloc = client.get("/alloc?mb=32");
            long allocated = threads.getTotalThreadAllocatedBytes() - before;
            assertEquals("allocated 32 MiB\n", alloc.bodyText());
            assertTrue(allocated >= 32L << 20, "allocated only " + allocated + " bytes");
            assertEquals(400, client.get("/alloc?mb=" + (Workloads.MAX_ALLOC_MB + 1)).status());
        }
    }
}
