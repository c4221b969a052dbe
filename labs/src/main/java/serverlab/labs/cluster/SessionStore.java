package serverlab.labs.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

/**
 * Who is logged in and what is in their cart. {@link InMemory}: a map in one app server, gone when that
 * server dies (a stateful server). {@link InDatabase}: two tables in the data tier, seen by every app server
 * and surviving any of them (stateless app servers, the state one tier down).
 */
public sealed interface SessionStore {

    /** Logs {@code user} in; returns the session token. */
    String login(String user) throws SQLException;

    /** The user of a session, empty if the token is unknown (never issued, or lost with its server). */
    Optional<String> user(String token) throws SQLException;

    /** Adds an item to the session's cart; false if the session is unknown. */
    boolean addToCart(String token, long itemId) throws SQLException;

    /** The session's cart, empty if the session is unknown. */
    Optional<List<Long>> cart(String token) throws SQLException;

    final class InMemory implements SessionStore {

        private record Session(String user, List<Long> cart) {
        }

        private final Map<String, Session> sessions = new ConcurrentHashMap<>();

        @Override
        public String login(String user) {
            String token = UUID.randomUUID().toString();
            sessions.put(token, new Session(user, new CopyOnWriteArrayList<>()));
            return token;
        }

        @Override
        public Optional<String> user(String token) {
            return Optional.ofNullable(sessions.get(token)).map(Session::user);
        }

        @Override
        public boolean addToCart(String token, long itemId) {
            Session session = sessions.get(token);
            return session != null && session.cart().add(itemId);
        }

        @Override
        public Optional<List<Long>> cart(String token) {
            return Optional.ofNullable(sessions.get(token)).map(session -> List.copyOf(session.cart()));
        }
    }

    final class InDatabase implements SessionStore {

        private final DataSource db;

        public InDatabase(DataSource db) {
            this.db = db;
        }

        @Override
        public String login(String user) throws SQLException {
            String token = UUID.randomUUID().toString();
            try (Connection c = db.getConnection();
                 PreparedStatement s = c.prepareStatement("INSERT INTO sessions (token, user_name) VALUES (?, ?)")) {
                s.setString(1, token);
                s.setString(2, user);
                s.executeUpdate();
            }
            return token;
        }

        @Override
        public Optional<String> user(String token) throws SQLException {
            try (Connection c = db.getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT user_name FROM sessions WHERE token = ?")) {
                s.setString(1, token);
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        }

        @Override
        public boolean addToCart(String token, long itemId) throws SQLException {
            if (user(token).isEmpty()) return false;
            try (Connection c = db.getConnection();
                 PreparedStatement s = c.prepareStatement("INSERT INTO cart (token, item_id) VALUES (?, ?)")) {
                s.setString(1, token);
                s.setLong(2, itemId);
                s.executeUpdate();
                return true;
            }
        }

        @Override
        public Optional<List<Long>> cart(String token) throws SQLException {
            if (user(token).isEmpty()) return Optional.empty();
            try (Connection c = db.getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT item_id FROM cart WHERE token = ?")) {
                s.setString(1, token);
                try (ResultSet rows = s.executeQuery()) {
                    List<Long> items = new ArrayList<>();
                    while (rows.next()) items.add(rows.getLong(1));
                    return Optional.of(items);
                }
            }
        }
    }
}
