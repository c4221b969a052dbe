package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import serverlab.servers.core.Listeners;

/**
 * Architectures listen with the same backlog and refuse work in the same words, so a chart compares
 * architectures and nothing else.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EqualConditionsTest {

    private static final ServerOptions ONE_WORKER = ServerOptions.defaults().withWorkers(1).withIdleTimeout(Duration.ofSeconds(10));

    static Stream<String> architecturesAndJavaReferences() {
        return Stream.concat(TestServers.architectures(), Stream.of("netty", "jetty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architecturesAndJavaReferences")
    void everyListeningSocketHasTheSharedBacklog(String name) throws Exception {
        Path ss = Path.of("/usr/bin/ss");
        Assumptions.assumeTrue(Files.isExecutable(ss), "needs ss(8) to read listen backlogs");
        int somaxconn;
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/core/somaxconn"))) { // size 0: read it as a stream
            somaxconn = Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
        try (Server server = Servers.start(name, ONE_WORKER)) {
            List<Integer> backlogs = listenBacklogs(ss, server.address().getPort());
            assertEquals(false, backlogs.isEmpty(), "no listening socket found");
            for (int backlog : backlogs) assertEquals(Math.min(Listeners.BACKLOG, somaxconn), backlog, name + ": " + backlogs);
        }
    }

    /** For a listening socket, the Send-Q column of {@code ss -ltn} is its backlog. */
    private static List<Integer> listenBacklogs(Path ss, int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ss.toString(), "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor(), out);
        return out.lines().map(line -> Integer.parseInt(line.trim().split("\\s+")[2])).toList();
    }

    @Test
    void connectionBeyondTheLimitGetsTheSame503Everywhere() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String name : List.of("thread-pool", "event-loop", "nginx-style", "iis-style", "process-per-request")) {
            try (Server server = Servers.start(name, ONE_WORKER.withMaxConnections(1));
                 RawHttp first = new RawHttp(server.address(), 5_000)) {
                assertEquals(200, first.exchange(RawHttp.get("/hello")).status(), name); // holds the only place
                try (RawHttp second = new RawHttp(server.address(), 5_000)) {
                    RawHttp.Reply refused = second.read(false);
                    assertEquals(503, refused.status(), name);
                    answers.put(name, refused.text());
                }
            }
        }
        assertEquals(1, answers.values().stream().distinct().count(), answers.toString());
    }

    @Test
    void fullIisStyleQueueAnswersLikeAFullThreadPool() throws Exception {
        ServerOptions oneThreadNoQueue = ONE_WORKER.withThreads(1).withQueueCapacity(0);
        Map<String, String> answers = new LinkedHashMap<>();
        for (String name : List.of("thread-pool", "iis-style")) {
            try (Server server = Servers.start(name, oneThreadNoQueue);
                 RawHttp busy = new RawHttp(server.address(), 5_000)) {
                busy.send(RawHttp.get("/sleep?ms=2000")); // takes the only thread
                Thread.sleep(500);
                try (RawHttp next = new RawHttp(server.address(), 5_000)) {
                    // thread-pool refuses the connection as it accepts it; iis-style refuses the request
                    RawHttp.Reply refused = name.equals("thread-pool") ? next.read(false) : next.exchange(RawHttp.get("/hello"));
                    assertEquals(503, refused.status(), name);
                    answers.put(name, refused.text());
                }
                assertEquals(200, busy.read(false).status(), name);
            }
        }
        assertEquals(answers.get("thread-pool"), answers.get("iis-style"));
    }
}
