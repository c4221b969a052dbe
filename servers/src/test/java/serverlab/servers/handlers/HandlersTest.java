package serverlab.servers.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;

import org.junit.jupiter.api.Test;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import serverlab.servers.http.Handler;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/** The {@code handler} option: an application class answers first; what it does not know reaches the workloads. */
class HandlersTest {

    /** A one-path application: /greet is its own, everything else the workloads'. */
    public static final class Greeter implements Handler {
        private final Handler fallback;

        public Greeter(Handler fallback) {
            this.fallback = fallback;
        }

        @Override
        public Response handle(HttpRequest request) throws Exception {
            return request.path().equals("/greet") ? Response.text(Status.OK, "hi\n") : fallback.handle(request);
        }
    }

    @Test
    void theNamedApplicationAnswersAndTheWorkloadsBehindIt() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (String architecture : new String[] {"thread-pool", "event-loop"}) {
            try (Server server = Servers.start(architecture, ServerOptions.defaults().withHandler(Greeter.class.getName()))) {
                String base = "http://127.0.0.1:" + server.address().getPort();
                assertEquals("hi\n", get(client, base + "/greet"), architecture);
                assertEquals(Workloads.HELLO_TEXT, get(client, base + "/hello"), architecture);
            }
        }
    }

    @Test
    void withoutTheOptionTheWorkloadsAnswerAlone() throws Exception {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults())) {
            var response = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.address().getPort() + "/greet")).build(), BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
        }
    }

    @Test
    void aClassThatIsNoApplicationIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Handlers.of(ServerOptions.defaults().withHandler("java.lang.String"), () -> null));
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Handlers.of(ServerOptions.defaults().withHandler("no.such.App"), () -> null));
    }

    private static String get(HttpClient client, String url) throws Exception {
        return client.send(java.net.http.HttpRequest.newBuilder(URI.create(url)).build(),
                BodyHandlers.ofString()).body();
    }
}
