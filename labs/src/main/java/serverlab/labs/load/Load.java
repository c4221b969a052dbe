package serverlab.labs.load;

import java.net.URI;
import serverlab.servers.Server;

/**
 * Entry point of the load generator.
 *
 * <pre>{@code
 * LoadResult r = Load.closedLoop(server).connections(100).duration(Duration.ofSeconds(5)).path("/hello").run();
 * LoadResult o = Load.openLoop(server).rate(20_000).poisson().connections(200).run();
 * }</pre>
 *
 * <p><b>Closed loop</b> (what wrk does): N connections, each sending its next request when the
 * previous response arrives. The server sets the pace; when it stalls, the generator stalls
 * with it, so the stall hides from the percentiles (coordinated omission).
 *
 * <p><b>Open loop</b> (what wrk2 does, and what real users do): requests are due at a fixed
 * rate whatever the server does; latency counts from when each request <em>should</em> have
 * been sent, so a stall shows up in every request that had to wait.
 */
public final class Load {

    private Load() {
    }

    public static LoadTest closedLoop(URI target) {
        return new LoadTest(LoadWorker.Mode.CLOSED, target, null, null);
    }

    public static LoadTest closedLoop(String target) {
        return closedLoop(URI.create(withScheme(target)));
    }

    public static LoadTest closedLoop(Server server) {
        return new LoadTest(LoadWorker.Mode.CLOSED, null, server.address(), server);
    }

    public static LoadTest openLoop(URI target) {
        return new LoadTest(LoadWorker.Mode.OPEN, target, null, null);
    }

    public static LoadTest openLoop(String target) {
        return openLoop(URI.create(withScheme(target)));
    }

    public static LoadTest openLoop(Server server) {
        return new LoadTest(LoadWorker.Mode.OPEN, null, server.address(), server);
    }

    private static String withScheme(String target) {
        return target.contains("://") ? target : "http://" + target;
    }
}
