package cloister.bench;

import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Single-thread Ed25519 verification rates measured here and now: the reference the end-to-end benchmarks are
 * compared against. "plain" decodes the public key on every call (BouncyCastle's {@code Ed25519.verify} on key
 * bytes, the usual published figure); "cached" reuses the decoded point as the chain does for known accounts.
 */
final class VerifyRate {
    final double plainPerSecond;
    final double cachedPerSecond;

    private VerifyRate(double plain, double cached) {
        this.plainPerSecond = plain;
        this.cachedPerSecond = cached;
    }

    static VerifyRate measure(List<SigningKey> keys) {
        int n = Math.min(keys.size(), 256);
        byte[][] pks = new byte[n][];
        byte[][] msgs = new byte[n][];
        byte[][] sigs = new byte[n][];
        AccountId[] accounts = new AccountId[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = keys.get(i).account();
            pks[i] = accounts[i].bytes();
            msgs[i] = ("cloister bench message " + i + " of about transaction size .................................................")
                    .getBytes(StandardCharsets.US_ASCII);
            sigs[i] = keys.get(i).sign(msgs[i]);
        }
        // Warm up both paths (JIT), then measure each for ~2 s on this thread.
        timed(1.0, i -> org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sigs[i % n], 0, pks[i % n], 0, msgs[i % n], 0, msgs[i % n].length));
        timed(0.5, i -> accounts[i % n].verify(msgs[i % n], sigs[i % n]));
        double plain = timed(2.0, i -> org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sigs[i % n], 0, pks[i % n], 0, msgs[i % n], 0, msgs[i % n].length));
        double cached = timed(2.0, i -> accounts[i % n].verify(msgs[i % n], sigs[i % n]));
        return new VerifyRate(plain, cached);
    }

    private interface Verify {
        boolean run(int i);
    }

    private static double timed(double seconds, Verify v) {
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        int count = 0;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 64; k++) {
                if (!v.run(count++)) {
                    throw new IllegalStateException("a valid signature failed to verify");
                }
            }
        }
        return count / ((System.nanoTime() - t0) / 1e9);
    }
}
