package serverlab.servers.process;

import java.util.LinkedHashMap;
import java.util.Map;

import serverlab.servers.ServerProvider;
import serverlab.servers.Servers;
import serverlab.servers.hybrid.IisStyleServer;
import serverlab.servers.hybrid.NginxStyleServer;

/** Registers the multi-process architectures (found by {@link java.util.ServiceLoader}, see META-INF/services). */
public final class MultiProcessProvider implements ServerProvider {

    @Override
    public Map<String, Servers.Factory> servers() {
        Map<String, Servers.Factory> servers = new LinkedHashMap<>();
        servers.put(ProcessPerRequestServer.NAME, ProcessPerRequestServer::start);
        servers.put(PreforkServer.NAME, PreforkServer::start);
        servers.put(NginxStyleServer.NAME, NginxStyleServer::start);
        servers.put(IisStyleServer.NAME, IisStyleServer::start);
        return servers;
    }
}
