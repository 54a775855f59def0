package cloister.worker.enclave;

import cloister.crypto.Sha256;
import java.security.DigestException;
import java.security.MessageDigest;

/**
 * The computation module's fixed workload, run inside the enclave: one iteration is {@value #HASHES_PER_ITERATION}
 * chained SHA-256 hashes over 32 bytes ({@code x ← SHA-256(x)}, from 32 zero bytes). The chain turns iterations per
 * second into the performance score P = min(6000, iterations/s × 6) ({@code MiningConfig}), so the size of an
 * iteration is a protocol constant: changing it changes every worker's score. It was chosen so that one free core of a
 * current server (SHA extensions, about 60 ns a hash from Java) does about 500 iterations a second — P ≈ 3000, room
 * below the cap for faster machines ({@code BenchmarkRate} in the tests prints this machine's).
 *
 * <p>Time is {@link System#nanoTime()}. Inside a real enclave there is no trusted clock: the time comes from the
 * untrusted host (an ocall, or the OS's vDSO under SGX/TDX), so a host can stretch or shrink what the enclave
 * measures. The chain accepts that: the iterations are real (counted inside), only their rate can be misstated, and
 * the rate only scores the machine — it protects no secret and decides no state. What a host gains by faking a fast
 * clock is bounded: P is capped at 6000, a higher P raises the minimum stake k·√P the pool must lock, and in the
 * reward share √(V² + (2·P·conf)²) the stake-backed V dominates.
 *
 * <p>JIT warm-up: the first {@value #WARM_UP_ITERATIONS} iterations a JVM runs are the compiler's, not the
 * machine's — interpreted SHA-256 is about a hundred times slower, and a worker benchmarks right after it starts,
 * while the JIT is busy with everything else. {@link #measured} therefore counts a run only if the JVM had run that
 * many before it; the runs before still advance the warm-up.
 *
 * <p>Each run uses its own digest (runs may overlap). {@link #run} measures only its own work.
 */
final class Benchmark {
    /** SHA-256 hashes per iteration: a protocol constant (see the class comment). */
    static final int HASHES_PER_ITERATION = 32_768;
    /** Iterations this JVM runs before its work counts (see the class comment). */
    static final int WARM_UP_ITERATIONS = 32;
    private static final java.util.concurrent.atomic.AtomicLong RUN = new java.util.concurrent.atomic.AtomicLong();

    /** Work done: iterations and the nanoseconds they took. */
    record Work(long iterations, long nanos) {
        static final Work NONE = new Work(0, 0);
    }

    private Benchmark() {}

    /** Whether this JVM is past the JIT warm-up. */
    static boolean warm() {
        return RUN.get() >= WARM_UP_ITERATIONS;
    }

    /** {@link #run}, counted only if the JVM was past its JIT warm-up before it started ({@link Work#NONE} otherwise). */
    static Work measured(long budgetNanos) {
        boolean warm = warm();
        Work w = run(budgetNanos);
        return warm ? w : Work.NONE;
    }

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
        RUN.addAndGet(iterations);
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
