package serverlab.servers.event;

import java.nio.channels.spi.SelectorProvider;

/**
 * Chooses the readiness mechanism behind {@link java.nio.channels.Selector}: {@code "epoll"}
 * (the JDK's default on Linux: the kernel keeps the interest set, each wait costs O(ready))
 * or {@code "poll"} (the whole interest set is passed to the kernel on every wait: O(connections)),
 * to show the C10K effect side by side. There is no select(2) provider on Linux.
 *
 * <p>The poll provider is {@code sun.nio.ch.PollSelectorProvider}, a public class in a package
 * java.base does not export, so instantiating it needs the JVM flag
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (servers.jar declares it in its
 * manifest; the test run and every child JVM pass it). Without the flag asking for poll fails: a silent
 * fallback to epoll would make a poll-vs-epoll comparison measure epoll twice.
 * {@code -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.PollSelectorProvider} is the other way to get
 * poll, for a whole JVM.
 */
public final class SelectorProviders {

    public static final String POLL_PROVIDER = "sun.nio.ch.PollSelectorProvider";
    public static final String ADD_EXPORTS_FLAG = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";

    private SelectorProviders() {
    }

    /** The provider for {@code "epoll"} or {@code "poll"}; poll without the JVM flag it needs is an {@link IllegalStateException}. */
    public static SelectorProvider forName(String selector) {
        return switch (selector) {
            case "epoll" -> SelectorProvider.provider();
            case "poll" -> poll();
            default -> throw new IllegalArgumentException("selector must be \"epoll\" or \"poll\": " + selector);
        };
    }

    /** Whether {@code "poll"} really yields the poll provider in this JVM. */
    public static boolean pollAvailable() {
        return forPoll() != null;
    }

    private static SelectorProvider poll() {
        SelectorProvider poll = forPoll();
        if (poll != null) return poll;
        throw new IllegalStateException("selector \"poll\" needs the JVM flag " + ADD_EXPORTS_FLAG
                + " (sun.nio.ch is not exported to this code)");
    }

    private static SelectorProvider forPoll() {
        SelectorProvider system = SelectorProvider.provider();
        if (system.getClass().getName().equals(POLL_PROVIDER)) return system; // chosen by -Djava.nio.channels.spi.SelectorProvider
        try {
            return (SelectorProvider) Class.forName(POLL_PROVIDER).getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) { // IllegalAccessException without --add-exports
            return null;
        }
    }
}
