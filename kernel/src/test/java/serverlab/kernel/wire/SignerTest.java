package serverlab.kernel.wire;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignerTest {
    private static final byte[] HEADER = "{\"msg_id\":\"1\",\"msg_type\":\"kernel_info_request\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    private static KernelConnectionProperties props(String scheme, String key) {
        return new KernelConnectionProperties("127.0.0.1", 1, 2, 3, 4, 5, "tcp", scheme, key);
    }

    private static byte[] hmacSha256(String key, byte[]... frames) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        for (byte[] frame : frames) mac.update(frame);
        return HexFormat.of().formatHex(mac.doFinal()).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aConnectionFileWithoutASchemeMeansHmacSha256() throws Exception {
        Signer signer = Signer.of(props(null, "secret"));
        signer.check(hmacSha256("secret", HEADER, EMPTY, EMPTY, EMPTY), HEADER, EMPTY, EMPTY, EMPTY);
    }

    @Test
    void aWrongSignatureIsRejected() throws Exception {
        Signer signer = Signer.of(props("hmac-sha256", "secret"));
        byte[] forged = hmacSha256("guess", HEADER, EMPTY, EMPTY, EMPTY);
        assertThrows(RejectedMessage.class, () -> signer.check(forged, HEADER, EMPTY, EMPTY, EMPTY));
    }

    @Test
    void aReplayedSignatureIsRejected() throws Exception {
        Signer signer = Signer.of(props("hmac-sha256", "secret"));
        byte[] signature = hmacSha256("secret", HEADER, EMPTY, EMPTY, EMPTY);
        signer.check(signature, HEADER, EMPTY, EMPTY, EMPTY);
        RejectedMessage replay = assertThrows(RejectedMessage.class, () -> signer.check(signature, HEADER, EMPTY, EMPTY, EMPTY));
        assertTrue(replay.getMessage().contains("replayed"), replay.getMessage());
    }

    @Test
    void anEmptyKeyDisablesSigningWithOneWarning() throws Exception {
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override public void publish(LogRecord record) { records.add(record); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        Logger logger = Logger.getLogger("serverlab.kernel.wire");
        logger.addHandler(handler);
        try {
            Signer signer = Signer.of(props("hmac-sha256", ""));
            assertEquals("", signer.calculateSignature(HEADER, EMPTY, EMPTY, EMPTY), "sent unsigned, as jupyter_client does");
            signer.check(new byte[0], HEADER, EMPTY, EMPTY, EMPTY);
            signer.check(new byte[0], HEADER, EMPTY, EMPTY, EMPTY);
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(1, records.size());
        assertTrue(records.get(0).getMessage().contains("signing disabled"), records.get(0).getMessage());
    }

    @Test
    void aMessageMissingFramesIsRejectedWhole() throws Exception {
        Signer signer = Signer.of(props("hmac-sha256", "secret"));
        List<byte[]> frames = List.of("client".getBytes(StandardCharsets.US_ASCII), WireMessage.DELIMITER,
                hmacSha256("secret", HEADER, EMPTY, EMPTY, EMPTY), HEADER, EMPTY, EMPTY);
        RejectedMessage rejected = assertThrows(RejectedMessage.class, () -> WireMessage.decode(frames, signer));
        assertTrue(rejected.getMessage().contains("4 frames"), rejected.getMessage());
    }
}
