package serverlab.labs.experiment;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import serverlab.servers.Server;
import serverlab.servers.Servers;
import serverlab.servers.handlers.Workloads;

/**
 * Main class of the child JVM that {@link HostedServer} starts: runs one server by name and
 * answers commands on stdin, so the server's process metrics are not mixed with the load
 * generator's.
 *
 * <p>Protocol, one line each: the host prints {@code ready <port> <workerPids,...>} once
 * listening; {@code stats} is answered with {@code stats <json>}; {@code stop <millis>}
 * stops gracefully and exits. End of stdin (the parent died) closes the server and exits.
 */
public final class ServerHost {

    private ServerHost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ServerHost <server-name> [option=value ...]");
            System.exit(2);
        }
        Workloads.letCrashEndProcess(); // this JVM exists only to host the server
        Server server = Servers.start(args[0], ServerOptionsArgs.parse(args, 1));
        try {
            String workers = server.workerPids().stream().map(String::valueOf).collect(Collectors.joining(","));
            System.out.println("ready " + server.address().getPort() + " " + (workers.isEmpty() ? "-" : workers));
            System.out.flush();
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("stats")) {
                    System.out.println("stats " + server.stats().toJson());
                    System.out.flush();
                } else if (line.startsWith("stop")) {
                    long millis = line.length() > 5 ? Long.parseLong(line.substring(5).trim()) : 2000;
                    server.stopGracefully(Duration.ofMillis(millis));
                    break;
                }
            }
        } finally {
            server.close();
        }
        System.exit(0);
    }
}
