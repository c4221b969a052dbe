package serverlab.servers;

import java.util.List;

/**
 * Contributes servers to the {@link Servers} registry from another jar (or the test tree): implementations are
 * found with {@link java.util.ServiceLoader}, so list the class in
 * {@code META-INF/services/serverlab.servers.ServerProvider}. Servers of this module are listed in one place
 * instead, {@code BuiltIns}.
 */
public interface ServerProvider {

    /** The servers, in the order they should be listed. */
    List<Servers.Registration> servers();
}
