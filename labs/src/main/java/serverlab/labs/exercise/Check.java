package serverlab.labs.exercise;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.servers.Server;
import serverlab.servers.Servers;

/**
 * Checks a student's (or any) server for HTTP/1.1 basics and a short load:
 *
 * <pre>{@code
 * Check.server(myServer)            // a running Server
 * Check.server("127.0.0.1:8080")    // anything listening there
 * Check.server("event-loop")        // a registered name: started, checked, stopped
 * }</pre>
 *
 * Checks: GET /hello is 200 with Content-Length; keep-alive serves two requests on one
 * connection; HEAD has no body; two pipelined requests are answered in order; a malformed
 * request gets 400; an unknown path gets 404; 2 s of load with 20 connections has no errors
 * and leaves no request unanswered. The load duration is scaled by quick mode once, inside
 * {@code LoadTest} (0.5 s in quick mode); the check's name states the duration actually run.
 */
public final class Check {

    private static final int TIMEOUT_MILLIS = 3_000;

    private Check() {
    }

    public static CheckReport server(Server server) {
        return run(server.address(), server.name() + " on " + server.address().getPort());
    }

    /** "host:port" checks what listens there; otherwise the name of a server to start. */
    public static CheckReport server(String target) {
        if (target.contains(":")) {
            int colon = target.lastIndexOf(':');
            String host = target.substring(0, colon).replace("http://", "");
            return run(new InetSocketAddress(host, Integer.parseInt(target.substring(colon + 1))), target);
        }
        try (Server started = Servers.start(target)) {
            return server(started);
        }
    }

    private static CheckReport run(InetSocketAddress address, String label) {
        List<CheckReport.Result> results = new ArrayList<>();
        results.add(getHello(address));
        results.add(keepAlive(address));
        results.add(head(address));
        results.add(pipelined(address));
        results.add(malformed(address));
        results.add(unknownPath(address));
        results.add(shortLoad(address));
        return new CheckReport(label, List.copyOf(results));
    }

    // ---- the checks ---------------------------------------------------------------------------

    private static CheckReport.Result getHello(InetSocketAddress address) {
        String name = "GET /hello → 200 with Content-Length";
        try (var c = new Connection(address)) {
            Response r = c.exchange(get("/hello"), false);
            boolean ok = r.status == 200 && r.headers.containsKey("content-length");
            return new CheckReport.Result(name, ok, r.summary(),
                    r.status != 200 ? "the /hello handler should answer 200 OK"
                            : "send a Content-Length header so the client knows where the body ends");
        } catch (IOException e) {
            return failed(name, e, "is the server listening and answering at all?");
        }
    }

    private static CheckReport.Result keepAlive(InetSocketAddress address) {
        String name = "keep-alive: two requests on one connection";
        try (var c = new Connection(address)) {
            Response first = c.exchange(get("/hello"), false);
            Response second = c.exchange(get("/hello"), false);
            boolean ok = first.status == 200 && second.status == 200;
            return new CheckReport.Result(name, ok, first.summary() + "; then " + second.summary(),
                    "after answering, keep reading the same connection for the next request "
                            + "(HTTP/1.1 connections stay open unless a side sends Connection: close)");
        } catch (IOException e) {
            return failed(name, e, "the connection was closed after the first response: loop over requests "
                    + "on a connection instead of closing it");
        }
    }

    private static CheckReport.Result head(InetSocketAddress address) {
        String name = "HEAD /hello → headers only, no body";
        try (var c = new Connection(address)) {
            Response head = c.exchange(request("HEAD", "/hello"), true);
            // If a body followed the HEAD response, it would be read as the start of the next response.
            Response next = c.exchange(get("/hello"), false);
            boolean ok = head.status == 200 && next.status == 200;
            return new CheckReport.Result(name, ok, head.summary() + "; next response " + next.summary(),
                    "a HEAD response has the same headers as GET (Content-Length included) but no body bytes");
        } catch (IOException e) {
            return failed(name, e, "a HEAD response must not carry a body; stray body bytes corrupt the next response");
        }
    }

    private static CheckReport.Result pipelined(InetSocketAddress address) {
        String name = "pipelining: two requests in one write, answered in order";
        try (var c = new Connection(address)) {
            c.send(get("/bytes?n=3") + get("/bytes?n=7"));
            Response first = c.read(false);
            Response second = c.read(false);
            boolean ok = first.status == 200 && second.status == 200 && first.body.length == 3 && second.body.length == 7;
            return new CheckReport.Result(name, ok, first.summary() + "; then " + second.summary(),
                    "bytes after the first request belong to the next one: keep them in your buffer, "
                            + "and answer requests in the order they arrived");
        } catch (IOException e) {
            return failed(name, e, "bytes after the first request belong to the next one: do not discard them");
        }
    }

    private static CheckReport.Result malformed(InetSocketAddress address) {
        String name = "malformed request → 400";
        try (var c = new Connection(address)) {
            Response r = c.exchange("THIS IS NOT HTTP\r\n\r\n", false);
            return new CheckReport.Result(name, r.status == 400, r.summary(),
                    "reject a request line that is not METHOD SP target SP HTTP/1.x with 400 Bad Request");
        } catch (IOException e) {
            return failed(name, e, "answer 400 Bad Request (then close) instead of dropping the connection silently");
        }
    }

    private static CheckReport.Result unknownPath(InetSocketAddress address) {
        String name = "unknown path → 404";
        try (var c = new Connection(address)) {
            Response r = c.exchange(get("/no-such-path"), false);
            return new CheckReport.Result(name, r.status == 404, r.summary(),
                    "paths without a handler should get 404 Not Found");
        } catch (IOException e) {
            return failed(name, e, "answer 404 Not Found for paths you do not handle");
        }
    }

    private static CheckReport.Result shortLoad(InetSocketAddress address) {
        Duration duration = Duration.ofSeconds(2); // LoadTest applies quick mode
        String name = "load: 2 s, 20 connections, no errors, none unanswered";
        try {
            LoadResult r = Load.closedLoop("http://" + address.getHostString() + ":" + address.getPort())
                    .connections(20).warmup(Duration.ZERO).duration(duration).path("/hello")
                    .timeout(Duration.ofSeconds(2)).progress(false).run();
            name = String.format(Locale.ROOT, "load: %s s, 20 connections, no errors, none unanswered",
                    new java.math.BigDecimal(r.duration().toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString());
            boolean ok = r.requests() > 0 && r.totalErrors() == 0 && r.unanswered() == 0;
            String observed = String.format(Locale.ROOT, "%,.0f req/s, p99 %.1f ms, errors %d%s, unanswered %d",
                    r.achievedRate(), r.p99Ms(), r.totalErrors(), r.totalErrors() == 0 ? "" : " " + r.errors(),
                    r.unanswered());
            return new CheckReport.Result(name, ok, observed,
                    "timeouts under concurrency often mean connections waiting for a worker: a pool of N threads "
                            + "serving keep-alive connections leaves connection N+1 unanswered until one closes; other "
                            + "causes are shared state without synchronisation or a too small connection limit or backlog");
        } catch (RuntimeException e) {
            return new CheckReport.Result(name, false, "load run failed: " + e.getMessage(), "");
        }
    }

    private static CheckReport.Result failed(String name, IOException e, String hint) {
        String observed = e instanceof SocketTimeoutException ? "no answer within " + TIMEOUT_MILLIS + " ms"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new CheckReport.Result(name, false, observed, hint);
    }

    private static String get(String path) {
        return request("GET", path);
    }

    private static String request(String method, String path) {
        return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    // ---- a minimal blocking HTTP client, strict enough to notice mistakes ----------------------

    private record Response(int status, Map<String, String> headers, byte[] body) {
        String summary() {
            return status + (headers.containsKey("content-length") ? ", Content-Length " + headers.get("content-length")
                    : ", no Content-Length") + ", " + body.length + " body bytes";
        }
    }

    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.connect(address, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        Response exchange(String request, boolean head) throws IOException {
            send(request);
            return read(head);
        }

        void send(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        Response read(boolean head) throws IOException {
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new IOException("expected a status line, got \"" + abbreviate(statusLine) + "\"");
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            String header;
            while ((header = line()) != null && !header.isEmpty()) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
                }
            }
            byte[] body = new byte[0];
            if (!head && headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if (!head && "close".equalsIgnoreCase(headers.get("connection"))) {
                body = in.readAllBytes();
            }
            return new Response(status, headers, body);
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                line.write(b);
                if (line.size() > 16 * 1024) {
                    throw new IOException("header line longer than 16 KiB");
                }
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }

        private static String abbreviate(String s) {
            return s.length() > 60 ? s.substring(0, 60) + "…" : s;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
