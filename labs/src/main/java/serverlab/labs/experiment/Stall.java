package serverlab.labs.experiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import serverlab.servers.Server;

/**
 * A server stall on a timer, for coordinated-omission experiments: after {@code delay}, a
 * background thread sends {@code GET /pause?ms=N}, and the server stops answering anything for
 * N ms (every request waits at a gate; see the servers' {@code Workloads}). Start it, then run the
 * load in the same cell:
 *
 * <pre>{@code
 * try (Stall stall = Stall.after(server, Duration.ofSeconds(2), Duration.ofSeconds(1))) {
 *     LoadResult open = Load.openLoop(server).rate(1000).duration(Duration.ofSeconds(5)).run();
 * }
 * }</pre>
 *
 * In a multi-process server only the worker that receives the request stalls.
 */
public final class Stall implements AutoCloseable {

    private final Thread thread;
    private final CompletableFuture<Integer> status = new CompletableFuture<>();

    private Stall(InetSocketAddress address, Duration delay, Duration length) {
        InetSocketAddress target = address.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), address.getPort()) : address;
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("stalls are for loopback servers only: " + address);
        }
        thread = new Thread(() -> {
            try {
                Thread.sleep(delay);
                status.complete(pause(target, length));
            } catch (InterruptedException e) {
                status.cancel(false);
            } catch (IOException | RuntimeException e) {
                status.completeExceptionally(e);
            }
        }, "stall-trigger");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stalls {@code server} for {@code length}, {@code delay} from now. */
    public static Stall after(Server server, Duration delay, Duration length) {
        return new Stall(server.address(), delay, length);
    }

    public static Stall after(InetSocketAddress address, Duration delay, Duration length) {
        return new Stall(address, delay, length);
    }

    private static int pause(InetSocketAddress target, Duration length) throws IOException {
        try (Socket socket = new Socket(target.getAddress(), target.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /pause?ms=" + length.toMillis() + " HTTP/1.1\r\nHost: "
                    + target.getAddress().getHostAddress() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (statusLine == null || statusLine.split(" ").length < 2) {
                throw new IOException("no HTTP answer to /pause: " + statusLine);
            }
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    /** Waits until the stall was triggered and returns the status the server answered (200), or throws why not. */
    public int awaitTriggered(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the stall was not triggered: " + e.getCause(), e.getCause());
        }
    }

    /** Cancels the stall if it has not been triggered yet. */
    @Override
    public void close() {
        if (!status.isDone()) {
            thread.interrupt();
        }
    }
}
