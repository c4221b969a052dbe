package serverlab.servers.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The parent's handle on one child JVM (a worker, a hosted server): its pid, its ready signal, and stats/stop over the pipes ({@link ChildMessage}). */
public final class WorkerProcess {

    private final Process process;
    private final Thread reader;
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private final BlockingQueue<WorkerStats> statsReplies = new LinkedBlockingQueue<>();
    private volatile WorkerStats lastStats;

    private WorkerProcess(Process process) {
        this.process = process;
        this.lastStats = WorkerStats.none(process.pid());
        reader = new Thread(this::readReplies, "worker-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
        process.onExit().thenRun(() -> ready.completeExceptionally(
                new IOException("child " + process.pid() + " exited with status " + process.exitValue() + " before it was ready")));
    }

    public static WorkerProcess start(Process process) {
        return new WorkerProcess(process);
    }

    private void readReplies() {
        try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                ChildMessage message;
                try {
                    message = ChildMessage.parse(line);
                } catch (IllegalArgumentException e) {
                    System.err.println("serverlab: child " + pid() + " printed " + line);
                    continue;
                }
                switch (message.type()) {
                    case ChildMessage.READY -> ready.complete(message.port());
                    case ChildMessage.STATS -> {
                        lastStats = message.workerStats(); // an answer, or the final report of an exiting worker
                        statsReplies.offer(lastStats);
                    }
                    default -> System.err.println("serverlab: unexpected message from child " + pid() + ": " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the worker died; onExit reports it
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** Waits until the child listens; returns the port it announced (0: the port its parent gave it). */
    public int awaitReady(Duration timeout) throws IOException {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("child " + pid() + " not ready within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for child " + pid());
        }
    }

    /** Asks the worker for its counters; a dead or slow worker yields the last answer it gave. */
    public synchronized WorkerStats stats(Duration timeout) {
        if (!process.isAlive()) {
            return lastStats;
        }
        statsReplies.clear();
        try {
            send(ChildMessage.statsRequest());
            statsReplies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (UncheckedIOException e) {
            // died between isAlive and the write
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lastStats;
    }

    /** Tells the worker to stop accepting and to drain its connections within {@code drain}. */
    public void requestStop(Duration drain) {
        try {
            send(ChildMessage.stop(drain));
        } catch (UncheckedIOException e) {
            // already gone
        }
    }

    /** Waits for the worker to exit, and for its last words (final stats) to be read; forces it after {@code timeout}. */
    public void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(1_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM: the worker's shutdown hook closes its sockets; follow with {@link #awaitExit}. */
    public void requestTermination() {
        process.destroy();
    }

    private void send(ChildMessage command) {
        synchronized (process) {
            try {
                OutputStream toWorker = process.getOutputStream();
                toWorker.write((command.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
                toWorker.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
