package serverlab.servers.process;

import java.time.Duration;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

/**
 * Runs one server in its own JVM so a test can SIGKILL that JVM: prints {@code port <n>}, then answers each
 * {@code workers} line on stdin with {@code workers <pid> <pid>…} and each {@code pid} line with
 * {@code pid <pid>}; closes the server when stdin closes.
 * Arguments: registry name, number of workers.
 */
public final class ServerHostMain {

    public static void main(String[] args) throws Exception {
        Server server = Servers.start(args[0], ServerOptions.defaults()
                .withWorkers(Integer.parseInt(args[1])).withIdleTimeout(Duration.ofSeconds(10)));
        System.out.println("port " + server.address().getPort());
        System.out.flush();
        var commands = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.equals("pid")) {
                System.out.println("pid " + server.pid());
                System.out.flush();
            }
            if (line.equals("workers")) {
                System.out.println("workers " + String.join(" ", server.workerPids().stream().map(String::valueOf).toList()));
                System.out.flush();
            }
        }
        server.close();
    }
}
