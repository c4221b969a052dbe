package serverlab.kernel.wire;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The smallest Jupyter client: drives a kernel through its real sockets for the install-time training run
 * ({@code --train-cds}), so that the class-data archive holds what a notebook's first cell goes through on the
 * wire (ZeroMQ, signing, messages, JSON) as well as JShell. Every request waits for its reply.
 */
public final class TrainingClient implements AutoCloseable {
    private static final int REPLY_TIMEOUT_MS = 120_000;   // a training run on a loaded machine is slow, not broken

    private final ZContext context = new ZContext();
    private final ZMQ.Socket shell;
    private final ZMQ.Socket control;
    private final Signer signer;
    private final String session = UUID.randomUUID().toString();
    private final Gson gson = new Gson();

    public TrainingClient(KernelConnectionProperties props) throws GeneralSecurityException {
        signer = Signer.of(props);
        shell = connect(props, props.getShellPort());
        control = connect(props, props.getControlPort());
    }

    /** Five free loopback ports and a fresh key, as jupyter_client writes them. */
    public static KernelConnectionProperties loopbackConnection() throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            int[] ports = held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
            return new KernelConnectionProperties("127.0.0.1", ports[0], ports[1], ports[2], ports[3], ports[4],
                    "tcp", Signer.DEFAULT_SCHEME, UUID.randomUUID().toString());
        } finally {
            for (ServerSocket socket : held) socket.close();
        }
    }

    private ZMQ.Socket connect(KernelConnectionProperties props, int port) {
        ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
        socket.setReceiveTimeOut(REPLY_TIMEOUT_MS);
        socket.connect("tcp://" + props.getIp() + ":" + port);
        return socket;
    }

    /** The shell requests of a first session: kernel info, each cell, completion, inspection, comm info. */
    public void runSession(List<String> cells) {
        request(shell, "kernel_info_request", Map.of());
        for (String cell : cells) {
            JsonObject reply = request(shell, "execute_request", Map.of("code", cell, "silent", false,
                    "store_history", false, "user_expressions", Map.of(), "allow_stdin", false, "stop_on_error", true));
            if (!"ok".equals(reply.get("status").getAsString())) {
                throw new IllegalStateException("training cell failed: " + cell + ": " + reply);
            }
        }
        request(shell, "complete_request", Map.of("code", "\"abc\".toUpp", "cursor_pos", 11));
        request(shell, "inspect_request", Map.of("code", "Math.max", "cursor_pos", 8, "detail_level", 0));
        request(shell, "is_complete_request", Map.of("code", "for (int i = 0; i < 3; i++) {"));
        request(shell, "comm_info_request", Map.of());
    }

    /** Asks the kernel to shut down (it then exits the JVM, which writes the archive). */
    public void shutdown() {
        request(control, "shutdown_request", Map.of("restart", false));
    }

    private JsonObject request(ZMQ.Socket socket, String type, Map<String, Object> content) {
        String id = UUID.randomUUID().toString();
        Map<String, Object> header = Map.of("msg_id", id, "session", session, "username", "serverlab-training",
                "date", Instant.now().toString(), "msg_type", type, "version", "5.3");
        byte[][] frames = {json(header), json(Map.of()), json(Map.of()), json(content)};
        socket.sendMore(WireMessage.DELIMITER);
        socket.sendMore(signer.calculateSignature(frames));
        for (int i = 0; i < frames.length; i++) {
            if (i < frames.length - 1) socket.sendMore(frames[i]);
            else socket.send(frames[i]);
        }
        while (true) {
            List<byte[]> reply = receive(socket, type);
            int delimiter = WireMessage.indexOfDelimiter(reply);
            if (delimiter < 0 || reply.size() < delimiter + 6) throw new IllegalStateException("a malformed reply to " + type);
            JsonObject parent = parse(reply.get(delimiter + 3));
            if (parent.has("msg_id") && id.equals(parent.get("msg_id").getAsString())) return parse(reply.get(delimiter + 5));
        }
    }

    private static List<byte[]> receive(ZMQ.Socket socket, String type) {
        List<byte[]> frames = new ArrayList<>();
        do {
            byte[] frame = socket.recv();
            if (frame == null) throw new IllegalStateException("no reply to " + type + " within " + REPLY_TIMEOUT_MS / 1000 + " s");
            frames.add(frame);
        } while (socket.hasReceiveMore());
        return frames;
    }

    private byte[] json(Object value) {
        return gson.toJson(value).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject parse(byte[] frame) {
        return JsonParser.parseString(new String(frame, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Override
    public void close() {
        context.close();
    }
}
