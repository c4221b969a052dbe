package serverlab.servers;

import java.util.List;

import serverlab.servers.Servers.Family;
import serverlab.servers.Servers.Registration;
import serverlab.servers.event.EventLoopServer;
import serverlab.servers.event.EventLoopWorkersServer;
import serverlab.servers.event.MultiReactorServer;
import serverlab.servers.hybrid.IisStyleServer;
import serverlab.servers.hybrid.NginxStyleServer;
import serverlab.servers.iterative.IterativeServer;
import serverlab.servers.process.PreforkServer;
import serverlab.servers.process.ProcessPerRequestServer;
import serverlab.servers.reference.JettyServer;
import serverlab.servers.reference.NettyServer;
import serverlab.servers.reference.NginxServer;
import serverlab.servers.thread.ThreadPerConnectionServer;
import serverlab.servers.thread.ThreadPoolServer;
import serverlab.servers.thread.VirtualThreadServer;

/** The architectures and reference servers of this module, in teaching order: the one list README and notebooks show. */
final class BuiltIns {

    private BuiltIns() {
    }

    static final List<Registration> ALL = List.of(
            new Registration("iterative", Family.ITERATIVE,
                    "one connection at a time, in the accepting thread", IterativeServer::new),
            new Registration("thread-per-connection", Family.THREADS,
                    "a new platform thread per connection", ThreadPerConnectionServer::new),
            new Registration("thread-pool", Family.THREADS,
                    "a fixed pool with a bounded queue; a full queue is answered 503 and closed", ThreadPoolServer::new),
            new Registration("virtual-threads", Family.THREADS,
                    "one virtual thread per connection; timeouts by a sweeper, not a timed read", VirtualThreadServer::new),
            new Registration("event-loop", Family.EVENT_LOOPS,
                    "one thread, one Selector (epoll, or poll with --selector poll)", EventLoopServer::new),
            new Registration("multi-reactor", Family.EVENT_LOOPS,
                    "an acceptor plus N event loops (Netty's model)", MultiReactorServer::new),
            new Registration("event-loop-workers", Family.EVENT_LOOPS,
                    "an event loop that hands /sleep, /file, /cpu, /page, /resource to helpers threads (default 4) and takes completions back through a queue + wakeup",
                    EventLoopWorkersServer::new),
            new Registration(ProcessPerRequestServer.NAME, Family.PROCESSES,
                    "CGI: a fresh child JVM per request, request on stdin, response on stdout; at most workers children at once and queueCapacity requests waiting (then 503); a child silent past the idle timeout (at least 10 s) is killed (504)", ProcessPerRequestServer::start),
            new Registration(PreforkServer.NAME, Family.PROCESSES,
                    "N worker processes on SO_REUSEPORT sockets (or one shared socket: --listener shared), each serving one connection at a time; a supervisor restarts dead workers; a graceful stop serves what is queued",
                    PreforkServer::start),
            new Registration(NginxStyleServer.NAME, Family.HYBRIDS,
                    "a master that writes the configuration and supervises N single-threaded event-loop worker processes; graceful stop drains",
                    NginxStyleServer::start),
            new Registration(IisStyleServer.NAME, Family.HYBRIDS,
                    "N worker processes; in each, an event loop (HTTP.sys) queues whole requests to a pool of 10 threads",
                    IisStyleServer::start),
            // Production references, for comparison rows. Lambdas, not method references: the Netty
            // and Jetty classes are then loaded only when used, so a class path without them still works.
            new Registration("nginx", Family.REFERENCES,
                    "Debian's nginx with a generated config (answers /hello only)", options -> new NginxServer(options)),
            new Registration("netty", Family.REFERENCES,
                    "Netty 4.2 on its native epoll transport: 1 acceptor + workers event loops, HttpServerCodec + HttpObjectAggregator, a flush per read batch, our handlers", options -> new NettyServer(options)),
            new Registration("jetty", Family.REFERENCES,
                    "Jetty 12: 1 acceptor + 1 selector, a QueuedThreadPool of threads + Jetty's own, a blocking handler, our handlers", options -> JettyServer.platformThreads(options)),
            new Registration("jetty-virtual", Family.REFERENCES,
                    "Jetty 12 running handlers on virtual threads, our handlers", options -> JettyServer.virtualThreads(options)));
}
