package serverlab.labs.display;

/**
 * Where lab code sends things to be shown: the notebook when running inside the
 * ServerLab kernel, the console otherwise.
 *
 * <p>The kernel installs its own sink with {@link Displays#install(DisplaySink)} and
 * renders each value by its MIME bundle ({@link Rich}) or its own renderers (tables,
 * charts). Lab code only ever talks to {@link Displays#current()}.
 */
public interface DisplaySink {

    /**
     * Shows {@code value} in a new output area.
     *
     * @return an id that {@link #update(String, Object)} can later replace the output with
     */
    String display(Object value);

    /** Replaces the output shown under {@code displayId} by a rendering of {@code value}. */
    void update(String displayId, Object value);
}
