package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.channels.IOPubChannel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.InputReply;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** The five sockets of a Jupyter kernel, bound from a connection file. */
public final class Connection implements AutoCloseable {
    private final ZMQ.Context context = ZMQ.context(1);
    private final RouterChannel shell;
    private final RouterChannel control;
    private final RouterChannel stdin;
    private final IOPubChannel iopub;
    private final Heartbeat heartbeat;

    /** For the ipc transport, one per channel; empty for tcp. */
    private final List<UnixSocketRelay> relays = new ArrayList<>();

    public Connection(KernelConnectionProperties props) throws IOException, java.security.GeneralSecurityException {
        Signer signer = Signer.of(props);
        shell = new RouterChannel(context, signer, "shell");
        control = new RouterChannel(context, signer, "control");
        stdin = new RouterChannel(context, signer, "stdin");
        iopub = new IOPubChannel(context, signer);
        ZMQ.Socket heartbeatSocket = context.socket(SocketType.REP);
        try {
            bind(shell, props, props.getShellPort());
            bind(control, props, props.getControlPort());
            bind(stdin, props, props.getStdinPort());
            bind(iopub, props, props.getIopubPort());
            bind(heartbeatSocket, props, props.getHbPort());
        } catch (IOException | RuntimeException e) {
            closeRelays();   // a kernel that cannot start leaves no socket files behind
            heartbeatSocket.close();
            closeChannels();
            throw e;
        }
        heartbeat = new Heartbeat(heartbeatSocket);
    }

    /**
     * Binds a channel where the connection file says: tcp at ip:port, or ipc at the Unix socket
     * {@code ip-port} (jupyter_client's naming), relayed to a loopback port JeroMQ picks.
     */
    private void bind(ZMQ.Socket socket, KernelConnectionProperties props, int port) throws IOException {
        switch (props.getTransport()) {
            case "tcp" -> socket.bind("tcp://" + props.getIp() + ":" + port);
            case "ipc" -> {
                socket.bind("tcp://127.0.0.1:*");
                URI bound = URI.create(socket.getLastEndpoint());
                relays.add(new UnixSocketRelay(Path.of(props.getIp() + "-" + port),
                        new InetSocketAddress(bound.getHost(), bound.getPort())));
            }
            default -> throw new IllegalArgumentException("transport '" + props.getTransport()
                    + "' is not supported: use tcp or ipc");
        }
    }

    /**
     * Asks the client that sent {@code request} for a line of input (an {@code input_request}
     * on the stdin channel) and waits for its {@code input_reply}, checking {@code cancelled}
     * every 50 ms so an interrupt ends the wait.
     */
    public String askInput(MessageContext request, String prompt, boolean password, BooleanSupplier cancelled) throws IOException {
        synchronized (stdin) {
            // Replies still queued answer earlier requests whose cells were interrupted (as ipykernel, drop them).
            while (stdin.pending() != null) {
                // dropped
            }
            reply(stdin, request, "input_request", Map.of("prompt", prompt, "password", password));
            ZMQ.Poller poller = context.poller(1);
            try {
                poller.register(stdin, ZMQ.Poller.POLLIN);
                while (!cancelled.getAsBoolean()) {
                    if (poller.poll(50) <= 0) continue;
                    Message<?> message = stdin.pending();
                    if (message != null && message.getContent() instanceof InputReply reply) {
                        return reply.getValue() == null ? "" : reply.getValue();
                    }
                }
                throw new InterruptedIOException("interrupted while waiting for input");
            } catch (org.zeromq.ZMQException closed) {
                throw new IOException("the kernel is shutting down", closed);
            } finally {
                poller.close();
            }
        }
    }

    public RouterChannel shell() { return shell; }
    public RouterChannel control() { return control; }

    public void publish(MessageContext parent, String msgType, Map<String, Object> content) {
        publish(parent, msgType, content, null);
    }

    /** With message metadata, e.g. the widget protocol version a {@code comm_open} carries. */
    public void publish(MessageContext parent, String msgType, Map<String, Object> content, Map<String, Object> metadata) {
        // IOPub's first frame is a topic, as ipykernel does, never the client's routing identity.
        iopub.sendMessage(message(java.util.List.of(("kernel." + msgType).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                parent, msgType, content, metadata));
    }

    public void reply(RouterChannel channel, MessageContext request, String msgType, Map<String, Object> content) {
        channel.sendMessage(message(request.getIdentities(), request, msgType, content, null));
    }

    /** basekernel's message model with plain maps as content, so every field is exactly the protocol's. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Message<?> message(java.util.List<byte[]> identities, MessageContext parent, String msgType,
                                      Map<String, Object> content, Map<String, Object> metadata) {
        MessageType type = MessageType.getType(msgType);
        if (type == MessageType.UNKNOWN) throw new IllegalArgumentException("unknown message type " + msgType);
        return new Message(identities, header(type), parent == null ? null : parent.getHeader(), metadata, content, null);
    }

    /** The kernel's own session id, as the protocol asks (not the client's). */
    private static final String SESSION = java.util.UUID.randomUUID().toString();

    /**
     * ISO 8601 with exactly six fractional digits: jupyter_client parses no more than that
     * (nanoseconds, as Instant prints on JDK 25, left every date an unparsed string).
     */
    private static final java.time.format.DateTimeFormatter HEADER_DATE = java.time.format.DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /** basekernel's timestamps have minute precision; front ends time cells from these, so use microseconds. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Header<?> header(MessageType type) {
        String now = HEADER_DATE.format(java.time.Instant.now());
        return new Header(java.util.UUID.randomUUID().toString(), "kernel", SESSION,
                new io.github.spencerpark.jupyter.messages.KernelTimestamp(now), type, Header.PROTOCOL_VERISON);
    }

    /** Removes the ipc socket files; the kernel calls it as it exits (shutdown and restart alike). */
    public void closeRelays() {
        for (UnixSocketRelay relay : relays) {
            try {
                relay.close();
            } catch (IOException e) {
                System.getLogger("serverlab.kernel").log(System.Logger.Level.WARNING, "could not remove an ipc socket", e);
            }
        }
    }

    @Override
    public void close() {
        closeRelays();
        heartbeat.close();
        closeChannels();
    }

    private void closeChannels() {
        shell.close();
        control.close();
        stdin.close();
        iopub.close();
        context.term();
    }
}
