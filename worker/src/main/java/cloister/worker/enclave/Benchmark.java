package cloister.worker.enclave;

import cloister.crypto.Sha256;
import java.security.DigestException;
import java.security.MessageDigest;

/**
 * The computation module's fixed workload, run inside the enclave: one iteration is {@value #HASHES_PER_ITERATION}
 * chained SHA-256 hashes over 32 bytes ({@code x ← SHA-256(x)}, from 32 zero bytes). The chain turns iterations per
 * second into the performance score P = min(6000, iterations/s × 6) ({@code MiningConfig}), so the size of an
 * iteration is a protocol constant: changing it changes every worker's score. It was chosen so that one core of a
 * current server (SHA extensions, about 120 ns a hash) does about 500 iterations a second — P ≈ 3000, room below the
 * cap for faster machines.
 *
 * <p>Time is {@link System#nanoTime()}. Inside a real enclave there is no trusted clock: the time comes from the
 * untrusted host (an ocall, or the OS's vDSO under SGX/TDX), so a host can stretch or shrink what the enclave
 * measures. The chain accepts that: the iterations are real (counted inside), only their rate can be misstated, and
 * the rate only scores the machine — it protects no secret and decides no state. What a host gains by faking a fast
 * clock is bounded: P is capped at 6000, a higher P raises the minimum stake k·√P the pool must lock, and in the
 * reward share √(V² + (2·P·conf)²) the stake-backed V dominates.
 *
 * <p>Not thread-safe: each run uses its own digest. {@link #run} measures only its own work.
 */
final class Benchmark {
    /** SHA-256 hashes per iteration: a protocol constant (see the class comment). */
    static final int HASHES_PER_ITERATION = 16_384;

    /** Work done: iterations and the nanoseconds they took. */
    record Work(long iterations, long nanos) {
        static final Work NONE = new Work(0, 0);
    }

    private Benchmark() {}

    /** Runs whole iterations until {@code budgetNanos} have passed (at least one iteration if the budget is positive). */
    static Work run(long budgetNanos) {
        if (budgetNanos <= 0) {
            return Work.NONE;
        }
        MessageDigest digest = Sha256.newDigest();
        byte[] x = new byte[32];
        long start = System.nanoTime();
        long iterations = 0;
        long elapsed;
        do {
            iterate(digest, x);
            iterations++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budgetNanos);
        return new Work(iterations, Math.max(1, elapsed));
    }

    /** One iteration: {@value #HASHES_PER_ITERATION} times x ← SHA-256(x), in place. */
    static void iterate(MessageDigest digest, byte[] x) {
        try {
            for (int i = 0; i < HASHES_PER_ITERATION; i++) {
                digest.update(x, 0, 32);
                digest.digest(x, 0, 32);
            }
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 output does not fit 32 bytes", e);
        }
    }
}
