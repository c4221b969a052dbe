package serverlab.kernel.io;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * One daemon thread that sends buffered cell output as soon as it can. No timer: while
 * one batch is on the wire the next one grows, so a slow trickle goes out line by line
 * and a flood goes out in large messages.
 */
public final class StreamFlusher {
    private final LinkedBlockingQueue<CellStreams> ready = new LinkedBlockingQueue<>();

    public StreamFlusher() {
        Thread thread = new Thread(this::run, "stream-flusher");
        thread.setDaemon(true);
        thread.start();
    }

    void schedule(CellStreams streams) {
        ready.add(streams);
    }

    private void run() {
        while (true) {
            try {
                ready.take().flush();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                // Keep flushing for the next cells even if one publish failed (say, under OOM).
            }
        }
    }
}
