package cloister.chain;

import cloister.crypto.SigningKey;
import cloister.proto.Block;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dev} consensus engine: one authority proposes and imports every block itself, either every
 * {@code intervalMillis} (empty blocks included, so time visibly advances) or, with instant sealing, as soon as
 * transactions are ready. The clock is read here, outside the state transition, and only for the header's
 * timestamp.
 */
public final class DevSealing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevSealing.class);

    private final BlockProduction chain;
    private final SigningKey authority;
    private final long intervalMillis;
    private final boolean instant;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private boolean pending;
    private volatile boolean running;
    private Thread thread;

    public DevSealing(BlockProduction chain, SigningKey authority, long intervalMillis, boolean instant, LongSupplier clock) {
        this.chain = chain;
        this.authority = authority;
        this.intervalMillis = intervalMillis;
        this.instant = instant;
        this.clock = clock;
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        chain.onTransactionArrival(this::signal);
        thread = new Thread(this::run, "dev-sealing");
        thread.setDaemon(true);
        thread.start();
    }

    private void signal() {
        if (!instant) {
            return;
        }
        lock.lock();
        try {
            pending = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long next = clock.getAsLong() + intervalMillis;
        while (running) {
            try {
                if (instant) {
                    awaitArrival();
                    if (!running || !chain.hasReadyTransactions()) {
                        continue;
                    }
                } else {
                    long wait = next - clock.getAsLong();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                    next = Math.max(next + intervalMillis, clock.getAsLong());
                    if (!running) {
                        break;
                    }
                }
                seal();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // An I/O failure in the store: keep the node alive and retry; the failed block was not committed.
                LOG.error("sealing failed; retrying in 1 s", e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void awaitArrival() throws InterruptedException {
        lock.lock();
        try {
            while (!pending && running) {
                arrived.await(250, TimeUnit.MILLISECONDS);
            }
            pending = false;
        } finally {
            lock.unlock();
        }
    }

    private void seal() {
        Block block = chain.propose(clock.getAsLong(), authority);
        ImportResult result = chain.importBlock(block);
        if (result instanceof ImportResult.Rejected r) {
            LOG.error("own block #{} rejected: {}: {}", block.height(), r.reason().code(), r.message());
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            signal();
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
