package serverlab.labs.display;

import java.util.Map;

/**
 * A value that knows how to render itself: the kernel shows it by its MIME bundle,
 * e.g. {@code "text/html"} for the notebook plus {@code "text/plain"} for consoles and logs.
 *
 * <p>A bundle should always contain {@code "text/plain"}: the console sink prints it.
 */
public interface Rich {

    /** MIME type → content, e.g. {@code Map.of("text/html", "<b>hi</b>", "text/plain", "hi")}. */
    Map<String, String> mimeBundle();

    /** The plain-text form, falling back to {@code toString()} when the bundle has none. */
    default String plainText() {
        String text = mimeBundle().get("text/plain");
        return text != null ? text : toString();
    }
}
