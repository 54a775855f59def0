package cloister.worker;

import cloister.common.Hash;
import cloister.proto.AttestationEvidence;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The enclave's answer to an {@link EnclaveCall}. Encoding: {@code u8 tag} then the fields (docs/enclave.md). */
public sealed interface EnclaveReply {
    int MAX_EGRESS = 100_000;

    /** Tag 0x01: who the worker is (register this) and a fresh quote binding {@code info.reportData()}. */
    record Initialized(WorkerInfo info, AttestationEvidence evidence, long syncedHeight) implements EnclaveReply {}

    /**
     * Tag 0x02: the enclave applied blocks up to {@code height} ({@code hash}); {@code egress} are new signed messages
     * to relay in order; {@code refusal} names the first block it refused, if any.
     */
    record Synced(long height, Hash hash, List<SignedWorkerMessage> egress, Optional<SyncRefusal> refusal) implements EnclaveReply {
        public Synced {
            egress = List.copyOf(egress);
        }
    }

    /** A refused block: its height, the reason and a message. */
    record SyncRefusal(long height, BlockRefusal reason, String message) {}

    /** Tag 0x03: the encoded query response (a {@code QueryEnvelope} response). */
    record QueryAnswer(byte[] response) implements EnclaveReply {
        public QueryAnswer {
            response = response.clone();
        }

        @Override
        public byte[] response() {
            return response.clone();
        }
    }

    /** Tag 0x04: a command's outcome, empty if this worker has not seen the transaction. */
    record Outcome(Optional<CommandOutcome> outcome) implements EnclaveReply {}

    /** Tag 0x05. */
    record Status(EnclaveStatus status) implements EnclaveReply {}

    /** Tag 0x06: done (checkpoint written). */
    record Done() implements EnclaveReply {}

    /** Tag 0x07: egress messages not yet seen accepted, in sequence order. */
    record Egress(List<SignedWorkerMessage> messages) implements EnclaveReply {
        public Egress {
            messages = List.copyOf(messages);
        }
    }

    /** Tag 0x08: the blocks (by SHA-256 digest: every block is a raw CID) the watchdog wants to see. */
    record ChunkRequest(List<Hash> digests) implements EnclaveReply {
        public ChunkRequest {
            digests = List.copyOf(digests);
        }
    }

    /** A block the host passes to the watchdog: its digest and bytes (empty if the host does not have it). */
    record ChunkAnswer(Hash digest, byte[] block) {
        public ChunkAnswer {
            block = block.clone();
        }

        @Override
        public byte[] block() {
            return block.clone();
        }
    }

    /**
     * Tag 0x09: {@code verified} blocks hashed correctly; {@code failedChunks} did not (delete them and fetch again);
     * {@code lostFiles} are no longer held because of them; {@code addedFiles} are now held; {@code roundOpen}: the
     * round's sample still has unanswered chunks.
     */
    record StorageChecked(int verified, List<Hash> failedChunks, List<Hash> lostFiles, List<Hash> addedFiles, boolean roundOpen)
            implements EnclaveReply {
        public StorageChecked {
            failedChunks = List.copyOf(failedChunks);
            lostFiles = List.copyOf(lostFiles);
            addedFiles = List.copyOf(addedFiles);
        }
    }

    /** A file assigned to this provider and how far the watchdog has it. */
    record FileState(Hash file, long size, int state) {
        public static final int ASSIGNED = 0;
        public static final int ADDING = 1;
        public static final int HELD = 2;

        public String word() {
            return switch (state) {
                case HELD -> "held";
                case ADDING -> "verifying";
                default -> "assigned";
            };
        }
    }

    /**
     * Tag 0x0A: the watchdog's view: the current slot (-1: none yet), where it began and its length, the last slot it
     * reported, rounds completed this slot, blocks held, and the files assigned to it.
     */
    record StorageView(long slot, long slotStart, int slotBlocks, long lastReportedSlot, int roundsThisSlot, long heldBlocks,
                       List<FileState> files) implements EnclaveReply {
        public StorageView {
            files = List.copyOf(files);
        }
    }

    /** Tag 0x0B: the files the enclave's open W3A jobs still need, in job order. */
    record JobNeeds(List<JobFileNeed> files) implements EnclaveReply {
        public JobNeeds {
            files = List.copyOf(files);
        }
    }

    /** One file a job needs: the chain's file digest (a raw CID) and its stored size. */
    record JobFileNeed(long job, Hash file, long size) {}

    /**
     * Tag 0x0C: the computation benchmark: the outstanding request's block ({@code -1}: none) and the block to report
     * after, the work run for it so far ({@code iterations} in {@code millis} ms), and the enclave's running totals
     * of workload (what heartbeats report).
     */
    record BenchmarkProgress(long requestHeight, long untilHeight, long iterations, long millis, long totalIterations, long totalMillis)
            implements EnclaveReply {
        public boolean requested() {
            return requestHeight >= 0;
        }
    }

    /** Tag 0xFF: the call failed as a whole. */
    record Failure(EnclaveError reason, String message) implements EnclaveReply {}

    default byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(128);
        switch (this) {
            case Initialized i -> w.u8(0x01).bytes(i.info().encode()).u8(i.evidence().platformCode())
                    .bytes(i.evidence().quote()).bytes(i.evidence().collateral()).u64(i.syncedHeight() + 1);
            case Synced s -> {
                w.u8(0x02).u64(s.height() + 1).hash(s.hash());
                writeMessages(w, s.egress());
                w.bool(s.refusal().isPresent());
                s.refusal().ifPresent(x -> w.u64(x.height()).string(x.reason().code()).string(x.message()));
            }
            case QueryAnswer q -> w.u8(0x03).bytes(q.response);
            case Outcome o -> {
                w.u8(0x04).bool(o.outcome().isPresent());
                o.outcome().ifPresent(x -> x.write(w));
            }
            case Status s -> {
                w.u8(0x05);
                s.status().write(w);
            }
            case Done d -> w.u8(0x06);
            case Egress e -> {
                w.u8(0x07);
                writeMessages(w, e.messages());
            }
            case ChunkRequest c -> {
                w.u8(0x08).u32(c.digests().size());
                c.digests().forEach(w::hash);
            }
            case StorageChecked c -> {
                w.u8(0x09).u32(c.verified());
                writeHashes(w, c.failedChunks());
                writeHashes(w, c.lostFiles());
                writeHashes(w, c.addedFiles());
                w.bool(c.roundOpen());
            }
            case StorageView v -> {
                w.u8(0x0A).u64(v.slot() + 1).u64(v.slotStart()).u32(v.slotBlocks()).u64(v.lastReportedSlot() + 1).u32(v.roundsThisSlot())
                        .u64(v.heldBlocks()).u32(v.files().size());
                v.files().forEach(f -> w.hash(f.file()).u64(f.size()).u8(f.state()));
            }
            case JobNeeds j -> {
                w.u8(0x0B).u32(j.files().size());
                j.files().forEach(f -> w.u64(f.job()).hash(f.file()).u64(f.size()));
            }
            case BenchmarkProgress b -> w.u8(0x0C).u64(b.requestHeight() + 1).u64(b.untilHeight()).u64(b.iterations()).u64(b.millis())
                    .u64(b.totalIterations()).u64(b.totalMillis());
            case Failure f -> w.u8(0xFF).string(f.reason().code()).string(f.message());
        }
        return w.toByteArray();
    }

    private static void writeMessages(CanonicalWriter w, List<SignedWorkerMessage> messages) {
        w.u32(messages.size());
        messages.forEach(m -> w.bytes(m.encode()));
    }

    private static void writeHashes(CanonicalWriter w, List<Hash> hashes) {
        w.u32(hashes.size());
        hashes.forEach(w::hash);
    }

    private static List<Hash> readHashes(CanonicalReader r) {
        int n = r.u32("hash count");
        if (n > 1 << 24) {
            throw new MalformedException("too many hashes");
        }
        List<Hash> out = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            out.add(r.hash("hash"));
        }
        return out;
    }

    private static List<SignedWorkerMessage> readMessages(CanonicalReader r) {
        int n = r.u32("egress count");
        if (n > MAX_EGRESS) {
            throw new MalformedException("too many egress messages");
        }
        List<SignedWorkerMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(SignedWorkerMessage.decode(r.bytes(1024 * 1024, "egress message")));
        }
        return out;
    }

    /** @throws MalformedException if the bytes are not exactly one reply */
    static EnclaveReply decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8("reply");
        EnclaveReply reply = switch (tag) {
            case 0x01 -> new Initialized(WorkerInfo.decode(r.bytes(1024, "worker info")),
                    new AttestationEvidence(r.u8("platform"), r.bytes(AttestationEvidence.MAX_QUOTE, "quote"),
                            r.bytes(AttestationEvidence.MAX_COLLATERAL, "collateral")), r.u64("synced height") - 1);
            case 0x02 -> {
                long height = r.u64("height") - 1;
                Hash hash = r.hash("hash");
                List<SignedWorkerMessage> egress = readMessages(r);
                Optional<SyncRefusal> refusal = r.bool("refused")
                        ? Optional.of(new SyncRefusal(r.u64("refused height"), reason(BlockRefusal.class, r.string(64, "reason")),
                                r.string(4096, "message")))
                        : Optional.empty();
                yield new Synced(height, hash, egress, refusal);
            }
            case 0x03 -> new QueryAnswer(r.bytes(16 * 1024 * 1024, "response"));
            case 0x04 -> new Outcome(r.bool("has outcome") ? Optional.of(CommandOutcome.read(r)) : Optional.empty());
            case 0x05 -> new Status(EnclaveStatus.read(r));
            case 0x06 -> new Done();
            case 0x07 -> new Egress(readMessages(r));
            case 0x08 -> new ChunkRequest(readHashes(r));
            case 0x09 -> new StorageChecked(r.u32("verified"), readHashes(r), readHashes(r), readHashes(r), r.bool("round open"));
            case 0x0A -> {
                long slot = r.u64("slot") - 1;
                long start = r.u64("slot start");
                int blocks = r.u32("slot blocks");
                long reported = r.u64("last reported") - 1;
                int rounds = r.u32("rounds");
                long heldBlocks = r.u64("held blocks");
                int n = r.u32("files");
                if (n > 10_000_000) {
                    throw new MalformedException("too many files");
                }
                List<FileState> files = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    files.add(new FileState(r.hash("file"), r.u64("size"), r.u8("state")));
                }
                yield new StorageView(slot, start, blocks, reported, rounds, heldBlocks, files);
            }
            case 0x0B -> {
                int n = r.u32("files");
                if (n > 10_000_000) {
                    throw new MalformedException("too many files");
                }
                List<JobFileNeed> files = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    files.add(new JobFileNeed(r.u64("job"), r.hash("file"), r.u64("size")));
                }
                yield new JobNeeds(files);
            }
            case 0x0C -> new BenchmarkProgress(r.u64("request height") - 1, r.u64("until height"), r.u64("iterations"), r.u64("millis"),
                    r.u64("total iterations"), r.u64("total millis"));
            case 0xFF -> new Failure(reason(EnclaveError.class, r.string(64, "reason")), r.string(4096, "message"));
            default -> throw new MalformedException("unknown reply " + tag);
        };
        r.end("reply");
        return reply;
    }

    private static <E extends Enum<E>> E reason(Class<E> type, String word) {
        try {
            return Enum.valueOf(type, word);
        } catch (IllegalArgumentException e) {
            throw new MalformedException("unknown reason " + word);
        }
    }
}
