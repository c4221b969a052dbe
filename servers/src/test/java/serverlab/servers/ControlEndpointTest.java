package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import serverlab.servers.control.ControlAddress;
import serverlab.servers.control.ControlEndpoint;
import serverlab.servers.core.AbstractServer;

/** The control endpoint answers only its token holder, never a web page, and no client can block it. */
class ControlEndpointTest {

    private AbstractServer server;
    private ControlEndpoint endpoint;

    private ControlAddress start(ServerOptions options) throws Exception {
        server = (AbstractServer) Servers.start("event-loop", options);
        endpoint = ControlEndpoint.start(server, options.withControlPort(0));
        return endpoint.controlAddress();
    }

    @AfterEach
    void stop() {
        if (endpoint != null) endpoint.close();
        if (server != null) server.close();
    }

    /** A request as curl would send it: loopback Host, the given extra header lines. */
    static String request(String method, String target, String headers) {
        return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Content-Length: 0\r\n\r\n";
    }

    static String bearer(ControlAddress control) {
        return "Authorization: Bearer " + control.token() + "\r\n";
    }

    private static int status(ControlAddress control, String raw) throws Exception {
        try (RawHttp http = new RawHttp(control.address())) {
            return http.exchange(raw).status();
        }
    }

    @Test
    void onlyTheTokenHolderIsServed() throws Exception {
        ControlAddress control = start(ServerOptions.defaults());
        assertTrue(control.token().matches("[A-Za-z0-9_-]{40,}"), control.token());
        assertEquals(401, status(control, request("POST", "/kill", "")));
        assertEquals(401, status(control, request("POST", "/kill", "Authorization: Bearer wrong\r\n")));
        assertEquals(401, status(control, request("POST", "/kill?token=wrong", "")));
        assertFalse(server.isClosed(), "an unauthenticated /kill must not stop the server");
        assertEquals(200, status(control, request("GET", "/stats", bearer(control))));
        assertEquals(200, status(control, request("GET", "/stats?token=" + control.token(), "")));
    }

    @Test
    void theTokenIsNewForEveryStart() throws Exception {
        ControlAddress first = start(ServerOptions.defaults());
        try (ControlEndpoint second = ControlEndpoint.start(server, ServerOptions.defaults().withControlPort(0))) {
            assertNotEquals(first.token(), second.controlAddress().token());
        }
    }

    @Test
    void requestsAWebPageCouldMakeAreForbidden() throws Exception {
        ControlAddress control = start(ServerOptions.defaults());
        int port = control.address().getPort();
        String kill = "POST /kill HTTP/1.1\r\n" + bearer(control) + "Content-Length: 0\r\n";
        assertEquals(403, status(control, kill + "Host: 127.0.0.1:" + port + "\r\nOrigin: http://evil.example\r\n\r\n"));
        assertEquals(403, status(control, kill + "Host: 127.0.0.1:" + port + "\r\nOrigin: null\r\n\r\n"));
        assertEquals(403, status(control, kill + "Host: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:" + (port + 1) + "\r\n\r\n"));
        assertEquals(403, status(control, kill + "Host: evil.example:" + port + "\r\n\r\n")); // DNS rebinding
        assertFalse(server.isClosed());
        String stats = "GET /stats HTTP/1.1\r\n" + bearer(control);
        assertEquals(200, status(control, stats + "Host: localhost:" + port + "\r\nOrigin: http://localhost:" + port + "\r\n\r\n"));
        assertEquals(200, status(control, stats + "Host: [::1]:" + port + "\r\n\r\n"));
        assertEquals(200, status(control, stats + "Host: 127.0.0.1\r\nOrigin: http://127.0.0.1:" + port + "\r\n\r\n"));
    }

    @Test
    void badParametersGet400AndChangeNothing() throws Exception {
        ControlAddress control = start(ServerOptions.defaults());
        assertEquals(400, status(control, request("POST", "/stop?timeoutMs=abc", bearer(control))));
        assertEquals(400, status(control, request("POST", "/stop?timeoutMs=-5", bearer(control))));
        assertEquals(400, status(control, request("POST", "/stop?timeoutMs=99999999999999999999", bearer(control))));
        assertEquals(400, status(control, request("POST", "/stop?timeoutMs=%zz", bearer(control))));
        assertFalse(server.isClosed());
        assertEquals(202, status(control, request("POST", "/stop?timeoutMs=0", bearer(control))));
    }

    @Test
    void aSilentClientDoesNotBlockOthers() throws Exception {
        ControlAddress control = start(ServerOptions.defaults()); // 30 s idle timeout
        try (Socket silent = new Socket(control.address().getAddress(), control.address().getPort());
             RawHttp http = new RawHttp(control.address(), 10_000)) {
            // Before: one thread served connections in turn, so this waited for the silent one's 30 s.
            assertEquals(200, http.exchange(request("GET", "/stats", bearer(control))).status());
        }
    }

    @Test
    void aSilentClientTimesOut() throws Exception {
        ControlAddress control = start(ServerOptions.defaults().withIdleTimeout(Duration.ofSeconds(1)));
        try (RawHttp silent = new RawHttp(control.address(), 10_000)) {
            assertEquals(408, silent.read(false).status());
            assertTrue(silent.closedByServer());
        }
    }
}
