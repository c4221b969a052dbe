package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import serverlab.labs.cluster.DelayProxy.Link;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

class DelayProxyTest {

    private static final int CONNECTIONS = 50;
    private static final int REQUESTS_PER_CONNECTION = 10;
    private static final byte[] HELLO = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * 50 keep-alive connections at once, each timing GET /hello round trips (with think time between them): through a 20 ms one-way proxy the
     * median round trip is 40 ms longer than through a 0 ms proxy, within a few ms (the delay is not summed over
     * connections nor over chunks in flight). The 0 ms proxy is the baseline so that only the configured delay differs.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void addsTheConfiguredDelayToEachDirectionUnderFiftyConnections() throws Exception {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults());
             DelayProxy none = DelayProxy.start(server.address(), Link.delay(Duration.ZERO));
             DelayProxy proxy = DelayProxy.start(server.address(), Link.delay(Duration.ofMillis(20)))) {
            double baseline = median(roundTrips(none.address()));
            double proxied = median(roundTrips(proxy.address()));
            double added = proxied - baseline;
            assertTrue(added >= 39 && added <= 46, "added round trip " + added + " ms (0 ms proxy " + baseline + ", 20 ms proxy " + proxied + ")");
        }
    }

    /** Jitter spreads the round trips (± 10 ms each way) without reordering bytes: every response still parses. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jitterSpreadsRoundTrips() throws Exception {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults());
             DelayProxy proxy = DelayProxy.start(server.address(), Link.delay(Duration.ofMillis(20)).withJitter(Duration.ofMillis(10)))) {
            double[] ms = roundTrips(proxy.address());
            Arrays.sort(ms);
            double spread = ms[ms.length * 9 / 10] - ms[ms.length / 10];
            assertTrue(ms[0] >= 19, "no round trip faster than 2 × (20 - 10) ms: " + ms[0]);
            assertTrue(spread >= 5, "p90 - p10 = " + spread + " ms");
        }
    }

    /** A 1 MiB body through a 1 MiB/s link takes about a second (plus the request's way there). */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void limitsBandwidth() throws Exception {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults());
             DelayProxy proxy = DelayProxy.start(server.address(), Link.delay(Duration.ZERO).withBandwidth(1 << 20));
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String mebibyte = "/bytes?n=" + (1 << 20);
            for (int i = 0; i < 2; i++) { // warm up the server and the client (JIT): cold, 1 MiB takes ~50 ms more
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + mebibyte)).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            long start = System.nanoTime();
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.address().getPort() + mebibyte)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(1 << 20, response.body().length);
            assertTrue(seconds >= 0.98 && seconds <= 1.2, "1 MiB at 1 MiB/s took " + seconds + " s");
        }
    }

    /** A new connection pays the handshake: its first request takes two round trips, as after SYN, SYN-ACK. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNewConnectionPaysAHandshakeRoundTrip() throws Exception {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults());
             DelayProxy proxy = DelayProxy.start(server.address(), Link.delay(Duration.ofMillis(20)));
             Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            long start = System.nanoTime();
            socket.getOutputStream().write(HELLO);
            readResponse(socket.getInputStream());
            double ms = (System.nanoTime() - start) / 1e6;
            assertTrue(ms >= 79, "first request on a new connection took " + ms + " ms");
        }
    }

    /** Closing the proxy closes the connections through it. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closingTheProxyClosesItsConnections() throws Exception {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults());
             Socket socket = new Socket()) {
            DelayProxy proxy = DelayProxy.start(server.address(), Link.delay(Duration.ofMillis(1)));
            socket.connect(proxy.address());
            socket.getOutputStream().write(HELLO);
            readResponse(socket.getInputStream());
            proxy.close();
            socket.setSoTimeout(10_000);
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    /** Round trips of GET /hello in ms, {@link #REQUESTS_PER_CONNECTION} on each of {@link #CONNECTIONS} concurrent connections. */
    private static double[] roundTrips(InetSocketAddress address) throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<double[]>> each = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                each.add(clients.submit(() -> roundTripsOnOneConnection(address)));
            }
            double[] all = new double[0];
            for (Future<double[]> f : each) {
                double[] ms = f.get();
                int from = all.length;
                all = Arrays.copyOf(all, from + ms.length);
                System.arraycopy(ms, 0, all, from, ms.length);
            }
            return all;
        }
    }

    private static double[] roundTripsOnOneConnection(InetSocketAddress address) throws IOException, InterruptedException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(HELLO);
            readResponse(in); // the first pays the simulated handshake too
            double[] ms = new double[REQUESTS_PER_CONNECTION];
            for (int i = 0; i < ms.length; i++) {
                // think time: 50 connections in a closed loop would saturate the CPU and measure its queue, not the link
                Thread.sleep(ThreadLocalRandom.current().nextLong(50, 150));
                long start = System.nanoTime();
                out.write(HELLO);
                readResponse(in);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            return ms;
        }
    }

    /** Reads one response with a Content-Length body and checks it is /hello's. */
    private static void readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed mid-response: " + head);
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII).toLowerCase();
        int at = headers.indexOf("content-length:");
        int length = Integer.parseInt(headers.substring(at + 15, headers.indexOf("\r\n", at)).strip());
        String body = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
        if (!body.equals("Hello, world!\n")) throw new IOException("unexpected body: " + body);
    }

    private static double median(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
