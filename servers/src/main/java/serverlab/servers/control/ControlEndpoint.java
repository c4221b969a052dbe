package serverlab.servers.control;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import serverlab.servers.Reloadable;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingHttpConnection;
import serverlab.servers.core.OpenConnections;
import serverlab.servers.core.ServerContext;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/**
 * Out-of-band control of a server, on its own port and always on 127.0.0.1, so a
 * saturated or stuck server can still be observed and stopped:
 *
 * <pre>
 * GET  /stats                  the server's counters as JSON
 * POST /stop[?timeoutMs=N]     graceful stop (stop accepting, drain in-flight requests; default 10 s)
 * POST /kill                   urgent stop
 * POST /reload?workers=N       graceful reload with options changed by name (a {@link Reloadable} server only);
 *                              answers when the new workers serve and the old ones are gone
 * </pre>
 *
 * <p>Every request must carry the token issued at start ({@link #controlAddress()}), as
 * {@code Authorization: Bearer <token>} or {@code ?token=}; otherwise 401. A web page open in the
 * student's browser can reach 127.0.0.1 too, so a request whose {@code Origin} is not this
 * endpoint's own, or whose {@code Host} is not a loopback name (DNS rebinding), gets 403.
 *
 * <p>One request per connection, each connection on its own virtual thread, at most
 * {@value #MAX_CONNECTIONS} at once: a client that connects and says nothing times out
 * (408 after the server's idle timeout) without holding up anyone else.
 * Works for any {@link Server}, including multi-process ones.
 */
public final class ControlEndpoint implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 16;
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");
    private static final Duration REPLY_WAIT = Duration.ofSeconds(2);

    private final Server server;
    private final ServerSocket listener;
    private final ServerContext context;
    private final LongAdder requests;
    private final OpenConnections connections = new OpenConnections();
    private final String token = newToken();

    private ControlEndpoint(Server server, ServerOptions options) throws IOException {
        this.server = server;
        this.listener = new ServerSocket(options.controlPort(), 16, InetAddress.getLoopbackAddress());
        this.context = new ServerContext("control", options.withMaxConnections(MAX_CONNECTIONS), this::handle);
        this.requests = context.stats().requestCounter("control");
    }

    /** Binds 127.0.0.1:{@code options.controlPort()} (0 = ephemeral) and starts serving. */
    public static ControlEndpoint start(Server server, ServerOptions options) throws IOException {
        ControlEndpoint endpoint = new ControlEndpoint(server, options);
        Thread.ofPlatform().daemon().name("control-" + server.name()).start(endpoint::acceptLoop);
        return endpoint;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The address and the token a client must present (the token is issued per start). */
    public ControlAddress controlAddress() {
        return new ControlAddress(address(), token);
    }

    private void acceptLoop() {
        Thread.Builder connectionThreads = Thread.ofVirtual().name("control-connection-", 1);
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return; // listener closed
            }
            if (context.admitsConnection()) {
                connectionThreads.start(new BlockingHttpConnection(socket, context, requests, connections));
            } else {
                BlockingHttpConnection.refuse(socket, context, "more than " + MAX_CONNECTIONS + " control connections");
            }
        }
    }

    private Response handle(HttpRequest request) {
        Response response;
        try {
            response = answer(request);
        } catch (IllegalArgumentException malformedQuery) {
            response = Response.error(Status.BAD_REQUEST, malformedQuery.getMessage(), false);
        }
        return new Response(response.status(), response.contentType(), response.body(), response.extraHeaders(), true);
    }

    private Response answer(HttpRequest request) {
        Response refused = refusal(request);
        if (refused != null) return refused;
        return switch (request.method() + " " + request.path()) {
            case "GET /stats" -> Response.json(server.stats().toJson());
            case "POST /stop" -> stop(request.queryParameter("timeoutMs"));
            case "POST /reload" -> reload(request);
            case "POST /kill" -> {
                Thread.ofPlatform().daemon().name("control-kill").start(server::close);
                yield Response.text(Status.ACCEPTED, "killing\n");
            }
            default -> switch (request.path()) {
                case "/stats", "/stop", "/kill", "/reload" -> Response.error(Status.METHOD_NOT_ALLOWED, request.method(), false);
                default -> Response.error(Status.NOT_FOUND, request.path(), false);
            };
        };
    }

    /** 403 for a request a browser page may have made, 401 without the token; null if the request may proceed. */
    private Response refusal(HttpRequest request) {
        String host = request.header("Host");
        if (host != null && !LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", ""))) {
            return Response.error(Status.FORBIDDEN, "Host must be a loopback address", false);
        }
        String origin = request.header("Origin");
        if (origin != null && !isOwnOrigin(origin)) {
            return Response.error(Status.FORBIDDEN, "cross-origin requests are refused", false);
        }
        String authorization = request.header("Authorization");
        String presented = authorization != null && authorization.startsWith("Bearer ")
                ? authorization.substring("Bearer ".length()).trim() : request.queryParameter("token");
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))) {
            return Response.error(Status.UNAUTHORIZED, "send the control token as Authorization: Bearer <token> or ?token=", false)
                    .withExtraHeaders("WWW-Authenticate: Bearer\r\n");
        }
        return null;
    }

    private boolean isOwnOrigin(String origin) {
        for (String host : LOOPBACK_HOSTS) {
            if (origin.equals("http://" + host + ":" + address().getPort())) return true;
        }
        return false;
    }

    private Response stop(String timeoutMs) {
        long millis;
        try {
            millis = timeoutMs == null ? 10_000 : Long.parseLong(timeoutMs);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0) return Response.error(Status.BAD_REQUEST, "timeoutMs must be a non-negative integer: " + timeoutMs, false);
        Duration drain = Duration.ofMillis(millis);
        // On another thread: the stop closes this endpoint, and this thread must first answer.
        Thread.ofPlatform().daemon().name("control-stop").start(() -> server.stopGracefully(drain));
        return Response.text(Status.ACCEPTED, "stopping gracefully within " + drain.toMillis() + " ms\n");
    }

    private Response reload(HttpRequest request) {
        if (!(server instanceof Reloadable reloadable)) {
            return Response.error(Status.NOT_IMPLEMENTED, server.name() + " cannot reload", false);
        }
        ServerOptions options = reloadable.options();
        for (ServerOptions.Option<?> option : ServerOptions.OPTIONS) {
            String value = request.queryParameter(option.name());
            if (value != null) options = options.withText(option.name(), value); // a bad value: 400
        }
        try {
            return Response.json(reloadable.reload(options).toJson());
        } catch (IOException e) {
            return Response.error(Status.INTERNAL_ERROR, "reload failed, the old workers keep serving: " + e.getMessage(), false);
        }
    }

    private static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /**
     * Stops listening; a control request being answered right now still completes, and is waited for (up to
     * {@link #REPLY_WAIT}): the answer to {@code POST /kill} must leave before a CLI that exits on close does.
     */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closed either way
        }
        // Control answers close their connection: once none is open, the answer to POST /kill has left.
        long deadline = System.nanoTime() + REPLY_WAIT.toNanos();
        while (connections.size() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        connections.stopSweeping();
    }
}
