package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import serverlab.servers.handlers.Workloads;

/** javap's listing of one method: the handler that answers GET /hello, and nothing else of its class. */
class BytecodeTest {

    @Test
    void theHelloHandlersInstructions() {
        String listing = Bytecode.of(Workloads.class, "handle");
        assertTrue(listing.startsWith("  public serverlab.servers.http.Response handle(serverlab.servers.http.HttpRequest)"), listing);
        assertTrue(listing.contains("Code:"), listing);
        assertTrue(listing.contains("lookupswitch"), "a switch on strings compiles to a switch on their hash codes:\n" + listing);
        assertTrue(listing.contains("// String /hello"), listing);
        assertTrue(listing.contains("areturn"), listing);
        assertFalse(listing.contains("spin("), "another method's listing leaked in:\n" + listing);
        assertFalse(listing.contains("class Workloads"), "the class header leaked in:\n" + listing);
    }

    @Test
    void everyOverloadAndTheJdksOwnClasses() {
        String valueOf = Bytecode.of(String.class, "valueOf");
        assertTrue(valueOf.contains("valueOf(int)") && valueOf.contains("valueOf(long)"), valueOf);
        assertFalse(valueOf.contains("copyValueOf"), valueOf);
    }

    @Test
    void noSuchMethod() {
        assertThrows(IllegalArgumentException.class, () -> Bytecode.of(Workloads.class, "noSuchMethod"));
    }
}
