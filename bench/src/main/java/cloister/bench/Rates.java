package cloister.bench;

import cloister.storage.chunk.ChunkedFile;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Single-thread rates of one operation, measured on the calling thread after a warm-up (JIT). */
final class Rates {
    private Rates() {}

    interface Op {
        int run(long i) throws Exception;
    }

    /** Consumed results go here so the JIT cannot drop the work. */
    static volatile int sink;

    /** Operations per second on this thread: {@code warmup} seconds untimed, then {@code seconds} timed. */
    static double perSecond(double warmup, double seconds, Op op) throws Exception {
        timed(warmup, op);
        return timed(seconds, op);
    }

    /** Operations per second on this thread over {@code seconds}, without a warm-up. */
    static double timed(double seconds, Op op) throws Exception {
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long count = 0;
        int acc = 0;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 16; k++) {
                acc ^= op.run(count++);
            }
        }
        double rate = count / ((System.nanoTime() - t0) / 1e9);
        sink = acc;
        return rate;
    }

    /**
     * The least work storing {@code data} encrypted can do, on this thread, in MB/s (10^6 bytes of plaintext): one pass
     * of AES-256-GCM encryption of each {@link ChunkedFile#CHUNK_SIZE} piece and SHA-256 of its ciphertext (its CID),
     * in memory. The best of three timed passes after one warm-up pass (JIT); a pass repeats small data until it has
     * covered 64 MiB, so every pass is long enough to time.
     */
    static double aesGcmSha256(byte[] data) throws Exception {
        if (data.length == 0) {
            throw new IllegalArgumentException("no data to measure the reference on");
        }
        int c = ChunkedFile.CHUNK_SIZE;
        int pieces = (data.length + c - 1) / c;
        long minimum = 64L << 20;
        int repeats = (int) Math.max(1, (minimum + data.length - 1) / data.length);
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 3);
        SecretKeySpec spec = new SecretKeySpec(key, "AES");
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] out = new byte[c + 16];
        byte[] nonce = new byte[12];
        double best = 0;
        int acc = 0;
        for (int pass = 0; pass < 4; pass++) {
            long t0 = System.nanoTime();
            for (int rep = 0; rep < repeats; rep++) {
                for (int i = 0; i < pieces; i++) {
                    nonce[0] = (byte) i;
                    nonce[1] = (byte) pass;
                    nonce[2] = (byte) rep;
                    nonce[3] = (byte) (rep >>> 8);
                    int len = Math.min(c, data.length - i * c);
                    cipher.init(Cipher.ENCRYPT_MODE, spec, new GCMParameterSpec(128, nonce));
                    int n = cipher.doFinal(data, i * c, len, out, 0);
                    sha.update(out, 0, n);
                    acc += sha.digest()[0];
                }
            }
            double rate = (double) repeats * data.length / 1e6 / ((System.nanoTime() - t0) / 1e9);
            if (pass > 0) { // the first pass warms the JIT up
                best = Math.max(best, rate);
            }
        }
        sink = acc;
        return best;
    }
}
