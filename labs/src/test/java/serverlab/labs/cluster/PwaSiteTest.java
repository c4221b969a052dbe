package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The browser side is tested by tests/browser/test_pwa.py; here, the two variants and their clean-up. */
class PwaSiteTest {

    @Test
    void servesTheAppWithOrWithoutItsServiceWorkerAndLeavesNothingBehind() throws Exception {
        Path directory;
        try (PwaSite plain = PwaSite.start(false); PwaSite offline = PwaSite.start(true);
             HttpClient http = HttpClient.newHttpClient()) {
            String plainPage = get(http, plain.url());
            String offlinePage = get(http, offline.url());
            assertTrue(plainPage.contains("data-service-worker=\"off\""), plainPage);
            assertTrue(offlinePage.contains("data-service-worker=\"on\""), offlinePage);
            assertTrue(get(http, offline.url().replace("index.html", "sw.js")).contains("caches.open"));
            assertEquals("{\"index.html\":1,\"sw.js\":1}", get(http, offline.url().replace("file?name=index.html", "file-counts")));
            directory = offline.directory();
            assertTrue(Files.isRegularFile(directory.resolve("app.webmanifest")));
        }
        assertFalse(Files.exists(directory), "left behind: " + directory);
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url);
        return response.body();
    }
}
