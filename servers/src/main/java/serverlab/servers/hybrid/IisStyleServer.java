package serverlab.servers.hybrid;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingHttpConnection;
import serverlab.servers.core.OpenConnections;
import serverlab.servers.core.ServerContext;
import serverlab.servers.process.ChildJvm;
import serverlab.servers.process.MultiProcessServer;
import serverlab.servers.process.Worker;
import serverlab.servers.process.WorkerConfig;
import serverlab.servers.process.WorkerLink;

/**
 * IIS-style, after an IIS application pool: {@code options.workers()} worker processes (w3wp.exe), each with a
 * pool of {@code options.threads()} threads behind a bounded queue of {@code options.queueCapacity()}; a full
 * queue answers 503, as IIS does when an application pool's queue is full. The supervisor plays WAS, restarting
 * a worker that dies. HTTP.sys hands w3wp single requests; here a pool thread keeps a connection for all its
 * keep-alive requests, because the blocking connection code is shared with the thread-pool servers.
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
        return ChildJvm.start(Worker.jvmOptions(workerOptions), IisStyleServer.class, WorkerConfig.toLines(workerOptions));
    }

    /** One worker process: an accepting thread feeding a fixed pool of request threads. */
    public static void main(String[] args) throws IOException {
        ServerOptions options = Worker.options(args);
        ServerContext context = Worker.context(NAME, options);
        LongAdder requests = context.stats().worker("pid " + ProcessHandle.current().pid());
        OpenConnections connections = new OpenConnections();
        BlockingQueue<Runnable> queue = options.queueCapacity() == 0
                ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(options.queueCapacity());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(options.threads(), options.threads(), 0, TimeUnit.SECONDS, queue);
        ServerSocket listener = Worker.listenBlocking(options);

        WorkerLink link = WorkerLink.connect(() -> Worker.stats(context), drain -> {
            Worker.haltAfter(drain);
            context.startDraining();   // busy connections end after their in-flight request
            connections.closeIdle();
            close(listener);
        }, () -> close(listener));
        link.ready();

        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closedByStop) {
                break;
            }
            if (!context.admitsConnection()) {
                BlockingHttpConnection.refuse(client, context, "too many connections");
                continue;
            }
            try {
                pool.execute(() -> new BlockingHttpConnection(client, context, requests, connections).run());
            } catch (RejectedExecutionException queueFull) {
                BlockingHttpConnection.refuse(client, context, "request queue full");
            }
        }
        pool.shutdown();
        try {
            pool.awaitTermination(1, TimeUnit.DAYS); // bounded by Worker.haltAfter
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.exit(0);
    }

    private static void close(ServerSocket listener) {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
