package cloister.chain.runtime.datamarket;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.registry.ClusterRecord;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.chain.runtime.storage.StorageMarket;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.DataMarketCall;
import cloister.proto.DispatchError;
import cloister.proto.Event;
import cloister.proto.InboundMessage;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code datamarket} runtime module (state prefix 0x05): W3A's public half. The chain holds what everyone may
 * see and must agree on — datasets' metadata (never their records), listings with prices and privacy policies,
 * consent (grants, standing policies, approvals), jobs with their escrowed payments, the ε each dataset has spent,
 * payouts, and the audit log of finished jobs. The private half — opening the escrowed data keys, running the SQL,
 * the output guards and the noise — happens in the enclave of the worker a job is assigned to, which answers with a
 * signed {@link WorkerMessage.JobResult} or {@link WorkerMessage.JobFailed}.
 *
 * <p>Consent is public on purpose: anyone can audit that every use of a dataset was consented to and paid for.
 *
 * <p>A job's life: <em>submitted</em> (budget escrowed; each dataset consented by a matching grant or standing
 * policy, or pending) → <em>awaiting consent</em> until every pending owner decided or the consent deadline passed →
 * <em>running</em> on the consenting datasets (re-checked at start: a grant revoked or expired, a dataset deleted or
 * out of ε budget drops out; ε is reserved now) → <em>done</em> (every contributing owner paid their price, the
 * worker's operator the job fee, the rest refunded) | <em>failed</em> (refunded; ε given back only if the worker
 * read no data) | <em>cancelled</em> (refunded: no consent, too few owners for the policy's k, the buyer withdrew).
 * A running job the worker does not answer within {@link #JOB_TIME_LIMIT_BLOCKS} blocks fails and is refunded;
 * a job is settled exactly once, so it is never paid twice.
 */
public final class DataMarket {
    private static final byte[] COUNTERS = {0x05, 0x01};
    private static final byte[] DATASET = {0x05, 0x10};
    private static final byte[] DATASET_NAME = {0x05, 0x11};
    private static final byte[] OWNER_DATASETS = {0x05, 0x12};
    private static final byte[] JOB = {0x05, 0x20};
    private static final byte[] OPEN_JOBS = {0x05, 0x21};
    private static final byte[] EARNINGS = {0x05, 0x30};

    /** Job payments wait here. Nobody holds its key: it is a hash, not a key pair. */
    public static final AccountId ESCROW = AccountId.of(Sha256.digest("cloister/datamarket-escrow".getBytes(StandardCharsets.US_ASCII)));
    /** What the worker's operator earns for running a job (0.01 CLO). */
    public static final long JOB_FEE = Tokens.UNITS_PER_TOKEN / 100;
    /** Blocks a running job's worker has to answer before the job fails and is refunded. */
    public static final int JOB_TIME_LIMIT_BLOCKS = 120;
    /** The consent window when the buyer gives none, and the longest allowed. */
    public static final int DEFAULT_CONSENT_BLOCKS = 20;
    public static final int MAX_CONSENT_BLOCKS = 100_000;
    /** The most grants one dataset keeps (revoked ones included), and batches. */
    public static final int MAX_GRANTS = 256;
    public static final int MAX_BATCHES = 10_000;
    /** Maximum rows one owner contributes per group when the listing says 0. */
    public static final int DEFAULT_MAX_ROWS_PER_OWNER = 1;

    private DataMarket() {}

    // ---------------------------------------------------------------- records

    /** A stored batch of records: the storage file (manifest CID digest), rows, stored size and the escrowed data key. */
    public record Batch(Hash file, long rows, long size, byte[] escrowKey) {
        public Batch {
            escrowKey = escrowKey.clone();
        }

        @Override
        public byte[] escrowKey() {
            return escrowKey.clone();
        }
    }

    /** A grant of use (see {@link DataMarketCall.Grant}); {@code uses} counts the jobs that started with it. */
    public record Grant(int index, AccountId buyer, int purposes, Hash algorithm, long price, long expiresAt, int maxUses, int uses,
                        boolean revoked) {
        /** Whether it consents to {@code buyer}'s job for {@code purpose} running {@code sqlHash} at block {@code height}. */
        public boolean covers(AccountId jobBuyer, int purpose, Hash sqlHash, long height) {
            return !revoked && (buyer.equals(DataMarketCall.ANY_BUYER) || buyer.equals(jobBuyer)) && (purposes & (1 << purpose)) != 0
                    && (algorithm.equals(DataMarketCall.ANY_AGGREGATE) || algorithm.equals(sqlHash)) && usable(height);
        }

        /** Not revoked, not expired, uses left. */
        public boolean usable(long height) {
            return !revoked && (expiresAt == 0 || height <= expiresAt) && (maxUses == 0 || uses < maxUses);
        }

        Grant withUses(int n) {
            return new Grant(index, buyer, purposes, algorithm, price, expiresAt, maxUses, n, revoked);
        }

        Grant revoke() {
            return new Grant(index, buyer, purposes, algorithm, price, expiresAt, maxUses, uses, true);
        }
    }

    /** A standing consent policy: any job for a purpose in the mask paying at least {@code minPrice}. */
    public record Policy(int purposes, long minPrice) {}

    /**
     * A dataset: public metadata, its batches, market listing, consent, the ε it has spent (micro-ε), what its owner
     * earned from it, and deletion (block, the worker designated to sign the receipt, and the signed receipt).
     */
    public record Dataset(long id, AccountId owner, String name, byte[] schema, Hash schemaHash, int cluster, long createdAt,
                          List<Batch> batches, Optional<DataMarketCall.Listing> listing, Optional<Policy> policy, List<Grant> grants,
                          long epsilonSpent, long earned, long uses, long deletedAt, Optional<WorkerId> receiptWorker,
                          byte[] receipt) {
        public Dataset {
            schema = schema.clone();
            batches = List.copyOf(batches);
            grants = List.copyOf(grants);
            receipt = receipt.clone();
        }

        @Override
        public byte[] schema() {
            return schema.clone();
        }

        @Override
        public byte[] receipt() {
            return receipt.clone();
        }

        public boolean deleted() {
            return deletedAt > 0;
        }

        public long rows() {
            long n = 0;
            for (Batch b : batches) {
                n += b.rows();
            }
            return n;
        }

        public long size() {
            long n = 0;
            for (Batch b : batches) {
                n += b.size();
            }
            return n;
        }

        /** The listing's price for one use: per use + per row × rows (0 if not listed). */
        public long listPrice() {
            if (listing.isEmpty()) {
                return 0;
            }
            try {
                return Math.addExact(listing.get().pricePerUse(), Math.multiplyExact(listing.get().pricePerRow(), rows()));
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }

        public long epsilonLeft() {
            return listing.map(l -> Math.max(0, l.epsilonTotal() - epsilonSpent)).orElse(0L);
        }

        Builder edit() {
            return new Builder(this);
        }

        byte[] encode() {
            CanonicalWriter w = new CanonicalWriter(512).u64(id).account(owner).string(name).bytes(schema).hash(schemaHash).u32(cluster)
                    .u64(createdAt).u32(batches.size());
            batches.forEach(b -> w.hash(b.file()).u64(b.rows()).u64(b.size()).bytes(b.escrowKey));
            w.bool(listing.isPresent());
            listing.ifPresent(l -> w.fixed(l.encode()));
            w.bool(policy.isPresent());
            policy.ifPresent(p -> w.u32(p.purposes()).u64(p.minPrice()));
            w.u32(grants.size());
            grants.forEach(g -> w.account(g.buyer()).u32(g.purposes()).hash(g.algorithm()).u64(g.price()).u64(g.expiresAt()).u32(g.maxUses())
                    .u32(g.uses()).bool(g.revoked()));
            w.u64(epsilonSpent).u64(earned).u64(uses).u64(deletedAt).bool(receiptWorker.isPresent());
            receiptWorker.ifPresent(x -> w.fixed(x.bytes()));
            w.bytes(receipt);
            return w.toByteArray();
        }

        static Dataset decode(byte[] v) {
            CanonicalReader r = new CanonicalReader(v);
            long id = r.u64("id");
            AccountId owner = r.account("owner");
            String name = r.string(DataMarketCall.MAX_NAME, "name");
            byte[] schema = r.bytes(DataMarketCall.MAX_SCHEMA, "schema");
            Hash schemaHash = r.hash("schema hash");
            int cluster = r.u32("cluster");
            long created = r.u64("created");
            int nb = r.u32("batches");
            List<Batch> batches = new ArrayList<>(nb);
            for (int i = 0; i < nb; i++) {
                batches.add(new Batch(r.hash("file"), r.u64("rows"), r.u64("size"), r.bytes(DataMarketCall.MAX_WRAPPED_KEY, "escrow key")));
            }
            Optional<DataMarketCall.Listing> listing = r.bool("listed") ? Optional.of(DataMarketCall.Listing.read(r)) : Optional.empty();
            Optional<Policy> policy = r.bool("policy") ? Optional.of(new Policy(r.u32("purposes"), r.u64("min price"))) : Optional.empty();
            int ng = r.u32("grants");
            List<Grant> grants = new ArrayList<>(ng);
            for (int i = 0; i < ng; i++) {
                grants.add(new Grant(i, r.account("buyer"), r.u32("purposes"), r.hash("algorithm"), r.u64("price"), r.u64("expires"),
                        r.u32("max uses"), r.u32("uses"), r.bool("revoked")));
            }
            long spent = r.u64("epsilon spent");
            long earned = r.u64("earned");
            long uses = r.u64("uses");
            long deletedAt = r.u64("deleted at");
            Optional<WorkerId> receiptWorker = r.bool("receipt worker") ? Optional.of(WorkerId.of(r.fixed(32, "receipt worker"))) : Optional.empty();
            byte[] receipt = r.bytes(4096, "receipt");
            return new Dataset(id, owner, name, schema, schemaHash, cluster, created, batches, listing, policy, grants, spent, earned, uses,
                    deletedAt, receiptWorker, receipt);
        }
    }

    /** A mutable copy of a dataset, for the few fields calls change. */
    static final class Builder {
        final Dataset d;
        List<Batch> batches;
        Optional<DataMarketCall.Listing> listing;
        Optional<Policy> policy;
        List<Grant> grants;
        long epsilonSpent;
        long earned;
        long uses;
        long deletedAt;
        Optional<WorkerId> receiptWorker;
        byte[] receipt;

        Builder(Dataset d) {
            this.d = d;
            batches = new ArrayList<>(d.batches());
            listing = d.listing();
            policy = d.policy();
            grants = new ArrayList<>(d.grants());
            epsilonSpent = d.epsilonSpent();
            earned = d.earned();
            uses = d.uses();
            deletedAt = d.deletedAt();
            receiptWorker = d.receiptWorker();
            receipt = d.receipt();
        }

        Dataset build() {
            return new Dataset(d.id(), d.owner(), d.name(), d.schema(), d.schemaHash(), d.cluster(), d.createdAt(), batches, listing, policy,
                    grants, epsilonSpent, earned, uses, deletedAt, receiptWorker, receipt);
        }
    }

    /** How a dataset stands in a job. */
    public enum EntryState {
        /** The owner has not decided yet. */
        PENDING,
        /** Consented: by a grant, by the standing policy, or by the owner's approval. */
        CONSENTED,
        DECLINED,
        /** Consented, but dropped when the job started (grant revoked or expired, dataset deleted, ε budget spent). */
        DROPPED,
        /** The owner did not decide before the consent deadline. */
        EXPIRED,
        /** Used by the job (it started with this dataset). */
        USED
    }

    /** One dataset of a job: its state, the price its owner is paid if used, how it consented, and a note in plain words. */
    public record JobEntry(long dataset, AccountId owner, EntryState state, long price, String how, String note) {
        /** The grant this entry consented by ({@code how} = "grant N"), or -1. */
        int grantIndex() {
            return how.startsWith("grant ") ? Integer.parseInt(how.substring(6)) : -1;
        }

        JobEntry with(EntryState s, String newNote) {
            return new JobEntry(dataset, owner, s, price, how, newNote);
        }
    }

    public enum JobState {
        AWAITING_CONSENT, RUNNING, DONE, FAILED, CANCELLED;

        public boolean open() {
            return this == AWAITING_CONSENT || this == RUNNING;
        }

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * A job and, once it ended, its audit record: buyer, purpose, SQL (public) and its hash, ε per dataset, the budget
     * escrowed, deadlines, datasets with their consent, the assigned worker, the result (hash and ciphertext for the
     * buyer; owners and rows counted) or the reason it failed, and what was paid and refunded.
     */
    public record Job(long id, AccountId buyer, int purpose, String sql, Hash sqlHash, Hash schemaHash, long epsilon, long budget,
                      long submittedAt, long consentDeadline, byte[] resultKey, List<JobEntry> entries, JobState state,
                      Optional<WorkerId> worker, long startedAt, long endedAt, Hash resultHash, byte[] sealedResult, int owners, long rows,
                      String reason, long paid, long refund) {
        public Job {
            resultKey = resultKey.clone();
            entries = List.copyOf(entries);
            sealedResult = sealedResult.clone();
        }

        @Override
        public byte[] resultKey() {
            return resultKey.clone();
        }

        @Override
        public byte[] sealedResult() {
            return sealedResult.clone();
        }

        public String purposeWord() {
            return purpose < DataMarketCall.PURPOSES.size() ? DataMarketCall.PURPOSES.get(purpose) : "?";
        }

        Job with(List<JobEntry> newEntries, JobState newState) {
            return new Job(id, buyer, purpose, sql, sqlHash, schemaHash, epsilon, budget, submittedAt, consentDeadline, resultKey, newEntries,
                    newState, worker, startedAt, endedAt, resultHash, sealedResult, owners, rows, reason, paid, refund);
        }

        Job started(List<JobEntry> newEntries, WorkerId w, long height) {
            return new Job(id, buyer, purpose, sql, sqlHash, schemaHash, epsilon, budget, submittedAt, consentDeadline, resultKey, newEntries,
                    JobState.RUNNING, Optional.of(w), height, endedAt, resultHash, sealedResult, owners, rows, reason, paid, refund);
        }

        Job ended(JobState s, long height, String why, long paidOut, long refunded, Hash rHash, byte[] sealed, int nOwners, long nRows,
                  List<JobEntry> newEntries) {
            return new Job(id, buyer, purpose, sql, sqlHash, schemaHash, epsilon, budget, submittedAt, consentDeadline, resultKey, newEntries, s,
                    worker, startedAt, height, rHash, sealed, nOwners, nRows, why, paidOut, refunded);
        }

        byte[] encode() {
            CanonicalWriter w = new CanonicalWriter(512 + 96 * entries.size()).u64(id).account(buyer).u8(purpose).string(sql).hash(sqlHash)
                    .hash(schemaHash).u64(epsilon).u64(budget).u64(submittedAt).u64(consentDeadline).fixed(resultKey).u32(entries.size());
            entries.forEach(e -> w.u64(e.dataset()).account(e.owner()).u8(e.state().ordinal()).u64(e.price()).string(e.how()).string(e.note()));
            w.u8(state.ordinal()).bool(worker.isPresent());
            worker.ifPresent(x -> w.fixed(x.bytes()));
            w.u64(startedAt).u64(endedAt).hash(resultHash).bytes(sealedResult).u32(owners).u64(rows).string(reason).u64(paid).u64(refund);
            return w.toByteArray();
        }

        static Job decode(byte[] v) {
            CanonicalReader r = new CanonicalReader(v);
            long id = r.u64("id");
            AccountId buyer = r.account("buyer");
            int purpose = r.u8("purpose");
            String sql = r.string(DataMarketCall.MAX_SQL, "sql");
            Hash sqlHash = r.hash("sql hash");
            Hash schemaHash = r.hash("schema hash");
            long epsilon = r.u64("epsilon");
            long budget = r.u64("budget");
            long submitted = r.u64("submitted");
            long deadline = r.u64("deadline");
            byte[] resultKey = r.fixed(DataMarketCall.RESULT_KEY_LENGTH, "result key");
            int n = r.u32("entries");
            List<JobEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                entries.add(new JobEntry(r.u64("dataset"), r.account("owner"), EntryState.values()[r.u8("entry state")], r.u64("price"),
                        r.string(64, "how"), r.string(1024, "note")));
            }
            JobState state = JobState.values()[r.u8("state")];
            Optional<WorkerId> worker = r.bool("worker") ? Optional.of(WorkerId.of(r.fixed(32, "worker"))) : Optional.empty();
            return new Job(id, buyer, purpose, sql, sqlHash, schemaHash, epsilon, budget, submitted, deadline, resultKey, entries, state, worker,
                    r.u64("started"), r.u64("ended"), r.hash("result hash"), r.bytes(WorkerMessage.JobResult.MAX_RESULT, "sealed result"),
                    r.u32("owners"), r.u64("rows"), r.string(2048, "reason"), r.u64("paid"), r.u64("refund"));
        }
    }

    // ---------------------------------------------------------------- reads

    /** The number the next dataset will get (datasets are 1 … next − 1). */
    public static long nextDataset(StateReader s) {
        return counters(s)[0];
    }

    public static long nextJob(StateReader s) {
        return counters(s)[1];
    }

    public static Optional<Dataset> dataset(StateReader s, long id) {
        byte[] v = s.get(idKey(DATASET, id));
        return v == null ? Optional.empty() : Optional.of(Dataset.decode(v));
    }

    /** The dataset {@code owner} registered as {@code name}. */
    public static Optional<Dataset> dataset(StateReader s, AccountId owner, String name) {
        byte[] v = s.get(nameKey(owner, name));
        return v == null ? Optional.empty() : dataset(s, ByteBuffer.wrap(v).getLong());
    }

    /** {@code owner}'s datasets, in registration order (deleted ones included). */
    public static List<Long> datasetsOf(StateReader s, AccountId owner) {
        return readIds(s, concat(OWNER_DATASETS, owner.bytes()));
    }

    public static Optional<Job> job(StateReader s, long id) {
        byte[] v = s.get(idKey(JOB, id));
        return v == null ? Optional.empty() : Optional.of(Job.decode(v));
    }

    /** Jobs awaiting consent or running, oldest first. */
    public static List<Long> openJobs(StateReader s) {
        return readIds(s, OPEN_JOBS);
    }

    /** Everything {@code owner} has been paid for the use of their datasets. */
    public static long earnings(StateReader s, AccountId owner) {
        byte[] v = s.get(concat(EARNINGS, owner.bytes()));
        return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }

    // ---------------------------------------------------------------- calls

    public static DispatchOutcome dispatch(BlockState s, AccountId sender, DataMarketCall call) {
        return switch (call) {
            case DataMarketCall.RegisterDataset d -> register(s, sender, d);
            case DataMarketCall.AddBatch b -> addBatch(s, sender, b);
            case DataMarketCall.SetListing l -> setListing(s, sender, l);
            case DataMarketCall.Unlist u -> owned(s, sender, u.dataset(), true).map(d -> {
                Builder b = d.edit();
                b.listing = Optional.empty();
                putDataset(s, b.build());
                return DispatchOutcome.OK;
            });
            case DataMarketCall.Grant g -> grant(s, sender, g);
            case DataMarketCall.Revoke r -> owned(s, sender, r.dataset(), false).map(d -> {
                if (r.grant() < 0 || r.grant() >= d.grants().size()) {
                    return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "dataset " + d.id() + " has no grant " + r.grant()
                            + " (it has " + d.grants().size() + ")");
                }
                Builder b = d.edit();
                b.grants.set(r.grant(), d.grants().get(r.grant()).revoke());
                putDataset(s, b.build());
                return DispatchOutcome.OK;
            });
            case DataMarketCall.SetPolicy p -> owned(s, sender, p.dataset(), true).map(d -> {
                if ((p.purposes() & ~DataMarketCall.ALL_PURPOSES) != 0) {
                    return DispatchOutcome.fail(DispatchError.PURPOSE_NOT_ACCEPTED, "unknown purpose bits in the policy");
                }
                Builder b = d.edit();
                b.policy = p.purposes() == 0 ? Optional.empty() : Optional.of(new Policy(p.purposes(), p.minPrice()));
                putDataset(s, b.build());
                return DispatchOutcome.OK;
            });
            case DataMarketCall.DeleteDataset x -> delete(s, sender, x.dataset());
            case DataMarketCall.SubmitJob j -> submit(s, sender, j);
            case DataMarketCall.Decide d -> decide(s, sender, d);
            case DataMarketCall.CancelJob c -> cancelJob(s, sender, c.job());
        };
    }

    /** The sender's own dataset (not deleted if {@code live}), or why not. */
    private static Checked<Dataset> owned(StateReader s, AccountId sender, long id, boolean live) {
        Optional<Dataset> d = dataset(s, id);
        if (d.isEmpty()) {
            return Checked.fail(DispatchError.UNKNOWN_DATASET, "no dataset " + id);
        }
        if (!d.get().owner().equals(sender)) {
            return Checked.fail(DispatchError.NOT_OWNER, "dataset " + id + " belongs to " + d.get().owner().address());
        }
        if (live && d.get().deleted()) {
            return Checked.fail(DispatchError.DATASET_DELETED, "dataset " + id + " was deleted at block " + d.get().deletedAt());
        }
        return new Checked<>(d.get(), null);
    }

    /** A dataset or job a call may act on, or why it may not. */
    private record Checked<T>(T value, DispatchOutcome failure) {
        static <T> Checked<T> fail(DispatchError e, String message) {
            return new Checked<>(null, DispatchOutcome.fail(e, message));
        }

        DispatchOutcome map(java.util.function.Function<T, DispatchOutcome> f) {
            return failure != null ? failure : f.apply(value);
        }
    }

    private static DispatchOutcome register(BlockState s, AccountId sender, DataMarketCall.RegisterDataset d) {
        if (d.datasetName().isBlank() || !d.datasetName().equals(d.datasetName().strip()) || d.datasetName().chars().anyMatch(Character::isISOControl)) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a dataset name is non-empty text without control characters or outer spaces");
        }
        if (d.schema().length == 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a dataset needs a schema");
        }
        if (s.get(nameKey(sender, d.datasetName())) != null) {
            return DispatchOutcome.fail(DispatchError.DUPLICATE, "you already have a dataset named '" + d.datasetName() + "': append to it instead");
        }
        Optional<ClusterRecord> cluster = Registry.cluster(s, d.cluster());
        if (cluster.isEmpty() || cluster.get().publicKey().isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_CLUSTER, "cluster " + d.cluster()
                    + (cluster.isEmpty() ? " does not exist" : " has no published key yet") + ": data keys are escrowed to a cluster's key");
        }
        long[] c = counters(s);
        long id = c[0];
        Dataset ds = new Dataset(id, sender, d.datasetName(), d.schema(), DataMarketCall.schemaHash(d.schema()), d.cluster(), s.height(), List.of(), Optional.empty(),
                Optional.empty(), List.of(), 0, 0, 0, 0, Optional.empty(), new byte[0]);
        putDataset(s, ds);
        s.put(nameKey(sender, d.datasetName()), ByteBuffer.allocate(8).putLong(id).array());
        List<Long> mine = datasetsOf(s, sender);
        mine.add(id);
        writeIds(s, concat(OWNER_DATASETS, sender.bytes()), mine);
        writeCounters(s, id + 1, c[1]);
        s.emit(new Event.DatasetRegistered(id, sender, d.datasetName()));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome addBatch(BlockState s, AccountId sender, DataMarketCall.AddBatch a) {
        return owned(s, sender, a.dataset(), true).map(d -> {
            if (a.rows() <= 0) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a batch has at least one record");
            }
            if (a.escrowKey().length == 0) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a batch carries its data key wrapped to the escrow cluster");
            }
            if (d.batches().size() >= MAX_BATCHES) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a dataset has at most " + MAX_BATCHES + " batches");
            }
            for (Batch b : d.batches()) {
                if (b.file().equals(a.file())) {
                    return DispatchOutcome.fail(DispatchError.DUPLICATE, "this file is already a batch of dataset " + d.id());
                }
            }
            Builder b = d.edit();
            b.batches.add(new Batch(a.file(), a.rows(), a.size(), a.escrowKey()));
            putDataset(s, b.build());
            return DispatchOutcome.OK;
        });
    }

    private static DispatchOutcome setListing(BlockState s, AccountId sender, DataMarketCall.SetListing l) {
        return owned(s, sender, l.dataset(), true).map(d -> {
            DataMarketCall.Listing x = l.listing();
            if (x.purposes() == 0 || (x.purposes() & ~DataMarketCall.ALL_PURPOSES) != 0) {
                return DispatchOutcome.fail(DispatchError.PURPOSE_NOT_ACCEPTED, "a listing accepts one or more of the purposes "
                        + DataMarketCall.PURPOSES);
            }
            if (x.minGroupOwners() < 2) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "the minimum group size k is at least 2");
            }
            if (x.epsilonCap() <= 0 || x.epsilonTotal() <= 0 || x.epsilonCap() > x.epsilonTotal()) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "ε per job must be positive and at most the total ε budget");
            }
            if (x.epsilonTotal() < d.epsilonSpent()) {
                return DispatchOutcome.fail(DispatchError.BUDGET_EXHAUSTED, "the total ε budget cannot go below what was already spent ("
                        + micro(d.epsilonSpent()) + ")");
            }
            if (d.batches().isEmpty()) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "dataset " + d.id() + " has no records yet: collect some before listing it");
            }
            // A preview is noisy statistics of the records: a new one spends its share of the budget (the same one again spends nothing).
            boolean newPreview = x.preview().length > 0
                    && !(d.listing().isPresent() && Arrays.equals(d.listing().get().preview(), x.preview()));
            long previewCost = newPreview ? DataMarketCall.previewEpsilon(x.epsilonTotal()) : 0;
            if (d.epsilonSpent() + previewCost > x.epsilonTotal()) {
                return DispatchOutcome.fail(DispatchError.BUDGET_EXHAUSTED, "the preview spends ε " + micro(previewCost) + " and only "
                        + micro(x.epsilonTotal() - d.epsilonSpent()) + " of the budget " + micro(x.epsilonTotal()) + " is left");
            }
            Builder b = d.edit();
            b.epsilonSpent += previewCost;
            b.listing = Optional.of(x);
            putDataset(s, b.build());
            return DispatchOutcome.OK;
        });
    }

    private static DispatchOutcome grant(BlockState s, AccountId sender, DataMarketCall.Grant g) {
        return owned(s, sender, g.dataset(), true).map(d -> {
            if (g.purposes() == 0 || (g.purposes() & ~DataMarketCall.ALL_PURPOSES) != 0) {
                return DispatchOutcome.fail(DispatchError.PURPOSE_NOT_ACCEPTED, "a grant names one or more of the purposes " + DataMarketCall.PURPOSES);
            }
            if (g.buyer().equals(sender)) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "an owner does not need a grant for their own dataset");
            }
            if (g.expiresAt() != 0 && g.expiresAt() <= s.height()) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "the grant would expire at block " + g.expiresAt()
                        + ", which has passed (head " + s.height() + ")");
            }
            if (d.grants().size() >= MAX_GRANTS) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a dataset keeps at most " + MAX_GRANTS + " grants");
            }
            Builder b = d.edit();
            int index = d.grants().size();
            b.grants.add(new Grant(index, g.buyer(), g.purposes(), g.algorithm(), g.price(), g.expiresAt(), g.maxUses(), 0, false));
            putDataset(s, b.build());
            s.emit(new Event.GrantAdded(d.id(), index));
            return DispatchOutcome.OK;
        });
    }

    private static DispatchOutcome delete(BlockState s, AccountId sender, long id) {
        return owned(s, sender, id, true).map(d -> {
            Builder b = d.edit();
            b.deletedAt = s.height();
            b.listing = Optional.empty();
            b.policy = Optional.empty();
            Optional<WorkerId> receiptWorker = pickWorker(s, d.cluster(), Sha256.hash("cloister/w3a/receipt".getBytes(StandardCharsets.US_ASCII),
                    ByteBuffer.allocate(8).putLong(id).array()));
            b.receiptWorker = receiptWorker;
            putDataset(s, b.build());
            int cancelled = 0;
            for (Batch batch : d.batches()) {
                if (StorageMarket.cancelFor(s, sender, batch.file(), "dataset " + id + " deleted")) {
                    cancelled++;
                }
            }
            receiptWorker.ifPresent(w -> s.send(new InboundMessage.DatasetDeleted(id, w)));
            s.emit(new Event.DatasetDeleted(id, cancelled));
            return DispatchOutcome.OK;
        });
    }

    // ---------------------------------------------------------------- jobs

    private static DispatchOutcome submit(BlockState s, AccountId buyer, DataMarketCall.SubmitJob j) {
        if (j.purpose() >= DataMarketCall.PURPOSES.size()) {
            return DispatchOutcome.fail(DispatchError.PURPOSE_NOT_ACCEPTED, "purpose " + j.purpose() + " is not on the list " + DataMarketCall.PURPOSES);
        }
        if (j.sql().isBlank()) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a job needs a SQL query");
        }
        if (j.epsilon() <= 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a job spends a positive ε");
        }
        if (j.consentBlocks() > MAX_CONSENT_BLOCKS) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "owners are given at most " + MAX_CONSENT_BLOCKS + " blocks to decide");
        }
        String purpose = DataMarketCall.PURPOSES.get(j.purpose());
        List<Dataset> chosen = new ArrayList<>();
        if (!j.datasets().isEmpty()) {
            Set<Long> seen = new HashSet<>();
            for (long id : j.datasets()) {
                if (!seen.add(id)) {
                    return DispatchOutcome.fail(DispatchError.DUPLICATE, "dataset " + id + " is named twice");
                }
                Optional<Dataset> d = dataset(s, id);
                if (d.isEmpty()) {
                    return DispatchOutcome.fail(DispatchError.UNKNOWN_DATASET, "no dataset " + id);
                }
                String why = ineligible(d.get(), j.purpose(), j.epsilon());
                if (why != null) {
                    return DispatchOutcome.fail(reasonOf(d.get(), j.purpose(), j.epsilon()), "dataset " + id + ": " + why);
                }
                chosen.add(d.get());
            }
        } else {
            if (j.schema().equals(Hash.ZERO)) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "name the datasets, or a schema to use every listed dataset with it");
            }
            long next = nextDataset(s);
            int skippedBudget = 0;
            for (long id = 1; id < next && chosen.size() < DataMarketCall.MAX_JOB_DATASETS; id++) {
                Optional<Dataset> d = dataset(s, id);
                if (d.isPresent() && d.get().schemaHash().equals(j.schema())) {
                    if (ineligible(d.get(), j.purpose(), j.epsilon()) == null) {
                        chosen.add(d.get());
                    } else if (reasonOf(d.get(), j.purpose(), j.epsilon()) == DispatchError.BUDGET_EXHAUSTED) {
                        skippedBudget++;
                    }
                }
            }
            if (chosen.isEmpty()) {
                return DispatchOutcome.fail(skippedBudget > 0 ? DispatchError.BUDGET_EXHAUSTED : DispatchError.NOT_LISTED,
                        "no listed dataset with that schema accepts '" + purpose + "' jobs"
                                + (skippedBudget > 0 ? " with ε " + micro(j.epsilon()) + " (" + skippedBudget + " have spent their ε budget)" : ""));
            }
        }
        Hash schema = chosen.get(0).schemaHash();
        int cluster = chosen.get(0).cluster();
        for (Dataset d : chosen) {
            if (!d.schemaHash().equals(schema)) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "datasets " + chosen.get(0).id() + " and " + d.id()
                        + " have different schemas: a job analyses datasets of one schema");
            }
            if (d.cluster() != cluster) {
                return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "datasets " + chosen.get(0).id() + " and " + d.id()
                        + " are escrowed to different clusters: a job runs in one");
            }
        }
        Hash sqlHash = Sha256.hash(j.sql().getBytes(StandardCharsets.UTF_8));
        List<JobEntry> entries = new ArrayList<>(chosen.size());
        long total = JOB_FEE;
        int consented = 0;
        for (Dataset d : chosen) {
            JobEntry e = consent(d, buyer, j.purpose(), sqlHash, s.height());
            entries.add(e);
            if (e.state() == EntryState.CONSENTED) {
                consented++;
            }
            try {
                total = Math.addExact(total, e.price());
            } catch (ArithmeticException x) {
                return DispatchOutcome.fail(DispatchError.OVERFLOW, "the datasets' prices overflow");
            }
        }
        if (j.budget() < total) {
            return DispatchOutcome.fail(DispatchError.INSUFFICIENT_PAYMENT, "the job's budget " + Tokens.display(j.budget()) + " does not cover "
                    + Tokens.display(total) + ": the owners' prices " + Tokens.display(total - JOB_FEE) + " and the worker's fee "
                    + Tokens.display(JOB_FEE));
        }
        long balance = Balances.account(s, buyer).balance();
        if (balance < j.budget()) {
            return DispatchOutcome.fail(DispatchError.INSUFFICIENT_BALANCE, "the job escrows its budget " + Tokens.display(j.budget())
                    + "; the balance is " + Tokens.display(balance));
        }
        DispatchOutcome moved = Balances.move(s, buyer, ESCROW, j.budget());
        if (!moved.ok()) {
            return moved;
        }
        long[] c = counters(s);
        long id = c[1];
        writeCounters(s, c[0], id + 1);
        int window = j.consentBlocks() == 0 ? DEFAULT_CONSENT_BLOCKS : j.consentBlocks();
        Job job = new Job(id, buyer, j.purpose(), j.sql(), sqlHash, schema, j.epsilon(), j.budget(), s.height(), s.height() + window,
                j.resultKey(), entries, JobState.AWAITING_CONSENT, Optional.empty(), 0, 0, Hash.ZERO, new byte[0], 0, 0, "", 0, 0);
        List<Long> open = openJobs(s);
        open.add(id);
        writeIds(s, OPEN_JOBS, open);
        s.emit(new Event.JobSubmitted(id, buyer, entries.size(), consented));
        if (consented == entries.size()) {
            start(s, job);
        } else {
            putJob(s, job);
        }
        return DispatchOutcome.OK;
    }

    /** Why {@code d} cannot take part in a job for {@code purpose} spending {@code epsilon}, or null. */
    private static String ineligible(Dataset d, int purpose, long epsilon) {
        if (d.deleted()) {
            return "it was deleted by its owner";
        }
        if (d.listing().isEmpty()) {
            return "it is not listed on the market";
        }
        DataMarketCall.Listing l = d.listing().get();
        if ((l.purposes() & (1 << purpose)) == 0) {
            return "its owner does not accept '" + DataMarketCall.PURPOSES.get(purpose) + "' jobs (accepted: "
                    + String.join(", ", DataMarketCall.purposes(l.purposes())) + ")";
        }
        if (epsilon > l.epsilonCap()) {
            return "a job may spend at most ε " + micro(l.epsilonCap()) + " on it, not " + micro(epsilon);
        }
        if (d.epsilonSpent() + epsilon > l.epsilonTotal()) {
            return "its ε budget is exhausted: " + micro(d.epsilonLeft()) + " of " + micro(l.epsilonTotal()) + " left, the job needs "
                    + micro(epsilon);
        }
        return null;
    }

    private static DispatchError reasonOf(Dataset d, int purpose, long epsilon) {
        if (d.deleted()) {
            return DispatchError.DATASET_DELETED;
        }
        if (d.listing().isEmpty()) {
            return DispatchError.NOT_LISTED;
        }
        if ((d.listing().get().purposes() & (1 << purpose)) == 0) {
            return DispatchError.PURPOSE_NOT_ACCEPTED;
        }
        return DispatchError.BUDGET_EXHAUSTED;
    }

    /** How {@code d} consents to a job: the first matching grant, else its standing policy, else pending. */
    private static JobEntry consent(Dataset d, AccountId buyer, int purpose, Hash sqlHash, long height) {
        long list = d.listPrice();
        if (d.owner().equals(buyer)) {
            return new JobEntry(d.id(), d.owner(), EntryState.CONSENTED, 0, "own", "the buyer's own dataset");
        }
        for (Grant g : d.grants()) {
            if (g.covers(buyer, purpose, sqlHash, height)) {
                return new JobEntry(d.id(), d.owner(), EntryState.CONSENTED, g.price(), "grant " + g.index(), "");
            }
        }
        if (d.policy().isPresent() && (d.policy().get().purposes() & (1 << purpose)) != 0 && list >= d.policy().get().minPrice()) {
            return new JobEntry(d.id(), d.owner(), EntryState.CONSENTED, list, "policy", "");
        }
        return new JobEntry(d.id(), d.owner(), EntryState.PENDING, list, "", "waiting for the owner");
    }

    private static DispatchOutcome decide(BlockState s, AccountId sender, DataMarketCall.Decide d) {
        Optional<Job> found = job(s, d.job());
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_JOB, "no job " + d.job());
        }
        Job job = found.get();
        if (job.state() != JobState.AWAITING_CONSENT) {
            return DispatchOutcome.fail(DispatchError.WRONG_JOB_STATE, "job " + job.id() + " is " + job.state().word() + ": it no longer takes decisions");
        }
        List<JobEntry> entries = new ArrayList<>(job.entries());
        int at = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).dataset() == d.dataset()) {
                at = i;
            }
        }
        if (at < 0) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_DATASET, "job " + job.id() + " does not ask for dataset " + d.dataset());
        }
        JobEntry e = entries.get(at);
        if (!e.owner().equals(sender)) {
            return DispatchOutcome.fail(DispatchError.NOT_OWNER, "only the owner of dataset " + d.dataset() + " decides on it");
        }
        if (e.state() != EntryState.PENDING) {
            return DispatchOutcome.fail(DispatchError.WRONG_JOB_STATE, "dataset " + d.dataset() + " is already " + e.state().name().toLowerCase(java.util.Locale.ROOT)
                    + " for job " + job.id());
        }
        entries.set(at, d.approve() ? new JobEntry(e.dataset(), e.owner(), EntryState.CONSENTED, e.price(), "approved", "")
                : e.with(EntryState.DECLINED, "declined by the owner"));
        Job updated = job.with(entries, JobState.AWAITING_CONSENT);
        if (entries.stream().noneMatch(x -> x.state() == EntryState.PENDING)) {
            start(s, updated);
        } else {
            putJob(s, updated);
        }
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome cancelJob(BlockState s, AccountId sender, long id) {
        Optional<Job> found = job(s, id);
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_JOB, "no job " + id);
        }
        if (!found.get().buyer().equals(sender)) {
            return DispatchOutcome.fail(DispatchError.NOT_OWNER, "only the buyer may withdraw job " + id);
        }
        if (found.get().state() != JobState.AWAITING_CONSENT) {
            return DispatchOutcome.fail(DispatchError.WRONG_JOB_STATE, "job " + id + " is " + found.get().state().word() + ": only a job awaiting consent can be withdrawn");
        }
        end(s, found.get(), JobState.CANCELLED, "withdrawn by the buyer", List.of(), found.get().entries());
        return DispatchOutcome.OK;
    }

    /**
     * Starts a job whose consent phase ended: re-checks every consented dataset (a grant revoked or expired since, a
     * dataset deleted or out of ε budget drops out), cancels if none is left or there are fewer owners than the
     * strictest k, else reserves ε, counts grant uses, assigns a worker of the datasets' cluster and sends it the job.
     */
    private static void start(BlockState s, Job job) {
        List<JobEntry> entries = new ArrayList<>();
        List<Dataset> using = new ArrayList<>();
        for (JobEntry e : job.entries()) {
            if (e.state() == EntryState.PENDING) {
                entries.add(e.with(EntryState.EXPIRED, "the owner did not decide before block " + job.consentDeadline()));
                continue;
            }
            if (e.state() != EntryState.CONSENTED) {
                entries.add(e);
                continue;
            }
            Dataset d = dataset(s, e.dataset()).orElseThrow();
            String why = ineligible(d, job.purpose(), job.epsilon());
            if (why == null && e.grantIndex() >= 0) {
                Grant g = d.grants().get(e.grantIndex());
                if (!g.usable(s.height())) {
                    why = g.revoked() ? "grant " + g.index() + " was revoked" : "grant " + g.index() + " expired or is used up";
                }
            }
            if (why != null) {
                entries.add(e.with(EntryState.DROPPED, why));
            } else {
                entries.add(e.with(EntryState.USED, ""));
                using.add(d);
            }
        }
        if (using.isEmpty()) {
            end(s, job, JobState.CANCELLED, "no owner consented", List.of(), entries);
            return;
        }
        int k = 2;
        int rowsCap = Integer.MAX_VALUE;
        Set<AccountId> owners = new HashSet<>();
        for (Dataset d : using) {
            owners.add(d.owner());
            if (d.listing().isPresent()) {
                k = Math.max(k, d.listing().get().minGroupOwners());
                int cap = d.listing().get().maxRowsPerOwner() == 0 ? DEFAULT_MAX_ROWS_PER_OWNER : d.listing().get().maxRowsPerOwner();
                rowsCap = Math.min(rowsCap, cap);
            }
        }
        if (rowsCap == Integer.MAX_VALUE) {
            rowsCap = DEFAULT_MAX_ROWS_PER_OWNER;
        }
        if (owners.size() < k) {
            entries = unused(entries);
            end(s, job, JobState.CANCELLED, owners.size() + " owner(s) consented, fewer than the minimum group size k = " + k
                    + " the datasets' privacy policy requires: no group could be released", List.of(), entries);
            return;
        }
        Optional<WorkerId> worker = pickWorker(s, using.get(0).cluster(),
                Sha256.hash("cloister/w3a/job".getBytes(StandardCharsets.US_ASCII), ByteBuffer.allocate(8).putLong(job.id()).array()));
        if (worker.isEmpty()) {
            entries = unused(entries);
            end(s, job, JobState.CANCELLED, "cluster " + using.get(0).cluster() + " has no worker to run the job", List.of(), entries);
            return;
        }
        List<InboundMessage.JobDataset> inputs = new ArrayList<>(using.size());
        for (Dataset d : using) {
            Builder b = d.edit();
            b.epsilonSpent += job.epsilon();
            for (JobEntry e : entries) {
                int gi = e.grantIndex();
                if (e.dataset() == d.id() && gi >= 0) {
                    b.grants.set(gi, b.grants.get(gi).withUses(b.grants.get(gi).uses() + 1));
                }
            }
            putDataset(s, b.build());
            List<InboundMessage.JobBatch> batches = new ArrayList<>(d.batches().size());
            d.batches().forEach(x -> batches.add(new InboundMessage.JobBatch(x.file(), x.rows(), x.size(), x.escrowKey())));
            inputs.add(new InboundMessage.JobDataset(d.id(), d.owner(), batches));
        }
        Job running = job.started(entries, worker.get(), s.height());
        putJob(s, running);
        s.send(new InboundMessage.JobAssigned(job.id(), worker.get(), job.purpose(), job.sql(), using.get(0).schema(), job.epsilon(), k, rowsCap,
                job.resultKey(), inputs));
        s.emit(new Event.JobStarted(job.id(), worker.get(), using.size()));
    }

    /** The entries of a job that is cancelled at start: "used" goes back to "consented". */
    private static List<JobEntry> unused(List<JobEntry> entries) {
        return entries.stream().map(e -> e.state() == EntryState.USED ? e.with(EntryState.CONSENTED, "") : e).toList();
    }

    /** Ends an open job: pays {@code payees} (dataset entries used) their price and the worker's operator the fee when done; refunds the rest. */
    private static void end(BlockState s, Job job, JobState state, String reason, List<JobEntry> payees, List<JobEntry> entries) {
        endWith(s, job, state, reason, payees, entries, Hash.ZERO, new byte[0], 0, 0);
    }

    private static void endWith(BlockState s, Job job, JobState state, String reason, List<JobEntry> payees, List<JobEntry> entries, Hash resultHash,
                                byte[] sealed, int owners, long rows) {
        long paid = 0;
        for (JobEntry e : payees) {
            if (e.price() > 0) {
                Balances.move(s, ESCROW, e.owner(), e.price());
                paid += e.price();
                byte[] key = concat(EARNINGS, e.owner().bytes());
                s.put(key, ByteBuffer.allocate(8).putLong(earnings(s, e.owner()) + e.price()).array());
            }
            Dataset d = dataset(s, e.dataset()).orElseThrow();
            Builder b = d.edit();
            b.earned += e.price();
            b.uses++;
            putDataset(s, b.build());
        }
        if (state == JobState.DONE && job.worker().isPresent()) {
            Optional<WorkerRecord> w = Registry.worker(s, job.worker().get());
            if (w.isPresent()) {
                Balances.move(s, ESCROW, w.get().info().operator(), JOB_FEE);
                paid += JOB_FEE;
            }
        }
        long refund = job.budget() - paid;
        if (refund > 0) {
            Balances.move(s, ESCROW, job.buyer(), refund);
        }
        putJob(s, job.ended(state, s.height(), reason, paid, refund, resultHash, sealed, owners, rows, entries));
        List<Long> open = openJobs(s);
        open.remove(job.id());
        writeIds(s, OPEN_JOBS, open);
        s.emit(new Event.JobEnded(job.id(), state.word(), reason, paid, refund));
    }

    /**
     * Block hook: consent deadlines (start with who consented) and running jobs past their time limit (fail, refund,
     * and tell the worker {@link InboundMessage.JobTimedOut}).
     */
    public static void onBlock(BlockState s) {
        for (long id : openJobs(s)) {
            Job job = job(s, id).orElseThrow();
            if (job.state() == JobState.AWAITING_CONSENT && s.height() >= job.consentDeadline()) {
                start(s, job);
            } else if (job.state() == JobState.RUNNING && s.height() >= job.startedAt() + JOB_TIME_LIMIT_BLOCKS) {
                end(s, job, JobState.FAILED, "the worker did not answer within " + JOB_TIME_LIMIT_BLOCKS + " blocks; the budget is refunded",
                        List.of(), job.entries());
                // The worker may still hold the job (it was down, or is slow): it must drop it, not publish a result later.
                s.send(new InboundMessage.JobTimedOut(job.id(), job.worker().orElseThrow()));
            }
        }
    }

    // ---------------------------------------------------------------- worker messages

    /** A job result, failure or deletion receipt from {@code from} (already authenticated, in sequence). */
    public static DispatchOutcome workerMessage(BlockState s, WorkerRecord from, SignedWorkerMessage signed) {
        WorkerId worker = from.info().identity();
        return switch (signed.message()) {
            case WorkerMessage.JobResult r -> assignedJob(s, worker, r.job()).map(job -> {
                List<JobEntry> payees = job.entries().stream().filter(e -> e.state() == EntryState.USED).toList();
                endWith(s, job, JobState.DONE, "", payees, job.entries(), r.resultHash(), r.sealedResult(), r.owners(), r.rows());
                return DispatchOutcome.OK;
            });
            case WorkerMessage.JobFailed f -> assignedJob(s, worker, f.job()).map(job -> {
                if (!f.dataRead()) {
                    for (JobEntry e : job.entries()) {
                        if (e.state() == EntryState.USED) {
                            Builder b = dataset(s, e.dataset()).orElseThrow().edit();
                            b.epsilonSpent -= job.epsilon();
                            int gi = e.grantIndex();
                            if (gi >= 0) {
                                b.grants.set(gi, b.grants.get(gi).withUses(b.grants.get(gi).uses() - 1));
                            }
                            putDataset(s, b.build());
                        }
                    }
                }
                end(s, job, JobState.FAILED, f.code() + ": " + f.message(), List.of(), job.entries());
                return DispatchOutcome.OK;
            });
            case WorkerMessage.DeletionReceipt r -> {
                Optional<Dataset> d = dataset(s, r.dataset());
                if (d.isEmpty() || !d.get().deleted() || d.get().deletedAt() != r.deletedAt()) {
                    yield DispatchOutcome.fail(DispatchError.UNKNOWN_DATASET, "no dataset " + r.dataset() + " deleted at block " + r.deletedAt());
                }
                if (!d.get().receiptWorker().equals(Optional.of(worker))) {
                    yield DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "worker " + worker.hex() + " was not asked for this receipt");
                }
                if (d.get().receipt().length > 0) {
                    yield DispatchOutcome.fail(DispatchError.DUPLICATE, "dataset " + r.dataset() + " already has its receipt");
                }
                Builder b = d.get().edit();
                b.receipt = signed.encode();
                putDataset(s, b.build());
                yield DispatchOutcome.OK;
            }
            default -> throw new IllegalArgumentException("not a datamarket message: " + signed.message().name());
        };
    }

    private static Checked<Job> assignedJob(StateReader s, WorkerId worker, long id) {
        Optional<Job> job = job(s, id);
        if (job.isEmpty()) {
            return Checked.fail(DispatchError.UNKNOWN_JOB, "no job " + id);
        }
        if (job.get().state() != JobState.RUNNING) {
            return Checked.fail(DispatchError.WRONG_JOB_STATE, "job " + id + " is " + job.get().state().word() + ": it takes no result");
        }
        if (!job.get().worker().equals(Optional.of(worker))) {
            return Checked.fail(DispatchError.BAD_ORIGIN, "job " + id + " is assigned to another worker");
        }
        return new Checked<>(job.get(), null);
    }

    // ---------------------------------------------------------------- helpers

    /** The worker of {@code cluster} first in the order of SHA-256(seed ‖ worker id): deterministic, not choosable. */
    private static Optional<WorkerId> pickWorker(StateReader s, int cluster, Hash seed) {
        Optional<ClusterRecord> c = Registry.cluster(s, cluster);
        if (c.isEmpty() || c.get().workers().isEmpty()) {
            return Optional.empty();
        }
        return c.get().workers().stream()
                .min(Comparator.comparing((WorkerId w) -> Sha256.hash(seed.bytes(), w.bytes())));
    }

    static String micro(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    private static long[] counters(StateReader s) {
        byte[] v = s.get(COUNTERS);
        if (v == null) {
            return new long[] {1, 1};
        }
        CanonicalReader r = new CanonicalReader(v);
        return new long[] {r.u64("next dataset"), r.u64("next job")};
    }

    private static void writeCounters(BlockState s, long nextDataset, long nextJob) {
        s.put(COUNTERS, new CanonicalWriter(16).u64(nextDataset).u64(nextJob).toByteArray());
    }

    private static void putDataset(BlockState s, Dataset d) {
        s.put(idKey(DATASET, d.id()), d.encode());
    }

    private static void putJob(BlockState s, Job j) {
        s.put(idKey(JOB, j.id()), j.encode());
    }

    private static byte[] idKey(byte[] prefix, long id) {
        return concat(prefix, ByteBuffer.allocate(8).putLong(id).array());
    }

    private static byte[] nameKey(AccountId owner, String name) {
        return concat(concat(DATASET_NAME, owner.bytes()), Sha256.digest(name.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Long> readIds(StateReader s, byte[] key) {
        byte[] v = s.get(key);
        List<Long> out = new ArrayList<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("ids");
            for (int i = 0; i < n; i++) {
                out.add(r.u64("id"));
            }
        }
        return out;
    }

    private static void writeIds(BlockState s, byte[] key, List<Long> ids) {
        if (ids.isEmpty()) {
            s.delete(key);
            return;
        }
        CanonicalWriter w = new CanonicalWriter(4 + 8 * ids.size()).u32(ids.size());
        ids.forEach(w::u64);
        s.put(key, w.toByteArray());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] k = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, k, a.length, b.length);
        return k;
    }
}
