package serverlab.servers.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Runs in a child process. The parent holds the write end of the child's stdin; when the parent dies, even
 * by SIGKILL, the kernel closes it and the child reads EOF. A daemon thread blocks on stdin and halts the
 * child at EOF, so no worker outlives its parent. Lines read before EOF are the parent's commands.
 */
public final class ParentWatchdog {

    /** Exit status of a child that found its parent gone. */
    public static final int ORPHANED = 3;

    private ParentWatchdog() {
    }

    /**
     * Watches {@code stdin} on a daemon thread, passing each line to {@code commands}; halts at EOF.
     * {@code onShutdown} also runs on SIGTERM/SIGINT through a shutdown hook (halt skips hooks on purpose:
     * an orphan has nobody to report to).
     */
    public static void watch(InputStream stdin, Consumer<String> commands, Runnable onShutdown) {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(onShutdown, "shutdown-hook"));
        } catch (IllegalStateException shutdownInProgress) {
            // Stopped (SIGTERM from the parent) before it even started: nothing to serve, nothing to report.
            Runtime.getRuntime().halt(ORPHANED);
        }
        Thread watchdog = new Thread(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.US_ASCII))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    commands.accept(line);
                }
            } catch (IOException | RuntimeException e) {
                // a broken pipe means the parent is gone too
            }
            Runtime.getRuntime().halt(ORPHANED);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * For a short-lived child: checks every 50 ms whether its parent is still {@code parent} (the pid the parent
     * passed in, so a parent that died before this check is noticed too) and halts if it was re-parented.
     * A thread blocked in {@code read(stdin)} would do it without polling, but a JVM waits up to 300 ms at exit
     * for threads that are inside native code, which would triple the life of a CGI child.
     */
    public static void pollParent(long parent) {
        Thread watchdog = new Thread(() -> {
            while (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L) == parent) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runtime.getRuntime().halt(ORPHANED);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
