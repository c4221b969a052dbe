package serverlab.kernel.io;

import io.github.spencerpark.jupyter.messages.MessageContext;

import java.util.Map;

/** Publishes one message on the IOPub channel, as a reply to {@code parent}. */
@FunctionalInterface
public interface IOPub {
    void publish(MessageContext parent, String msgType, Map<String, Object> content);
}
