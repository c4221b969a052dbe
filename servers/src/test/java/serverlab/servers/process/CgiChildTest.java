package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import serverlab.servers.handlers.SampleData;

class CgiChildTest {

    /** A child writes nothing of its own: no sample data directory per request (it would never be deleted). */
    @Test
    void answersOneRequestAndLeavesNoFilesBehind(@TempDir Path tmp) throws Exception {
        ProcessBuilder cgi = ChildJvm.command(List.of("-Djava.io.tmpdir=" + tmp), CgiChild.class,
                List.of(SampleData.directory().toString()));
        cgi.environment().putAll(Map.of(CgiChild.PARENT_PID, Long.toString(ProcessHandle.current().pid()),
                "REQUEST_METHOD", "GET", "REQUEST_URI", "/hello", "PATH_INFO", "/hello", "SERVER_PROTOCOL", "HTTP/1.1"));
        Process child = cgi.start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertTrue(output.startsWith("Status: 200"), output);
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
