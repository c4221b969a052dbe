package serverlab.labs.isolation;

import java.util.List;

/**
 * How one engine confines a sandbox's server, inside the network namespace the sandbox made: the command that
 * starts the server, then how to find its JVM, enter it, stop it and remove what the engine made.
 */
interface Container {

    /** The command that starts {@code server} (a JVM command line) inside; its stdin and stdout reach the server. */
    List<String> command(List<String> server);

    /** Host PID of the server's JVM once it is ready; {@code started} is the pid of the process {@link #command} ran. */
    long serverPid(long started);

    /** The cgroup that holds the server's processes and their limits; known once {@link #serverPid} was asked. */
    ControlGroup cgroup();

    /** The command that runs {@code command} inside, beside the server. */
    List<String> exec(List<String> command);

    /** Asks the server's JVM to stop (SIGTERM: it closes its server and workers). */
    void stop();

    /** Removes whatever the engine made: processes left, cgroup, container. Also after a failed start; idempotent. */
    void remove();
}
