package serverlab.servers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import serverlab.servers.ServerOptions;
import serverlab.servers.control.ControlAddress;
import serverlab.servers.process.ChildJvm;

/** {@code java -jar servers.jar NAME}: announces where it listens and where to control it, and exits once killed. */
class ServersCliTest {

    private static final Pattern ANNOUNCE = Pattern.compile(
            "(\\S+) listening on http://127\\.0\\.0\\.1:(\\d+) pid (\\d+) control (\\S+):(\\d+) token (\\S*)");

    static java.util.stream.Stream<String> architectures() {
        return serverlab.servers.TestServers.architectures();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void printsItsControlAddressAndExitsAfterKill(String name) throws Exception {
        Process cli = ChildJvm.command(List.of("-Xmx128m"), ServersCli.class,
                List.of(name, "--control-port", "0", "--workers", "2")).start();
        try {
            var out = new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8));
            String announce = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
            Matcher m = ANNOUNCE.matcher(String.valueOf(announce));
            assertTrue(m.matches(), "announce line: " + announce);
            assertEquals(name, m.group(1));
            ControlAddress control = new ControlAddress(
                    new java.net.InetSocketAddress(m.group(4), Integer.parseInt(m.group(5))), m.group(6));

            HttpResponse<String> killed = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(control.uri("/kill")).header("Authorization", "Bearer " + control.token())
                            .POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, killed.statusCode(), killed.body());
            assertTrue(cli.waitFor(30, TimeUnit.SECONDS), name + ": the CLI still runs 30 s after POST /kill");
            assertEquals(0, cli.exitValue());
        } finally {
            cli.descendants().forEach(ProcessHandle::destroyForcibly);
            cli.destroyForcibly();
            cli.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** One flag per row of the option table, and a value outside an option's rule is a usage error (exit 2). */
    @Test
    void everyServerOptionIsAFlag() {
        var spec = ServersCli.commandLine().getCommandSpec();
        for (ServerOptions.Option<?> option : ServerOptions.OPTIONS) {
            assertNotNull(spec.findOption(ServersCli.flag(option)), option.name());
        }
        assertEquals("--max-header-bytes", ServersCli.flag(ServerOptions.MAX_HEADER_BYTES));
        assertEquals(2, ServersCli.commandLine().execute("event-loop", "--threads", "0"));
        assertEquals(2, ServersCli.commandLine().execute("event-loop", "--idle-timeout", "soon"));
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
