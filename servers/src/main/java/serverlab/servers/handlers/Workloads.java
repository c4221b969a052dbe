package serverlab.servers.handlers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import com.google.gson.Gson;

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
 * GET /alloc?mb=N           allocates N MiB (at most 1024) and holds it until the answer: a request that needs
 *                           memory (an image to resize, a large result); in a small container it meets the limit
 * GET /delay?ms=N           answers N ms later without holding a thread where it can: our event loops
 *                           (event-loop, multi-reactor, event-loop-workers, nginx-style) set a timer and serve
 *                           other connections meanwhile (setTimeout); thread and process servers have no loop to
 *                           wait in, so the handling thread sleeps (iis-style's request thread; netty's loop)
 * GET /file?name=F          file F from the data directory (disk read); no paths, no traversal; typed by its
 *                           extension (.html .txt .json .js .css .svg .png .webmanifest), so a small web app can be served
 * GET /file-counts          how often /file served each name, as JSON: the requests that reached the server
 * GET /stats                the server's counters as JSON
 * POST /echo                the request body, back
 * GET /pause?ms=N           stalls the server for N ms: every request waits at a gate until then (this
 *                           one answers at once); the stall that coordinated omission hides. In a
 *                           multi-process server it stalls the one worker process that received it
 * GET /counter              increments this process's counter and returns it, with the pid, as JSON: each
 *                           worker process of a multi-process server counts on its own
 * GET /crash                ends the handling process abruptly (multi-process workers, hosted servers);
 *                           in the kernel's own JVM it answers 500 instead
 * GET /page?resources=N&amp;ms=M  after M ms, HTML referencing N resources {@code /resource/i?ms=M}
 * GET /resource/I?ms=M      after M ms, a small body (a page's image or script)
 * </pre>
 *
 * GET endpoints accept HEAD too; other methods get 405, unknown paths 404.
 */
public final class Workloads implements Handler {

    public static final int MAX_BYTES = 64 << 20;
    public static final long MAX_ITERATIONS = 2_000_000_000L;
    public static final long MAX_SLEEP_MS = 60_000;
    public static final long MAX_ALLOC_MB = 1024;
    public static final String HELLO_TEXT = "Hello, world!\n";
    public static final int MAX_RESOURCES = 1000;
    public static final String CRASH_REFUSED = "/crash would end this JVM, the notebook kernel itself; "
            + "run it on a hosted server (HostedServer.start) or a multi-process one (prefork, nginx-style, iis-style)";

    /** Whether /crash may end this process: only in processes that exist to serve (workers, hosted servers). */
    private static volatile boolean crashEndsProcess;

    private static final Response HELLO = Response.text(Status.OK, HELLO_TEXT);
    private static final Response INDEX = Response.text(Status.OK, """
            ServerLab workloads:
              GET /hello  GET /bytes?n=N  GET /cpu?iterations=N  GET /sleep?ms=N  GET /delay?ms=N  GET /alloc?mb=N
              GET /file?name=F  GET /file-counts  GET /stats  POST /echo
              GET /pause?ms=N  GET /counter  GET /crash  GET /page?resources=N&ms=M  GET /resource/I?ms=M
            """);
    private static final String GET_HEAD = "Allow: GET, HEAD\r\n";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String POST = "Allow: POST\r\n";

    private final Path dataDir;
    private final Supplier<ServerStats> stats;
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, LongAdder> filesServed = new ConcurrentHashMap<>();
    /** While {@code System.nanoTime()} is before this, every request waits (0: never paused). */
    private volatile long pausedUntilNanos;

    public Workloads(Path dataDir, Supplier<ServerStats> stats) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.stats = stats;
    }

    /**
     * Lets /crash end this process. Called by the programs whose process exists only to serve: the worker
     * processes of multi-process servers and the hosted-server JVM. Never in the notebook kernel.
     */
    public static void letCrashEndProcess() {
        crashEndsProcess = true;
    }

    /** Paths whose handler blocks or burns CPU: an event loop with helpers runs them off the loop. */
    public static boolean isBlocking(HttpRequest request) {
        return switch (request.path()) {
            case "/sleep", "/file", "/cpu", "/page" -> true;
            default -> request.path().startsWith("/resource/");
        };
    }

    @Override
    public Response handle(HttpRequest request) throws InterruptedException {
        boolean get = request.method().equals("GET") || request.method().equals("HEAD");
        try {
            if (request.path().equals("/pause")) {
                return get ? pause(request) : notAllowed(GET_HEAD);
            }
            awaitEndOfPause();
            if (request.path().startsWith("/resource/")) {
                return get ? resource(request) : notAllowed(GET_HEAD);
            }
            return switch (request.path()) {
                case "/hello" -> get ? HELLO : notAllowed(GET_HEAD);
                case "/bytes" -> get ? bytes(request) : notAllowed(GET_HEAD);
                case "/cpu" -> get ? cpu(request) : notAllowed(GET_HEAD);
                case "/sleep" -> get ? sleep(request) : notAllowed(GET_HEAD);
                case "/alloc" -> get ? alloc(request) : notAllowed(GET_HEAD);
                case "/delay" -> get ? delay(request) : notAllowed(GET_HEAD);
                case "/file" -> get ? file(request) : notAllowed(GET_HEAD);
                case "/file-counts" -> get ? fileCounts() : notAllowed(GET_HEAD);
                case "/stats" -> get ? Response.json(stats.get().toJson()) : notAllowed(GET_HEAD);
                case "/counter" -> get ? counter() : notAllowed(GET_HEAD);
                case "/crash" -> get ? crash() : notAllowed(GET_HEAD);
                case "/page" -> get ? page(request) : notAllowed(GET_HEAD);
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

    /** One MiB array at a time, each written (so its pages are resident) and read back into the answer (so it is kept). */
    private static Response alloc(HttpRequest request) {
        int mb = (int) longParameter(request, "mb", 16, MAX_ALLOC_MB);
        byte[][] held = new byte[mb][];
        for (int i = 0; i < mb; i++) {
            held[i] = new byte[1 << 20];
            Arrays.fill(held[i], (byte) 1);
        }
        long sum = 0;
        for (byte[] mib : held) {
            sum += mib[mib.length - 1];
        }
        return Response.text(Status.OK, "allocated " + sum + " MiB\n");
    }

    private static Response delay(HttpRequest request) {
        long ms = longParameter(request, "ms", 100, MAX_SLEEP_MS);
        return Response.text(Status.OK, "delayed " + ms + " ms\n").dueIn(Duration.ofMillis(ms)); // no sleep here
    }

    private Response pause(HttpRequest request) {
        long ms = longParameter(request, "ms", 1000, MAX_SLEEP_MS);
        pausedUntilNanos = System.nanoTime() + ms * 1_000_000L;
        return Response.text(Status.OK, "paused for " + ms + " ms\n");
    }

    private void awaitEndOfPause() throws InterruptedException {
        long until = pausedUntilNanos;
        if (until == 0) {
            return;
        }
        long wait;
        while ((wait = until - System.nanoTime()) > 0) {
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        }
    }

    private Response counter() {
        return Response.json("{\"counter\":" + counter.incrementAndGet() + ",\"pid\":" + ProcessHandle.current().pid() + "}");
    }

    private static Response crash() {
        if (!crashEndsProcess) {
            return Response.error(Status.INTERNAL_ERROR, CRASH_REFUSED, false);
        }
        System.err.println("/crash: process " + ProcessHandle.current().pid() + " ends now, as asked");
        Runtime.getRuntime().halt(134); // no shutdown hooks, no goodbye to the client: a crash
        throw new AssertionError("halt returned");
    }

    private static Response page(HttpRequest request) throws InterruptedException {
        long resources = longParameter(request, "resources", 8, MAX_RESOURCES);
        long ms = longParameter(request, "ms", 0, MAX_SLEEP_MS);
        Thread.sleep(ms);
        StringBuilder html = new StringBuilder("<!doctype html>\n<html><body><h1>A page of ")
                .append(resources).append(" resources</h1>\n");
        for (long i = 0; i < resources; i++) {
            html.append("<img src=\"/resource/").append(i).append("?ms=").append(ms).append("\">\n");
        }
        html.append("</body></html>\n");
        return new Response(Status.OK, HTML, ByteBuffer.wrap(html.toString().getBytes(StandardCharsets.UTF_8)), "", false);
    }

    private static Response resource(HttpRequest request) throws InterruptedException {
        String index = request.path().substring("/resource/".length());
        if (!index.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("resource index must be a number: " + index);
        }
        long ms = longParameter(request, "ms", 0, MAX_SLEEP_MS);
        Thread.sleep(ms);
        return Response.text(Status.OK, "resource " + index + "\n");
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
            filesServed.computeIfAbsent(name, n -> new LongAdder()).increment();
            return Response.bytes(contentType(name), ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (IOException e) {
            return Response.error(Status.NOT_FOUND, name + " (" + e.getClass().getSimpleName() + ")", false);
        }
    }

    private Response fileCounts() {
        Map<String, Long> counts = new TreeMap<>();
        filesServed.forEach((name, count) -> counts.put(name, count.sum()));
        return Response.json(new Gson().toJson(counts));
    }

    private static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "txt" -> Response.TEXT;
            case "html" -> HTML;
            case "json" -> Response.JSON;
            case "js" -> "text/javascript; charset=utf-8"; // a service worker must be served as JavaScript
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            case "webmanifest" -> "application/manifest+json";
            default -> Response.BINARY;
        };
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
