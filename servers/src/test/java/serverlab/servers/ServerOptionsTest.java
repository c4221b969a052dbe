package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The option table: defaults, validation, and the JSON that child JVMs receive. */
class ServerOptionsTest {

    /** Every option set away from its default, so a field the encoding forgot shows up as a difference. */
    private static ServerOptions allChanged() {
        return ServerOptions.defaults().withBindAddress("127.0.0.2").withPort(8081).withWorkers(3).withThreads(7)
                .withQueueCapacity(5).withHelpers(3).withSelector("poll").withListener("shared").withMaxConnections(99).withIdleTimeout(Duration.ofMillis(1500))
                .withMaxHeaderBytes(4096).withMaxBodyBytes(12345).withDataDir(Path.of("/tmp/serverlab-data")).withControlPort(0)
                .withHandler("serverlab.servers.handlers.HandlersTest$Greeter");
    }

    @Test
    void everyOptionIsChangedByItsWitherAndSurvivesJson() {
        ServerOptions changed = allChanged();
        ServerOptions defaults = ServerOptions.defaults();
        for (ServerOptions.Option<?> option : ServerOptions.OPTIONS) {
            assertNotEquals(defaults.get(option), changed.get(option), option.name() + " is not set by allChanged()");
        }
        assertEquals(changed, ServerOptions.fromJson(changed.toJson()));
        assertEquals(defaults, ServerOptions.fromJson("{}"));
    }

    @Test
    void withersChangeOnlyTheirOption() {
        ServerOptions options = ServerOptions.defaults().withThreads(4);
        assertEquals(4, options.threads());
        assertEquals(ServerOptions.defaults().withThreads(10), ServerOptions.defaults());
        assertEquals(ServerOptions.defaults().workers(), options.workers());
    }

    @Test
    void valuesOutsideTheRuleAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerOptions.defaults().withThreads(0));
        assertTrue(e.getMessage().startsWith("threads must be >= 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.defaults().withSelector("select"));
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.defaults().withListener("inherited"));
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.fromJson("{\"noSuchOption\":\"1\"}"));
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.fromJson("{\"port\":\"70000\"}"));
    }

    @Test
    void durationsReadAsMillisSecondsOrIso() {
        assertEquals(Duration.ofMillis(250), ServerOptions.defaults().withText("idleTimeout", "250ms").idleTimeout());
        assertEquals(Duration.ofSeconds(30), ServerOptions.defaults().withText("idleTimeout", "30s").idleTimeout());
        assertEquals(Duration.ofMinutes(2), ServerOptions.defaults().withText("idleTimeout", "PT2M").idleTimeout());
    }
}
