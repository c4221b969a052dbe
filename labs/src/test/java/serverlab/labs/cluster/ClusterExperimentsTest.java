package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/** The chapter's cluster experiments on one H2 cluster: spread per policy, scaling, a crash under load, sessions. */
class ClusterExperimentsTest {

    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.builder().appServers(2).dataTier(DataTier.Kind.H2).start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void roundRobinSharesEvenlyIpHashSendsOneClientToOneServer() throws Exception {
        cluster.setAppServers(2);
        Table spread = BalancerSpread.run(cluster, "/api/items", 4, Duration.ofSeconds(1), Balancing.ROUND_ROBIN, Balancing.IP_HASH);
        assertEquals(4, spread.rowCount(), spread.print());
        for (Row row : spread) {
            double share = row.getDouble("share_pct");
            if (row.getString("policy").equals("round robin")) assertTrue(share > 40 && share < 60, spread.print());
            else assertTrue(share == 0 || share == 100, "ip hash, one client address: " + spread.print());
        }
        assertEquals(Balancing.IP_HASH, cluster.balancing());
    }

    @Test
    void scalingReportsThroughputAndTheCpuOfEachTier() throws Exception {
        Table t;
        System.setProperty("serverlab.quick", "true"); // as the chapter runs in CI: warm-ups end after 1.5 s at most
        try {
            t = AppTierScaling.run(cluster, "/api/items", 4, Duration.ofSeconds(5), 1, 2);
        } finally {
            System.clearProperty("serverlab.quick");
        }
        assertEquals(List.of(1, 2), t.intColumn("app_servers").asList());
        assertEquals(2, cluster.liveAppServers());
        for (Row row : t) {
            assertTrue(row.getDouble("rps") > 0, t.print());
            assertEquals(0, row.getLong("errors"), t.print());
            assertTrue(row.getDouble("app_cores") > 0 && row.getDouble("data_cores") > 0 && row.getDouble("balancer_cores") > 0, t.print());
        }
    }

    @Test
    void aCrashUnderLoadLosesNoGetAndTheDeadServerIsReplaced() throws Exception {
        cluster.setAppServers(2);
        cluster.balancing(Balancing.ROUND_ROBIN);
        Table t = Crash.underLoad(cluster, "/api/items", 4, Duration.ofSeconds(2));
        assertEquals(0, t.intColumn("failed").get(0), t.print());
        assertEquals(0, t.intColumn("unanswered").get(0), t.print());
        assertTrue(t.intColumn("requests").get(0) > 0, t.print());
        assertEquals(1, cluster.liveAppServers());
        assertEquals(1, cluster.replaceCrashed());
        assertEquals(2, cluster.running().size());
        assertEquals(0, cluster.replaceCrashed());
        Table after = BalancerSpread.run(cluster, "/api/items", 4, Duration.ofSeconds(1), Balancing.ROUND_ROBIN);
        assertEquals(2, after.rowCount(), "only the running servers are balanced over: " + after.print());
        assertTrue(after.doubleColumn("share_pct").min() > 30, after.print());
    }

    @Test
    void sessionsInMemoryNeedStickinessAndDieWithTheServerSessionsInTheDatabaseSurvive() throws Exception {
        cluster.replaceCrashed();
        cluster.setAppServers(2);
        if (cluster.sessions() != Sessions.IN_MEMORY) cluster.redeploy(Sessions.IN_MEMORY);
        cluster.balancing(Balancing.ROUND_ROBIN);
        Row notSticky = Crash.sessions(cluster, 6).row(0);
        assertTrue(notSticky.getInt("carts_before") < 6, "round robin scatters a user's requests over servers");

        cluster.replaceCrashed();
        cluster.balancing(Balancing.IP_HASH);
        Table sticky = Crash.sessions(cluster, 6);
        assertEquals(6, sticky.intColumn("carts_before").get(0), sticky.print());
        assertEquals(6, sticky.intColumn("logged_out").get(0), sticky.print());

        cluster.redeploy(Sessions.IN_DATABASE); // replaces the crashed server too
        assertEquals(2, cluster.running().size());
        cluster.balancing(Balancing.ROUND_ROBIN);
        Table shared = Crash.sessions(cluster, 6);
        assertEquals(6, shared.intColumn("carts_before").get(0), shared.print());
        assertEquals(6, shared.intColumn("carts_kept").get(0), shared.print());
        assertEquals(0, shared.intColumn("logged_out").get(0), shared.print());
    }
}
