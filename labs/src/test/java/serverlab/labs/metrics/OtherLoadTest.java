package serverlab.labs.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A spinning process is "other" load when it is outside the watched tree and not when it is inside, alive or
 * already reaped. Compared side by side in one run (the machine may be busy with other things: only the
 * difference a spinning core makes is asserted).
 */
class OtherLoadTest {

    private final List<Process> started = new ArrayList<>();

    private Process start(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Others' cores over one second of {@code watched}'s tree. */
    private static double othersOver(long watchedPid) throws InterruptedException {
        OtherLoad others = OtherLoad.startFor(watchedPid);
        Thread.sleep(1000);
        return others.cores();
    }

    @Test
    void aSpinningProcessCountsAsOtherLoadOnlyOutsideTheTree() throws Exception {
        Process spinner = start("sh", "-c", "while :; do :; done");
        Process bystander = start("sleep", "60");
        double outside = othersOver(bystander.pid());           // the spinner is not sleep's descendant
        double inside = othersOver(ProcessHandle.current().pid()); // it is this JVM's child
        spinner.destroyForcibly().waitFor(5, TimeUnit.SECONDS);

        // A spinner that ends and is reaped during the window: its time moves to this JVM's cutime, still "ours".
        OtherLoad others = OtherLoad.startFor(ProcessHandle.current().pid());
        Process brief = start("timeout", "0.6", "sh", "-c", "while :; do :; done");
        assertTrue(brief.waitFor(10, TimeUnit.SECONDS), "timeout 0.6 s did not end");
        Thread.sleep(400);
        double reaped = others.cores();

        String figures = String.format("outside %.2f, inside %.2f, inside and reaped %.2f cores", outside, inside, reaped);
        System.out.println("OtherLoadTest: " + figures);
        assertTrue(outside - inside >= 0.4, figures);
        assertTrue(outside - reaped >= 0.3, figures);
        assertTrue(inside >= 0 && reaped >= 0, figures);
    }
}
