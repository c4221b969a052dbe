package serverlab.servers;

import java.util.Map;

/**
 * Contributes servers to the {@link Servers} registry without a compile-time dependency:
 * implementations are found with {@link java.util.ServiceLoader}, so list the class in
 * {@code META-INF/services/serverlab.servers.ServerProvider} of the contributing jar.
 */
public interface ServerProvider {

    /** Registry names mapped to factories, in the order they should be listed. */
    Map<String, Servers.Factory> servers();
}
