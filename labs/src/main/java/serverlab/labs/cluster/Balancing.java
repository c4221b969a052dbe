package serverlab.labs.cluster;

/** How the balancer (nginx's {@code upstream}) picks an app server for each request. */
public enum Balancing {
    /** Each server in turn (nginx's default). */
    ROUND_ROBIN(""),
    /** The server with the fewest requests in progress. */
    LEAST_CONN("least_conn;"),
    /** A hash of the client's address (its first three octets): one client, always the same server — sticky sessions. */
    IP_HASH("ip_hash;");

    final String directive;

    Balancing(String directive) {
        this.directive = directive;
    }

    /** The policy as a table or chart shows it: "round robin", "least conn", "ip hash". */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
