package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import serverlab.labs.charts.Charts;
import tech.tablesaw.api.Table;

/** The IaaS vs PaaS experiment in quick mode: its tables' columns, both cases, and the chart. */
class LoadStepTest {

    @Test
    void bothCasesGetATimeSeriesASummaryRowAndAChart() throws Exception {
        String quick = System.getProperty("serverlab.quick");
        System.setProperty("serverlab.quick", "true");
        LoadStep.Result result;
        try {
            result = LoadStep.builder().baseRate(60).servers(2, 2).targetPerServer(2).run();
        } finally {
            if (quick == null) System.clearProperty("serverlab.quick");
            else System.setProperty("serverlab.quick", quick);
        }
        Table series = result.timeSeries();
        System.out.println(result.summary().print());
        assertEquals(List.of("t_s", "case", "offered_rps", "achieved_rps", "p99_ms", "servers", "server_seconds", "errors"),
                series.columnNames());
        assertEquals(List.of(LoadStep.FIXED, LoadStep.AUTOSCALED), series.stringColumn("case").asList().stream().distinct().toList());
        Table fixed = series.where(series.stringColumn("case").isEqualTo(LoadStep.FIXED));
        Table scaled = series.where(series.stringColumn("case").isEqualTo(LoadStep.AUTOSCALED));
        assertEquals(2, fixed.intColumn("servers").min(), fixed.print());
        assertEquals(2, fixed.intColumn("servers").max(), fixed.print());
        assertEquals(1, scaled.intColumn("servers").get(0), scaled.print());
        assertTrue(fixed.rowCount() >= 20, "sub-second buckets: " + fixed.rowCount());
        assertEquals(600, fixed.doubleColumn("offered_rps").max(), 1e-9);
        assertEquals(List.of(LoadStep.FIXED, LoadStep.AUTOSCALED), result.summary().stringColumn("case").asList());
        assertTrue(result.timeline().rowCount() > 0);
        assertTrue(result.oneServerRps() > 0);
        assertTrue(Charts.toPng(Charts.loadStep(series)).length > 1000);
    }
}
