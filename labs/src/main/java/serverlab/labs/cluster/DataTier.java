package serverlab.labs.cluster;

import java.nio.file.Path;

/**
 * The data processing layer of a {@link Cluster}: a database server in its own process, started here and
 * stopped by {@link #close}. PostgreSQL when it is installed, else H2 in server mode; app servers reach either
 * through the same JDBC code ({@link ShopStore}, {@link SessionStore}), only the {@link #database() URL} differs.
 */
public sealed interface DataTier extends AutoCloseable permits PostgresTier, H2Tier {

    enum Kind {
        /** PostgreSQL if installed, else H2 (the reason is in {@link #describe()}). */
        AUTO,
        POSTGRES,
        H2
    }

    /**
     * Starts a data tier of {@code kind} with its files under {@code directory}.
     *
     * @throws IllegalStateException in one line, if {@code POSTGRES} is asked for and missing, or the server fails
     */
    static DataTier start(Kind kind, Path directory) {
        String missing = PostgresTier.missing();
        return switch (kind) {
            case POSTGRES -> {
                if (missing != null) throw new IllegalStateException(missing);
                yield PostgresTier.start(directory);
            }
            case H2 -> H2Tier.start(directory, "");
            case AUTO -> missing == null ? PostgresTier.start(directory) : H2Tier.start(directory, missing);
        };
    }

    Kind kind();

    /** Where app servers connect to. */
    Database database();

    /** What runs, for a notebook: "PostgreSQL 15.14 (initdb in a temp dir, port 41234, as user postgres)". */
    String describe();

    /** The process whose tree is the database server (with PostgreSQL's per-connection backends): for CPU and memory. */
    long pid();

    /** Stops the database server and waits until it is gone. */
    @Override
    void close();
}
