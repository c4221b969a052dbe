package serverlab.servers.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header line in IMF-fixdate form (RFC 9110 §5.6.7, the RFC 1123 date with a
 * two-digit day), formatted at most once per second and shared by all threads.
 */
public final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** One immutable pair, swapped atomically when the second changes. */
    private record Cached(long second, byte[] headerLine) {
    }

    private static volatile Cached cached = format(System.currentTimeMillis() / 1000);

    private HttpDate() {
    }

    /** {@code "Date: Tue, 25 Nov 2026 12:00:00 GMT\r\n"} for the current second. Do not modify the array. */
    public static byte[] headerLine() {
        long second = System.currentTimeMillis() / 1000;
        Cached current = cached;
        if (current.second != second) {
            current = format(second);
            cached = current;
        }
        return current.headerLine;
    }

    /** The date value alone, e.g. {@code "Tue, 25 Nov 2026 12:00:00 GMT"}. */
    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    private static Cached format(long second) {
        String line = "Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(second)) + "\r\n";
        return new Cached(second, line.getBytes(StandardCharsets.US_ASCII));
    }
}
