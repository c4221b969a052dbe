package serverlab.kernel.magic;

import com.sun.net.httpserver.HttpServer;
import eu.maveniverse.maven.mima.context.ContextOverrides;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Maven 3.8.1+ refuses, {@code %maven} refuses: plain-http repositories, repositories that a
 * dependency's POM declares (only the user's settings choose repositories), and a jar whose
 * checksum does not match. Every repository here is local (a directory, or HTTP on 127.0.0.1).
 */
class MavenResolverSecurityTest {
    @TempDir
    Path tmp;

    /** A repository directory holding {@code group:artifact:1.0} with its POM (plus {@code pomExtra}) and checksums. */
    private static void publish(Path repository, String artifact, String pomExtra, boolean goodChecksum) throws Exception {
        Path dir = Files.createDirectories(repository.resolve("org/example/" + artifact + "/1.0"));
        String pom = "<project><modelVersion>4.0.0</modelVersion><groupId>org.example</groupId><artifactId>" + artifact
                + "</artifactId><version>1.0</version>" + pomExtra + "</project>";
        writeWithChecksum(dir.resolve(artifact + "-1.0.pom"), pom.getBytes(), true);
        writeWithChecksum(dir.resolve(artifact + "-1.0.jar"), ("jar of " + artifact).getBytes(), goodChecksum);
    }

    private static void writeWithChecksum(Path file, byte[] bytes, boolean good) throws Exception {
        Files.write(file, bytes);
        byte[] signed = good ? bytes : "tampered".getBytes();
        Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(signed)));
    }

    /** User settings whose only repository (a mirror of Central) is {@code url}. */
    private ContextOverrides.Builder settings(String url) throws IOException {
        Path settings = Files.writeString(tmp.resolve("settings.xml"), """
                <settings><mirrors><mirror><id>local</id><mirrorOf>central</mirrorOf><url>%s</url></mirror></mirrors></settings>
                """.formatted(url));
        return ContextOverrides.create().withUserSettings(true).withUserSettingsXmlOverride(settings)
                .withLocalRepositoryOverride(tmp.resolve("local-repository"));
    }

    @Test
    void aPlainHttpRepositoryIsRefused() throws Exception {
        Path served = tmp.resolve("served");
        publish(served, "lib", "", true);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Path file = served.resolve(exchange.getRequestURI().getPath().substring(1));
            byte[] body = Files.isRegularFile(file) ? Files.readAllBytes(file) : new byte[0];
            exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            MavenResolver.ResolutionException e = assertThrows(MavenResolver.ResolutionException.class,
                    () -> MavenResolver.resolve("org.example:lib:1.0", settings(url)));
            assertTrue(e.getMessage().contains("https") && e.getMessage().contains(url), e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aRepositoryDeclaredInADependencysPomIsNotUsed() throws Exception {
        Path trusted = tmp.resolve("trusted");
        Path elsewhere = tmp.resolve("elsewhere");
        publish(elsewhere, "planted", "", true);
        publish(trusted, "lib", "<repositories><repository><id>elsewhere</id><url>" + elsewhere.toUri()
                + "</url></repository></repositories><dependencies><dependency><groupId>org.example</groupId>"
                + "<artifactId>planted</artifactId><version>1.0</version></dependency></dependencies>", true);
        MavenResolver.ResolutionException e = assertThrows(MavenResolver.ResolutionException.class,
                () -> MavenResolver.resolve("org.example:lib:1.0", settings(trusted.toUri().toString())));
        assertTrue(e.getMessage().contains("planted"), e.getMessage());
    }

    @Test
    void aChecksumMismatchFails() throws Exception {
        Path repository = tmp.resolve("repository");
        publish(repository, "lib", "", false);
        MavenResolver.ResolutionException e = assertThrows(MavenResolver.ResolutionException.class,
                () -> MavenResolver.resolve("org.example:lib:1.0", settings(repository.toUri().toString())));
        assertTrue(e.getMessage().toLowerCase().contains("checksum"), e.getMessage());
    }

    @Test
    void aGoodLocalRepositoryStillWorks() throws Exception {
        Path repository = tmp.resolve("repository");
        publish(repository, "lib", "", true);
        List<Path> jars = MavenResolver.resolve("org.example:lib:1.0", settings(repository.toUri().toString()));
        assertTrue(jars.get(0).getFileName().toString().equals("lib-1.0.jar"), jars.toString());
    }
}
