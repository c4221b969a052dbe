package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /file serves a small web app with the types a browser insists on; /file-counts says what reached the server. */
class FileWorkloadTest {

    @Test
    void typesWebAssetsByExtensionAndCountsWhatItServed(@TempDir Path site) throws Exception {
        for (String name : new String[] {"index.html", "app.js", "app.css", "icon.svg", "app.webmanifest", "data.bin"}) {
            Files.writeString(site.resolve(name), name);
        }
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults().withDataDir(site));
             RawHttp http = new RawHttp(server.address())) {
            assertEquals("text/html; charset=utf-8", http.exchange(RawHttp.get("/file?name=index.html")).header("Content-Type"));
            assertEquals("text/javascript; charset=utf-8", http.exchange(RawHttp.get("/file?name=app.js")).header("Content-Type"));
            assertEquals("text/css; charset=utf-8", http.exchange(RawHttp.get("/file?name=app.css")).header("Content-Type"));
            assertEquals("image/svg+xml", http.exchange(RawHttp.get("/file?name=icon.svg")).header("Content-Type"));
            assertEquals("application/manifest+json", http.exchange(RawHttp.get("/file?name=app.webmanifest")).header("Content-Type"));
            assertEquals("application/octet-stream", http.exchange(RawHttp.get("/file?name=data.bin")).header("Content-Type"));
            assertEquals("app.js", http.exchange(RawHttp.get("/file?name=app.js")).text());
            assertEquals(404, http.exchange(RawHttp.get("/file?name=missing.js")).status());
            assertEquals("{\"app.css\":1,\"app.js\":2,\"app.webmanifest\":1,\"data.bin\":1,\"icon.svg\":1,\"index.html\":1}",
                    http.exchange(RawHttp.get("/file-counts")).text());
        }
    }
}
