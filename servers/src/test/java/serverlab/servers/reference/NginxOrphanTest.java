package serverlab.servers.reference;

import org.junit.jupiter.api.Test;
import serverlab.servers.ServerOptions;
import serverlab.servers.process.ChildJvm;
import serverlab.servers.process.ServerHostMain;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        assumeTrue(Files.isExecutable(NginxServer.NGINX), "nginx is not installed (apt-get install nginx-light); skipping");
        Process host = ChildJvm.start(List.of("-Xmx128m", "-XX:+UseSerialGC"), ServerHostMain.class, List.of("nginx", "2"));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream in = host.getOutputStream();
            String portLine = out.readLine();
            assertTrue(portLine != null && portLine.startsWith("port "), "host said " + portLine);
            in.write("pid\nworkers\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            List<Long> nginx = new ArrayList<>();
            nginx.add(Long.parseLong(out.readLine().substring("pid ".length()).trim()));
            Arrays.stream(out.readLine().substring("workers".length()).trim().split(" "))
                    .filter(p -> !p.isEmpty()).map(Long::parseLong).forEach(nginx::add);
            assertEquals(3, nginx.size(), "master and 2 workers: " + nginx);
            nginx.forEach(pid -> assertTrue(alive(pid), "nginx process " + pid + " alive before the kill"));

            host.destroyForcibly();   // SIGKILL: no shutdown hook, no close()
            assertTrue(host.waitFor(5, TimeUnit.SECONDS));

            List<Long> survivors = nginx;
            for (long deadline = System.nanoTime() + 5_000_000_000L; !survivors.isEmpty() && System.nanoTime() < deadline; ) {
                Thread.sleep(50);
                survivors = survivors.stream().filter(NginxOrphanTest::alive).toList();
            }
            assertEquals(List.of(), survivors, "nginx processes alive 5 s after their JVM was SIGKILLed");
        } finally {
            host.destroyForcibly();
        }
    }

    @Test
    void closingStopsNginxAndItsGuard() throws Exception {
        assumeTrue(Files.isExecutable(NginxServer.NGINX), "nginx is not installed (apt-get install nginx-light); skipping");
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
