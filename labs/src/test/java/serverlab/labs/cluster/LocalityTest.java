package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import tech.tablesaw.api.Table;

class LocalityTest {

    /**
     * Near 2 ms, far 30 ms one way, a cache that keeps answers for a minute: the near client's median round trip
     * is near's (≥ 4 ms, well under far's 60 ms), the far client's is far's; the far client reading from the near
     * cache gets near's median and reaches the origin once.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNearCacheGivesAFarClientNearLatency() {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults())) {
            Table t = Locality.compare(server, Duration.ofMillis(2), Duration.ofMillis(30), Duration.ofMinutes(1), "/hello", 40);
            String table = t.print();
            double near = t.doubleColumn("p50_ms").get(0);
            double far = t.doubleColumn("p50_ms").get(1);
            double cached = t.doubleColumn("p50_ms").get(2);
            assertTrue(near >= 4 && near < 30, table);
            assertTrue(far >= 60, table);
            assertTrue(cached >= 4 && cached < 30, table);
            assertTrue(t.doubleColumn("p99_ms").get(2) >= 60, "the one miss crosses the far link: " + table);
            assertEquals(40, t.longColumn("origin_requests").get(1), table);
            assertEquals(1, t.longColumn("origin_requests").get(2), table);
        }
    }

    /**
     * A page of 8 resources across a 20 ms link: one client thread pays a round trip per resource (≥ 8 × 40 ms),
     * eight pay about one; on the LAN both are fast.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void clientThreadsHideWanRoundTrips() {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults())) {
            Table t = Locality.pageLoads(server, Duration.ofMillis(20), "/page?resources=8", 1, 8);
            String table = t.print();
            double oneThread = t.doubleColumn("wan_page_ms").get(0);
            double eightThreads = t.doubleColumn("wan_page_ms").get(1);
            assertTrue(oneThread >= 9 * 40, table);
            assertTrue(eightThreads < oneThread / 2, table);
            assertTrue(t.doubleColumn("lan_page_ms").get(1) < eightThreads, table);
        }
    }
}
