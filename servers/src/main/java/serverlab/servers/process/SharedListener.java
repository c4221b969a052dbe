package serverlab.servers.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.Listeners;

/**
 * One listening socket that the master opens and never accepts on, inherited by every worker, as in nginx and
 * Apache (option {@code listener = "shared"}). Every waiting worker waits on the same accept queue: the kernel
 * hands a new connection to one that is free, and a worker that stops listening leaves the queue to the others.
 *
 * <p>The JDK cannot give a child a socket: {@link ProcessBuilder} closes every descriptor above 2 in the child and
 * sets 0, 1 and 2 only to pipes, files or the parent's own 0, 1 and 2. So the master briefly makes the socket its
 * own stderr while it starts a worker with stderr inherited ({@link #start}); a shell then moves it to the
 * worker's fd 0, where {@link System#inheritedChannel()} finds it ({@link Worker#listener}).
 */
final class SharedListener implements AutoCloseable {

    /**
     * In the worker: fd 3 = the command pipe (was stdin), fd 0 = the listening socket (was stderr), fd 2 = the
     * protocol pipe (stray stderr lines reach the master, which prints what it cannot parse).
     */
    private static final List<String> MOVE_TO_STDIN = List.of("/bin/sh", "-c", "exec \"$@\" 3<&0 0<&2 2>&1", "sh");
    /** The worker being started on this thread inherits this listener (set around a subclass's launchWorker). */
    private static final ThreadLocal<SharedListener> PASSING = new ThreadLocal<>();
    /** fd 2 belongs to the whole JVM: every child start waits while one borrows it. */
    private static final Object STDERR = new Object();

    private final Descriptors descriptors;
    private final ServerSocketChannel channel;
    private final int fd;

    private SharedListener(Descriptors descriptors, ServerSocketChannel channel, int fd) {
        this.descriptors = descriptors;
        this.channel = channel;
        this.fd = fd;
    }

    /** Listens on {@code options}' address and port (SO_REUSEPORT, as the master's {@link PortReservation} holds it too). */
    static SharedListener open(ServerOptions options) throws IOException {
        Descriptors descriptors = Descriptors.load(); // fails on JDK 21 before anything is opened
        ServerSocketChannel channel = Listeners.channel(SelectorProvider.provider(), options, true);
        try {
            return new SharedListener(descriptors, channel, descriptorOf(channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A launch of one worker that goes through {@link ChildJvm#start}. */
    interface Launch {
        Process start() throws IOException;
    }

    /** Runs {@code launch}; the worker JVM it starts inherits this socket. */
    Process passTo(Launch launch) throws IOException {
        PASSING.set(this);
        try {
            return launch.start();
        } finally {
            PASSING.remove();
        }
    }

    /** Starts {@code child} ({@link ChildJvm#command}: stderr inherited); inside {@link #passTo}, with this socket. */
    static Process start(ProcessBuilder child) throws IOException {
        SharedListener listener = PASSING.get();
        synchronized (STDERR) {
            return listener == null ? child.start() : listener.startWithSocketAsStderr(child);
        }
    }

    /**
     * The dance: the socket becomes this JVM's fd 2 just while the child is spawned, so the child inherits it.
     * Why fd 2: stdin and stdout are the worker's pipes to the master. For those microseconds a line this JVM
     * writes to System.err goes to the listening socket and is lost (writing to it fails).
     */
    private Process startWithSocketAsStderr(ProcessBuilder child) throws IOException {
        child.command().addAll(0, MOVE_TO_STDIN);
        int stderr = descriptors.dup(2);
        try {
            descriptors.dup2(fd, 2);
            return child.start();
        } finally {
            descriptors.dup2(stderr, 2);
            descriptors.close(stderr);
        }
    }

    /** Closes the master's reference; the socket closes (resetting what is queued) once no worker holds it either. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /**
     * The descriptor number of {@code channel}, which the JDK does not expose: the entry of /proc/self/fd that
     * links to {@code socket:[inode]} where the inode is that of the LISTEN entry for its port in /proc/net/tcp(6).
     */
    private static int descriptorOf(ServerSocketChannel channel) throws IOException {
        Set<String> sockets = listeningSockets(((InetSocketAddress) channel.getLocalAddress()).getPort());
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (sockets.contains(target)) {
                    return Integer.parseInt(fd.getFileName().toString());
                }
            }
        }
        throw new IOException("the listening socket on " + channel.getLocalAddress() + " is not among this process's descriptors");
    }

    /** {@code socket:[inode]} of every TCP socket listening on {@code port}, as /proc/self/fd links name them. */
    private static Set<String> listeningSockets(int port) throws IOException {
        Set<String> sockets = new HashSet<>();
        for (Path table : List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"))) {
            List<String> lines = Files.exists(table) ? Files.readAllLines(table) : List.of();
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) { // after the heading
                String[] fields = line.trim().split("\\s+"); // sl local_address rem_address st … uid timeout inode
                String localPort = fields[1].substring(fields[1].indexOf(':') + 1);
                if (fields[3].equals("0A") && Integer.parseInt(localPort, 16) == port) { // 0A: LISTEN
                    sockets.add("socket:[" + fields[9] + "]");
                }
            }
        }
        return sockets;
    }
}
