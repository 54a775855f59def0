package cloister.bench;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.chain.ImportResult;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.MerkleTree;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import cloister.proto.Signature;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import cloister.worker.BlockData;
import cloister.worker.EnclaveClient;
import cloister.worker.EnclaveHost;
import cloister.worker.EnclaveLoader;
import cloister.worker.EnclaveReply;
import cloister.worker.host.ChainSource;
import cloister.worker.host.InProcessChainSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Worker sync: a fresh sim enclave replays a long chain of sealed blocks through its byte boundary (the
 * {@code Sync} ecall, in batches, as {@code WorkerHost.syncOnce} drives it), timed in blocks/s. The chain is built
 * through a real {@link cloister.chain.Chain} on RocksDB (dev authority alice proposes and imports each block) when
 * that fits the build budget, else synthesised as the worker's test-scope {@code SyncReplayBenchmark} does. The
 * reference, measured in the same run over the same headers, is the Ed25519 seal-verification rate on one core and
 * on all cores: every block's seal must be verified, so that is the physical limit of a replay.
 */
final class SyncReplay {
    private static final String NAME = "sync";
    private static final double GOAL = 10_000;
    private static final SigningKey AUTHORITY = DevKeys.get("alice");

    private SyncReplay() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(NAME, args, Set.of("--blocks", "--batch", "--source", "--build-budget"), Set.of());
        if (o.help()) {
            System.out.println("Usage: ./cloister bench sync [--blocks N (100000)] [--batch N (1000)] [--source auto|chain|synthetic (auto)]");
            System.out.println("         [--build-budget S (60)]");
            System.out.println();
            System.out.println("Builds --blocks sealed blocks, through a real Chain on RocksDB (empty blocks, proposed and imported by the");
            System.out.println("dev authority alice) or synthesised in memory (one block in ten carries a worker message); 'auto' builds");
            System.out.println("through the chain unless that is projected to take more than --build-budget seconds. Then replays them");
            System.out.println("into a fresh sim enclave through the Sync ecall in batches of --batch (WorkerHost's default: 1000),");
            System.out.println("against the Ed25519 seal-verification rate over the same headers on 1 core and on all cores.");
            return;
        }
        int blocks = o.integer("--blocks", 100_000, 1, 10_000_000);
        int batch = o.integer("--batch", 1000, 1, 10_000);
        String source = o.choice("--source", "auto", "auto", "chain", "synthetic");
        int budget = o.integer("--build-budget", 60, 1, 86_400);
        Bench.quietLogs();
        Bench.run(NAME, () -> run(blocks, batch, source, budget));
    }

    /** The blocks to replay, where they came from, and (for a real chain) the source a worker host reads them from. */
    private record Built(Hash genesis, List<BlockData> blocks, String how, double buildSeconds, Optional<ChainSource> source) {}

    private static void run(int blocks, int batch, String source, int budget) throws Exception {
        Bench.header("worker sync replay");
        Path dir = Bench.tempDir("sync");
        ChainNode node = null;
        try {
            Built built = null;
            if (!source.equals("synthetic")) {
                // A block time of 10 minutes keeps dev sealing out of the way: this thread proposes and imports every block.
                node = ChainNode.start(new ChainConfig(dir, 600_000, false, 1000, 20_000, false));
                built = buildThroughChain(node, blocks, source.equals("auto") ? budget : Integer.MAX_VALUE);
                if (built == null) {
                    node.close();
                    node = null;
                }
            }
            if (built == null) {
                built = synthesise(blocks);
            }
            run(built, blocks, batch);
        } finally {
            if (node != null) {
                node.close();
            }
            Bench.deleteRecursively(dir);
        }
    }

    /** Empty blocks proposed and imported by alice; null if the projected time exceeds {@code budgetSeconds}. */
    private static Built buildThroughChain(ChainNode node, int blocks, int budgetSeconds) {
        System.out.printf(Locale.ROOT, "building %,d empty blocks through cloister.chain.Chain (propose + import, RocksDB) ...%n", blocks);
        var chain = node.chain();
        long t0 = System.nanoTime();
        long startHeight = chain.head().height();
        for (int i = 1; i <= blocks; i++) {
            Block b = chain.propose(System.currentTimeMillis(), AUTHORITY);
            if (chain.importBlock(b) instanceof ImportResult.Rejected r) {
                throw new Bench.Failure("the chain refused its own block " + b.height() + ": " + r.reason().code() + ": " + r.message());
            }
            if (i == Math.min(blocks, 2_000) && i < blocks) {
                double projected = (System.nanoTime() - t0) / 1e9 * blocks / i;
                if (projected > budgetSeconds) {
                    System.out.printf(Locale.ROOT, "  projected %.0f s for %,d blocks, over the %d s budget: synthesising them instead%n",
                            projected, blocks, budgetSeconds);
                    return null;
                }
            }
            if (i % 20_000 == 0) {
                System.out.printf(Locale.ROOT, "  %,d blocks, %.1f s%n", i, (System.nanoTime() - t0) / 1e9);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (chain.head().height() != startHeight + blocks) {
            throw new Bench.Failure("the chain is at height " + chain.head().height() + " after building " + blocks + " blocks");
        }
        InProcessChainSource src = new InProcessChainSource(node.view(), node.submitter());
        List<BlockData> data = new ArrayList<>(blocks + 1);
        for (long from = 0; from <= blocks; from += 10_000) {
            data.addAll(src.blocks(from, Math.min(blocks, from + 9_999)));
        }
        return new Built(node.view().info().genesisHash(), data, Bench.f(
                "%,d sealed blocks built through cloister.chain.Chain on RocksDB in %.1f s (%,.0f blocks/s); empty: no transactions,"
                        + " no worker messages (the genesis block carries the authority set)", blocks, seconds, blocks / seconds), seconds,
                Optional.of(src));
    }

    /**
     * The chain as the worker's {@code TestChain} makes it: genesis carries {@code AuthoritySet([alice])}, every later
     * block is sealed by alice, and one in ten carries the authority set again (a worker message, so decoding and the
     * Merkle root are exercised). Headers are chained sequentially (a header's hash excludes its seal), then sealed in
     * parallel.
     */
    private static Built synthesise(int blocks) {
        System.out.printf(Locale.ROOT, "synthesising %,d sealed blocks in memory ...%n", blocks);
        long t0 = System.nanoTime();
        Hash emptyRoot = MerkleTree.root(List.of());
        List<InboundMessage> authority = List.of(new InboundMessage.AuthoritySet(List.of(AUTHORITY.account())));
        Hash withMessage = InboundMessage.root(authority);
        Hash withoutMessage = InboundMessage.root(List.of());
        BlockHeader[] headers = new BlockHeader[blocks + 1];
        headers[0] = new BlockHeader(0, Hash.ZERO, 0, emptyRoot, Hash.ZERO, withMessage, AccountId.of(new byte[32]), Signature.EMPTY);
        for (int h = 1; h <= blocks; h++) {
            headers[h] = new BlockHeader(h, headers[h - 1].hash(), 1_700_000_000_000L + 1000L * h, emptyRoot, Hash.ZERO,
                    h % 10 == 0 ? withMessage : withoutMessage, AUTHORITY.account(), Signature.EMPTY);
        }
        byte[] withList = InboundMessage.encodeList(authority);
        byte[] withoutList = InboundMessage.encodeList(List.of());
        List<BlockData> data = IntStream.rangeClosed(0, blocks).parallel()
                .mapToObj(h -> new BlockData((h == 0 ? headers[0] : headers[h].sealedBy(AUTHORITY)).encode(),
                        h % 10 == 0 ? withList : withoutList))
                .toList();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Built(headers[0].hash(), data, Bench.f("%,d sealed blocks synthesised in memory in %.1f s (as SyncReplayBenchmark:"
                + " one block in ten carries a worker message); not through a Chain or RocksDB", blocks, seconds), seconds, Optional.empty());
    }

    /** Sealed blobs in memory: the enclave checkpoints every 10,000 blocks. */
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
        SimAttestationRoot root = SimAttestationRoot.generate("cloister bench sync", random);
        SimPlatform platform = new SimPlatform(SimMachine.ephemeral(random), root,
                SimPlatform.measure(Sha256.digest("cloister bench sync".getBytes(StandardCharsets.US_ASCII)), "bench"),
                System::currentTimeMillis, random);
        EnclaveClient client = new EnclaveClient(EnclaveLoader.inProcess(platform, new MemoryBlobs()));
        client.init(genesis, DevKeys.get("bob").account(), "bench");
        return client;
    }

    private interface Batches {
        List<BlockData> get(long from, long to);
    }

    /** Replays blocks 0..{@code last} into {@code enclave} in batches; returns the wall time in ns. */
    private static long replay(EnclaveClient enclave, Batches batches, long last, int batch, Hash expectedHead) {
        long t0 = System.nanoTime();
        EnclaveReply.Synced s = null;
        for (long from = 0; from <= last; from += batch) {
            List<BlockData> b = batches.get(from, Math.min(last, from + batch - 1));
            s = enclave.sync(b);
            if (s.refusal().isPresent()) {
                EnclaveReply.SyncRefusal r = s.refusal().get();
                throw new Bench.Failure("the enclave refused block " + r.height() + ": " + r.reason().code() + ": " + r.message());
            }
        }
        long nanos = System.nanoTime() - t0;
        if (s == null || s.height() != last || !s.hash().equals(expectedHead)) {
            throw new Bench.Failure("the enclave ended at block " + (s == null ? -1 : s.height()) + ", expected " + last + " " + expectedHead.shortHex());
        }
        return nanos;
    }

    private static void run(Built built, int blocks, int batch) {
        List<BlockData> data = built.blocks();
        Hash head = BlockHeader.decode(data.get(blocks).header()).hash();
        int cores = Runtime.getRuntime().availableProcessors();

        int refCount = Math.min(blocks, 50_000);
        System.out.printf(Locale.ROOT, "measuring the reference: Ed25519 seal verification of %,d of these headers, 1 core and %d cores ...%n",
                refCount, cores);
        List<BlockHeader> headers = data.subList(1, refCount + 1).stream().map(d -> BlockHeader.decode(d.header())).toList();
        verifyAll(headers.subList(0, Math.min(refCount, 5_000)), false);
        double one = refCount / (verifyAll(headers, false) / 1e9);
        verifyAll(headers.subList(0, Math.min(refCount, 5_000)), true);
        double all = refCount / (verifyAll(headers, true) / 1e9);

        int warm = Math.min(blocks, 10_000);
        System.out.printf(Locale.ROOT, "warm-up: replaying %,d blocks into a throw-away enclave (not timed) ...%n", warm);
        replay(freshEnclave(built.genesis()), (f, t) -> data.subList((int) f, (int) t + 1), warm, batch,
                BlockHeader.decode(data.get(warm).header()).hash());

        long hostNanos = -1;
        long hostCpu = -1;
        if (built.source().isPresent()) {
            ChainSource src = built.source().get();
            System.out.printf(Locale.ROOT, "replaying %,d blocks as WorkerHost.syncOnce does (read each batch from RocksDB, Sync ecall) ...%n", blocks);
            EnclaveClient enclave = freshEnclave(built.genesis());
            long cpu0 = Bench.processCpuNanos();
            hostNanos = replay(enclave, src::blocks, blocks, batch, head);
            hostCpu = Bench.processCpuNanos() - cpu0;
        }
        System.out.printf(Locale.ROOT, "replaying %,d blocks from memory (Sync ecall only) ...%n", blocks);
        EnclaveClient enclave = freshEnclave(built.genesis());
        long cpu0 = Bench.processCpuNanos();
        long memNanos = replay(enclave, (f, t) -> data.subList((int) f, (int) t + 1), blocks, batch, head);
        long memCpu = Bench.processCpuNanos() - cpu0;

        double mem = (blocks + 1) / (memNanos / 1e9);
        double host = hostNanos < 0 ? -1 : (blocks + 1) / (hostNanos / 1e9);
        double headline = host > 0 ? host : mem;
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        Bench.row("chain", built.how());
        if (host > 0) {
            Bench.row(Bench.f("replay into a fresh sim enclave as WorkerHost.syncOnce does: read a batch of %d from RocksDB, Sync ecall", batch),
                    Bench.f("%,.0f blocks/s (%,d blocks in %.2f s, %.2f cores)", host, blocks + 1, hostNanos / 1e9, hostCpu / (double) hostNanos));
        }
        Bench.row(Bench.f("replay from memory, Sync ecall only (batches of %d)", batch),
                Bench.f("%,.0f blocks/s (%,d blocks in %.2f s, %.2f cores)", mem, blocks + 1, memNanos / 1e9, memCpu / (double) memNanos));
        Bench.row("reference: Ed25519 seal verification, 1 core", Bench.f("%,.0f blocks/s", one));
        Bench.row(Bench.f("reference: Ed25519 seal verification, all %d cores", cores), Bench.f("%,.0f blocks/s", all));
        Bench.row("ratio: replay ÷ all-core seal verification" + (host > 0 ? " (RocksDB path / memory)" : ""),
                host > 0 ? Bench.f("%.2f / %.2f", host / all, mem / all) : Bench.f("%.2f", mem / all));
        Bench.row(Bench.f("goal: ≥ %,.0f blocks/s", GOAL), Bench.f("%,.0f blocks/s — goal %s", headline, headline >= GOAL ? "met" : "MISSED"));
        Bench.row("(info) Phala's relayer (pherry) is reported at ~10 blocks/s (not measured here)", Bench.f("%,.0f× that", headline / 10));
        System.out.println();
        System.out.println("notes: each block costs the enclave a header decode, one Ed25519 seal verification (in parallel over the batch),");
        System.out.println("  the worker-messages Merkle root, then the in-order checks (height, parent hash, authority) and applying its");
        System.out.println("  messages; it checkpoints its sealed state every 10,000 blocks. Timed from the first Sync ecall to the last reply,");
        System.out.println("  after a warm-up replay into another enclave. The reference verifies the same seals with nothing else to do.");
    }

    /** Verifies every seal, sequentially or over all cores; returns the nanoseconds taken. */
    private static long verifyAll(List<BlockHeader> headers, boolean parallel) {
        long t0 = System.nanoTime();
        IntStream range = IntStream.range(0, headers.size());
        boolean ok = (parallel ? range.parallel() : range).allMatch(i -> headers.get(i).verifySeal());
        long nanos = System.nanoTime() - t0;
        if (!ok) {
            throw new Bench.Failure("a block seal does not verify");
        }
        return nanos;
    }
}
