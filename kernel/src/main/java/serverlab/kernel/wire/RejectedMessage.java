package serverlab.kernel.wire;

/** A message that is malformed or not signed by our client: dropped, never answered. */
final class RejectedMessage extends RuntimeException {
    RejectedMessage(String reason) {
        super(reason, null, false, false);
    }
}
