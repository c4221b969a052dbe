package serverlab.labs.exercise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import serverlab.labs.testing.CountingHttpServer;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

class CheckTest {

    /**
     * The test server answers 200 "hello" to everything, even HEAD and garbage: a typical
     * first student attempt. Check must pass what it does right and flag the rest.
     */
    @Test
    void flagsWhatANaiveServerGetsWrong() throws Exception {
        try (var naive = new CountingHttpServer()) {
            CheckReport report = Check.server("127.0.0.1:" + naive.address().getPort());
            List<Boolean> outcome = report.results().stream().map(CheckReport.Result::passed).toList();
            // GET, keep-alive, HEAD, pipelining, malformed, unknown path, load
            assertEquals(List.of(true, true, false, false, false, false, true), outcome, report.text());
            assertFalse(report.passed());
            assertEquals(4, report.failures());
            assertTrue(report.text().contains("hint:"), report.text());
            String html = report.mimeBundle().get("text/html");
            assertTrue(html.contains("<table>") && html.contains("404 Not Found"), html);
        }
    }

    /** 32 pool threads: more than the 20 keep-alive connections of the load check. */
    @Test
    void aLabServerPassesEveryCheck() {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults().withThreads(32))) {
            CheckReport report = Check.server(server);
            assertTrue(report.passed(), report.text());
            assertEquals(7, report.results().size());
        }
    }

    /** The classic pool mistake: 2 threads, 20 keep-alive connections → 18 connections starve. */
    @Test
    void aPoolSmallerThanTheConnectionCountFailsTheLoadCheck() {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults().withThreads(2))) {
            CheckReport report = Check.server(server);
            CheckReport.Result load = report.results().get(6);
            assertFalse(load.passed(), report.text());
            // Starved connections time out in a long run; in a quick run they are still unanswered at the end.
            assertTrue(load.observed().contains("timeout") || load.observed().matches(".*unanswered [1-9].*"), report.text());
        }
    }
}
