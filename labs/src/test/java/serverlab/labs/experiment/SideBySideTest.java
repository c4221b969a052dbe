package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import serverlab.servers.ServerOptions;
import tech.tablesaw.api.Table;

class SideBySideTest {

    @Test
    void everyServerGetsEveryRoundAndKeepsItsBest() {
        try (HostedServer fast = HostedServer.start("event-loop", ServerOptions.defaults());
             HostedServer slow = HostedServer.start("event-loop", ServerOptions.defaults(), "-Xint")) {
            Map<String, HostedServer> servers = new LinkedHashMap<>();
            servers.put("compiled", fast);
            servers.put("interpreted", slow);
            Table table = SideBySide.measure(servers, load -> load.connections(4).path("/hello")
                    .warmup(Duration.ofMillis(300)).duration(Duration.ofMillis(700)).exactDurations(), 2);
            String shown = table.print();
            assertEquals(List.of("compiled", "interpreted"), table.stringColumn("server").asList(), shown);
            assertEquals(List.of(2, 2), table.intColumn("rounds").asList(), shown);
            for (int i = 0; i < 2; i++) {
                assertTrue(table.doubleColumn("rps").get(i) > 0 && table.doubleColumn("p99_ms").get(i) > 0, shown);
                assertTrue(table.doubleColumn("cpu_cores").get(i) > 0.05, "the hosted server's own CPU was measured: " + shown);
                assertEquals(1e6 * table.doubleColumn("cpu_cores").get(i) / table.doubleColumn("rps").get(i), table.doubleColumn("cpu_us_per_request").get(i), 1e-6, shown);
                double spread = table.doubleColumn("rps_spread").get(i);
                assertTrue(spread > 0 && spread <= 1, shown);
            }
            assertTrue(table.doubleColumn("rps").get(0) > table.doubleColumn("rps").get(1), "-Xint is slower: " + shown);
        }
    }

    @Test
    void noRoundsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SideBySide.measure(Map.of(), load -> load, 0));
    }
}
