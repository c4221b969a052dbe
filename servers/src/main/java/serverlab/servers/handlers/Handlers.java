package serverlab.servers.handlers;

import java.util.function.Supplier;

import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.http.Handler;

/**
 * The handler a server runs: the {@link Workloads}, or the application class named by the {@code handler} option
 * in front of them. An application (a shop API over a database, say) is a public {@link Handler} with a public
 * constructor taking the workloads as its fallback, so every architecture serves it unchanged and paths it does
 * not know still reach {@code /hello}, {@code /stats}, {@code /crash}.
 */
public final class Handlers {

    private Handlers() {
    }

    public static Handler of(ServerOptions options, Supplier<ServerStats> stats) {
        Workloads workloads = new Workloads(options.dataDir(), stats);
        if (options.handler().isEmpty()) {
            return workloads;
        }
        try {
            return Class.forName(options.handler()).asSubclass(Handler.class)
                    .getConstructor(Handler.class).newInstance(workloads);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException("handler " + options.handler()
                    + " must be a public Handler class with a public (Handler fallback) constructor on the class path", e);
        }
    }
}
