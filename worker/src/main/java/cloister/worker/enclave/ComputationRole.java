package cloister.worker.enclave;

import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.InboundMessage;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.worker.EnclaveError;
import cloister.worker.EnclaveReply;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's part in the chain's computation module (mining): benchmark requests, heartbeat challenges, and the
 * running totals of {@link Benchmark} work the heartbeats report.
 *
 * <ul>
 *   <li>{@link InboundMessage.BenchmarkRequested} for this worker is noted; the host then runs the workload in slices
 *   outside the enclave's lock ({@code BenchmarkRun}) until it has synced the request's {@code untilHeight}, and asks
 *   for the signed {@link WorkerMessage.BenchmarkReport} ({@code BenchmarkReport}).</li>
 *   <li>{@link InboundMessage.HeartbeatChallenge} for this worker: a short burst of the workload ({@value #BURST_MILLIS}
 *   ms, so the instant score the chain derives between two heartbeats is measured now), then a signed
 *   {@link WorkerMessage.Heartbeat} naming the challenge's block — unless its deadline is not after the newest block
 *   the host says it knows of: a heartbeat relayed now lands in a later block, past the window, and is refused (a
 *   worker catching up after an outage does not spray them; the unresponsive notice is what it answers).</li>
 *   <li>{@link InboundMessage.WorkerUnresponsive} for this worker: a burst and a heartbeat naming that block, which
 *   brings the worker back.</li>
 * </ul>
 *
 * <p>The outstanding request and the totals are in the checkpoint. Work done since the last checkpoint is lost in a
 * crash, which only lowers the totals back to what the last signed message reported (signing checkpoints), so the
 * totals the chain sees never go down. Runs under the enclave's write lock (reads under the read lock).
 */
final class ComputationRole {
    private static final Logger LOG = LoggerFactory.getLogger(ComputationRole.class);
    /** The workload burst before each heartbeat. */
    static final long BURST_MILLIS = 20;

    private final WorkerId me;
    private final List<WorkerMessage> egress = new ArrayList<>();
    /** The height of the outstanding benchmark request, or -1; the block to report by; the work done for it. */
    long requestHeight = -1;
    long untilHeight;
    long requestIterations;
    long requestNanos;
    /** Every iteration of the workload this enclave has run, and how long they took. */
    long totalIterations;
    long totalNanos;

    ComputationRole(WorkerId me) {
        this.me = me;
    }

    void onBenchmarkRequested(InboundMessage.BenchmarkRequested b, long height) {
        if (!b.worker().equals(me)) {
            return;
        }
        requestHeight = height;
        untilHeight = b.untilHeight();
        requestIterations = 0;
        requestNanos = 0;
        LOG.info("benchmark requested at block {}, to report after block {}", height, b.untilHeight());
    }

    /**
     * @param headHint the newest block the host says it knows of (untrusted: a lying host can only make the enclave
     *                 skip heartbeats, which it could as well by not relaying them)
     */
    void onChallenge(InboundMessage.HeartbeatChallenge c, long height, long headHint, int contracts) {
        if (!c.worker().equals(me)) {
            return;
        }
        if (c.deadline() <= headHint) {
            LOG.debug("heartbeat challenge of block {} skipped: its window closed at block {}, the chain is at {}", height,
                    c.deadline(), headHint);
            return;
        }
        heartbeat(height, contracts);
    }

    void onUnresponsive(InboundMessage.WorkerUnresponsive u, long height, int contracts) {
        if (!u.worker().equals(me)) {
            return;
        }
        LOG.info("marked unresponsive at block {}; answering with a heartbeat", height);
        heartbeat(height, contracts);
    }

    private void heartbeat(long height, int contracts) {
        add(Benchmark.measured(BURST_MILLIS * 1_000_000L), false); // during JIT warm-up the totals stay: the chain keeps P_t
        egress.add(new WorkerMessage.Heartbeat(height, totalIterations, totalNanos / 1_000_000, contracts));
    }

    /** The heartbeats to sign, in order (taken once). */
    List<WorkerMessage> takeEgress() {
        if (egress.isEmpty()) {
            return List.of();
        }
        List<WorkerMessage> out = List.copyOf(egress);
        egress.clear();
        return out;
    }

    /** Work the host ran for the outstanding request (outside the lock, {@link Benchmark#measured}): counts toward it and the totals. */
    void addRequestWork(Benchmark.Work work) {
        add(work, requestHeight >= 0);
    }

    private void add(Benchmark.Work work, boolean forRequest) {
        totalIterations += work.iterations();
        totalNanos += work.nanos();
        if (forRequest) {
            requestIterations += work.iterations();
            requestNanos += work.nanos();
        }
    }

    boolean requested() {
        return requestHeight >= 0;
    }

    EnclaveReply.BenchmarkProgress progress() {
        return new EnclaveReply.BenchmarkProgress(requestHeight, untilHeight, requestIterations, requestNanos / 1_000_000,
                totalIterations, totalNanos / 1_000_000);
    }

    /**
     * The report for the request of block {@code height}, which is then done.
     *
     * @throws EnclaveFailure if that request is not the outstanding one, or no work was done for it yet
     */
    WorkerMessage.BenchmarkReport report(long height) throws EnclaveFailure {
        if (requestHeight < 0 || requestHeight != height) {
            throw new EnclaveFailure(EnclaveError.NO_BENCHMARK, requestHeight < 0 ? "no benchmark is requested of this worker"
                    : "the outstanding benchmark request is from block " + requestHeight + ", not " + height);
        }
        long millis = requestNanos / 1_000_000;
        if (requestIterations == 0 || millis < 1) {
            throw new EnclaveFailure(EnclaveError.NO_BENCHMARK, "the benchmark of block " + height
                    + " has not run yet: run the workload first");
        }
        WorkerMessage.BenchmarkReport r = new WorkerMessage.BenchmarkReport(requestHeight, requestIterations, millis);
        LOG.info("benchmark of block {}: {} iterations in {} ms", height, requestIterations, millis);
        requestHeight = -1;
        untilHeight = 0;
        requestIterations = 0;
        requestNanos = 0;
        return r;
    }

    // ---------------------------------------------------------------- checkpoint codec

    void write(CanonicalWriter w) {
        w.u64(requestHeight + 1).u64(untilHeight).u64(requestIterations).u64(requestNanos).u64(totalIterations).u64(totalNanos);
    }

    void read(CanonicalReader r) {
        requestHeight = r.u64("benchmark request") - 1;
        untilHeight = r.u64("benchmark until");
        requestIterations = r.u64("benchmark iterations");
        requestNanos = r.u64("benchmark nanos");
        totalIterations = r.u64("total iterations");
        totalNanos = r.u64("total nanos");
        if (requestHeight < -1 || requestIterations < 0 || requestNanos < 0 || totalIterations < 0 || totalNanos < 0) {
            throw new MalformedException("benchmark counters out of range");
        }
    }
}
