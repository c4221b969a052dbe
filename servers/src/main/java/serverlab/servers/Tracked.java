package serverlab.servers;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Process-wide list of things that must not outlive their creator: every started
 * {@link Server} registers itself and unregisters on close. The kernel calls
 * {@link #closeAll()} when it restarts or shuts down; a JVM shutdown hook does the same,
 * so child processes (nginx, worker JVMs) are stopped when the JVM exits normally.
 */
public final class Tracked {

    private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private Tracked() {
    }

    public static synchronized void register(AutoCloseable resource) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(Tracked::closeAll, "serverlab-tracked-close"));
            hookInstalled = true;
        }
        OPEN.add(resource);
    }

    public static synchronized void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    /** Resources currently registered, oldest first. */
    public static synchronized List<AutoCloseable> open() {
        return List.copyOf(OPEN);
    }

    /**
     * Closes every registered resource, newest first; a failure is reported on stderr and
     * does not stop the others from closing.
     *
     * @return how many resources were closed
     */
    public static int closeAll() {
        List<AutoCloseable> newestFirst;
        synchronized (Tracked.class) {
            newestFirst = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        java.util.Collections.reverse(newestFirst);
        for (AutoCloseable resource : newestFirst) {
            try {
                resource.close();
            } catch (Exception | Error e) {
                System.err.println("serverlab: closing " + resource + " failed: " + e);
            }
        }
        return newestFirst.size();
    }
}
