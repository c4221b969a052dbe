package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

class WrkTest {

    private static final String OUTPUT = """
            Running 1s test @ http://127.0.0.1:18777/
              1 threads and 2 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    22.95ms   19.50ms  90.35ms   82.35%
                Req/Sec    95.20     84.60   320.00     90.00%
              Latency Distribution
                 50%  815.00us
                 75%   36.81ms
                 90%   48.89ms
                 99%    1.20s
              100 requests in 1.07s, 748.05KB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 4
            Requests/sec:     93.74
            Transfer/sec:    701.25KB
            """;

    @Test
    void parsesThroughputPercentilesInTheirUnitsAndErrors() {
        Wrk.Result r = Wrk.parse(OUTPUT);
        assertEquals(93.74, r.requestsPerSecond());
        assertEquals(100, r.requests());
        assertEquals(0.815, r.p50Ms(), 1e-9);
        assertEquals(36.81, r.p75Ms());
        assertEquals(48.89, r.p90Ms());
        assertEquals(1200, r.p99Ms());
        assertEquals(7, r.errors());
    }

    @Test
    void refusesOutputItCannotRead() {
        assertThrows(IllegalStateException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void measuresARealServer() {
        assumeTrue(Wrk.available(), Wrk.missing());
        try (Server server = Servers.start("event-loop", ServerOptions.defaults())) {
            Wrk.Result r = Wrk.run(server, "/hello", 1, 4, Duration.ofSeconds(1));
            assertTrue(r.requests() > 100, r.output());
            assertEquals(0, r.errors(), r.output());
            assertEquals(server.stats().requests(), r.requests(), r.requests() * 0.05 + 10, "wrk's count vs the server's");
        }
    }
}
