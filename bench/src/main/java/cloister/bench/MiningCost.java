package cloister.bench;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.ChainRuntime;
import cloister.chain.runtime.SignatureVerifier;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.node.sim.MiningReport;
import cloister.node.sim.MiningSimulation;
import cloister.proto.Block;
import cloister.proto.InboundMessage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The runtime cost of the mining economics per block with many computing workers, against the chain's own floor and
 * the block interval. A {@link MiningSimulation} (a real Chain on RocksDB, workers registered with sim quotes, stake
 * pools, signed heartbeats) is set up with N workers; before they start computing, the same chain applies empty
 * blocks — the reference with no mining — and after, blocks carrying the heartbeats that the challenges cause. Each
 * proposed block is also re-executed by a fresh {@link ChainRuntime} (a validator importing it: every signature
 * verified, nothing memoized) against its parent state, timing {@code beginBlock} alone (budget, challenge windows,
 * new challenges, stake pools' dues) and the whole block.
 */
final class MiningCost {
    private static final String NAME = "mining";

    private MiningCost() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(NAME, args, Set.of("--workers", "--blocks", "--warmup", "--empty-blocks", "--config", "--pools"),
                Set.of());
        if (o.help()) {
            System.out.println("Usage: ./cloister bench mining [--workers N (10000)] [--blocks N (300)] [--warmup N (100)]");
            System.out.println("         [--empty-blocks N (300)] [--config production|devnet (production)] [--pools N (one per 50 workers)]");
            System.out.println();
            System.out.println("Sets up --workers computing workers through a real Chain on RocksDB (registered with sim TEE quotes, in stake");
            System.out.println("pools, started with stake k·√P), then times per block: beginBlock with the computation and stakepool modules,");
            System.out.println("and the whole block with the heartbeat transactions the challenges cause (a fresh runtime re-executes each");
            System.out.println("proposed block against its parent state, verifying every signature), and the Chain's propose + import.");
            System.out.println("Reference, same run: the same chain applying empty blocks before anyone computes, and the block interval");
            System.out.println("(devnet 1 s, production 12 s). Set-up time is reported separately.");
            return;
        }
        int workers = o.integer("--workers", 10_000, 1, 100_000);
        int blocks = o.integer("--blocks", 300, 1, 1_000_000);
        int warmup = o.integer("--warmup", 100, 0, 1_000_000);
        int emptyBlocks = o.integer("--empty-blocks", 300, 1, 1_000_000);
        int pools = o.integer("--pools", MiningSimulation.Options.defaultPools(workers), 1, workers);
        MiningSimulation.Network network = o.choice("--config", "production", "production", "devnet").equals("devnet")
                ? MiningSimulation.Network.DEVNET : MiningSimulation.Network.PRODUCTION;
        Bench.quietLogs();
        Bench.run(NAME, () -> run(workers, pools, blocks, warmup, emptyBlocks, network));
    }

    /** Per-block timings of one phase, in nanoseconds. */
    private static final class Phase {
        final long[] begin;
        final long[] whole;
        final long[] chain;
        long txs;
        long challenges;
        int n;

        Phase(int blocks) {
            begin = new long[blocks];
            whole = new long[blocks];
            chain = new long[blocks];
        }
    }

    private static void run(int workers, int pools, int blocks, int warmup, int emptyBlocks, MiningSimulation.Network network) throws Exception {
        Bench.header("mining runtime cost");
        Path dir = Bench.tempDir(NAME);
        try (MiningSimulation sim = MiningSimulation.open(dir.resolve("chain"),
                new MiningSimulation.Options(workers, pools, 0, 0, -1, 0.5, 1, network))) {
            System.out.printf(Locale.ROOT, "setting up %,d workers in %,d pools (%s constants) ...%n", workers, pools, network.word());
            long t0 = System.nanoTime();
            sim.registerWorkers();
            double registerSeconds = (System.nanoTime() - t0) / 1e9;
            long registeredAt = sim.chain().head().height();

            Phase empty = measure(sim, emptyBlocks);
            if (empty.txs > 0) {
                throw new Bench.Failure("the reference blocks carried " + empty.txs + " transactions; they should be empty");
            }

            long t1 = System.nanoTime();
            sim.startComputing();
            double startSeconds = (System.nanoTime() - t1) / 1e9;
            long startedAt = sim.chain().head().height();
            sim.run(warmup);
            Phase mining = measure(sim, blocks);
            MiningReport report = sim.report();

            System.out.println();
            System.out.printf(Locale.ROOT, "set-up: %,d workers registered (sim quotes verified on chain), added to %,d pools and benchmarked in"
                    + " %.1f s (%,d blocks); stake delegated and every worker started in %.1f s (%,d blocks)%n", workers, pools, registerSeconds,
                    registeredAt, startSeconds, startedAt - registeredAt - emptyBlocks);
            System.out.printf(Locale.ROOT, "measured: %,d empty blocks before computing started; %,d blocks after %,d warm-up blocks of"
                    + " computing: %.1f heartbeat transactions and %.1f new challenges a block%n", empty.n, mining.n, warmup,
                    (double) mining.txs / mining.n, (double) mining.challenges / mining.n);
            System.out.println();
            System.out.println("| per block (ms) | beginBlock | whole block (beginBlock + transactions, signatures verified) |"
                    + " Chain propose + import (state root, RocksDB) |");
            System.out.println("|---|---|---|---|");
            row("reference: empty block, nobody computing", empty);
            row(Bench.f("%,d computing workers", workers), mining);
            double miningMs = median(mining.whole);
            double chainMs = median(mining.chain);
            System.out.println();
            System.out.printf(Locale.ROOT, "mining over the empty-block reference: whole block %.2f ms vs %.2f ms (%.1f×); beginBlock %.3f ms vs"
                    + " %.3f ms%n", miningMs, median(empty.whole), miningMs / Math.max(1e-9, median(empty.whole)), median(mining.begin),
                    median(empty.begin));
            for (MiningSimulation.Network n : MiningSimulation.Network.values()) {
                System.out.printf(Locale.ROOT, "block interval %-10s %,6d ms: the mining block's runtime is %.3f %% of it, the Chain's propose"
                        + " + import %.3f %%%n", n.word(), n.blockMillis(), 100 * miningMs / n.blockMillis(), 100 * chainMs / n.blockMillis());
            }
            System.out.printf(Locale.ROOT, "reward conservation over the run (issued·10^18 = paid·10^18 + carry + Σ owed): %s; budget issued"
                    + " %s, paid %s%n", report.conserved() ? "exact" : "DIFFERS", cloister.common.Tokens.display(report.issued()),
                    cloister.common.Tokens.display(report.paid()));
            if (!report.consistent()) {
                throw new Bench.Failure("a check of the simulation failed: " + report.failures());
            }
        } finally {
            Bench.deleteRecursively(dir);
        }
    }

    private static void row(String name, Phase p) {
        System.out.printf(Locale.ROOT, "| %s | %.3f (p90 %.3f) | %.2f (p90 %.2f) | %.2f (p90 %.2f) |%n", name, median(p.begin),
                Bench.quantileMillis(Bench.sorted(p.begin), 0.9), median(p.whole), Bench.quantileMillis(Bench.sorted(p.whole), 0.9),
                median(p.chain), Bench.quantileMillis(Bench.sorted(p.chain), 0.9));
    }

    private static double median(long[] nanos) {
        return Bench.quantileMillis(Bench.sorted(nanos), 0.5);
    }

    /** Runs {@code blocks} blocks; each proposed block is re-executed by a fresh runtime against its parent state. */
    private static Phase measure(MiningSimulation sim, int blocks) {
        Phase p = new Phase(blocks);
        Hash genesis = sim.chain().info().genesisHash();
        for (int i = 0; i < blocks; i++) {
            long propose = sim.proposeNanos();
            long imported = sim.importNanos();
            int index = i;
            sim.step((Block block, StateReader parent, Hash parentHash) -> {
                // A validator that has not seen these transactions: nothing memoized.
                ChainRuntime fresh = new ChainRuntime(genesis, new SignatureVerifier(1024));
                long a = System.nanoTime();
                BlockState s = new BlockState(parent, block.height(), block.header().timestamp());
                fresh.beginBlock(s, parentHash);
                long b = System.nanoTime();
                ChainRuntime.BlockOutcome outcome = new ChainRuntime(genesis, new SignatureVerifier(1024))
                        .executeBlock(parent, parentHash, block.height(), block.header().timestamp(), block.transactions());
                long c = System.nanoTime();
                if (!(outcome instanceof ChainRuntime.Execution e)) {
                    throw new Bench.Failure("a fresh runtime refused block " + block.height() + ": " + outcome);
                }
                p.begin[index] = b - a;
                p.whole[index] = c - b;
                p.txs += block.transactions().size();
                p.challenges += e.state().workerMessages().stream().filter(m -> m instanceof InboundMessage.HeartbeatChallenge).count();
            });
            p.chain[i] = (sim.proposeNanos() - propose) + (sim.importNanos() - imported);
            p.n++;
        }
        return p;
    }
}
