package serverlab.servers.process;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingHttpConnection;
import serverlab.servers.core.OpenConnections;
import serverlab.servers.core.ServerContext;

/**
 * Prefork, as Apache httpd's prefork MPM: {@code options.workers()} single-threaded processes started up front,
 * each serving one connection at a time and sleeping in {@code accept()} when idle; the supervisor replaces a
 * worker that dies. By default each worker opens its own socket with SO_REUSEPORT, and the kernel picks the
 * worker by a hash of the client's address and port: a new connection can wait behind a busy worker while another
 * one sleeps. With {@code listener = "shared"} the workers inherit the master's one socket, as Apache's children
 * do, and whichever worker is in {@code accept()} takes the next connection ({@link SharedListener}).
 *
 * <pre>
 * parent ({@link #start}):                       worker ({@link #main}):
 *   fork options.workers() worker JVMs             listen on the port (SO_REUSEPORT), or inherit the socket
 *   when one dies: fork a new one (Supervisor)     loop: accept; converse until the connection ends
 *                                                  on stop: serve what is queued on the socket, then exit
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

    /** One worker process: accept, converse until the connection ends, accept again. */
    public static void main(String[] args) throws IOException {
        ServerOptions options = Worker.options(args);
        ServerContext context = Worker.context(NAME, options);
        LongAdder requests = context.stats().requestCounter("pid " + ProcessHandle.current().pid());
        OpenConnections connection = new OpenConnections(); // at most one
        WakeableListener listener = WakeableListener.open(options); // its own (SO_REUSEPORT) or the master's, inherited

        WorkerLink link = WorkerLink.connect(() -> Worker.stats(context), drain -> {
            Worker.haltAfter(drain);
            context.startDraining();   // the current connection ends after its in-flight request
            connection.closeIdle();
            listener.stopAccepting();  // accept() hands out what is queued, then null; closing now would reset them
        }, listener::close);
        link.ready();

        for (Socket client; (client = listener.accept()) != null; ) { // sleeps in the kernel's accept() while idle
            new BlockingHttpConnection(client, context, requests, connection).run();
        }
        listener.close(); // a connection completing its handshake in the instant before this is reset (see Listeners)
        link.exit();
    }
}
