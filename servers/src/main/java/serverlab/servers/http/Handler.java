package serverlab.servers.http;

/** Turns a request into a response. Handlers may block (a thread-per-connection server does not mind; an event loop does). */
@FunctionalInterface
public interface Handler {

    Response handle(HttpRequest request) throws Exception;
}
