package serverlab.servers.handlers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import serverlab.servers.ServerStats;
import serverlab.servers.http.Handler;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/**
 * The workloads every architecture serves, so differences in results come from the
 * architecture alone:
 *
 * <pre>
 * GET /hello                tiny response ("Hello, world!\n")
 * GET /bytes?n=N            N bytes of {@link Patterns} content (default 1024, at most 64 MiB)
 * GET /cpu?iterations=N     N rounds of xorshift, result in the body (CPU-bound)
 * GET /sleep?ms=N           blocks the handling thread N ms (a stand-in for a database call)
 * GET /file?name=F          file F from the data directory (disk read); no paths, no traversal
 * GET /stats                the server's counters as JSON
 * POST /echo                the request body, back
 * </pre>
 *
 * GET endpoints accept HEAD too; other methods get 405, unknown paths 404.
 */
public final class Workloads implements Handler {

    public static final int MAX_BYTES = 64 << 20;
    public static final long MAX_ITERATIONS = 2_000_000_000L;
    public static final long MAX_SLEEP_MS = 60_000;
    public static final String HELLO_TEXT = "Hello, world!\n";

    private static final Response HELLO = Response.text(Status.OK, HELLO_TEXT);
    private static final Response INDEX = Response.text(Status.OK, """
            ServerLab workloads:
              GET /hello  GET /bytes?n=N  GET /cpu?iterations=N  GET /sleep?ms=N
              GET /file?name=F  GET /stats  POST /echo
            """);
    private static final String GET_HEAD = "Allow: GET, HEAD\r\n";
    private static final String POST = "Allow: POST\r\n";

    private final Path dataDir;
    private final Supplier<ServerStats> stats;

    public Workloads(Path dataDir, Supplier<ServerStats> stats) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.stats = stats;
    }

    /** Paths whose handler blocks or burns CPU: an event loop with helpers runs them off the loop. */
    public static boolean isBlocking(HttpRequest request) {
        return switch (request.path()) {
            case "/sleep", "/file", "/cpu" -> true;
            default -> false;
        };
    }

    @Override
    public Response handle(HttpRequest request) throws InterruptedException {
        boolean get = request.method().equals("GET") || request.method().equals("HEAD");
        try {
            return switch (request.path()) {
                case "/hello" -> get ? HELLO : notAllowed(GET_HEAD);
                case "/bytes" -> get ? bytes(request) : notAllowed(GET_HEAD);
                case "/cpu" -> get ? cpu(request) : notAllowed(GET_HEAD);
                case "/sleep" -> get ? sleep(request) : notAllowed(GET_HEAD);
                case "/file" -> get ? file(request) : notAllowed(GET_HEAD);
                case "/stats" -> get ? Response.json(stats.get().toJson()) : notAllowed(GET_HEAD);
                case "/echo" -> request.method().equals("POST")
                        ? Response.bytes(Response.BINARY, ByteBuffer.wrap(request.body())) : notAllowed(POST);
                case "/" -> get ? INDEX : notAllowed(GET_HEAD);
                default -> Response.error(Status.NOT_FOUND, request.path(), false);
            };
        } catch (IllegalArgumentException e) { // bad query parameter
            return Response.error(Status.BAD_REQUEST, e.getMessage(), false);
        }
    }

    private static Response bytes(HttpRequest request) {
        long n = longParameter(request, "n", 1024, MAX_BYTES);
        return Response.bytes(Response.BINARY, Patterns.view((int) n));
    }

    private static Response cpu(HttpRequest request) {
        long iterations = longParameter(request, "iterations", 1000, MAX_ITERATIONS);
        return Response.text(Status.OK, "iterations=" + iterations + " result=" + Long.toHexString(spin(iterations)) + "\n");
    }

    /** The CPU workload: xorshift64 from a fixed seed, so the result is deterministic and cannot be optimized away. */
    public static long spin(long iterations) {
        long x = 0x9E3779B97F4A7C15L;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    private static Response sleep(HttpRequest request) throws InterruptedException {
        long ms = longParameter(request, "ms", 100, MAX_SLEEP_MS);
        Thread.sleep(ms);
        return Response.text(Status.OK, "slept " + ms + " ms\n");
    }

    private Response file(HttpRequest request) {
        String name = request.queryParameter("name");
        if (name == null || name.isEmpty()) return Response.error(Status.BAD_REQUEST, "missing ?name=", false);
        // Only plain names inside dataDir: no separators, no dot segments, no NUL, no symlinks out.
        if (name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
            return Response.error(Status.FORBIDDEN, "only plain file names are served", false);
        }
        Path file = dataDir.resolve(name).normalize();
        if (!file.startsWith(dataDir)) return Response.error(Status.FORBIDDEN, "outside the data directory", false);
        try {
            if (!Files.isRegularFile(file)) return Response.error(Status.NOT_FOUND, name, false);
            if (!file.toRealPath().startsWith(dataDir.toRealPath())) {
                return Response.error(Status.FORBIDDEN, "outside the data directory", false);
            }
            if (Files.size(file) > MAX_BYTES) return Response.error(Status.FORBIDDEN, "file larger than " + MAX_BYTES + " bytes", false);
            return Response.bytes(contentType(name), ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (IOException e) {
            return Response.error(Status.NOT_FOUND, name + " (" + e.getClass().getSimpleName() + ")", false);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".txt")) return Response.TEXT;
        if (name.endsWith(".html")) return "text/html; charset=utf-8";
        if (name.endsWith(".json")) return Response.JSON;
        return Response.BINARY;
    }

    private static long longParameter(HttpRequest request, String name, long defaultValue, long max) {
        String value = request.queryParameter(name);
        if (value == null) return defaultValue;
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer: " + value);
        }
        if (parsed < 0 || parsed > max) throw new IllegalArgumentException(name + " must be between 0 and " + max + ": " + value);
        return parsed;
    }

    private static Response notAllowed(String allow) {
        return Response.error(Status.METHOD_NOT_ALLOWED, "", false).withExtraHeaders(allow);
    }
}
