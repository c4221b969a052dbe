package serverlab.servers.handlers;

import java.nio.ByteBuffer;

/**
 * Deterministic response content: byte {@code i} of every {@code /bytes} body is
 * {@code ALPHABET[i % 64]}, so a client can verify any body without a copy of it.
 * Bodies are read-only views of one shared array that grows on demand (never beyond the cap).
 */
public final class Patterns {

    public static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static volatile byte[] shared = fill(new byte[64 << 10]);

    private Patterns() {
    }

    /** The expected byte at {@code index} of a pattern body. */
    public static byte at(long index) {
        return ALPHABET[(int) (index & 63)];
    }

    /** A fresh array of {@code n} pattern bytes. */
    public static byte[] bytes(int n) {
        return fill(new byte[n]);
    }

    /** A read-only buffer of {@code n} pattern bytes, sharing memory with every other such buffer. */
    public static ByteBuffer view(int n) {
        byte[] pattern = shared;
        if (pattern.length < n) {
            synchronized (Patterns.class) {
                pattern = shared;
                if (pattern.length < n) {
                    int doubled = (int) Math.min(Integer.MAX_VALUE - 8, pattern.length * 2L);
                    pattern = fill(new byte[Math.max(n, doubled)]);
                    shared = pattern;
                }
            }
        }
        return ByteBuffer.wrap(pattern, 0, n).slice().asReadOnlyBuffer();
    }

    private static byte[] fill(byte[] array) {
        for (int i = 0; i < array.length; i++) array[i] = ALPHABET[i & 63];
        return array;
    }
}
