package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionTest {
    @TempDir
    Path dir;

    private static KernelConnectionProperties props(String transport, String ip) {
        return new KernelConnectionProperties(ip, 1, 2, 3, 4, 5, transport, "hmac-sha256", "key");
    }

    private List<String> files() throws Exception {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void ipcBindsASocketFileNamedIpDashPortPerChannelAndRemovesThemOnClose() throws Exception {
        try (Connection ignored = new Connection(props("ipc", dir.resolve("kernel-ipc").toString()))) {
            assertEquals(List.of("kernel-ipc-1", "kernel-ipc-2", "kernel-ipc-3", "kernel-ipc-4", "kernel-ipc-5"), files());
        }
        assertEquals(List.of(), files());
    }

    @Test
    void aSocketInUseStopsTheStartAndLeavesNoFilesOfItsOwn() throws Exception {
        KernelConnectionProperties props = props("ipc", dir.resolve("kernel-ipc").toString());
        Path heartbeat = dir.resolve("kernel-ipc-" + props.getHbPort());   // bound last
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(heartbeat));
            BindException inUse = assertThrows(BindException.class, () -> new Connection(props));
            assertTrue(inUse.getMessage().contains(heartbeat.toString()), inUse.getMessage());
            assertEquals(List.of(heartbeat.getFileName().toString()), files());
        }
    }

    @Test
    void anotherTransportIsRefusedByName() throws Exception {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new Connection(props("udp", dir.resolve("kernel").toString())));
        assertTrue(refused.getMessage().contains("'udp'"), refused.getMessage());
        assertEquals(List.of(), files());
    }
}
