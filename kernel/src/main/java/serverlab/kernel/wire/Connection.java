package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.channels.IOPubChannel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.InputReply;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.io.InterruptedIOException;
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

    public Connection(KernelConnectionProperties props) throws Exception {
        if (!"tcp".equals(props.getTransport())) {
            // JeroMQ 0.6 fakes ipc:// on a loopback TCP port that libzmq clients never find: refuse, do not hang.
            throw new IllegalArgumentException("transport '" + props.getTransport() + "' is not supported: JeroMQ has no"
                    + " Unix domain sockets (ipc:// would listen on TCP where Jupyter never connects); use tcp");
        }
        Signer signer = Signer.of(props);
        shell = new RouterChannel(context, signer, "shell", KernelConnectionProperties::getShellPort);
        control = new RouterChannel(context, signer, "control", KernelConnectionProperties::getControlPort);
        stdin = new RouterChannel(context, signer, "stdin", KernelConnectionProperties::getStdinPort);
        iopub = new IOPubChannel(context, signer);
        shell.bind(props);
        control.bind(props);
        stdin.bind(props);
        iopub.bind(address(props, props.getIopubPort()));
        heartbeat = new Heartbeat(context, address(props, props.getHbPort()));
    }

    static String address(KernelConnectionProperties props, int port) {
        return "tcp://" + props.getIp() + ":" + port;
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

    @Override
    public void close() {
        heartbeat.close();
        shell.close();
        control.close();
        stdin.close();
        iopub.close();
        context.term();
    }
}
