package serverlab.labs.experiment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import serverlab.servers.ServerOptions;

/** Turns {@link ServerOptions} into {@code key=value} arguments and back, for {@link ServerHost}. */
final class ServerOptionsArgs {

    private ServerOptionsArgs() {
    }

    /** Only the fields that differ from the defaults, so the child computes its own defaults (e.g. dataDir). */
    static List<String> toArgs(ServerOptions o) {
        ServerOptions d = ServerOptions.defaults();
        List<String> args = new ArrayList<>();
        if (!o.bindAddress().equals(d.bindAddress())) args.add("bindAddress=" + o.bindAddress());
        if (o.port() != d.port()) args.add("port=" + o.port());
        if (o.workers() != d.workers()) args.add("workers=" + o.workers());
        if (o.threads() != d.threads()) args.add("threads=" + o.threads());
        if (o.queueCapacity() != d.queueCapacity()) args.add("queueCapacity=" + o.queueCapacity());
        if (!o.selector().equals(d.selector())) args.add("selector=" + o.selector());
        if (o.maxConnections() != d.maxConnections()) args.add("maxConnections=" + o.maxConnections());
        if (!o.idleTimeout().equals(d.idleTimeout())) args.add("idleTimeoutMillis=" + o.idleTimeout().toMillis());
        if (o.maxHeaderBytes() != d.maxHeaderBytes()) args.add("maxHeaderBytes=" + o.maxHeaderBytes());
        if (o.maxBodyBytes() != d.maxBodyBytes()) args.add("maxBodyBytes=" + o.maxBodyBytes());
        if (!o.dataDir().equals(d.dataDir())) args.add("dataDir=" + o.dataDir());
        if (o.controlPort() != d.controlPort()) args.add("controlPort=" + o.controlPort());
        return args;
    }

    static ServerOptions parse(String[] args, int from) {
        ServerOptions o = ServerOptions.defaults();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            String key = args[i].substring(0, eq);
            String value = args[i].substring(eq + 1);
            o = switch (key) {
                case "bindAddress" -> o.withBindAddress(value);
                case "port" -> o.withPort(Integer.parseInt(value));
                case "workers" -> o.withWorkers(Integer.parseInt(value));
                case "threads" -> o.withThreads(Integer.parseInt(value));
                case "queueCapacity" -> o.withQueueCapacity(Integer.parseInt(value));
                case "selector" -> o.withSelector(value);
                case "maxConnections" -> o.withMaxConnections(Integer.parseInt(value));
                case "idleTimeoutMillis" -> o.withIdleTimeout(Duration.ofMillis(Long.parseLong(value)));
                case "maxHeaderBytes" -> o.withMaxHeaderBytes(Integer.parseInt(value));
                case "maxBodyBytes" -> o.withMaxBodyBytes(Long.parseLong(value));
                case "dataDir" -> o.withDataDir(Path.of(value));
                case "controlPort" -> o.withControlPort(Integer.parseInt(value));
                default -> throw new IllegalArgumentException("unknown server option " + key);
            };
        }
        return o;
    }
}
