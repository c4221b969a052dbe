package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;

/** A server in a child JVM reports what an in-process one would, with the options and JVM flags it was given. */
class HostedServerTest {

    @Test
    void perWorkerCountsKeepTheirNames() throws IOException {
        try (HostedServer server = HostedServer.start("virtual-threads", ServerOptions.defaults())) {
            get(server, 3);
            assertEquals(Map.of("virtual-threads", 3L), server.stats().requestsPerWorker());
        }
    }

    /** epoll keeps its interest set in an eventpoll file descriptor; poll(2) has none. */
    @Test
    void pollIsHonouredInTheChild() throws IOException {
        try (HostedServer poll = HostedServer.start("event-loop", ServerOptions.defaults().withSelector("poll"));
             HostedServer epoll = HostedServer.start("event-loop", ServerOptions.defaults())) {
            get(poll, 1);
            get(epoll, 1);
            assertEquals(0, eventpollDescriptors(poll.pid()), "the poll server's JVM has an epoll instance");
            assertTrue(eventpollDescriptors(epoll.pid()) >= 1, "the epoll server's JVM has no epoll instance");
        }
    }

    @Test
    void jvmFlagsReachTheChild() throws IOException {
        try (HostedServer server = HostedServer.start("iterative", ServerOptions.defaults(),
                "-XX:TieredStopAtLevel=1", "-Dserverlab.hosted.marker=yes")) {
            // ProcessHandle.Info gives up on long command lines (the class path); /proc does not
            List<String> arguments = List.of(Files.readString(Path.of("/proc", Long.toString(server.pid()), "cmdline")).split("\0"));
            assertTrue(arguments.contains("-XX:TieredStopAtLevel=1"), arguments.toString());
            assertTrue(arguments.contains("-Dserverlab.hosted.marker=yes"), arguments.toString());
        }
    }

    @Test
    void closedWhenStoppedGracefully() throws InterruptedException {
        HostedServer server = HostedServer.start("thread-pool", ServerOptions.defaults());
        server.stopGracefully(Duration.ofSeconds(2));
        server.awaitClosed();
        assertTrue(ProcessHandle.of(server.pid()).map(p -> !p.isAlive()).orElse(true), "the child JVM outlived the stop");
    }

    private static void get(Server server, int requests) throws IOException {
        try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < requests; i++) {
                out.write("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] answer = new byte[4096];
                int read = 0;
                while (!new String(answer, 0, read, StandardCharsets.US_ASCII).endsWith("Hello, world!\n")) {
                    int n = in.read(answer, read, answer.length - read);
                    if (n < 0) throw new IOException("closed after " + new String(answer, 0, read, StandardCharsets.US_ASCII));
                    read += n;
                }
            }
        }
    }

    private static long eventpollDescriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("eventpoll");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }
}
