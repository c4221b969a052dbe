package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

class EdgeCacheTest {

    @Test
    void keepsAnswersForItsTtlThenAsksTheOriginAgain() throws Exception {
        try (Server origin = Servers.start("virtual-threads", ServerOptions.defaults());
             EdgeCache cache = EdgeCache.start(origin.address(), Duration.ofSeconds(1));
             HttpClient http = HttpClient.newHttpClient()) {
            assertEquals(200, get(http, cache.address(), "/counter").statusCode());
            String cached = get(http, cache.address(), "/counter").body();
            assertTrue(cached.contains("\"counter\":1"), "the second answer is the first one's copy: " + cached);
            Thread.sleep(1_100);
            assertTrue(get(http, cache.address(), "/counter").body().contains("\"counter\":2"));
            assertEquals(1, cache.hits());
            assertEquals(2, cache.misses());
            assertEquals(405, http.send(HttpRequest.newBuilder(uri(cache.address(), "/echo")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void answers502WhenTheOriginIsGone() throws Exception {
        InetSocketAddress gone;
        try (Server origin = Servers.start("virtual-threads", ServerOptions.defaults())) {
            gone = origin.address();
        }
        try (EdgeCache cache = EdgeCache.start(gone, Duration.ofSeconds(10)); HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = get(http, cache.address(), "/hello");
            assertEquals(502, response.statusCode());
            assertEquals(502, get(http, cache.address(), "/hello").statusCode(), "an error is not kept");
            assertEquals(2, cache.misses());
        }
    }

    private static HttpResponse<String> get(HttpClient http, InetSocketAddress address, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(address, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(InetSocketAddress address, String path) {
        return URI.create("http://127.0.0.1:" + address.getPort() + path);
    }
}
