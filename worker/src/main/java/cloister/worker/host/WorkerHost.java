package cloister.worker.host;

import cloister.chain.SubmitResult;
import cloister.common.Hash;
import cloister.crypto.SigningKey;
import cloister.proto.AttestationEvidence;
import cloister.proto.Call;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.tee.EnclavePlatform;
import cloister.worker.BlockData;
import cloister.worker.CommandOutcome;
import cloister.worker.Enclave;
import cloister.worker.EnclaveClient;
import cloister.worker.EnclaveLoader;
import cloister.worker.EnclaveReply;
import cloister.worker.EnclaveStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The untrusted half of a worker: owns an {@link Enclave} (and talks to it only in bytes), feeds it blocks from a
 * {@link ChainSource}, relays its signed egress messages as {@code registry.submitWorkerMessage} transactions paid
 * by the operator, registers it on first start, stores its sealed blobs, and serves its query endpoint over HTTP.
 * It sees only public data and ciphertext; it logs heights, counts, hashes and reasons, never content.
 *
 * <p>Use {@link #open} then either drive it with {@link #syncOnce()} (tests) or {@link #start()} the background sync
 * loop and the HTTP endpoint. {@link #close()} checkpoints the enclave.
 *
 * <p>Mining: when the chain asks this worker to benchmark, the background loop starts {@link #runBenchmark()} on a
 * thread of its own: slices of {@value #BENCHMARK_SLICE_MILLIS} ms of the enclave's workload, each followed by as
 * long a rest (half of one core), until the worker has synced the request's last block and run at least
 * {@value #BENCHMARK_MIN_MILLIS} ms of counted work (or {@value #BENCHMARK_MAX_MILLIS} ms of slices in all, once
 * something counted: the enclave does not count the JVM's JIT warm-up); then it relays the signed report. Heartbeats need nothing from the host: the enclave answers challenges while it syncs.
 */
public final class WorkerHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerHost.class);
    /** Workload per benchmark slice, and the rest after each (so a benchmark takes half of one core). */
    static final int BENCHMARK_SLICE_MILLIS = 50;
    /** The least work a benchmark report covers, even when the request's last block is already synced. */
    static final long BENCHMARK_MIN_MILLIS = 1_000;
    /** The most work one benchmark runs before reporting, synced or not. */
    static final long BENCHMARK_MAX_MILLIS = 10_000;

    private final WorkerConfig config;
    private final EnclaveClient enclave;
    private final ChainSource chain;
    private final SigningKey operator;
    private final Hash genesisHash;
    private final Object syncLock = new Object();
    private final Semaphore wake = new Semaphore(0);
    private final Set<Long> relayedThisRun = new HashSet<>();
    private volatile WorkerInfo info;
    private volatile AttestationEvidence evidence;
    private volatile long syncedHeight;
    private volatile boolean registered;
    private long registrationSubmittedAt = -1;
    private long registrationRefusedAtNanos;
    private boolean registrationRefused;
    private volatile String announceUrl;
    private boolean announced;
    private volatile boolean running;
    private volatile boolean closed;
    private Thread thread;
    private volatile Thread benchmarkThread;
    private AutoCloseable headSubscription;
    private QueryServer http;
    private final java.util.List<Runnable> syncListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private WorkerHost(WorkerConfig config, Enclave enclave, ChainSource chain, SigningKey operator) {
        this.config = config;
        this.enclave = new EnclaveClient(enclave);
        this.chain = chain;
        this.operator = operator;
        this.genesisHash = chain.genesisHash();
    }

    /**
     * Initializes {@code enclave} for {@code chain}'s network (creating or restoring its sealed keys and state).
     *
     * @throws cloister.worker.EnclaveException if the enclave refuses (another network's keys, another build's seal)
     */
    public static WorkerHost open(WorkerConfig config, Enclave enclave, ChainSource chain, SigningKey operator) {
        WorkerHost host = new WorkerHost(config, enclave, chain, operator);
        EnclaveReply.Initialized init = host.enclave.init(host.genesisHash, operator.account(), config.runtimeVersion());
        host.info = init.info();
        host.evidence = init.evidence();
        host.syncedHeight = init.syncedHeight();
        LOG.info("worker {} ({}) opened at block {}", init.info().identity(), platformWord(init.evidence().platformCode()),
                init.syncedHeight());
        if (init.evidence().platformCode() == cloister.tee.Platform.SIM.code()) {
            LOG.warn("worker {}: {}", init.info().identity().hex().substring(0, 16), cloister.tee.Platform.SIM_WARNING);
        }
        return host;
    }

    /** {@link #open} with the in-process enclave on {@code platform}, sealed blobs in {@code <dataDir>/enclave}. */
    public static WorkerHost openInProcess(WorkerConfig config, EnclavePlatform platform, ChainSource chain, SigningKey operator) {
        Enclave e = EnclaveLoader.inProcess(platform, new SealedBlobFiles(config.dataDir().resolve("enclave")));
        return open(config, e, chain, operator);
    }

    public WorkerId id() {
        return info.identity();
    }

    /** What this worker registers (identity, ECDH key, network, operator, version). */
    public WorkerInfo info() {
        return info;
    }

    public EnclaveStatus status() {
        return enclave.status();
    }

    /** The signed egress messages the enclave has not yet seen accepted on chain, in sequence order (public once relayed). */
    public List<SignedWorkerMessage> pendingEgress() {
        return enclave.outbox();
    }

    public Optional<CommandOutcome> outcome(Hash txHash) {
        return enclave.outcome(txHash);
    }

    /** Passes an encrypted query to the enclave and returns its encrypted, signed response. */
    public byte[] query(byte[] request) {
        return enclave.query(request);
    }

    public long syncedHeight() {
        return syncedHeight;
    }

    // ---------------------------------------------------------------- storage watchdog (the enclave decides; the host carries bytes)

    public cloister.worker.EnclaveReply.StorageView storageStatus() {
        return enclave.storageStatus();
    }

    /** Hands the fetched manifest of an assigned file to the watchdog; returns the chunks it wants to hash. */
    public List<Hash> storageAdd(Hash file, byte[] manifest) {
        return enclave.storageAdd(file, manifest);
    }

    /** The current watchdog round's sample (the same until answered). */
    public List<Hash> storageRound() {
        return enclave.storageRound();
    }

    public cloister.worker.EnclaveReply.StorageChecked storageCheck(List<cloister.worker.EnclaveReply.ChunkAnswer> answers) {
        return enclave.storageCheck(answers);
    }

    /**
     * Has the watchdog sign this slot's work report and relays it.
     *
     * @throws cloister.worker.EnclaveException if the watchdog refuses (no round completed this slot, already reported)
     */
    public boolean relayWorkReport() {
        synchronized (syncLock) {
            SignedWorkerMessage m = enclave.storageReport();
            return relay(List.of(m)) == 1;
        }
    }

    // ---------------------------------------------------------------- W3A jobs (the enclave decides; the host carries bytes)

    /** The files this worker's open W3A jobs still need (fetch them from the storage network). */
    public List<cloister.worker.EnclaveReply.JobFileNeed> jobNeeds() {
        return enclave.jobNeeds();
    }

    /**
     * Hands one fetched file of a job (its encrypted blocks: manifest and chunks) to the enclave and relays the job's
     * result or failure if that was its last file. Returns how many messages were relayed.
     */
    public int deliverJobFile(long job, Hash file, List<byte[]> blocks) {
        synchronized (syncLock) { // egress is signed in sequence: relay it before a sync round signs more
            return relay(enclave.jobFile(job, file, blocks));
        }
    }

    /** Tells the enclave a job's file cannot be fetched (the job fails, nothing released) and relays the failure. */
    public int jobFileMissing(long job, Hash file, String reason) {
        synchronized (syncLock) {
            return relay(enclave.jobFileMissing(job, file, reason));
        }
    }

    /** Signs {@code call} with the operator's key and submits it; false (logged) if the pool refused it. */
    public boolean submitAsOperator(Call call, String what) {
        synchronized (syncLock) {
            return submit(call, what);
        }
    }

    /** The operator account that pays for this worker's transactions. */
    public cloister.crypto.AccountId operator() {
        return operator.account();
    }

    /** Runs {@code listener} after every background sync round (on the sync thread: keep it short). */
    public void addSyncListener(Runnable listener) {
        syncListeners.add(listener);
    }

    public long chainHead() {
        return chain.headHeight();
    }

    // ---------------------------------------------------------------- sync

    /**
     * Syncs the enclave to the chain's current head in batches, relays the egress it produces, and registers the
     * worker once synced if the chain does not know it yet. Thread-safe (one round at a time).
     */
    public SyncProgress syncOnce() {
        synchronized (syncLock) {
            long head = chain.headHeight();
            long start = syncedHeight;
            int relayed = 0;
            Optional<EnclaveReply.SyncRefusal> refusal = Optional.empty();
            while (syncedHeight < head) {
                long from = syncedHeight + 1;
                List<BlockData> blocks = chain.blocks(from, Math.min(head, from + config.syncBatch() - 1));
                if (blocks.isEmpty()) {
                    break;
                }
                EnclaveReply.Synced s = enclave.sync(blocks, head);
                syncedHeight = s.height();
                relayed += relay(s.egress());
                if (s.refusal().isPresent()) {
                    refusal = s.refusal();
                    EnclaveReply.SyncRefusal r = refusal.get();
                    LOG.error("the enclave refused block {}: {}: {}", r.height(), r.reason().code(), r.message());
                    break;
                }
            }
            if (refusal.isEmpty() && syncedHeight >= head) {
                ensureRegistered();
                announce();
            }
            return new SyncProgress(syncedHeight, syncedHeight - start, relayed, refusal);
        }
    }

    private int relay(List<SignedWorkerMessage> egress) {
        int n = 0;
        for (SignedWorkerMessage m : egress) {
            relayedThisRun.add(m.seq());
            if (submit(new RegistryCall.SubmitWorkerMessage(m), m.message().name() + " #" + m.seq())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Signs {@code call} with the operator's next nonce and submits it. The operator account may be used by someone else
     * at the same moment (another worker of the same operator, a transfer): a nonce clash is retried with a fresh nonce,
     * so a signed egress message is not lost to it (a lost one would leave a gap in the worker's sequence).
     */
    private boolean submit(Call call, String what) {
        SubmitResult.Rejected last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Transaction tx = Transaction.sign(genesisHash, operator, chain.nextNonce(operator.account()), chain.minimumFee(), call);
            SubmitResult r = chain.submit(tx);
            if (!(r instanceof SubmitResult.Rejected rej)) {
                LOG.debug("relayed {} in {}", what, tx.hash().shortHex());
                return true;
            }
            last = rej;
            if (rej.reason() != cloister.proto.TxRejection.NONCE_TAKEN && rej.reason() != cloister.proto.TxRejection.STALE_NONCE) {
                break;
            }
        }
        LOG.warn("relaying {} was refused: {}: {}", what, last.reason().code(), last.message());
        return false;
    }

    private void ensureRegistered() {
        if (registered) {
            return;
        }
        if (enclave.status().registered()) {
            registered = true;
            LOG.info("worker {} is registered", info.identity());
            return;
        }
        if (registrationSubmittedAt >= 0 && syncedHeight - registrationSubmittedAt < config.registrationRetryBlocks()) {
            return;
        }
        if (registrationRefused && System.nanoTime() - registrationRefusedAtNanos < 5_000_000_000L) {
            return; // the pool refused it a moment ago; try again in a few seconds, not every round
        }
        if (registrationSubmittedAt >= 0) {
            LOG.warn("worker {} is still not registered {} blocks after submitting its registration; submitting it again"
                    + " (see the registration transaction's failure: measurement allowlist, attestation policy)",
                    info.identity(), config.registrationRetryBlocks());
            EnclaveReply.Initialized fresh = enclave.init(genesisHash, operator.account(), config.runtimeVersion());
            info = fresh.info();
            evidence = fresh.evidence();
        }
        LOG.info("registering worker {} (operator {})", info.identity(), operator.account());
        registrationRefused = !submit(new RegistryCall.RegisterWorker(info, evidence), "registration");
        if (registrationRefused) {
            registrationRefusedAtNanos = System.nanoTime();
        } else {
            registrationSubmittedAt = syncedHeight;
        }
    }

    /** Once registered, announces the query endpoint on chain (once per run: the URL may have changed). */
    private void announce() {
        String url = announceUrl;
        if (!registered || announced || url == null) {
            return;
        }
        SignedWorkerMessage m = enclave.announce(url);
        relay(List.of(m));
        announced = true;
        LOG.info("announced query endpoint {}", url);
    }

    // ---------------------------------------------------------------- mining benchmark

    /** After a sync round: starts {@link #runBenchmark()} in the background if the chain asked for one and none runs. */
    private void benchmarkIfRequested() {
        Thread t = benchmarkThread;
        if (closed || (t != null && t.isAlive()) || !enclave.benchmarkRun(0).requested()) {
            return;
        }
        t = new Thread(() -> {
            try {
                runBenchmark();
            } catch (RuntimeException e) {
                LOG.warn("benchmark failed: {}", e.getMessage());
            }
        }, "worker-benchmark-" + info.identity().hex().substring(0, 8));
        t.setDaemon(true);
        benchmarkThread = t;
        t.start();
    }

    /**
     * Runs the benchmark the chain requested of this worker on the calling thread, in slices at half the duty of one
     * core (the enclave holds no lock while it hashes: sync goes on), until the request's last block is synced and
     * at least {@value #BENCHMARK_MIN_MILLIS} ms of counted work ran, or {@value #BENCHMARK_MAX_MILLIS} ms of slices
     * did (once anything counted); then relays the signed report. A newer request replaces the one running.
     *
     * @return whether a report was relayed (false: nothing requested, or the host is closing)
     */
    public boolean runBenchmark() {
        long request = -1;
        long ran = 0; // ms of slices run for this request, JIT warm-up included
        while (!closed) {
            EnclaveReply.BenchmarkProgress p = enclave.benchmarkRun(BENCHMARK_SLICE_MILLIS);
            if (!p.requested()) {
                return false;
            }
            if (p.requestHeight() != request) {
                request = p.requestHeight();
                ran = 0;
                LOG.info("benchmarking for the request of block {} (report after block {})", request, p.untilHeight());
            }
            ran += BENCHMARK_SLICE_MILLIS;
            boolean synced = syncedHeight >= p.untilHeight();
            if (p.iterations() > 0 && ((synced && p.millis() >= BENCHMARK_MIN_MILLIS) || ran >= BENCHMARK_MAX_MILLIS)) {
                synchronized (syncLock) { // egress is signed in sequence: relay it before a sync round signs more
                    SignedWorkerMessage m;
                    try {
                        m = enclave.benchmarkReport(request);
                    } catch (cloister.worker.EnclaveException e) {
                        if (e.reason() != cloister.worker.EnclaveError.NO_BENCHMARK) {
                            throw e;
                        }
                        continue; // a newer request replaced it while this slice ran
                    }
                    relay(List.of(m));
                }
                LOG.info("benchmark reported: {} iterations in {} ms", p.iterations(), p.millis());
                return true;
            }
            try {
                Thread.sleep(BENCHMARK_SLICE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Relays egress the enclave signed in an earlier run and has not seen accepted (lost in a crash). */
    private void relayOutbox() {
        synchronized (syncLock) {
            List<SignedWorkerMessage> pending = enclave.outbox().stream().filter(m -> !relayedThisRun.contains(m.seq())).toList();
            if (!pending.isEmpty()) {
                LOG.info("relaying {} egress messages from before the restart", pending.size());
                relay(pending);
            }
        }
    }

    // ---------------------------------------------------------------- background loop and HTTP

    /** Catches up, relays leftovers, then follows the chain in the background and serves HTTP (unless port -1). */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        if (config.httpPort() >= 0) {
            http = QueryServer.start(config.httpHost(), config.httpPort(), this);
            LOG.info("worker {} serves queries on http://{}:{}/v1/query", info.identity(), config.httpHost(), http.port());
        }
        announceUrl = config.publicUrl().orElse(http == null ? null : "http://" + config.httpHost() + ":" + http.port());
        syncOnce();
        relayOutbox();
        running = true;
        headSubscription = chain.onNewHead(wake::release);
        thread = new Thread(this::loop, "worker-sync-" + info.identity().hex().substring(0, 8));
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                syncOnce();
                benchmarkIfRequested();
            } catch (RuntimeException e) {
                LOG.warn("sync round failed: {}", e.getMessage());
            }
            for (Runnable l : syncListeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    LOG.warn("sync listener failed: {}", e.getMessage());
                }
            }
            try {
                if (wake.tryAcquire(config.pollMillis(), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The HTTP port, or -1 if not serving. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Stops the loop and the endpoint, and checkpoints the enclave. */
    @Override
    public synchronized void close() {
        running = false;
        closed = true;
        wake.release();
        Thread bench = benchmarkThread;
        if (bench != null) {
            bench.interrupt();
            try {
                bench.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        if (headSubscription != null) {
            try {
                headSubscription.close();
            } catch (Exception e) {
                LOG.debug("closing the head subscription failed", e);
            }
        }
        if (http != null) {
            http.close();
            http = null;
        }
        synchronized (syncLock) {
            enclave.checkpoint();
        }
    }

    static String platformWord(int code) {
        try {
            return cloister.tee.Platform.ofCode(code).word();
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }
}
