package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

/** {@code listener = "shared"}: the workers of a multi-process server inherit the master's one listening socket. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedListenerTest {

    private static final ServerOptions SHARED = ServerOptions.defaults().withWorkers(2)
            .withIdleTimeout(Duration.ofSeconds(10)).withListener(ServerOptions.SHARED);

    @ParameterizedTest
    @ValueSource(strings = {"prefork", "nginx-style", "iis-style"})
    void everyWorkerListensOnTheMastersSocket(String name) throws Exception {
        try (Server server = Servers.start(name, SHARED)) {
            String socket = descriptor(ProcessHandle.current().pid(), listeningDescriptor(server));
            for (long worker : server.workerPids()) {
                assertEquals(socket, descriptor(worker, 0), "fd 0 of worker " + worker);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prefork", "nginx-style"})
    void bothWorkersAnswerShortConnections(String name) throws Exception {
        try (Server server = Servers.start(name, SHARED)) {
            ExecutorService clients = Executors.newFixedThreadPool(20);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    statuses.add(clients.submit(() -> get(server, "/sleep?ms=50")));
                }
                for (Future<Integer> status : statuses) assertEquals(200, status.get(30, TimeUnit.SECONDS));
            } finally {
                clients.shutdownNow();
            }
            Map<String, Long> perWorker = server.stats().requestsPerWorker();
            assertEquals(2, perWorker.size(), perWorker.toString());
            assertTrue(perWorker.values().stream().allMatch(n -> n > 0), "a worker answered nothing: " + perWorker);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prefork", "nginx-style"})
    void reloadsUnderLoadLoseNoRequestNotEvenANewConnection(String name) throws Exception {
        try (MultiProcessServer server = (MultiProcessServer) Servers.start(name, SHARED)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.address().getPort());
            // prefork: a worker holds a keep-alive connection, so its clients open one per request
            ClientLoops clients = name.equals("prefork") ? ClientLoops.start(address, 0, 4) : ClientLoops.start(address, 4, 4);
            try {
                Thread.sleep(300);
                for (int workers : new int[] {3, 1, 2}) {
                    server.reload(SHARED.withWorkers(workers));
                    Thread.sleep(300);
                }
            } finally {
                clients.close();
            }
            // with SO_REUSEPORT a new connection queued on a retiring worker's socket is reset (ReloadTest)
            assertEquals(0, clients.failed(), clients.failures().toString());
            assertTrue(clients.answered() > 50, "answered " + clients.answered());
            assertEquals(clients.answered(), server.stats().requests());
        }
    }

    /**
     * Both prefork workers are busy and a third connection waits in the accept queue when a reload stops them.
     * With SO_REUSEPORT that connection sits in the queue of one of the two sockets, which the retiring worker
     * closes: reset (unless the kernel migrates it). With one shared socket the queue outlives the workers.
     */
    @Test
    void aQueuedConnectionOutlivesTheWorkersThatStop() throws Exception {
        try (MultiProcessServer server = (MultiProcessServer) Servers.start("prefork", SHARED)) {
            ExecutorService clients = Executors.newFixedThreadPool(3);
            try {
                Future<Integer> busy1 = clients.submit(() -> get(server, "/sleep?ms=2000"));
                Future<Integer> busy2 = clients.submit(() -> get(server, "/sleep?ms=2000"));
                for (long deadline = System.nanoTime() + 5_000_000_000L; server.stats().activeConnections() < 2
                        && System.nanoTime() < deadline; ) Thread.sleep(10);
                assertEquals(2, server.stats().activeConnections(), "each busy connection has a worker of its own");
                Future<Integer> queued = clients.submit(() -> get(server, "/hello"));
                Thread.sleep(100);
                assertFalse(queued.isDone(), "no worker was free");
                List<Long> old = server.workerPids();
                server.reload(SHARED.withWorkers(1));
                assertEquals(200, queued.get(30, TimeUnit.SECONDS));
                assertEquals(200, busy1.get(30, TimeUnit.SECONDS));
                assertEquals(200, busy2.get(30, TimeUnit.SECONDS));
                for (long pid : old) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            } finally {
                clients.shutdownNow();
            }
        }
    }

    /** The master borrows its fd 2 for each start: afterwards fd 2 is what it was, and every borrowed descriptor is closed. */
    @Test
    void theMasterKeepsItsStderrAndLeaksNoDescriptor() throws Exception {
        Servers.start("nginx-style", SHARED).close(); // classes loaded, lazily opened descriptors opened
        String stderr = descriptor(ProcessHandle.current().pid(), 2);
        long before = openDescriptors();
        int port;
        try (MultiProcessServer server = (MultiProcessServer) Servers.start("nginx-style", SHARED)) {
            port = server.address().getPort();
            for (int workers : new int[] {1, 3}) {
                server.reload(SHARED.withWorkers(workers));
                assertEquals(stderr, descriptor(ProcessHandle.current().pid(), 2));
                FileOutputStream err = new FileOutputStream(FileDescriptor.err);
                err.write("serverlab: the master's stderr still works after a spawn\n".getBytes(StandardCharsets.UTF_8));
                err.flush();
            }
            assertEquals(200, get(server, "/hello"));
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "nothing listens after close");
        assertEquals(before, openDescriptors(), "descriptors of this JVM before and after");
    }

    @Test
    void singleProcessArchitecturesIgnoreTheOption() throws Exception {
        try (Server server = Servers.start("event-loop", SHARED)) {
            assertEquals(200, get(server, "/hello"));
        }
    }

    private static int get(Server server, String target) throws IOException {
        try (HttpTestClient client = new HttpTestClient(new InetSocketAddress("127.0.0.1", server.address().getPort()))) {
            return client.get(target).status();
        }
    }

    /** The master's descriptor of the socket its workers share. */
    private static int listeningDescriptor(Server server) throws IOException {
        long self = ProcessHandle.current().pid();
        List<String> workerSockets = new ArrayList<>();
        for (long worker : server.workerPids()) workerSockets.add(descriptor(worker, 0));
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> Integer.parseInt(fd.getFileName().toString()))
                    .filter(fd -> workerSockets.contains(descriptorOrEmpty(self, fd)))
                    .findFirst().orElseThrow(() -> new AssertionError("the master holds none of its workers' fd 0: " + workerSockets));
        }
    }

    private static String descriptor(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    private static String descriptorOrEmpty(long pid, int fd) {
        try {
            return descriptor(pid, fd);
        } catch (IOException e) {
            return "";
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
