package serverlab.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of servers by name, so notebooks can sweep architectures uniformly:
 * {@code Servers.start("thread-pool", ServerOptions.defaults().withThreads(4))}.
 *
 * <p>Three sources, listed in this order: the single-process architectures and reference
 * servers built into this module; every {@link ServerProvider} found by
 * {@link ServiceLoader} on the class path (the multi-process architectures live in
 * packages that depend on this one, so they announce themselves this way instead of
 * being named here: no dependency cycle); and names added at run time with
 * {@link #register}.
 */
public final class Servers {

    /** Starts a server; the returned server is already accepting connections. */
    @FunctionalInterface
    public interface Factory {
        Server start(ServerOptions options) throws IOException;
    }

    private static final Map<String, Factory> REGISTRY = new LinkedHashMap<>();
    private static boolean providersLoaded;

    static {
        BuiltIns.register(REGISTRY);
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
        Factory factory;
        synchronized (Servers.class) {
            loadProviders();
            factory = REGISTRY.get(name);
        }
        if (factory == null) {
            throw new IllegalArgumentException("unknown server \"" + name + "\"; valid names: " + String.join(", ", names()));
        }
        try {
            return factory.start(options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Every registered name: built-ins first, then providers, then run-time registrations. */
    public static synchronized List<String> names() {
        loadProviders();
        return List.copyOf(REGISTRY.keySet());
    }

    /** Adds or replaces a name. */
    public static synchronized void register(String name, Factory factory) {
        loadProviders();
        REGISTRY.put(name, factory);
    }

    private static void loadProviders() {
        if (providersLoaded) return;
        providersLoaded = true;
        for (ServerProvider provider : ServiceLoader.load(ServerProvider.class, classLoader())) {
            provider.servers().forEach(REGISTRY::putIfAbsent);
        }
    }

    // JShell and test runners may load this class through a different loader than the providers'.
    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Servers.class.getClassLoader();
    }
}
