package serverlab.labs.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import serverlab.servers.Server;

/**
 * Clients on a slow link: each of N keep-alive connections sends its request a few bytes at a time
 * (by default 8 bytes every 50 ms), waits for the whole response, and starts the next request, until
 * the run's duration is over. A thread-per-connection server gives each slow client a thread for as
 * long as it dribbles; an event loop does "partial processing of each task": it buffers the bytes
 * that arrived, goes on with other connections, and parses the request when its last byte is in.
 * Run it beside a normal load run to see which fast clients pay for the slow ones:
 *
 * <pre>{@code
 * try (SlowClients slow = SlowClients.to(server).connections(50).duration(Duration.ofSeconds(6)).start()) {
 *     LoadResult fast = Load.closedLoop(server).connections(10).duration(Duration.ofSeconds(4)).run();
 *     SlowClientsResult s = slow.stop();
 * }
 * }</pre>
 *
 * One platform thread per slow connection (they sleep nearly all the time). Loopback only, like the
 * load generator. {@link #start()} returns once every connection is open, so a request made after it
 * reaches the server behind all of them.
 */
public final class SlowClients implements AutoCloseable {

    private final Target target;
    private int connections = 10;
    private int chunkBytes = 8;
    private Duration pause = Duration.ofMillis(50);
    private String path = "/hello";
    private Duration duration = Duration.ofSeconds(10);
    private Duration timeout = Duration.ofSeconds(10);

    private final List<Client> clients = new ArrayList<>();
    private long deadline;
    private volatile boolean stopped;

    private SlowClients(Target target) {
        this.target = target;
    }

    public static SlowClients to(Server server) {
        return new SlowClients(Target.of(server.address(), false));
    }

    public static SlowClients to(InetSocketAddress address) {
        return new SlowClients(Target.of(address, false));
    }

    /** Slow connections, each with its own thread. Default 10. */
    public SlowClients connections(int n) {
        requireNotStarted();
        if (n < 1) throw new IllegalArgumentException("connections must be at least 1");
        connections = n;
        return this;
    }

    /** Bytes written at a time. Default 8. */
    public SlowClients chunkBytes(int n) {
        requireNotStarted();
        if (n < 1) throw new IllegalArgumentException("chunkBytes must be at least 1");
        chunkBytes = n;
        return this;
    }

    /** The pause after each chunk but the last. Default 50 ms. */
    public SlowClients pause(Duration d) {
        requireNotStarted();
        if (d.isNegative()) throw new IllegalArgumentException("pause must not be negative");
        pause = d;
        return this;
    }

    /** The request path. Default {@code /hello}. */
    public SlowClients path(String p) {
        requireNotStarted();
        if (!p.startsWith("/")) throw new IllegalArgumentException("path must start with /: " + p);
        path = p;
        return this;
    }

    /** How long the clients run; no request starts after it and a request still going is abandoned. Default 10 s. */
    public SlowClients duration(Duration d) {
        requireNotStarted();
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("duration must be positive");
        duration = d;
        return this;
    }

    /** Longest wait for a response once the request is sent; past it the request is an error. Default 10 s. */
    public SlowClients timeout(Duration d) {
        requireNotStarted();
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeout must be positive");
        timeout = d;
        return this;
    }

    /** The request every client sends, byte for byte. */
    public byte[] request() {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + target.hostHeader() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** How long sending one request takes: a pause between each two chunks. */
    public Duration dribbleTime() {
        int chunks = (request().length + chunkBytes - 1) / chunkBytes;
        return pause.multipliedBy(chunks - 1);
    }

    /** Opens every connection, then starts one thread per connection; the run ends after {@code duration}. */
    public SlowClients start() {
        requireNotStarted();
        deadline = System.nanoTime() + duration.toNanos();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket();
                clients.add(new Client(socket));
                socket.connect(target.address(), (int) timeout.toMillis());
                socket.setTcpNoDelay(true); // each chunk leaves as its own segment, not held back by Nagle
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("opened only " + (clients.size() - 1) + " of " + connections + " slow connections", e);
        }
        for (int i = 0; i < clients.size(); i++) {
            Client client = clients.get(i);
            client.thread = Thread.ofPlatform().daemon(true).name("slow-client-" + i).start(client::run);
        }
        return this;
    }

    /** Waits until the duration is over and every client has finished, then returns what they measured. */
    public SlowClientsResult result() throws InterruptedException {
        requireStarted();
        for (Client client : clients) {
            client.thread.join();
        }
        return summarize();
    }

    /** Ends the run now (requests in progress are abandoned, see {@link SlowClientsResult#unfinished()}) and returns what was measured. */
    public SlowClientsResult stop() {
        requireStarted();
        close();
        return summarize();
    }

    /** Stops every client, closes its socket and waits for its thread. */
    @Override
    public void close() {
        stopped = true;
        for (Client client : clients) {
            client.closeSocket(); // unblocks a client waiting in read
        }
        try {
            for (Client client : clients) {
                if (client.thread != null) client.thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SlowClientsResult summarize() {
        Histogram latency = new Histogram(3);
        Histogram afterSent = new Histogram(3);
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) errors.put(kind, 0L);
        long unfinished = 0;
        for (Client client : clients) {
            synchronized (client) {
                latency.add(client.latency);
                afterSent.add(client.afterSent);
                client.errors.forEach((kind, n) -> errors.merge(kind, n, Long::sum));
                unfinished += client.unfinished;
            }
        }
        return new SlowClientsResult(target.toString(), path, connections, chunkBytes, pause, request().length,
                dribbleTime(), duration, latency, afterSent, errors, unfinished);
    }

    private void requireNotStarted() {
        if (!clients.isEmpty() || stopped) throw new IllegalStateException("these slow clients have already started");
    }

    private void requireStarted() {
        if (clients.isEmpty()) throw new IllegalStateException("call start() first");
    }

    private long remainingNanos() {
        return deadline - System.nanoTime();
    }

    /** One slow connection: dribble a request, read the response, again, until the deadline. */
    private final class Client {
        private final Socket socket;
        private Thread thread;
        /** First byte sent → last byte of the response, and last byte sent → last byte of the response; µs. */
        private final Histogram latency = new Histogram(3);
        private final Histogram afterSent = new Histogram(3);
        private final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        private long unfinished;

        Client(Socket socket) {
            this.socket = socket;
        }

        void run() {
            byte[] request = request();
            ResponseReader reader;
            try {
                reader = new ResponseReader(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                while (!stopped && remainingNanos() > 0) {
                    long first = System.nanoTime();
                    if (!dribble(out, request)) {
                        count(null);
                        return;
                    }
                    long last = System.nanoTime();
                    int status = reader.next(Math.min(timeout.toNanos(), remainingNanos()));
                    long done = System.nanoTime();
                    synchronized (this) {
                        latency.recordValue((done - first) / 1000);
                        afterSent.recordValue((done - last) / 1000);
                    }
                    if (status < 200 || status > 299) count(ErrorKind.NON_2XX);
                    if (reader.connectionClose) return;
                }
            } catch (SocketTimeoutException e) {
                count(stopped || remainingNanos() <= 0 ? null : ErrorKind.TIMEOUT);
            } catch (ResponseParser.ProtocolException e) {
                count(ErrorKind.PROTOCOL);
            } catch (IOException e) {
                count(stopped ? null : ErrorKind.RESET);
            } catch (InterruptedException e) {
                count(null);
            } finally {
                closeSocket();
            }
        }

        /** Sends the request chunk by chunk; false if the run ended before the last chunk. */
        private boolean dribble(OutputStream out, byte[] request) throws IOException, InterruptedException {
            for (int from = 0; from < request.length; from += chunkBytes) {
                if (stopped || remainingNanos() <= 0) return false;
                out.write(request, from, Math.min(chunkBytes, request.length - from));
                out.flush();
                if (from + chunkBytes < request.length) Thread.sleep(pause);
            }
            return true;
        }

        /** An error of {@code kind}, or with {@code null} a request the end of the run cut short. */
        private synchronized void count(ErrorKind kind) {
            if (kind == null) unfinished++;
            else errors.merge(kind, 1L, Long::sum);
        }

        void closeSocket() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        /** Reads one whole response at a time from a keep-alive connection. */
        private final class ResponseReader {
            private final InputStream in;
            private final byte[] buffer = new byte[8192];
            private final ResponseParser parser = new ResponseParser(this::onResponse);
            private int status = -1;
            private boolean connectionClose;

            ResponseReader(InputStream in) {
                this.in = in;
            }

            private void onResponse(int status, boolean close) {
                this.status = status;
                this.connectionClose = close;
            }

            /** The status of the next complete response; waits at most {@code waitNanos}. */
            int next(long waitNanos) throws IOException, ResponseParser.ProtocolException {
                long until = System.nanoTime() + waitNanos;
                status = -1;
                while (status < 0) {
                    long left = until - System.nanoTime();
                    if (left <= 0) throw new SocketTimeoutException();
                    socket.setSoTimeout((int) ((left + 999_999) / 1_000_000)); // rounded up: never wakes before the deadline
                    int n = in.read(buffer);
                    if (n < 0) {
                        if (!parser.endOfStream()) throw new IOException("the server closed the connection before the response was complete");
                        break;
                    }
                    parser.feed(buffer, 0, n);
                }
                return status;
            }
        }
    }
}
