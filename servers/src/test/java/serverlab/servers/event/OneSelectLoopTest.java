package serverlab.servers.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Every event-driven architecture runs the one {@link Reactor}: no other main source waits on a selector. */
class OneSelectLoopTest {

    private static final Pattern SELECT_CALL = Pattern.compile("\\.select(Now)?\\s*\\(");

    @Test
    void onlyTheReactorCallsSelect() throws IOException {
        Path sources = Path.of("src/main/java");
        List<String> callers;
        try (Stream<Path> files = Files.walk(sources)) {
            callers = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(OneSelectLoopTest::callsSelect)
                    .map(f -> sources.relativize(f).toString().replace('\\', '/'))
                    .toList();
        }
        assertEquals(List.of("serverlab/servers/event/Reactor.java"), callers);
    }

    private static boolean callsSelect(Path file) {
        try {
            return SELECT_CALL.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
