package serverlab.servers.reference;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import serverlab.servers.ServerOptions;
import serverlab.servers.core.AbstractServer;
import serverlab.servers.core.Listeners;
import serverlab.servers.http.HttpRequest;

/**
 * {@code jetty} and {@code jetty-virtual}: Jetty 12, the production version of
 * {@code thread-pool} (a {@link QueuedThreadPool} of {@code threads} threads behind Jetty's
 * own selector threads) and of {@code virtual-threads} (the same pool configured to run
 * blocking handlers on virtual threads). Jetty parses; the handlers are ours.
 *
 * <p>Configured as Jetty's documentation describes an embedded HTTP/1.1 server: one
 * {@link ServerConnector} with Jetty's acceptor/selector counts for 2 cores, a {@link QueuedThreadPool},
 * a blocking handler (ours may sleep or read files; Jetty dispatches it to a pool thread), Jetty's
 * defaults for {@link HttpConfiguration} (Date header on), no version in the {@code Server} header.
 */
public final class JettyServer extends AbstractServer {

    /** Jetty takes acceptor and selector threads from the same pool: room for them on top of {@code threads}. */
    private static final int JETTY_OWN_THREADS = 4;

    private final org.eclipse.jetty.server.Server jetty;
    private final ServerConnector connector;
    private final AtomicInteger inFlight = new AtomicInteger();

    public static JettyServer platformThreads(ServerOptions options) throws IOException {
        return new JettyServer("jetty", options, false);
    }

    public static JettyServer virtualThreads(ServerOptions options) throws IOException {
        return new JettyServer("jetty-virtual", options, true);
    }

    private JettyServer(String name, ServerOptions options, boolean virtual) throws IOException {
        super(name, options);
        // Not Jetty's default pool (8 to 200 threads): on 2 cores, under load, it grew to 123 threads at 10
        // connections and 221 at 1000, for 0.67x nginx at 1000 vs 0.81x with this pool (2026-11-28, load ~30,
        // interleaved, 3 rounds); a bounded pool also keeps jetty the production version of thread-pool.
        int threads = options.threads() + JETTY_OWN_THREADS;
        QueuedThreadPool pool = new QueuedThreadPool(threads, threads);
        pool.setName(name);
        if (virtual) pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        jetty = new org.eclipse.jetty.server.Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(options.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        // 1 acceptor, 1 selector: what ServerConnector's own heuristic picks on 2 cores (2 selectors: 0.74x vs
        // 0.60x nginx at 100 connections, 0.64x vs 0.81x at 1000, within the spread), written out so the
        // thread budget above holds on bigger machines.
        connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(options.bindAddress());
        connector.setPort(options.port());
        connector.setAcceptQueueSize(Listeners.BACKLOG);
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                context.stats().connectionOpened();
            }

            @Override
            public void onClosed(Connection connection) {
                context.stats().connectionClosed();
            }
        });
        jetty.addConnector(connector);
        jetty.setHandler(new WorkloadHandler(name));
        try {
            jetty.start();
        } catch (Exception e) {
            shutdown();
            throw new IOException(name + " could not start: " + e, e);
        }
        announce();
    }

    /** Adapts Jetty's request to ours, runs the shared handler (blocking is fine here), writes the response. */
    private final class WorkloadHandler extends Handler.Abstract {

        private final String serverHeader;

        WorkloadHandler(String name) {
            super(InvocationType.BLOCKING); // tells Jetty to dispatch to a pool (or virtual) thread
            this.serverHeader = "ServerLab/" + name;
        }

        @Override
        public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) throws Exception {
            inFlight.incrementAndGet();
            try {
                List<HttpRequest.Header> headers = new ArrayList<>();
                for (HttpField field : request.getHeaders()) headers.add(new HttpRequest.Header(field.getName(), field.getValue()));
                ByteBuffer content = Content.Source.asByteBuffer(request);
                byte[] body = new byte[content.remaining()];
                content.get(body);
                String query = request.getHttpURI().getQuery();
                HttpRequest ours = new HttpRequest(request.getMethod(), request.getHttpURI().getPathQuery(),
                        request.getHttpURI().getPath(), query == null ? "" : query,
                        request.getConnectionMetaData().getHttpVersion().getVersion() % 10, headers, body, true);
                serverlab.servers.http.Response answer = context.handle(ours, context.stats().requestCounter(threadName()));
                response.setStatus(answer.status());
                response.getHeaders().put(HttpHeader.SERVER, serverHeader);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.bodyLength());
                if (context.draining() || answer.close()) response.getHeaders().put(HttpHeader.CONNECTION, "close");
                response.write(true, answer.body().duplicate(), callback);
            } finally {
                inFlight.decrementAndGet();
            }
            return true;
        }
    }

    // Virtual threads have no name: count them together.
    private static String threadName() {
        Thread current = Thread.currentThread();
        return current.isVirtual() ? "virtual-threads" : current.getName();
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    @Override
    protected boolean quiescent() {
        return inFlight.get() == 0;
    }

    @Override
    protected void drain() {
        connector.close(); // stop accepting; in-flight requests go on
    }

    @Override
    protected void shutdown() {
        try {
            jetty.stop();
        } catch (Exception e) {
            System.err.println("serverlab: stopping " + name() + ": " + e);
        }
    }
}
