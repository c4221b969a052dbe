package serverlab.labs.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately small HTTP/1.1 server for load-generator tests: one virtual thread per
 * connection (so hundreds of connections are fine), keep-alive and pipelining, and a
 * pluggable {@link Behaviour} that can delay responses to simulate slow or stalled servers.
 * It counts every request it answers, per path, so tests can compare counts exactly.
 *
 * <p>Paths: {@code /hang} never answers; {@code /missing} answers 404; {@code /close}
 * answers with {@code Connection: close}; anything else answers 200 "hello".
 */
public final class CountingHttpServer implements AutoCloseable {

    /** Decides how long to hold the response to the n-th request (1-based). */
    @FunctionalInterface
    public interface Behaviour {
        long delayMillis(long requestNumber, long nowNanos);
    }

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Behaviour behaviour;
    private final AtomicLong requests = new AtomicLong();
    private final Map<String, AtomicLong> perPath = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    public CountingHttpServer() throws IOException {
        this((n, now) -> 0);
    }

    public CountingHttpServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.listener = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    /** Delays every {@code every}-th request by {@code delayMillis}. */
    public static Behaviour delayEvery(long every, long delayMillis) {
        return (n, now) -> n % every == 0 ? delayMillis : 0;
    }

    /**
     * Stalls once: the first request arriving {@code afterMillis} after the first request
     * starts a stall of {@code stallMillis}, during which every response is held back.
     */
    public static Behaviour stallOnce(long afterMillis, long stallMillis) {
        AtomicLong firstRequestNanos = new AtomicLong();
        AtomicLong stallEndNanos = new AtomicLong();
        return (n, now) -> {
            firstRequestNanos.compareAndSet(0, now);
            if (stallEndNanos.get() == 0 && now - firstRequestNanos.get() >= afterMillis * 1_000_000L) {
                stallEndNanos.compareAndSet(0, now + stallMillis * 1_000_000L);
            }
            long remaining = stallEndNanos.get() - now;
            return stallEndNanos.get() != 0 && remaining > 0 ? remaining / 1_000_000L : 0;
        };
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    public long requests() {
        return requests.get();
    }

    public long requests(String path) {
        AtomicLong n = perPath.get(path);
        return n == null ? 0 : n.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                threads.submit(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String path;
            while ((path = readRequestPath(in)) != null) {
                if (path.equals("/hang")) {
                    Thread.sleep(Long.MAX_VALUE);
                }
                long n = requests.incrementAndGet();
                perPath.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
                long delay = behaviour.delayMillis(n, System.nanoTime());
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                boolean close = path.equals("/close");
                String status = path.equals("/missing") ? "404 Not Found" : "200 OK";
                String body = path.equals("/missing") ? "not found" : "hello";
                out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length() + "\r\n"
                        + (close ? "Connection: close\r\n" : "") + "\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException | InterruptedException gone) {
            // client went away or server closing
        } finally {
            open.remove(socket);
        }
    }

    /** Reads one request head and returns its path, or null at end of stream. */
    private static String readRequestPath(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            int len = head.length();
            if (len >= 4 && head.charAt(len - 1) == '\n' && head.charAt(len - 2) == '\r'
                    && head.charAt(len - 3) == '\n' && head.charAt(len - 4) == '\r') {
                String requestLine = head.substring(0, head.indexOf("\r\n"));
                String[] parts = requestLine.split(" ");
                return parts.length >= 2 ? parts[1] : "/";
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        threads.shutdownNow();
    }
}
