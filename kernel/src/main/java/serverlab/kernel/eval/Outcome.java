package serverlab.kernel.eval;

import java.util.List;

/** What a cell evaluation produced: nothing to show, a value, or an error for the notebook. */
public sealed interface Outcome {
    record Done() implements Outcome {}

    record Value(Object value) implements Outcome {}

    record Failure(String ename, String evalue, List<String> traceback) implements Outcome {}

    Outcome DONE = new Done();

    static Failure interrupted() {
        return new Failure("Interrupted", "the cell was interrupted",
                List.of("\u001b[0;31mInterrupted\u001b[0m: the cell was stopped by a kernel interrupt; variables defined before it are kept."));
    }
}
