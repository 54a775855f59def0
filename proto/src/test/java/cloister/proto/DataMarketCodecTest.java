package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** W3A's calls, worker messages, inbound messages and events survive their canonical codec exactly, and mutated bytes never decode into something else silently. */
class DataMarketCodecTest {
    private static final Hash GENESIS = Sha256.hash(new byte[] {1});
    private static final Hash FILE = Sha256.hash(new byte[] {2});
    private static final WorkerId WORKER = WorkerId.of(DevKeys.get("dave").account());
    private static final AccountId EVE = DevKeys.get("eve").account();
    private static final byte[] SCHEMA = "age_band:text".getBytes(StandardCharsets.UTF_8);

    static List<Call> calls() {
        return List.of(new DataMarketCall.RegisterDataset("survey", SCHEMA, 0),
                new DataMarketCall.AddBatch(1, FILE, 10, 1000, new byte[80]),
                new DataMarketCall.SetListing(1, new DataMarketCall.Listing("a survey", 5, 1, 3, 3, 1_000_000, 100_000, 2)),
                new DataMarketCall.SetListing(1, new DataMarketCall.Listing("with a preview", 5, 1, 3, 3, 1_000_000, 100_000, 2,
                        "CLPV preview bytes".getBytes(StandardCharsets.US_ASCII))),
                new DataMarketCall.Unlist(1),
                new DataMarketCall.Grant(1, EVE, 1, Sha256.hash(new byte[] {7}), 9, 100, 3),
                new DataMarketCall.Grant(1, DataMarketCall.ANY_BUYER, DataMarketCall.ALL_PURPOSES, DataMarketCall.ANY_AGGREGATE, 0, 0, 0),
                new DataMarketCall.Revoke(1, 0), new DataMarketCall.SetPolicy(1, 1, 50), new DataMarketCall.DeleteDataset(1),
                new DataMarketCall.SubmitJob(0, "SELECT COUNT(*) FROM t", List.of(1L, 2L, 3L), Hash.ZERO, 100_000, 10_000, 5, new byte[32]),
                new DataMarketCall.SubmitJob(1, "SELECT COUNT(*) FROM t", List.of(), Sha256.hash(SCHEMA), 1, 1, 0, new byte[32]),
                new DataMarketCall.Decide(4, 1, true), new DataMarketCall.Decide(4, 2, false), new DataMarketCall.CancelJob(4));
    }

    @Test
    void callsRoundTripAndMutationsNeverDecodeSilentlyWrong() {
        SigningKey alice = DevKeys.get("alice");
        Random random = new Random(11);
        for (Call call : calls()) {
            Transaction tx = Transaction.sign(GENESIS, alice, 3, 1000, call);
            byte[] bytes = tx.encode();
            assertEquals(call, Transaction.decode(bytes).call());
            for (int i = 0; i < 50; i++) {
                byte[] m = bytes.clone();
                m[random.nextInt(m.length)] ^= (byte) (1 + random.nextInt(255));
                try {
                    Transaction t = Transaction.decode(m);
                    assertTrue(!t.verifySignature() || t.equals(tx), "a mutated transaction decodes only with a broken signature");
                } catch (MalformedException | IllegalArgumentException expected) {
                    // refused: fine
                }
            }
        }
        assertEquals(List.of("research", "advertising"), DataMarketCall.purposes(1 | 4));
        assertEquals(4, DataMarketCall.purposeBit("advertising"));
        assertEquals(-1, DataMarketCall.purposeBit("surveillance"));
        assertThrows(IllegalArgumentException.class, () -> new DataMarketCall.SubmitJob(0, "x", List.of(), Hash.ZERO, 1, 1, 0, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new DataMarketCall.Listing("", 1, 0, 1, 2, 10, 1, 1,
                new byte[DataMarketCall.MAX_PREVIEW + 1]));
        assertEquals(100_000, DataMarketCall.previewEpsilon(1_000_000), "a preview spends a tenth of the budget");
        assertThrows(IllegalArgumentException.class, () -> new DataMarketCall.SubmitJob(0, "x".repeat(DataMarketCall.MAX_SQL + 1), List.of(),
                Hash.ZERO, 1, 1, 0, new byte[32]));
    }

    @Test
    void workerMessagesInboundMessagesAndEventsRoundTrip() {
        for (WorkerMessage m : List.of(new WorkerMessage.JobResult(3, FILE, new byte[] {1, 2, 3}, 12, 1200),
                new WorkerMessage.JobFailed(3, "NOT_AGGREGATE", "only aggregate queries are accepted", false),
                new WorkerMessage.DeletionReceipt(1, 77))) {
            SignedWorkerMessage signed = SignedWorkerMessage.sign(DevKeys.get("dave"), GENESIS, 4, m);
            SignedWorkerMessage back = SignedWorkerMessage.decode(signed.encode());
            assertEquals(m, back.message());
            assertTrue(back.verify(GENESIS));
        }
        InboundMessage.JobAssigned job = new InboundMessage.JobAssigned(3, WORKER, 0, "SELECT COUNT(*) FROM t", SCHEMA, 100_000, 3, 1,
                new byte[32], List.of(new InboundMessage.JobDataset(1, EVE, List.of(new InboundMessage.JobBatch(FILE, 10, 1000, new byte[80]),
                        new InboundMessage.JobBatch(GENESIS, 5, 500, new byte[80]))), new InboundMessage.JobDataset(2, EVE, List.of())));
        List<InboundMessage> messages = List.of(job, new InboundMessage.DatasetDeleted(1, WORKER), new InboundMessage.JobTimedOut(3, WORKER));
        assertEquals(messages, InboundMessage.decodeList(InboundMessage.encodeList(messages)));
        List<EventRecord> events = List.of(new EventRecord(0, new Event.DatasetRegistered(1, EVE, "survey")),
                new EventRecord(1, new Event.GrantAdded(1, 0)), new EventRecord(2, new Event.DatasetDeleted(1, 2)),
                new EventRecord(3, new Event.JobSubmitted(3, EVE, 3, 2)), new EventRecord(4, new Event.JobStarted(3, WORKER, 3)),
                new EventRecord(EventRecord.BLOCK, new Event.JobEnded(3, "done", "", 100, 5)));
        assertEquals(events, EventCodec.decode(EventCodec.encode(events)));
    }
}
