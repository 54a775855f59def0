package cloister.node.devnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.computation.Miner;
import cloister.chain.runtime.computation.MiningConfig;
import cloister.chain.runtime.computation.MiningState;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.Call;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.MiningCall;
import cloister.proto.Transaction;
import cloister.proto.WorkerId;
import cloister.sdk.CloisterClient;
import cloister.sdk.TxStatusInfo;
import cloister.worker.host.WorkerHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mining on an in-process devnet (sim TEE, {@link MiningConfig#devnet()}): each worker benchmarks when it registers
 * (the chain asks, the host runs the enclave's workload at half a core, the enclave signs the report) and gets a
 * score; its operator then creates a stake pool, adds the worker, delegates and starts it computing with the minimum
 * stake k·√P; the chain challenges it and the enclave answers every challenge with a heartbeat while it syncs, so
 * rewards are paid to the pool heartbeat after heartbeat.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class WorkerMiningIT {
    @TempDir
    static Path dir;
    static LocalNetwork net;
    static CloisterClient client;
    static Hash genesis;

    @BeforeAll
    static void start() throws Exception {
        LocalNetwork.Options o = LocalNetwork.Options.defaults(ChainConfig.dev(dir.resolve("net")).withBlockTime(250))
                .withApi("127.0.0.1", 0).withWorkers(1, 2)
                .withStorage(0, false, cloister.chain.runtime.storage.StorageMarket.DEFAULT_SLOT_BLOCKS);
        net = LocalNetwork.start(o);
        net.setUp(s -> { }, Duration.ofSeconds(90));
        client = new CloisterClient(net.apiUrl());
        genesis = client.genesisHash();
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void workersBenchmarkThenAnswerHeartbeatsAndEarn() throws Exception {
        MiningConfig config = Computation.config(state());
        assertEquals(MiningConfig.devnet(), config);
        // Every devnet worker benchmarked at registration.
        List<Miner> benchmarked = new ArrayList<>();
        for (WorkerHost w : net.workers()) {
            Miner m = await("worker " + w.id().hex().substring(0, 8) + "'s benchmark score", Duration.ofSeconds(60),
                    () -> miner(w.id()).filter(x -> x.score() > 0).orElse(null));
            assertEquals(-1, m.benchRequest(), "the request was answered");
            assertTrue(m.ips() > 0);
            assertEquals(Math.min(config.scoreCap(), m.ips() * config.scorePerIps()), m.score());
            System.out.printf("worker %s: %d iterations/s, P = %d%n", w.id().hex().substring(0, 8), m.ips(), m.score());
            benchmarked.add(m);
        }

        // Each worker's operator makes a pool for it and starts it with the minimum stake k·√P.
        long before = net.node().view().head().height();
        for (int i = 0; i < net.workers().size(); i++) {
            WorkerHost w = net.workers().get(i);
            SigningKey owner = operatorOf(w);
            long stake = Computation.minimumStake(config, benchmarked.get(i).score());
            ok(owner, new MiningCall.CreatePool(100_000));
            List<Long> pools = StakePools.poolsOwnedBy(state(), owner.account());
            long pool = pools.get(pools.size() - 1);
            ok(owner, new MiningCall.AddWorker(pool, w.id()));
            ok(owner, new MiningCall.Delegate(pool, 2 * stake));
            ok(owner, new MiningCall.StartComputing(w.id(), stake));
            assertEquals(MiningState.IDLE, miner(w.id()).orElseThrow().state());
        }

        // Challenged again and again, each answers with heartbeats: rewards appear and grow.
        for (WorkerHost w : net.workers()) {
            String name = w.id().hex().substring(0, 8);
            Miner first = await("a mining reward for worker " + name, Duration.ofSeconds(90),
                    () -> miner(w.id()).filter(m -> m.rewards() > 0).orElse(null));
            Miner later = await("a second mining reward for worker " + name, Duration.ofSeconds(90),
                    () -> miner(w.id()).filter(m -> m.rewards() > first.rewards() && m.heartbeats() > first.heartbeats()).orElse(null));
            assertTrue(later.instantScore() > 0, "the heartbeats' workload gives an instant score");
            assertTrue(later.contracts() >= 1, "it hosts secret-notes: " + later.contracts());
            long rewards = events(before).stream().filter(e -> e instanceof Event.MiningReward r && r.worker().equals(w.id()))
                    .mapToLong(e -> ((Event.MiningReward) e).toPool()).sum();
            assertTrue(rewards >= later.rewards() && later.rewards() > 0, "MiningReward events pay the pool: " + rewards);
            System.out.printf("worker %s: %d heartbeats, P_t = %d, rewards %d units%n", name, later.heartbeats(), later.instantScore(),
                    later.rewards());
        }
    }

    /** Runs after the first test (same network): a stopped worker process turns unresponsive and loses V; restarted, it recovers. */
    @Test
    @org.junit.jupiter.api.Order(2)
    void aStoppedWorkerTurnsUnresponsiveLosesVAndRecoversWhenRestarted() throws Exception {
        MiningConfig config = Computation.config(state());
        String name = net.workerNames().get(0);
        WorkerId id = net.workerIds().get(0);
        await("worker " + name + " computing", Duration.ofSeconds(120),
                () -> miner(id).filter(m -> m.state() == MiningState.IDLE).orElse(null));
        assertTrue(net.stopWorker(name));
        Miner gone = await("worker " + name + " unresponsive", Duration.ofSeconds(120),
                () -> miner(id).filter(m -> m.state() == MiningState.UNRESPONSIVE).orElse(null));
        long vAtGone = gone.valueAt(config, gone.unresponsiveAt());
        await("a few blocks while it is down", Duration.ofSeconds(30),
                () -> net.node().view().head().height() >= gone.unresponsiveAt() + 8 ? Boolean.TRUE : null);
        long vDown = gone.valueAt(config, net.node().view().head().height());
        assertTrue(vDown < vAtGone, "V falls while unresponsive: " + vAtGone + " → " + vDown);
        assertTrue(net.startWorker(name));
        Miner back = await("worker " + name + " back to idle", Duration.ofSeconds(120),
                () -> miner(id).filter(m -> m.state() == MiningState.IDLE).orElse(null));
        assertTrue(events(gone.unresponsiveAt()).stream().anyMatch(e -> e instanceof Event.WorkerRecovered r && r.worker().equals(id)));
        System.out.printf("worker %s: unresponsive at %d with V %d, V %d after 8 blocks down; recovered with V %d%n", name,
                gone.unresponsiveAt(), vAtGone, vDown, back.v());
    }

    private static SigningKey operatorOf(WorkerHost w) {
        return DevKeys.nameOf(w.operator()).map(DevKeys::get)
                .orElseThrow(() -> new AssertionError("the operator of " + w.id() + " is not a dev account"));
    }

    private static java.util.Optional<Miner> miner(WorkerId id) {
        return Computation.miner(state(), id);
    }

    private static List<Event> events(long from) {
        List<Event> out = new ArrayList<>();
        long head = net.node().view().head().height();
        for (long h = from; h <= head; h++) {
            net.node().view().events(h).orElse(List.of()).stream().map(EventRecord::event).forEach(out::add);
        }
        return out;
    }

    private static void ok(SigningKey key, Call call) {
        Transaction tx = Transaction.sign(genesis, key, client.nextNonce(key.account()), client.chainInfo().minimumFee(), call);
        TxStatusInfo s = client.waitForInclusion(client.submit(tx), Duration.ofSeconds(30));
        assertTrue(s.success(), call.name() + " failed: " + s.failureReason());
    }

    private static StateReader state() {
        return net.node().view().state();
    }

    private static <T> T await(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(100);
        }
        T v = probe.get();
        assertNotNull(v, "timed out waiting for " + what);
        return v;
    }
}
