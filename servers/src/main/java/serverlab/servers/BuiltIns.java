package serverlab.servers;

import java.util.Map;

import serverlab.servers.event.EventLoopServer;
import serverlab.servers.event.EventLoopWorkersServer;
import serverlab.servers.event.MultiReactorServer;
import serverlab.servers.iterative.IterativeServer;
import serverlab.servers.reference.JettyServer;
import serverlab.servers.reference.NettyServer;
import serverlab.servers.reference.NginxServer;
import serverlab.servers.thread.ThreadPerConnectionServer;
import serverlab.servers.thread.ThreadPoolServer;
import serverlab.servers.thread.VirtualThreadServer;

/** The architectures and reference servers of this module, in teaching order. */
final class BuiltIns {

    private BuiltIns() {
    }

    static void register(Map<String, Servers.Factory> registry) {
        registry.put("iterative", IterativeServer::new);
        registry.put("thread-per-connection", ThreadPerConnectionServer::new);
        registry.put("thread-pool", ThreadPoolServer::new);
        registry.put("virtual-threads", VirtualThreadServer::new);
        registry.put("event-loop", EventLoopServer::new);
        registry.put("multi-reactor", MultiReactorServer::new);
        registry.put("event-loop-workers", EventLoopWorkersServer::new);
        // Production references, for comparison rows. Lambdas, not method references: the Netty
        // and Jetty classes are then loaded only when used, so a class path without them still works.
        registry.put("nginx", options -> new NginxServer(options));
        registry.put("netty", options -> new NettyServer(options));
        registry.put("jetty", options -> JettyServer.platformThreads(options));
        registry.put("jetty-virtual", options -> JettyServer.virtualThreads(options));
    }
}
