package serverlab.servers.hybrid;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import serverlab.servers.ServerOptions;
import serverlab.servers.event.Offload;
import serverlab.servers.process.ChildJvm;
import serverlab.servers.process.MultiProcessServer;
import serverlab.servers.process.Worker;

/**
 * IIS-style, after an IIS application pool: {@code options.workers()} worker processes (w3wp.exe), each with a
 * pool of {@code options.threads()} threads behind a bounded queue of {@code options.queueCapacity()} requests;
 * a full queue answers 503, as IIS does when an application pool's queue is full. The supervisor plays WAS,
 * restarting a worker that dies. In each worker the event-loop {@code Reactor} plays HTTP.sys: it reads and
 * parses requests on every connection and queues each whole request to the pool; a pool thread runs the
 * handler and hands the answer back to the loop to send.
 *
 * <pre>
 * master ({@link #start}):                       worker ({@link #main}, via {@link ReactorWorker}):
 *   start options.workers() worker JVMs            listen on the port (SO_REUSEPORT), or inherit
 *                                                  the master's socket (listener "shared")
 *   when one dies: start a new one (Supervisor)    run the event-loop Reactor, every request offloaded to the pool
 * </pre>
 *
 * <p>Concurrency: per worker, I/O for every connection on one loop thread and at most {@code threads} handlers
 * at once; idle keep-alive connections hold no thread. A connection whose request is in the pool reads nothing
 * more until the answer is back, so pipelined answers stay in order.
 */
public final class IisStyleServer extends MultiProcessServer {

    public static final String NAME = "iis-style";

    private IisStyleServer(ServerOptions options) throws IOException {
        super(NAME, options);
    }

    public static IisStyleServer start(ServerOptions options) throws IOException {
        return startWorkers(new IisStyleServer(options)); // start the workers; the Supervisor restarts any that dies
    }

    @Override
    protected Process launchWorker(int slot, ServerOptions workerOptions) throws IOException {
        return ChildJvm.start(Worker.jvmOptions(workerOptions), IisStyleServer.class, List.of(workerOptions.toJson()));
    }

    /** One worker process: an event loop (HTTP.sys) queueing every parsed request to a fixed pool of request threads. */
    public static void main(String[] args) throws IOException {
        ServerOptions options = Worker.options(args);
        BlockingQueue<Runnable> queue = options.queueCapacity() == 0
                ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(options.queueCapacity());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(options.threads(), options.threads(), 0, TimeUnit.SECONDS, queue,
                Thread.ofPlatform().name("request-", 1).factory()); // full queue: execute() throws, the loop answers 503
        ReactorWorker.run(NAME, options, Offload.everyRequest(pool));
    }
}
