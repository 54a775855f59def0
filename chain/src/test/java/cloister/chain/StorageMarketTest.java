package cloister.chain;

import static cloister.chain.BlockEvents.all;
import static cloister.chain.BlockEvents.assertFailed;
import static cloister.chain.BlockEvents.one;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.storage.StorageMarket;
import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.proto.Block;
import cloister.proto.Call;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.GovernanceCall;
import cloister.proto.InboundMessage;
import cloister.proto.RegistryCall;
import cloister.proto.StorageCall;
import cloister.proto.SudoCall;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage.FileEntry;
import cloister.proto.WorkerMessage.WorkReport;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage market through a real chain (blocks proposed and imported, transactions signed and charged, worker
 * messages signed by attested sim workers): providers, orders and their escrow, slots and anchors, work reports,
 * settlement, repair, expiry, cancellation and renewal, and the conservation of money over a random run.
 */
class StorageMarketTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Measurement BUILD = SimPlatform.measure(new byte[] {4}, "storage test");
    private static final SigningKey ALICE = ChainFixture.ALICE;
    private static final SigningKey BOB = ChainFixture.BOB;
    private static final SigningKey CHARLIE = ChainFixture.CHARLIE;
    private static final SigningKey DAVE = DevKeys.get("dave");
    private static final SigningKey EVE = DevKeys.get("eve");
    private static final SigningKey FERDIE = DevKeys.get("ferdie");
    private static final long FEE = ChainFixture.FEE;
    private static final String ENDPOINT = "http://127.0.0.1:8088/ipfs";
    private static final AccountId ESCROW = StorageMarket.ESCROW;

    private final SimAttestationRoot root = SimAttestationRoot.generate("storage test", RANDOM);
    private final SimMachine machine = SimMachine.ephemeral(RANDOM);
    @TempDir
    Path dir;
    private ChainFixture f;
    private List<EventRecord> lastEvents = List.of();

    @BeforeEach
    void start() {
        f = new ChainFixture(dir.resolve("node"), spec());
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private Genesis.Spec spec() {
        return Genesis.dev().withTee(new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(BUILD), Registry.AttestationPolicy.DEV));
    }

    // ---------------------------------------------------------------- 1. providers

    @Test
    void providersMustBeAttestedWorkersRegisteredByTheirOperator() {
        SimWorker w = worker(BOB);
        assertFailed(run(BOB, new StorageCall.RegisterProvider(w.id(), 1_000, ENDPOINT)), "UNKNOWN_WORKER", "is not registered");
        run(BOB, registration(w));
        assertTrue(Registry.worker(state(), w.id()).isPresent());
        assertFailed(run(CHARLIE, new StorageCall.RegisterProvider(w.id(), 1_000, ENDPOINT)), "BAD_ORIGIN", BOB.account().address());
        assertFailed(run(BOB, new StorageCall.RegisterProvider(w.id(), 0, ENDPOINT)), "INVALID_ARGUMENT", "capacity must be positive");
        assertFailed(run(BOB, new StorageCall.RegisterProvider(w.id(), 1_000, "ftp://127.0.0.1/")), "INVALID_ARGUMENT", "http(s) URL");
        assertFailed(run(BOB, new StorageCall.RegisterProvider(w.id(), 1_000, "127.0.0.1:8088")), "INVALID_ARGUMENT", "http(s) URL");
        assertTrue(StorageMarket.providers(state()).isEmpty());
        assertTrue(StorageMarket.provider(state(), w.id()).isEmpty());

        List<EventRecord> ok = run(BOB, new StorageCall.RegisterProvider(w.id(), 5_000, ENDPOINT));
        assertEquals(new Event.ProviderRegistered(w.id(), BOB.account(), 5_000), one(ok, Event.ProviderRegistered.class));
        assertTrue(all(ok, Event.TxFailed.class).isEmpty(), ok.toString());
        assertEquals(List.of(w.id()), StorageMarket.providers(state()));
        assertEquals(new StorageMarket.Provider(w.id(), BOB.account(), 5_000, ENDPOINT, 0, 0, -1, 0),
                StorageMarket.provider(state(), w.id()).orElseThrow());

        // Registering again updates capacity and endpoint; the provider is listed once.
        List<EventRecord> update = run(BOB, new StorageCall.RegisterProvider(w.id(), 9_000, "https://storage.example/ipfs"));
        assertEquals(new Event.ProviderRegistered(w.id(), BOB.account(), 9_000), one(update, Event.ProviderRegistered.class));
        assertEquals(List.of(w.id()), StorageMarket.providers(state()));
        StorageMarket.Provider p = StorageMarket.provider(state(), w.id()).orElseThrow();
        assertEquals(9_000, p.capacity());
        assertEquals("https://storage.example/ipfs", p.endpoint());
    }

    // ---------------------------------------------------------------- 2. orders

    @Test
    void ordersAreCheckedEscrowedAndGoToDistinctProvidersInAnchorHashOrder() {
        List<SimWorker> ps = providers(10_000, BOB, CHARLIE, DAVE);
        Hash file = file("report.pdf");
        long ferdie = balance(FERDIE);
        assertFailed(run(FERDIE, order(file, 100, 2, 1, Tokens.of(600_000))), "INSUFFICIENT_BALANCE",
                "the order needs " + Tokens.display(Tokens.of(1_200_000)));
        assertFailed(run(FERDIE, order(file, 100, 0, 1, 10)), "INVALID_ARGUMENT", "replicas must be 1..16");
        assertFailed(run(FERDIE, order(file, 100, StorageCall.MAX_REPLICAS + 1, 1, 10)), "INVALID_ARGUMENT", "replicas must be 1..16");
        assertFailed(run(FERDIE, order(file, 0, 1, 1, 10)), "INVALID_ARGUMENT", "0 is outside the limit");
        assertFailed(run(FERDIE, order(file, StorageCall.MAX_FILE_BYTES + 1, 1, 1, 10)), "INVALID_ARGUMENT",
                (StorageCall.MAX_FILE_BYTES + 1) + " is outside the limit");
        assertFailed(run(FERDIE, order(file, 100, 1, 1, 0)), "INVALID_AMOUNT", "at least 1 unit");
        assertFailed(run(FERDIE, order(file, 100, 1, 0, 10)), "INVALID_ARGUMENT", "slots must be");
        assertFailed(run(FERDIE, order(file, 100, 16, StorageCall.MAX_SLOTS, Long.MAX_VALUE / 16)), "OVERFLOW", "overflows");
        assertEquals(ferdie - 8 * FEE, balance(FERDIE), "a refused order costs its fee and nothing else");
        assertEquals(0, balance(ESCROW));
        assertTrue(StorageMarket.orders(state()).isEmpty());
        assertTrue(ps.stream().allMatch(w -> provider(w).used() == 0));

        // Accepted (in slot 1, anchored at a real block hash): price × replicas × slots moves to the escrow; replicas
        // go to the first providers in the order of SHA-256(anchor ‖ file ‖ provider).
        toBoundary();
        StorageMarket.Slot slot = StorageMarket.slot(state());
        assertEquals(1, slot.slot());
        assertEquals(f.chain.blockAt(slot.startHeight() - 1).orElseThrow().hash(), slot.anchor());
        ferdie = balance(FERDIE);
        byte[] wrapped = new byte[80];
        Arrays.fill(wrapped, (byte) 0x5a);
        List<EventRecord> placed = run(FERDIE, new StorageCall.PlaceOrder(file, 4_000, 2, 3, 1_000, wrapped));
        assertTrue(all(placed, Event.TxFailed.class).isEmpty(), placed.toString());
        assertEquals(new Event.OrderPlaced(file, FERDIE.account(), 4_000, 2, 4, 6_000), one(placed, Event.OrderPlaced.class));
        assertEquals(ferdie - FEE - 6_000, balance(FERDIE));
        assertEquals(6_000, balance(ESCROW));
        List<WorkerId> expected = hashOrder(slot.anchor(), file, ids(ps)).subList(0, 2);
        List<WorkerId> assigned = all(placed, Event.ReplicaAssigned.class).stream().map(Event.ReplicaAssigned::provider).toList();
        assertEquals(expected, assigned);
        assertEquals(2, new HashSet<>(assigned).size(), "distinct providers");
        assertTrue(all(placed, Event.ReplicaAssigned.class).stream().allMatch(a -> a.file().equals(file)));
        assertEquals(expected.stream().map(id -> (InboundMessage) new InboundMessage.ReplicaAssigned(id, file, 4_000)).toList(),
                messagesOf(InboundMessage.ReplicaAssigned.class));
        StorageMarket.Order o = order(file);
        assertEquals(FERDIE.account(), o.owner());
        assertEquals(4_000, o.size());
        assertEquals(2, o.replicas());
        assertEquals(1_000, o.price());
        assertEquals(1, o.placedSlot());
        assertEquals(4, o.endSlot());
        assertEquals(6_000, o.escrow());
        assertArrayEquals(wrapped, o.wrappedKey());
        assertEquals(expected.stream().map(id -> new StorageMarket.Replica(id, 1, -1)).toList(), o.assigned());
        assertEquals(List.of(file), StorageMarket.orders(state()));
        for (SimWorker w : ps) {
            assertEquals(expected.contains(w.id()) ? 4_000 : 0, provider(w).used(), "bytes assigned to " + w.id().hex());
        }

        assertFailed(run(CHARLIE, order(file, 4_000, 1, 1, 5)), "DUPLICATE", "renew that order instead");
        assertEquals(6_000, balance(ESCROW));

        // Capacity: 7,000 bytes fit only on the provider without a replica yet (the others have 6,000 free).
        Hash big = file("big.tar");
        List<EventRecord> bigPlaced = run(CHARLIE, order(big, 7_000, 3, 1, 2));
        WorkerId spare = ids(ps).stream().filter(id -> !expected.contains(id)).findFirst().orElseThrow();
        assertEquals(List.of(new Event.ReplicaAssigned(big, spare)), all(bigPlaced, Event.ReplicaAssigned.class));
        assertEquals(6_000 + 6, balance(ESCROW));
        assertEquals(1, order(big).assigned().size());
    }

    @Test
    void twoNodesReplayingTheSameBlocksAssignTheSameProviders() {
        try (ChainFixture other = new ChainFixture(dir.resolve("other"), spec())) {
            assertEquals(genesis(), other.chain.info().genesisHash());
            List<SimWorker> ps = new ArrayList<>();
            for (SigningKey op : List.of(BOB, CHARLIE, DAVE, EVE, FERDIE)) {
                SimWorker w = worker(op);
                submit(op, registration(w));
                submit(op, new StorageCall.RegisterProvider(w.id(), 1_000_000, ENDPOINT));
                ps.add(w);
            }
            sealOnBoth(other);
            assertEquals(5, StorageMarket.providers(other.chain.state()).size());
            // Into slot 1, whose anchor is a real block hash.
            while (StorageMarket.slot(state()).slot() == 0) {
                sealOnBoth(other);
            }
            StorageMarket.Slot slot = StorageMarket.slot(state());
            assertEquals(f.chain.blockAt(slot.startHeight() - 1).orElseThrow().hash(), slot.anchor());
            assertNotEquals(Hash.ZERO, slot.anchor());

            Hash a = file("a");
            Hash b = file("b");
            submit(ALICE, order(a, 1_000, 3, 2, 10));
            submit(ALICE, order(b, 1_000, 4, 2, 10));
            long height = sealOnBoth(other);
            for (Hash file : List.of(a, b)) {
                List<WorkerId> here = holders(f.chain.state(), file);
                List<WorkerId> there = holders(other.chain.state(), file);
                assertEquals(here, there, "both nodes assign the same providers");
                assertEquals(StorageMarket.order(f.chain.state(), file).orElseThrow().replicas(), new HashSet<>(here).size());
                assertEquals(hashOrder(slot.anchor(), file, ids(ps)).subList(0, here.size()), here);
            }
            assertEquals(f.chain.workerMessages(height).orElseThrow(), other.chain.workerMessages(height).orElseThrow());
            assertEquals(f.chain.events(height).orElseThrow(), other.chain.events(height).orElseThrow());
            assertEquals(f.chain.head(), other.chain.head());
        }
    }

    @Test
    void anOrderWaitsForProvidersAndGetsThemWhenOneRegisters() {
        SimWorker first = providers(10_000, BOB).get(0);
        Hash file = file("waiting");
        List<EventRecord> placed = run(FERDIE, order(file, 100, 2, 5, 10));
        assertEquals(List.of(new Event.ReplicaAssigned(file, first.id())), all(placed, Event.ReplicaAssigned.class));
        assertEquals(100, balance(ESCROW), "the whole price is escrowed even while replicas are missing");
        holding(first, Map.of(file, 100L));
        List<EventRecord> boundary = toBoundary();
        assertTrue(all(boundary, Event.ReplicaAssigned.class).isEmpty(), "no other provider to assign: " + boundary);
        assertEquals(List.of(first.id()), holders(state(), file));

        SimWorker second = providers(10_000, CHARLIE).get(0);
        assertEquals(List.of(new Event.ReplicaAssigned(file, second.id())), all(lastEvents, Event.ReplicaAssigned.class));
        assertEquals(List.of(new InboundMessage.ReplicaAssigned(second.id(), file, 100)), messagesOf(InboundMessage.ReplicaAssigned.class));
        assertEquals(List.of(new StorageMarket.Replica(first.id(), 0, 0), new StorageMarket.Replica(second.id(), 1, -1)),
                order(file).assigned());
        assertEquals(100, provider(second).used());
    }

    // ---------------------------------------------------------------- 3. slots and work reports

    @Test
    void slotBoundariesAnnounceTheNextSlotWithTheParentHashAsAnchor() {
        assertEquals(new StorageMarket.Slot(0, 0, StorageMarket.DEFAULT_SLOT_BLOCKS, Hash.ZERO), StorageMarket.slot(state()));
        for (int h = 1; h < 10; h++) {
            seal();
            assertTrue(messagesOf(InboundMessage.StorageSlot.class).isEmpty(), "no boundary at height " + h);
            assertTrue(all(lastEvents, Event.StorageSlotClosed.class).isEmpty());
        }
        seal();
        assertEquals(10, f.chain.head().height());
        Hash anchor1 = f.chain.blockAt(9).orElseThrow().hash();
        assertEquals(new InboundMessage.StorageSlot(1, 10, 10, anchor1), f.chain.workerMessages(10).orElseThrow().get(0));
        assertTrue(lastEvents.contains(new EventRecord(EventRecord.BLOCK, new Event.StorageSlotClosed(0, 0, 0))), lastEvents.toString());
        assertEquals(new StorageMarket.Slot(1, 10, 10, anchor1), StorageMarket.slot(state()));

        // Only sudo sets the slot length; it applies from the next boundary on.
        assertFailed(run(BOB, new SudoCall.Sudo(new GovernanceCall.SetStorageSlot(4))), "BAD_ORIGIN", "sudo");
        List<EventRecord> set = run(ALICE, new SudoCall.Sudo(new GovernanceCall.SetStorageSlot(4)));
        assertEquals(new Event.SudoExecuted("setStorageSlot"), one(set, Event.SudoExecuted.class));
        assertEquals(4, StorageMarket.slotBlocksSetting(state()));
        assertEquals(new StorageMarket.Slot(1, 10, 10, anchor1), StorageMarket.slot(state()), "the current slot keeps its length");
        Map<Long, InboundMessage.StorageSlot> announced = new TreeMap<>();
        while (f.chain.head().height() < 28) {
            seal();
            messagesOf(InboundMessage.StorageSlot.class).forEach(m -> announced.put(f.chain.head().height(), (InboundMessage.StorageSlot) m));
        }
        Map<Long, InboundMessage.StorageSlot> expected = new TreeMap<>();
        for (long[] s : new long[][] {{2, 20}, {3, 24}, {4, 28}}) {
            expected.put(s[1], new InboundMessage.StorageSlot(s[0], s[1], 4, f.chain.blockAt(s[1] - 1).orElseThrow().hash()));
        }
        assertEquals(expected, announced);
        assertEquals(new StorageMarket.Slot(4, 28, 4, f.chain.blockAt(27).orElseThrow().hash()), StorageMarket.slot(state()));
    }

    /**
     * {@code GovernanceCall.SetStorageSlot}: "Takes effect at the next slot boundary". Slot 0 has no stored record, so
     * {@code StorageMarket.slot} derives its end from the current setting, and a new length set during slot 0 moves
     * slot 0's end at once.
     */
    @Test
    void aSlotLengthSetDuringTheFirstSlotTakesEffectAtItsEnd() {
        run(ALICE, new SudoCall.Sudo(new GovernanceCall.SetStorageSlot(4)));
        Map<Long, InboundMessage.StorageSlot> announced = new TreeMap<>();
        while (f.chain.head().height() < 14) {
            seal();
            messagesOf(InboundMessage.StorageSlot.class).forEach(m -> announced.put(f.chain.head().height(), (InboundMessage.StorageSlot) m));
        }
        Map<Long, InboundMessage.StorageSlot> expected = new TreeMap<>();
        expected.put(10L, new InboundMessage.StorageSlot(1, 10, 4, f.chain.blockAt(9).orElseThrow().hash()));
        expected.put(14L, new InboundMessage.StorageSlot(2, 14, 4, f.chain.blockAt(13).orElseThrow().hash()));
        assertEquals(expected, announced, "slot 0 keeps the 10 blocks it started with; 4-block slots follow");
    }

    @Test
    void workReportsAreCheckedAgainstTheSlotTheAnchorAndTheirArithmetic() {
        run(ALICE, new SudoCall.Sudo(new GovernanceCall.SetStorageSlot(30)));
        SimWorker p = providers(10_000, BOB).get(0);
        SimWorker plain = worker(BOB);
        run(BOB, registration(plain));
        toBoundary();
        StorageMarket.Slot slot = StorageMarket.slot(state());
        assertEquals(1, slot.slot());
        Hash anchor = slot.anchor();
        assertEquals(f.chain.blockAt(slot.startHeight() - 1).orElseThrow().hash(), anchor);
        Hash a = file("a");
        Hash b = file("b");
        Hash c = file("c");
        TreeMap<Hash, Long> ab = files(a, 100L, b, 50L);

        assertRefused(seal(BOB, plain.say(new WorkReport(1, anchor, root(Map.of()), 0, List.of(), List.of()))), plain,
                "UNKNOWN_PROVIDER", "not a storage provider");
        assertEquals(1, Registry.worker(state(), plain.id()).orElseThrow().nextSeq(), "a refused message uses its sequence number");

        List<FileEntry> addAb = List.of(new FileEntry(a, 100), new FileEntry(b, 50));
        assertRefused(seal(BOB, p.say(new WorkReport(2, anchor, root(ab), 150, addAb, List.of()))), p, "OUT_OF_SLOT",
                "the current slot is 1");
        assertRefused(seal(BOB, p.say(new WorkReport(0, Hash.ZERO, root(ab), 150, addAb, List.of()))), p, "OUT_OF_SLOT",
                "the current slot is 1");
        Hash older = f.chain.blockAt(slot.startHeight() - 2).orElseThrow().hash();
        assertRefused(seal(BOB, p.say(new WorkReport(1, older, root(ab), 150, addAb, List.of()))), p, "OUT_OF_SLOT", "anchor");
        assertRefused(seal(BOB, p.say(new WorkReport(1, anchor, root(ab), 149, addAb, List.of()))), p, "BAD_WORK_REPORT",
                "total size 149");
        assertRefused(seal(BOB, p.say(new WorkReport(1, anchor, root(files(a, 100L)), 100, List.of(new FileEntry(a, 100),
                new FileEntry(b, 50)), List.of(new FileEntry(b, 50))))), p, "BAD_WORK_REPORT", "which the last report did not hold");
        assertRefused(seal(BOB, p.say(new WorkReport(1, anchor, root(files(a, 100L)), 200, List.of(new FileEntry(a, 100),
                new FileEntry(a, 100)), List.of()))), p, "BAD_WORK_REPORT", "which it already holds");
        assertRefused(seal(BOB, p.say(new WorkReport(1, anchor, root(files(a, 100L, b, 51L)), 150, addAb, List.of()))), p,
                "BAD_WORK_REPORT", "files root");
        StorageMarket.Provider before = provider(p);
        assertEquals(-1, before.lastReportSlot(), "refused reports change nothing");
        assertEquals(0, before.reportedTotal());
        assertTrue(StorageMarket.providerFiles(state(), p.id()).isEmpty());

        List<EventRecord> ok = seal(BOB, p.say(new WorkReport(1, anchor, root(ab), 150, addAb, List.of())));
        assertEquals(new Event.WorkReportAccepted(p.id(), 1, 2, 150), one(ok, Event.WorkReportAccepted.class));
        assertEquals(new Event.WorkerMessageAccepted(p.id(), p.seq - 1, "workReport"), one(ok, Event.WorkerMessageAccepted.class));
        assertTrue(all(ok, Event.WorkerMessageRefused.class).isEmpty());
        assertEquals(ab, StorageMarket.providerFiles(state(), p.id()));
        assertEquals(1, provider(p).lastReportSlot());
        assertEquals(150, provider(p).reportedTotal());
        assertInstanceOf(InboundMessage.Accepted.class, f.chain.workerMessages(f.chain.head().height()).orElseThrow().get(0));

        assertRefused(seal(BOB, p.say(new WorkReport(1, anchor, root(ab), 150, List.of(), List.of()))), p, "DUPLICATE",
                "already reported slot 1");

        // Slot 2: changes are checked against the last accepted report.
        toBoundary();
        StorageMarket.Slot two = StorageMarket.slot(state());
        assertEquals(2, two.slot());
        assertRefused(seal(BOB, p.say(new WorkReport(2, two.anchor(), root(ab), 250, List.of(new FileEntry(a, 100)), List.of()))), p,
                "BAD_WORK_REPORT", "which it already holds");
        assertRefused(seal(BOB, p.say(new WorkReport(2, two.anchor(), root(files(b, 50L)), 51, List.of(),
                List.of(new FileEntry(a, 99))))), p, "BAD_WORK_REPORT", "with size 99, reported as 100");
        TreeMap<Hash, Long> bc = files(b, 50L, c, 10L);
        List<EventRecord> changed = seal(BOB, p.say(new WorkReport(2, two.anchor(), root(bc), 60, List.of(new FileEntry(c, 10)),
                List.of(new FileEntry(a, 100)))));
        assertEquals(new Event.WorkReportAccepted(p.id(), 2, 2, 60), one(changed, Event.WorkReportAccepted.class));
        assertEquals(bc, StorageMarket.providerFiles(state(), p.id()));

        // A report in the boundary block itself is for the slot that block starts, anchored at its parent.
        sealUntilBeforeBoundary();
        Hash parent = f.chain.head().hash();
        List<EventRecord> inBoundary = seal(BOB, p.say(new WorkReport(3, parent, root(bc), 60, List.of(), List.of())));
        assertEquals(new Event.WorkReportAccepted(p.id(), 3, 2, 60), one(inBoundary, Event.WorkReportAccepted.class));
        assertEquals(3, StorageMarket.slot(state()).slot());
        assertEquals(p.seq, Registry.worker(state(), p.id()).orElseThrow().nextSeq());
    }

    // ---------------------------------------------------------------- 4. settlement

    @Test
    void verifiedReplicasArePaidMissingOnesAreLostAndRepairedAndTheOrderExpires() {
        Map<WorkerId, SimWorker> byId = byId(providers(10_000, BOB, CHARLIE, DAVE));
        toBoundary();
        Hash file = file("dataset.parquet");
        long ferdie = balance(FERDIE);
        run(FERDIE, order(file, 500, 2, 3, 1_000));
        assertEquals(ferdie - FEE - 6_000, balance(FERDIE));
        assertEquals(4, order(file).endSlot());
        List<WorkerId> holders = holders(state(), file);
        SimWorker x = byId.get(holders.get(0));
        SimWorker y = byId.get(holders.get(1));
        SimWorker z = byId.values().stream().filter(w -> !holders.contains(w.id())).findFirst().orElseThrow();

        // Slot 1: x holds the file, z (no replica) reports to stay active, y says nothing: y is still in its grace.
        holding(x, Map.of(file, 500L));
        holding(z, Map.of());
        Map<AccountId, Long> before = balances();
        List<EventRecord> end1 = toBoundary();
        assertEquals(new Event.StorageSlotClosed(1, 1, 1_000), one(end1, Event.StorageSlotClosed.class));
        assertEquals(Map.of(x.operator.account(), 1_000L, ESCROW, -1_000L), deltas(before), "x is paid the price, from the escrow");
        assertTrue(all(end1, Event.ReplicaLost.class).isEmpty(), "y was assigned this slot: " + end1);
        assertEquals(List.of(new StorageMarket.Replica(x.id(), 1, 1), new StorageMarket.Replica(y.id(), 1, -1)), order(file).assigned());
        assertEquals(5_000, order(file).escrow());
        assertEquals(5_000, balance(ESCROW));

        // Slot 2: y misses its report again and loses the replica; z, active, takes it over.
        holding(x, Map.of(file, 500L));
        holding(z, Map.of());
        before = balances();
        List<EventRecord> end2 = toBoundary();
        assertEquals(new Event.StorageSlotClosed(2, 1, 1_000), one(end2, Event.StorageSlotClosed.class));
        assertEquals(Map.of(x.operator.account(), 1_000L, ESCROW, -1_000L), deltas(before));
        assertEquals(new Event.ReplicaLost(file, y.id(), "no work report for slot 2"), one(end2, Event.ReplicaLost.class));
        assertEquals(new Event.ReplicaAssigned(file, z.id()), one(end2, Event.ReplicaAssigned.class));
        List<InboundMessage> msgs = f.chain.workerMessages(f.chain.head().height()).orElseThrow();
        assertInstanceOf(InboundMessage.StorageSlot.class, msgs.get(0));
        assertTrue(msgs.contains(new InboundMessage.ReplicaReleased(y.id(), file)), msgs.toString());
        assertTrue(msgs.contains(new InboundMessage.ReplicaAssigned(z.id(), file, 500)), msgs.toString());
        assertEquals(List.of(new StorageMarket.Replica(x.id(), 1, 2), new StorageMarket.Replica(z.id(), 3, -1)), order(file).assigned());
        assertEquals(0, provider(y).used());
        assertEquals(500, provider(z).used());

        // Slot 3, the last: both hold the file and are paid; then the order expires with the rest refunded.
        holding(x, Map.of(file, 500L));
        holding(z, Map.of(file, 500L));
        before = balances();
        List<EventRecord> end3 = toBoundary();
        assertEquals(new Event.StorageSlotClosed(3, 2, 2_000), one(end3, Event.StorageSlotClosed.class));
        assertEquals(new Event.OrderEnded(file, "expired", 2_000), one(end3, Event.OrderEnded.class));
        assertEquals(Map.of(x.operator.account(), 1_000L, z.operator.account(), 1_000L, FERDIE.account(), 2_000L, ESCROW, -4_000L),
                deltas(before));
        assertEquals(ferdie - FEE - 4_000, balance(FERDIE), "the owner paid 4 verified replica-slots of 6 ordered");
        msgs = f.chain.workerMessages(f.chain.head().height()).orElseThrow();
        assertEquals(List.of(new InboundMessage.ReplicaReleased(x.id(), file), new InboundMessage.ReplicaReleased(z.id(), file)),
                msgs.stream().filter(InboundMessage.ReplicaReleased.class::isInstance).toList());
        assertTrue(StorageMarket.order(state(), file).isEmpty());
        assertTrue(StorageMarket.orders(state()).isEmpty());
        assertEquals(0, balance(ESCROW));
        assertTrue(byId.values().stream().allMatch(w -> provider(w).used() == 0));
    }

    @Test
    void aReportHoldingTheFileAtAnotherSizeIsNotVerifiedAndTheReplicaIsLostAfterTheGrace() {
        Setup s = wrongSizeSetup();
        for (long slot = 1; slot <= 2; slot++) {
            reportWrongSizeSlot(s);
            Map<AccountId, Long> before = balances();
            List<EventRecord> end = toBoundary();
            assertEquals(new Event.StorageSlotClosed(slot, 1, 1_000), one(end, Event.StorageSlotClosed.class), "only x counts");
            assertEquals(Map.of(s.x.operator.account(), 1_000L, ESCROW, -1_000L), deltas(before), "y is not paid");
            assertTrue(all(end, Event.ReplicaLost.class).isEmpty(), "y's replica is still fetching: " + end);
            assertTrue(holders(state(), s.file).contains(s.y.id()));
            assertEquals(-1, order(s.file).assigned().get(1).lastVerifiedSlot());
        }
        reportWrongSizeSlot(s);
        List<EventRecord> end = toBoundary();
        assertEquals(new Event.StorageSlotClosed(3, 1, 1_000), one(end, Event.StorageSlotClosed.class));
        Event.ReplicaLost lost = one(end, Event.ReplicaLost.class);
        assertEquals(s.y.id(), lost.provider());
        assertEquals(s.file, lost.file());
        assertEquals("the work report for slot 3 does not hold the file at the ordered size", lost.reason());
        assertTrue(f.chain.workerMessages(f.chain.head().height()).orElseThrow().contains(new InboundMessage.ReplicaReleased(s.y.id(), s.file)));
        assertEquals(2, order(s.file).assigned().size(), "repaired to its target");
        assertEquals(12_000 - 3_000, order(s.file).escrow());
    }

    /**
     * The replica y lost (its report holds the file at the wrong size) must go to another provider: the block before
     * the boundary is chosen so that y sorts before z for the repair's anchor, and y is still active (it reported).
     */
    @Test
    void repairDoesNotHandALostReplicaBackToTheProviderThatLostIt() {
        Setup s = wrongSizeSetup();
        for (int slot = 1; slot <= 3; slot++) {
            reportWrongSizeSlot(s);
            if (slot < 3) {
                toBoundary();
            }
        }
        while (f.chain.head().height() + 2 < StorageMarket.slot(state()).endHeight()) {
            seal();
        }
        sealChoosingHash(h -> Sha256.hash(h.bytes(), s.file.bytes(), s.y.id().bytes())
                .compareTo(Sha256.hash(h.bytes(), s.file.bytes(), s.z.id().bytes())) < 0);
        List<EventRecord> end = toBoundary();
        assertEquals(s.y.id(), one(end, Event.ReplicaLost.class).provider());
        assertEquals(List.of(s.x.id(), s.z.id()), holders(state(), s.file),
                "the lost replica goes to z, not straight back to y: " + all(end, Event.ReplicaAssigned.class));
    }

    // ---------------------------------------------------------------- 5. expiry, cancel, renew

    @Test
    void ordersExpireCancelAndRenewWithTheUnearnedEscrowRefunded() {
        List<SimWorker> ps = providers(10_000, BOB, CHARLIE);
        Hash file = file("notes");
        Hash brief = file("brief");
        run(FERDIE, order(file, 100, 2, 2, 700));
        run(EVE, order(brief, 300, 1, 1, 50));
        assertEquals(2_800 + 50, balance(ESCROW));

        assertFailed(run(CHARLIE, new StorageCall.Cancel(file)), "NOT_OWNER", "only the owner " + FERDIE.account().address());
        assertFailed(run(FERDIE, new StorageCall.Cancel(file("nothing"))), "UNKNOWN_ORDER", "no order for file");
        assertFailed(run(FERDIE, new StorageCall.Renew(file("nothing"), 1)), "UNKNOWN_ORDER", "no order for file");
        assertFailed(run(FERDIE, new StorageCall.Renew(file, 0)), "INVALID_ARGUMENT", "slots must be");
        assertTrue(StorageMarket.order(state(), file).isPresent());

        long ferdie = balance(FERDIE);
        List<EventRecord> renewed = run(FERDIE, new StorageCall.Renew(file, 3));
        assertEquals(new Event.OrderRenewed(file, 5, 4_200), one(renewed, Event.OrderRenewed.class));
        assertEquals(ferdie - FEE - 4_200, balance(FERDIE));
        assertEquals(5, order(file).endSlot());
        assertEquals(7_000, order(file).escrow());
        long charlie = balance(CHARLIE);
        List<EventRecord> sponsored = run(CHARLIE, new StorageCall.Renew(file, 1));
        assertEquals(new Event.OrderRenewed(file, 6, 1_400), one(sponsored, Event.OrderRenewed.class));
        assertEquals(charlie - FEE - 1_400, balance(CHARLIE), "the sender pays the renewal");
        assertEquals(8_400, order(file).escrow());
        assertEquals(8_400 + 50, balance(ESCROW));

        // The one-slot order ends at the first boundary, unearned: the whole escrow goes back.
        long eve = balance(EVE);
        WorkerId briefHolder = order(brief).assigned().get(0).provider();
        List<EventRecord> boundary = toBoundary();
        assertEquals(new Event.OrderEnded(brief, "expired", 50), one(boundary, Event.OrderEnded.class));
        assertEquals(eve + 50, balance(EVE));
        assertTrue(f.chain.workerMessages(f.chain.head().height()).orElseThrow().contains(new InboundMessage.ReplicaReleased(briefHolder, brief)));
        assertTrue(StorageMarket.order(state(), brief).isEmpty());
        assertEquals(List.of(file), StorageMarket.orders(state()));

        // The owner cancels: replicas released, escrow refunded.
        List<WorkerId> holders = holders(state(), file);
        ferdie = balance(FERDIE);
        List<EventRecord> cancelled = run(FERDIE, new StorageCall.Cancel(file));
        assertEquals(new Event.OrderEnded(file, "cancelled", 8_400), one(cancelled, Event.OrderEnded.class));
        assertEquals(ferdie - FEE + 8_400, balance(FERDIE));
        assertEquals(0, balance(ESCROW));
        assertEquals(holders.stream().map(id -> (InboundMessage) new InboundMessage.ReplicaReleased(id, file)).toList(),
                messagesOf(InboundMessage.ReplicaReleased.class));
        assertTrue(StorageMarket.orders(state()).isEmpty());
        assertTrue(ps.stream().allMatch(w -> provider(w).used() == 0));
        assertFailed(run(FERDIE, new StorageCall.Cancel(file)), "UNKNOWN_ORDER", "no order");
        // The file may be ordered again.
        assertEquals(1, all(run(FERDIE, order(file, 100, 1, 1, 1)), Event.OrderPlaced.class).size());
    }

    // ---------------------------------------------------------------- 6. conservation

    @Test
    void moneyIsConservedAndTheEscrowHoldsExactlyTheOpenOrdersEscrowOverARandomRun() {
        Random rnd = new Random(20_240_607L);
        List<SigningKey> everyone = DevKeys.NAMES.stream().map(DevKeys::get).toList();
        List<AccountId> accounts = new ArrayList<>(everyone.stream().map(SigningKey::account).toList());
        accounts.add(ESCROW);
        accounts.add(SystemParams.TREASURY);
        run(ALICE, new SudoCall.Sudo(new GovernanceCall.SetStorageSlot(3)));
        List<SimWorker> ps = providers(3_000, BOB, CHARLIE, DAVE, EVE);
        List<SigningKey> owners = List.of(FERDIE, ALICE, BOB);
        List<Hash> files = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            files.add(file("random-" + i));
        }
        long issuance = Balances.totalIssuance(state());
        long treasury = balance(SystemParams.TREASURY);
        Map<WorkerId, Long> reportedIn = new HashMap<>();
        Map<WorkerId, Integer> mode = new HashMap<>();
        long seenSlot = -1;
        int txs = 0;
        int verified = 0;
        int lost = 0;
        int expired = 0;
        int cancelled = 0;
        int renewed = 0;
        long paid = 0;
        // rnd is seeded, but the run still differs each time: replicas are placed by hashing the slot's anchor (a block
        // hash, over signed sim quotes) with the providers' ids (new keys each run). So it runs 20 slots and, in the
        // runs (about 1 in 500) where some path was not exercised by then, goes on until it is, up to 60.
        while (StorageMarket.slot(state()).slot() < 20 || StorageMarket.slot(state()).slot() < 60
                && !(verified > 5 && paid > 0 && lost > 0 && expired > 0 && cancelled > 0 && renewed > 0)) {
            StorageMarket.Slot next = slotOfNextBlock();
            if (next.slot() != seenSlot) {
                seenSlot = next.slot();
                // Per slot, each provider is honest (0), holds one file at a wrong size or not at all (1), or absent (2).
                ps.forEach(w -> mode.put(w.id(), rnd.nextInt(10) < 5 ? 0 : rnd.nextInt(2) + 1));
            }
            List<Hash> open = StorageMarket.orders(state());
            int before = txs;
            if (rnd.nextInt(100) < 40) {
                SigningKey owner = owners.get(rnd.nextInt(owners.size()));
                submit(owner, order(files.get(rnd.nextInt(files.size())), 1 + rnd.nextInt(1_500), 1 + rnd.nextInt(3), 1 + rnd.nextInt(4),
                        1 + rnd.nextInt(1_000)));
                txs++;
            }
            if (!open.isEmpty() && rnd.nextInt(100) < 15) {
                submit(everyone.get(rnd.nextInt(everyone.size())), new StorageCall.Renew(open.get(rnd.nextInt(open.size())), 1 + rnd.nextInt(3)));
                txs++;
            }
            if (!open.isEmpty() && rnd.nextInt(100) < 10) {
                Hash victim = open.get(rnd.nextInt(open.size()));
                SigningKey who = rnd.nextInt(4) == 0 ? CHARLIE : keyOf(order(victim).owner(), everyone);
                submit(who, new StorageCall.Cancel(victim));
                txs++;
            }
            for (SimWorker w : ps) {
                if (mode.get(w.id()) == 2 || Objects.equals(reportedIn.get(w.id()), next.slot()) || rnd.nextInt(100) >= 50) {
                    continue;
                }
                TreeMap<Hash, Long> holds = new TreeMap<>();
                for (Hash fh : open) {
                    StorageMarket.Order o = order(fh);
                    if (o.assigned().stream().anyMatch(r -> r.provider().equals(w.id()))) {
                        holds.put(fh, o.size());
                    }
                }
                if (mode.get(w.id()) == 1 && !holds.isEmpty()) {
                    Hash bad = holds.firstKey();
                    if (rnd.nextBoolean()) {
                        holds.remove(bad);
                    } else {
                        holds.put(bad, holds.get(bad) + 1);
                    }
                }
                submit(w.operator, w.say(report(w, holds)));
                reportedIn.put(w.id(), next.slot());
                txs++;
            }
            long escrowBefore = balance(ESCROW);
            List<EventRecord> events = seal();
            assertEquals(txs - before, f.chain.blockAt(f.chain.head().height()).orElseThrow().transactions().size());
            assertEscrowMovedAsTheEventsSay(escrowBefore, events);
            for (Event.WorkerMessageRefused r : all(events, Event.WorkerMessageRefused.class)) {
                fail("an honest report was refused: " + r);
            }
            for (Event.StorageSlotClosed c : all(events, Event.StorageSlotClosed.class)) {
                verified += c.verified();
                paid += c.paid();
            }
            lost += all(events, Event.ReplicaLost.class).size();
            expired += (int) all(events, Event.OrderEnded.class).stream().filter(e -> e.reason().equals("expired")).count();
            cancelled += (int) all(events, Event.OrderEnded.class).stream().filter(e -> e.reason().equals("cancelled")).count();
            renewed += all(events, Event.OrderRenewed.class).size();
            checkInvariants(events, accounts, issuance, treasury + txs * FEE, ps);
        }
        String run = "verified " + verified + ", paid " + paid + ", lost " + lost + ", expired " + expired + ", cancelled " + cancelled
                + ", renewed " + renewed;
        assertTrue(verified > 5 && paid > 0 && lost > 0 && expired > 0 && cancelled > 0 && renewed > 0, "the run exercised every path: " + run);

        // Everything still open is cancelled by its owner: the escrow is empty and holds nothing back.
        for (Hash fh : StorageMarket.orders(state())) {
            submit(keyOf(order(fh).owner(), everyone), new StorageCall.Cancel(fh));
            txs++;
        }
        long escrowBefore = balance(ESCROW);
        List<EventRecord> events = seal();
        assertEscrowMovedAsTheEventsSay(escrowBefore, events);
        checkInvariants(events, accounts, issuance, treasury + txs * FEE, ps);
        assertTrue(StorageMarket.orders(state()).isEmpty());
        assertEquals(0, balance(ESCROW));
        assertTrue(ps.stream().allMatch(w -> provider(w).used() == 0));
    }

    /** In: escrow of placed orders and renewals; out: payments of closed slots and refunds of ended orders. */
    private void assertEscrowMovedAsTheEventsSay(long before, List<EventRecord> events) {
        long in = all(events, Event.OrderPlaced.class).stream().mapToLong(Event.OrderPlaced::escrow).sum()
                + all(events, Event.OrderRenewed.class).stream().mapToLong(Event.OrderRenewed::paid).sum();
        long out = all(events, Event.StorageSlotClosed.class).stream().mapToLong(Event.StorageSlotClosed::paid).sum()
                + all(events, Event.OrderEnded.class).stream().mapToLong(Event.OrderEnded::refund).sum();
        assertEquals(before + in - out, balance(ESCROW), () -> "the escrow moves as the events say: " + events);
    }

    /** After every block: money is conserved, the escrow backs exactly the open orders, providers' bytes add up. */
    private void checkInvariants(List<EventRecord> events, List<AccountId> accounts, long issuance, long treasury, List<SimWorker> ps) {
        StateReader s = state();
        String at = " at height " + f.chain.head().height() + ", events " + events;
        assertEquals(issuance, Balances.totalIssuance(s), "total issuance" + at);
        assertEquals(issuance, accounts.stream().mapToLong(a -> Balances.account(s, a).balance()).sum(), "sum of balances" + at);
        assertEquals(treasury, Balances.account(s, SystemParams.TREASURY).balance(), "the treasury gets the fees and nothing else" + at);
        long escrowed = 0;
        Map<WorkerId, Long> used = new HashMap<>();
        long slot = StorageMarket.slot(s).slot();
        for (Hash fh : StorageMarket.orders(s)) {
            StorageMarket.Order o = StorageMarket.order(s, fh).orElseThrow();
            escrowed += o.escrow();
            assertTrue(o.escrow() >= o.price() * o.replicas() * (o.endSlot() - slot), "the escrow covers the remaining slots" + at);
            List<WorkerId> holders = o.assigned().stream().map(StorageMarket.Replica::provider).toList();
            assertEquals(holders.size(), new HashSet<>(holders).size(), "distinct providers" + at);
            assertTrue(holders.size() <= o.replicas());
            holders.forEach(id -> used.merge(id, o.size(), Long::sum));
        }
        assertEquals(escrowed, Balances.account(s, ESCROW).balance(), "escrow balance = Σ open orders' escrow" + at);
        for (SimWorker w : ps) {
            assertEquals(used.getOrDefault(w.id(), 0L).longValue(), StorageMarket.provider(s, w.id()).orElseThrow().used(),
                    "bytes assigned to " + w.id().hex() + at);
        }
    }

    // ---------------------------------------------------------------- the wrong-size scenario

    /** x holds the file, y holds it at a wrong size, z has no replica and reports to stay active. */
    private record Setup(Hash file, SimWorker x, SimWorker y, SimWorker z) {}

    private Setup wrongSizeSetup() {
        Map<WorkerId, SimWorker> byId = byId(providers(10_000, BOB, CHARLIE, DAVE));
        toBoundary();
        Hash file = file("genome.fa");
        run(FERDIE, order(file, 500, 2, 6, 1_000));
        List<WorkerId> holders = holders(state(), file);
        SimWorker z = byId.values().stream().filter(w -> !holders.contains(w.id())).findFirst().orElseThrow();
        return new Setup(file, byId.get(holders.get(0)), byId.get(holders.get(1)), z);
    }

    private void reportWrongSizeSlot(Setup s) {
        holding(s.x, Map.of(s.file, 500L));
        holding(s.y, Map.of(s.file, 499L));
        holding(s.z, Map.of());
    }

    // ---------------------------------------------------------------- workers

    private SimWorker worker(SigningKey operator) {
        return SimWorker.create(f, machine, root, BUILD, operator, RANDOM);
    }

    private static RegistryCall.RegisterWorker registration(SimWorker w) {
        return w.registration();
    }

    /** Registers one attested worker per operator and makes each a provider of {@code capacity} bytes, in one block. */
    private List<SimWorker> providers(long capacity, SigningKey... operators) {
        List<SimWorker> out = new ArrayList<>();
        for (SigningKey op : operators) {
            SimWorker w = worker(op);
            submit(op, registration(w));
            submit(op, new StorageCall.RegisterProvider(w.id(), capacity, ENDPOINT));
            out.add(w);
        }
        List<EventRecord> events = seal();
        assertTrue(all(events, Event.TxFailed.class).isEmpty(), events.toString());
        assertEquals(operators.length, all(events, Event.ProviderRegistered.class).size(), events.toString());
        return out;
    }

    /** A valid work report for the slot of the next block, saying the provider now holds exactly {@code holds}. */
    private WorkReport report(SimWorker w, Map<Hash, Long> holds) {
        TreeMap<Hash, Long> now = new TreeMap<>(holds);
        TreeMap<Hash, Long> was = StorageMarket.providerFiles(state(), w.id());
        List<FileEntry> added = new ArrayList<>();
        List<FileEntry> deleted = new ArrayList<>();
        was.forEach((file, size) -> {
            if (!size.equals(now.get(file))) {
                deleted.add(new FileEntry(file, size));
            }
        });
        now.forEach((file, size) -> {
            if (!size.equals(was.get(file))) {
                added.add(new FileEntry(file, size));
            }
        });
        StorageMarket.Slot slot = slotOfNextBlock();
        return new WorkReport(slot.slot(), slot.anchor(), root(now), now.values().stream().mapToLong(Long::longValue).sum(), added,
                deleted);
    }

    /** Seals {@code w}'s valid report that it holds exactly {@code holds}, in a block of its own, and checks it was accepted. */
    private List<EventRecord> holding(SimWorker w, Map<Hash, Long> holds) {
        List<EventRecord> events = seal(w.operator, w.say(report(w, holds)));
        assertEquals(w.id(), one(events, Event.WorkReportAccepted.class).provider());
        return events;
    }

    private StorageMarket.Slot slotOfNextBlock() {
        StorageMarket.Slot current = StorageMarket.slot(state());
        long next = f.chain.head().height() + 1;
        if (next < current.endHeight()) {
            return current;
        }
        return new StorageMarket.Slot(current.slot() + 1, next, StorageMarket.slotBlocksSetting(state()), f.chain.head().hash());
    }

    // ---------------------------------------------------------------- chain driving

    private Hash genesis() {
        return f.chain.info().genesisHash();
    }

    private StateReader state() {
        return f.chain.state();
    }

    private void submit(SigningKey from, Call call) {
        f.submitNext(from, call);
    }

    /** Seals one block with everything pooled and returns its events. */
    private List<EventRecord> seal() {
        lastEvents = f.sealAll();
        return lastEvents;
    }

    /** Submits {@code call} in a block of its own and returns the block's events. */
    private List<EventRecord> run(SigningKey from, Call call) {
        submit(from, call);
        return seal();
    }

    /** Relays a worker message in a block of its own and returns the block's events. */
    private List<EventRecord> seal(SigningKey relay, RegistryCall.SubmitWorkerMessage m) {
        return run(relay, m);
    }

    /** Seals blocks until the one that starts the next slot; returns that block's events. */
    private List<EventRecord> toBoundary() {
        assertEquals(0, f.chain.pooled());
        while (true) {
            boolean boundary = f.chain.head().height() + 1 >= StorageMarket.slot(state()).endHeight();
            List<EventRecord> events = seal();
            if (boundary) {
                return events;
            }
        }
    }

    /** Seals blocks until the next one starts a slot. */
    private void sealUntilBeforeBoundary() {
        while (f.chain.head().height() + 1 < StorageMarket.slot(state()).endHeight()) {
            seal();
        }
    }

    /** Seals an empty block whose hash satisfies {@code wanted} (its timestamp is varied until it does). */
    private void sealChoosingHash(Predicate<Hash> wanted) {
        assertEquals(0, f.chain.pooled());
        for (int i = 0; i < 256; i++) {
            f.clock += 1;
            Block b = f.chain.propose(f.clock, ALICE);
            if (wanted.test(b.hash())) {
                assertInstanceOf(ImportResult.Imported.class, f.chain.importBlock(b));
                return;
            }
        }
        fail("no block hash found");
    }

    /** Proposes on this node and imports the block into both. */
    private long sealOnBoth(ChainFixture other) {
        f.clock += 1000;
        Block b = f.chain.propose(f.clock, ALICE);
        assertInstanceOf(ImportResult.Imported.class, f.chain.importBlock(b));
        ImportResult r = other.chain.importBlock(b);
        assertInstanceOf(ImportResult.Imported.class, r, "the other node replays the block: " + r);
        return b.height();
    }

    // ---------------------------------------------------------------- reading

    private long balance(SigningKey k) {
        return balance(k.account());
    }

    private long balance(AccountId a) {
        return f.chain.account(a).balance();
    }

    private Map<AccountId, Long> balances() {
        Map<AccountId, Long> out = new LinkedHashMap<>();
        for (String n : DevKeys.NAMES) {
            out.put(DevKeys.get(n).account(), balance(DevKeys.get(n)));
        }
        out.put(ESCROW, balance(ESCROW));
        out.put(SystemParams.TREASURY, balance(SystemParams.TREASURY));
        return out;
    }

    /** The non-zero balance changes since {@code before}. */
    private Map<AccountId, Long> deltas(Map<AccountId, Long> before) {
        Map<AccountId, Long> out = new HashMap<>();
        before.forEach((a, b) -> {
            long d = balance(a) - b;
            if (d != 0) {
                out.put(a, d);
            }
        });
        return out;
    }

    private StorageMarket.Provider provider(SimWorker w) {
        return StorageMarket.provider(state(), w.id()).orElseThrow();
    }

    private StorageMarket.Order order(Hash file) {
        return StorageMarket.order(state(), file).orElseThrow(() -> new AssertionError("no order for " + file.shortHex()));
    }

    private static List<WorkerId> holders(StateReader s, Hash file) {
        return StorageMarket.order(s, file).orElseThrow().assigned().stream().map(StorageMarket.Replica::provider).toList();
    }

    private List<InboundMessage> messagesOf(Class<? extends InboundMessage> type) {
        return f.chain.workerMessages(f.chain.head().height()).orElseThrow().stream().filter(type::isInstance).toList();
    }

    /** A worker message that was authentic and in order (the transaction succeeds) but whose content was refused. */
    private static void assertRefused(List<EventRecord> events, SimWorker w, String reason, String messagePart) {
        assertTrue(all(events, Event.TxFailed.class).isEmpty(), events.toString());
        assertTrue(all(events, Event.WorkReportAccepted.class).isEmpty(), events.toString());
        Event.WorkerMessageRefused refused = one(events, Event.WorkerMessageRefused.class);
        assertEquals(w.id(), refused.worker());
        assertEquals(w.seq - 1, refused.seq());
        assertEquals(reason, refused.reason(), refused.message());
        assertTrue(refused.message().contains(messagePart), "'" + refused.message() + "' should contain '" + messagePart + "'");
    }

    // ---------------------------------------------------------------- values

    private static Hash file(String name) {
        return Sha256.hash(("file " + name).getBytes(StandardCharsets.US_ASCII));
    }

    private static StorageCall.PlaceOrder order(Hash file, long size, int replicas, int slots, long price) {
        return new StorageCall.PlaceOrder(file, size, replicas, slots, price, new byte[0]);
    }

    private static TreeMap<Hash, Long> files(Object... fileThenSize) {
        TreeMap<Hash, Long> out = new TreeMap<>();
        for (int i = 0; i < fileThenSize.length; i += 2) {
            out.put((Hash) fileThenSize[i], (Long) fileThenSize[i + 1]);
        }
        return out;
    }

    private static Hash root(Map<Hash, Long> files) {
        SortedMap<Hash, Long> sorted = new TreeMap<>(files);
        return WorkReport.filesRoot(sorted);
    }

    private static List<WorkerId> ids(List<SimWorker> ws) {
        return ws.stream().map(SimWorker::id).toList();
    }

    private static Map<WorkerId, SimWorker> byId(List<SimWorker> ws) {
        Map<WorkerId, SimWorker> out = new LinkedHashMap<>();
        ws.forEach(w -> out.put(w.id(), w));
        return out;
    }

    /** The documented assignment order: by SHA-256(anchor ‖ file ‖ provider). */
    private static List<WorkerId> hashOrder(Hash anchor, Hash file, List<WorkerId> candidates) {
        return candidates.stream().sorted(Comparator.comparing((WorkerId id) -> Sha256.hash(anchor.bytes(), file.bytes(), id.bytes())))
                .toList();
    }

    private static SigningKey keyOf(AccountId a, List<SigningKey> keys) {
        return keys.stream().filter(k -> k.account().equals(a)).findFirst().orElseThrow();
    }

}
