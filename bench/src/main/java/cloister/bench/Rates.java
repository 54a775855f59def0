package cloister.bench;

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
}
