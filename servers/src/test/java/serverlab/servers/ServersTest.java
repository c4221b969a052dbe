package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tech.tablesaw.api.Table;

import serverlab.servers.control.ControlAddress;
import serverlab.servers.core.AbstractServer;
import serverlab.servers.example.CachedThreadPoolServer;
import serverlab.servers.event.EventLoopServer;
import serverlab.servers.event.MultiReactorServer;
import serverlab.servers.event.SelectorProviders;
import serverlab.servers.handlers.Workloads;

/** Registry, tracking, control endpoint, selector choice, limits and the 10k idle connections. */
class ServersTest {

    @Test
    void registryRejectsUnknownNamesAndTakesRunTimeRegistrations() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Servers.start("no-such-server"));
        assertTrue(e.getMessage().contains("event-loop") && e.getMessage().contains("thread-pool"), e.getMessage());
        Servers.register(TestServers.TEST_ONLY_PREFIX + "alias", Servers.Family.EVENT_LOOPS, "event-loop under another name",
                options -> Servers.start("event-loop", options));
        try (Server server = Servers.start(TestServers.TEST_ONLY_PREFIX + "alias")) {
            assertEquals("event-loop", server.name());
        }
    }

    @Test
    void tableShowsTheRegistry() {
        Table table = Servers.table();
        assertEquals(Servers.names(), table.stringColumn("name").asList());
        assertEquals(List.of("name", "family", "summary"), table.columnNames());
        assertTrue(table.stringColumn("summary").asList().stream().noneMatch(String::isBlank));
        assertEquals("event loops", table.where(table.stringColumn("name").isEqualTo("event-loop")).stringColumn("family").get(0));
    }

    /** README's server table is the registry's, row for row (the how-to example, registered only in tests, excepted). */
    @Test
    void readmeListsExactlyTheRegisteredServers() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("README.md"));
        String table = readme.substring(readme.indexOf("| name | family | how it serves |"));
        table = table.substring(0, table.indexOf("\n\n"));
        List<String> listed = table.lines().skip(2).toList();
        List<String> registered = Servers.list().stream()
                .filter(r -> !r.name().startsWith(TestServers.TEST_ONLY_PREFIX) && !r.name().equals(CachedThreadPoolServer.NAME))
                .map(r -> "| `" + r.name() + "` | " + r.family() + " | " + r.summary() + " |").toList();
        assertEquals(registered, listed);
    }

    @Test
    void startedServersAreTrackedUntilClosed() throws Exception {
        Server server = Servers.start("thread-pool");
        assertTrue(Tracked.open().contains(server));
        assertEquals(ProcessHandle.current().pid(), server.pid());
        assertTrue(server.workerPids().isEmpty());
        server.close();
        server.close(); // idempotent
        assertTrue(!Tracked.open().contains(server));
        assertTrue(Servers.start("event-loop") != null);
        assertTrue(Tracked.closeAll() >= 1);
        assertTrue(Tracked.open().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"event-loop", "multi-reactor", "event-loop-workers"})
    void pollSelectorIsReallyPoll(String name) throws Exception {
        assumeTrue(SelectorProviders.pollAvailable(), "run with " + SelectorProviders.ADD_EXPORTS_FLAG);
        try (Server poll = Servers.start(name, ServerOptions.defaults().withSelector("poll"));
             Server epoll = Servers.start(name, ServerOptions.defaults());
             RawHttp http = new RawHttp(poll.address())) {
            assertEquals(SelectorProviders.POLL_PROVIDER, provider(poll).getClass().getName());
            assertEquals("sun.nio.ch.EPollSelectorProvider", provider(epoll).getClass().getName());
            assertEquals(Workloads.HELLO_TEXT, http.exchange(RawHttp.get("/hello")).text());
        }
    }

    private static java.nio.channels.spi.SelectorProvider provider(Server server) {
        return switch (server) {
            case EventLoopServer s -> s.selectorProvider(); // and event-loop-workers, its subclass
            case MultiReactorServer s -> s.selectorProvider();
            default -> throw new AssertionError(server);
        };
    }

    @Test
    void controlEndpointReportsStatsAndStops() throws Exception {
        AbstractServer server = (AbstractServer) Servers.start("multi-reactor", ServerOptions.defaults().withControlPort(0));
        try {
            ControlAddress control = server.controlAddress().orElseThrow();
            try (RawHttp http = new RawHttp(server.address())) {
                http.exchange(RawHttp.get("/hello"));
            }
            try (RawHttp http = new RawHttp(control.address())) {
                RawHttp.Reply stats = http.exchange(ControlEndpointTest.request("GET", "/stats", ControlEndpointTest.bearer(control)));
                assertEquals(200, stats.status());
                assertTrue(stats.text().contains("\"requests\":1"), stats.text());
            }
            try (RawHttp http = new RawHttp(control.address())) {
                assertEquals(405, http.exchange(ControlEndpointTest.request("GET", "/stop", ControlEndpointTest.bearer(control))).status());
            }
            try (RawHttp http = new RawHttp(control.address())) {
                assertEquals(202, http.exchange(ControlEndpointTest.request("POST", "/stop?timeoutMs=2000", ControlEndpointTest.bearer(control))).status());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!server.isClosed() && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(server.isClosed());
        } finally {
            server.close();
        }
    }

    @Test
    void connectionsBeyondTheLimitGet503() throws Exception {
        for (String name : TestServers.inProcess()) {
            try (Server server = Servers.start(name, ServerOptions.defaults().withMaxConnections(1));
                 RawHttp first = new RawHttp(server.address())) {
                if (!name.equals("iterative")) assertEquals(200, first.exchange(RawHttp.get("/hello")).status());
                else first.exchange(RawHttp.get("/hello"));
                try (RawHttp second = new RawHttp(server.address())) {
                    if (name.equals("iterative")) {
                        // the iterative server does not even accept while busy: the kernel queues the connection
                        continue;
                    }
                    RawHttp.Reply reply = second.read(false);
                    assertEquals(503, reply.status(), name);
                    assertTrue(second.closedByServer(), name);
                }
            }
        }
    }

    @Test
    void threadPoolRefusesWith503WhenItsQueueIsFull() throws Exception {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults().withThreads(1).withQueueCapacity(1));
             RawHttp busy = new RawHttp(server.address())) {
            busy.exchange(RawHttp.get("/hello")); // holds the only thread (keep-alive); the queue is empty again
            RawHttp queued = new RawHttp(server.address());
            queued.send(RawHttp.get("/hello"));   // waits in the queue
            Thread.sleep(100);
            try (RawHttp refused = new RawHttp(server.address())) {
                assertEquals(503, refused.read(false).status());
            }
            busy.close(); // frees the thread: the queued connection is served
            assertEquals(Workloads.HELLO_TEXT, queued.read(false).text());
            queued.close();
        }
    }

    /** 10,000 idle keep-alive connections, opened by a separate process (this JVM's file descriptors would not suffice for both ends). */
    @Test
    void virtualThreadsHoldTenThousandIdleKeepAliveConnections() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 opens the client connections; not installed");
        int connections = Integer.getInteger("serverlab.idleConnections", 10_000);
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults())) {
            String script = """
                    import socket, sys
                    n, port = int(sys.argv[1]), int(sys.argv[2])
                    socks = []
                    for i in range(n):
                        s = socket.create_connection(("127.0.0.1", port))
                        s.sendall(b"GET /hello HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n")
                        socks.append(s)
                    for s in socks:
                        data = b""
                        while not data.endswith(b"Hello, world!\\n"):
                            chunk = s.recv(4096)
                            if not chunk: sys.exit("closed early")
                            data += chunk
                    print("ready", flush=True)
                    sys.stdin.read()
                    """;
            Process clients = new ProcessBuilder("/usr/bin/python3", "-c", script, Integer.toString(connections),
                    Integer.toString(server.address().getPort())).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("ready", out.readLine(), "the client process could not hold its connections");
                assertTrue(server.stats().activeConnections() >= connections, server.stats().toString());
                MalformedInputTest.assertHealthy(server); // still serving while all of them idle
                assertTrue(server.stats().requests() >= connections + 1L);
            } finally {
                try (var stdin = new OutputStreamWriter(clients.getOutputStream())) {
                    stdin.write("");
                } catch (IOException ignored) {
                    // already gone
                }
                clients.destroy();
                clients.waitFor(10, TimeUnit.SECONDS);
                clients.destroyForcibly();
            }
            server.stopGracefully(Duration.ofSeconds(5));
        }
    }
}
