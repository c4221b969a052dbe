package serverlab.labs.load;

/** Why a request failed, as counted by the load generator. */
public enum ErrorKind {
    /** The TCP connection could not be established (refused, unreachable, or no SYN-ACK in time). */
    CONNECT,
    /** No complete response within the per-request timeout. */
    TIMEOUT,
    /** The server reset or closed the connection while a request was outstanding. */
    RESET,
    /** A complete response arrived with a status outside 200–299 (its latency is still recorded). */
    NON_2XX,
    /** The response could not be parsed as HTTP/1.1 (or uses chunked encoding, which we do not decode). */
    PROTOCOL;

    /** Lower-case name used in tables and reports: connect, timeout, reset, non_2xx, protocol. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
