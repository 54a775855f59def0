package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.AttestationEvidence;
import cloister.proto.MalformedException;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerInfo;
import cloister.proto.WorkerMessage;
import cloister.tee.EnclavePlatform;
import cloister.tee.Evidence;
import cloister.worker.Enclave;
import cloister.worker.EnclaveCall;
import cloister.worker.EnclaveError;
import cloister.worker.EnclaveHost;
import cloister.worker.EnclaveReply;
import cloister.worker.EnclaveStatus;
import cloister.worker.enclave.contract.SystemContractKinds;
import cloister.worker.wasm.WasmEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enclave side of the worker: decodes each ecall, runs it, encodes the reply. Holds the keys and every secret;
 * hands out only what {@link EnclaveReply} carries. The state (view, outbox, duties, contract keys and states,
 * outcomes) is checkpointed — sealed — through the host every {@value #CHECKPOINT_BLOCKS} blocks, after any block
 * that produced egress (so the sequence numbers and secrets behind relayed messages survive a crash), and on
 * {@link EnclaveCall.Checkpoint}. A restarted enclave resumes from its last checkpoint; replaying the blocks after
 * it is deterministic.
 */
public final class WorkerEnclave implements Enclave {
    static final String STATE_BLOB = "state";
    /** The most blocks between two checkpoints. */
    static final int CHECKPOINT_BLOCKS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(WorkerEnclave.class);

    private final EnclavePlatform platform;
    private final SealedStore store;
    private final SystemContractKinds kinds;
    /** Runs WebAssembly contracts; kept across restores so prepared modules stay cached. Its threads are daemons. */
    private final WasmEngine engine = new WasmEngine(WasmEngine.Config.defaults());
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private EnclaveRuntime runtime;
    private AccountId operator;
    private String runtimeVersion;
    private long blocksSinceCheckpoint;

    private WorkerEnclave(EnclavePlatform platform, EnclaveHost host, SystemContractKinds kinds) {
        this.platform = platform;
        this.store = new SealedStore(platform, host);
        this.kinds = kinds;
    }

    /** An enclave with this release's system contracts. */
    public static WorkerEnclave create(EnclavePlatform platform, EnclaveHost host) {
        return new WorkerEnclave(platform, host, SystemContractKinds.standard());
    }

    /** An enclave with the given system contracts (tests). */
    public static WorkerEnclave create(EnclavePlatform platform, EnclaveHost host, SystemContractKinds kinds) {
        return new WorkerEnclave(platform, host, kinds);
    }

    @Override
    public byte[] call(byte[] request) {
        EnclaveCall call;
        try {
            call = EnclaveCall.decode(request);
        } catch (MalformedException | IllegalArgumentException e) {
            return new EnclaveReply.Failure(EnclaveError.MALFORMED_CALL, e.getMessage()).encode();
        }
        try {
            return dispatch(call).encode();
        } catch (EnclaveFailure f) {
            return new EnclaveReply.Failure(f.reason(), f.getMessage()).encode();
        } catch (RuntimeException e) {
            // Details stay inside: an exception message could quote state.
            StackTraceElement[] at = e.getStackTrace();
            LOG.error("enclave bug in {}: {} at {}", call.getClass().getSimpleName(), e.getClass().getName(),
                    at.length > 0 ? at[0] : "?");
            return new EnclaveReply.Failure(EnclaveError.INTERNAL, "internal enclave error in "
                    + call.getClass().getSimpleName() + " (" + e.getClass().getSimpleName() + ")").encode();
        }
    }

    private EnclaveReply dispatch(EnclaveCall call) throws EnclaveFailure {
        return switch (call) {
            case EnclaveCall.Init i -> init(i);
            case EnclaveCall.Sync s -> sync(s);
            case EnclaveCall.Query q -> read(r -> new EnclaveReply.QueryAnswer(r.query(q.request())));
            case EnclaveCall.Outcome o -> read(r -> new EnclaveReply.Outcome(r.contracts.outcome(o.txHash())));
            case EnclaveCall.Status s -> read(r -> new EnclaveReply.Status(status(r)));
            case EnclaveCall.Checkpoint c -> {
                lock.writeLock().lock();
                try {
                    checkpoint(initialized());
                } finally {
                    lock.writeLock().unlock();
                }
                yield new EnclaveReply.Done();
            }
            case EnclaveCall.Outbox o -> read(r -> new EnclaveReply.Egress(List.copyOf(r.outbox.pending)));
            case EnclaveCall.Announce a -> announce(a.url());
            case EnclaveCall.StorageAdd a -> write(r -> new EnclaveReply.ChunkRequest(r.watchdog.add(a.file(), a.manifest())), true);
            case EnclaveCall.StorageRound x -> write(r -> new EnclaveReply.ChunkRequest(r.watchdog.round(platform.random())), false);
            case EnclaveCall.StorageCheck c -> write(r -> {
                EnclaveReply.StorageChecked checked = r.watchdog.check(c.answers());
                if (!checked.addedFiles().isEmpty() || !checked.lostFiles().isEmpty()) {
                    checkpoint(r); // the held set changed
                }
                return checked;
            }, false);
            case EnclaveCall.StorageReport x -> write(r -> {
                SignedWorkerMessage signed = r.outbox.sign(r.keys.identity, r.keys.genesisHash, r.watchdog.report());
                return new EnclaveReply.Egress(List.of(signed));
            }, true);
            case EnclaveCall.StorageStatus x -> read(r -> r.watchdog.view());
            case EnclaveCall.JobNeeds x -> read(r -> new EnclaveReply.JobNeeds(r.jobs.needs()));
            // Runs the analysis when the file was the job's last: under the write lock, so block sync waits for it.
            case EnclaveCall.JobFile f -> write(r -> sealIfSigned(r, r.signAll(r.jobs.deliver(f.job(), f.file(), f.blocks(),
                    r::escrowKeys))), false);
            case EnclaveCall.JobFileMissing m -> write(r -> sealIfSigned(r, r.signAll(r.jobs.missing(m.job(), m.file(), m.reason()))), false);
            case EnclaveCall.BenchmarkRun b -> benchmarkRun(b.millis());
            case EnclaveCall.BenchmarkReport b -> write(r -> new EnclaveReply.Egress(r.signAll(List.of(r.computation.report(b.requestHeight())))),
                    true);
        };
    }

    /**
     * Runs a slice of the benchmark workload if one is requested. The hashing holds no lock (block sync and queries go
     * on); only adding the work to the counters takes the write lock, briefly. The counters reach the checkpoint with
     * the next one (no sealing per slice).
     */
    private EnclaveReply benchmarkRun(int millis) throws EnclaveFailure {
        boolean requested;
        lock.readLock().lock();
        try {
            requested = initialized().computation.requested();
        } finally {
            lock.readLock().unlock();
        }
        if (!requested || millis == 0) {
            return read(r -> r.computation.progress());
        }
        Benchmark.Work work = Benchmark.measured(millis * 1_000_000L);
        if (work.iterations() == 0) {
            return read(r -> r.computation.progress()); // JIT warm-up: nothing counts yet
        }
        return write(r -> {
            r.computation.addRequestWork(work);
            return r.computation.progress();
        }, false);
    }

    /** Egress was signed (sequence numbers used, a job ended): checkpoint before it leaves, as after a sync. */
    private EnclaveReply.Egress sealIfSigned(EnclaveRuntime r, List<SignedWorkerMessage> signed) {
        if (!signed.isEmpty()) {
            checkpoint(r);
        }
        return new EnclaveReply.Egress(signed);
    }

    private interface Reader {
        EnclaveReply apply(EnclaveRuntime runtime);
    }

    private interface Writer {
        EnclaveReply apply(EnclaveRuntime runtime) throws EnclaveFailure;
    }

    /** Runs {@code writer} under the write lock; checkpoints after it if {@code seal} (it signed or changed held state). */
    private EnclaveReply write(Writer writer, boolean seal) throws EnclaveFailure {
        lock.writeLock().lock();
        try {
            EnclaveRuntime r = initialized();
            EnclaveReply reply = writer.apply(r);
            if (seal) {
                checkpoint(r);
            }
            return reply;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private EnclaveReply read(Reader reader) throws EnclaveFailure {
        lock.readLock().lock();
        try {
            return reader.apply(initialized());
        } finally {
            lock.readLock().unlock();
        }
    }

    private EnclaveRuntime initialized() throws EnclaveFailure {
        if (runtime == null) {
            throw new EnclaveFailure(EnclaveError.NOT_INITIALIZED, "the enclave is not initialized: call init first");
        }
        return runtime;
    }

    // ---------------------------------------------------------------- init

    private EnclaveReply init(EnclaveCall.Init i) throws EnclaveFailure {
        lock.writeLock().lock();
        try {
            if (runtime == null) {
                EnclaveKeys keys = EnclaveKeys.loadOrCreate(store, platform.random(), i.genesisHash());
                GatekeeperRole gatekeeper = new GatekeeperRole(keys, store, platform.random());
                gatekeeper.loadMaster();
                runtime = restore(keys, gatekeeper);
                LOG.info("worker {} initialized at block {}", keys.id, runtime.view.height);
            } else if (!runtime.keys.genesisHash.equals(i.genesisHash())) {
                throw new EnclaveFailure(EnclaveError.ALREADY_INITIALIZED, "this enclave runs for the network with genesis "
                        + runtime.keys.genesisHash.shortHex() + "…");
            }
            operator = i.operator();
            runtimeVersion = i.runtimeVersion();
            WorkerInfo info = info();
            Evidence e = platform.quote(info.reportData());
            return new EnclaveReply.Initialized(info, new AttestationEvidence(e.platform().code(), e.quote(), e.collateral()),
                    runtime.view.height);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private EnclaveRuntime restore(EnclaveKeys keys, GatekeeperRole gatekeeper) throws EnclaveFailure {
        Optional<byte[]> state = store.load(STATE_BLOB);
        if (state.isEmpty()) {
            return EnclaveRuntime.fresh(keys, gatekeeper, kinds, engine, platform.random());
        }
        try {
            return EnclaveRuntime.decode(state.get(), keys, gatekeeper, kinds, engine, platform.random());
        } catch (IllegalStateException e) {
            throw new EnclaveFailure(EnclaveError.WRONG_NETWORK, e.getMessage());
        } catch (MalformedException | IllegalArgumentException e) {
            throw new EnclaveFailure(EnclaveError.STATE_CORRUPT, "the sealed state does not decode: " + e.getMessage());
        }
    }

    private WorkerInfo info() {
        return new WorkerInfo(runtime.me(), runtime.keys.ecdh.publicKey(), runtime.keys.genesisHash, operator, runtimeVersion);
    }

    // ---------------------------------------------------------------- sync

    private EnclaveReply sync(EnclaveCall.Sync s) throws EnclaveFailure {
        // The state-free checks (seals, roots) run before taking the lock, in parallel: queries are not held up.
        List<BlockVerifier.Prepared> prepared = BlockVerifier.prepare(s.blocks());
        lock.writeLock().lock();
        try {
            EnclaveRuntime r = initialized();
            List<SignedWorkerMessage> egress = new ArrayList<>();
            Optional<EnclaveReply.SyncRefusal> refusal = Optional.empty();
            for (BlockVerifier.Prepared p : prepared) {
                refusal = BlockVerifier.check(p, r.view, r.keys.genesisHash);
                if (refusal.isPresent()) {
                    LOG.warn("refused block {}: {}: {}", refusal.get().height(), refusal.get().reason().code(), refusal.get().message());
                    break;
                }
                egress.addAll(r.apply(p.header(), p.messages(), s.chainHead()));
                blocksSinceCheckpoint++;
            }
            if (!egress.isEmpty() || blocksSinceCheckpoint >= CHECKPOINT_BLOCKS) {
                checkpoint(r);
            }
            return new EnclaveReply.Synced(r.view.height, r.view.hash, egress, refusal);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkpoint(EnclaveRuntime r) {
        store.store(STATE_BLOB, r.encode());
        blocksSinceCheckpoint = 0;
    }

    private EnclaveReply announce(String url) throws EnclaveFailure {
        WorkerMessage.EndpointAnnounced message;
        if (!(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new EnclaveFailure(EnclaveError.MALFORMED_CALL, "an endpoint is an http(s) URL");
        }
        try {
            message = new WorkerMessage.EndpointAnnounced(url);
        } catch (IllegalArgumentException e) {
            throw new EnclaveFailure(EnclaveError.MALFORMED_CALL, e.getMessage());
        }
        lock.writeLock().lock();
        try {
            EnclaveRuntime r = initialized();
            SignedWorkerMessage signed = r.outbox.sign(r.keys.identity, r.keys.genesisHash, message);
            checkpoint(r);
            return new EnclaveReply.Egress(List.of(signed));
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- status

    private EnclaveStatus status(EnclaveRuntime r) {
        NetworkView v = r.view;
        Hash genesis = r.keys.genesisHash;
        return new EnclaveStatus(r.me(), r.keys.ecdh.publicKey(), platform.platform().code(), platform.measurement().value(),
                genesis, operator, runtimeVersion, v.height, v.hash, v.workers.containsKey(r.me()),
                v.gatekeepers.contains(r.me()), r.gatekeeper.newestEpoch(), v.clustersOf(r.me()), r.contracts.status(),
                r.outbox.pending.size());
    }
}
