package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.EcdhKey;
import cloister.crypto.Sha256;
import cloister.crypto.X25519PublicKey;
import cloister.market.analysis.AnalysisEngine;
import cloister.market.analysis.AnalysisLimits;
import cloister.market.data.RecordBatch;
import cloister.market.data.Schema;
import cloister.market.job.JobExecution;
import cloister.market.job.ResultSeal;
import cloister.market.privacy.DiscreteLaplaceNoise;
import cloister.market.sql.GuardedQuery;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.InboundMessage;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.storage.cid.Cid;
import cloister.worker.EnclaveReply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W3A inside the enclave: the jobs the chain assigned to this worker, and the datasets it must never open again.
 *
 * <p>A {@link InboundMessage.JobAssigned} for this worker is checked at once (schema, guarded SQL: a refused query
 * fails the job before any data is read, and the chain gives the ε back). The host then carries each batch file's
 * encrypted blocks in ({@link #deliver}); the enclave opens the file's escrowed data key with the escrow cluster's key,
 * verifies every block against its CID, decrypts and decodes it, and keeps the records in memory only. When every
 * file of the job is in, the analysis runs ({@link JobExecution}, exact discrete Laplace noise from a CSPRNG), the
 * released result is sealed to the buyer's key and a signed {@link WorkerMessage.JobResult} leaves — or a
 * {@link WorkerMessage.JobFailed} with the reason. Decrypted records are dropped as soon as the job ends.
 *
 * <p>A {@link InboundMessage.DatasetDeleted} adds the dataset to the deleted set: its batches are dropped from any job
 * waiting for them (the job fails, nothing released) and no key of it is opened again; the designated worker signs
 * the owner's {@link WorkerMessage.DeletionReceipt}. What stays in the checkpoint is public: the assignments still
 * open (so a restarted worker fetches their files again) and the deleted ids — never records or data keys.
 */
final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** The most blocks one file of a job may have: a manifest and 64 chunks of 256 KiB (the collector cuts batches to fit). */
    static final int MAX_FILE_BLOCKS = 65;

    private final WorkerId me;
    private final Hash genesis;
    private final AnalysisEngine engine;
    private final Map<Long, Pending> pending = new TreeMap<>();
    private final Set<Long> deleted = new TreeSet<>();
    private final List<WorkerMessage> egress = new ArrayList<>();

    /** An assigned job: its public assignment, its checked query, and the batches opened so far (enclave memory only). */
    private static final class Pending {
        final InboundMessage.JobAssigned assigned;
        final JobExecution.Spec spec;
        final GuardedQuery query;
        final Map<Hash, RecordBatch> opened = new HashMap<>();

        Pending(InboundMessage.JobAssigned assigned, JobExecution.Spec spec, GuardedQuery query) {
            this.assigned = assigned;
            this.spec = spec;
            this.query = query;
        }

        boolean uses(long dataset) {
            return assigned.datasets().stream().anyMatch(d -> d.dataset() == dataset);
        }
    }

    JobRunner(WorkerId me, Hash genesis) {
        this.me = me;
        this.genesis = genesis;
        this.engine = new AnalysisEngine(AnalysisLimits.DEFAULT, DiscreteLaplaceNoise.secure());
    }

    // ---------------------------------------------------------------- chain messages

    void onAssigned(InboundMessage.JobAssigned j) {
        if (!j.worker().equals(me) || pending.containsKey(j.job())) {
            return;
        }
        JobExecution.Spec spec = new JobExecution.Spec(j.job(), j.sql(), j.schema(), j.epsilon(), j.minGroupOwners(), j.maxRowsPerOwner());
        for (InboundMessage.JobDataset d : j.datasets()) {
            if (deleted.contains(d.dataset())) {
                fail(j.job(), "DATASET_DELETED", "dataset " + d.dataset() + " was deleted; its key is destroyed", false);
                return;
            }
            if (d.batches().isEmpty()) {
                fail(j.job(), "NO_DATA", "dataset " + d.dataset() + " has no records", false);
                return;
            }
        }
        switch (JobExecution.check(spec)) {
            case JobExecution.Failed f -> fail(j.job(), f.code(), f.message(), false);
            case JobExecution.Ready r -> {
                pending.put(j.job(), new Pending(j, spec, r.query()));
                LOG.info("job {} assigned: {} datasets, {} files to fetch", j.job(), j.datasets().size(),
                        j.datasets().stream().mapToInt(d -> d.batches().size()).sum());
            }
        }
    }

    /**
     * The chain failed the job for lack of an answer in time (and refunded the buyer): drop it with whatever of it was
     * opened, and never answer it — a result signed now would be refused, but published in a block for the buyer to
     * open unpaid.
     */
    void onTimedOut(InboundMessage.JobTimedOut t) {
        if (t.worker().equals(me) && pending.remove(t.job()) != null) {
            LOG.info("job {} timed out on chain; dropped", t.job());
        }
    }

    void onDeleted(InboundMessage.DatasetDeleted d, long height) {
        deleted.add(d.dataset());
        for (Pending p : List.copyOf(pending.values())) {
            if (p.uses(d.dataset())) {
                pending.remove(p.assigned.job());
                fail(p.assigned.job(), "DATASET_DELETED", "dataset " + d.dataset() + " was deleted while the job waited for its data;"
                        + " nothing was released", false);
            }
        }
        if (d.receiptWorker().equals(me)) {
            egress.add(new WorkerMessage.DeletionReceipt(d.dataset(), height));
        }
    }

    /** The messages the last blocks caused (failures at assignment, deletion receipts), to sign and relay. */
    List<WorkerMessage> takeEgress() {
        List<WorkerMessage> out = List.copyOf(egress);
        egress.clear();
        return out;
    }

    // ---------------------------------------------------------------- host calls

    /** Every file an open job still needs, in job order. */
    List<EnclaveReply.JobFileNeed> needs() {
        List<EnclaveReply.JobFileNeed> out = new ArrayList<>();
        for (Pending p : pending.values()) {
            for (InboundMessage.JobDataset d : p.assigned.datasets()) {
                for (InboundMessage.JobBatch b : d.batches()) {
                    if (!p.opened.containsKey(b.file())) {
                        out.add(new EnclaveReply.JobFileNeed(p.assigned.job(), b.file(), b.size()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The blocks of one file of job {@code job} (its manifest and chunks, in any order). Opens it; when it was the
     * last file, runs the job. Returns the messages to sign (none while files are still missing).
     */
    List<WorkerMessage> deliver(long job, Hash file, List<byte[]> blocks, Supplier<List<EcdhKey>> escrowKeys) {
        Pending p = pending.get(job);
        if (p == null) {
            return List.of(); // ended meanwhile (deleted dataset, a second delivery): nothing to do
        }
        InboundMessage.JobBatch batch = null;
        for (InboundMessage.JobDataset d : p.assigned.datasets()) {
            for (InboundMessage.JobBatch b : d.batches()) {
                if (b.file().equals(file)) {
                    batch = b;
                }
            }
        }
        if (batch == null || p.opened.containsKey(file)) {
            return List.of();
        }
        Map<Cid, byte[]> byCid = new LinkedHashMap<>();
        for (byte[] b : blocks) {
            byCid.put(Cid.raw(b), b);
        }
        Schema schema = p.query.schema();
        try {
            p.opened.put(file, JobExecution.openBatch(escrowKeys.get(), file, batch.escrowKey(), schema, byCid::get));
        } catch (JobExecution.DataException e) {
            pending.remove(job);
            return List.of(failure(job, e.code(), e.getMessage(), false));
        }
        if (needs().stream().anyMatch(n -> n.job() == job)) {
            return List.of();
        }
        pending.remove(job);
        return List.of(run(p));
    }

    /** The host could not fetch {@code file} from any replica: the job fails, nothing released (the chain refunds). */
    List<WorkerMessage> missing(long job, Hash file, String reason) {
        Pending p = pending.remove(job);
        if (p == null) {
            return List.of();
        }
        String why = reason.length() > 300 ? reason.substring(0, 300) : reason;
        return List.of(failure(job, "DATA_UNAVAILABLE", "file " + JobExecution.cid(file) + " could not be fetched: " + why, false));
    }

    private WorkerMessage run(Pending p) {
        long job = p.assigned.job();
        List<JobExecution.OwnerBatches> inputs = new ArrayList<>();
        for (InboundMessage.JobDataset d : p.assigned.datasets()) {
            List<RecordBatch> batches = new ArrayList<>();
            d.batches().forEach(b -> batches.add(p.opened.get(b.file())));
            inputs.add(new JobExecution.OwnerBatches(d.owner(), batches));
        }
        long started = System.nanoTime();
        JobExecution.Outcome outcome = JobExecution.run(p.spec, p.query, inputs, engine);
        p.opened.clear();
        long ms = (System.nanoTime() - started) / 1_000_000;
        return switch (outcome) {
            case JobExecution.Done done -> {
                byte[] sealed = ResultSeal.seal(X25519PublicKey.of(p.assigned.resultKey()), genesis, job, done.result().encode());
                LOG.info("job {} done in {} ms: {} owners, {} rows, {} groups released", job, ms, done.result().owners(),
                        done.result().rowsRead(), done.result().rows().size());
                yield new WorkerMessage.JobResult(job, Sha256.hash(sealed), sealed, done.result().owners(), done.result().rowsRead());
            }
            case JobExecution.Failed f -> failure(job, f.code(), f.message(), f.dataRead());
        };
    }

    private void fail(long job, String code, String message, boolean dataRead) {
        egress.add(failure(job, code, message, dataRead));
    }

    private static WorkerMessage.JobFailed failure(long job, String code, String message, boolean dataRead) {
        LOG.info("job {} failed: {}", job, code);
        byte[] m = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String text = m.length <= WorkerMessage.JobFailed.MAX_MESSAGE ? message
                : new String(m, 0, WorkerMessage.JobFailed.MAX_MESSAGE - 3, java.nio.charset.StandardCharsets.UTF_8) + "…";
        return new WorkerMessage.JobFailed(job, code.length() > 64 ? code.substring(0, 64) : code, text, dataRead);
    }

    /** The public view for status: job id → files still missing. */
    Map<Long, Integer> openJobs() {
        Map<Long, Integer> out = new TreeMap<>();
        needs().forEach(n -> out.merge(n.job(), 1, Integer::sum));
        pending.keySet().forEach(j -> out.putIfAbsent(j, 0));
        return out;
    }

    // ---------------------------------------------------------------- checkpoint (public facts only)

    void write(CanonicalWriter w) {
        w.u32(pending.size());
        pending.values().forEach(p -> w.bytes(p.assigned.encode()));
        w.u32(deleted.size());
        deleted.forEach(w::u64);
    }

    void read(CanonicalReader r) {
        int n = r.u32("open jobs");
        if (n > 100_000) {
            throw new MalformedException(n + " open jobs");
        }
        List<InboundMessage.JobAssigned> assigned = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (InboundMessage.decode(r.bytes(16 * 1024 * 1024, "job")) instanceof InboundMessage.JobAssigned j) {
                assigned.add(j);
            } else {
                throw new MalformedException("an open job is not a job assignment");
            }
        }
        int d = r.u32("deleted datasets");
        if (d > 10_000_000) {
            throw new MalformedException(d + " deleted datasets");
        }
        for (int i = 0; i < d; i++) {
            deleted.add(r.u64("deleted dataset"));
        }
        assigned.forEach(this::onAssigned);
        egress.clear(); // a failure at re-check was signed before the checkpoint already
    }
}
