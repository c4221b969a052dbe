package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.Message;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A shell, control or stdin channel: basekernel's signing of replies, our own reading of
 * requests (whole multipart messages, checked by {@link WireMessage} and {@link Signer}),
 * by a thread that blocks instead of basekernel's loop that sleeps 50 ms between polls.
 * Control blocks in recv ({@link #next}); shell is {@link #pump}ed, which must also wake for
 * replies from other threads and so waits in a Poller (an earlier timed Poller loop measured a
 * 4 ms p90 round trip against 0.3 ms for a blocking recv; the pump's wait is untimed).
 */
public final class RouterChannel extends JupyterSocket {
    private final String name;
    private final Signer signer;
    /** Replies other threads hand to the {@link #pump} thread, the only one that may touch the socket then. */
    private final Queue<Message<?>> outgoing = new ConcurrentLinkedQueue<>();
    private final String wakeAddress = "inproc://wake-" + UUID.randomUUID();
    private volatile Thread pumpThread;
    private ZMQ.Socket wakeSender;

    RouterChannel(ZMQ.Context context, Signer signer, String name) {
        super(context, SocketType.ROUTER, signer, Logger.getLogger("serverlab.kernel." + name));
        this.name = name;
        this.signer = signer;
        setReceiveTimeOut(-1);   // block until a message arrives; closing the context ends the wait
    }

    public String name() {
        return name;
    }

    /** {@link Connection} binds every channel (tcp, or ipc through a relay), not basekernel. */
    @Override
    public void bind(KernelConnectionProperties props) {
        throw new UnsupportedOperationException("Connection binds the " + name + " channel");
    }

    /** The next request; blocks until one arrives. Only the channel's own thread reads it. */
    public Message<?> next() {
        while (true) {
            try {
                return readMessage();
            } catch (RejectedMessage e) {
                dropped(e);
            }
        }
    }

    /** A request that has already arrived, or null: used to drain the queue after a failed cell. */
    public Message<?> pending() {
        while (!closed && (getEvents() & ZMQ.Poller.POLLIN) != 0) {
            try {
                return readMessage();
            } catch (RejectedMessage e) {
                dropped(e);
            }
        }
        return null;
    }

    /**
     * Serves the channel from the calling thread until the kernel closes: every request goes to
     * {@code requests} at once, and replies that other threads send are queued and sent from here
     * (a ZeroMQ socket belongs to one thread). This is how comm messages, say a slider moved
     * during a long cell, are answered while the shell thread runs the cell.
     */
    public void pump(Consumer<Message<?>> requests) {
        ZMQ.Socket wakeReceiver = ctx.socket(SocketType.PAIR);
        wakeReceiver.bind(wakeAddress);
        synchronized (outgoing) {
            wakeSender = ctx.socket(SocketType.PAIR);
            wakeSender.connect(wakeAddress);
        }
        pumpThread = Thread.currentThread();
        ZMQ.Poller poller = ctx.poller(2);
        poller.register(this, ZMQ.Poller.POLLIN);
        poller.register(wakeReceiver, ZMQ.Poller.POLLIN);
        try {
            while (!closed) {
                poller.poll(-1);
                while (wakeReceiver.recv(ZMQ.DONTWAIT) != null) {
                    // each wake-up only says: look at the outgoing queue
                }
                Message<?> reply;
                while ((reply = outgoing.poll()) != null) super.sendMessage(reply);
                Message<?> request;
                while ((request = pending()) != null) requests.accept(request);
            }
        } finally {
            pumpThread = null;
            poller.close();
            wakeReceiver.close();
        }
    }

    /** Sends at once from the thread that owns the socket; from any other thread, through the pump. */
    @Override
    public void sendMessage(Message<?> message) {
        Thread pump = pumpThread;
        if (pump == null || pump == Thread.currentThread()) {
            super.sendMessage(message);
            return;
        }
        outgoing.add(message);
        synchronized (outgoing) {
            wakeSender.send(new byte[0], ZMQ.DONTWAIT);   // a full wake-up queue already has the pump awake
        }
    }

    @Override
    public void close() {
        synchronized (outgoing) {
            if (wakeSender != null) wakeSender.close();
        }
        super.close();
    }

    /** One whole multipart message, decoded; throws {@link RejectedMessage} for a malformed or badly signed one. */
    @Override
    public synchronized Message<?> readMessage() {
        if (closed) return null;
        List<byte[]> frames = new ArrayList<>();
        do {
            byte[] frame = recv();
            if (frame == null) return null;   // the wait was cut short (the kernel is closing)
            frames.add(frame);
        } while (hasReceiveMore());
        return WireMessage.decode(frames, signer);
    }

    private void dropped(RejectedMessage e) {
        logger.warning(name + ": dropped a message: " + e.getMessage());
    }
}
