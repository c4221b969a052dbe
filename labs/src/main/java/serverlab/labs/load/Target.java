package serverlab.labs.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

import serverlab.labs.isolation.Sandbox;

/**
 * Where the load goes: a resolved socket address plus the Host header to send.
 * Only loopback targets, and the exact address of a live {@link Sandbox} of this JVM (a network namespace
 * on this machine), are allowed unless the caller opts in — this tool generates enough traffic to look
 * like an attack on someone else's machine.
 */
record Target(InetSocketAddress address, String hostHeader) {

    static Target of(URI uri, boolean allowNonLoopback) {
        if (uri.getScheme() != null && !uri.getScheme().equals("http")) {
            throw new IllegalArgumentException("only http:// targets are supported, got " + uri);
        }
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        try {
            return of(new InetSocketAddress(InetAddress.getByName(host), port), allowNonLoopback);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + host, e);
        }
    }

    static Target of(InetSocketAddress address, boolean allowNonLoopback) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
        if (ip.isAnyLocalAddress()) {
            // A server bound to 0.0.0.0 is reachable on loopback; that is where we test it.
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), address.getPort());
            ip = address.getAddress();
        }
        if (!ip.isLoopbackAddress() && !allowNonLoopback && !Sandbox.serves(address)) {
            throw new IllegalArgumentException("refusing to load " + address
                    + ": only loopback targets and live sandboxes are allowed; call allowNonLoopback(true) for a machine you own");
        }
        String host = ip.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return new Target(address, host + ":" + address.getPort());
    }

    @Override
    public String toString() {
        return "http://" + hostHeader;
    }
}
