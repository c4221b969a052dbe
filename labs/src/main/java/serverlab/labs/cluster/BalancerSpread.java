package serverlab.labs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * How the balancer spreads the same load over the app servers under each policy: requests per server, counted
 * by the app servers themselves.
 *
 * <pre>{@code
 * Table t = BalancerSpread.run(cluster, "/api/items", 16, Duration.ofSeconds(2), Balancing.values());
 * }</pre>
 */
public final class BalancerSpread {

    private BalancerSpread() {
    }

    /**
     * Columns: {@code policy}, {@code server} ("app 1", …), {@code requests} (answered by that server during the run),
     * {@code share_pct} (of all the servers answered). The cluster keeps the last policy afterwards.
     */
    public static Table run(Cluster cluster, String path, int connections, Duration each, Balancing... policies) {
        StringColumn policy = StringColumn.create("policy"), server = StringColumn.create("server");
        LongColumn requests = LongColumn.create("requests");
        DoubleColumn share = DoubleColumn.create("share_pct");
        for (Balancing p : policies) {
            try {
                cluster.balancing(p);
            } catch (IOException e) {
                throw new UncheckedIOException("could not switch the balancer to " + p, e);
            }
            List<Long> before = cluster.requestsPerServer();
            LoadResult r = Load.closedLoop(cluster).path(path).connections(connections).duration(each).warmup(Duration.ZERO)
                    .progress(false).run();
            if (r.requests() == 0) throw new IllegalStateException("no request answered under " + p + ": " + r.summary());
            List<Long> after = cluster.requestsPerServer();
            List<Integer> running = cluster.running();
            long total = running.stream().mapToLong(i -> after.get(i) - before.get(i)).sum();
            for (int i : running) {
                long answered = after.get(i) - before.get(i);
                policy.append(p.label());
                server.append("app " + (i + 1));
                requests.append(answered);
                share.append(total == 0 ? 0 : 100.0 * answered / total);
            }
        }
        return Table.create("requests per app server by balancing policy, GET " + path, policy, server, requests, share);
    }
}
