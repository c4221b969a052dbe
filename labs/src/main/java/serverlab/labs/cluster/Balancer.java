package serverlab.labs.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

import serverlab.servers.ServerOptions;
import serverlab.servers.reference.NginxServer;

/**
 * The logical switch: real nginx proxying to the app servers. A server that refuses or drops a connection is
 * marked failed for {@link #FAIL_TIMEOUT_S} s ({@code max_fails=1}) and the request goes to the next server if it
 * is idempotent ({@code proxy_next_upstream}; nginx never resends a POST), so a crash costs no GET. One worker
 * process, so the round-robin position and the connection counts of least_conn are one shared state.
 */
final class Balancer implements AutoCloseable {

    static final int FAIL_TIMEOUT_S = 10;

    private final NginxServer nginx;
    private Balancing policy;

    private Balancer(NginxServer nginx, Balancing policy) {
        this.nginx = nginx;
        this.policy = policy;
    }

    /** nginx on {@code port} (0: a free one; see {@link #requireFree}). */
    static Balancer start(Balancing policy, List<InetSocketAddress> servers, int port) throws IOException {
        return new Balancer(new NginxServer(ServerOptions.defaults().withWorkers(1).withPort(port), routes(policy, servers)), policy);
    }

    /**
     * Checks that {@code port} is free before anything starts. nginx would only log the failed bind and exit, after a
     * probe of the port had found whatever listens there and taken it for nginx.
     */
    static void requireFree(int port) {
        if (port == 0) return;
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            // free
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is in use: stop what listens there or choose another balancer port");
        }
    }

    /** Routes to {@code servers} from now on: nginx reloads, finishing requests in flight on the old set. */
    void route(List<InetSocketAddress> servers) throws IOException {
        nginx.reroute(routes(policy, servers));
    }

    /** Balances {@code servers} by {@code newPolicy} from now on (a reload, like {@link #route}). */
    void route(Balancing newPolicy, List<InetSocketAddress> servers) throws IOException {
        policy = newPolicy;
        route(servers);
    }

    static NginxServer.Routes routes(Balancing policy, List<InetSocketAddress> servers) {
        String members = servers.stream()
                .map(s -> "    server 127.0.0.1:" + s.getPort() + " max_fails=1 fail_timeout=" + FAIL_TIMEOUT_S + "s;")
                .collect(Collectors.joining("\n"));
        return new NginxServer.Routes("""
                upstream app_servers {
                    %s
                %s
                    keepalive 64;
                }
                """.formatted(policy.directive, members), """
                location / {
                    proxy_pass http://app_servers;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_next_upstream error timeout http_502;
                    proxy_connect_timeout 1s;
                }
                """);
    }

    NginxServer nginx() {
        return nginx;
    }

    @Override
    public void close() {
        nginx.close();
    }
}
