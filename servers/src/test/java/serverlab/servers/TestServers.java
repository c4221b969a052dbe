package serverlab.servers;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import serverlab.servers.Servers.Family;
import serverlab.servers.Servers.Registration;

/** Which registry names the parameterized tests run against: read from {@link Servers#list()}, never listed here. */
public final class TestServers {

    /** Names tests register for themselves: not architectures. */
    public static final String TEST_ONLY_PREFIX = "test-only-";

    /** Families whose servers run in this JVM: one process, no children. */
    private static final Set<Family> IN_PROCESS = Set.of(Family.ITERATIVE, Family.THREADS, Family.EVENT_LOOPS);

    private TestServers() {
    }

    /**
     * Every registered architecture: references are compared, not tested against our protocol rules.
     * {@code -Dserverlab.architectures=a,b} narrows the run, {@code =in-process} to the single-process ones.
     */
    public static Stream<String> architectures() {
        String only = System.getProperty("serverlab.architectures", "");
        if (only.equals("in-process")) return inProcess().stream();
        if (!only.isEmpty()) return Stream.of(only.split(","));
        return registered(r -> r.family() != Family.REFERENCES).stream();
    }

    /** Every registered server, references included. */
    public static Stream<String> all() {
        return registered(r -> true).stream();
    }

    /** The architectures that run in this JVM (no worker or CGI processes). */
    public static List<String> inProcess() {
        return registered(r -> IN_PROCESS.contains(r.family()));
    }

    private static List<String> registered(java.util.function.Predicate<Registration> which) {
        return Servers.list().stream().filter(which).map(Registration::name)
                .filter(name -> !name.startsWith(TEST_ONLY_PREFIX)).toList();
    }

    /** Concurrent clients for the load test: -Dserverlab.clients (in-process), -Dserverlab.extraClients (multi-process). */
    static int clients(String name) {
        if (name.equals("process-per-request")) return Integer.getInteger("serverlab.cgiClients", 20);
        return inProcess().contains(name) ? Integer.getInteger("serverlab.clients", 200) : Integer.getInteger("serverlab.extraClients", 200);
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
