package serverlab.labs.cluster;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The stop protocol of the data tier's processes: each runs until its stdin ends, which happens when we close
 * the pipe and also when this JVM dies, even by SIGKILL. So a killed notebook kernel leaves no database behind.
 */
final class StdinStop {

    private StdinStop() {
    }

    /** Closes {@code process}'s stdin and waits up to {@code graceSeconds}; then kills it and its descendants. */
    static void stop(Process process, long graceSeconds) {
        try {
            process.getOutputStream().close();
            if (process.waitFor(graceSeconds, TimeUnit.SECONDS)) return;
        } catch (IOException e) {
            // the pipe is already broken: force it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
