package serverlab.kernel.eval;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import serverlab.kernel.CellRun;

class CellGuardTest {

    /** What a thread of the cell sees at its next check, once {@code released} lets it run. */
    private static CompletableFuture<Boolean> threadOf(CellRun run, CountDownLatch released) {
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread thread = new Thread(run.threads(), () -> {
            CellRun.bind(run);
            try {
                released.await();
                CellGuard.check();
                interrupted.complete(false);
            } catch (CellGuard.CellInterrupted e) {
                interrupted.complete(true);
            } catch (InterruptedException e) {
                interrupted.completeExceptionally(e);
            }
        }, "cell-thread");
        thread.start();
        return interrupted;
    }

    /**
     * The cell's execute request is answered (cellEnded) before a thread it started gets the CPU (a busy machine): that
     * thread still stops at its first check. It used to spin on, the stop forgotten by then.
     */
    @Test
    void aThreadScheduledOnlyAfterTheCellEndedStillStops() throws Exception {
        CellRun run = new CellRun(1, null, null, false);
        CountDownLatch released = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = threadOf(run, released);
        run.requestStop();
        CellGuard.stop(run);
        CellGuard.cellEnded();
        released.countDown();
        assertTrue(interrupted.get(10, TimeUnit.SECONDS), "the stopped cell's thread ran past its check");
    }

    @Test
    void anotherCellsThreadsRunOn() throws Exception {
        CellRun stoppedCell = new CellRun(1, null, null, false);
        stoppedCell.requestStop();
        CellGuard.stop(stoppedCell);
        CellRun next = new CellRun(2, null, null, false);
        CountDownLatch released = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = threadOf(next, released);
        released.countDown();
        assertFalse(interrupted.get(10, TimeUnit.SECONDS), "a cell that was not interrupted stopped");
        CellGuard.cellEnded();
    }
}
