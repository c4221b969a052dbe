package serverlab.servers.hybrid;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.ServerContext;
import serverlab.servers.process.ChildJvm;
import serverlab.servers.process.MultiProcessServer;
import serverlab.servers.process.Worker;
import serverlab.servers.process.WorkerLink;

/**
 * IIS-style, after an IIS application pool: {@code options.workers()} worker processes (w3wp.exe), each with a
 * pool of {@code options.threads()} threads behind a bounded queue of {@code options.queueCapacity()} requests;
 * a full queue answers 503, as IIS does when an application pool's queue is full. The supervisor plays WAS,
 * restarting a worker that dies. One thread per request: in each worker an event loop plays HTTP.sys, reading
 * and parsing requests on every connection and queueing each whole request to the pool; a pool thread runs the
 * handler and hands the answer back to the loop to send. Idle keep-alive connections hold no thread.
 */
public final class IisStyleServer extends MultiProcessServer {

    public static final String NAME = "iis-style";

    private IisStyleServer(ServerOptions options) throws IOException {
        super(NAME, options);
    }

    public static IisStyleServer start(ServerOptions options) throws IOException {
        return startWorkers(new IisStyleServer(options));
    }

    @Override
    protected Process launchWorker(int slot, ServerOptions workerOptions) throws IOException {
        return ChildJvm.start(Worker.jvmOptions(workerOptions), IisStyleServer.class, List.of(workerOptions.toJson()));
    }

    /** One worker process: an event loop (HTTP.sys) feeding parsed requests to a fixed pool of request threads. */
    public static void main(String[] args) throws IOException {
        ServerOptions options = Worker.options(args);
        ServerContext context = Worker.context(NAME, options);
        LongAdder requests = context.stats().worker("pid " + ProcessHandle.current().pid());
        BlockingQueue<Runnable> queue = options.queueCapacity() == 0
                ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(options.queueCapacity());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(options.threads(), options.threads(), 0, TimeUnit.SECONDS, queue);
        ServerSocketChannel listener = Worker.listenNonBlocking(options);
        EventLoopConnection.Loop loop = new EventLoopConnection.Loop(Selector.open(), context, requests, pool);

        WorkerLink link = WorkerLink.connect(() -> Worker.stats(context), drain -> {
            Worker.haltAfter(drain);
            loop.requestStop(); // in-flight requests are answered (Connection: close), idle connections closed
        }, () -> { }); // on SIGTERM the kernel closes the sockets at exit
        link.ready();

        loop.run(listener);
        System.exit(0);
    }
}
