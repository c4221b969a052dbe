package serverlab.kernel.io;

import serverlab.kernel.CellRun;
import serverlab.kernel.widgets.Output;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Replaces System.out and System.err for the whole JVM and sends each write to the Output
 * widget the writing thread captures into, else to the cell that owns the thread while that
 * cell runs, otherwise to {@link BackgroundOutput}.
 */
public final class OutputRouter {
    private final BackgroundOutput background;

    public OutputRouter(BackgroundOutput background) {
        this.background = background;
    }

    public void install() {
        System.setOut(new PrintStream(new Routed("stdout"), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Routed("stderr"), true, StandardCharsets.UTF_8));
    }

    private final class Routed extends OutputStream {
        private final String name;

        Routed(String name) {
            this.name = name;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (length == 0) return;
            Output capture = Output.capturing();
            if (capture != null) {
                capture.appendStream(name, new String(bytes, offset, length, StandardCharsets.UTF_8));
                return;
            }
            CellRun run = CellRun.current();
            if (run != null && run.isActive()) {
                if (!run.silent()) run.streams().write(name, bytes, offset, length);
            } else {
                background.write(name, bytes, offset, length);
            }
        }
    }
}
