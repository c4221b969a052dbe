package serverlab.labs.cluster;

import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Where a data tier listens, as JDBC sees it: the one thing an app server needs to know about it, handed to
 * its JVM as system properties. The same JDBC code runs against PostgreSQL and H2; only this URL differs.
 */
public record Database(String url, String user, String password) {

    private static final String URL = "serverlab.db.url", USER = "serverlab.db.user", PASSWORD = "serverlab.db.password";

    /** A connection pool (HikariCP) of at most {@code size} connections. */
    public HikariDataSource pool(int size, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    /** JVM flags that hand this database to an app server's JVM. */
    List<String> jvmFlags() {
        return List.of("-D" + URL + "=" + url, "-D" + USER + "=" + user, "-D" + PASSWORD + "=" + password);
    }

    /** The database handed to this JVM by {@link #jvmFlags}. */
    static Database fromSystemProperties() {
        String url = System.getProperty(URL);
        if (url == null) throw new IllegalStateException("no database: start app servers with Cluster, which sets -D" + URL);
        return new Database(url, System.getProperty(USER, ""), System.getProperty(PASSWORD, ""));
    }
}
