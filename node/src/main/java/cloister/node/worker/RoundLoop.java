package cloister.node.worker;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A worker host's background service loop on its own daemon thread: it runs a round at start, then again when woken
 * (the host synced a block) or after {@code period}, whichever comes first. Wake-ups that arrive during a round
 * collapse into one more round. A round that throws is reported and the next one runs; {@link #close} stops the loop
 * and waits up to 10 s for the round in progress, which can check {@link #running} to end early.
 */
public final class RoundLoop implements AutoCloseable {
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private final long periodMillis;
    private final Runnable round;
    private final Consumer<RuntimeException> failed;
    private volatile boolean running = true;

    public RoundLoop(String threadName, Duration period, Runnable round, Consumer<RuntimeException> failed) {
        this.periodMillis = period.toMillis();
        this.round = round;
        this.failed = failed;
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Asks for a round now (or as soon as the one in progress ends). */
    public void wake() {
        wake.release();
    }

    /** False once {@link #close} was called. */
    public boolean running() {
        return running;
    }

    private void loop() {
        while (running) {
            try {
                round.run();
            } catch (RuntimeException e) {
                failed.accept(e);
            }
            try {
                if (wake.tryAcquire(periodMillis, TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        wake.release();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
