package cloister.node.sim;

import cloister.chain.runtime.computation.MiningState;
import cloister.common.Tokens;
import cloister.tee.Platform;
import java.io.PrintStream;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a {@link MiningSimulation} shows: per group of workers (online/offline × fast/slow) the mean score P, V when
 * computing started and now, rewards paid to the pool and heartbeats, with the states they ended in; the module's
 * totals with the exact conservation identity; cross-checks of the events against state; and the time taken.
 * Amounts are in units (10^-9 CLO).
 *
 * @param issuedScaled    the budget issued × 10^18
 * @param accountedScaled paid × 10^18 + carry + Σ over workers (pending × 10^18 + frac + share × (acc − accAt))
 * @param minted          the growth of the total issuance since genesis (mining mints nothing else)
 * @param poolMismatches  pools whose account balance differs from their recorded stake
 * @param overpaid        workers whose reward events exceed their accepted heartbeats, or disagree with their record
 */
public record MiningReport(MiningSimulation.Options options, long startHeight, long height, long blocks, List<Group> groups, long issued,
                           long paid, long eventToPool, long eventToTreasury, long recordRewards, BigInteger issuedScaled,
                           BigInteger accountedScaled, long minted, long poolMismatches, long overpaid, long failedTxs, long refusedMessages,
                           List<String> failures, long setupNanos, long runNanos, long runCpuNanos, long proposeNanos, long importNanos, long reactNanos,
                           long blockMillis) {
    public MiningReport {
        groups = List.copyOf(groups);
        failures = List.copyOf(failures);
    }

    /** One group of workers; means are rounded down (units, P), per worker. */
    public record Group(String name, int count, long meanScore, long meanVStart, long meanVEnd, long meanRewards, double meanHeartbeats,
                        double meanChallenges, Map<MiningState, Integer> states) {
        public Group {
            states = Map.copyOf(states);
        }
    }

    public Group group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    /** issued·10^18 = paid·10^18 + carry + Σ(pending·10^18 + frac + share·(acc − accAt)), exactly. */
    public boolean conserved() {
        return issuedScaled.equals(accountedScaled);
    }

    /** Every cross-check holds: conservation, events = records, minted = paid, pools balanced, nobody overpaid, no failures. */
    public boolean consistent() {
        return conserved() && eventToPool == recordRewards && eventToPool + eventToTreasury == paid && minted == paid && poolMismatches == 0
                && overpaid == 0 && failedTxs == 0 && refusedMessages == 0;
    }

    public void print(PrintStream out) {
        MiningSimulation.Options o = options;
        out.printf(Locale.ROOT, "Mining simulation: %,d workers in %,d stake pools, %s constants (a block every %.0f s), %,d blocks of computing"
                        + " (blocks %,d..%,d)%n", o.workers(), o.pools(), o.network().word(), blockMillis / 1000.0, blocks, startHeight + 1,
                height);
        out.printf(Locale.ROOT, "offline: %.0f %% of the workers stop answering after %,d blocks%s; fast machines: %.0f %%; seed %d%n",
                100 * o.offlineFraction(), o.offlineAfter(), o.rejoinAfter() < 0 ? "" : String.format(Locale.ROOT,
                        " and answer again after %,d", o.rejoinAfter()), 100 * o.fastFraction(), o.seed());
        out.println("workers attest with the sim TEE: " + Platform.SIM_WARNING);
        out.println();
        out.printf(Locale.ROOT, "%-13s %7s %7s %13s %13s %15s %10s %10s  %s%n", "group", "workers", "mean P", "mean V start", "mean V end",
                "mean rewards", "heartbeats", "challenges", "states at the end");
        out.printf(Locale.ROOT, "%-13s %7s %7s %13s %13s %15s %10s %10s%n", "", "", "", "(CLO)", "(CLO)", "(CLO, to pool)", "answered",
                "received");
        for (Group g : groups) {
            out.printf(Locale.ROOT, "%-13s %,7d %,7d %,13.1f %,13.1f %,15.1f %,10.1f %,10.1f  %s%n", g.name(), g.count(), g.meanScore(),
                    clo(g.meanVStart()), clo(g.meanVEnd()), clo(g.meanRewards()), g.meanHeartbeats(), g.meanChallenges(), states(g));
        }
        out.println();
        Group fast = group("online-fast");
        Group slow = group("online-slow");
        if (fast.count() > 0 && slow.count() > 0 && slow.meanRewards() > 0) {
            out.printf(Locale.ROOT, "online fast workers earned %.2f× what online slow ones did (mean P %.2f×)%n",
                    (double) fast.meanRewards() / slow.meanRewards(), (double) fast.meanScore() / Math.max(1, slow.meanScore()));
        }
        out.printf(Locale.ROOT, "budget issued    %s%n", Tokens.display(issued));
        out.printf(Locale.ROOT, "paid             %s: %s to pools, %s to the treasury%n", Tokens.display(paid), Tokens.display(eventToPool),
                Tokens.display(eventToTreasury));
        out.printf(Locale.ROOT, "accrued, unpaid  %s (paid at each worker's next heartbeat)%n", Tokens.display(issued - paid));
        out.printf(Locale.ROOT, "conservation     issued·10^18 = %s%n", issuedScaled);
        out.printf(Locale.ROOT, "                 paid·10^18 + carry + Σ(pending·10^18 + frac + share·(acc − accAt)) = %s: %s%n", accountedScaled,
                conserved() ? "exact" : "DIFFERS by " + issuedScaled.subtract(accountedScaled));
        out.printf(Locale.ROOT, "checks           reward events = miner records: %s; paid = to pools + to treasury: %s; minted since genesis"
                        + " = paid: %s; pool balances = pool stake: %s; nobody paid beyond its heartbeats: %s; failed transactions: %d;"
                        + " refused worker messages: %d%n", yes(eventToPool == recordRewards), yes(eventToPool + eventToTreasury == paid),
                yes(minted == paid), yes(poolMismatches == 0), yes(overpaid == 0), failedTxs, refusedMessages);
        for (String f : failures) {
            out.println("                 " + f);
        }
        double runSeconds = runNanos / 1e9;
        out.printf(Locale.ROOT, "time             set-up %.1f s (pools, registrations with sim quotes, benchmarks, delegation, start: %,d"
                + " blocks); %,d blocks in %.1f s (%,.0f blocks/s), using %.1f s of CPU (%.1f of %d cores on average)%n", setupNanos / 1e9,
                startHeight, blocks, runSeconds, blocks / Math.max(1e-9, runSeconds), runCpuNanos / 1e9,
                runCpuNanos / (double) Math.max(1, runNanos), Runtime.getRuntime().availableProcessors());
        if (blocks > 0) {
            out.printf(Locale.ROOT, "                 per block: propose %.2f ms, import (state root, RocksDB commit) %.2f ms, workers reading"
                            + " the block and answering (Ed25519 signing, pool submission) %.2f ms%n", proposeNanos / 1e6 / blocks,
                    importNanos / 1e6 / blocks, reactNanos / 1e6 / blocks);
        }
    }

    private static String states(Group g) {
        return g.states().entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey().word() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static double clo(long units) {
        return units / (double) Tokens.UNITS_PER_TOKEN;
    }

    private static String yes(boolean ok) {
        return ok ? "yes" : "NO";
    }
}
