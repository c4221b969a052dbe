package serverlab.labs.micro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

class MicroTest {

    @Test
    void quickRunReturnsOneRowPerBenchmarkAndTransport() {
        PeerProcess.REPORTED_PIDS.clear();
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
        // every IpcLatency trial talked to a child process that sent its own pid over the transport
        assertEquals(EnumSet.allOf(Transport.class), EnumSet.copyOf(PeerProcess.REPORTED_PIDS.keySet()));
        long self = ProcessHandle.current().pid();
        PeerProcess.REPORTED_PIDS.forEach((transport, pid) -> assertNotEquals(self, pid, transport.name()));
    }

    @Test
    void everyTransportEchoesThroughAnotherProcess() throws Exception {
        long self = ProcessHandle.current().pid();
        for (Transport transport : Transport.values()) {
            Process child;
            try (PeerProcess peer = PeerProcess.echo(transport, 64)) {
                child = peer.process();
                assertNotEquals(self, peer.reportedPid(), transport.name());
                assertEquals(child.pid(), peer.reportedPid(), transport.name());
                byte[] message = new byte[64];
                byte[] reply = new byte[64];
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < message.length; i++) {
                        message[i] = (byte) (i * 31 + round);
                    }
                    peer.endpoint().write(message, message.length);
                    peer.endpoint().readFully(reply, reply.length);
                    assertArrayEquals(message, reply, transport.name());
                }
            }
            assertTrue(child.waitFor(5, TimeUnit.SECONDS), transport + " peer still running after close");
            assertFalse(child.isAlive());
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
