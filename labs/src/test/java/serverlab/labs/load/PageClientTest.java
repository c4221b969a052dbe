package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import tech.tablesaw.api.Table;

class PageClientTest {

    /**
     * A page and 8 resources of 50 ms each: one client thread needs ≥ 9 × 50 ms; eight fetch all
     * resources at once, about 2 × 50 ms. Asserted: at least 2× faster (a lower bound on one side only).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void moreClientThreadsLoadAPageOfSlowResourcesFaster() {
        try (Server server = Servers.start("thread-per-connection", ServerOptions.defaults())) {
            Table t = PageClient.of(server).repeats(3).pageTimes("/page?resources=8&ms=50", 1, 8);
            String table = t.print();
            assertEquals(8, t.intColumn("resources").get(0), table);
            assertEquals(8, t.intColumn("resources").get(1), table);
            double one = t.doubleColumn("page_ms").get(0);
            double eight = t.doubleColumn("page_ms").get(1);
            assertTrue(one >= 450, "one thread fetches the page and 8 resources one after another: " + table);
            assertTrue(one >= 2 * eight, "eight threads fetch the resources at once: " + table);
        }
    }
}
