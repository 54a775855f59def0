package cloister.chain;

import static cloister.chain.BlockEvents.all;
import static cloister.chain.BlockEvents.assertFailed;
import static cloister.chain.BlockEvents.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.computation.Miner;
import cloister.chain.runtime.computation.MiningConfig;
import cloister.chain.runtime.computation.MiningState;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.StateReader;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.Call;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.InboundMessage;
import cloister.proto.MiningCall;
import cloister.proto.RegistryCall;
import cloister.proto.WorkerMessage;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The computation and stakepool modules through a real chain (blocks proposed and imported, signed transactions,
 * worker messages signed by attested sim workers): benchmark → P, start with a minimum stake, heartbeat challenges
 * and payouts, unresponsive and back, stop, cooldown, reclaim with slash, pools and their withdrawal queue, and the
 * exact conservation of every unit over random runs.
 */
class MiningTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Measurement BUILD = SimPlatform.measure(new byte[] {7}, "mining test");
    private static final SigningKey ALICE = ChainFixture.ALICE;
    private static final SigningKey BOB = ChainFixture.BOB;
    private static final SigningKey CHARLIE = ChainFixture.CHARLIE;
    private static final SigningKey DAVE = DevKeys.get("dave");
    /** Every computing worker is challenged about once a block (window: Phala's 10 blocks); 5-block cooldown and grace. */
    private static final MiningConfig CONFIG = MiningConfig.phala(60, 2, 1, 5, 5);

    private final SimAttestationRoot root = SimAttestationRoot.generate("mining test", RANDOM);
    private final SimMachine machine = SimMachine.ephemeral(RANDOM);
    /** Workers that answer what the chain asks of them (the rest are "offline"). */
    private final Set<SimWorker> online = new HashSet<>();
    private final Map<SimWorker, Long> iterations = new HashMap<>();
    @TempDir
    Path dir;
    private ChainFixture f;

    @BeforeEach
    void start() {
        f = new ChainFixture(dir.resolve("node"), Genesis.dev()
                .withTee(new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(BUILD), Registry.AttestationPolicy.DEV))
                .withMining(CONFIG));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void configRoundTripsAndFollowsPhala() {
        MiningConfig p = MiningConfig.production();
        assertEquals(p, MiningConfig.decode(p.encode()));
        assertEquals(CONFIG, Computation.config(state()));
        // ρ^m = 1.0002 an hour: 300 blocks of growth compound to 1.0002 (to 1e-15).
        long hour = Computation.minimumStake(p, 0); // 0 for P = 0
        assertEquals(0, hour);
        BigInteger one = BigInteger.valueOf(MiningConfig.ONE);
        BigInteger x = one;
        for (int i = 0; i < 300; i++) {
            x = x.multiply(one.add(BigInteger.valueOf(p.growthPerBlock()))).divide(one);
        }
        assertEquals(1_000_200_000_000_000_000L, x.longValue(), 2_000);
        // S_min = 50·√P: P = 2000 → 2236.06… CLO.
        assertEquals(2_236_067_977_499L, Computation.minimumStake(p, 2000));
        // V^e for conf level 1 (score 1): 1.5 × (S + 0.3·P): S = 3000, P = 2000 → 5400 CLO.
        assertEquals(Tokens.of(5400), Computation.initialValue(p, Tokens.of(3000), 2000, 1));
        // level 5 (0.7): f = 1 + 0.7·0.5 = 1.35.
        assertEquals(Tokens.of(3600) * 135 / 100, Computation.initialValue(p, Tokens.of(3000), 2000, 5));
        // the budget: 30,000 CLO an hour over 300 blocks, 25 % less after 180 days.
        assertEquals(Tokens.of(100), p.budgetAt(0));
        assertEquals(Tokens.of(75), p.budgetAt(180L * 24 * 300));
    }

    @Test
    void registrationAsksForABenchmarkAndItsReportSetsP() {
        SimWorker w = register(BOB);
        Miner m = Computation.miner(state(), w.id()).orElseThrow();
        assertEquals(MiningState.READY, m.state());
        assertEquals(0, m.score());
        long requested = m.benchRequest();
        assertTrue(messages(requested).contains(new InboundMessage.BenchmarkRequested(w.id(), requested + CONFIG.benchmarkBlocks())));

        // a report for another request is refused (its sequence number is used up)
        List<EventRecord> e = relay(w, new WorkerMessage.BenchmarkReport(requested + 1, 500, 1000));
        assertEquals("STALE_CHALLENGE", one(e, Event.WorkerMessageRefused.class).reason());
        e = relay(w, new WorkerMessage.BenchmarkReport(requested, 250, 1000));
        assertEquals(new Event.WorkerBenchmarked(w.id(), 250, 1500), one(e, Event.WorkerBenchmarked.class));
        assertEquals(1500, Computation.miner(state(), w.id()).orElseThrow().score());
        // answered: a second report is stale; the cap holds on a re-benchmark
        assertEquals("STALE_CHALLENGE", one(relay(w, new WorkerMessage.BenchmarkReport(requested, 250, 1000)),
                Event.WorkerMessageRefused.class).reason());
        assertFailed(run(CHARLIE, new MiningCall.Rebenchmark(w.id())), "BAD_ORIGIN", "operator");
        run(BOB, new MiningCall.Rebenchmark(w.id()));
        long again = Computation.miner(state(), w.id()).orElseThrow().benchRequest();
        e = relay(w, new WorkerMessage.BenchmarkReport(again, 5_000_000, 1000));
        assertEquals(6000, one(e, Event.WorkerBenchmarked.class).score());
        // a heartbeat from a worker that is not computing
        assertEquals("WRONG_WORKER_STATE", one(relay(w, new WorkerMessage.Heartbeat(again, 1, 1, 0)), Event.WorkerMessageRefused.class).reason());
    }

    @Test
    void startingIsRefusedWithReasons() {
        SimWorker w = register(BOB);
        assertFailed(run(BOB, new MiningCall.StartComputing(w.id(), Tokens.of(10_000))), "UNKNOWN_POOL", "no stake pool");
        long pool = createPool(BOB, 100_000);
        assertFailed(run(CHARLIE, new MiningCall.AddWorker(pool, w.id())), "NOT_OWNER", "owned by");
        long charliePool = createPool(CHARLIE, 0);
        assertFailed(run(CHARLIE, new MiningCall.AddWorker(charliePool, w.id())), "BAD_ORIGIN", "operator");
        run(BOB, new MiningCall.AddWorker(pool, w.id()));
        assertFailed(run(BOB, new MiningCall.AddWorker(pool, w.id())), "DUPLICATE", "already in pool");
        assertFailed(run(BOB, new MiningCall.StartComputing(w.id(), Tokens.of(10_000))), "WRONG_WORKER_STATE", "no benchmark score");
        benchmark(w, 250); // P = 1500 → S_min = 50·√1500 = 1936.49… CLO
        long min = Computation.minimumStake(CONFIG, 1500);
        assertEquals(1_936_491_673_103L, min);
        assertFailed(run(CHARLIE, new MiningCall.StartComputing(w.id(), min)), "NOT_OWNER", "owner");
        assertFailed(run(BOB, new MiningCall.StartComputing(w.id(), min - 1)), "STAKE_TOO_LOW", "minimum k·√P = 1936.49");
        assertFailed(run(BOB, new MiningCall.StartComputing(w.id(), min)), "STAKE_TOO_LOW", "free stake");
        run(DAVE, new MiningCall.Delegate(pool, Tokens.of(3000)));
        List<EventRecord> e = run(BOB, new MiningCall.StartComputing(w.id(), min));
        Event.ComputingStarted started = one(e, Event.ComputingStarted.class);
        int level = Registry.worker(state(), w.id()).orElseThrow().confidenceLevel();
        assertEquals(Computation.initialValue(CONFIG, min, 1500, level), started.v());
        assertEquals(min, StakePools.pool(state(), pool).orElseThrow().lockedStake());
        assertFailed(run(BOB, new MiningCall.StartComputing(w.id(), min)), "WRONG_WORKER_STATE", "not ready");
        assertFailed(run(BOB, new MiningCall.Reclaim(w.id())), "WRONG_WORKER_STATE", "only a stopped worker");
        assertFailed(run(DAVE, new MiningCall.Withdraw(pool, Tokens.of(3001))), "INSUFFICIENT_SHARES", "cannot withdraw");
    }

    @Test
    void heartbeatsPayByShareEightyTwentyAndEveryUnitIsAccountedFor() {
        long pool = createPool(BOB, 100_000); // 10 % commission
        run(DAVE, new MiningCall.Delegate(pool, Tokens.of(100_000)));
        SimWorker fast = computing(BOB, pool, 1000, Tokens.of(5000));
        SimWorker slow = computing(BOB, pool, 100, Tokens.of(5000));
        online.add(fast);
        online.add(slow);
        long treasuryBefore = balance(SystemParams.TREASURY);
        long ownerBefore = balance(BOB.account());
        long feesBefore = fees;
        long bobFeesBefore = bobFees;
        long issuanceBefore = Balances.totalIssuance(state());
        List<Event.MiningReward> rewards = new ArrayList<>();
        List<Event.PoolRewarded> pooled = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<EventRecord> e = block();
            rewards.addAll(all(e, Event.MiningReward.class));
            pooled.addAll(all(e, Event.PoolRewarded.class));
            assertTrue(all(e, Event.WorkerMessageRefused.class).isEmpty(), e.toString());
            assertConserved();
        }
        List<EventRecord> last = seal(); // the answers to the last block's challenges
        rewards.addAll(all(last, Event.MiningReward.class));
        pooled.addAll(all(last, Event.PoolRewarded.class));
        assertTrue(rewards.size() >= 10, "heartbeats paid: " + rewards.size());
        long toPool = rewards.stream().mapToLong(Event.MiningReward::toPool).sum();
        long toTreasury = rewards.stream().mapToLong(Event.MiningReward::toTreasury).sum();
        for (Event.MiningReward r : rewards) {
            assertEquals((r.toPool() + r.toTreasury()) / 5, r.toTreasury(), "20 % (rounded down) to the treasury: " + r);
        }
        long commission = pooled.stream().mapToLong(Event.PoolRewarded::commission).sum();
        assertEquals(toPool / 10, commission, toPool / 10 / 1_000_000 + pooled.size());
        assertEquals(toTreasury, balance(SystemParams.TREASURY) - treasuryBefore - (fees - feesBefore));
        assertEquals(toPool + toTreasury, Computation.totals(state()).paid());
        assertEquals(commission, balance(BOB.account()) - ownerBefore + (bobFees - bobFeesBefore));
        assertEquals(issuanceBefore + toPool + toTreasury, Balances.totalIssuance(state()));
        // the faster worker (larger P, so larger share) earned more
        Miner mf = Computation.miner(state(), fast.id()).orElseThrow();
        Miner ms = Computation.miner(state(), slow.id()).orElseThrow();
        assertTrue(mf.rewards() > ms.rewards(), mf.rewards() + " vs " + ms.rewards());
        assertTrue(mf.heartbeats() > 0 && ms.heartbeats() > 0);
        assertEquals(MiningState.IDLE, mf.state());
    }

    @Test
    void aWorkerThatMissesItsWindowTurnsUnresponsiveLosesVAndRecovers() {
        long pool = createPool(BOB, 0);
        run(DAVE, new MiningCall.Delegate(pool, Tokens.of(20_000)));
        SimWorker w = computing(BOB, pool, 500, Tokens.of(5000));
        SimWorker other = computing(BOB, pool, 500, Tokens.of(5000));
        online.add(other);
        Event.WorkerUnresponsive gone = null;
        long goneAt = -1;
        for (int i = 0; i < 30 && gone == null; i++) {
            List<EventRecord> e = block();
            for (Event.WorkerUnresponsive u : all(e, Event.WorkerUnresponsive.class)) {
                gone = u;
                goneAt = f.chain.head().height();
            }
            assertConserved();
        }
        assertTrue(gone != null && gone.worker().equals(w.id()), "the silent worker turned unresponsive");
        long challengedAt = goneAt - CONFIG.challengeWindow() - 1;
        assertTrue(messages(challengedAt).contains(new InboundMessage.HeartbeatChallenge(w.id(), goneAt - 1)),
                "challenged at block " + challengedAt + ", unresponsive one block after its window closed");
        assertTrue(messages(goneAt).contains(new InboundMessage.WorkerUnresponsive(w.id())));
        Miner m = Computation.miner(state(), w.id()).orElseThrow();
        assertEquals(MiningState.UNRESPONSIVE, m.state());
        long vThen = m.valueAt(CONFIG, goneAt);
        for (int i = 0; i < 10; i++) {
            block();
        }
        long vNow = m.valueAt(CONFIG, f.chain.head().height());
        assertTrue(vNow < vThen, "V falls while unresponsive: " + vThen + " → " + vNow);
        // 0.1 % an hour = 60 blocks here: 10 blocks lose about 1/6 of 0.1 %.
        assertEquals(vThen * (1_000_000 - 1000 * 10 / 60) / 1_000_000, vNow, vThen / 100_000);
        // a heartbeat for its old challenge is stale; one naming the unresponsive block brings it back
        assertEquals("STALE_CHALLENGE", one(relay(w, new WorkerMessage.Heartbeat(challengedAt, 10, 10, 0)),
                Event.WorkerMessageRefused.class).reason());
        SignedAnswer recovery = new SignedAnswer(w, new WorkerMessage.Heartbeat(goneAt, 20, 20, 1));
        List<EventRecord> e = run(BOB, recovery.call);
        assertEquals(w.id(), one(e, Event.WorkerRecovered.class).worker());
        assertEquals(MiningState.IDLE, Computation.miner(state(), w.id()).orElseThrow().state());
        // the same signed message again is a replay
        assertFailed(run(BOB, recovery.call), "BAD_SEQUENCE", "replay");
        assertConserved();
    }

    @Test
    void stopCoolsDownThenReclaimReturnsTheStakeLessTheSlash() {
        long pool = createPool(BOB, 0);
        run(DAVE, new MiningCall.Delegate(pool, Tokens.of(20_000)));
        SimWorker w = computing(BOB, pool, 500, Tokens.of(5000));
        for (int i = 0; i < 40; i++) {
            block(); // offline: it turns unresponsive after its window and V falls below V^e
        }
        Miner m = Computation.miner(state(), w.id()).orElseThrow();
        assertEquals(MiningState.UNRESPONSIVE, m.state());
        List<EventRecord> e = run(BOB, new MiningCall.StopComputing(w.id()));
        Event.ComputingStopped stopped = one(e, Event.ComputingStopped.class);
        assertFalse(stopped.forced());
        assertEquals(f.chain.head().height() + CONFIG.cooldownBlocks(), stopped.coolingUntil());
        assertFailed(run(BOB, new MiningCall.Reclaim(w.id())), "COOLDOWN_NOT_OVER", "the cooldown ends at block " + stopped.coolingUntil());
        while (f.chain.head().height() + 1 < stopped.coolingUntil()) {
            block();
        }
        long treasury = balance(SystemParams.TREASURY);
        e = run(BOB, new MiningCall.Reclaim(w.id()));
        Event.StakeReclaimed back = one(e, Event.StakeReclaimed.class);
        Miner after = Computation.miner(state(), w.id()).orElseThrow();
        assertEquals(MiningState.READY, after.state());
        assertEquals(Tokens.of(5000), back.returned() + back.slashed());
        assertTrue(back.slashed() > 0, "V fell below V^e: part of the stake is slashed");
        assertEquals(StakePools.mulDiv(Tokens.of(5000), after.v(), after.vInit()), back.returned());
        assertEquals(back.slashed() + ChainFixture.FEE, balance(SystemParams.TREASURY) - treasury);
        StakePools.Pool p = StakePools.pool(state(), pool).orElseThrow();
        assertEquals(0, p.lockedStake());
        assertEquals(p.totalStake(), balance(p.account()));
    }

    @Test
    void anOverdueWithdrawalForcesThePoolToStopWorkersAndIsPaidAfterTheCooldown() {
        long pool = createPool(BOB, 0);
        run(DAVE, new MiningCall.Delegate(pool, Tokens.of(5000)));
        SimWorker w = computing(BOB, pool, 500, Tokens.of(5000));
        online.add(w);
        long daveShares = StakePools.shares(state(), pool, DAVE.account());
        long daveBefore = balance(DAVE.account());
        List<EventRecord> e = run(DAVE, new MiningCall.Withdraw(pool, daveShares));
        assertEquals(daveShares, one(e, Event.WithdrawalQueued.class).shares() + all(e, Event.Withdrawn.class).stream()
                .mapToLong(Event.Withdrawn::shares).sum());
        assertFailed(run(DAVE, new MiningCall.Withdraw(pool, 1)), "INSUFFICIENT_SHARES", "already queued");
        Event.ComputingStopped forced = null;
        long withdrawn = all(e, Event.Withdrawn.class).stream().mapToLong(Event.Withdrawn::amount).sum();
        long sharesPaid = all(e, Event.Withdrawn.class).stream().mapToLong(Event.Withdrawn::shares).sum();
        for (int i = 0; i < 40 && sharesPaid < daveShares; i++) {
            e = block();
            for (Event.ComputingStopped s : all(e, Event.ComputingStopped.class)) {
                forced = s;
            }
            withdrawn += all(e, Event.Withdrawn.class).stream().filter(x -> x.who().equals(DAVE.account())).mapToLong(Event.Withdrawn::amount).sum();
            sharesPaid += all(e, Event.Withdrawn.class).stream().filter(x -> x.who().equals(DAVE.account())).mapToLong(Event.Withdrawn::shares).sum();
            assertConserved();
        }
        assertTrue(forced != null && forced.forced(), "the pool was forced to stop its worker");
        assertEquals(daveShares, sharesPaid, "the whole withdrawal was filled");
        assertEquals(0, StakePools.shares(state(), pool, DAVE.account()));
        assertEquals(MiningState.READY, Computation.miner(state(), w.id()).orElseThrow().state(), "reclaimed automatically");
        assertEquals(withdrawn, balance(DAVE.account()) - daveBefore + 2 * ChainFixture.FEE);
        assertTrue(withdrawn >= Tokens.of(5000) - 1, "dave got at least what he put in (rewards raised the price): " + withdrawn);
    }

    @Test
    void randomPoolOperationsKeepEveryUnitAndShareAccountedFor() {
        Random rnd = new Random(RANDOM.nextLong());
        List<SigningKey> people = List.of(CHARLIE, DAVE, DevKeys.get("eve"), DevKeys.get("ferdie"));
        long pool = createPool(BOB, 50_000);
        run(CHARLIE, new MiningCall.Delegate(pool, Tokens.of(12_000)));
        List<SimWorker> workers = List.of(computing(BOB, pool, 300, Tokens.of(4000)), computing(BOB, pool, 700, Tokens.of(4000)));
        online.addAll(workers);
        for (int step = 0; step < 60; step++) {
            SigningKey who = people.get(rnd.nextInt(people.size()));
            switch (rnd.nextInt(6)) {
                case 0, 1 -> submit(who, new MiningCall.Delegate(pool, 1 + rnd.nextLong(Tokens.of(3000))));
                case 2 -> {
                    long held = StakePools.shares(state(), pool, who.account());
                    submit(who, new MiningCall.Withdraw(pool, held == 0 ? 1 : 1 + rnd.nextLong(held)));
                }
                case 3 -> {
                    SimWorker w = workers.get(rnd.nextInt(workers.size()));
                    Miner m = Computation.miner(state(), w.id()).orElseThrow();
                    if (m.computing()) {
                        submit(BOB, new MiningCall.StopComputing(w.id()));
                    } else if (m.state() == MiningState.COOLING_DOWN) {
                        submit(BOB, new MiningCall.Reclaim(w.id()));
                    } else {
                        submit(BOB, new MiningCall.StartComputing(w.id(), Computation.minimumStake(CONFIG, m.score()) + rnd.nextLong(Tokens.of(1000))));
                    }
                }
                case 4 -> online.remove(workers.get(rnd.nextInt(workers.size())));
                default -> online.add(workers.get(rnd.nextInt(workers.size())));
            }
            block();
            assertConserved();
            StakePools.Pool p = StakePools.pool(state(), pool).orElseThrow();
            long held = 0;
            for (SigningKey k : people) {
                held += StakePools.shares(state(), pool, k.account());
            }
            assertEquals(p.totalShares(), held, "Σ delegators' shares = the pool's shares");
            long locked = 0;
            for (SimWorker w : workers) {
                Miner m = Computation.miner(state(), w.id()).orElseThrow();
                locked += m.state() == MiningState.READY ? 0 : m.stake();
            }
            assertEquals(locked, p.lockedStake(), "locked stake = Σ stakes of computing and cooling workers");
            assertTrue(p.freeStake() >= 0 && p.freeStake() <= p.totalStake());
        }
    }

    // ---------------------------------------------------------------- conservation

    /** Every unit of every budget issued is paid, carried, pending or accrued — exactly; every pool holds its stake. */
    private void assertConserved() {
        StateReader s = state();
        Computation.Totals t = Computation.totals(s);
        BigInteger accounted = BigInteger.valueOf(t.paid()).multiply(Computation.SCALE).add(t.carry());
        long sumShares = 0;
        for (var w : Registry.workers(s)) {
            Optional<Miner> m = Computation.miner(s, w);
            if (m.isEmpty()) {
                continue;
            }
            Miner x = m.get();
            accounted = accounted.add(BigInteger.valueOf(x.pending()).multiply(Computation.SCALE)).add(BigInteger.valueOf(x.frac()))
                    .add(BigInteger.valueOf(x.share()).multiply(t.acc().subtract(x.accAt())));
            sumShares += x.share();
        }
        assertEquals(t.sumShares(), sumShares, "Σshare");
        assertEquals(BigInteger.valueOf(t.issued()).multiply(Computation.SCALE), accounted, "issued = paid + carried + owed, exactly");
        for (long id = 1; id <= StakePools.poolCount(s); id++) {
            StakePools.Pool p = StakePools.pool(s, id).orElseThrow();
            assertEquals(p.totalStake(), balance(p.account()), "pool " + id + " holds exactly its stake");
        }
        long sum = balance(SystemParams.TREASURY);
        for (String n : DevKeys.NAMES) {
            sum += balance(DevKeys.get(n).account());
        }
        for (long id = 1; id <= StakePools.poolCount(s); id++) {
            sum += balance(StakePools.poolAccount(id));
        }
        assertEquals(Balances.totalIssuance(s), sum, "Σ balances = total issuance");
    }

    // ---------------------------------------------------------------- workers

    private SimWorker register(SigningKey operator) {
        SimWorker w = SimWorker.create(f, machine, root, BUILD, operator, RANDOM);
        List<EventRecord> e = run(operator, w.registration());
        one(e, Event.WorkerRegistered.class);
        return w;
    }

    private void benchmark(SimWorker w, long ips) {
        long request = Computation.miner(state(), w.id()).orElseThrow().benchRequest();
        one(relay(w, new WorkerMessage.BenchmarkReport(request, ips * 10, 10_000)), Event.WorkerBenchmarked.class);
        iterations.put(w, 0L);
    }

    private SimWorker computing(SigningKey owner, long pool, long ips, long stake) {
        SimWorker w = register(owner);
        benchmark(w, ips);
        run(owner, new MiningCall.AddWorker(pool, w.id()));
        one(run(owner, new MiningCall.StartComputing(w.id(), stake)), Event.ComputingStarted.class);
        return w;
    }

    private long createPool(SigningKey owner, int commission) {
        return one(run(owner, new MiningCall.CreatePool(commission)), Event.PoolCreated.class).pool();
    }

    /** A signed worker message and the transaction call that relays it. */
    private record SignedAnswer(RegistryCall.SubmitWorkerMessage call) {
        SignedAnswer(SimWorker w, WorkerMessage m) {
            this(w.say(m));
        }
    }

    /**
     * Seals a block; then every online worker answers what the block asked of it (challenges, unresponsive notices),
     * relayed by its operator in the next block, reporting workload at its benchmark rate.
     */
    private List<EventRecord> block() {
        List<EventRecord> events = seal();
        long h = f.chain.head().height();
        for (InboundMessage m : messages(h)) {
            for (SimWorker w : online) {
                boolean asked = m instanceof InboundMessage.HeartbeatChallenge c && c.worker().equals(w.id())
                        || m instanceof InboundMessage.WorkerUnresponsive u && u.worker().equals(w.id());
                if (asked) {
                    long it = iterations.merge(w, Computation.miner(state(), w.id()).orElseThrow().ips(), Long::sum);
                    submit(w.operator, w.say(new WorkerMessage.Heartbeat(h, it, it / Math.max(1, Computation.miner(state(), w.id())
                            .orElseThrow().ips()) * 1000, 0)));
                }
            }
        }
        return events;
    }

    // ---------------------------------------------------------------- chain driving

    /** Fees paid so far (all go to the treasury), and bob's part of them. */
    private long fees;
    private long bobFees;

    private List<InboundMessage> messages(long height) {
        return f.chain.workerMessages(height).orElseThrow();
    }

    private StateReader state() {
        return f.chain.state();
    }

    private long balance(AccountId a) {
        return f.chain.account(a).balance();
    }

    private void submit(SigningKey from, Call call) {
        f.submitNext(from, call);
        fees += ChainFixture.FEE;
        if (from.equals(BOB)) {
            bobFees += ChainFixture.FEE;
        }
    }

    private List<EventRecord> seal() {
        return f.sealAll();
    }

    private List<EventRecord> run(SigningKey from, Call call) {
        submit(from, call);
        return seal();
    }

    private List<EventRecord> relay(SimWorker w, WorkerMessage m) {
        return run(w.operator, w.say(m));
    }
}
