package serverlab.labs.isolation;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a short command on the host (ip, nsenter, podman …) and returns its stdout; a failure carries its stderr. */
final class HostCommand {

    private static final long TIMEOUT_SECONDS = 60;

    private HostCommand() {
    }

    static String run(String... command) {
        return run(List.of(command));
    }

    /** @throws IllegalStateException if the command fails, with its exit status and stderr */
    static String run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst(), e);
        }
        // read both pipes at once: a chatty stderr must not block the command while we wait for stdout
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String stdout = readAll(process.getInputStream());
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with status " + process.exitValue()
                    + ": " + stderr.join().strip());
        }
        return stdout;
    }

    /** Whether {@code command} runs and exits with status 0. */
    static boolean succeeds(String... command) {
        try {
            run(command);
            return true;
        } catch (IllegalStateException | UncheckedIOException e) {
            return false;
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
