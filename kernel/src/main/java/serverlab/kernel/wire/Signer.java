package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Signs and checks messages as jupyter_client's Session does: an HMAC over the header, parent
 * header, metadata and content frames, compared in constant time, and a signature seen before
 * refused as a replay. basekernel's channels sign outgoing messages through this class too.
 */
final class Signer extends HMACGenerator {
    /** jupyter_client's default when a connection file names no scheme. */
    static final String DEFAULT_SCHEME = "hmac-sha256";
    /** How many recent signatures are remembered to refuse replays (jupyter_client: digest_history_size). */
    static final int REMEMBERED_SIGNATURES = 1 << 16;
    private static final Logger LOG = Logger.getLogger("serverlab.kernel.wire");

    private final boolean enabled;
    private final Set<String> seen = new LinkedHashSet<>();

    private Signer(String scheme, String key) throws GeneralSecurityException {
        // With no key, basekernel's Mac still needs one to exist; it is never used.
        super(scheme, key.isEmpty() ? "unused" : key);
        this.enabled = !key.isEmpty();
    }

    static Signer of(KernelConnectionProperties props) throws GeneralSecurityException {
        String scheme = props.getSignatureScheme();
        String key = props.getKey() == null ? "" : props.getKey();
        if (key.isEmpty()) {
            LOG.warning("the connection file has an empty key: message signing disabled, any local process may drive this kernel");
        }
        return new Signer(scheme == null || scheme.isBlank() ? DEFAULT_SCHEME : scheme, key);
    }

    /** The hex signature of the four frames; empty when signing is disabled (as jupyter_client sends it). */
    @Override
    public synchronized String calculateSignature(byte[]... frames) {
        return enabled ? super.calculateSignature(frames) : "";
    }

    /** Throws {@link RejectedMessage} unless {@code signature} signs the frames and has not been seen before. */
    void check(byte[] signature, byte[] header, byte[] parentHeader, byte[] metadata, byte[] content) {
        if (!enabled) return;
        byte[] expected = calculateSignature(header, parentHeader, metadata, content).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature)) throw new RejectedMessage("invalid signature");
        synchronized (seen) {
            if (!seen.add(new String(signature, StandardCharsets.US_ASCII))) {
                throw new RejectedMessage("duplicate signature (a replayed message)");
            }
            if (seen.size() > REMEMBERED_SIGNATURES) seen.remove(seen.iterator().next());
        }
    }
}
