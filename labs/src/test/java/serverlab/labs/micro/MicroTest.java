package serverlab.labs.micro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

class MicroTest {

    @Test
    void quickRunReturnsOneRowPerBenchmarkAndTransport() {
        Table t = Micro.run("(ThreadStart|ContextSwitch|IpcLatency)\\..*", true);
        assertEquals(List.of("benchmark", "mode", "score", "error", "units"), t.columnNames());
        assertEquals(List.of(
                "ContextSwitch.platformThreads", "ContextSwitch.processesOverPipe", "ContextSwitch.virtualThreads",
                "IpcLatency.roundTrip[transport=PIPE]", "IpcLatency.roundTrip[transport=QUEUE]",
                "IpcLatency.roundTrip[transport=SHM]", "IpcLatency.roundTrip[transport=TCP]",
                "IpcLatency.roundTrip[transport=UNIX]",
                "ThreadStart.platformThread", "ThreadStart.virtualThread"), t.stringColumn("benchmark").asList());
        for (Row row : t) {
            double score = row.getDouble("score");
            assertTrue(score > 0 && Double.isFinite(score), t.print());
            assertEquals("us/op", row.getString("units"), t.print());
            assertEquals("avgt", row.getString("mode"), t.print());
        }
    }

    @Test
    void throughputIsReportedPerMebibyte() {
        Table t = Micro.run("IpcThroughput\\..*", true);
        assertEquals(5, t.rowCount(), t.print());
        for (Row row : t) {
            assertEquals("ops/s", row.getString("units"));
            assertTrue(row.getDouble("score") > 1, "more than 1 MiB/s on any transport: " + t.print());
        }
    }
}
