package serverlab.servers;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Which registry names the parameterized tests run against. */
final class TestServers {

    /** Production references: they are compared, not tested against our protocol rules. */
    static final Set<String> REFERENCES = Set.of("nginx", "netty", "jetty", "jetty-virtual");
    static final List<String> BUILT_IN = List.of("iterative", "thread-per-connection", "thread-pool", "virtual-threads",
            "event-loop", "multi-reactor", "event-loop-workers");

    private TestServers() {
    }

    /** Names tests register for themselves: not architectures. */
    static final String TEST_ONLY_PREFIX = "test-only-";

    /**
     * Every architecture: the built-in ones plus whatever providers registered (multi-process
     * ones). {@code -Dserverlab.architectures=a,b} narrows the run, {@code =builtin} to this module's own.
     */
    static Stream<String> architectures() {
        String only = System.getProperty("serverlab.architectures", "");
        if (only.equals("builtin")) return BUILT_IN.stream();
        if (!only.isEmpty()) return Stream.of(only.split(","));
        return Servers.names().stream().filter(name -> !REFERENCES.contains(name) && !name.startsWith(TEST_ONLY_PREFIX));
    }

    static boolean builtIn(String name) {
        return BUILT_IN.contains(name);
    }

    /** Concurrent clients for the load test: -Dserverlab.clients (built-ins), -Dserverlab.extraClients (provider-registered). */
    static int clients(String name) {
        if (name.equals("process-per-request")) return Integer.getInteger("serverlab.cgiClients", 20);
        return builtIn(name) ? Integer.getInteger("serverlab.clients", 200) : Integer.getInteger("serverlab.extraClients", 200);
    }

    /**
     * Requests per client: 50, except for process-per-request, which starts a JVM for every
     * request (~0.1 s of CPU each): 20 × 5 = 100 JVMs instead of 2,500 keeps it to seconds.
     */
    static int requestsPerClient(String name) {
        if (name.equals("process-per-request")) return Integer.getInteger("serverlab.cgiRequests", 5);
        return Integer.getInteger("serverlab.requests", 50);
    }
}
