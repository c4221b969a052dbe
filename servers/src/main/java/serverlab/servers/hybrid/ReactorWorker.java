package serverlab.servers.hybrid;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

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

    private ReactorWorker() {
    }

    static void run(String architecture, ServerOptions options, Offload offload) throws IOException {
        ServerContext context = Worker.context(architecture, options);
        // SelectorProvider.provider() is poll(2) when the master started this JVM for it (Worker.jvmOptions)
        ServerSocketChannel listener = Listeners.channel(SelectorProvider.provider(), options, true); // SO_REUSEPORT
        Reactor loop = new Reactor("pid " + ProcessHandle.current().pid(), context, listener.provider(), listener, offload);

        WorkerLink link = WorkerLink.connect(() -> Worker.stats(context), drain -> {
            Worker.haltAfter(drain);
            loop.drain(); // the loop thread does the stopping: selectors are not for sharing
        }, () -> { }); // on SIGTERM the kernel closes the loop's sockets at exit
        link.ready();

        loop.run(); // until drained: stop accepting, answer what was read, close
        System.exit(0);
    }
}
