package serverlab.labs.isolation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import serverlab.servers.Tracked;

/**
 * {@code hello_server.c}, the guest's server, run on the host at 127.0.0.1 so a round trip into the virtual
 * machine has a native one to be compared with: same binary, same client, no hypervisor in between.
 *
 * <pre>{@code
 * try (NativeCServer server = NativeCServer.start()) {
 *     double us = server.roundTripMicros(1000);
 * }
 * }</pre>
 */
public final class NativeCServer implements AutoCloseable {

    private final Process process;
    private final InetSocketAddress address;

    private NativeCServer(Process process, int port) {
        this.process = process;
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Builds the server for the host (once, cached) and starts it on a free loopback port. */
    public static NativeCServer start() {
        if (Executables.onPath(Emulation.Arch.HOST.compiler).isEmpty()) {
            throw new IllegalStateException("no C compiler: apt-get install gcc");
        }
        String binary = Executables.compiledStatic("hello_server.c", Emulation.Arch.HOST.compiler).toString();
        Process process;
        try {
            process = new ProcessBuilder(List.of(binary, "127.0.0.1", "0")).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (line == null || !line.startsWith("listening ")) {
                throw new IOException("it printed " + line + " instead of its port");
            }
            NativeCServer server = new NativeCServer(process, Integer.parseInt(line.substring("listening ".length()).strip()));
            Tracked.register(server);
            return server;
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw new IllegalStateException("hello_server did not start: " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code n} GET /hello requests over one keep-alive connection; the median round trip in microseconds. */
    public double roundTripMicros(int n) {
        return HelloClient.medianRoundTripMicros(address, n);
    }

    /** Stops the server (SIGTERM to its pid) and waits until it is gone. */
    @Override
    public void close() {
        Tracked.unregister(this);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "hello_server pid " + pid() + " on " + address;
    }
}
