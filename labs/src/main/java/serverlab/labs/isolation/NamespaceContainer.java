package serverlab.labs.isolation;

import java.util.ArrayList;
import java.util.List;

/**
 * A container made by hand from the kernel's interfaces: the server's JVM is wrapped in
 *
 * <pre>
 * sh -c 'echo $$ &gt; …/cgroup.procs; exec …'        join the cgroup (children inherit it)
 *   nsenter --net=/run/netns/serverlab-sbx-PID-N   enter the network namespace (eth0 + lo)
 *     unshare --pid --fork --kill-child --mount --mount-proc --uts
 *       sh -c 'echo NAME &gt; …/hostname; exec java …'  pid 1 of its PID namespace: the server's JVM
 * </pre>
 *
 * {@code nsenter --net}, not {@code ip netns exec}: the latter remounts /sys, and the JVM inside would no longer
 * find its cgroup limits under /sys/fs/cgroup. When pid 1 dies, the kernel kills everything else in its PID namespace.
 */
final class NamespaceContainer implements Container {

    static final String ENGINE = "namespaces (unshare + ip netns + " + ControlGroup.version() + ")";
    private static final String JOIN_CGROUP = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\"";
    private static final String SET_HOSTNAME = "echo \"$0\" > /proc/sys/kernel/hostname && exec \"$@\"";

    private final VethNetwork network;
    private final String hostname;
    private final ControlGroup cgroup;
    private long jvmPid;

    private NamespaceContainer(VethNetwork network, String hostname, ControlGroup cgroup) {
        this.network = network;
        this.hostname = hostname;
        this.cgroup = cgroup;
    }

    /** Creates the cgroup {@code id} with the limits (0: none); the processes come with {@link #command}. */
    static NamespaceContainer create(String id, VethNetwork network, String hostname, double cpus, long memoryBytes) {
        return new NamespaceContainer(network, hostname, ControlGroup.create(id, cpus, memoryBytes));
    }

    /** What is missing for these containers, or null. */
    static String missing() {
        if (!HostCommand.succeeds("nsenter", "--version")) {
            return "needs unshare and nsenter: apt-get install util-linux";
        }
        String cgroups = ControlGroup.missing();
        if (cgroups != null) {
            return cgroups;
        }
        if (!HostCommand.succeeds("unshare", "--pid", "--fork", "--mount", "--mount-proc", "--uts", "--net", "true")) {
            return "the kernel refuses new namespaces here (a container without CAP_SYS_ADMIN?): see the recorded results";
        }
        return null;
    }

    @Override
    public List<String> command(List<String> server) {
        List<String> command = inCgroup();
        command.addAll(List.of("nsenter", "--net=" + network.path(),
                "unshare", "--pid", "--fork", "--kill-child", "--mount", "--mount-proc", "--uts",
                "sh", "-c", SET_HOSTNAME, hostname));
        command.addAll(server);
        return command;
    }

    /** unshare --fork: the process started is unshare; its one child is the JVM. */
    @Override
    public long serverPid(long started) {
        jvmPid = ProcessHandle.of(started).flatMap(p -> p.children().findFirst())
                .orElseThrow(() -> new IllegalStateException("the sandbox's JVM is gone")).pid();
        return jvmPid;
    }

    @Override
    public ControlGroup cgroup() {
        return cgroup;
    }

    @Override
    public List<String> exec(List<String> command) {
        List<String> line = inCgroup();
        line.addAll(List.of("nsenter", "--target", Long.toString(jvmPid), "--pid", "--mount", "--uts", "--net", "--"));
        line.addAll(command);
        return line;
    }

    @Override
    public void stop() {
        ProcessHandle.of(jvmPid).ifPresent(ProcessHandle::destroy);
    }

    /** SIGKILLs what is left in the cgroup and removes it. */
    @Override
    public void remove() {
        cgroup.remove();
    }

    /** The command prefix that moves the process into our cgroup before it executes the rest. */
    private List<String> inCgroup() {
        List<String> prefix = new ArrayList<>(List.of("sh", "-c", JOIN_CGROUP, "sh"));
        cgroup.procsFiles().forEach(f -> prefix.add(f.toString()));
        prefix.add("--");
        return prefix;
    }
}
