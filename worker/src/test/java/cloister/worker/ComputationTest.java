package cloister.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.crypto.DevKeys;
import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The enclave's part in mining, through its byte interface: heartbeat challenges and unresponsive notices answered
 * with signed heartbeats naming the right block and carrying real workload totals, stale challenges skipped when the
 * host knows the window closed, a benchmark request reported after the workload ran (outside the enclave's lock),
 * and the request and totals surviving a restart.
 */
class ComputationTest {
    private static final WorkerId OTHER = WorkerId.of(DevKeys.get("eve").account());

    private TestChain chain;
    private TestWorker w;

    /** Past the JVM's JIT warm-up (the enclave does not count work before it), through another enclave's benchmark. */
    @BeforeAll
    static void warmUp() {
        TestChain c = new TestChain();
        TestWorker t = new TestWorker().start(c.genesisHash());
        c.add(t.registration());
        c.add(new InboundMessage.BenchmarkRequested(t.id(), 10));
        t.sync(c);
        while (t.client.benchmarkRun(20).iterations() == 0) {
            Thread.onSpinWait();
        }
    }

    @BeforeEach
    void setUp() {
        chain = new TestChain();
        w = new TestWorker().start(chain.genesisHash());
        chain.add(w.registration());
        assertTrue(w.sync(chain).isEmpty());
    }

    private WorkerMessage.Heartbeat heartbeat(List<SignedWorkerMessage> egress) {
        assertEquals(1, egress.size(), egress.toString());
        SignedWorkerMessage m = egress.get(0);
        assertEquals(w.id(), m.worker());
        assertTrue(m.verify(chain.genesisHash()));
        return assertInstanceOf(WorkerMessage.Heartbeat.class, m.message());
    }

    @Test
    void aChallengeIsAnsweredWithAHeartbeatNamingItsBlock() {
        chain.add(new InboundMessage.HeartbeatChallenge(OTHER, chain.head() + 11));
        assertTrue(w.sync(chain).isEmpty(), "another worker's challenge");

        BlockHeader challenged = chain.add(new InboundMessage.HeartbeatChallenge(w.id(), chain.head() + 11));
        WorkerMessage.Heartbeat first = heartbeat(w.sync(chain));
        assertEquals(challenged.height(), first.challengeHeight());
        assertTrue(first.iterations() > 0, "the burst ran the workload");
        assertTrue(first.workMillis() >= 10, "about 20 ms of work: " + first.workMillis());
        assertEquals(0, first.contracts());

        chain.add();
        BlockHeader again = chain.add(new InboundMessage.HeartbeatChallenge(w.id(), chain.head() + 11));
        WorkerMessage.Heartbeat second = heartbeat(w.sync(chain));
        assertEquals(again.height(), second.challengeHeight());
        assertTrue(second.iterations() > first.iterations(), "running totals");
        assertTrue(second.workMillis() > first.workMillis(), "running totals");
    }

    @Test
    void anUnresponsiveNoticeIsAnsweredWithAHeartbeatNamingThatBlock() {
        BlockHeader marked = chain.add(new InboundMessage.WorkerUnresponsive(w.id()));
        WorkerMessage.Heartbeat h = heartbeat(w.sync(chain));
        assertEquals(marked.height(), h.challengeHeight());
        assertTrue(h.iterations() > 0);
        chain.add(new InboundMessage.WorkerUnresponsive(OTHER));
        assertTrue(w.sync(chain).isEmpty(), "another worker's notice");
    }

    @Test
    void aChallengeWhoseWindowClosedByTheHostsHeadIsSkipped() {
        long from = chain.head() + 1;
        BlockHeader challenged = chain.add(new InboundMessage.HeartbeatChallenge(w.id(), chain.head() + 11));
        for (int i = 0; i < 12; i++) {
            chain.add();
        }
        EnclaveReply.Synced s = w.client.sync(chain.blocks(from, chain.head()), challenged.height() + 10);
        assertTrue(s.egress().isEmpty(), "deadline = the head: a heartbeat relayed now lands too late");
        assertEquals(chain.head(), s.height());

        from = chain.head() + 1;
        BlockHeader open = chain.add(new InboundMessage.HeartbeatChallenge(w.id(), chain.head() + 11));
        s = w.client.sync(chain.blocks(from, chain.head()), open.height() + 9);
        assertEquals(open.height(), heartbeat(s.egress()).challengeHeight(), "still one block to land in");
    }

    @Test
    void aBenchmarkRequestIsReportedAfterTheWorkloadRan() {
        EnclaveException none = assertThrows(EnclaveException.class, () -> w.client.benchmarkReport(1));
        assertEquals(EnclaveError.NO_BENCHMARK, none.reason());
        assertFalse(w.client.benchmarkRun(50).requested());
        assertEquals(0, w.client.benchmarkRun(0).totalIterations(), "nothing runs without a request");

        chain.add(new InboundMessage.BenchmarkRequested(OTHER, 99));
        BlockHeader requested = chain.add(new InboundMessage.BenchmarkRequested(w.id(), chain.head() + 6));
        assertTrue(w.sync(chain).isEmpty(), "the host runs the workload; nothing is signed yet");
        EnclaveReply.BenchmarkProgress p = w.client.benchmarkRun(0);
        assertEquals(requested.height(), p.requestHeight());
        assertEquals(requested.height() + 5, p.untilHeight());
        assertEquals(0, p.iterations());
        assertEquals(EnclaveError.NO_BENCHMARK, assertThrows(EnclaveException.class, () -> w.client.benchmarkReport(requested.height()))
                .reason(), "nothing ran yet");

        for (int i = 0; i < 4; i++) {
            p = w.client.benchmarkRun(50);
        }
        assertTrue(p.iterations() > 0);
        assertTrue(p.millis() >= 190, "four slices of 50 ms: " + p.millis());
        assertEquals(p.iterations(), p.totalIterations());
        assertEquals(EnclaveError.NO_BENCHMARK, assertThrows(EnclaveException.class, () -> w.client.benchmarkReport(requested.height() - 1))
                .reason(), "another request");

        SignedWorkerMessage signed = w.client.benchmarkReport(requested.height());
        assertTrue(signed.verify(chain.genesisHash()));
        WorkerMessage.BenchmarkReport r = assertInstanceOf(WorkerMessage.BenchmarkReport.class, signed.message());
        assertEquals(requested.height(), r.requestHeight());
        assertEquals(p.iterations(), r.iterations());
        assertEquals(p.millis(), r.millis());
        assertEquals(List.of(signed), w.client.outbox(), "relayed like any egress");
        assertFalse(w.client.benchmarkRun(50).requested(), "done");
        assertEquals(p.totalIterations(), w.client.benchmarkRun(0).totalIterations());
    }

    @Test
    void theWorkloadRunsOutsideTheEnclavesLock() throws Exception {
        chain.add(new InboundMessage.BenchmarkRequested(w.id(), chain.head() + 6));
        w.sync(chain);
        CompletableFuture<EnclaveReply.BenchmarkProgress> slice = CompletableFuture.supplyAsync(() -> w.client.benchmarkRun(1000));
        Thread.sleep(100);
        chain.add();
        chain.add();
        w.sync(chain);
        assertFalse(slice.isDone(), "blocks were applied while the slice was hashing");
        assertTrue(slice.get(10, TimeUnit.SECONDS).millis() >= 1000);
        assertEquals(chain.head(), w.synced());
    }

    @Test
    void theRequestAndTheTotalsSurviveARestart() {
        BlockHeader requested = chain.add(new InboundMessage.BenchmarkRequested(w.id(), chain.head() + 6));
        w.sync(chain);
        w.client.benchmarkRun(30);
        EnclaveReply.BenchmarkProgress before = w.client.benchmarkRun(30);
        w.client.checkpoint();

        w.start(chain.genesisHash());
        assertEquals(before, w.client.benchmarkRun(0));
        WorkerMessage.BenchmarkReport r = assertInstanceOf(WorkerMessage.BenchmarkReport.class,
                w.client.benchmarkReport(requested.height()).message());
        assertEquals(requested.height(), r.requestHeight());
        assertEquals(before.iterations(), r.iterations());

        chain.add(new InboundMessage.HeartbeatChallenge(w.id(), chain.head() + 11));
        WorkerMessage.Heartbeat h = heartbeat(w.sync(chain));
        assertTrue(h.iterations() > before.totalIterations(), "the totals went on from the checkpoint");
        w.start(chain.genesisHash());
        assertEquals(h.iterations(), w.client.benchmarkRun(0).totalIterations(), "signing checkpoints: the signed totals survive");
        assertFalse(w.client.benchmarkRun(0).requested(), "the report was signed");
    }
}
