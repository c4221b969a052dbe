package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Connections opened at once, each with one slow request already written: a blocking worker serves one of them
 * at a time, the others wait in its socket's accept queue (their handshakes done, not yet accepted).
 */
public final class QueuedRequests implements AutoCloseable {

    private final List<HttpTestClient> clients = new ArrayList<>();

    private QueuedRequests() {
    }

    /** Opens {@code connections} connections to {@code address}, each sending {@code GET /sleep?ms=sleepMs}. */
    public static QueuedRequests send(InetSocketAddress address, int connections, int sleepMs) throws IOException {
        QueuedRequests queued = new QueuedRequests();
        try {
            for (int i = 0; i < connections; i++) {
                HttpTestClient client = new HttpTestClient(address);
                queued.clients.add(client);
                client.write("GET /sleep?ms=" + sleepMs + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            }
        } catch (IOException | RuntimeException e) {
            queued.close();
            throw e;
        }
        return queued;
    }

    /** Every connection gets its answer: none was reset or refused. */
    public void assertEveryOneAnswered() throws IOException {
        for (int i = 0; i < clients.size(); i++) {
            assertEquals(200, clients.get(i).read().status(), "answer on connection " + i + " of " + clients.size());
        }
    }

    @Override
    public void close() throws IOException {
        for (HttpTestClient client : clients) {
            client.close();
        }
    }
}
