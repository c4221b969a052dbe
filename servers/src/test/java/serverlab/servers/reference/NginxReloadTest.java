package serverlab.servers.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import serverlab.servers.Reloadable.Reload;
import serverlab.servers.ServerOptions;
import serverlab.servers.process.ClientLoops;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NginxReloadTest {

    /**
     * Real nginx reloads on SIGHUP. Its old workers close idle keep-alive connections at once, so a client that
     * does not retry (RFC 9112 §9.3.1 lets it) can lose a request sent at that moment: counted and printed, not
     * asserted; nginx-style's {@code ReloadTest} asserts none is lost.
     */
    @Test
    void sighupStartsANewGenerationWithTheNewWorkerCount() throws Exception {
        assumeTrue(Files.isExecutable(NginxServer.binary()), "nginx is not installed; skipping");
        ServerOptions options = ServerOptions.defaults().withWorkers(2);
        try (NginxServer nginx = new NginxServer(options)) {
            List<Reload> reloads = new ArrayList<>();
            ClientLoops clients = ClientLoops.start(new InetSocketAddress("127.0.0.1", nginx.address().getPort()), 4, 4);
            try {
                Thread.sleep(300);
                for (int workers : new int[] {3, 1, 2}) {
                    reloads.add(nginx.reload(options.withWorkers(workers)));
                    Thread.sleep(300);
                }
            } finally {
                clients.close();
            }
            System.out.printf("nginx reloads under load: %d answered, %d failed %s, reloads %s%n",
                    clients.answered(), clients.failed(), clients.failures(), reloads);
            assertEquals(List.of(3, 1, 2), reloads.stream().map(r -> r.newWorkerPids().size()).toList());
            reloads.forEach(r -> assertTrue(Collections.disjoint(r.oldWorkerPids(), r.newWorkerPids()), r.toString()));
            assertEquals(3, nginx.reloads());
            assertEquals(2, nginx.options().workers());
            assertTrue(nginx.configuration().contains("worker_processes 2;"));
            assertTrue(clients.answered() > 100, "answered " + clients.answered());
        }
    }
}
