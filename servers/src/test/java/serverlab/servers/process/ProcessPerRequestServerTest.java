package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ProcessPerRequestServerTest extends ArchitectureContract {

    @Override
    protected String name() {
        return ProcessPerRequestServer.NAME;
    }

    // every request costs a JVM start (~0.1 s of CPU): 40 of them keep the test short
    @Override
    protected int clients() {
        return 8;
    }

    @Override
    protected int requestsPerClient() {
        return 5;
    }

    @Test
    void everyRequestIsServedByANewProcess() throws IOException {
        Set<String> pids = new HashSet<>();
        try (HttpTestClient client = new HttpTestClient(address())) {
            for (int i = 0; i < 5; i++) {
                String pid = client.get("/hello").header(CgiChild.SERVED_BY);
                assertNotEquals(null, pid);
                assertNotEquals(String.valueOf(server.pid()), pid);
                pids.add(pid);
            }
        }
        assertEquals(5, pids.size(), "pids: " + pids);
    }

    /** A long request, so a CGI child is alive when the parent is killed. */
    @Override
    protected void keepAWorkerBusy(InetSocketAddress address) throws IOException {
        HttpTestClient client = new HttpTestClient(address); // left open: dies with the killed parent
        client.write("GET /sleep?ms=30000 HTTP/1.1\r\nHost: x\r\n\r\n");
    }
}
