package serverlab.servers.control;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * Where a server's out-of-band control endpoint listens, and the random token it was started with.
 * A request reaches the endpoint only with that token, so a web page in the student's browser
 * cannot stop a server it merely knows the port of.
 *
 * @param address always a loopback address
 * @param token   per-start random secret, sent as {@code Authorization: Bearer <token>} or {@code ?token=}
 */
public record ControlAddress(InetSocketAddress address, String token) {

    /** The URI of {@code path} on the endpoint, token included, for curl or a notebook cell. */
    public URI uri(String path) {
        String separator = path.contains("?") ? "&" : "?";
        return URI.create("http://" + address.getHostString() + ":" + address.getPort() + path + separator + "token=" + token);
    }

    @Override
    public String toString() {
        return address.getHostString() + ":" + address.getPort() + " token " + token;
    }
}
