package cloister.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.computation.Miner;
import cloister.chain.runtime.computation.MiningState;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.WorkerId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiningViewsTest {
    private static final WorkerId W = WorkerId.of(DevKeys.get("eve").account());
    private static final WorkerId OTHER = WorkerId.of(DevKeys.get("dave").account());

    private static Miner miner(MiningState state, int score, long rewards, long storageRewards) {
        return new Miner(W, state, score, 100, -1, 0, score, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, BigInteger.ZERO, 0, 0, -1, -1, 0, false, -1,
                rewards, storageRewards, 0, -1);
    }

    @Test
    void percentFixedAndSharePrice() {
        assertEquals("12.5", MiningViews.percent(125_000));
        assertEquals("0", MiningViews.percent(0));
        assertEquals("100", MiningViews.percent(1_000_000));
        assertEquals("0.0001", MiningViews.percent(1));
        assertEquals("0.001", MiningViews.fixed(1_000_000_000_000_000L));
        var owner = DevKeys.get("eve").account();
        assertEquals("1", MiningViews.sharePrice(new StakePools.Pool(1, owner, 0, 0, 0, 0, List.of(), List.of())));
        assertEquals("1.5", MiningViews.sharePrice(new StakePools.Pool(1, owner, 0, 200, 300, 300, List.of(), List.of())));
        assertEquals("0.333333333", MiningViews.sharePrice(new StakePools.Pool(1, owner, 0, 3, 1, 1, List.of(), List.of())));
    }

    /** Every mining event has fields (no empty default rendering) and names its worker or pool. */
    @Test
    void everyMiningEventRendersItsFields() {
        var who = DevKeys.get("alice").account();
        List<Event> events = List.of(new Event.WorkerBenchmarked(W, 1000, 6000), new Event.ComputingStarted(W, 1, Tokens.of(5000), Tokens.of(9000)),
                new Event.HeartbeatChallenged(W, 42), new Event.MiningReward(W, 1, 80, 20, Tokens.of(9000)), new Event.WorkerUnresponsive(W, 7),
                new Event.WorkerRecovered(W, 6), new Event.ComputingStopped(W, 99, true), new Event.StakeReclaimed(W, 1, 90, 10),
                new Event.PoolCreated(1, who, 125_000), new Event.PoolWorkerAdded(1, W), new Event.Delegated(1, who, 10, 10),
                new Event.WithdrawalQueued(1, who, 5), new Event.Withdrawn(1, who, 5, 5), new Event.PoolRewarded(1, 100, 12),
                new Event.StorageReward(W, 1, 80, 20, 1L << 30));
        for (Event e : events) {
            ObjectNode f = JsonViews.eventFields(e);
            assertFalse(f.isEmpty(), e.type());
            assertTrue(f.has("worker") || f.has("pool"), e.type() + " " + f);
        }
        ObjectNode reward = JsonViews.eventFields(events.get(3));
        assertEquals("80", reward.path("toPool").asText());
        assertEquals("0.00000008", reward.path("toPoolCLO").asText());
        assertEquals("9000", reward.path("vCLO").asText());
        assertEquals(125_000, JsonViews.eventFields(events.get(8)).path("commissionPpm").asInt());
    }

    @Test
    void scanKeepsTheNewestOfOneWorkerWithinTheBound() {
        Map<Long, List<EventRecord>> chain = new HashMap<>();
        for (long h = 0; h <= 100; h++) {
            chain.put(h, List.of(new EventRecord(EventRecord.BLOCK, new Event.HeartbeatChallenged(W, h + 10)),
                    new EventRecord(EventRecord.BLOCK, new Event.MiningReward(h % 2 == 0 ? W : OTHER, 1, h, 0, h)),
                    new EventRecord(0, new Event.WorkerUnresponsive(W, h))));
        }
        List<MiningViews.Found> found = MiningViews.scan(h -> chain.getOrDefault(h, List.of()), 100, W, 5, 1000);
        assertEquals(5, found.size());
        assertEquals(100, found.get(0).height());
        assertTrue(found.get(0).event() instanceof Event.WorkerUnresponsive, "the last event of the newest block comes first");
        assertTrue(found.get(1).event() instanceof Event.MiningReward);
        // The block bound: only blocks 91..100 are read.
        List<MiningViews.Found> bounded = MiningViews.scan(h -> chain.getOrDefault(h, List.of()), 100, W, 1000, 10);
        assertEquals(15, bounded.size()); // 10 unresponsive + 5 rewards (even heights); challenges are left out
        assertEquals(91, bounded.get(bounded.size() - 1).height());
    }

    @Test
    void historyCarriesStateVAndPForwardAndCountsRewardsBack() {
        // Oldest first: benchmark (P 60), start (V 1000), reward 80 (V 990), unresponsive (V 980), recovered, stop, storage reward 5, reclaim.
        List<MiningViews.Found> oldestFirst = new ArrayList<>(List.of(
                new MiningViews.Found(10, new Event.WorkerBenchmarked(W, 10, 60)),
                new MiningViews.Found(12, new Event.ComputingStarted(W, 1, 500, 1000)),
                new MiningViews.Found(20, new Event.MiningReward(W, 1, 80, 20, 990)),
                new MiningViews.Found(30, new Event.WorkerUnresponsive(W, 980)),
                new MiningViews.Found(35, new Event.WorkerRecovered(W, 975)),
                new MiningViews.Found(40, new Event.ComputingStopped(W, 60, false)),
                new MiningViews.Found(45, new Event.StorageReward(W, 1, 5, 1, 1L << 30)),
                new MiningViews.Found(60, new Event.StakeReclaimed(W, 1, 480, 20))));
        List<MiningViews.Found> newestFirst = new ArrayList<>(oldestFirst);
        java.util.Collections.reverse(newestFirst);
        // Rewards earned before the window (100 mining, 10 storage) show in every total.
        Miner now = miner(MiningState.READY, 60, 180, 15);
        JsonNode h = MiningViews.history(now, 70, newestFirst, 0, false);
        JsonNode e = h.path("entries");
        assertEquals(8, e.size());
        assertEquals("WorkerBenchmarked", e.get(0).path("event").asText());
        assertTrue(e.get(0).path("state").isNull(), "the state before the first state-changing event is not in the window");
        assertTrue(e.get(0).path("v").isNull());
        assertEquals(60, e.get(0).path("p").asInt());
        assertEquals("110", e.get(0).path("rewardsTotal").asText());
        assertEquals("idle", e.get(1).path("state").asText());
        assertEquals("1000", e.get(1).path("v").asText());
        assertEquals("990", e.get(2).path("v").asText());
        assertEquals("190", e.get(2).path("rewardsTotal").asText());
        assertEquals("unresponsive", e.get(3).path("state").asText());
        assertEquals("idle", e.get(4).path("state").asText());
        assertEquals("975", e.get(4).path("v").asText());
        assertEquals("cooling-down", e.get(5).path("state").asText());
        assertEquals("195", e.get(6).path("rewardsTotal").asText());
        assertEquals("cooling-down", e.get(6).path("state").asText());
        assertEquals("ready", e.get(7).path("state").asText());
        assertEquals("195", e.get(7).path("rewardsTotal").asText());
        assertEquals(60, e.get(7).path("p").asInt());
        assertEquals("480", e.get(7).path("fields").path("returned").asText());

        // Without a benchmark or a state change in the window, P and the state are the current ones.
        JsonNode only = MiningViews.history(miner(MiningState.IDLE, 77, 0, 5), 70,
                List.of(new MiningViews.Found(50, new Event.StorageReward(W, 1, 5, 1, 1L << 30))), 0, false);
        assertEquals(77, only.path("entries").get(0).path("p").asInt());
        assertEquals("idle", only.path("entries").get(0).path("state").asText());
        assertEquals("5", only.path("entries").get(0).path("rewardsTotal").asText());
    }
}
