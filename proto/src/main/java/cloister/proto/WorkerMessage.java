package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.X25519PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker says to the chain (egress), inside a {@link SignedWorkerMessage}. Key messages may only come from
 * gatekeepers. Later issues add heartbeats, benchmark and work reports, job results.
 */
public sealed interface WorkerMessage {
    int MAX_SHARES = 1024;

    String name();

    /**
     * A gatekeeper publishes the master public key of {@code epoch}: the first gatekeeper creates epoch 0; on a
     * rotation the designated gatekeeper creates the next epoch and shares the new history with every other
     * gatekeeper in {@code shares}.
     */
    record MasterKeyPublished(int epoch, X25519PublicKey masterPublicKey, List<KeyShare> shares) implements WorkerMessage {
        public MasterKeyPublished {
            shares = List.copyOf(shares);
        }

        @Override
        public String name() {
            return "masterKeyPublished";
        }
    }

    /** A gatekeeper hands the master-key history to a newly added gatekeeper. */
    record MasterKeyShared(KeyShare share) implements WorkerMessage {
        @Override
        public String name() {
            return "masterKeyShared";
        }
    }

    /**
     * A gatekeeper publishes a cluster's public key (derived from the master key; clients seal constructor arguments
     * to it) and delivers the cluster's secret key to workers of the cluster. Sent again with the same key and only
     * new deliveries when a worker joins the cluster.
     */
    record ClusterKeyPublished(int cluster, X25519PublicKey publicKey, List<KeyShare> deliveries) implements WorkerMessage {
        public ClusterKeyPublished {
            deliveries = List.copyOf(deliveries);
        }

        @Override
        public String name() {
            return "clusterKeyPublished";
        }
    }

    /**
     * A gatekeeper publishes a contract's public key (clients encrypt commands to it) and delivers the contract's
     * secret key to workers of its cluster. Sent again with only new deliveries when a worker joins the cluster.
     */
    record ContractKeyPublished(ContractId contract, X25519PublicKey publicKey, List<KeyShare> deliveries) implements WorkerMessage {
        public ContractKeyPublished {
            deliveries = List.copyOf(deliveries);
        }

        @Override
        public String name() {
            return "contractKeyPublished";
        }
    }

    /**
     * Where the worker serves encrypted queries (an http(s) URL, at most 256 bytes). Any registered worker may say
     * it; clients still verify every answer's signature, so a wrong URL can only make queries fail.
     */
    record EndpointAnnounced(String url) implements WorkerMessage {
        public static final int MAX_URL = 256;

        public EndpointAnnounced {
            if (url.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_URL) {
                throw new IllegalArgumentException("endpoint URL longer than " + MAX_URL + " bytes");
            }
        }

        @Override
        public String name() {
            return "endpointAnnounced";
        }
    }

    /**
     * A worker of the contract's cluster reports the outcome of the WebAssembly call (or constructor) of transaction
     * {@code txHash}: the gas it used (the chain refunds the rest of the sender's reservation and pays the used part
     * as a fee) and, if the call succeeded, the events it emitted (a private event's {@code data} is HPKE-sealed to
     * the contract key, deterministically, so every worker reports the same bytes) and the transfers of the contract's
     * own balance it asked for. Every member reports; the first report settles, later ones must be identical (a
     * difference is evidence of nondeterminism or of a dishonest worker and is recorded).
     */
    record CallSettled(Hash txHash, long gasUsed, List<PublishedEvent> events, List<Payout> transfers) implements WorkerMessage {
        /** At most this many events per call (the engine traps past it: {@code HostAbi.MAX_EVENTS}). */
        public static final int MAX_EVENTS = 16;
        /** At most this many transfers per call ({@code HostAbi.MAX_TRANSFERS}). */
        public static final int MAX_TRANSFERS = 16;
        /** An event's published bytes: up to 4 KiB of plaintext, plus 48 bytes of HPKE when private. */
        public static final int MAX_EVENT_DATA = 4096 + 48;

        public CallSettled {
            if (gasUsed < 0) {
                throw new IllegalArgumentException("gas used must not be negative");
            }
            events = List.copyOf(events);
            transfers = List.copyOf(transfers);
            if (events.size() > MAX_EVENTS || transfers.size() > MAX_TRANSFERS) {
                throw new IllegalArgumentException("at most " + MAX_EVENTS + " events and " + MAX_TRANSFERS + " transfers per call");
            }
        }

        public CallSettled(Hash txHash, long gasUsed) {
            this(txHash, gasUsed, List.of(), List.of());
        }

        @Override
        public String name() {
            return "callSettled";
        }
    }

    /** An event of a contract call as published on chain: plaintext if {@code isPublic}, else sealed to the contract key. */
    record PublishedEvent(boolean isPublic, byte[] data) {
        public PublishedEvent {
            if (data.length > CallSettled.MAX_EVENT_DATA) {
                throw new IllegalArgumentException("event of " + data.length + " bytes; at most " + CallSettled.MAX_EVENT_DATA);
            }
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PublishedEvent e && e.isPublic == isPublic && java.util.Arrays.equals(e.data, data);
        }

        @Override
        public int hashCode() {
            return Boolean.hashCode(isPublic) * 31 + java.util.Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "PublishedEvent[" + (isPublic ? "public" : "sealed") + ", " + data.length + " bytes]";
        }
    }

    /**
     * A storage provider's watchdog (in its enclave) reports slot {@code slot}: {@code anchor} is the hash of the block
     * before the slot's first block (the chain refuses a report for any other slot), {@code filesRoot} commits to
     * every file it holds and has verified ({@link #filesRoot}), {@code totalSize} is their stored bytes, and
     * {@code added}/{@code deleted} are the changes since its last report the chain accepted: the chain checks
     * old + added − deleted = new, and that the root matches the resulting set.
     */
    record WorkReport(long slot, Hash anchor, Hash filesRoot, long totalSize, List<FileEntry> added, List<FileEntry> deleted)
            implements WorkerMessage {
        /** At most this many files added or deleted per report. */
        public static final int MAX_CHANGES = 10_000;
        private static final byte[] ROOT_DOMAIN = "cloister/storage/files-root/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        public WorkReport {
            added = List.copyOf(added);
            deleted = List.copyOf(deleted);
            if (slot < 0 || totalSize < 0 || added.size() > MAX_CHANGES || deleted.size() > MAX_CHANGES) {
                throw new IllegalArgumentException("slot and size not negative, at most " + MAX_CHANGES + " changes of each kind");
            }
        }

        /**
         * The files root: SHA-256("cloister/storage/files-root/v1" ‖ for each file in digest order: digest ‖ u64 size).
         * Both the enclave and the chain compute it over the set of files the provider holds.
         */
        public static Hash filesRoot(java.util.SortedMap<Hash, Long> files) {
            java.security.MessageDigest d = cloister.crypto.Sha256.newDigest();
            d.update(ROOT_DOMAIN);
            byte[] size = new byte[8];
            for (java.util.Map.Entry<Hash, Long> e : files.entrySet()) {
                d.update(e.getKey().bytes());
                java.nio.ByteBuffer.wrap(size).putLong(e.getValue());
                d.update(size);
            }
            return Hash.wrap(d.digest());
        }

        @Override
        public String name() {
            return "workReport";
        }
    }

    /**
     * The assigned worker's answer to an analysis job (W3A): the privacy-checked result encrypted to the buyer's
     * result key ({@code sealedResult}), SHA-256 of the plaintext result ({@code resultHash}, for the audit log),
     * and how many distinct owners and rows went into it. Only the job's assigned worker may send it, once.
     */
    record JobResult(long job, Hash resultHash, byte[] sealedResult, int owners, long rows) implements WorkerMessage {
        public static final int MAX_RESULT = 64 * 1024;

        public JobResult {
            if (sealedResult.length > MAX_RESULT || owners < 0 || rows < 0) {
                throw new IllegalArgumentException("a sealed result is at most " + MAX_RESULT + " bytes, no negative counts");
            }
            sealedResult = sealedResult.clone();
        }

        @Override
        public byte[] sealedResult() {
            return sealedResult.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof JobResult j && j.job == job && j.resultHash.equals(resultHash) && java.util.Arrays.equals(j.sealedResult, sealedResult)
                    && j.owners == owners && j.rows == rows;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(job, resultHash, owners, rows) * 31 + java.util.Arrays.hashCode(sealedResult);
        }

        @Override
        public String name() {
            return "jobResult";
        }
    }

    /**
     * The assigned worker could not answer a job: {@code code} is an upper-snake-case word, {@code message} plain
     * words for the buyer (never data). {@code dataRead}: whether any record was decrypted — if not, the ε reserved
     * for the job is given back to the datasets.
     */
    record JobFailed(long job, String code, String message, boolean dataRead) implements WorkerMessage {
        public static final int MAX_MESSAGE = 1024;

        public JobFailed {
            if (code.length() > 64 || message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_MESSAGE) {
                throw new IllegalArgumentException("code at most 64 characters, message at most " + MAX_MESSAGE + " bytes");
            }
        }

        @Override
        public String name() {
            return "jobFailed";
        }
    }

    /** The enclave dropped every key of a deleted dataset and will not open them again: the owner's deletion receipt. */
    record DeletionReceipt(long dataset, long deletedAt) implements WorkerMessage {
        @Override
        public String name() {
            return "deletionReceipt";
        }
    }

    /**
     * The worker's benchmark (computation module): it ran the fixed workload ({@code Benchmark} in the worker: chained
     * SHA-256) inside the enclave for the blocks the chain asked, {@code iterations} iterations in {@code millis}
     * milliseconds of its own measured time; {@code requestHeight} names the request it answers.
     */
    record BenchmarkReport(long requestHeight, long iterations, long millis) implements WorkerMessage {
        public BenchmarkReport {
            if (requestHeight < 0 || iterations < 0 || millis < 0) {
                throw new IllegalArgumentException("no negative numbers");
            }
        }

        @Override
        public String name() {
            return "benchmarkReport";
        }
    }

    /**
     * The answer to a heartbeat challenge issued at block {@code challengeHeight} (or to the block that marked the
     * worker unresponsive): the enclave's running totals of benchmark workload ({@code iterations} in
     * {@code workMillis} ms — the chain derives the instant score from the difference to the last heartbeat) and how
     * many contracts it hosts.
     */
    record Heartbeat(long challengeHeight, long iterations, long workMillis, int contracts) implements WorkerMessage {
        public Heartbeat {
            if (challengeHeight < 0 || iterations < 0 || workMillis < 0 || contracts < 0) {
                throw new IllegalArgumentException("no negative numbers");
            }
        }

        @Override
        public String name() {
            return "heartbeat";
        }
    }

    /** A file in a work report: its manifest CID's digest and its stored bytes. */
    record FileEntry(Hash file, long size) {
        public FileEntry {
            if (size < 0) {
                throw new IllegalArgumentException("size not negative");
            }
        }
    }

    /** A transfer of {@code amount} from the contract's own balance to {@code to}, asked for by a call. */
    record Payout(cloister.crypto.AccountId to, long amount) {
        public Payout {
            if (amount <= 0) {
                throw new IllegalArgumentException("a payout must be positive");
            }
        }
    }

    static void write(CanonicalWriter w, WorkerMessage m) {
        switch (m) {
            case MasterKeyPublished p -> {
                w.u8(0x01).u32(p.epoch()).fixed(p.masterPublicKey().bytes());
                writeShares(w, p.shares());
            }
            case MasterKeyShared s -> {
                w.u8(0x02);
                s.share().write(w);
            }
            case ClusterKeyPublished c -> {
                w.u8(0x03).u32(c.cluster()).fixed(c.publicKey().bytes());
                writeShares(w, c.deliveries());
            }
            case ContractKeyPublished c -> {
                w.u8(0x04).hash(c.contract().hash()).fixed(c.publicKey().bytes());
                writeShares(w, c.deliveries());
            }
            case EndpointAnnounced e -> w.u8(0x05).string(e.url());
            case CallSettled c -> {
                w.u8(0x06).hash(c.txHash()).u64(c.gasUsed()).u32(c.events().size());
                c.events().forEach(e -> w.bool(e.isPublic()).bytes(e.data));
                w.u32(c.transfers().size());
                c.transfers().forEach(t -> w.account(t.to()).u64(t.amount()));
            }
            case JobResult j -> w.u8(0x08).u64(j.job()).hash(j.resultHash()).bytes(j.sealedResult).u32(j.owners()).u64(j.rows());
            case JobFailed f -> w.u8(0x09).u64(f.job()).string(f.code()).string(f.message()).bool(f.dataRead());
            case DeletionReceipt d -> w.u8(0x0A).u64(d.dataset()).u64(d.deletedAt());
            case BenchmarkReport b -> w.u8(0x0B).u64(b.requestHeight()).u64(b.iterations()).u64(b.millis());
            case Heartbeat h -> w.u8(0x0C).u64(h.challengeHeight()).u64(h.iterations()).u64(h.workMillis()).u32(h.contracts());
            case WorkReport r -> {
                w.u8(0x07).u64(r.slot()).hash(r.anchor()).hash(r.filesRoot()).u64(r.totalSize()).u32(r.added().size());
                r.added().forEach(f -> w.hash(f.file()).u64(f.size()));
                w.u32(r.deleted().size());
                r.deleted().forEach(f -> w.hash(f.file()).u64(f.size()));
            }
        }
    }

    static WorkerMessage read(CanonicalReader r) {
        int tag = r.u8("worker message");
        return switch (tag) {
            case 0x01 -> new MasterKeyPublished(r.u32("epoch"), X25519PublicKey.of(r.fixed(32, "master public key")), readShares(r));
            case 0x02 -> new MasterKeyShared(KeyShare.read(r));
            case 0x03 -> new ClusterKeyPublished(r.u32("cluster"), X25519PublicKey.of(r.fixed(32, "cluster public key")), readShares(r));
            case 0x04 -> new ContractKeyPublished(new ContractId(r.hash("contract")), X25519PublicKey.of(r.fixed(32, "contract public key")), readShares(r));
            case 0x05 -> new EndpointAnnounced(r.string(EndpointAnnounced.MAX_URL, "endpoint URL"));
            case 0x06 -> readCallSettled(r);
            case 0x07 -> new WorkReport(r.u64("slot"), r.hash("anchor"), r.hash("files root"), r.u64("total size"), readFiles(r, "added"),
                    readFiles(r, "deleted"));
            case 0x08 -> new JobResult(r.u64("job"), r.hash("result hash"), r.bytes(JobResult.MAX_RESULT, "sealed result"), r.u32("owners"),
                    r.u64("rows"));
            case 0x09 -> new JobFailed(r.u64("job"), r.string(64, "code"), r.string(JobFailed.MAX_MESSAGE, "message"), r.bool("data read"));
            case 0x0A -> new DeletionReceipt(r.u64("dataset"), r.u64("deleted at"));
            case 0x0B -> new BenchmarkReport(r.u64("request height"), r.u64("iterations"), r.u64("millis"));
            case 0x0C -> new Heartbeat(r.u64("challenge height"), r.u64("iterations"), r.u64("work millis"), r.u32("contracts"));
            default -> throw new MalformedException("unknown worker message " + tag);
        };
    }

    private static CallSettled readCallSettled(CanonicalReader r) {
        Hash tx = r.hash("tx hash");
        long gas = r.u64("gas used");
        int n = r.u32("event count");
        if (n > CallSettled.MAX_EVENTS) {
            throw new MalformedException(n + " events, at most " + CallSettled.MAX_EVENTS);
        }
        List<PublishedEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean isPublic = r.bool("public");
            events.add(new PublishedEvent(isPublic, r.bytes(CallSettled.MAX_EVENT_DATA, "event data")));
        }
        int t = r.u32("transfer count");
        if (t > CallSettled.MAX_TRANSFERS) {
            throw new MalformedException(t + " transfers, at most " + CallSettled.MAX_TRANSFERS);
        }
        List<Payout> transfers = new ArrayList<>(t);
        for (int i = 0; i < t; i++) {
            cloister.crypto.AccountId to = r.account("payee");
            long amount = r.u64("amount");
            if (amount <= 0) {
                throw new MalformedException("a payout must be positive");
            }
            transfers.add(new Payout(to, amount));
        }
        return new CallSettled(tx, gas, events, transfers);
    }

    private static List<FileEntry> readFiles(CanonicalReader r, String what) {
        int n = r.u32(what + " count");
        if (n > WorkReport.MAX_CHANGES) {
            throw new MalformedException(n + " files " + what + ", at most " + WorkReport.MAX_CHANGES);
        }
        List<FileEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Hash file = r.hash("file");
            long size = r.u64("size");
            if (size < 0) {
                throw new MalformedException("negative file size");
            }
            out.add(new FileEntry(file, size));
        }
        return out;
    }

    private static void writeShares(CanonicalWriter w, List<KeyShare> shares) {
        w.u32(shares.size());
        shares.forEach(s -> s.write(w));
    }

    private static List<KeyShare> readShares(CanonicalReader r) {
        int n = r.u32("share count");
        if (n > MAX_SHARES) {
            throw new MalformedException(n + " key shares, at most " + MAX_SHARES);
        }
        List<KeyShare> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(KeyShare.read(r));
        }
        return out;
    }
}
