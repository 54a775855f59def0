package cloister.node.api;

import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.computation.Miner;
import cloister.chain.runtime.computation.MiningConfig;
import cloister.chain.runtime.computation.MiningState;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.chain.store.StateReader;
import cloister.crypto.AccountId;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.WorkerId;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * JSON shapes of mining: the module's constants and totals, each worker's mining record (V brought forward to the
 * head), stake pools with their workers and withdrawal queue, a delegator's position, and a worker's history rebuilt
 * from the chain's events. Token amounts (stake, V, share, rewards) are strings of units with a {@code *CLO} twin; pool
 * shares are strings of share units (a pool's first delegation buys one share unit per token unit).
 */
final class MiningViews {
    private MiningViews() {}

    /** Millionths as a percentage without trailing zeros: 150000 → "15", 12345 → "1.2345". */
    static String percent(int ppm) {
        return BigDecimal.valueOf(ppm, 4).stripTrailingZeros().toPlainString();
    }

    /** A 10^-18 fixed-point rate as a decimal string. */
    static String fixed(long value) {
        return BigDecimal.valueOf(value, 18).stripTrailingZeros().toPlainString();
    }

    /** Units of stake per share unit, to 9 decimals ("1" for a pool without shares: its first delegation's price). */
    static String sharePrice(StakePools.Pool p) {
        if (p.totalShares() == 0) {
            return "1";
        }
        return BigDecimal.valueOf(p.totalStake()).divide(BigDecimal.valueOf(p.totalShares()), 9, RoundingMode.DOWN).stripTrailingZeros()
                .toPlainString();
    }

    static ObjectNode summary(StateReader s, long head) {
        MiningConfig c = Computation.config(s);
        Computation.Totals t = Computation.totals(s);
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("head", head);
        ObjectNode cfg = n.putObject("config");
        cfg.put("blocksPerHour", c.blocksPerHour()).put("benchmarkBlocks", c.benchmarkBlocks()).put("scorePerIps", c.scorePerIps())
                .put("scoreCap", c.scoreCap());
        JsonViews.amount(cfg, "minStakePerSqrtP", c.minStakePerSqrtP());
        cfg.put("stakeMultiplierMillis", c.stakeMultiplier());
        ArrayNode conf = cfg.putArray("confidenceScoresMillis");
        for (int x : c.confidenceScores()) {
            conf.add(x);
        }
        JsonViews.amount(cfg, "costPerScore", c.costPerScore());
        JsonViews.amount(cfg, "vMax", c.vMax());
        cfg.put("growthPerBlock", fixed(c.growthPerBlock())).put("slashPerBlock", fixed(c.slashPerBlock()))
                .put("challengeTarget", c.challengeTarget()).put("challengeMinPeriod", c.challengeMinPeriod())
                .put("challengeWindow", c.challengeWindow());
        JsonViews.amount(cfg, "budgetPerBlock", c.budgetPerBlock());
        JsonViews.amount(cfg, "budgetNow", c.budgetAt(head));
        cfg.put("halvingBlocks", c.halvingBlocks()).put("halvingDiscountMillis", c.halvingDiscount())
                .put("treasuryShareMillis", c.treasuryShare()).put("cooldownBlocks", c.cooldownBlocks())
                .put("withdrawGraceBlocks", c.withdrawGraceBlocks());
        JsonViews.amount(cfg, "storageRewardPerGiB", c.storageRewardPerGiB());
        ObjectNode tot = n.putObject("totals");
        JsonViews.amount(tot, "sumShares", t.sumShares());
        tot.put("computing", t.computing());
        JsonViews.amount(tot, "issued", t.issued());
        JsonViews.amount(tot, "paid", t.paid());
        n.put("workers", miners(s).size()).put("pools", StakePools.poolCount(s));
        return n;
    }

    /** Every registered worker that has a mining record, in registration order. */
    static List<Miner> miners(StateReader s) {
        List<Miner> out = new ArrayList<>();
        for (WorkerId id : Registry.workers(s)) {
            Computation.miner(s, id).ifPresent(out::add);
        }
        return out;
    }

    static ObjectNode workers(StateReader s, long head) {
        ObjectNode n = JsonViews.JSON.createObjectNode().put("head", head);
        ArrayNode a = n.putArray("workers");
        MiningConfig c = Computation.config(s);
        Computation.Totals t = Computation.totals(s);
        for (Miner m : miners(s)) {
            a.add(miner(s, c, t, head, m));
        }
        return n;
    }

    /**
     * One worker's mining record. {@code v} is V brought forward to the head (grown while idle, slashed while
     * unresponsive); {@code accrued} is what it has earned since its last payout and would be paid at its next
     * heartbeat (before the treasury's share).
     */
    static ObjectNode miner(StateReader s, MiningConfig c, Computation.Totals t, long head, Miner m) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", m.worker().hex()).put("short", m.worker().hex().substring(0, 16));
        Optional<WorkerRecord> w = Registry.worker(s, m.worker());
        w.ifPresent(r -> n.put("operator", r.info().operator().address()).put("confidenceLevel", r.confidenceLevel())
                .put("gatekeeper", r.gatekeeper()));
        Optional<Long> pool = StakePools.poolOf(s, m.worker());
        if (pool.isPresent()) {
            n.put("pool", pool.get());
        } else {
            n.putNull("pool");
        }
        n.put("state", m.state().word()).put("score", m.score()).put("instantScore", m.instantScore())
                .put("iterationsPerSecond", m.ips());
        if (m.benchRequest() >= 0) {
            n.putObject("benchmarkRequested").put("at", m.benchRequest()).put("until", m.benchUntil());
        } else {
            n.putNull("benchmarkRequested");
        }
        JsonViews.amount(n, "v", m.valueAt(c, head));
        JsonViews.amount(n, "vInit", m.vInit());
        JsonViews.amount(n, "vLastPayout", m.vLast());
        JsonViews.amount(n, "stake", m.stake());
        JsonViews.amount(n, "minimumStake", Computation.minimumStake(c, m.score()));
        JsonViews.amount(n, "share", m.share());
        JsonViews.amount(n, "accrued", accrued(m, t));
        JsonViews.amount(n, "rewards", m.rewards());
        JsonViews.amount(n, "storageRewards", m.storageRewards());
        JsonViews.amount(n, "rewardsTotal", m.rewards() + m.storageRewards());
        n.put("heartbeats", m.heartbeats());
        if (m.challenge() >= 0) {
            n.putObject("challenge").put("issuedAt", m.challenge()).put("deadline", m.challenge() + c.challengeWindow());
        } else {
            n.putNull("challenge");
        }
        putHeight(n, "unresponsiveSince", m.unresponsiveAt());
        putHeight(n, "coolingUntil", m.state() == MiningState.COOLING_DOWN ? m.coolingUntil() : -1);
        n.put("forcedStop", m.forced());
        putHeight(n, "startedAt", m.computing() || m.state() == MiningState.COOLING_DOWN ? m.startedAt() : -1);
        n.put("contracts", m.contracts());
        return n;
    }

    /** Units accrued and not yet paid: settled {@code pending} plus {@code share × (acc − accAt)} while idle. */
    static long accrued(Miner m, Computation.Totals t) {
        if (m.state() != MiningState.IDLE) {
            return m.pending();
        }
        BigInteger owed = BigInteger.valueOf(m.share()).multiply(t.acc().subtract(m.accAt())).add(BigInteger.valueOf(m.frac()));
        return Math.addExact(m.pending(), owed.divide(Computation.SCALE).longValueExact());
    }

    private static void putHeight(ObjectNode n, String field, long height) {
        if (height >= 0) {
            n.put(field, height);
        } else {
            n.putNull(field);
        }
    }

    // ---------------------------------------------------------------- pools

    static ObjectNode pools(StateReader s, long head) {
        ObjectNode n = JsonViews.JSON.createObjectNode().put("head", head);
        ArrayNode a = n.putArray("pools");
        MiningConfig c = Computation.config(s);
        long count = StakePools.poolCount(s);
        for (long id = 1; id <= count; id++) {
            StakePools.pool(s, id).ifPresent(p -> a.add(pool(s, c, head, p)));
        }
        return n;
    }

    /**
     * A pool: its stake (free for new workers and withdrawals, locked by computing or cooling workers), shares and
     * share price, workers with their state, and the withdrawal queue with each entry's present value and the block
     * at which, still waiting, it forces the pool to stop workers.
     */
    static ObjectNode pool(StateReader s, MiningConfig c, long head, StakePools.Pool p) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", p.id()).put("owner", p.owner().address()).put("account", p.account().address()).put("commissionPpm", p.commission())
                .put("commissionPercent", percent(p.commission()));
        JsonViews.amount(n, "totalStake", p.totalStake());
        JsonViews.amount(n, "freeStake", p.freeStake());
        JsonViews.amount(n, "lockedStake", p.lockedStake());
        n.put("totalShares", Long.toString(p.totalShares())).put("sharePrice", sharePrice(p));
        long rewards = 0;
        ArrayNode ws = n.putArray("workers");
        for (WorkerId w : p.workers()) {
            ObjectNode x = ws.addObject().put("id", w.hex()).put("short", w.hex().substring(0, 16));
            Optional<Miner> m = Computation.miner(s, w);
            if (m.isPresent()) {
                x.put("state", m.get().state().word()).put("score", m.get().score());
                JsonViews.amount(x, "stake", m.get().stake());
                JsonViews.amount(x, "v", m.get().valueAt(c, head));
                rewards += m.get().rewards() + m.get().storageRewards();
            }
        }
        JsonViews.amount(n, "rewardsReceived", rewards);
        ArrayNode q = n.putArray("withdrawalQueue");
        long queued = 0;
        for (StakePools.Withdrawal w : p.queue()) {
            ObjectNode x = q.addObject().put("who", w.who().address()).put("shares", Long.toString(w.shares()));
            JsonViews.amount(x, "value", p.value(w.shares()));
            x.put("queuedAt", w.queuedAt()).put("forcesStopAt", w.queuedAt() + c.withdrawGraceBlocks());
            queued += w.shares();
        }
        n.put("queuedShares", Long.toString(queued));
        return n;
    }

    /** {@code who}'s position in a pool: shares, their value now, and how many wait in the withdrawal queue. */
    static ObjectNode delegator(StateReader s, StakePools.Pool p, AccountId who) {
        long shares = StakePools.shares(s, p.id(), who);
        long queued = p.queue().stream().filter(q -> q.who().equals(who)).mapToLong(StakePools.Withdrawal::shares).sum();
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("pool", p.id()).put("account", who.address()).put("owner", p.owner().equals(who)).put("shares", Long.toString(shares))
                .put("queuedShares", Long.toString(queued)).put("withdrawableShares", Long.toString(Math.max(0, shares - queued)))
                .put("sharePrice", sharePrice(p));
        JsonViews.amount(n, "value", p.value(shares));
        return n;
    }

    // ---------------------------------------------------------------- history

    /** A worker's event as found while scanning blocks back from the head. */
    record Found(long height, Event event) {}

    /** Whether {@code e} is one of the events a worker's history shows (heartbeat challenges are left out: too many). */
    static boolean concerns(Event e, WorkerId w) {
        return switch (e) {
            case Event.WorkerBenchmarked x -> x.worker().equals(w);
            case Event.ComputingStarted x -> x.worker().equals(w);
            case Event.MiningReward x -> x.worker().equals(w);
            case Event.WorkerUnresponsive x -> x.worker().equals(w);
            case Event.WorkerRecovered x -> x.worker().equals(w);
            case Event.ComputingStopped x -> x.worker().equals(w);
            case Event.StakeReclaimed x -> x.worker().equals(w);
            case Event.StorageReward x -> x.worker().equals(w);
            default -> false;
        };
    }

    /**
     * Scans the events of blocks {@code head} down to {@code head − scanBlocks + 1} (not below 0) for {@code worker}'s,
     * keeping the newest {@code limit}.
     *
     * @return newest first
     */
    static List<Found> scan(LongFunction<List<EventRecord>> events, long head, WorkerId worker, int limit, long scanBlocks) {
        List<Found> out = new ArrayList<>();
        long lowest = Math.max(0, head - scanBlocks + 1);
        for (long h = head; h >= lowest && out.size() < limit; h--) {
            List<EventRecord> evs = events.apply(h);
            for (int i = evs.size() - 1; i >= 0 && out.size() < limit; i--) {
                if (concerns(evs.get(i).event(), worker)) {
                    out.add(new Found(h, evs.get(i).event()));
                }
            }
        }
        return out;
    }

    /**
     * The history as the dashboard draws it, oldest first: at each event the worker's state, V, P and rewards total
     * after it. Rewards totals are exact (counted back from the current total); state, V and P are carried forward
     * from the events that set them — null where the scanned window does not show them yet (e.g. V before the first
     * event that reports it).
     *
     * @param found       newest first, as {@link #scan} returns it
     * @param scannedFrom the lowest block whose events were examined
     */
    static ObjectNode history(Miner current, long head, List<Found> found, long scannedFrom, boolean truncated) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("worker", current.worker().hex()).put("head", head).put("scannedFrom", scannedFrom).put("truncated", truncated)
                .put("state", current.state().word()).put("score", current.score());
        int size = found.size();
        long[] rewardsAfter = new long[size];
        long total = current.rewards() + current.storageRewards();
        boolean anyState = false;
        boolean anyBench = false;
        for (int i = 0; i < size; i++) {
            rewardsAfter[i] = total;
            Event e = found.get(i).event();
            total -= switch (e) {
                case Event.MiningReward r -> r.toPool();
                case Event.StorageReward r -> r.toPool();
                default -> 0L;
            };
            anyState |= stateAfter(e) != null;
            anyBench |= e instanceof Event.WorkerBenchmarked;
        }
        String state = anyState ? null : current.state().word();
        Integer p = anyBench ? null : current.score();
        Long v = null;
        ArrayNode a = n.putArray("entries");
        for (int i = size - 1; i >= 0; i--) {
            Found f = found.get(i);
            Event e = f.event();
            String s = stateAfter(e);
            if (s != null) {
                state = s;
            }
            switch (e) {
                case Event.WorkerBenchmarked b -> p = b.score();
                case Event.ComputingStarted x -> v = x.v();
                case Event.MiningReward x -> v = x.v();
                case Event.WorkerUnresponsive x -> v = x.v();
                case Event.WorkerRecovered x -> v = x.v();
                default -> { }
            }
            ObjectNode x = a.addObject().put("height", f.height()).put("event", e.type());
            if (state == null) {
                x.putNull("state");
            } else {
                x.put("state", state);
            }
            if (v == null) {
                x.putNull("v");
                x.putNull("vCLO");
            } else {
                JsonViews.amount(x, "v", v);
            }
            if (p == null) {
                x.putNull("p");
            } else {
                x.put("p", p);
            }
            JsonViews.amount(x, "rewardsTotal", rewardsAfter[i]);
            x.set("fields", JsonViews.eventFields(e));
        }
        return n;
    }

    /** The state word an event leaves the worker in, or null if it does not change the state. */
    static String stateAfter(Event e) {
        MiningState s = switch (e) {
            case Event.ComputingStarted x -> MiningState.IDLE;
            case Event.MiningReward x -> MiningState.IDLE;
            case Event.WorkerRecovered x -> MiningState.IDLE;
            case Event.WorkerUnresponsive x -> MiningState.UNRESPONSIVE;
            case Event.ComputingStopped x -> MiningState.COOLING_DOWN;
            case Event.StakeReclaimed x -> MiningState.READY;
            default -> null;
        };
        return s == null ? null : s.word();
    }
}
