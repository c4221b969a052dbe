package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import serverlab.servers.handlers.Workloads;

/** curl and wrk, real clients, against one server of every family and the references. */
class RealClientsTest {

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("timed out: " + String.join(" ", command));
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly(); // stop by handle: nothing outlives the test
        }
    }

    static void assumeBinary(String path) {
        assumeTrue(Files.isExecutable(Path.of(path)), path + " is not installed (apt-get install curl wrk nginx-light); skipping");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverlab.servers.TestServers#all")
    void curlAndWrk(String name) throws Exception {
        assumeBinary("/usr/bin/curl");
        assumeBinary("/usr/bin/wrk");
        if (name.equals("nginx")) assumeBinary("/usr/sbin/nginx");
        try (Server server = Servers.start(name, ServerOptions.defaults())) {
            String url = "http://127.0.0.1:" + server.address().getPort();
            List<String> curl = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "--max-time", "10"));
            curl.add(url + "/hello");
            curl.add(url + "/hello"); // two URLs: curl reuses the connection (keep-alive)
            assertEquals(Workloads.HELLO_TEXT.repeat(2), run(null, curl.toArray(String[]::new)));
            if (!name.equals("nginx")) {
                String post = run(null, "/usr/bin/curl", "-sS", "--max-time", "10", "--data-binary", "posted body", url + "/echo");
                assertEquals("posted body", post);
                String head = run(null, "/usr/bin/curl", "-sS", "-I", "--max-time", "10", url + "/bytes?n=123");
                assertTrue(head.toLowerCase().contains("content-length: 123"), head);
            }
            // iterative: one connection at a time, so one wrk connection
            // process-per-request starts a JVM per request: a few requests per second is its nature.
            boolean cgi = name.equals("process-per-request");
            String connections = name.equals("iterative") ? "1" : cgi ? "2" : "8";
            String wrk = run(null, "/usr/bin/wrk", "-t1", "-c" + connections, cgi ? "-d3s" : "-d1s",
                    "--timeout", cgi ? "10s" : "2s", url + "/hello");
            double minRate = cgi ? 1 : 100;
            Matcher rate = Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(wrk);
            assertTrue(rate.find(), wrk);
            assertTrue(Double.parseDouble(rate.group(1)) > minRate, wrk);
            assertTrue(!wrk.contains("Non-2xx"), wrk);
            assertTrue(!wrk.contains("Socket errors"), wrk);
            assertTrue(server.stats().requests() > (cgi ? 2 : 100), server.stats().toString());
        }
    }
}
