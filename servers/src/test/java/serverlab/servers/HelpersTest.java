package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code event-loop-workers} runs blocking handlers on {@code helpers} threads: 6 sleeps finish in waves of that many. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelpersTest {

    private static final int JOBS = 6;
    private static final long SLEEP_MILLIS = 400;

    /** When each of 6 concurrent /sleep requests was answered, in ms since they were sent, in order. */
    private static long[] completionMillis(int helpers) throws Exception {
        try (Server server = Servers.start("event-loop-workers", ServerOptions.defaults().withHelpers(helpers))) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.address().getPort());
            List<RawHttp> connections = new ArrayList<>();
            try {
                for (int i = 0; i < JOBS; i++) connections.add(new RawHttp(address));
                long start = System.nanoTime();
                for (RawHttp http : connections) http.send(RawHttp.get("/sleep?ms=" + SLEEP_MILLIS));
                long[] done = new long[JOBS];
                for (int i = 0; i < JOBS; i++) {
                    assertEquals(200, connections.get(i).read(false).status());
                    done[i] = (System.nanoTime() - start) / 1_000_000;
                }
                Arrays.sort(done); // read in sending order, not completion order: an early one may wait behind a late one
                return done;
            } finally {
                for (RawHttp http : connections) http.close();
            }
        }
    }

    @Test
    void twoHelpersMakeThreeWaves() throws Exception {
        long[] done = completionMillis(2);
        for (int i = 0; i < JOBS; i++) {
            long wave = i / 2 + 1;
            assertTrue(done[i] >= wave * SLEEP_MILLIS - 20, "job " + i + " in wave " + wave + ": " + Arrays.toString(done));
        }
    }

    @Test
    void sixHelpersMakeOneWave() throws Exception {
        long[] done = completionMillis(JOBS);
        assertTrue(done[JOBS - 1] < 2 * SLEEP_MILLIS, "all in the first wave: " + Arrays.toString(done));
    }
}
