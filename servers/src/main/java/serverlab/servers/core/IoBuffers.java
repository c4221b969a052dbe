package serverlab.servers.core;

/**
 * How many bytes every architecture moves per system call, so that their results differ by their concurrency
 * structure alone, not by buffer sizes (the sizes are Tomcat's defaults). Who owns the buffers is the
 * architecture's business: a blocking connection has its own pair, which its thread keeps while the connection
 * lives; an event loop has one pair shared by all its connections, since it serves one at a time.
 */
public final class IoBuffers {

    /** The most bytes one read asks for. */
    public static final int READ_BYTES = 8 * 1024;

    /** Responses are encoded into a buffer this large; a larger body goes out in writes of at most this many bytes. */
    public static final int WRITE_BYTES = 8 * 1024;

    private IoBuffers() {
    }
}
