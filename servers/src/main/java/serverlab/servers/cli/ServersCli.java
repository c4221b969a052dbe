package serverlab.servers.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import serverlab.servers.Tracked;

/**
 * {@code java -jar servers.jar event-loop --port 8080 --control-port 0}: starts one server by name, prints
 * where it listens (and its control endpoint, token included), and runs until it is closed: by
 * {@code POST /kill} or {@code /stop} on the control endpoint, or gracefully on SIGTERM/Ctrl-C. Every
 * {@link ServerOptions} option is a flag ({@code idleTimeout} is {@code --idle-timeout 30s}).
 */
@Command(name = "servers", mixinStandardHelpOptions = true,
        description = "Starts one ServerLab server. Workloads: /hello /bytes?n= /cpu?iterations= /sleep?ms= /file?name= /stats")
public final class ServersCli implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "server name (see --list)")
    String name;

    @Option(names = "--list", description = "list the server names and exit")
    boolean list;

    @Option(names = "--drain-timeout-ms", description = "graceful stop limit on SIGTERM (default: ${DEFAULT-VALUE})")
    long drainTimeoutMs = 10_000;

    /** The command line: the options above plus one flag per {@link ServerOptions#OPTIONS} row. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ServersCli());
        for (ServerOptions.Option<?> option : ServerOptions.OPTIONS) {
            String defaultText = option.type() == Path.class ? "" : "; default " + option.format(option.defaultValue().get());
            cli.getCommandSpec().addOption(OptionSpec.builder(flag(option)).type(String.class)
                    .paramLabel(option.type().getSimpleName().toUpperCase(Locale.ROOT))
                    .description(option.description() + " (" + option.rule() + defaultText + ")").build());
        }
        return cli;
    }

    /** {@code maxHeaderBytes} → {@code --max-header-bytes}. */
    static String flag(ServerOptions.Option<?> option) {
        return "--" + option.name().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    private ServerOptions options() {
        ServerOptions options = ServerOptions.defaults();
        for (ServerOptions.Option<?> option : ServerOptions.OPTIONS) {
            String text = spec.findOption(flag(option)).getValue();
            if (text == null) continue;
            try {
                options = options.withText(option.name(), text);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), flag(option) + ": " + e.getMessage());
            }
        }
        return options;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (list || name == null) {
            Servers.names().forEach(System.out::println);
            return list ? 0 : 2;
        }
        Server server = Servers.start(name, options());
        // Our hook stops it gracefully; Tracked's own hook would close it at once, in parallel.
        Tracked.unregister(server);
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> server.stopGracefully(Duration.ofMillis(drainTimeoutMs)), "sigterm-graceful-stop"));
        System.out.println(server.name() + " listening on http://" + server.address().getHostString() + ":"
                + server.address().getPort() + " pid " + server.pid()
                + server.controlAddress().map(control -> " control " + control).orElse(""));
        System.out.flush();
        server.awaitClosed();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
