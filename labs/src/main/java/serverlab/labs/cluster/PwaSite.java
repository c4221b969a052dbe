package serverlab.labs.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

/**
 * A small progressive web app (a notes list kept in the browser: HTML, JS, CSS, an icon, a manifest) served
 * by a ServerLab server through its {@code /file} workload, in one of two variants: a plain page, or the same
 * page registering a service worker that caches every file of the app, so that later loads, and loads
 * without a network, need no server. {@code GET /file-counts} on the server counts the requests that reached it.
 *
 * <p>Each variant gets its own server, hence its own origin: a service worker controls every page of its
 * origin, and the plain page must stay uncontrolled. {@code scripts/pwa.py} loads both in headless Chromium.
 *
 * <pre>{@code
 * try (PwaSite site = PwaSite.start(true)) {
 *     System.out.println(site.url()); // http://127.0.0.1:PORT/file?name=index.html
 * }
 * }</pre>
 */
public final class PwaSite implements AutoCloseable {

    /** The app's files, under {@code pwa/} beside this class. */
    public static final List<String> FILES = List.of("index.html", "app.js", "app.css", "icon.svg", "app.webmanifest", "sw.js");

    private final Path directory;
    private final Server server;

    private PwaSite(Path directory, Server server) {
        this.directory = directory;
        this.server = server;
    }

    /** Writes the app into a temporary directory and serves it from a {@code virtual-threads} server on a free port. */
    public static PwaSite start(boolean serviceWorker) {
        Path directory;
        try {
            directory = Files.createTempDirectory("serverlab-pwa-");
            for (String name : FILES) {
                byte[] bytes = resource(name);
                if (name.equals("index.html") && serviceWorker) {
                    bytes = new String(bytes, StandardCharsets.UTF_8)
                            .replace("data-service-worker=\"off\"", "data-service-worker=\"on\"").getBytes(StandardCharsets.UTF_8);
                }
                Files.write(directory.resolve(name), bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the web app to a temporary directory", e);
        }
        try {
            return new PwaSite(directory, Servers.start("virtual-threads", ServerOptions.defaults().withDataDir(directory)));
        } catch (RuntimeException e) {
            delete(directory);
            throw e;
        }
    }

    /** The app's page. */
    public String url() {
        return "http://127.0.0.1:" + server.address().getPort() + "/file?name=index.html";
    }

    public Server server() {
        return server;
    }

    /** Where the app's files are served from (deleted by {@link #close()}). */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        server.close();
        delete(directory);
    }

    /**
     * Serves both variants until standard input ends, for {@code scripts/pwa.py}: prints
     * {@code plain URL} and {@code service-worker URL}, one per line.
     */
    public static void main(String[] args) throws IOException {
        try (PwaSite plain = start(false); PwaSite withServiceWorker = start(true)) {
            System.out.println("plain " + plain.url());
            System.out.println("service-worker " + withServiceWorker.url());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream()); // until the caller closes our stdin
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(PwaSite.class.getResourceAsStream("pwa/" + name), "missing resource pwa/" + name)) {
            return in.readAllBytes();
        }
    }

    private static void delete(Path directory) {
        try {
            for (String name : FILES) {
                Files.deleteIfExists(directory.resolve(name));
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            System.err.println("warning: could not delete " + directory + ": " + e.getMessage());
        }
    }
}
