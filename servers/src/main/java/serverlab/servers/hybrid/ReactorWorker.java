package serverlab.servers.hybrid;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.Listeners;
import serverlab.servers.core.ServerContext;
import serverlab.servers.event.Offload;
import serverlab.servers.event.Reactor;
import serverlab.servers.process.Worker;
import serverlab.servers.process.WorkerLink;

/**
 * The main loop of one nginx-style or iis-style worker process: listen on the shared port and run
 * the same {@link Reactor} as {@code event-loop} on the main thread until the master says stop.
 */
final class ReactorWorker {

    /** How long a retiring worker keeps an idle keep-alive connection open for one more request. */
    private static final Duration IDLE_GRACE = Duration.ofSeconds(1);

    private ReactorWorker() {
    }

    static void run(String architecture, ServerOptions options, Offload offload) throws IOException {
        ServerContext context = Worker.context(architecture, options);
        ServerSocketChannel listener = Worker.listener(options); // its own (SO_REUSEPORT) or the master's, inherited
        Reactor loop = new Reactor("pid " + ProcessHandle.current().pid(), context, listener.provider(), listener, offload);
        if (options.sharedListener()) loop.acceptingOnePerWakeup(); // nginx's multi_accept off

        WorkerLink link = WorkerLink.connect(() -> Worker.stats(context), drain -> {
            Worker.haltAfter(drain);
            Thread.ofPlatform().daemon().name("retire").start(() -> retire(loop, listener, context, drain));
        }, () -> { }); // on SIGTERM the kernel closes the loop's sockets at exit
        link.ready();

        loop.run(); // until drained: stop accepting, answer what was read, close
        link.exit();
    }

    /**
     * A graceful stop (a reload or the server's stop) that loses no request, in three steps.
     * <ol>
     * <li>Stop listening without resetting anyone. The kernel resets the connections still queued on a listening
     *     socket when it closes, and the socket of a channel registered with a selector only closes at the loop's
     *     next select. So the loop first deregisters the listener; then this thread takes in what the kernel has
     *     queued and closes the socket at once, leaving a window of one system call: a connection whose handshake
     *     completes inside it is reset, unless the kernel migrates it to a sibling listener
     *     ({@link Listeners#kernelMigratesQueuedConnections()}). With a shared listener nobody is reset: the master
     *     and the other workers still hold the socket, and closing only drops this worker's reference.</li>
     * <li>Every answer from now on says {@code Connection: close}, so a busy keep-alive connection ends after its
     *     next request, and its client reconnects to a worker that still listens.</li>
     * <li>Only then close the connections that stayed idle: closing an idle keep-alive connection at once races
     *     with a client that is sending its next request on it (RFC 9112 §9.3.1), which would count as lost.</li>
     * </ol>
     */
    private static void retire(Reactor loop, ServerSocketChannel listener, ServerContext context, Duration drain) {
        context.startDraining();
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        loop.execute(() -> {
            listener.keyFor(loop.selector()).cancel(); // deregistered when the loop next selects
            cancelled.complete(null);
        });
        try {
            cancelled.join();
            while (listener.isRegistered()) Thread.sleep(1);
            for (SocketChannel queued; (queued = listener.accept()) != null; ) loop.adopt(queued);
            listener.close();
            long idleUntil = System.nanoTime() + Math.min(IDLE_GRACE.toNanos(), drain.toNanos() / 2);
            while (context.stats().activeConnections() > 0 && System.nanoTime() < idleUntil) Thread.sleep(5);
        } catch (IOException | InterruptedException e) {
            System.err.println("serverlab: worker " + ProcessHandle.current().pid() + " stops listening abruptly: " + e);
        }
        loop.drain(); // closes the connections still idle; the loop ends when none is left
    }
}
