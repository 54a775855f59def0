package cloister.node.sim;

import cloister.common.Hash;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.AttestationEvidence;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.proto.WorkerMessage;
import cloister.tee.Evidence;

/**
 * One simulated worker as the chain sees it: its own Ed25519 identity, a sim quote binding that identity to the
 * network, and the signed messages its enclave would send — a benchmark report with its iterations per second, and
 * heartbeats carrying the running totals of the workload it keeps running. No enclave runs: this models only what
 * the worker says, with the sequence numbers the registry demands. Not thread-safe (the simulation is one thread).
 */
final class SimulatedMiner {
    final int index;
    final SigningKey identity;
    final WorkerInfo info;
    final Evidence evidence;
    final int pool;
    final boolean fast;
    final boolean offline;
    /** Benchmark iterations per second of this machine (its P is 6 × this, capped). */
    final long ips;
    private final Hash genesis;
    private long seq;
    /** Running totals of the benchmark workload since registration, as the enclave reports them. */
    private long iterations;
    private long workMillis;
    long registeredAtMillis = -1;
    long benchmarkRequest = -1;
    long benchmarkDue = -1;
    /** The outstanding challenge (block, deadline) this worker knows of, or -1. */
    long challengeHeight = -1;
    long challengeDeadline = -1;
    /** The block whose WorkerUnresponsive notice names this worker, or -1 once answered. */
    long unresponsiveAt = -1;
    long challenges;
    long heartbeatsSent;
    long benchmarksSent;

    SimulatedMiner(int index, SigningKey identity, WorkerInfo info, Evidence evidence, Hash genesis, int pool, boolean fast,
                   boolean offline, long ips) {
        this.index = index;
        this.identity = identity;
        this.info = info;
        this.evidence = evidence;
        this.genesis = genesis;
        this.pool = pool;
        this.fast = fast;
        this.offline = offline;
        this.ips = ips;
    }

    static WorkerInfo info(SigningKey identity, byte[] ecdh, Hash genesis, SigningKey operator) {
        return new WorkerInfo(WorkerId.of(identity.account()), X25519PublicKey.of(ecdh), genesis, operator.account(), "0.1.0");
    }

    WorkerId id() {
        return info.identity();
    }

    String group() {
        return (offline ? "offline" : "online") + "-" + (fast ? "fast" : "slow");
    }

    RegistryCall.RegisterWorker registration() {
        return new RegistryCall.RegisterWorker(info, new AttestationEvidence(evidence.platform().code(), evidence.quote(),
                evidence.collateral()));
    }

    /** A message with its sequence number, to be signed (possibly on another thread: workers are separate machines). */
    record Outgoing(SimulatedMiner from, long seq, WorkerMessage message) {
        RegistryCall.SubmitWorkerMessage sign() {
            return new RegistryCall.SubmitWorkerMessage(SignedWorkerMessage.sign(from.identity, from.genesis, seq, message));
        }
    }

    /** The benchmark report for the outstanding request: the workload ran from the request to {@code nowMillis}. */
    Outgoing benchmarkReport(long requestMillis, long nowMillis) {
        long millis = Math.max(1, nowMillis - requestMillis);
        benchmarksSent++;
        long request = benchmarkRequest;
        benchmarkRequest = -1;
        benchmarkDue = -1;
        return say(new WorkerMessage.BenchmarkReport(request, ips * millis / 1000, millis));
    }

    /**
     * A heartbeat naming block {@code challenge} (a challenge, or the block that marked it unresponsive), with the
     * workload totals up to {@code nowMillis}: the machine ran at its rate, give or take {@code jitterPermille}.
     */
    Outgoing heartbeat(long challenge, long nowMillis, int jitterPermille) {
        long elapsed = Math.max(0, nowMillis - (registeredAtMillis + workMillis));
        iterations += ips * (1000 + jitterPermille) / 1000 * elapsed / 1000;
        workMillis += elapsed;
        heartbeatsSent++;
        return say(new WorkerMessage.Heartbeat(challenge, iterations, workMillis, 0));
    }

    private Outgoing say(WorkerMessage m) {
        return new Outgoing(this, seq++, m);
    }
}
