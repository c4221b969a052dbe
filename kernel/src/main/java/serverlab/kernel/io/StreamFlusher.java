package serverlab.kernel.io;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that sends buffered cell output as soon as it can. No timer: while
 * one batch is on the wire the next one grows, so a slow trickle goes out line by line
 * and a flood goes out in large messages. Only a half-written line waits, briefly.
 */
public final class StreamFlusher {
    private static final long LINE_GRACE_NANOS = 2_000_000;

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
                CellStreams streams = ready.take();
                // A line still being written (printf, print in a loop) gets 2 ms to finish, so
                // saved notebooks do not hold lines cut in pieces; the cell's end flushes anyway.
                if (streams.endsMidLine()) LockSupport.parkNanos(LINE_GRACE_NANOS);
                streams.flush();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                // Keep flushing for the next cells even if one publish failed (say, under OOM).
            }
        }
    }
}
