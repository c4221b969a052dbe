package serverlab.servers.control;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

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
 * </pre>
 *
 * One request per connection, served by one daemon thread (an iterative server: control
 * traffic is rare). Works for any {@link Server}, including multi-process ones.
 */
public final class ControlEndpoint implements AutoCloseable {

    private static final Duration REPLY_WAIT = Duration.ofSeconds(2);

    private final Server server;
    private final ServerSocket listener;
    private final ServerContext context;
    private final LongAdder requests;
    private final OpenConnections connections = new OpenConnections();
    private Thread acceptor;

    private ControlEndpoint(Server server, ServerOptions options) throws IOException {
        this.server = server;
        this.listener = new ServerSocket(options.controlPort(), 16, InetAddress.getLoopbackAddress());
        this.context = new ServerContext("control", options, this::handle);
        this.requests = context.stats().worker("control");
    }

    /** Binds 127.0.0.1:{@code options.controlPort()} (0 = ephemeral) and starts serving. */
    public static ControlEndpoint start(Server server, ServerOptions options) throws IOException {
        ControlEndpoint endpoint = new ControlEndpoint(server, options);
        endpoint.acceptor = Thread.ofPlatform().daemon().name("control-" + server.name()).start(endpoint::acceptLoop);
        return endpoint;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The address and the token a client must present (the token is issued per start). */
    public ControlAddress controlAddress() {
        return new ControlAddress(address(), "");
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                new BlockingHttpConnection(socket, context, requests, connections).run();
            } catch (IOException e) {
                return; // listener closed
            }
        }
    }

    private Response handle(HttpRequest request) {
        Response response = switch (request.method() + " " + request.path()) {
            case "GET /stats" -> Response.json(server.stats().toJson());
            case "POST /stop" -> {
                String timeout = request.queryParameter("timeoutMs");
                Duration drain = Duration.ofMillis(timeout == null ? 10_000 : Long.parseLong(timeout));
                // On another thread: the stop closes this endpoint, and this thread must first answer.
                Thread.ofPlatform().daemon().name("control-stop").start(() -> server.stopGracefully(drain));
                yield Response.text(Status.ACCEPTED, "stopping gracefully within " + drain.toMillis() + " ms\n");
            }
            case "POST /kill" -> {
                Thread.ofPlatform().daemon().name("control-kill").start(server::close);
                yield Response.text(Status.ACCEPTED, "killing\n");
            }
            default -> switch (request.path()) {
                case "/stats", "/stop", "/kill" -> Response.error(Status.METHOD_NOT_ALLOWED, request.method(), false);
                default -> Response.error(Status.NOT_FOUND, request.path(), false);
            };
        };
        return new Response(response.status(), response.contentType(), response.body(), response.extraHeaders(), true);
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
        if (Thread.currentThread() != acceptor) {
            try {
                acceptor.join(REPLY_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
