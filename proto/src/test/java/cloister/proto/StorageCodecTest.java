package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.crypto.Sha256;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The storage market's calls, work reports, worker messages and events survive their canonical codec exactly. */
class StorageCodecTest {
    private static final Hash GENESIS = Sha256.hash(new byte[] {1});
    private static final Hash FILE = Sha256.hash(new byte[] {2});
    private static final WorkerId WORKER = WorkerId.of(DevKeys.get("dave").account());

    @Test
    void storageCallsRoundTrip() {
        SigningKey alice = DevKeys.get("alice");
        for (Call call : List.of(new StorageCall.RegisterProvider(WORKER, 1L << 40, "http://127.0.0.1:5001"),
                new StorageCall.PlaceOrder(FILE, 1_234_567, 3, 100, 42, new byte[80]), new StorageCall.Renew(FILE, 7),
                new StorageCall.Cancel(FILE))) {
            Transaction tx = Transaction.sign(GENESIS, alice, 3, 1000, call);
            assertEquals(call, Transaction.decode(tx.encode()).call());
        }
        Transaction slot = Transaction.sign(GENESIS, alice, 0, 1000, new SudoCall.Sudo(new GovernanceCall.SetStorageSlot(6)));
        assertEquals(new SudoCall.Sudo(new GovernanceCall.SetStorageSlot(6)), Transaction.decode(slot.encode()).call());
        assertThrows(IllegalArgumentException.class, () -> new GovernanceCall.SetStorageSlot(1));
        assertThrows(IllegalArgumentException.class, () -> new StorageCall.PlaceOrder(FILE, 1, 1, 1, 1, new byte[StorageCall.MAX_WRAPPED_KEY + 1]));
    }

    @Test
    void workReportsRoundTripAndTheRootCommitsToEveryFileAndSize() {
        TreeMap<Hash, Long> files = new TreeMap<>();
        files.put(FILE, 1000L);
        files.put(Sha256.hash(new byte[] {3}), 2000L);
        Hash root = WorkerMessage.WorkReport.filesRoot(files);
        WorkerMessage.WorkReport r = new WorkerMessage.WorkReport(9, GENESIS, root, 3000,
                List.of(new WorkerMessage.FileEntry(FILE, 1000)), List.of(new WorkerMessage.FileEntry(Sha256.hash(new byte[] {4}), 5)));
        SignedWorkerMessage signed = SignedWorkerMessage.sign(DevKeys.get("dave"), GENESIS, 4, r);
        SignedWorkerMessage back = SignedWorkerMessage.decode(signed.encode());
        assertEquals(r, back.message());
        assertEquals(true, back.verify(GENESIS));
        TreeMap<Hash, Long> otherSize = new TreeMap<>(files);
        otherSize.put(FILE, 1001L);
        assertNotEquals(root, WorkerMessage.WorkReport.filesRoot(otherSize));
        TreeMap<Hash, Long> fewer = new TreeMap<>(files);
        fewer.remove(FILE);
        assertNotEquals(root, WorkerMessage.WorkReport.filesRoot(fewer));
        assertNotEquals(WorkerMessage.WorkReport.filesRoot(new TreeMap<>()), root);
    }

    @Test
    void storageInboundMessagesAndEventsRoundTrip() {
        List<InboundMessage> messages = List.of(new InboundMessage.StorageSlot(3, 30, 10, GENESIS),
                new InboundMessage.ReplicaAssigned(WORKER, FILE, 99), new InboundMessage.ReplicaReleased(WORKER, FILE));
        assertEquals(messages, InboundMessage.decodeList(InboundMessage.encodeList(messages)));
        List<EventRecord> events = List.of(new EventRecord(0, new Event.ProviderRegistered(WORKER, DevKeys.get("dave").account(), 5)),
                new EventRecord(1, new Event.OrderPlaced(FILE, DevKeys.get("alice").account(), 10, 3, 100, 3000)),
                new EventRecord(EventRecord.BLOCK, new Event.ReplicaAssigned(FILE, WORKER)),
                new EventRecord(EventRecord.BLOCK, new Event.ReplicaLost(FILE, WORKER, "no work report for slot 4")),
                new EventRecord(2, new Event.WorkReportAccepted(WORKER, 4, 2, 3000)),
                new EventRecord(EventRecord.BLOCK, new Event.StorageSlotClosed(4, 3, 126)),
                new EventRecord(3, new Event.OrderRenewed(FILE, 200, 300)),
                new EventRecord(4, new Event.OrderEnded(FILE, "cancelled", 2700)));
        assertEquals(events, EventCodec.decode(EventCodec.encode(events)));
    }
}
