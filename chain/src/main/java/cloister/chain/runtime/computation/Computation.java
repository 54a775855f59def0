package cloister.chain.runtime.computation;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.DispatchError;
import cloister.proto.Event;
import cloister.proto.InboundMessage;
import cloister.proto.MiningCall;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code computation} runtime module (state prefix 0x06): mining. Constants: {@link MiningConfig}; the formulas
 * and their source: {@code docs/mining.md}.
 *
 * <p>Registration asks the worker to benchmark; its signed report gives P. A pool's owner starts the worker with stake
 * ≥ k·√P from the pool's free stake; its initial V is f(R, conf)·(S + C). While computing, every block:
 * <ol>
 *   <li>the block's budget is split by share √(V² + (2·P_t·conf)²) among the idle (computing, responsive) workers —
 *   in O(1), through an accumulator: budget × 10^18 ÷ Σshare is added to {@code acc} and the remainder carried to the
 *   next block, so a worker's accrued reward is {@code share × (acc − accAt)} exactly;</li>
 *   <li>workers whose challenge window closed without a heartbeat become unresponsive (they leave Σshare; V falls);</li>
 *   <li>new challenges are drawn: from seed = SHA-256("cloister/heartbeat/v1" ‖ parent hash ‖ u64 height), a stream of
 *   u64 words SHA-256(seed ‖ u64 counter) picks min(target, N/period) workers (the fraction by one more draw) out of
 *   the N computing ones, so each is challenged with probability ≈ min(target/N, 1/period) — the parent hash is the
 *   chain's randomness: every node derives the same challenges, nobody picks them.</li>
 * </ol>
 * A heartbeat (a signed worker message) in the window brings V forward, pays the accrued reward — 80 % to the pool,
 * 20 % to the treasury — and lowers V by the payout down to its level at the last payout (Phala's rule), then
 * re-evaluates the share with the new V and the instant score P_t the heartbeat reports. Shares are therefore
 * re-evaluated at heartbeats, not every block: that keeps the per-block cost independent of the number of workers.
 */
public final class Computation {
    private static final byte[] CONFIG = {0x06, 0x01};
    private static final byte[] GLOBAL = {0x06, 0x02};
    private static final byte[] MINER = {0x06, 0x10};
    private static final byte[] INDEX = {0x06, 0x11};
    private static final byte[] CHALLENGE_DUE = {0x06, 0x12};
    private static final byte[] RECLAIM_DUE = {0x06, 0x13};
    private static final byte[] SEED_DOMAIN = "cloister/heartbeat/v1".getBytes(StandardCharsets.US_ASCII);
    /** Rewards accrue in 10^-18 units. */
    public static final BigInteger SCALE = BigInteger.TEN.pow(18);

    private Computation() {}

    /**
     * The module's totals: Σshare of idle workers, the reward accumulator and its carried remainder (10^-18 units), how
     * many workers are computing, and the budget issued and paid so far (units). Conservation, exactly:
     * issued·10^18 = paid·10^18 + carry + Σ over miners (pending·10^18 + frac + share·(acc − accAt)).
     */
    public record Totals(long sumShares, BigInteger acc, BigInteger carry, long computing, long issued, long paid) {
        byte[] encode() {
            return new CanonicalWriter(96).u64(sumShares).bytes(acc.toByteArray()).bytes(carry.toByteArray()).u64(computing).u64(issued)
                    .u64(paid).toByteArray();
        }

        static Totals decode(byte[] v) {
            CanonicalReader r = new CanonicalReader(v);
            Totals t = new Totals(r.u64("sum shares"), new BigInteger(r.bytes(64, "acc")), new BigInteger(r.bytes(64, "carry")),
                    r.u64("computing"), r.u64("issued"), r.u64("paid"));
            r.end("mining totals");
            return t;
        }
    }

    // ---------------------------------------------------------------- reads

    public static void initialize(BlockState s, MiningConfig config) {
        s.put(CONFIG, config.encode());
        putTotals(s, new Totals(0, BigInteger.ZERO, BigInteger.ZERO, 0, 0, 0));
    }

    public static MiningConfig config(StateReader s) {
        byte[] v = s.get(CONFIG);
        return v == null ? MiningConfig.production() : MiningConfig.decode(v);
    }

    public static Totals totals(StateReader s) {
        byte[] v = s.get(GLOBAL);
        return v == null ? new Totals(0, BigInteger.ZERO, BigInteger.ZERO, 0, 0, 0) : Totals.decode(v);
    }

    public static Optional<Miner> miner(StateReader s, WorkerId worker) {
        byte[] v = s.get(key(MINER, worker.bytes()));
        return v == null ? Optional.empty() : Optional.of(Miner.decode(v));
    }

    /** The minimum stake k·√P for score P, rounded down. */
    public static long minimumStake(MiningConfig c, int score) {
        return BigInteger.valueOf(c.minStakePerSqrtP()).pow(2).multiply(BigInteger.valueOf(score)).sqrt().longValueExact();
    }

    /** V^e = f(R^e, conf)·(S + C), f = 1 + conf·(R^e − 1), C = costPerScore·P, capped at V_max. */
    public static long initialValue(MiningConfig c, long stake, int score, int confidenceLevel) {
        long conf = c.confidenceScore(confidenceLevel);
        long f = 1000 + conf * (c.stakeMultiplier() - 1000) / 1000;
        BigInteger base = BigInteger.valueOf(stake).add(BigInteger.valueOf(c.costPerScore()).multiply(BigInteger.valueOf(score)));
        BigInteger v = base.multiply(BigInteger.valueOf(f)).divide(BigInteger.valueOf(1000));
        return v.min(BigInteger.valueOf(c.vMax())).longValueExact();
    }

    /** share = √(V² + (2·P·conf)²), with 2·P·conf counted in tokens (as V is), rounded down, in units. */
    public static long share(MiningConfig c, long v, int score, int confidenceLevel) {
        BigInteger p = BigInteger.valueOf(2L * score * c.confidenceScore(confidenceLevel)).multiply(BigInteger.valueOf(Tokens.UNITS_PER_TOKEN))
                .divide(BigInteger.valueOf(1000));
        BigInteger vv = BigInteger.valueOf(v);
        return vv.multiply(vv).add(p.multiply(p)).sqrt().longValueExact();
    }

    // ---------------------------------------------------------------- calls

    public static DispatchOutcome dispatch(BlockState s, AccountId sender, MiningCall call) {
        return switch (call) {
            case MiningCall.StartComputing c -> start(s, sender, c.worker(), c.stake());
            case MiningCall.StopComputing c -> {
                DispatchOutcome owner = poolOwner(s, sender, c.worker());
                if (!owner.ok()) {
                    yield owner;
                }
                Miner m = miner(s, c.worker()).orElseThrow();
                if (!m.computing()) {
                    yield DispatchOutcome.fail(DispatchError.WRONG_WORKER_STATE, "worker " + c.worker().hex() + " is not computing (" + m.state().word() + ")");
                }
                stop(s, m, false);
                yield DispatchOutcome.OK;
            }
            case MiningCall.Reclaim c -> reclaim(s, sender, c.worker());
            case MiningCall.Rebenchmark c -> rebenchmark(s, sender, c.worker());
            default -> StakePools.dispatch(s, sender, call);
        };
    }

    private static DispatchOutcome start(BlockState s, AccountId sender, WorkerId worker, long stake) {
        DispatchOutcome owner = poolOwner(s, sender, worker);
        if (!owner.ok()) {
            return owner;
        }
        Miner m = miner(s, worker).orElseThrow();
        if (m.state() != MiningState.READY) {
            return DispatchOutcome.fail(DispatchError.WRONG_WORKER_STATE, "worker " + worker.hex() + " is " + m.state().word() + ", not ready");
        }
        if (m.score() == 0) {
            return DispatchOutcome.fail(DispatchError.WRONG_WORKER_STATE, "worker " + worker.hex() + " has no benchmark score yet"
                    + (m.benchRequest() >= 0 ? " (its benchmark was requested at block " + m.benchRequest() + ")" : ""));
        }
        MiningConfig c = config(s);
        long min = minimumStake(c, m.score());
        if (stake < min) {
            return DispatchOutcome.fail(DispatchError.STAKE_TOO_LOW, "stake " + Tokens.display(stake) + " is below the minimum k·√P = "
                    + Tokens.display(min) + " for P = " + m.score());
        }
        long pool = StakePools.poolOf(s, worker).orElseThrow();
        DispatchOutcome locked = StakePools.lockStake(s, pool, stake);
        if (!locked.ok()) {
            return locked;
        }
        int level = Registry.worker(s, worker).orElseThrow().confidenceLevel();
        long v = initialValue(c, stake, m.score(), level);
        Totals t = totals(s);
        Miner.Builder b = m.edit();
        b.state = MiningState.IDLE;
        b.pool = pool;
        b.stake = stake;
        b.vInit = v;
        b.v = v;
        b.vLast = v;
        b.vHeight = s.height();
        b.instantScore = m.score();
        b.share = share(c, v, m.score(), level);
        b.accAt = t.acc(); // frac keeps the sub-unit remainder of an earlier session: it is still owed
        b.challenge = -1;
        b.unresponsiveAt = -1;
        b.forced = false;
        b.startedAt = s.height();
        b.index = t.computing();
        s.put(key(INDEX, t.computing()), worker.bytes());
        put(s, b.build());
        putTotals(s, new Totals(t.sumShares() + b.share, t.acc(), t.carry(), t.computing() + 1, t.issued(), t.paid()));
        s.emit(new Event.ComputingStarted(worker, pool, stake, v));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome reclaim(BlockState s, AccountId sender, WorkerId worker) {
        DispatchOutcome owner = poolOwner(s, sender, worker);
        if (!owner.ok()) {
            return owner;
        }
        Miner m = miner(s, worker).orElseThrow();
        if (m.state() != MiningState.COOLING_DOWN) {
            return DispatchOutcome.fail(DispatchError.WRONG_WORKER_STATE, "worker " + worker.hex() + " is " + m.state().word()
                    + ": only a stopped worker's stake can be reclaimed");
        }
        if (s.height() < m.coolingUntil()) {
            return DispatchOutcome.fail(DispatchError.COOLDOWN_NOT_OVER, "the cooldown ends at block " + m.coolingUntil() + " ("
                    + (m.coolingUntil() - s.height()) + " blocks from now)");
        }
        doReclaim(s, m);
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome rebenchmark(BlockState s, AccountId sender, WorkerId worker) {
        Optional<WorkerRecord> w = Registry.worker(s, worker);
        Optional<Miner> m = miner(s, worker);
        if (w.isEmpty() || m.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + worker.hex() + " is not registered");
        }
        boolean owner = StakePools.poolOf(s, worker).flatMap(p -> StakePools.pool(s, p)).map(p -> p.owner().equals(sender)).orElse(false);
        if (!w.get().info().operator().equals(sender) && !owner) {
            return DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "only the worker's operator or its pool's owner may ask for a benchmark");
        }
        requestBenchmark(s, m.get());
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome poolOwner(BlockState s, AccountId sender, WorkerId worker) {
        if (miner(s, worker).isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + worker.hex() + " is not registered");
        }
        Optional<Long> pool = StakePools.poolOf(s, worker);
        if (pool.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_POOL, "worker " + worker.hex() + " is in no stake pool: add it to one first");
        }
        AccountId owner = StakePools.pool(s, pool.get()).orElseThrow().owner();
        if (!owner.equals(sender)) {
            return DispatchOutcome.fail(DispatchError.NOT_OWNER, "only pool " + pool.get() + "'s owner " + owner.address() + " may do this");
        }
        return DispatchOutcome.OK;
    }

    // ---------------------------------------------------------------- hooks from other modules

    /** A worker was registered: it gets a mining record and is asked to benchmark. */
    public static void onRegistered(BlockState s, WorkerId worker) {
        MiningConfig c = config(s);
        Miner m = Miner.registered(worker, s.height(), s.height() + c.benchmarkBlocks());
        put(s, m);
        s.send(new InboundMessage.BenchmarkRequested(worker, m.benchUntil()));
    }

    /** A registered worker's heartbeat or benchmark report (already checked: authentic, in sequence). */
    public static DispatchOutcome workerMessage(BlockState s, WorkerRecord from, WorkerMessage message) {
        WorkerId worker = from.info().identity();
        Optional<Miner> found = miner(s, worker);
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + worker.hex() + " has no mining record");
        }
        return switch (message) {
            case WorkerMessage.BenchmarkReport b -> benchmarked(s, found.get(), from.confidenceLevel(), b);
            case WorkerMessage.Heartbeat h -> heartbeat(s, found.get(), from.confidenceLevel(), h);
            default -> throw new IllegalArgumentException("not a computation message: " + message.name());
        };
    }

    private static DispatchOutcome benchmarked(BlockState s, Miner m, int level, WorkerMessage.BenchmarkReport b) {
        if (m.benchRequest() < 0 || b.requestHeight() != m.benchRequest()) {
            return DispatchOutcome.fail(DispatchError.STALE_CHALLENGE, m.benchRequest() < 0 ? "no benchmark is requested of this worker"
                    : "the outstanding benchmark request is from block " + m.benchRequest() + ", not " + b.requestHeight());
        }
        if (b.millis() < 1) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a benchmark takes at least a millisecond");
        }
        MiningConfig c = config(s);
        long ips = StakePools.mulDiv(b.iterations(), 1000, b.millis());
        int score = scoreOf(c, ips);
        Miner.Builder x = m.edit();
        x.benchRequest = -1;
        x.ips = ips;
        x.score = score;
        x.instantScore = score;
        if (m.state() == MiningState.IDLE) {
            Totals t = settle(s, x);
            x.v = m.valueAt(c, s.height());
            x.vHeight = s.height();
            long old = x.share;
            x.share = share(c, x.v, score, level);
            t = new Totals(t.sumShares() - old + x.share, t.acc(), t.carry(), t.computing(), t.issued(), t.paid());
            putTotals(s, t);
        } else if (m.state() == MiningState.UNRESPONSIVE) {
            x.v = m.valueAt(c, s.height());
            x.vHeight = s.height();
        }
        put(s, x.build());
        s.emit(new Event.WorkerBenchmarked(m.worker(), ips, score));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome heartbeat(BlockState s, Miner m, int level, WorkerMessage.Heartbeat h) {
        MiningConfig c = config(s);
        if (m.state() == MiningState.IDLE) {
            if (m.challenge() < 0 || h.challengeHeight() != m.challenge()) {
                return DispatchOutcome.fail(DispatchError.STALE_CHALLENGE, m.challenge() < 0
                        ? "no challenge of block " + h.challengeHeight() + " is outstanding (never issued, or already answered)"
                        : "the outstanding challenge is from block " + m.challenge() + ", not " + h.challengeHeight());
            }
        } else if (m.state() == MiningState.UNRESPONSIVE) {
            if (h.challengeHeight() != m.unresponsiveAt()) {
                return DispatchOutcome.fail(DispatchError.STALE_CHALLENGE, "the worker is unresponsive since block " + m.unresponsiveAt()
                        + ": a heartbeat naming that block brings it back, not one for block " + h.challengeHeight());
            }
        } else {
            return DispatchOutcome.fail(DispatchError.WRONG_WORKER_STATE, "worker " + m.worker().hex() + " is not computing (" + m.state().word() + ")");
        }
        Miner.Builder x = m.edit();
        boolean recovered = m.state() == MiningState.UNRESPONSIVE;
        Totals t = recovered ? totals(s) : settle(s, x);
        x.v = m.valueAt(c, s.height());
        x.vHeight = s.height();
        if (h.workMillis() > m.lastWorkMillis() && h.iterations() >= m.lastIterations()) {
            long ips = StakePools.mulDiv(h.iterations() - m.lastIterations(), 1000, h.workMillis() - m.lastWorkMillis());
            x.instantScore = scoreOf(c, ips);
        }
        x.lastIterations = h.iterations();
        x.lastWorkMillis = h.workMillis();
        x.contracts = h.contracts();
        x.heartbeats++;
        x.challenge = -1;
        x.unresponsiveAt = -1;
        x.state = MiningState.IDLE;
        t = pay(s, x, c, t);
        long old = recovered ? 0 : m.share();
        x.share = share(c, x.v, x.instantScore, level);
        x.accAt = t.acc(); // (nothing accrued while unresponsive: the worker was out of Σshare)
        putTotals(s, new Totals(t.sumShares() - old + x.share, t.acc(), t.carry(), t.computing(), t.issued(), t.paid()));
        put(s, x.build());
        if (recovered) {
            s.emit(new Event.WorkerRecovered(m.worker(), x.v));
        }
        return DispatchOutcome.OK;
    }

    /** Storage mining: the provider worker {@code worker} had {@code verifiedBytes} of verified replicas in a slot. */
    public static void storageReward(BlockState s, WorkerId worker, long verifiedBytes) {
        Optional<Long> pool = StakePools.poolOf(s, worker);
        Optional<Miner> m = miner(s, worker);
        if (pool.isEmpty() || m.isEmpty() || verifiedBytes <= 0) {
            return; // storage mining rewards go to a pool: a provider outside any pool earns only its orders' prices
        }
        MiningConfig c = config(s);
        long amount = StakePools.mulDiv(c.storageRewardPerGiB(), verifiedBytes, 1L << 30);
        if (amount == 0) {
            return;
        }
        long toTreasury = amount * c.treasuryShare() / 1000;
        long toPool = amount - toTreasury;
        StakePools.reward(s, pool.get(), toPool);
        Balances.mint(s, SystemParams.TREASURY, toTreasury);
        Miner.Builder x = m.get().edit();
        x.storageRewards += toPool;
        put(s, x.build());
        s.emit(new Event.StorageReward(worker, pool.get(), toPool, toTreasury, verifiedBytes));
    }

    /** The stake that the given workers' cooldowns will free (for the stake pools' overdue withdrawals). */
    public static long stakeFreeing(StateReader s, List<WorkerId> workers) {
        long sum = 0;
        for (WorkerId w : workers) {
            Optional<Miner> m = miner(s, w);
            if (m.isPresent() && m.get().state() == MiningState.COOLING_DOWN) {
                sum += m.get().stake();
            }
        }
        return sum;
    }

    /** Stops a computing worker for its pool's overdue withdrawals; returns the stake that will free (0 if not computing). */
    public static long forceStop(BlockState s, WorkerId worker) {
        Optional<Miner> m = miner(s, worker);
        if (m.isEmpty() || !m.get().computing()) {
            return 0;
        }
        stop(s, m.get(), true);
        return m.get().stake();
    }

    // ---------------------------------------------------------------- per block

    /** The start of every block: distribute its budget, close overdue challenge windows, issue new challenges. */
    public static void onBlock(BlockState s, Hash parentHash) {
        MiningConfig c = config(s);
        long h = s.height();
        Totals t = totals(s);
        if (t.sumShares() > 0) {
            long budget = c.budgetAt(h);
            BigInteger scaled = BigInteger.valueOf(budget).multiply(SCALE).add(t.carry());
            BigInteger[] qr = scaled.divideAndRemainder(BigInteger.valueOf(t.sumShares()));
            t = new Totals(t.sumShares(), t.acc().add(qr[0]), qr[1], t.computing(), Math.addExact(t.issued(), budget), t.paid());
            putTotals(s, t);
        }
        for (WorkerId w : takeDue(s, CHALLENGE_DUE, h)) {
            Miner m = miner(s, w).orElseThrow();
            if (m.state() == MiningState.IDLE && m.challenge() >= 0 && m.challenge() + c.challengeWindow() < h) {
                unresponsive(s, m, c);
            }
        }
        for (WorkerId w : takeDue(s, RECLAIM_DUE, h)) {
            Miner m = miner(s, w).orElseThrow();
            if (m.state() == MiningState.COOLING_DOWN && m.forced() && m.coolingUntil() <= h) {
                doReclaim(s, m);
            }
        }
        challenge(s, parentHash, c);
    }

    private static void challenge(BlockState s, Hash parentHash, MiningConfig c) {
        long n = totals(s).computing();
        if (n == 0) {
            return;
        }
        long h = s.height();
        ChallengeDraw draw = new ChallengeDraw(parentHash, h);
        long period = c.challengeMinPeriod();
        long count;
        if (n >= (long) c.challengeTarget() * period) {
            count = c.challengeTarget();
        } else {
            count = n / period + (Long.remainderUnsigned(draw.next(), period) < n % period ? 1 : 0);
        }
        for (long i = 0; i < count; i++) {
            long index = Long.remainderUnsigned(draw.next(), n);
            WorkerId w = WorkerId.of(s.get(key(INDEX, index)));
            Miner m = miner(s, w).orElseThrow();
            if (m.state() != MiningState.IDLE || m.challenge() >= 0) {
                continue; // already challenged, or unresponsive (it answers its unresponsive notice): one draw is spent
            }
            Miner.Builder x = m.edit();
            x.challenge = h;
            put(s, x.build());
            long deadline = h + c.challengeWindow();
            addDue(s, CHALLENGE_DUE, deadline + 1, w);
            s.send(new InboundMessage.HeartbeatChallenge(w, deadline));
            s.emit(new Event.HeartbeatChallenged(w, deadline));
        }
    }

    /** The u64 stream SHA-256(seed ‖ u64 counter), four words per hash, seed = SHA-256(domain ‖ parent ‖ u64 height). */
    static final class ChallengeDraw {
        private final byte[] seed;
        private long counter;
        private byte[] block = new byte[0];
        private int offset;

        ChallengeDraw(Hash parentHash, long height) {
            MessageDigest d = Sha256.newDigest();
            d.update(SEED_DOMAIN);
            d.update(parentHash.bytes());
            d.update(new CanonicalWriter(8).u64(height).toByteArray());
            seed = d.digest();
        }

        long next() {
            if (offset >= block.length) {
                MessageDigest d = Sha256.newDigest();
                d.update(seed);
                d.update(new CanonicalWriter(8).u64(counter++).toByteArray());
                block = d.digest();
                offset = 0;
            }
            long v = java.nio.ByteBuffer.wrap(block, offset, 8).getLong();
            offset += 8;
            return v;
        }
    }

    // ---------------------------------------------------------------- internals

    private static void unresponsive(BlockState s, Miner m, MiningConfig c) {
        Miner.Builder x = m.edit();
        Totals t = settle(s, x);
        x.v = m.valueAt(c, s.height());
        x.vHeight = s.height();
        x.state = MiningState.UNRESPONSIVE;
        x.unresponsiveAt = s.height();
        x.challenge = -1;
        putTotals(s, new Totals(t.sumShares() - m.share(), t.acc(), t.carry(), t.computing(), t.issued(), t.paid()));
        x.share = 0;
        put(s, x.build());
        s.send(new InboundMessage.WorkerUnresponsive(m.worker()));
        s.emit(new Event.WorkerUnresponsive(m.worker(), x.v));
    }

    private static void stop(BlockState s, Miner m, boolean forced) {
        MiningConfig c = config(s);
        Miner.Builder x = m.edit();
        Totals t = m.state() == MiningState.IDLE ? settle(s, x) : totals(s);
        x.v = m.valueAt(c, s.height());
        x.vHeight = s.height();
        t = pay(s, x, c, t);
        long sum = t.sumShares() - (m.state() == MiningState.IDLE ? m.share() : 0);
        // Take it out of the list of computing workers: the last one moves into its place.
        long last = t.computing() - 1;
        if (m.index() != last) {
            WorkerId moved = WorkerId.of(s.get(key(INDEX, last)));
            Miner.Builder mv = miner(s, moved).orElseThrow().edit();
            mv.index = m.index();
            put(s, mv.build());
            s.put(key(INDEX, m.index()), moved.bytes());
        }
        s.delete(key(INDEX, last));
        x.index = -1;
        x.share = 0;
        x.challenge = -1;
        x.unresponsiveAt = -1;
        x.state = MiningState.COOLING_DOWN;
        x.coolingUntil = s.height() + c.cooldownBlocks();
        x.forced = forced;
        putTotals(s, new Totals(sum, t.acc(), t.carry(), last, t.issued(), t.paid()));
        put(s, x.build());
        if (forced) {
            addDue(s, RECLAIM_DUE, Math.max(x.coolingUntil, s.height() + 1), m.worker());
        }
        s.emit(new Event.ComputingStopped(m.worker(), x.coolingUntil, forced));
    }

    private static void doReclaim(BlockState s, Miner m) {
        long returned = m.v() >= m.vInit() ? m.stake() : StakePools.mulDiv(m.stake(), m.v(), m.vInit());
        StakePools.unlockStake(s, m.pool(), m.stake(), returned);
        Miner.Builder x = m.edit();
        x.state = MiningState.READY;
        x.stake = 0;
        x.forced = false;
        long pool = m.pool();
        x.pool = 0;
        put(s, x.build());
        s.emit(new Event.StakeReclaimed(m.worker(), pool, returned, m.stake() - returned));
    }

    private static void requestBenchmark(BlockState s, Miner m) {
        Miner.Builder x = m.edit();
        x.benchRequest = s.height();
        x.benchUntil = s.height() + config(s).benchmarkBlocks();
        put(s, x.build());
        s.send(new InboundMessage.BenchmarkRequested(m.worker(), x.benchUntil));
    }

    /** Moves what the worker accrued since its last settlement into {@code pending} (whole units; the rest in {@code frac}). */
    private static Totals settle(BlockState s, Miner.Builder x) {
        Totals t = totals(s);
        BigInteger owed = BigInteger.valueOf(x.share).multiply(t.acc().subtract(x.accAt)).add(BigInteger.valueOf(x.frac));
        BigInteger[] qr = owed.divideAndRemainder(SCALE);
        x.pending = Math.addExact(x.pending, qr[0].longValueExact());
        x.frac = qr[1].longValueExact();
        x.accAt = t.acc();
        return t;
    }

    /** Pays the pending reward: 80 % to the pool, 20 % to the treasury; V drops by the payout, not below its last payout level. */
    private static Totals pay(BlockState s, Miner.Builder x, MiningConfig c, Totals t) {
        long amount = x.pending;
        if (amount <= 0) {
            return t;
        }
        long toTreasury = amount * c.treasuryShare() / 1000;
        long toPool = amount - toTreasury;
        StakePools.reward(s, x.pool, toPool);
        Balances.mint(s, SystemParams.TREASURY, toTreasury);
        x.pending = 0;
        x.rewards += toPool;
        x.v = x.v - Math.max(0, Math.min(amount, x.v - x.vLast));
        x.vLast = x.v;
        s.emit(new Event.MiningReward(x.worker, x.pool, toPool, toTreasury, x.v));
        Totals paid = new Totals(t.sumShares(), t.acc(), t.carry(), t.computing(), t.issued(), Math.addExact(t.paid(), amount));
        putTotals(s, paid);
        return paid;
    }

    private static int scoreOf(MiningConfig c, long ips) {
        return ips >= c.scoreCap() ? c.scoreCap() : (int) Math.min(c.scoreCap(), ips * c.scorePerIps());
    }

    /** base^n in 10^-18 fixed point, by squaring, rounding down at each step (deterministic). */
    static long pow(long base, long n) {
        BigInteger one = BigInteger.valueOf(MiningConfig.ONE);
        BigInteger result = one;
        BigInteger b = BigInteger.valueOf(base);
        while (n > 0) {
            if ((n & 1) == 1) {
                result = result.multiply(b).divide(one);
            }
            n >>= 1;
            if (n > 0) {
                b = b.multiply(b).divide(one);
            }
        }
        return result.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
    }

    private static List<WorkerId> takeDue(BlockState s, byte[] prefix, long height) {
        byte[] k = key(prefix, height);
        byte[] v = s.get(k);
        List<WorkerId> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        s.delete(k);
        CanonicalReader r = new CanonicalReader(v);
        int n = r.u32("workers");
        for (int i = 0; i < n; i++) {
            out.add(WorkerId.of(r.fixed(32, "worker")));
        }
        return out;
    }

    private static void addDue(BlockState s, byte[] prefix, long height, WorkerId w) {
        byte[] k = key(prefix, height);
        byte[] v = s.get(k);
        int n = v == null ? 0 : new CanonicalReader(v).u32("workers");
        CanonicalWriter out = new CanonicalWriter(4 + 32 * (n + 1)).u32(n + 1);
        if (v != null) {
            out.fixed(java.util.Arrays.copyOfRange(v, 4, v.length));
        }
        out.fixed(w.bytes());
        s.put(k, out.toByteArray());
    }

    private static void put(BlockState s, Miner m) {
        s.put(key(MINER, m.worker().bytes()), m.encode());
    }

    private static void putTotals(BlockState s, Totals t) {
        s.put(GLOBAL, t.encode());
    }

    private static byte[] key(byte[] prefix, long id) {
        return new CanonicalWriter(10).fixed(prefix).u64(id).toByteArray();
    }

    private static byte[] key(byte[] prefix, byte[] id) {
        return new CanonicalWriter(2 + id.length).fixed(prefix).fixed(id).toByteArray();
    }
}
