package serverlab.servers.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import serverlab.servers.core.AbstractServer;
import serverlab.servers.reference.NginxServer;

/**
 * {@code java -jar servers.jar event-loop --port 8080}: starts one server by name, prints
 * where it listens, and stops gracefully on SIGTERM/Ctrl-C (or via the control port).
 */
@Command(name = "servers", mixinStandardHelpOptions = true,
        description = "Starts one ServerLab server. Workloads: /hello /bytes?n= /cpu?iterations= /sleep?ms= /file?name= /stats")
public final class ServersCli implements Callable<Integer> {

    private static final ServerOptions DEFAULTS = ServerOptions.defaults();

    @Parameters(index = "0", arity = "0..1", description = "server name (see --list)")
    String name;

    @Option(names = "--list", description = "list the server names and exit")
    boolean list;

    @Option(names = "--bind", description = "bind address (default: ${DEFAULT-VALUE})")
    String bind = DEFAULTS.bindAddress();

    @Option(names = "--port", description = "port, 0 = any free one (default: ${DEFAULT-VALUE})")
    int port = DEFAULTS.port();

    @Option(names = "--workers", description = "event loops or worker processes (default: ${DEFAULT-VALUE})")
    int workers = DEFAULTS.workers();

    @Option(names = "--threads", description = "thread pool size (default: ${DEFAULT-VALUE})")
    int threads = DEFAULTS.threads();

    @Option(names = "--queue", description = "thread pool queue capacity (default: ${DEFAULT-VALUE})")
    int queue = DEFAULTS.queueCapacity();

    @Option(names = "--selector", description = "epoll or poll (default: ${DEFAULT-VALUE})")
    String selector = DEFAULTS.selector();

    @Option(names = "--max-connections", description = "(default: ${DEFAULT-VALUE})")
    int maxConnections = DEFAULTS.maxConnections();

    @Option(names = "--idle-timeout-ms", description = "(default: ${DEFAULT-VALUE})")
    long idleTimeoutMs = DEFAULTS.idleTimeout().toMillis();

    @Option(names = "--max-header-bytes", description = "(default: ${DEFAULT-VALUE})")
    int maxHeaderBytes = DEFAULTS.maxHeaderBytes();

    @Option(names = "--max-body-bytes", description = "(default: ${DEFAULT-VALUE})")
    long maxBodyBytes = DEFAULTS.maxBodyBytes();

    @Option(names = "--data-dir", description = "directory served by /file (default: generated sample files)")
    Path dataDir = DEFAULTS.dataDir();

    @Option(names = "--control-port", description = "control endpoint port, -1 off, 0 any (default: ${DEFAULT-VALUE})")
    int controlPort = DEFAULTS.controlPort();

    @Option(names = "--drain-timeout-ms", description = "graceful stop limit on SIGTERM (default: ${DEFAULT-VALUE})")
    long drainTimeoutMs = 10_000;

    @Override
    public Integer call() throws InterruptedException {
        if (list || name == null) {
            Servers.names().forEach(System.out::println);
            return list ? 0 : 2;
        }
        ServerOptions options = new ServerOptions(bind, port, workers, threads, queue, selector, maxConnections,
                Duration.ofMillis(idleTimeoutMs), maxHeaderBytes, maxBodyBytes, dataDir, controlPort);
        Server server = Servers.start(name, options);
        // Our hook stops it gracefully; Tracked's own hook would close it at once, in parallel.
        serverlab.servers.Tracked.unregister(server);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            server.stopGracefully(Duration.ofMillis(drainTimeoutMs));
            stopped.countDown();
        }, "sigterm-graceful-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        String control = switch (server) {
            case AbstractServer s -> s.controlAddress().map(a -> " control " + a).orElse("");
            case NginxServer n -> n.controlAddress() == null ? "" : " control " + n.controlAddress();
            default -> "";
        };
        System.out.println(server.name() + " listening on http://" + server.address().getHostString() + ":"
                + server.address().getPort() + " pid " + server.pid() + control);
        System.out.flush();
        if (server instanceof AbstractServer s) {
            s.awaitClosed(); // closed via the control endpoint; SIGTERM exits through the shutdown hook
            return 0;
        }
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        int exit = new CommandLine(new ServersCli()).execute(args);
        System.exit(exit);
    }
}
