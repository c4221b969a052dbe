package serverlab.labs.cluster;

import java.io.IOException;
import java.sql.SQLException;

import org.h2.tools.Server;

/**
 * Main class of the H2 data tier's JVM: an H2 TCP server on a free loopback port (printed as {@code port N}),
 * databases under the directory given as the only argument. It stops when its stdin ends, that is when the
 * JVM that started it closes the pipe or dies, so a killed notebook kernel leaves no database behind.
 */
public final class H2Host {

    private H2Host() {
    }

    public static void main(String[] args) throws SQLException, IOException {
        Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", args[0]).start();
        System.out.println("port " + server.getPort());
        System.out.flush();
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
        server.stop();
        System.exit(0);
    }
}
