package serverlab.labs.workbook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A check cell's assertion about the <em>shape</em> of a result: who wins, roughly by how much,
 * which curve is flat. Each {@link #that} states one expectation with the evidence; {@link #otherwise}
 * prints {@code ✓} and the evidence when all hold, or fails with every broken expectation and what to do.
 *
 * <pre>{@code
 * Expect.shape("epoll stays flat while poll falls")
 *       .that(epollRatio > 0.7, "epoll at 10,000 idle: %.2f of its throughput at 0 idle (want > 0.7)", epollRatio)
 *       .that(pollRatio < 0.5, "poll at 10,000 idle: %.2f (want < 0.5)", pollRatio)
 *       .otherwise("Run the sweep again with nothing else busy; if poll stays flat, check the selector column.");
 * }</pre>
 */
public final class Expect {

    private final String claim;
    private final List<String> held = new ArrayList<>();
    private final List<String> broken = new ArrayList<>();

    private Expect(String claim) {
        this.claim = claim;
    }

    /** Starts a check of one claim, in the words of the chapter's text. */
    public static Expect shape(String claim) {
        return new Expect(claim);
    }

    /** One expectation: {@code holds}, described by {@code evidence} (a format string with its arguments). */
    public Expect that(boolean holds, String evidence, Object... args) {
        (holds ? held : broken).add(String.format(Locale.ROOT, evidence, args));
        return this;
    }

    /** True when every expectation so far holds. */
    public boolean holds() {
        return broken.isEmpty();
    }

    /**
     * Ends the check: prints {@code ✓ claim} and the evidence, or throws {@link ShapeError} naming every broken
     * expectation, the ones that held, and {@code whatToDo}.
     */
    public void otherwise(String whatToDo) {
        if (broken.isEmpty()) {
            System.out.println("✓ " + claim);
            held.forEach(line -> System.out.println("  " + line));
            return;
        }
        StringBuilder message = new StringBuilder("✗ ").append(claim).append(": expected shape not seen");
        broken.forEach(line -> message.append("\n  ✗ ").append(line));
        held.forEach(line -> message.append("\n  ✓ ").append(line));
        message.append("\nWhat to do: ").append(whatToDo);
        throw new ShapeError(message.toString());
    }

    /** A check cell's failure: the result did not have the expected shape. */
    public static final class ShapeError extends IllegalStateException {
        ShapeError(String message) {
            super(message);
        }
    }
}
