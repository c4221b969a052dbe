package serverlab.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The registry of servers by name, so notebooks can sweep architectures uniformly:
 * {@code Servers.start("thread-pool", ServerOptions.defaults().withThreads(4))}.
 *
 * <p>One list, in this order: the architectures and reference servers of this module ({@code BuiltIns});
 * every {@link ServerProvider} found by {@link ServiceLoader} on the class path (servers from other jars);
 * and servers added at run time with {@link #register}. {@link #list()} and {@link #table()} show it.
 */
public final class Servers {

    /** Starts a server; the returned server is already accepting connections. */
    @FunctionalInterface
    public interface Factory {
        Server start(ServerOptions options) throws IOException;
    }

    /** How a server is concurrent, for grouping in tables and charts. */
    public enum Family {
        ITERATIVE, THREADS, EVENT_LOOPS, PROCESSES, HYBRIDS, REFERENCES;

        /** {@code EVENT_LOOPS} → {@code "event loops"}. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /** One row of the registry: the name to start it by, its family, what it does in one line, how to start it. */
    public record Registration(String name, Family family, String summary, Factory factory) {
    }

    private static final Map<String, Registration> REGISTRY = new LinkedHashMap<>();
    private static boolean providersLoaded;

    static {
        BuiltIns.ALL.forEach(Servers::put);
    }

    private Servers() {
    }

    public static Server start(String name) {
        return start(name, ServerOptions.defaults());
    }

    /**
     * Starts the server registered under {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the valid ones)
     * @throws UncheckedIOException     if the server cannot bind or start
     */
    public static Server start(String name, ServerOptions options) {
        Registration registration;
        synchronized (Servers.class) {
            loadProviders();
            registration = REGISTRY.get(name);
        }
        if (registration == null) {
            throw new IllegalArgumentException("unknown server \"" + name + "\"; valid names: " + String.join(", ", names()));
        }
        try {
            return registration.factory().start(options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Every registration: built-ins first, then providers, then run-time registrations. */
    public static synchronized List<Registration> list() {
        loadProviders();
        return List.copyOf(REGISTRY.values());
    }

    /** Every registered name, in {@link #list()} order. */
    public static List<String> names() {
        return list().stream().map(Registration::name).toList();
    }

    /** The registry as a table (name, family, summary), for a notebook cell. */
    public static Table table() {
        List<Registration> all = list();
        return Table.create("Servers",
                StringColumn.create("name", all.stream().map(Registration::name).toList()),
                StringColumn.create("family", all.stream().map(r -> r.family().toString()).toList()),
                StringColumn.create("summary", all.stream().map(Registration::summary).toList()));
    }

    /** Adds or replaces a server. */
    public static synchronized void register(Registration registration) {
        loadProviders();
        put(registration);
    }

    /** Adds or replaces a server from a notebook cell: {@code Servers.register("mine", Family.THREADS, "…", MyServer::new)}. */
    public static void register(String name, Family family, String summary, Factory factory) {
        register(new Registration(name, family, summary, factory));
    }

    private static void put(Registration registration) {
        REGISTRY.put(registration.name(), registration);
    }

    private static void loadProviders() {
        if (providersLoaded) return;
        providersLoaded = true;
        List<Registration> provided = new ArrayList<>();
        for (ServerProvider provider : ServiceLoader.load(ServerProvider.class, classLoader())) {
            provided.addAll(provider.servers());
        }
        provided.forEach(r -> REGISTRY.putIfAbsent(r.name(), r));
    }

    // JShell and test runners may load this class through a different loader than the providers'.
    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Servers.class.getClassLoader();
    }
}
