package serverlab.servers.example;

import java.util.List;

import serverlab.servers.ServerProvider;
import serverlab.servers.Servers.Family;
import serverlab.servers.Servers.Registration;

/** Registers the how-to example the way a jar outside this module would (listed in META-INF/services). */
public final class ExampleProvider implements ServerProvider {

    @Override
    public List<Registration> servers() {
        return List.of(new Registration(CachedThreadPoolServer.NAME, Family.THREADS,
                "a cached thread pool: an idle thread is reused, else a new one is started", CachedThreadPoolServer::new));
    }
}
