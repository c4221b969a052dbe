package serverlab.labs.cluster;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.google.gson.Gson;

import serverlab.servers.http.Handler;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/**
 * The application an app server of a {@link Cluster} runs (its {@code handler} option): a small shop over the
 * data tier, through a HikariCP pool of this JVM. Paths outside {@code /api/} go to the workloads.
 *
 * <pre>
 * GET  /api/items              the first 20 items, JSON (idempotent: the balancer may retry it elsewhere)
 * GET  /api/items/ID           one item, 404 if none
 * POST /api/items?name=N&amp;price=P  adds an item, answers its id
 * POST /api/login?user=U       a session token (JSON, and a session cookie)
 * POST /api/cart?item=ID       adds to the session's cart; 401 if the session is unknown here
 * GET  /api/cart               the session's user and cart; 401 if the session is unknown here
 * </pre>
 * The session comes from the {@code session} cookie or the {@code session} query parameter.
 */
public final class Shop implements Handler {

    private static final int POOL_SIZE = 8;
    private static final int LIST_LIMIT = 20;
    private static final Gson JSON = new Gson();

    private final Handler fallback;
    private final ShopStore store;
    private final SessionStore sessions;

    public Shop(Handler fallback) {
        this.fallback = fallback;
        var pool = Database.fromSystemProperties().pool(POOL_SIZE, "shop");
        this.store = new ShopStore(pool);
        this.sessions = Sessions.valueOf(System.getProperty(Sessions.PROPERTY, Sessions.IN_MEMORY.name())).store(pool);
    }

    @Override
    public Response handle(HttpRequest request) throws Exception {
        String path = request.path();
        if (!path.startsWith("/api/")) return fallback.handle(request);
        try {
            return api(request, path);
        } catch (IllegalArgumentException e) { // a missing or malformed parameter
            return Response.error(Status.BAD_REQUEST, e.getMessage(), false);
        }
    }

    private Response api(HttpRequest request, String path) throws SQLException {
        boolean get = request.method().equals("GET");
        boolean post = request.method().equals("POST");
        if (path.startsWith("/api/items/") && get) return item(path.substring("/api/items/".length()));
        return switch (path) {
            case "/api/items" -> get ? json(store.list(LIST_LIMIT)) : post ? create(request) : notAllowed();
            case "/api/login" -> post ? login(request) : notAllowed();
            case "/api/cart" -> get ? cart(request) : post ? addToCart(request) : notAllowed();
            default -> Response.error(Status.NOT_FOUND, path, false);
        };
    }

    private Response item(String id) throws SQLException {
        Optional<ShopStore.Item> item = store.get(Long.parseLong(id));
        return item.map(Shop::json).orElseGet(() -> Response.error(Status.NOT_FOUND, "no item " + id, false));
    }

    private Response create(HttpRequest request) throws SQLException {
        long id = store.create(required(request, "name"), Integer.parseInt(required(request, "price")));
        return json(Map.of("id", id));
    }

    private Response login(HttpRequest request) throws SQLException {
        String token = sessions.login(required(request, "user"));
        return json(Map.of("session", token)).withExtraHeaders("Set-Cookie: session=" + token + "; Path=/\r\n");
    }

    private Response addToCart(HttpRequest request) throws SQLException {
        return sessions.addToCart(session(request), Long.parseLong(required(request, "item")))
                ? json(Map.of("added", true)) : loggedOut();
    }

    private Response cart(HttpRequest request) throws SQLException {
        String token = session(request);
        Optional<String> user = sessions.user(token);
        Optional<List<Long>> items = sessions.cart(token);
        return user.isPresent() && items.isPresent() ? json(Map.of("user", user.get(), "items", items.get())) : loggedOut();
    }

    /** The token from the {@code session} cookie, else from the query; empty text if neither has one. */
    private static String session(HttpRequest request) {
        String cookies = request.header("Cookie");
        if (cookies != null) {
            for (String cookie : cookies.split(";")) {
                String[] pair = cookie.strip().split("=", 2);
                if (pair.length == 2 && pair[0].equals("session")) return pair[1];
            }
        }
        String query = request.queryParameter("session");
        return query == null ? "" : query;
    }

    private static String required(HttpRequest request, String name) {
        String value = request.queryParameter(name);
        if (value == null) throw new IllegalArgumentException("missing ?" + name + "=");
        return value;
    }

    private static Response loggedOut() {
        return Response.error(Status.UNAUTHORIZED, "unknown session: log in again", false);
    }

    private static Response notAllowed() {
        return Response.error(Status.METHOD_NOT_ALLOWED, "", false);
    }

    private static Response json(Object value) {
        return Response.json(JSON.toJson(value));
    }
}
