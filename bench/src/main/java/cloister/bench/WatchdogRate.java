package cloister.bench;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.MerkleTree;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import cloister.proto.Signature;
import cloister.proto.WorkerId;
import cloister.storage.chunk.ChunkedFile;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import cloister.worker.BlockData;
import cloister.worker.EnclaveCall;
import cloister.worker.EnclaveClient;
import cloister.worker.EnclaveHost;
import cloister.worker.EnclaveLoader;
import cloister.worker.EnclaveReply;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The storage watchdog inside a sim worker enclave, driven as a provider's host drives it ({@code ProviderService}):
 * every call crosses the real ecall boundary ({@link EnclaveClient}: the call encoded, decoded by the enclave, the
 * reply encoded and decoded back). A hand-built chain sealed by the dev authority (as the worker's {@code TestChain}
 * builds it) opens a storage slot and assigns the files to the enclave; the files are encrypted with
 * {@link ChunkedFile} into a map in memory. Timed, on one thread: adding every file (the enclave hashes the manifest
 * and every chunk, answered in batches of {@link EnclaveCall#MAX_ANSWERS}), and sampling rounds (the enclave draws
 * its sample, the host answers it). The reference, same run, same thread: plain SHA-256 over the same blocks —
 * every block must be hashed once, so that is the limit.
 */
final class WatchdogRate {
    private static final String NAME = "watchdog";
    private static final SigningKey AUTHORITY = DevKeys.get("alice");
    private static final int ADD_PASSES = 5;

    private WatchdogRate() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(NAME, args, Set.of("--size", "--files", "--seconds"), Set.of());
        if (o.help()) {
            System.out.println("Usage: ./cloister bench watchdog [--size MiB (64)] [--files N (4)] [--seconds S (5)]");
            System.out.println();
            System.out.println("Encrypts --files files of --size MiB of random bytes into memory (256 KiB chunks, not timed), assigns them");
            System.out.println("to a sim worker enclave through sealed blocks, then through the ecall boundary on 1 thread: adds every");
            System.out.println("file (the watchdog hashes the manifest and every chunk; " + ADD_PASSES + " passes, the files released and assigned");
            System.out.println("again between them, the best counts), and runs sampling rounds (max(0.5 %, 64) of the held blocks each)");
            System.out.println("for --seconds after a 1 s warm-up. Reference, same run: plain SHA-256 over the same blocks, 1 thread.");
            System.out.println("Each 64-answer call allocates ~0.1 GB of copies: on a VM whose memory is backed on first touch, the growing");
            System.out.println("heap slows the first seconds. Steadier: CLOISTER_JAVA_OPTS='-Xms3g -Xmx3g -XX:+AlwaysPreTouch'.");
            return;
        }
        int size = o.integer("--size", 64, 1, 4096);
        int files = o.integer("--files", 4, 1, 1000);
        int seconds = o.integer("--seconds", 5, 1, 600);
        long needed = (long) size * files << 20;
        if (needed > Runtime.getRuntime().maxMemory() / 2) {
            o.fail(Bench.f("--files × --size = %,d MiB of blocks kept in memory; this JVM's heap is %,d MiB (set -Xmx in"
                    + " CLOISTER_JAVA_OPTS)", needed >> 20, Runtime.getRuntime().maxMemory() >> 20));
        }
        Bench.quietLogs();
        Bench.run(NAME, () -> run(size, files, seconds));
    }

    /** The encrypted files: every block by digest, and each file's manifest and stored size. */
    private record Corpus(Map<Hash, byte[]> blocks, List<Hash> files, Map<Hash, byte[]> manifests, Map<Hash, Long> sizes,
                          long chunks, long chunkBytes) {}

    /** What the enclave said about a batch of answers, summed. */
    private record Tally(long verified, long bytes, List<Hash> added, boolean roundOpen) {}

    private static void run(int size, int files, int seconds) throws Exception {
        Bench.header("storage watchdog: blocks verified per second");
        Corpus corpus = encrypt(size, files);
        SealedChain chain = new SealedChain();
        EnclaveClient enclave = freshEnclave(chain.genesisHash());
        WorkerId me = enclave.status().identity();
        sync(enclave, chain.genesis());

        double[] limit = reference(corpus);

        // Block 1 opens slot 1 and assigns every file; each later pass releases and assigns them again in one block.
        List<InboundMessage> assign = new ArrayList<>();
        assign.add(new InboundMessage.StorageSlot(1, 1, 100, chain.genesisHash()));
        corpus.files().forEach(f -> assign.add(new InboundMessage.ReplicaAssigned(me, f, corpus.sizes().get(f))));
        double bestAdd = 0;
        double bestAddChunks = 0;
        for (int pass = 1; pass <= ADD_PASSES; pass++) {
            List<InboundMessage> messages = new ArrayList<>();
            if (pass > 1) {
                corpus.files().forEach(f -> messages.add(new InboundMessage.ReplicaReleased(me, f)));
            }
            messages.addAll(pass == 1 ? assign : assign.subList(1, assign.size()));
            sync(enclave, chain.next(messages));
            expectState(enclave, corpus, EnclaveReply.FileState.ASSIGNED);
            long chunks = 0;
            long bytes = 0;
            long t0 = System.nanoTime();
            for (Hash file : corpus.files()) {
                byte[] manifest = corpus.manifests().get(file);
                List<Hash> wanted = enclave.storageAdd(file, manifest);
                Tally t = answer(enclave, corpus, wanted);
                if (!t.added().equals(List.of(file))) {
                    throw new Bench.Failure("the watchdog did not hold file " + file.shortHex() + " after verifying its "
                            + wanted.size() + " chunks (added: " + t.added() + ")");
                }
                chunks += t.verified();
                bytes += manifest.length + t.bytes();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            expectState(enclave, corpus, EnclaveReply.FileState.HELD);
            if (chunks != corpus.chunks()) {
                throw new Bench.Failure("the watchdog verified " + chunks + " chunks; the files have " + corpus.chunks());
            }
            System.out.printf(Locale.ROOT, "  add pass %d: %,d chunks in %.2f s: %,.0f chunks/s, %,.0f MB/s%n", pass, chunks, s,
                    chunks / s, bytes / 1e6 / s);
            if (bytes / 1e6 / s > bestAdd) {
                bestAdd = bytes / 1e6 / s;
                bestAddChunks = chunks / s;
            }
        }

        System.out.printf(Locale.ROOT, "sampling rounds: 1 s warm-up, then %d s ...%n", seconds);
        rounds(enclave, corpus, 1);
        Rounds r = rounds(enclave, corpus, seconds);
        double roundMb = Arrays.stream(r.perSecondMb()).max().orElse(0);
        double bytesPerBlock = (double) r.bytes() / r.verified();
        double roundChunks = roundMb * 1e6 / bytesPerBlock;
        double[] sortedSeconds = r.perSecondMb().clone();
        Arrays.sort(sortedSeconds);
        double medianMb = sortedSeconds[sortedSeconds.length / 2];
        EnclaveReply.StorageView view = enclave.storageStatus();
        if (view.roundsThisSlot() < r.count()) {
            throw new Bench.Failure("the watchdog counts " + view.roundsThisSlot() + " complete rounds; the host finished " + r.count());
        }
        double codec = codecOnly(corpus);

        System.out.println();
        System.out.println("| measure (1 thread, sim enclave in process, every call through the ecall codec) | value |");
        System.out.println("|---|---|");
        Bench.row("files", Bench.f("%d × %d MiB random bytes → %,d chunks of 256 KiB + %d manifest(s), %,d bytes stored, held in memory",
                files, size, corpus.chunks(), files, corpus.sizes().values().stream().mapToLong(Long::longValue).sum()));
        Bench.row("add: StorageAdd(manifest) then StorageCheck in batches of " + EnclaveCall.MAX_ANSWERS + " until held",
                Bench.f("%,.0f chunks/s, %,.0f MB/s (best of %d passes)", bestAddChunks, bestAdd, ADD_PASSES));
        Bench.row(Bench.f("rounds: StorageRound then StorageCheck of its sample (%,d blocks held, %,.0f blocks a round)",
                view.heldBlocks(), (double) r.verified() / r.count()),
                Bench.f("%,.0f chunks/s, %,.0f MB/s (best second of %d; median second %,.0f MB/s, whole run %,.0f MB/s)", roundChunks,
                        roundMb, seconds, medianMb, r.bytes() / 1e6 / r.seconds()));
        Bench.row("rounds: time per round (StorageRound + StorageCheck)", Bench.f("p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d rounds)",
                Bench.quantileMillis(r.sorted(), 0.50), Bench.quantileMillis(r.sorted(), 0.99), Bench.quantileMillis(r.sorted(), 1.0),
                r.count()));
        Bench.row("reference: plain SHA-256 over the same chunks, 1 thread (MessageDigest, best of 3 passes)",
                Bench.f("%,.0f chunks/s, %,.0f MB/s", limit[0], limit[1]));
        Bench.row("(info) the ecall codec alone: StorageCheck of 64 answers built, encoded and decoded, no hashing",
                Bench.f("%,.0f MB/s", codec));
        Bench.row("(info) SHA-256 and the codec back to back, 1 ÷ (1/reference + 1/codec): the floor through this boundary",
                Bench.f("%,.0f MB/s", 1 / (1 / limit[1] + 1 / codec)));
        Bench.row("ratio: add ÷ reference", Bench.f("%.2f", bestAdd / limit[1]));
        Bench.row("ratio: rounds ÷ reference", Bench.f("%.2f", roundMb / limit[1]));
        System.out.println();
        System.out.println("notes: MB = 10^6 bytes of blocks hashed by the enclave (add: chunks + manifest; rounds: the sampled blocks,");
        System.out.println("  a manifest now and then). The enclave is the sim TEE in this process: a real enclave transition adds its");
        System.out.println("  own cost per call, but the bytes are copied and encoded across the boundary exactly as here. Add also");
        System.out.println("  seals the enclave's state once per file held (a checkpoint); rounds draw their sample with the enclave's randomness.");
        System.out.println("  The reference allocates nothing; the ecall path allocates every copy of every block, so a heap still growing into");
        System.out.println("  fresh memory (first touch is slow on a VM) costs it alone: see --help for a pre-touched heap.");
    }

    /** {@code files} files of {@code mib} MiB of random bytes, encrypted with {@link ChunkedFile} into memory. */
    private static Corpus encrypt(int mib, int files) throws Exception {
        System.out.printf(Locale.ROOT, "encrypting %d files of %d MiB of random bytes into memory (not timed) ...%n", files, mib);
        long size = mib * 1024L * 1024L;
        Map<Hash, byte[]> blocks = new HashMap<>();
        List<Hash> names = new ArrayList<>();
        Map<Hash, byte[]> manifests = new HashMap<>();
        Map<Hash, Long> sizes = new HashMap<>();
        byte[] plain = new byte[(int) size];
        Random random = new Random(1);
        long chunks = 0;
        long chunkBytes = 0;
        for (int i = 0; i < files; i++) {
            random.nextBytes(plain);
            ChunkedFile.Encrypted e = ChunkedFile.encrypt(new ByteArrayInputStream(plain), size, "file-" + i + ".bin",
                    "application/octet-stream", (cid, block) -> blocks.put(Hash.wrap(cid.digest()), block), ChunkedFile.Progress.NONE);
            Hash file = Hash.wrap(e.cid().digest());
            byte[] manifest = blocks.get(file);
            names.add(file);
            manifests.put(file, manifest);
            sizes.put(file, manifest.length + e.manifest().storedBytes());
            chunks += e.manifest().chunks().size();
            chunkBytes += e.manifest().storedBytes();
        }
        return new Corpus(blocks, List.copyOf(names), manifests, sizes, chunks, chunkBytes);
    }

    /** Work on the corpus's chunks that returns the bytes it went through. */
    private interface Pass {
        long run(List<Map.Entry<Hash, byte[]>> chunks) throws Exception;
    }

    /** The corpus's chunks (manifests left out), in a fixed order. */
    private static List<Map.Entry<Hash, byte[]>> chunks(Corpus corpus) {
        return corpus.blocks().entrySet().stream().filter(e -> !corpus.manifests().containsKey(e.getKey()))
                .sorted(Map.Entry.comparingByKey()).toList();
    }

    /** MB/s of {@code pass} on this thread: best of 3 timed passes of at least 0.25 s each, after one untimed. */
    private static double bestOf3(List<Map.Entry<Hash, byte[]>> chunks, Pass pass) throws Exception {
        double best = 0;
        for (int i = 0; i < 4; i++) {
            long bytes = 0;
            long t0 = System.nanoTime();
            do {
                bytes += pass.run(chunks);
            } while (System.nanoTime() - t0 < 250_000_000L);
            double rate = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            if (i > 0) { // the first pass warms the JIT up
                best = Math.max(best, rate);
            }
        }
        return best;
    }

    /** {chunks/s, MB/s}: SHA-256 of every chunk, compared with its digest, on this thread. */
    private static double[] reference(Corpus corpus) throws Exception {
        System.out.println("measuring the reference (plain SHA-256 over the same chunks, 1 thread) ...");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        double mb = bestOf3(chunks(corpus), chunks -> {
            long bytes = 0;
            for (Map.Entry<Hash, byte[]> e : chunks) {
                if (!MessageDigest.isEqual(sha.digest(e.getValue()), e.getKey().bytes())) {
                    throw new Bench.Failure("a chunk does not hash to its CID");
                }
                bytes += e.getValue().length;
            }
            return bytes;
        });
        return new double[] {mb * 1e6 / ((double) corpus.chunkBytes() / corpus.chunks()), mb};
    }

    /**
     * Timed rounds: count, blocks verified and bytes answered in all, the whole time, per-round nanoseconds (sorted), and
     * MB/s of each whole second (the best second is the figure: a shared machine's other work only ever slows one down).
     */
    private record Rounds(long count, long verified, long bytes, double seconds, long[] sorted, double[] perSecondMb) {}

    private static Rounds rounds(EnclaveClient enclave, Corpus corpus, int seconds) {
        long t0 = System.nanoTime();
        long[] nanos = new long[1024];
        double[] perSecond = new double[seconds];
        int count = 0;
        long verified = 0;
        long bytes = 0;
        for (int second = 0; second < seconds; second++) {
            long w0 = System.nanoTime();
            long end = t0 + (second + 1) * 1_000_000_000L;
            long windowBytes = 0;
            while (System.nanoTime() < end) {
                long r0 = System.nanoTime();
                List<Hash> sample = enclave.storageRound();
                Tally t = answer(enclave, corpus, sample);
                if (t.roundOpen() || t.verified() != sample.size()) {
                    throw new Bench.Failure("a round of " + sample.size() + " blocks verified " + t.verified()
                            + (t.roundOpen() ? " and is still open" : ""));
                }
                if (count == nanos.length) {
                    nanos = Arrays.copyOf(nanos, count * 2);
                }
                nanos[count++] = System.nanoTime() - r0;
                verified += t.verified();
                windowBytes += t.bytes();
            }
            bytes += windowBytes;
            perSecond[second] = windowBytes / 1e6 / ((System.nanoTime() - w0) / 1e9);
        }
        return new Rounds(count, verified, bytes, (System.nanoTime() - t0) / 1e9, Bench.sorted(Arrays.copyOf(nanos, count)), perSecond);
    }

    /** Answers {@code wanted} from the corpus in batches of {@link EnclaveCall#MAX_ANSWERS}, as the provider's host does. */
    private static Tally answer(EnclaveClient enclave, Corpus corpus, List<Hash> wanted) {
        long verified = 0;
        long bytes = 0;
        List<Hash> added = new ArrayList<>();
        boolean open = false;
        for (int i = 0; i < wanted.size(); i += EnclaveCall.MAX_ANSWERS) {
            List<EnclaveReply.ChunkAnswer> batch = new ArrayList<>(EnclaveCall.MAX_ANSWERS);
            for (Hash d : wanted.subList(i, Math.min(wanted.size(), i + EnclaveCall.MAX_ANSWERS))) {
                byte[] block = corpus.blocks().get(d);
                if (block == null) {
                    throw new Bench.Failure("the watchdog asked for block " + d.shortHex() + ", which no file has");
                }
                batch.add(new EnclaveReply.ChunkAnswer(d, block));
                bytes += block.length;
            }
            EnclaveReply.StorageChecked c = enclave.storageCheck(batch);
            if (!c.failedChunks().isEmpty() || !c.lostFiles().isEmpty()) {
                throw new Bench.Failure("the watchdog failed " + c.failedChunks().size() + " good blocks and lost "
                        + c.lostFiles().size() + " files");
            }
            verified += c.verified();
            added.addAll(c.addedFiles());
            open = c.roundOpen();
        }
        return new Tally(verified, bytes, added, open);
    }

    /** MB/s of the StorageCheck codec alone over the chunks, in batches of 64: answers built, call encoded and decoded. */
    private static double codecOnly(Corpus corpus) throws Exception {
        long[] sink = new long[1];
        double mb = bestOf3(chunks(corpus), chunks -> {
            long bytes = 0;
            for (int i = 0; i < chunks.size(); i += EnclaveCall.MAX_ANSWERS) {
                List<EnclaveReply.ChunkAnswer> batch = new ArrayList<>(EnclaveCall.MAX_ANSWERS);
                for (Map.Entry<Hash, byte[]> e : chunks.subList(i, Math.min(chunks.size(), i + EnclaveCall.MAX_ANSWERS))) {
                    batch.add(new EnclaveReply.ChunkAnswer(e.getKey(), e.getValue()));
                    bytes += e.getValue().length;
                }
                if (EnclaveCall.decode(new EnclaveCall.StorageCheck(batch).encode()) instanceof EnclaveCall.StorageCheck c) {
                    sink[0] += c.answers().size();
                }
            }
            return bytes;
        });
        Rates.sink = (int) sink[0];
        return mb;
    }

    private static void sync(EnclaveClient enclave, BlockData block) {
        EnclaveReply.Synced s = enclave.sync(List.of(block));
        if (s.refusal().isPresent()) {
            throw new Bench.Failure("the enclave refused block " + s.refusal().get().height() + ": " + s.refusal().get().message());
        }
    }

    /** Fails unless every file is assigned to the enclave in {@code state}. */
    private static void expectState(EnclaveClient enclave, Corpus corpus, int state) {
        EnclaveReply.StorageView v = enclave.storageStatus();
        long inState = v.files().stream().filter(f -> f.state() == state && corpus.sizes().containsKey(f.file())).count();
        if (inState != corpus.files().size()) {
            throw new Bench.Failure(Bench.f("%d of the %d files are in state %d in the watchdog's view (%s)", inState,
                    corpus.files().size(), state, v.files()));
        }
    }

    /**
     * A chain built by hand, as the worker's {@code TestChain}: genesis carries {@code AuthoritySet([alice])}, every
     * later block is sealed by alice and carries the worker messages given.
     */
    private static final class SealedChain {
        private static final Hash EMPTY_ROOT = MerkleTree.root(List.of());
        private final BlockData genesis;
        private final Hash genesisHash;
        private BlockHeader head;

        SealedChain() {
            List<InboundMessage> messages = List.of(new InboundMessage.AuthoritySet(List.of(AUTHORITY.account())));
            head = new BlockHeader(0, Hash.ZERO, 0, EMPTY_ROOT, Hash.ZERO, InboundMessage.root(messages), AccountId.of(new byte[32]),
                    Signature.EMPTY);
            genesis = BlockData.of(head, messages);
            genesisHash = head.hash();
        }

        Hash genesisHash() {
            return genesisHash;
        }

        BlockData genesis() {
            return genesis;
        }

        BlockData next(List<InboundMessage> messages) {
            long height = head.height() + 1;
            head = new BlockHeader(height, head.hash(), 1_700_000_000_000L + 1000 * height, EMPTY_ROOT, Hash.ZERO,
                    InboundMessage.root(messages), AUTHORITY.account(), Signature.EMPTY).sealedBy(AUTHORITY);
            return BlockData.of(head, messages);
        }
    }

    /** Sealed blobs in memory: the enclave checkpoints each time a file becomes held. */
    private static final class MemoryBlobs implements EnclaveHost {
        private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

        @Override
        public void store(String name, byte[] sealedBlob) {
            blobs.put(name, sealedBlob.clone());
        }

        @Override
        public Optional<byte[]> load(String name) {
            return Optional.ofNullable(blobs.get(name)).map(byte[]::clone);
        }
    }

    /** A fresh sim enclave (new machine, new keys), initialized for {@code genesis}. */
    private static EnclaveClient freshEnclave(Hash genesis) {
        SecureRandom random = new SecureRandom();
        SimAttestationRoot root = SimAttestationRoot.generate("cloister bench watchdog", random);
        SimPlatform platform = new SimPlatform(SimMachine.ephemeral(random), root,
                SimPlatform.measure(Sha256.digest("cloister bench watchdog".getBytes(StandardCharsets.US_ASCII)), "bench"),
                System::currentTimeMillis, random);
        EnclaveClient client = new EnclaveClient(EnclaveLoader.inProcess(platform, new MemoryBlobs()));
        client.init(genesis, DevKeys.get("bob").account(), "bench");
        return client;
    }
}
