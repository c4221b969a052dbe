package serverlab.servers.hybrid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import serverlab.servers.ServerOptions;
import serverlab.servers.event.Offload;
import serverlab.servers.process.ChildJvm;
import serverlab.servers.process.MultiProcessServer;
import serverlab.servers.process.Worker;

/**
 * nginx-style: a master process writes the configuration file and starts {@code options.workers()} worker
 * processes that read it, each a single-threaded event loop over a non-blocking Selector (nginx's
 * {@code worker_processes} with {@code listen … reuseport}; with {@code listener = "shared"}, nginx's default
 * without it). The master restarts a worker that dies; a graceful stop (nginx's SIGQUIT) makes every worker stop
 * accepting, finish what it has read, and exit; a {@link #reload} (nginx's SIGHUP) rewrites the configuration,
 * starts a new generation of workers, then stops the old one.
 * Handlers run on the loop thread, as in nginx: a slow one ({@code /sleep}) stalls every connection of that worker.
 *
 * <pre>
 * master ({@link #start}):                       worker ({@link #main}, via {@link ReactorWorker}):
 *   write the configuration                        read the configuration
 *   start options.workers() worker JVMs            listen on the port (SO_REUSEPORT), or inherit
 *                                                  the master's socket (listener "shared")
 *   when one dies: start a new one (Supervisor)    run the event-loop Reactor until told to stop
 *   reload: rewrite the configuration, start a
 *     new generation, then stop the old one
 * </pre>
 *
 * <p>Concurrency: {@code workers} processes, each one event loop: all cores busy, no shared memory
 * and no locks between workers; the kernel spreads new connections over the workers' sockets.
 */
public final class NginxStyleServer extends MultiProcessServer {

    public static final String NAME = "nginx-style";

    private final Path configFile;

    private NginxStyleServer(ServerOptions options) throws IOException {
        super(NAME, options);
        configFile = Files.createTempFile("serverlab-nginx-", ".conf");
        configFile.toFile().deleteOnExit();
    }

    public static NginxStyleServer start(ServerOptions options) throws IOException {
        return startWorkers(new NginxStyleServer(options)); // write the configuration, start the workers
    }

    /** The file the workers read (and re-read when restarted). */
    public Path configFile() {
        return configFile;
    }

    /** Before each generation of workers starts: at start-up and on {@link #reload}, as nginx's master re-reads nginx.conf. */
    @Override
    protected void configure(ServerOptions workerOptions) throws IOException {
        Files.writeString(configFile, workerOptions.toJson());
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
        ReactorWorker.run(NAME, options, Offload.NONE); // every handler runs on the loop thread, as in nginx
    }
}
