package serverlab.kernel.magic;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resolves from the real local repository and Maven Central, as {@code %maven} does in a notebook. */
class MavenResolverTest {

    private static List<String> fileNames(List<Path> jars) {
        return jars.stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void resolvesASmallArtifactToAnExistingJar() throws Exception {
        List<Path> jars = MavenResolver.resolve("org.apache.commons:commons-lang3:3.14.0");
        assertEquals(List.of("commons-lang3-3.14.0.jar"), fileNames(jars));
        assertTrue(Files.isRegularFile(jars.get(0)));
    }

    @Test
    void includesRuntimeDependencies() throws Exception {
        // commons-text 1.11.0 depends on commons-lang3 3.13.0 at compile scope.
        List<Path> jars = MavenResolver.resolve("org.apache.commons:commons-text:1.11.0");
        assertEquals("commons-text-1.11.0.jar", fileNames(jars).get(0));
        assertTrue(fileNames(jars).contains("commons-lang3-3.13.0.jar"), fileNames(jars).toString());
        jars.forEach(jar -> assertTrue(Files.isRegularFile(jar), jar::toString));
    }

    @Test
    void badCoordinatesSayWhatIsExpected() {
        for (String bad : new String[] {"commons-lang3", "org.apache.commons:commons-lang3", "a:b:c:d:e:f", "a::1.0", "a:b c:1.0", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MavenResolver.resolve(bad), bad);
            assertTrue(e.getMessage().contains("expected group:artifact"), e.getMessage());
        }
    }

    @Test
    void extensionAndClassifierAreParsed() {
        var artifact = MavenResolver.parse("org.example:lib:jar:tests:1.0");
        assertEquals("jar", artifact.getExtension());
        assertEquals("tests", artifact.getClassifier());
        assertEquals("1.0", artifact.getVersion());
    }

    @Test
    void missingArtifactNamesItAndTheRepository() {
        MavenResolver.ResolutionException e = assertThrows(MavenResolver.ResolutionException.class,
                () -> MavenResolver.resolve("org.apache.commons:commons-lang3:0.0.0-no-such-version"));
        assertTrue(e.getMessage().contains("org.apache.commons:commons-lang3:jar:0.0.0-no-such-version"), e.getMessage());
        assertTrue(e.getMessage().contains("repo.maven.apache.org") || e.getMessage().contains("central"), e.getMessage());
    }
}
