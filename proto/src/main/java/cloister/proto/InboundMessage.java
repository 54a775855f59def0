package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.MerkleTree;
import cloister.crypto.Sha256;
import java.util.ArrayList;
import java.util.List;

/**
 * A message the chain addresses to workers. Applying a block produces an ordered list of them (the block's
 * "worker messages"); the header's worker-messages root is the RFC 6962 Merkle root with their encodings as
 * leaves, so a worker that verified the header can trust the list without trusting the node that served
 * it, and rebuild everything it needs (registrations, gatekeepers, clusters, contracts, commands, key shares)
 * from genesis onwards. Only a successful call produces messages (a failed call's are rolled back).
 */
public sealed interface InboundMessage {
    int MAX_LIST = 10_000;
    int MAX_COMMAND = 128 * 1024;

    /** The block authorities (genesis, and whenever the set changes): workers verify seals against them. */
    record AuthoritySet(List<AccountId> authorities) implements InboundMessage {
        public AuthoritySet {
            authorities = List.copyOf(authorities);
        }
    }

    /** A worker was registered with a verified attestation. */
    record WorkerRegistered(WorkerInfo info, int platformCode, byte[] measurement, int confidenceLevel) implements InboundMessage {
        public WorkerRegistered {
            measurement = measurement.clone();
        }

        @Override
        public byte[] measurement() {
            return measurement.clone();
        }
    }

    record GatekeeperAdded(WorkerId worker) implements InboundMessage {}

    /** Governance asked for master key epoch {@code epoch}; {@code by} is the gatekeeper that must create it. */
    record MasterKeyRotation(int epoch, WorkerId by) implements InboundMessage {}

    record ClusterCreated(int cluster, List<WorkerId> workers) implements InboundMessage {
        public ClusterCreated {
            workers = List.copyOf(workers);
        }
    }

    record WorkerJoinedCluster(int cluster, WorkerId worker) implements InboundMessage {}

    /** A contract was deployed into a cluster; its key derives from master key epoch {@code keyEpoch}. */
    record ContractDeployed(ContractId contract, int cluster, String kind, int keyEpoch) implements InboundMessage {}

    /** An encrypted command for a contract, in block order; {@code sender} signed the transaction {@code txHash}. */
    record Command(ContractId contract, AccountId sender, Hash txHash, byte[] sealed) implements InboundMessage {
        public Command {
            sealed = sealed.clone();
        }

        @Override
        public byte[] sealed() {
            return sealed.clone();
        }
    }

    /** WebAssembly code stored on chain (workers keep it by hash). */
    record CodeUploaded(Hash codeHash, byte[] code) implements InboundMessage {
        public CodeUploaded {
            code = code.clone();
        }

        @Override
        public byte[] code() {
            return code.clone();
        }
    }

    /**
     * A WebAssembly contract was instantiated (a {@link ContractDeployed} with kind {@code wasm} precedes it in the
     * same block): its code, owner, and the constructor call — arguments sealed to the cluster key — to run with at
     * most {@code gasLimit} gas; {@code txHash} names the call for its gas settlement.
     */
    record WasmInstantiated(ContractId contract, Hash codeHash, AccountId owner, Hash txHash, byte[] sealedArgs, long gasLimit)
            implements InboundMessage {
        public WasmInstantiated {
            sealedArgs = sealedArgs.clone();
        }

        @Override
        public byte[] sealedArgs() {
            return sealedArgs.clone();
        }
    }

    record ContractUpgraded(ContractId contract, Hash codeHash) implements InboundMessage {}

    /** An encrypted call of a WebAssembly contract with its gas limit. */
    record WasmCall(ContractId contract, AccountId sender, Hash txHash, byte[] sealed, long gasLimit) implements InboundMessage {
        public WasmCall {
            sealed = sealed.clone();
        }

        @Override
        public byte[] sealed() {
            return sealed.clone();
        }
    }

    /** A worker's egress message the chain accepted (workers read key publications and shares from these). */
    record Accepted(SignedWorkerMessage message) implements InboundMessage {}

    /**
     * A storage slot began at block {@code startHeight} and lasts {@code slotBlocks} blocks; {@code anchor} is the hash
     * of the block before it. Watchdogs sign their work report for this slot with this anchor.
     */
    record StorageSlot(long slot, long startHeight, int slotBlocks, Hash anchor) implements InboundMessage {}

    /** {@code provider} must fetch, verify and keep {@code file} ({@code size} stored bytes) from now on. */
    record ReplicaAssigned(WorkerId provider, Hash file, long size) implements InboundMessage {}

    /** {@code provider} no longer keeps {@code file} (order ended or cancelled, or the replica was lost). */
    record ReplicaReleased(WorkerId provider, Hash file) implements InboundMessage {}

    /** A stored batch of a dataset, as a job's worker needs it: file (manifest CID digest), rows, stored size, escrowed data key. */
    record JobBatch(Hash file, long rows, long size, byte[] escrowKey) {
        public JobBatch {
            escrowKey = escrowKey.clone();
        }

        @Override
        public byte[] escrowKey() {
            return escrowKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof JobBatch b && b.file.equals(file) && b.rows == rows && b.size == size && java.util.Arrays.equals(b.escrowKey, escrowKey);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(file, rows, size) * 31 + java.util.Arrays.hashCode(escrowKey);
        }
    }

    /** A consenting dataset of a job: its number, owner and batches. */
    record JobDataset(long dataset, AccountId owner, List<JobBatch> batches) {
        public JobDataset {
            batches = List.copyOf(batches);
        }
    }

    /**
     * Job {@code job} starts on {@code worker}: everything it needs comes from this verified message — purpose, SQL,
     * the shared schema (canonical bytes), ε, the strictest privacy policy of the datasets (k distinct owners per
     * group, rows per owner), the buyer's result key and the consenting datasets with their escrowed keys.
     */
    record JobAssigned(long job, WorkerId worker, int purpose, String sql, byte[] schema, long epsilon, int minGroupOwners,
                       int maxRowsPerOwner, byte[] resultKey, List<JobDataset> datasets) implements InboundMessage {
        public JobAssigned {
            schema = schema.clone();
            resultKey = resultKey.clone();
            datasets = List.copyOf(datasets);
        }

        @Override
        public byte[] schema() {
            return schema.clone();
        }

        @Override
        public byte[] resultKey() {
            return resultKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof JobAssigned j && j.job == job && j.worker.equals(worker) && j.purpose == purpose && j.sql.equals(sql)
                    && java.util.Arrays.equals(j.schema, schema) && j.epsilon == epsilon && j.minGroupOwners == minGroupOwners
                    && j.maxRowsPerOwner == maxRowsPerOwner && java.util.Arrays.equals(j.resultKey, resultKey) && j.datasets.equals(datasets);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(job, worker, sql, datasets);
        }
    }

    /** Dataset {@code dataset} was deleted; {@code receiptWorker} signs the owner's deletion receipt. Every enclave drops its keys. */
    record DatasetDeleted(long dataset, WorkerId receiptWorker) implements InboundMessage {}

    /** Computation: {@code worker} must run its benchmark now and report by block {@code untilHeight}. */
    record BenchmarkRequested(WorkerId worker, long untilHeight) implements InboundMessage {}

    /**
     * Computation: {@code worker} is challenged at this block and must answer with a heartbeat naming this block's
     * height by block {@code deadline} (the challenge window), or become unresponsive.
     */
    record HeartbeatChallenge(WorkerId worker, long deadline) implements InboundMessage {}

    /**
     * Computation: {@code worker} missed its challenge and is unresponsive from this block on; a heartbeat naming this
     * block's height brings it back (a restarted worker sends it when it syncs this block).
     */
    record WorkerUnresponsive(WorkerId worker) implements InboundMessage {}
    /**
     * Job {@code job} ran out of time on {@code worker}: the chain failed and refunded it. The worker drops the job and
     * never answers it, so a worker that was down (or slow) does not publish a result the buyer did not pay for.
     */
    record JobTimedOut(long job, WorkerId worker) implements InboundMessage {}

    default byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(128);
        write(w, this);
        return w.toByteArray();
    }

    default Hash hash() {
        return Sha256.hash(encode());
    }

    static InboundMessage decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        InboundMessage m = read(r);
        r.end("worker message");
        return m;
    }

    /** The worker-messages root over {@code messages} (the empty-tree root for none). */
    static Hash root(List<InboundMessage> messages) {
        List<byte[]> leaves = new ArrayList<>(messages.size());
        messages.forEach(m -> leaves.add(m.encode()));
        return MerkleTree.root(leaves);
    }

    /** A block's messages: u32 count, then each message. */
    static byte[] encodeList(List<InboundMessage> messages) {
        CanonicalWriter w = new CanonicalWriter(64 + 128 * messages.size());
        w.u32(messages.size());
        messages.forEach(m -> write(w, m));
        return w.toByteArray();
    }

    static List<InboundMessage> decodeList(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int n = r.u32("message count");
        List<InboundMessage> out = new ArrayList<>(Math.min(n, bytes.length));
        for (int i = 0; i < n; i++) {
            out.add(read(r));
        }
        r.end("worker messages");
        return out;
    }

    private static void write(CanonicalWriter w, InboundMessage m) {
        switch (m) {
            case AuthoritySet a -> {
                w.u8(0x01).u32(a.authorities().size());
                a.authorities().forEach(w::account);
            }
            case WorkerRegistered reg -> {
                w.u8(0x02);
                reg.info().write(w);
                w.u8(reg.platformCode()).bytes(reg.measurement()).u8(reg.confidenceLevel());
            }
            case GatekeeperAdded g -> w.u8(0x03).fixed(g.worker().bytes());
            case MasterKeyRotation k -> w.u8(0x04).u32(k.epoch()).fixed(k.by().bytes());
            case ClusterCreated c -> {
                w.u8(0x05).u32(c.cluster()).u32(c.workers().size());
                c.workers().forEach(x -> w.fixed(x.bytes()));
            }
            case WorkerJoinedCluster j -> w.u8(0x06).u32(j.cluster()).fixed(j.worker().bytes());
            case ContractDeployed d -> w.u8(0x07).hash(d.contract().hash()).u32(d.cluster()).string(d.kind()).u32(d.keyEpoch());
            case Command c -> w.u8(0x08).hash(c.contract().hash()).account(c.sender()).hash(c.txHash()).bytes(c.sealed());
            case Accepted a -> {
                w.u8(0x09);
                a.message().write(w);
            }
            case CodeUploaded c -> w.u8(0x0A).hash(c.codeHash()).bytes(c.code());
            case WasmInstantiated i -> w.u8(0x0B).hash(i.contract().hash()).hash(i.codeHash()).account(i.owner()).hash(i.txHash())
                    .bytes(i.sealedArgs()).u64(i.gasLimit());
            case ContractUpgraded u -> w.u8(0x0C).hash(u.contract().hash()).hash(u.codeHash());
            case StorageSlot t -> w.u8(0x0E).u64(t.slot()).u64(t.startHeight()).u32(t.slotBlocks()).hash(t.anchor());
            case ReplicaAssigned a -> w.u8(0x0F).fixed(a.provider().bytes()).hash(a.file()).u64(a.size());
            case ReplicaReleased x -> w.u8(0x10).fixed(x.provider().bytes()).hash(x.file());
            case JobAssigned j -> {
                w.u8(0x11).u64(j.job()).fixed(j.worker().bytes()).u8(j.purpose()).string(j.sql()).bytes(j.schema).u64(j.epsilon())
                        .u32(j.minGroupOwners()).u32(j.maxRowsPerOwner()).fixed(j.resultKey).u32(j.datasets().size());
                for (JobDataset d : j.datasets()) {
                    w.u64(d.dataset()).account(d.owner()).u32(d.batches().size());
                    d.batches().forEach(b -> w.hash(b.file()).u64(b.rows()).u64(b.size()).bytes(b.escrowKey));
                }
            }
            case DatasetDeleted d -> w.u8(0x12).u64(d.dataset()).fixed(d.receiptWorker().bytes());
            case BenchmarkRequested b -> w.u8(0x13).fixed(b.worker().bytes()).u64(b.untilHeight());
            case HeartbeatChallenge h -> w.u8(0x14).fixed(h.worker().bytes()).u64(h.deadline());
            case WorkerUnresponsive u -> w.u8(0x15).fixed(u.worker().bytes());
            case JobTimedOut t -> w.u8(0x16).u64(t.job()).fixed(t.worker().bytes());
            case WasmCall c -> w.u8(0x0D).hash(c.contract().hash()).account(c.sender()).hash(c.txHash()).bytes(c.sealed()).u64(c.gasLimit());
        }
    }

    private static InboundMessage read(CanonicalReader r) {
        int tag = r.u8("message tag");
        return switch (tag) {
            case 0x01 -> {
                int n = count(r);
                List<AccountId> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(r.account("authority"));
                }
                yield new AuthoritySet(list);
            }
            case 0x02 -> new WorkerRegistered(WorkerInfo.read(r), r.u8("platform"), r.bytes(64, "measurement"), r.u8("confidence"));
            case 0x03 -> new GatekeeperAdded(WorkerId.of(r.fixed(32, "gatekeeper")));
            case 0x04 -> new MasterKeyRotation(r.u32("epoch"), WorkerId.of(r.fixed(32, "rotating gatekeeper")));
            case 0x05 -> {
                int cluster = r.u32("cluster");
                int n = count(r);
                List<WorkerId> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(WorkerId.of(r.fixed(32, "worker")));
                }
                yield new ClusterCreated(cluster, list);
            }
            case 0x06 -> new WorkerJoinedCluster(r.u32("cluster"), WorkerId.of(r.fixed(32, "worker")));
            case 0x07 -> new ContractDeployed(new ContractId(r.hash("contract")), r.u32("cluster"), r.string(64, "kind"), r.u32("key epoch"));
            case 0x08 -> new Command(new ContractId(r.hash("contract")), r.account("sender"), r.hash("tx hash"), r.bytes(MAX_COMMAND, "command"));
            case 0x09 -> new Accepted(SignedWorkerMessage.read(r));
            case 0x0A -> new CodeUploaded(r.hash("code hash"), r.bytes(ContractsCall.MAX_CODE, "code"));
            case 0x0B -> new WasmInstantiated(new ContractId(r.hash("contract")), r.hash("code hash"), r.account("owner"), r.hash("tx hash"),
                    r.bytes(MAX_COMMAND, "constructor arguments"), r.u64("gas limit"));
            case 0x0C -> new ContractUpgraded(new ContractId(r.hash("contract")), r.hash("code hash"));
            case 0x0D -> new WasmCall(new ContractId(r.hash("contract")), r.account("sender"), r.hash("tx hash"), r.bytes(MAX_COMMAND, "call"),
                    r.u64("gas limit"));
            case 0x0E -> new StorageSlot(r.u64("slot"), r.u64("slot start"), r.u32("slot blocks"), r.hash("anchor"));
            case 0x0F -> new ReplicaAssigned(WorkerId.of(r.fixed(32, "provider")), r.hash("file"), r.u64("size"));
            case 0x10 -> new ReplicaReleased(WorkerId.of(r.fixed(32, "provider")), r.hash("file"));
            case 0x11 -> readJob(r);
            case 0x12 -> new DatasetDeleted(r.u64("dataset"), WorkerId.of(r.fixed(32, "receipt worker")));
            case 0x13 -> new BenchmarkRequested(WorkerId.of(r.fixed(32, "worker")), r.u64("until height"));
            case 0x14 -> new HeartbeatChallenge(WorkerId.of(r.fixed(32, "worker")), r.u64("deadline"));
            case 0x15 -> new WorkerUnresponsive(WorkerId.of(r.fixed(32, "worker")));
            case 0x16 -> new JobTimedOut(r.u64("job"), WorkerId.of(r.fixed(32, "worker")));
            default -> throw new MalformedException("unknown worker message tag " + tag);
        };
    }

    private static JobAssigned readJob(CanonicalReader r) {
        long job = r.u64("job");
        WorkerId worker = WorkerId.of(r.fixed(32, "worker"));
        int purpose = r.u8("purpose");
        String sql = r.string(DataMarketCall.MAX_SQL, "sql");
        byte[] schema = r.bytes(DataMarketCall.MAX_SCHEMA, "schema");
        long epsilon = r.u64("epsilon");
        int k = r.u32("min group owners");
        int rowsCap = r.u32("max rows per owner");
        byte[] resultKey = r.fixed(DataMarketCall.RESULT_KEY_LENGTH, "result key");
        int n = r.u32("datasets");
        if (n > DataMarketCall.MAX_JOB_DATASETS) {
            throw new MalformedException(n + " datasets, at most " + DataMarketCall.MAX_JOB_DATASETS);
        }
        List<JobDataset> ds = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            long id = r.u64("dataset");
            AccountId owner = r.account("owner");
            int b = count(r);
            List<JobBatch> batches = new ArrayList<>(Math.min(b, 1024));
            for (int j = 0; j < b; j++) {
                batches.add(new JobBatch(r.hash("file"), r.u64("rows"), r.u64("size"), r.bytes(DataMarketCall.MAX_WRAPPED_KEY, "escrow key")));
            }
            ds.add(new JobDataset(id, owner, batches));
        }
        return new JobAssigned(job, worker, purpose, sql, schema, epsilon, k, rowsCap, resultKey, ds);
    }

    private static int count(CanonicalReader r) {
        int n = r.u32("count");
        if (n > MAX_LIST) {
            throw new MalformedException(n + " entries, at most " + MAX_LIST);
        }
        return n;
    }
}
