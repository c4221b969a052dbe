package serverlab.servers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import serverlab.servers.handlers.SampleData;

/**
 * Everything a server can be tuned with, immutable: {@code ServerOptions.defaults().withThreads(4)}. Not every
 * architecture uses every option ({@code threads} is the pool size of pool-based servers, {@code workers} the
 * number of event loops or processes, {@code selector} only matters to event loops).
 *
 * <p>Each option is one row of {@link #OPTIONS}: name, default, rule and description. That table drives the
 * validation, the JSON a parent hands to a child JVM ({@link #toJson}, {@link #fromJson}) and the command-line
 * flags of {@code servers.jar}; adding an option is one row here plus its accessor and with-er.
 */
public final class ServerOptions {

    public static final String EPOLL = "epoll";
    public static final String POLL = "poll";
    public static final String REUSEPORT = "reuseport";
    public static final String SHARED = "shared";

    /**
     * One option: its name (JSON key; {@code --kebab-case} on the command line), type, default, rule, and what it means.
     * Values travel as text: numbers and strings as themselves, durations as {@code 250ms} or {@code 30s}, paths absolute.
     */
    public record Option<T>(String name, Class<T> type, Supplier<T> defaultValue, Predicate<T> valid, String rule,
                            String description) {

        /** The value as text, the form it has in JSON and on the command line. */
        public String format(Object value) {
            return switch (value) {
                case Duration d -> d.toMillis() + "ms";
                case Path p -> p.toAbsolutePath().toString();
                default -> value.toString();
            };
        }

        public T parse(String text) {
            Function<String, ?> parser = PARSERS.get(type);
            try {
                return type.cast(parser.apply(text.trim()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + ": cannot read \"" + text + "\" as " + type.getSimpleName(), e);
            }
        }
    }

    private static final Map<Class<?>, Function<String, ?>> PARSERS = Map.of(
            String.class, text -> text,
            Integer.class, Integer::valueOf,
            Long.class, Long::valueOf,
            Path.class, Path::of,
            Duration.class, ServerOptions::parseDuration);

    private static final List<Option<?>> TABLE = new ArrayList<>();
    /** Every option, in the order they are listed and encoded. */
    public static final List<Option<?>> OPTIONS = Collections.unmodifiableList(TABLE);

    public static final Option<String> BIND_ADDRESS = option("bindAddress", String.class, () -> "127.0.0.1",
            v -> !v.isBlank(), "an address", "address to listen on; keep it on loopback");
    public static final Option<Integer> PORT = option("port", Integer.class, () -> 0,
            v -> v >= 0 && v <= 65535, "0..65535", "TCP port, 0 picks a free one");
    public static final Option<Integer> WORKERS = option("workers", Integer.class, () -> 2,
            v -> v >= 1, ">= 1", "event loops or worker processes");
    public static final Option<Integer> THREADS = option("threads", Integer.class, () -> 10,
            v -> v >= 1, ">= 1", "size of a thread pool");
    public static final Option<Integer> QUEUE_CAPACITY = option("queueCapacity", Integer.class, () -> 1000,
            v -> v >= 0, ">= 0", "connections waiting for a pool thread before new ones are refused with 503");
    public static final Option<Integer> HELPERS = option("helpers", Integer.class, () -> 4,
            v -> v >= 1, ">= 1", "helper threads for blocking work in event-loop-workers (libuv's UV_THREADPOOL_SIZE)");
    public static final Option<String> SELECTOR = option("selector", String.class, () -> EPOLL,
            v -> v.equals(EPOLL) || v.equals(POLL), "\"epoll\" or \"poll\"", "readiness mechanism of event loops");
    public static final Option<String> LISTENER = option("listener", String.class, () -> REUSEPORT,
            v -> v.equals(REUSEPORT) || v.equals(SHARED), "\"reuseport\" or \"shared\"",
            "how worker processes listen: each on its own SO_REUSEPORT socket, or all on one socket the master opens "
                    + "and they inherit, as nginx and Apache do (JDK 22+); single-process architectures ignore it");
    public static final Option<Integer> MAX_CONNECTIONS = option("maxConnections", Integer.class, () -> 20_000,
            v -> v >= 1, ">= 1", "open connections beyond which new ones get 503 and are closed");
    public static final Option<Duration> IDLE_TIMEOUT = option("idleTimeout", Duration.class, () -> Duration.ofSeconds(30),
            v -> v.isPositive(), "positive", "how long a connection may stay silent, and one request may take to arrive (408)");
    public static final Option<Integer> MAX_HEADER_BYTES = option("maxHeaderBytes", Integer.class, () -> 8192,
            v -> v >= 64, ">= 64", "request line plus headers, larger gets 431");
    public static final Option<Long> MAX_BODY_BYTES = option("maxBodyBytes", Long.class, () -> 1L << 20,
            v -> v >= 0, ">= 0", "request body, larger gets 413");
    public static final Option<Path> DATA_DIR = option("dataDir", Path.class, SampleData::directory,
            v -> true, "a directory", "directory served by /file?name= (default: generated sample files)");
    public static final Option<Integer> CONTROL_PORT = option("controlPort", Integer.class, () -> -1,
            v -> v >= -1 && v <= 65535, "-1 (off), 0 (ephemeral) or a port", "out-of-band control endpoint");

    public static final Option<String> HANDLER = option("handler", String.class, () -> "",
            v -> true, "a class name, or empty", "application Handler class (public, with a public (Handler fallback) "
                    + "constructor) that answers first and passes what it does not know to the workloads; empty: the workloads alone");

    private final Map<Option<?>, Object> values;

    private ServerOptions(Map<Option<?>, Object> values) {
        this.values = values;
    }

    /** Loopback, ephemeral port, 2 workers, 10 threads, queue 1000, 4 helpers, epoll, SO_REUSEPORT workers, 20k connections, 30 s idle, 8 KiB headers, 1 MiB bodies, sample data, no control port. */
    public static ServerOptions defaults() {
        return fromText(Map.of());
    }

    /**
     * The options named in {@code given} read from text, the others at their defaults. A default is computed only
     * when used: a CGI child handed a data directory must not create the sample one.
     */
    private static ServerOptions fromText(Map<String, String> given) {
        given.keySet().forEach(ServerOptions::option); // unknown names are refused
        Map<Option<?>, Object> values = new LinkedHashMap<>();
        for (Option<?> option : OPTIONS) {
            String text = given.get(option.name());
            values.put(option, text == null ? option.defaultValue().get() : parsed(option, text));
        }
        return new ServerOptions(values);
    }

    private static <T> T parsed(Option<T> option, String text) {
        return checked(option, option.parse(text));
    }

    private static <T> T checked(Option<T> option, T value) {
        Objects.requireNonNull(value, option.name());
        if (!option.valid().test(value)) {
            throw new IllegalArgumentException(option.name() + " must be " + option.rule() + ": " + option.format(value));
        }
        return value;
    }

    public <T> T get(Option<T> option) {
        return option.type().cast(values.get(option));
    }

    /** A copy with {@code option} set to {@code value}, which must follow the option's rule. */
    public <T> ServerOptions with(Option<T> option, T value) {
        Map<Option<?>, Object> copy = new LinkedHashMap<>(values);
        copy.put(option, checked(option, value));
        return new ServerOptions(copy);
    }

    public String bindAddress() { return get(BIND_ADDRESS); }
    public int port() { return get(PORT); }
    public int workers() { return get(WORKERS); }
    public int threads() { return get(THREADS); }
    public int queueCapacity() { return get(QUEUE_CAPACITY); }
    public int helpers() { return get(HELPERS); }
    public String selector() { return get(SELECTOR); }
    public String listener() { return get(LISTENER); }
    /** Workers inherit the master's one listening socket ({@code listener = "shared"}). */
    public boolean sharedListener() { return listener().equals(SHARED); }
    public int maxConnections() { return get(MAX_CONNECTIONS); }
    public Duration idleTimeout() { return get(IDLE_TIMEOUT); }
    public int maxHeaderBytes() { return get(MAX_HEADER_BYTES); }
    public long maxBodyBytes() { return get(MAX_BODY_BYTES); }
    public Path dataDir() { return get(DATA_DIR); }
    public int controlPort() { return get(CONTROL_PORT); }
    public String handler() { return get(HANDLER); }

    public ServerOptions withBindAddress(String v) { return with(BIND_ADDRESS, v); }
    public ServerOptions withPort(int v) { return with(PORT, v); }
    public ServerOptions withWorkers(int v) { return with(WORKERS, v); }
    public ServerOptions withThreads(int v) { return with(THREADS, v); }
    public ServerOptions withQueueCapacity(int v) { return with(QUEUE_CAPACITY, v); }
    public ServerOptions withHelpers(int v) { return with(HELPERS, v); }
    public ServerOptions withSelector(String v) { return with(SELECTOR, v); }
    public ServerOptions withListener(String v) { return with(LISTENER, v); }
    public ServerOptions withMaxConnections(int v) { return with(MAX_CONNECTIONS, v); }
    public ServerOptions withIdleTimeout(Duration v) { return with(IDLE_TIMEOUT, v); }
    public ServerOptions withMaxHeaderBytes(int v) { return with(MAX_HEADER_BYTES, v); }
    public ServerOptions withMaxBodyBytes(long v) { return with(MAX_BODY_BYTES, v); }
    public ServerOptions withDataDir(Path v) { return with(DATA_DIR, v); }
    public ServerOptions withControlPort(int v) { return with(CONTROL_PORT, v); }
    public ServerOptions withHandler(String v) { return with(HANDLER, v); }

    /** Every option as {@code "name": "text"}, the form a parent hands its options to a child JVM in. */
    public String toJson() {
        JsonObject json = new JsonObject();
        values.forEach((option, value) -> json.addProperty(option.name(), option.format(value)));
        return json.toString();
    }

    /** Reads {@link #toJson()}; options it does not name keep their defaults, unknown names are refused. */
    public static ServerOptions fromJson(String text) {
        Map<String, String> given = new LinkedHashMap<>();
        JsonParser.parseString(text).getAsJsonObject().entrySet()
                .forEach(entry -> given.put(entry.getKey(), entry.getValue().getAsString()));
        return fromText(given);
    }

    /** A copy with the option called {@code name} read from text (as the command line and JSON give it). */
    public ServerOptions withText(String name, String text) {
        return withParsed(option(name), text);
    }

    private <T> ServerOptions withParsed(Option<T> option, String text) {
        return with(option, option.parse(text));
    }

    public static Option<?> option(String name) {
        return OPTIONS.stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown server option " + name));
    }

    private static <T> Option<T> option(String name, Class<T> type, Supplier<T> defaultValue, Predicate<T> valid,
                                        String rule, String description) {
        Option<T> option = new Option<>(name, type, defaultValue, valid, rule, description);
        TABLE.add(option);
        return option;
    }

    // "250ms", "30s", or ISO-8601 ("PT30S")
    private static Duration parseDuration(String text) {
        if (text.endsWith("ms")) return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        if (text.endsWith("s") && !text.startsWith("P")) return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
        return Duration.parse(text);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ServerOptions o && values.equals(o.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ServerOptions[");
        values.forEach((option, value) -> text.append(text.length() > 14 ? ", " : "")
                .append(option.name()).append('=').append(option.format(value)));
        return text.append(']').toString();
    }
}
