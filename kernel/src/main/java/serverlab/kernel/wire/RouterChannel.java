package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.util.function.ToIntFunction;
import java.util.logging.Logger;

/**
 * A shell, control or stdin channel: basekernel's message framing and signing, with a
 * blocking poll instead of basekernel's loop that sleeps 50 ms between polls.
 */
public final class RouterChannel extends JupyterSocket {
    private final String name;
    private final ToIntFunction<KernelConnectionProperties> port;
    private final ZMQ.Poller poller;

    public RouterChannel(ZMQ.Context context, HMACGenerator hmac, String name, ToIntFunction<KernelConnectionProperties> port) {
        super(context, SocketType.ROUTER, hmac, Logger.getLogger("serverlab.kernel." + name));
        this.name = name;
        this.port = port;
        this.poller = context.poller(1);
        this.poller.register(this, ZMQ.Poller.POLLIN);
    }

    public String name() {
        return name;
    }

    @Override
    public void bind(KernelConnectionProperties props) {
        bind(formatAddress(props.getTransport(), props.getIp(), port.applyAsInt(props)));
    }

    /** Waits up to {@code timeoutMs} for a message (0 = just look); null if none came. */
    public Message<?> poll(long timeoutMs) {
        if (closed) return null;
        int ready = poller.poll(timeoutMs);
        if (ready <= 0 || !poller.pollin(0)) return null;
        return readMessage();
    }
}
