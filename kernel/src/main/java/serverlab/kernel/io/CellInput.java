package serverlab.kernel.io;

import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import serverlab.kernel.CellRun;
import serverlab.kernel.eval.CellGuard;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * {@code System.in} for cells: a read asks the front end for a line (an input box below the
 * cell), as Python's {@code input()} does. Only a running cell's threads can ask, and only
 * when the front end accepts input ({@code allow_stdin}); elsewhere a read fails and says why.
 */
public final class CellInput extends InputStream {
    /** Sends an input_request for the cell's request and waits for the text of the reply. */
    @FunctionalInterface
    public interface Asker {
        String ask(MessageContext request, String prompt, boolean password, BooleanSupplier cancelled) throws IOException;
    }

    private static volatile Asker asker;

    private CellRun bufferedFor;
    private byte[] line = new byte[0];
    private int position;

    private CellInput() {}

    public static void install(Asker kernelAsker) {
        asker = kernelAsker;
        System.setIn(new CellInput());
    }

    /** One line typed by the user, without its line break. */
    public static String readLine(String prompt, boolean password) throws IOException {
        CellRun run = CellRun.current();
        if (run == null || !run.isActive()) {
            throw new IOException("no input here: only a running cell can ask for input, and this thread's cell has finished");
        }
        if (!(run.request() instanceof Message<?> message && message.getContent() instanceof ExecuteRequest request
                && request.isStdinEnabled())) {
            throw new IOException("this front end does not accept input (the cell was sent with allow_stdin=false, "
                    + "as nbclient and nbconvert do): put the value in the code instead");
        }
        Asker kernel = asker;
        if (kernel == null) throw new IOException("input works inside the ServerLab kernel only");
        if (run.streams() != null) run.streams().flush();   // a printed prompt shows before the input box
        try {
            return kernel.ask(run.request(), prompt, password, run::isStopRequested);
        } catch (InterruptedIOException interrupted) {
            throw new CellGuard.CellInterrupted();   // an Error: Scanner and catch (IOException e) cannot swallow it
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** Hands out the current line; when it is used up, asks for the next one. */
    @Override
    public synchronized int read(byte[] into, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) return 0;
        CellRun run = CellRun.current();
        if (bufferedFor != run || position >= line.length) {
            line = (readLine("", false) + "\n").getBytes(StandardCharsets.UTF_8);
            position = 0;
            bufferedFor = run;
        }
        int n = Math.min(length, line.length - position);
        System.arraycopy(line, position, into, offset, n);
        position += n;
        return n;
    }

    /** What is left of the line already typed: readers stop there instead of asking for more. */
    @Override
    public synchronized int available() {
        return bufferedFor == CellRun.current() ? line.length - position : 0;
    }
}
