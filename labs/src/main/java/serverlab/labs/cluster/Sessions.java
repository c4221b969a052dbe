package serverlab.labs.cluster;

import javax.sql.DataSource;

/** Where an app tier keeps its sessions: in each app server's memory, or in the data tier. */
public enum Sessions {
    IN_MEMORY, IN_DATABASE;

    /** Where, as a table shows it: "in memory", "in database". */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    static final String PROPERTY = "serverlab.shop.sessions";

    SessionStore store(DataSource db) {
        return this == IN_MEMORY ? new SessionStore.InMemory() : new SessionStore.InDatabase(db);
    }
}
