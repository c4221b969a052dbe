package serverlab.servers.process;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingHttpConnection;
import serverlab.servers.core.Listeners;
import serverlab.servers.core.OpenConnections;
import serverlab.servers.core.ServerContext;

/**
 * Prefork, as Apache httpd's prefork MPM: {@code options.workers()} single-threaded processes started up front,
 * each serving one connection at a time and sleeping in {@code accept()} when idle; the supervisor replaces a
 * worker that dies. Apache's children share one inherited listening socket; Java cannot pass a socket to a
 * child, so each worker opens its own with SO_REUSEPORT, and the kernel picks the worker by a hash of the
 * client's address and port: a new connection can wait behind a busy worker while another one sleeps.
 *
 * <pre>
 * parent ({@link #start}):                       worker ({@link #main}):
 *   fork options.workers() worker JVMs             listen on the port (SO_REUSEPORT)
 *   when one dies: fork a new one (Supervisor)     loop: accept; converse until the connection ends
 *                                                  on stop: take in what is queued, then close
 * </pre>
 *
 * <p>Concurrency: {@code workers} connections served at once, one per process; no memory is shared, so a
 * crashing worker takes down only its own connection. Idle keep-alive connections hold a whole process.
 */
public final class PreforkServer extends MultiProcessServer {

    public static final String NAME = "prefork";

    private PreforkServer(ServerOptions options) throws IOException {
        super(NAME, options);
    }

    public static PreforkServer start(ServerOptions options) throws IOException {
        return startWorkers(new PreforkServer(options)); // fork the workers; the Supervisor re-forks any that dies
    }

    @Override
    protected Process launchWorker(int slot, ServerOptions workerOptions) throws IOException {
        return ChildJvm.start(Worker.jvmOptions(workerOptions), PreforkServer.class, List.of(workerOptions.toJson()));
    }

    /** Polling interval of accept: the longest a stopping, idle worker takes to notice. */
    private static final int ACCEPT_POLL_MS = 100;
    /** How long a stopping worker goes on taking in connections already queued on its socket. */
    private static final Duration TAKE_IN_QUEUED = Duration.ofMillis(100);

    /** One worker process: accept, converse until the connection ends, accept again. */
    public static void main(String[] args) throws IOException {
        ServerOptions options = Worker.options(args);
        ServerContext context = Worker.context(NAME, options);
        LongAdder requests = context.stats().requestCounter("pid " + ProcessHandle.current().pid());
        OpenConnections connection = new OpenConnections(); // at most one
        ServerSocket listener = Listeners.serverSocket(options, true); // SO_REUSEPORT: every worker listens on the port
        listener.setSoTimeout(ACCEPT_POLL_MS); // so that the loop notices a graceful stop while idle in accept

        WorkerLink link = WorkerLink.connect(() -> Worker.stats(context), drain -> {
            Worker.haltAfter(drain);
            context.startDraining();   // every answer from now on says Connection: close
            Thread.ofPlatform().daemon().start(() -> closeIdleAfter(Worker.idleGrace(drain), connection));
        }, () -> close(listener));
        link.ready();

        long stopAcceptingAt = Long.MAX_VALUE; // once draining: take in what is queued, for a moment, then stop
        while (System.nanoTime() < stopAcceptingAt) {
            if (context.draining() && stopAcceptingAt == Long.MAX_VALUE) {
                stopAcceptingAt = System.nanoTime() + TAKE_IN_QUEUED.toNanos();
                listener.setSoTimeout(1);
            }
            Socket client;
            try {
                client = listener.accept();
            } catch (SocketTimeoutException nothingQueued) {
                if (context.draining()) break;
                continue;
            } catch (IOException closedByUrgentStop) {
                break;
            }
            new BlockingHttpConnection(client, context, requests, connection).run();
        }
        close(listener); // a connection that arrives in the instant before this is reset (see Listeners)
        link.exit();
    }

    private static void closeIdleAfter(Duration grace, OpenConnections connection) {
        try {
            Thread.sleep(grace);
        } catch (InterruptedException e) {
            return;
        }
        connection.closeIdle();
    }

    private static void close(ServerSocket listener) {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
