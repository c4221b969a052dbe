package serverlab.servers.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.core.BlockingHttpConnection;
import serverlab.servers.core.Listeners;
import serverlab.servers.core.OpenConnections;
import serverlab.servers.core.ServerContext;
import serverlab.servers.core.ServerLifecycle;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/**
 * Process per request, the CGI way (inetd and CGI servers forked per connection or request): for every request
 * the server starts a fresh JVM running {@link CgiChild}, passes the request in environment variables and stdin,
 * and relays what the child prints. No pool, no reuse: each response carries the cost of creating a process,
 * and its {@value CgiChild#SERVED_BY} header names a new pid. Java cannot hand a socket to a child, so this
 * process keeps the connection (one thread each) and the child sees only the request.
 *
 * <p>Limits: the children are this server's worker processes, so at most {@code workers} run at once;
 * up to {@code queueCapacity} more requests wait for one (as connections wait for a pool thread), and
 * beyond that a request is answered 503. A child that has not answered within the idle timeout (but
 * never less than {@link #MIN_CHILD_TIME}: a JVM start alone can take seconds on a loaded machine)
 * is killed and its request answered 504, as a proxy answers for a silent upstream.
 */
public final class ProcessPerRequestServer extends ServerLifecycle {

    public static final String NAME = "process-per-request";

    static final Duration MIN_CHILD_TIME = Duration.ofSeconds(10);

    private final ServerContext context;
    private final ServerSocket listener;
    private final OpenConnections connections = new OpenConnections();
    private final Set<Process> children = ConcurrentHashMap.newKeySet();
    private final LongAdder childrenStarted = new LongAdder();
    private final LongAdder requests;
    private final Semaphore admitted;      // children running plus requests waiting for one
    private final Semaphore childSlots;    // children running
    private final Duration childTimeLimit;
    private final ScheduledExecutorService childTimer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(NAME + "-child-timer").daemon().factory());

    @SuppressWarnings("this-escape") // runChild is only called once the acceptor runs, after construction
    private ProcessPerRequestServer(ServerOptions options) throws IOException {
        context = new ServerContext(NAME, options, this::runChild);
        requests = context.stats().requestCounter("relay");
        admitted = new Semaphore(options.workers() + options.queueCapacity());
        childSlots = new Semaphore(options.workers());
        childTimeLimit = options.idleTimeout().compareTo(MIN_CHILD_TIME) > 0 ? options.idleTimeout() : MIN_CHILD_TIME;
        listener = Listeners.serverSocket(options, false);
    }

    public static ProcessPerRequestServer start(ServerOptions options) throws IOException {
        ProcessPerRequestServer server = new ProcessPerRequestServer(options);
        Thread.ofPlatform().name(NAME + "-accept").daemon().start(server::acceptLoop);
        server.announce(options);
        return server;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            if (!context.admitsConnection()) {
                BlockingHttpConnection.refuse(client, context, context.connectionLimitReason());
                continue;
            }
            // one relay thread per connection; the work itself happens in the child processes
            BlockingHttpConnection connection = new BlockingHttpConnection(client, context, requests, connections);
            Thread.ofPlatform().name(NAME + "-relay").daemon().start(connection);
        }
    }

    /** Waits for a free child slot (503 if too many requests wait already) and runs the request in a child. */
    private Response runChild(HttpRequest request) throws IOException, InterruptedException {
        if (!admitted.tryAcquire()) {
            return Response.error(Status.SERVICE_UNAVAILABLE, "all " + context.options().workers() + " CGI children busy and "
                    + context.options().queueCapacity() + " requests queued", true);
        }
        try {
            childSlots.acquire();
            try {
                return runChildNow(request);
            } finally {
                childSlots.release();
            }
        } finally {
            admitted.release();
        }
    }

    /** Starts one child for one request, feeds it the request, returns its answer; kills it when late. */
    private Response runChildNow(HttpRequest request) throws IOException, InterruptedException {
        ProcessBuilder builder = ChildJvm.command(ChildJvm.FAST_START, CgiChild.class, List.of(context.options().dataDir().toString()));
        Map<String, String> env = builder.environment();
        env.clear(); // CGI children see the request, not the server's environment (think HTTP_PROXY)
        env.put(CgiChild.PARENT_PID, String.valueOf(ProcessHandle.current().pid()));
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("REQUEST_METHOD", request.method());
        env.put("REQUEST_URI", request.target());
        env.put("PATH_INFO", request.path());
        env.put("QUERY_STRING", request.query());
        env.put("SERVER_PROTOCOL", request.version());
        env.put("CONTENT_LENGTH", String.valueOf(request.body().length));
        for (HttpRequest.Header header : request.headers()) {
            env.putIfAbsent("HTTP_" + header.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_'), header.value());
        }
        Process child = builder.start();
        children.add(child);
        childrenStarted.increment();
        ScheduledFuture<?> kill = childTimer.schedule(child::destroyForcibly, childTimeLimit.toNanos(), TimeUnit.NANOSECONDS);
        try (OutputStream toChild = child.getOutputStream(); InputStream fromChild = child.getInputStream()) {
            byte[] output;
            try {
                toChild.write(request.body());
                toChild.flush();
                output = fromChild.readAllBytes();
            } catch (IOException brokenPipe) {
                if (!kill.isDone()) throw brokenPipe;
                output = new byte[0]; // killed before it read its request: answered as late below
            }
            if (!kill.cancel(false)) {
                child.waitFor(5, TimeUnit.SECONDS); // SIGKILL is asynchronous: answer once the child is gone
                return Response.error(Status.GATEWAY_TIMEOUT, "CGI child " + child.pid() + " did not answer within " + childTimeLimit.toMillis() + " ms", false);
            }
            child.waitFor(10, TimeUnit.SECONDS);
            return parseCgiOutput(output, request.isHead(), child);
        } finally {
            children.remove(child);
            child.destroyForcibly();
        }
    }

    // "Status: 200 OK\r\nContent-Type: …\r\nContent-Length: …\r\n…\r\n\r\nbody" → Response
    private static Response parseCgiOutput(byte[] output, boolean head, Process child) {
        String text = new String(output, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return Response.error(Status.INTERNAL_ERROR, "CGI child " + child.pid() + " answered no headers", false);
        }
        int status = Status.OK;
        String contentType = Response.BINARY;
        int contentLength = 0;
        StringBuilder extra = new StringBuilder();
        for (String line : text.substring(0, end).split("\r\n")) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon), value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else if (name.equalsIgnoreCase("Content-Type")) {
                contentType = value;
            } else if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Integer.parseInt(value); // the writer sets its own from the body; HEAD needs it
            } else {
                extra.append(name).append(": ").append(value).append("\r\n");
            }
        }
        // HEAD: the child sent no body; a placeholder of the announced length, which the writer never sends
        ByteBuffer body = head ? ByteBuffer.allocate(contentLength)
                : ByteBuffer.wrap(output, end + 4, output.length - end - 4).slice();
        return new Response(status, contentType, body, extra.toString(), false);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The CGI children running right now (one per request in progress). */
    @Override
    public List<Long> workerPids() {
        return children.stream().map(Process::pid).toList();
    }

    @Override
    public ServerStats stats() {
        ServerStats relay = context.stats().snapshot();
        return new ServerStats(relay.acceptedConnections(), relay.requests(), relay.activeConnections(), relay.errors(),
                Map.of("child processes started", childrenStarted.sum()));
    }

    @Override
    protected void drain(Duration timeout) {
        closeListener();
        context.startDraining(); // in-flight requests finish and answer with Connection: close
        connections.closeIdle();
    }

    @Override
    protected boolean quiescent() {
        return context.stats().activeConnections() == 0;
    }

    @Override
    protected void shutdown() {
        closeListener();
        connections.closeAll();
        connections.stopSweeping();
        childTimer.shutdownNow();
        children.forEach(Process::destroyForcibly);
    }

    private void closeListener() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
