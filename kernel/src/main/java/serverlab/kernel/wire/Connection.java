package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.channels.IOPubChannel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.MessageType;
import org.zeromq.ZMQ;

import java.util.Map;

/** The five sockets of a Jupyter kernel, bound from a connection file. */
public final class Connection implements AutoCloseable {
    private final ZMQ.Context context = ZMQ.context(1);
    private final RouterChannel shell;
    private final RouterChannel control;
    private final RouterChannel stdin;
    private final IOPubChannel iopub;
    private final Heartbeat heartbeat;

    public Connection(KernelConnectionProperties props) throws Exception {
        HMACGenerator hmac = props.createHMACGenerator();
        shell = new RouterChannel(context, hmac, "shell", KernelConnectionProperties::getShellPort);
        control = new RouterChannel(context, hmac, "control", KernelConnectionProperties::getControlPort);
        stdin = new RouterChannel(context, hmac, "stdin", KernelConnectionProperties::getStdinPort);
        iopub = new IOPubChannel(context, hmac);
        shell.bind(props);
        control.bind(props);
        stdin.bind(props);
        iopub.bind(props);
        String hbAddress = props.getTransport() + "://" + props.getIp() + (props.getTransport().equals("ipc") ? "-" : ":") + props.getHbPort();
        heartbeat = new Heartbeat(context, hbAddress);
    }

    public RouterChannel shell() { return shell; }
    public RouterChannel control() { return control; }

    public void publish(MessageContext parent, String msgType, Map<String, Object> content) {
        // IOPub's first frame is a topic, as ipykernel does, never the client's routing identity.
        iopub.sendMessage(message(java.util.List.of(("kernel." + msgType).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                parent, msgType, content));
    }

    public void reply(RouterChannel channel, MessageContext request, String msgType, Map<String, Object> content) {
        channel.sendMessage(message(request.getIdentities(), request, msgType, content));
    }

    /** basekernel's message model with plain maps as content, so every field is exactly the protocol's. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Message<?> message(java.util.List<byte[]> identities, MessageContext parent, String msgType, Map<String, Object> content) {
        MessageType type = MessageType.getType(msgType);
        if (type == MessageType.UNKNOWN) throw new IllegalArgumentException("unknown message type " + msgType);
        return new Message(identities, header(type), parent == null ? null : parent.getHeader(), null, content, null);
    }

    /** The kernel's own session id, as the protocol asks (not the client's). */
    private static final String SESSION = java.util.UUID.randomUUID().toString();

    /** basekernel's timestamps have minute precision; front ends time cells from these, so use microseconds. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Header<?> header(MessageType type) {
        String now = java.time.format.DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.now());
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
