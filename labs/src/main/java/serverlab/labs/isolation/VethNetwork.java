package serverlab.labs.isolation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A network namespace joined to the host by a veth pair, each end with an address of a private /30:
 *
 * <pre>
 *   host namespace                         sandbox namespace
 *   sbx&lt;pid&gt;-&lt;n&gt;  10.213.a.b+1/30  &lt;====&gt;  eth0  10.213.a.b+2/30   (and lo)
 * </pre>
 *
 * The /30s come from 10.213.0.0/16 (16,384 of them), a block home and cloud networks rarely use; a slot
 * whose addresses the host already has is skipped, so sandboxes can coexist. Deleting the namespace
 * destroys its end of the pair, and the kernel then destroys the host end too.
 */
final class VethNetwork {

    private static final int SLOTS = 1 << 14;
    private static final Pattern ADDRESS = Pattern.compile("inet (10\\.213\\.\\d+\\.\\d+)/");

    private final String namespace;
    private final String hostLink;
    private final InetAddress hostAddress;
    private final InetAddress sandboxAddress;

    private VethNetwork(String namespace, String hostLink, InetAddress hostAddress, InetAddress sandboxAddress) {
        this.namespace = namespace;
        this.hostLink = hostLink;
        this.hostAddress = hostAddress;
        this.sandboxAddress = sandboxAddress;
    }

    /** Creates namespace {@code namespace} and the pair; the slot search starts at {@code preferredSlot}. */
    static VethNetwork create(String namespace, String hostLink, int preferredSlot) {
        Set<String> taken = takenAddresses();
        int slot = Math.floorMod(preferredSlot, SLOTS);
        while (taken.contains(address(slot, 1).getHostAddress()) || taken.contains(address(slot, 2).getHostAddress())) {
            slot = (slot + 1) % SLOTS;
        }
        VethNetwork network = new VethNetwork(namespace, hostLink, address(slot, 1), address(slot, 2));
        try {
            HostCommand.run("ip", "netns", "add", namespace);
            HostCommand.run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "eth0", "netns", namespace);
            HostCommand.run("ip", "addr", "add", network.hostAddress.getHostAddress() + "/30", "dev", hostLink);
            HostCommand.run("ip", "link", "set", hostLink, "up");
            HostCommand.run("ip", "-n", namespace, "addr", "add", network.sandboxAddress.getHostAddress() + "/30", "dev", "eth0");
            HostCommand.run("ip", "-n", namespace, "link", "set", "eth0", "up");
            HostCommand.run("ip", "-n", namespace, "link", "set", "lo", "up");
            return network;
        } catch (RuntimeException e) {
            network.remove();
            throw e;
        }
    }

    String namespace() {
        return namespace;
    }

    /**
     * The namespace's file, for {@code nsenter --net=}: unlike {@code ip netns exec}, nsenter leaves /sys alone,
     * so the JVM inside still finds its cgroup limits under /sys/fs/cgroup.
     */
    String path() {
        return "/run/netns/" + namespace;
    }

    String hostLink() {
        return hostLink;
    }

    /** The sandbox's end: what a server bound to 0.0.0.0 inside is reached at from the host. */
    InetAddress sandboxAddress() {
        return sandboxAddress;
    }

    InetAddress hostAddress() {
        return hostAddress;
    }

    /** Deletes the namespace (and with it the pair); the host end is deleted too in case the pair was half made. */
    void remove() {
        reap(namespace, hostLink);
    }

    static void reap(String namespace, String hostLink) {
        if (namespaces().contains(namespace)) {
            HostCommand.run("ip", "netns", "delete", namespace);
        }
        try {
            if (hostLinks().contains(hostLink)) {
                HostCommand.run("ip", "link", "delete", hostLink);
            }
        } catch (IllegalStateException e) {
            if (hostLinks().contains(hostLink)) { // not just the kernel removing the peer of the deleted end meanwhile
                throw e;
            }
        }
    }

    /** Names of the network namespaces {@code ip netns} knows. */
    static List<String> namespaces() {
        return HostCommand.run("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).filter(n -> !n.isEmpty()).toList();
    }

    /** Names of the host's network interfaces (a veth's "@peer" suffix dropped). */
    static List<String> hostLinks() {
        return linkNames(HostCommand.run("ip", "-o", "link", "show"));
    }

    /** Interface names in the output of {@code ip -o link show}: "2: eth0@if5: &lt;…" gives "eth0". */
    static List<String> linkNames(String ipLinkOutput) {
        return ipLinkOutput.lines().map(l -> l.split(": ")[1].split("@")[0]).toList();
    }

    private static Set<String> takenAddresses() {
        Matcher m = ADDRESS.matcher(HostCommand.run("ip", "-4", "-o", "addr", "show"));
        return m.results().map(r -> r.group(1)).collect(Collectors.toSet());
    }

    private static InetAddress address(int slot, int host) {
        int offset = slot * 4 + host;
        try {
            return InetAddress.getByAddress(new byte[]{10, (byte) 213, (byte) (offset >> 8), (byte) offset});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are an IPv4 address", e);
        }
    }
}
