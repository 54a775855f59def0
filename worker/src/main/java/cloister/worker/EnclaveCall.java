package cloister.worker;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import cloister.proto.WorkerInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * An ecall: what the host asks of the enclave. Encoding (docs/enclave.md): {@code u8 tag} then the fields below,
 * canonical codec. Replies are {@link EnclaveReply}.
 */
public sealed interface EnclaveCall {
    /** The most blocks one {@link Sync} call may carry. */
    int MAX_BATCH = 10_000;
    /** The largest query request. */
    int MAX_QUERY = 256 * 1024;

    /**
     * Tag 0x01: opens (or creates, the first time) the sealed keys and state for this network and this operator.
     * Reply: {@link EnclaveReply.Initialized} with the worker info and a fresh quote over its report data.
     */
    record Init(Hash genesisHash, AccountId operator, String runtimeVersion) implements EnclaveCall {}

    /**
     * Tag 0x02: verify and apply these blocks in order (the next heights). Reply: {@link EnclaveReply.Synced}, with
     * the egress messages to relay; a refused block stops the batch there. {@code chainHead} is the newest block the
     * host knows of (0: unknown) — a hint, not trusted: the enclave skips heartbeat challenges whose window closed
     * by then, which only a host could want to make it do anyway by not relaying them.
     */
    record Sync(List<BlockData> blocks, long chainHead) implements EnclaveCall {
        public Sync {
            blocks = List.copyOf(blocks);
            if (chainHead < 0) {
                throw new IllegalArgumentException("the chain head is a height");
            }
        }

        /** Without a head hint. */
        public Sync(List<BlockData> blocks) {
            this(blocks, 0);
        }
    }

    /** Tag 0x03: an encrypted query ({@code QueryEnvelope} request). Reply: {@link EnclaveReply.QueryAnswer}. */
    record Query(byte[] request) implements EnclaveCall {
        public Query {
            request = request.clone();
        }

        @Override
        public byte[] request() {
            return request.clone();
        }
    }

    /** Tag 0x04: what became of a command transaction. Reply: {@link EnclaveReply.Outcome}. */
    record Outcome(Hash txHash) implements EnclaveCall {}

    /** Tag 0x05: the public status. Reply: {@link EnclaveReply.Status}. */
    record Status() implements EnclaveCall {}

    /** Tag 0x06: seal and store the state now (the host calls it at shutdown). Reply: {@link EnclaveReply.Done}. */
    record Checkpoint() implements EnclaveCall {}

    /**
     * Tag 0x07: the signed egress messages not yet seen accepted on chain (to relay again after a restart). Reply:
     * {@link EnclaveReply.Egress}.
     */
    record Outbox() implements EnclaveCall {}

    /**
     * Tag 0x08: sign an {@code EndpointAnnounced(url)} egress message (where this worker serves queries; an http(s)
     * URL of at most 256 bytes). Reply: {@link EnclaveReply.Egress} with that one message, to relay.
     */
    record Announce(String url) implements EnclaveCall {}

    /** The most chunk answers one {@link StorageCheck} may carry (64 × 256 KiB chunks ≈ 16 MiB). */
    int MAX_ANSWERS = 64;

    /**
     * Tag 0x09: the host has fetched {@code file} (a file assigned to this provider): here is its manifest block.
     * Reply: {@link EnclaveReply.ChunkRequest} with every chunk the watchdog wants to hash before it holds the file.
     */
    record StorageAdd(Hash file, byte[] manifest) implements EnclaveCall {
        public StorageAdd {
            manifest = manifest.clone();
        }

        @Override
        public byte[] manifest() {
            return manifest.clone();
        }
    }

    /** Tag 0x0A: the current watchdog round's sample. Reply: {@link EnclaveReply.ChunkRequest}. */
    record StorageRound() implements EnclaveCall {}

    /** Tag 0x0B: blocks the watchdog asked for (an empty block: the host does not have it). Reply: {@link EnclaveReply.StorageChecked}. */
    record StorageCheck(List<EnclaveReply.ChunkAnswer> answers) implements EnclaveCall {
        public StorageCheck {
            answers = List.copyOf(answers);
            if (answers.size() > MAX_ANSWERS) {
                throw new IllegalArgumentException("at most " + MAX_ANSWERS + " chunk answers per call");
            }
        }
    }

    /** Tag 0x0C: sign the work report for the current slot. Reply: {@link EnclaveReply.Egress} with that message. */
    record StorageReport() implements EnclaveCall {}

    /** Tag 0x0D: the watchdog's public view (slot, files assigned and their state). Reply: {@link EnclaveReply.StorageView}. */
    record StorageStatus() implements EnclaveCall {}

    /** Tag 0x0E: the files the open W3A jobs still need. Reply: {@link EnclaveReply.JobNeeds}. */
    record JobNeeds() implements EnclaveCall {}

    /**
     * Tag 0x0F: the encrypted blocks of one file of a job (its manifest and every chunk, at most {@link #MAX_JOB_FILE_BLOCKS}).
     * Reply: {@link EnclaveReply.Egress} — the job's signed result or failure when this was its last file, else empty.
     */
    record JobFile(long job, Hash file, List<byte[]> blocks) implements EnclaveCall {
        public JobFile {
            blocks = blocks.stream().map(byte[]::clone).toList();
            if (blocks.size() > MAX_JOB_FILE_BLOCKS) {
                throw new IllegalArgumentException("at most " + MAX_JOB_FILE_BLOCKS + " blocks per job file");
            }
        }

        @Override
        public List<byte[]> blocks() {
            return blocks.stream().map(byte[]::clone).toList();
        }
    }

    /** A manifest and 64 chunks of 256 KiB: the largest batch file a job takes (the collector cuts batches to fit). */
    int MAX_JOB_FILE_BLOCKS = 65;

    /**
     * Tag 0x10: the host could not fetch {@code file} of {@code job} from any replica. Reply: {@link EnclaveReply.Egress}
     * with the job's signed failure (nothing was released).
     */
    record JobFileMissing(long job, Hash file, String reason) implements EnclaveCall {}

    /** The longest slice of workload one {@link BenchmarkRun} call runs. */
    int MAX_BENCHMARK_SLICE_MILLIS = 1000;

    /**
     * Tag 0x11: if a benchmark is requested of this worker, run the workload for {@code millis} ms (at most
     * {@link #MAX_BENCHMARK_SLICE_MILLIS}; 0 runs nothing) without holding the enclave's lock, so block sync goes on.
     * Reply: {@link EnclaveReply.BenchmarkProgress}.
     */
    record BenchmarkRun(int millis) implements EnclaveCall {
        public BenchmarkRun {
            if (millis < 0 || millis > MAX_BENCHMARK_SLICE_MILLIS) {
                throw new IllegalArgumentException("a benchmark slice is 0.." + MAX_BENCHMARK_SLICE_MILLIS + " ms");
            }
        }
    }

    /**
     * Tag 0x12: sign the {@code BenchmarkReport} for the request of block {@code requestHeight} with the work run for
     * it; the request is then done. Reply: {@link EnclaveReply.Egress} with that one message, to relay; failure
     * {@code NO_BENCHMARK} if that request is not the outstanding one or nothing ran for it.
     */
    record BenchmarkReport(long requestHeight) implements EnclaveCall {}

    default byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(64);
        switch (this) {
            case Init i -> w.u8(0x01).hash(i.genesisHash()).account(i.operator()).string(i.runtimeVersion());
            case Sync s -> {
                w.u8(0x02).u32(s.blocks().size());
                for (BlockData b : s.blocks()) {
                    w.bytes(b.headerRaw()).bytes(b.messagesRaw());
                }
                w.u64(s.chainHead());
            }
            case Query q -> w.u8(0x03).bytes(q.request);
            case Outcome o -> w.u8(0x04).hash(o.txHash());
            case Status s -> w.u8(0x05);
            case Checkpoint c -> w.u8(0x06);
            case Outbox o -> w.u8(0x07);
            case Announce a -> w.u8(0x08).string(a.url());
            case StorageAdd a -> w.u8(0x09).hash(a.file()).bytes(a.manifest);
            case StorageRound r -> w.u8(0x0A);
            case StorageCheck c -> {
                w.u8(0x0B).u32(c.answers().size());
                c.answers().forEach(x -> w.hash(x.digest()).bytes(x.block()));
            }
            case StorageReport r -> w.u8(0x0C);
            case StorageStatus s -> w.u8(0x0D);
            case JobNeeds j -> w.u8(0x0E);
            case JobFile f -> {
                w.u8(0x0F).u64(f.job()).hash(f.file()).u32(f.blocks.size());
                f.blocks.forEach(w::bytes);
            }
            case JobFileMissing m -> w.u8(0x10).u64(m.job()).hash(m.file()).string(m.reason());
            case BenchmarkRun b -> w.u8(0x11).u32(b.millis());
            case BenchmarkReport b -> w.u8(0x12).u64(b.requestHeight());
        }
        return w.toByteArray();
    }

    /** @throws MalformedException if the bytes are not exactly one call */
    static EnclaveCall decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8("ecall");
        EnclaveCall call = switch (tag) {
            case 0x01 -> new Init(r.hash("genesis hash"), r.account("operator"), r.string(WorkerInfo.MAX_VERSION, "runtime version"));
            case 0x02 -> {
                int n = r.u32("block count");
                if (n > MAX_BATCH) {
                    throw new MalformedException(n + " blocks in one sync call, at most " + MAX_BATCH);
                }
                List<BlockData> blocks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    blocks.add(new BlockData(r.bytes(1024, "header"), r.bytes(BlockData.MAX_MESSAGES_BYTES, "messages")));
                }
                yield new Sync(blocks, r.u64("chain head"));
            }
            case 0x03 -> new Query(r.bytes(MAX_QUERY, "query"));
            case 0x04 -> new Outcome(r.hash("tx hash"));
            case 0x05 -> new Status();
            case 0x06 -> new Checkpoint();
            case 0x07 -> new Outbox();
            case 0x08 -> new Announce(r.string(1024, "url"));
            case 0x09 -> new StorageAdd(r.hash("file"), r.bytes(cloister.storage.chunk.ChunkedFile.MAX_BLOCK, "manifest"));
            case 0x0A -> new StorageRound();
            case 0x0B -> {
                int n = r.u32("answers");
                if (n > MAX_ANSWERS) {
                    throw new MalformedException(n + " chunk answers, at most " + MAX_ANSWERS);
                }
                List<EnclaveReply.ChunkAnswer> answers = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    answers.add(new EnclaveReply.ChunkAnswer(r.hash("chunk"), r.bytes(cloister.storage.chunk.ChunkedFile.MAX_BLOCK, "block")));
                }
                yield new StorageCheck(answers);
            }
            case 0x0C -> new StorageReport();
            case 0x0D -> new StorageStatus();
            case 0x0E -> new JobNeeds();
            case 0x0F -> {
                long job = r.u64("job");
                Hash file = r.hash("file");
                int n = r.u32("blocks");
                if (n > MAX_JOB_FILE_BLOCKS) {
                    throw new MalformedException(n + " blocks, at most " + MAX_JOB_FILE_BLOCKS);
                }
                List<byte[]> blocks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    blocks.add(r.bytes(cloister.storage.chunk.ChunkedFile.MAX_BLOCK, "block"));
                }
                yield new JobFile(job, file, blocks);
            }
            case 0x10 -> new JobFileMissing(r.u64("job"), r.hash("file"), r.string(1024, "reason"));
            case 0x11 -> new BenchmarkRun(r.u32("slice millis"));
            case 0x12 -> new BenchmarkReport(r.u64("request height"));
            default -> throw new MalformedException("unknown ecall " + tag);
        };
        r.end("ecall");
        return call;
    }
}
