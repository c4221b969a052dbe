package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import tech.tablesaw.api.Table;

class PwaInChromiumTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize(); // tests run in labs/

    @Test
    void aMissingPieceIsNamedInOneLine() {
        Path nowhere = Path.of("/nonexistent-serverlab");
        String missing = PwaInChromium.missing(nowhere);
        assertNotNull(missing);
        assertTrue(!missing.contains("\n") && (missing.contains("chromium") || missing.contains("./lab")), missing);
        assertThrows(IllegalStateException.class, () -> PwaInChromium.measure(nowhere, 1));
    }

    @Test
    void theServiceWorkerVariantWorksOfflineAndSparesTheServer() {
        assumeTrue(PwaInChromium.missing(REPOSITORY) == null, () -> "not here: " + PwaInChromium.missing(REPOSITORY));
        Table loads = PwaInChromium.measure(REPOSITORY, 2);
        assertEquals(6, loads.rowCount(), loads.print()); // 2 variants × (2 online + 1 offline)
        Table sw = loads.where(loads.stringColumn("variant").isEqualTo("service-worker"));
        assertEquals(0, ((Number) sw.column("server_requests").get(1)).intValue(), "a cached load reaches the server: " + sw.print());
        assertEquals("yes", sw.column("works").get(2).toString(), "offline: " + sw.print());
    }
}
