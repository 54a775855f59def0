package cloister.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.computation.MiningState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mining simulation, small: the real chain's economics as {@code cloister sim mining} reports them. */
class MiningSimulationTest {
    @TempDir
    Path dir;

    private MiningReport run(MiningSimulation.Options options, long blocks) throws Exception {
        try (MiningSimulation sim = MiningSimulation.open(dir.resolve("chain"), options)) {
            sim.setUp();
            sim.run(blocks);
            MiningReport report = sim.report();
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            report.print(new PrintStream(text, true, StandardCharsets.UTF_8));
            System.out.println(text.toString(StandardCharsets.UTF_8));
            return report;
        }
    }

    @Test
    void onlineFastEarnMostOfflineTurnUnresponsiveAndRewardsAreConservedExactly() throws Exception {
        MiningReport r = run(new MiningSimulation.Options(30, 3, 0.2, 200, -1, 0.5, 7, MiningSimulation.Network.DEVNET), 600);

        assertTrue(r.conserved(), "issued·10^18 = paid·10^18 + carry + Σ owed, exactly: " + r.issuedScaled() + " vs " + r.accountedScaled());
        assertEquals(0, r.failedTxs(), "failed transactions: " + r.failures());
        assertEquals(0, r.refusedMessages(), "refused worker messages: " + r.failures());
        // Nobody double-paid: each worker's reward events add up to its record and never outnumber its heartbeats,
        // every unit paid went to a pool or the treasury, and exactly that much was minted.
        assertEquals(0, r.overpaid());
        assertEquals(r.recordRewards(), r.eventToPool());
        assertEquals(r.paid(), r.eventToPool() + r.eventToTreasury());
        assertEquals(r.paid(), r.minted());
        assertEquals(0, r.poolMismatches());
        assertTrue(r.consistent());
        assertTrue(r.paid() > 0 && r.issued() >= r.paid());

        MiningReport.Group fast = r.group("online-fast");
        MiningReport.Group slow = r.group("online-slow");
        assertEquals(12, fast.count());
        assertEquals(12, slow.count());
        assertTrue(fast.meanScore() > 2 * slow.meanScore(), "fast machines score higher: " + fast + " " + slow);
        assertTrue(fast.meanRewards() > slow.meanRewards(), "online fast earn more than online slow: " + fast + " " + slow);
        for (MiningReport.Group online : new MiningReport.Group[] {fast, slow}) {
            assertEquals(Map.of(MiningState.IDLE, online.count()), online.states(), online.name());
            assertTrue(online.meanHeartbeats() > 10, online.name() + " answered its challenges: " + online);
        }
        for (String name : new String[] {"offline-fast", "offline-slow"}) {
            MiningReport.Group offline = r.group(name);
            assertEquals(3, offline.count());
            assertEquals(Map.of(MiningState.UNRESPONSIVE, 3), offline.states(), name + " became unresponsive");
            assertTrue(offline.meanVEnd() < offline.meanVStart(), name + "'s V fell: " + offline);
        }
        // Offline workers stopped earning a third of the way in: per worker, they earned less than their online peers.
        assertTrue(r.group("offline-fast").meanRewards() < fast.meanRewards());
        assertTrue(r.group("offline-slow").meanRewards() < slow.meanRewards());
    }

    @Test
    void workersThatComeBackRecoverAndConservationStaysExact() throws Exception {
        MiningReport r = run(new MiningSimulation.Options(16, 2, 0.25, 100, 250, 0.5, 11, MiningSimulation.Network.DEVNET), 400);

        assertTrue(r.consistent(), "all checks: " + r.failures());
        assertTrue(r.conserved());
        for (String name : new String[] {"offline-fast", "offline-slow"}) {
            MiningReport.Group back = r.group(name);
            assertEquals(Map.of(MiningState.IDLE, back.count()), back.states(), name + " recovered");
        }
    }
}
