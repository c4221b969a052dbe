package serverlab.kernel.eval;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import serverlab.kernel.CellRun;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs snippets in the kernel's own JVM, so values stay live objects. Each snippet
 * runs on a fresh thread in its cell's thread group (so an interrupt reaches every
 * thread the cell started), and its classes are instrumented for stopping.
 */
public final class CellExecutionControl extends DirectExecutionControl {
    private static final long SNIPPET_STACK_BYTES = 64L << 20;  // deep recursion should be a user choice, not a crash

    private static final long ABANDON_AFTER_NANOS = 700_000_000L;

    private volatile CellRun run;
    private Object lastValue;
    private boolean stopped;

    public void beginCell(CellRun run) {
        this.run = run;
    }

    /** The live value of the last snippet invoked, consumed by the kernel to render it. */
    public Object takeLastValue() {
        Object value = lastValue;
        lastValue = null;
        return value;
    }

    /** True when the last invocation ended because of an interrupt. */
    public boolean wasStopped() {
        return stopped;
    }

    /** Stops the running cell: busy loops hit a stop check, blocking calls get interrupted. */
    public void interrupt(CellRun target) {
        target.requestStop();
        CellGuard.stop(target);
        target.threads().interrupt();
    }

    public void endCell(CellRun target) {
        CellGuard.cellEnded();
        run = null;
    }

    @Override
    public void load(ClassBytecodes[] classes) throws ClassInstallException, NotImplementedException, EngineTerminationException {
        super.load(Stream.of(classes)
                .map(c -> new ClassBytecodes(c.name(), StopCheckInstrumenter.instrument(c.bytecodes())))
                .toArray(ClassBytecodes[]::new));
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        CellRun target = run;
        lastValue = null;
        stopped = false;
        if (target != null && target.isStopRequested()) {
            stopped = true;
            throw new StoppedException();
        }
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Runnable body = () -> {
            CellRun.bind(target);
            try {
                result[0] = doit.invoke(null);
            } catch (InvocationTargetException e) {
                failure[0] = e.getCause();
            } catch (Throwable e) {
                failure[0] = e;
            }
        };
        ThreadGroup group = target != null ? target.threads() : Thread.currentThread().getThreadGroup();
        Thread snippet = new Thread(group, body, "cell-" + (target != null ? target.executionCount() : 0), SNIPPET_STACK_BYTES);
        snippet.start();
        awaitOrAbandon(snippet, target);

        Throwable thrown = failure[0];
        if (thrown instanceof CellGuard.CellInterrupted
                || (target != null && target.isStopRequested() && thrown instanceof InterruptedException)) {
            stopped = true;
            throw new StoppedException();
        }
        if (thrown != null) {
            throw new InvocationTargetException(thrown);
        }
        lastValue = result[0];
        return valueString(result[0]);
    }

    /**
     * Waits for the snippet. After an interrupt, a thread stuck in a call that ignores
     * interrupts (a blocking accept, say) is abandoned so the kernel can answer again.
     */
    private void awaitOrAbandon(Thread snippet, CellRun target) throws InterruptedException, StoppedException {
        long stopSeenAt = 0;
        while (snippet.isAlive()) {
            snippet.join(50);
            if (target == null || !target.isStopRequested()) continue;
            long now = System.nanoTime();
            if (stopSeenAt == 0) stopSeenAt = now;
            else if (now - stopSeenAt > ABANDON_AFTER_NANOS) {
                stopped = true;
                throw new StoppedException();
            }
        }
    }

    /** Hands JShell one prepared instance, so the kernel keeps a typed reference to it. */
    public static ExecutionControlProvider provider(CellExecutionControl control) {
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "serverlab-cells";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return control;
            }
        };
    }
}
