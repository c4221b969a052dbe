package serverlab.servers.http;

/**
 * A request the parser refuses, with the status to answer before closing the connection
 * (400, 408, 413, 414, 431, 501 or 505). The only exception {@link RequestParser} throws.
 */
public final class HttpParseException extends Exception {

    private final int status;

    public HttpParseException(int status, String message) {
        // No stack trace: bad input is an expected event, and attackers can make it frequent.
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    @Override
    public String toString() {
        return status + " " + Status.reason(status) + ": " + getMessage();
    }
}
