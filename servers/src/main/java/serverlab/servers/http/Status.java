package serverlab.servers.http;

import java.nio.charset.StandardCharsets;

/** Status codes used by the servers, with their reason phrases and pre-encoded status lines. */
public final class Status {

    public static final int OK = 200, ACCEPTED = 202,
            BAD_REQUEST = 400, UNAUTHORIZED = 401, FORBIDDEN = 403, NOT_FOUND = 404, METHOD_NOT_ALLOWED = 405,
            REQUEST_TIMEOUT = 408, CONTENT_TOO_LARGE = 413, URI_TOO_LONG = 414,
            HEADER_FIELDS_TOO_LARGE = 431, INTERNAL_ERROR = 500, NOT_IMPLEMENTED = 501,
            SERVICE_UNAVAILABLE = 503, GATEWAY_TIMEOUT = 504, VERSION_NOT_SUPPORTED = 505;

    private static final byte[][] STATUS_LINES = new byte[600][];

    private Status() {
    }

    public static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }

    /** {@code "HTTP/1.1 200 OK\r\n"}, encoded once per status. */
    static byte[] statusLine(int status) {
        if (status < 100 || status >= 600) throw new IllegalArgumentException("status " + status);
        byte[] line = STATUS_LINES[status];
        if (line == null) {
            line = ("HTTP/1.1 " + status + " " + reason(status) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            STATUS_LINES[status] = line; // benign race: every thread computes the same bytes
        }
        return line;
    }
}
