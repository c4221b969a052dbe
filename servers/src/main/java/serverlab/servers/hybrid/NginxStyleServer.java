package serverlab.servers.hybrid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.ServerContext;
import serverlab.servers.process.ChildJvm;
import serverlab.servers.process.MultiProcessServer;
import serverlab.servers.process.Worker;
import serverlab.servers.process.WorkerLink;

/**
 * nginx-style: a master process writes the configuration file and starts {@code options.workers()} worker
 * processes that read it, each a single-threaded event loop over a non-blocking Selector (nginx's
 * {@code worker_processes} with {@code listen … reuseport}). The master restarts a worker that dies; a graceful
 * stop (nginx's SIGQUIT) makes every worker stop accepting, finish what it has read, and exit. Handlers run on
 * the loop thread, as in nginx: a slow one ({@code /sleep}) stalls every connection of that worker.
 */
public final class NginxStyleServer extends MultiProcessServer {

    public static final String NAME = "nginx-style";

    private final Path configFile;

    private NginxStyleServer(ServerOptions options) throws IOException {
        super(NAME, options);
        configFile = Files.createTempFile("serverlab-nginx-", ".json");
        configFile.toFile().deleteOnExit();
    }

    public static NginxStyleServer start(ServerOptions options) throws IOException {
        NginxStyleServer master = new NginxStyleServer(options);
        Files.writeString(master.configFile, options.withPort(master.address().getPort()).withControlPort(-1).toJson());
        return startWorkers(master);
    }

    /** The file the workers read (and re-read when restarted). */
    public Path configFile() {
        return configFile;
    }

    @Override
    protected Process launchWorker(int slot, ServerOptions workerOptions) throws IOException {
        return ChildJvm.start(Worker.jvmOptions(workerOptions), NginxStyleServer.class, List.of(configFile.toString()));
    }

    @Override
    protected void shutdown() {
        super.shutdown();
        try {
            Files.deleteIfExists(configFile);
        } catch (IOException e) {
            // deleteOnExit will try again
        }
    }

    /** One worker process: reads the configuration, then runs the event loop until told to stop. */
    public static void main(String[] args) throws IOException {
        ServerOptions options = ServerOptions.fromJson(Files.readString(Path.of(args[0])));
        ServerContext context = Worker.context(NAME, options);
        LongAdder requests = context.stats().worker("pid " + ProcessHandle.current().pid());
        ServerSocketChannel listener = Worker.listenNonBlocking(options);
        EventLoopConnection.Loop loop = new EventLoopConnection.Loop(Selector.open(), context, requests, null);

        WorkerLink link = WorkerLink.connect(() -> Worker.stats(context), drain -> {
            Worker.haltAfter(drain);
            loop.requestStop(); // the loop thread does the stopping: selectors are not for sharing
        }, () -> { }); // on SIGTERM the kernel closes the loop's sockets at exit
        link.ready();

        loop.run(listener);
        System.exit(0);
    }
}
