package serverlab.servers.reference;

import org.junit.jupiter.api.Test;
import serverlab.servers.ServerOptions;
import serverlab.servers.process.ServerHost;
import serverlab.servers.process.WorkerProcess;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NginxOrphanTest {

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void nginxDoesNotOutliveASigkilledJvm() throws Exception {
        assumeTrue(Files.isExecutable(NginxServer.binary()), "nginx is not installed (apt-get install nginx-light); skipping");
        WorkerProcess host = WorkerProcess.start(ServerHost.command("nginx", ServerOptions.defaults().withWorkers(2), List.of("-Xmx128m")).start());
        try {
            host.awaitReady(Duration.ofSeconds(30));
            List<Long> nginx = new ArrayList<>(host.stats(Duration.ofSeconds(5)).workerPids());
            ProcessHandle.of(nginx.get(0)).flatMap(ProcessHandle::parent).ifPresent(master -> nginx.add(master.pid()));
            assertEquals(3, nginx.size(), "master and 2 workers: " + nginx);
            nginx.forEach(pid -> assertTrue(alive(pid), "nginx process " + pid + " alive before the kill"));

            ProcessHandle.of(host.pid()).orElseThrow().destroyForcibly();   // SIGKILL: no shutdown hook, no close()
            host.awaitExit(Duration.ofSeconds(5));
            assertFalse(host.isAlive());

            List<Long> survivors = nginx;
            for (long deadline = System.nanoTime() + 5_000_000_000L; !survivors.isEmpty() && System.nanoTime() < deadline; ) {
                Thread.sleep(50);
                survivors = survivors.stream().filter(NginxOrphanTest::alive).toList();
            }
            assertEquals(List.of(), survivors, "nginx processes alive 5 s after their JVM was SIGKILLed");
        } finally {
            host.requestTermination();
            host.awaitExit(Duration.ofSeconds(5));
        }
    }

    @Test
    void closingStopsNginxAndItsGuard() throws Exception {
        assumeTrue(Files.isExecutable(NginxServer.binary()), "nginx is not installed (apt-get install nginx-light); skipping");
        long guards;
        NginxServer server = new NginxServer(ServerOptions.defaults().withWorkers(1));
        long master = server.pid();
        try (server) {
            guards = ProcessHandle.current().children().filter(p -> p.info().commandLine().orElse("").contains("serverlab-nginx-guard")).count();
            assertEquals(1, guards, "one guard per nginx");
        }
        assertFalse(alive(master), "nginx master still running after close()");
        for (long deadline = System.nanoTime() + 3_000_000_000L; System.nanoTime() < deadline; Thread.sleep(50)) {
            guards = ProcessHandle.current().descendants().filter(p -> p.info().commandLine().orElse("").contains("serverlab-nginx-guard")).count();
            if (guards == 0) break;
        }
        assertEquals(0, guards, "the guard outlived close()");
    }
}
