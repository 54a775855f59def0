package cloister.chain.runtime.storage;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.DispatchOutcome;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
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
import cloister.proto.StorageCall;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code storage} runtime module (state prefix 0x04): the storage market. Providers — registered, attested
 * workers whose enclave runs the watchdog — offer capacity; owners order replicas of a file for a number of slots
 * and escrow the price up front. Time is counted in <em>slots</em> of {@code slotBlocks} blocks.
 *
 * <p>Assignment is deterministic: a file's replicas go to the active providers with free capacity that do not hold
 * it yet, in the order of SHA-256(slot anchor ‖ file ‖ provider), where the anchor is the hash of the block before
 * the current slot. So every node assigns the same providers, and nobody can choose them.
 *
 * <p>Each slot, every provider's watchdog signs one work report (the files it holds and has verified). At the first
 * block of the next slot the chain settles the slot: a replica is <em>verified</em> if its provider's report for
 * the slot holds the file at the ordered size, and its provider is paid the price for the slot; a replica assigned
 * in the slot that ended, or in the one before if its provider reported in the slot that ended, may still be
 * fetching; any other replica is lost (no report, or the report does not hold the file — the watchdog found a bad
 * chunk) and is released. Then every order below its replica target gets new providers (repair; not the providers
 * that just lost it), and orders whose last slot has passed end with the unearned escrow refunded to the owner
 * (renewals by others are gifts to the order).
 */
public final class StorageMarket {
    private static final byte[] PARAMS = {0x04, 0x01};
    private static final byte[] SLOT = {0x04, 0x02};
    private static final byte[] PROVIDER = {0x04, 0x10};
    private static final byte[] PROVIDER_FILES = {0x04, 0x11};
    private static final byte[] PROVIDER_LIST = {0x04, 0x12};
    private static final byte[] ORDER = {0x04, 0x20};
    private static final byte[] ORDER_LIST = {0x04, 0x21};

    /** Storage escrow: order payments wait here. Nobody holds its key: it is a hash, not a key pair. */
    public static final AccountId ESCROW = AccountId.of(Sha256.digest("cloister/storage-escrow".getBytes(StandardCharsets.US_ASCII)));
    /** The slot length until governance sets another. */
    public static final int DEFAULT_SLOT_BLOCKS = 10;

    private StorageMarket() {}

    // ---------------------------------------------------------------- records

    /** The current slot: number, first block, length, and the anchor (hash of the block before its first block). */
    public record Slot(long slot, long startHeight, int slotBlocks, Hash anchor) {
        public long endHeight() {
            return startHeight + slotBlocks;
        }
    }

    /** A provider: its watchdog worker, operator (paid), capacity, endpoint, bytes assigned, and reporting state. */
    public record Provider(WorkerId worker, AccountId operator, long capacity, String endpoint, long used, long reportedTotal,
                           long lastReportSlot, long registeredSlot) {
        /** Whether it reported in {@code slot} or the one before, or registered then: assignable. */
        public boolean activeAt(long slot) {
            return lastReportSlot >= slot - 1 || registeredSlot >= slot - 1;
        }

        public long free() {
            return Math.max(0, capacity - used);
        }

        Provider withUsed(long newUsed) {
            return new Provider(worker, operator, capacity, endpoint, newUsed, reportedTotal, lastReportSlot, registeredSlot);
        }

        Provider withReport(long total, long slot) {
            return new Provider(worker, operator, capacity, endpoint, used, total, slot, registeredSlot);
        }

        byte[] encode() {
            return new CanonicalWriter(128).fixed(worker.bytes()).account(operator).u64(capacity).string(endpoint).u64(used)
                    .u64(reportedTotal).u64(lastReportSlot + 1).u64(registeredSlot).toByteArray();
        }

        static Provider decode(byte[] v) {
            CanonicalReader r = new CanonicalReader(v);
            return new Provider(WorkerId.of(r.fixed(32, "worker")), r.account("operator"), r.u64("capacity"),
                    r.string(StorageCall.MAX_URL, "endpoint"), r.u64("used"), r.u64("reported total"), r.u64("last report") - 1,
                    r.u64("registered"));
        }
    }

    /** A replica of an order: its provider, the slot it was assigned in, and the last slot it was verified (-1: never). */
    public record Replica(WorkerId provider, long assignedSlot, long lastVerifiedSlot) {}

    /** An order: owner, size, replica target, price per replica and slot, slots [placedSlot, endSlot), escrow left. */
    public record Order(Hash file, AccountId owner, long size, int replicas, long price, long placedSlot, long endSlot, long escrow,
                        byte[] wrappedKey, List<Replica> assigned) {
        public Order {
            wrappedKey = wrappedKey.clone();
            assigned = List.copyOf(assigned);
        }

        @Override
        public byte[] wrappedKey() {
            return wrappedKey.clone();
        }

        Order with(long endSlot, long escrow, List<Replica> assigned) {
            return new Order(file, owner, size, replicas, price, placedSlot, endSlot, escrow, wrappedKey, assigned);
        }

        byte[] encode() {
            CanonicalWriter w = new CanonicalWriter(256).hash(file).account(owner).u64(size).u32(replicas).u64(price).u64(placedSlot)
                    .u64(endSlot).u64(escrow).bytes(wrappedKey).u32(assigned.size());
            assigned.forEach(a -> w.fixed(a.provider().bytes()).u64(a.assignedSlot()).u64(a.lastVerifiedSlot() + 1));
            return w.toByteArray();
        }

        static Order decode(byte[] v) {
            CanonicalReader r = new CanonicalReader(v);
            Hash file = r.hash("file");
            AccountId owner = r.account("owner");
            long size = r.u64("size");
            int replicas = r.u32("replicas");
            long price = r.u64("price");
            long placed = r.u64("placed");
            long end = r.u64("end");
            long escrow = r.u64("escrow");
            byte[] key = r.bytes(StorageCall.MAX_WRAPPED_KEY, "wrapped key");
            int n = r.u32("replica count");
            List<Replica> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(new Replica(WorkerId.of(r.fixed(32, "provider")), r.u64("assigned"), r.u64("verified") - 1));
            }
            return new Order(file, owner, size, replicas, price, placed, end, escrow, key, list);
        }
    }

    // ---------------------------------------------------------------- reads

    public static Slot slot(StateReader s) {
        byte[] v = s.get(SLOT);
        if (v == null) {
            return new Slot(0, 0, DEFAULT_SLOT_BLOCKS, Hash.ZERO); // slot 0 (from genesis) has the default length
        }
        CanonicalReader r = new CanonicalReader(v);
        return new Slot(r.u64("slot"), r.u64("start"), r.u32("slot blocks"), r.hash("anchor"));
    }

    /** The slot length that applies from the next slot boundary on. */
    public static int slotBlocksSetting(StateReader s) {
        byte[] v = s.get(PARAMS);
        return v == null ? DEFAULT_SLOT_BLOCKS : new CanonicalReader(v).u32("slot blocks");
    }

    public static Optional<Provider> provider(StateReader s, WorkerId id) {
        byte[] v = s.get(key(PROVIDER, id.bytes()));
        return v == null ? Optional.empty() : Optional.of(Provider.decode(v));
    }

    public static List<WorkerId> providers(StateReader s) {
        List<WorkerId> out = new ArrayList<>();
        for (Hash h : readHashes(s, PROVIDER_LIST)) {
            out.add(WorkerId.of(h.bytes()));
        }
        return out;
    }

    /** The files a provider's last accepted work report holds, with their sizes, in digest order. */
    public static TreeMap<Hash, Long> providerFiles(StateReader s, WorkerId id) {
        byte[] v = s.get(key(PROVIDER_FILES, id.bytes()));
        TreeMap<Hash, Long> out = new TreeMap<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("files");
            for (int i = 0; i < n; i++) {
                out.put(r.hash("file"), r.u64("size"));
            }
        }
        return out;
    }

    public static Optional<Order> order(StateReader s, Hash file) {
        byte[] v = s.get(key(ORDER, file.bytes()));
        return v == null ? Optional.empty() : Optional.of(Order.decode(v));
    }

    public static List<Hash> orders(StateReader s) {
        return readHashes(s, ORDER_LIST);
    }

    /** Whether {@code replica} of {@code order} counts as verified now: its provider's last report (for the slot just settled or the current one) holds the file at the ordered size. */
    public static boolean verifiedIn(StateReader s, Order order, Replica replica, long slot) {
        Optional<Provider> p = provider(s, replica.provider());
        if (p.isEmpty() || p.get().lastReportSlot() != slot) {
            return false;
        }
        Long size = providerFiles(s, replica.provider()).get(order.file());
        return size != null && size == order.size();
    }

    // ---------------------------------------------------------------- governance

    public static DispatchOutcome setSlotBlocks(BlockState s, int blocks) {
        s.put(PARAMS, new CanonicalWriter(4).u32(blocks).toByteArray());
        return DispatchOutcome.OK;
    }

    // ---------------------------------------------------------------- calls

    public static DispatchOutcome dispatch(BlockState s, AccountId sender, StorageCall call) {
        return switch (call) {
            case StorageCall.RegisterProvider p -> register(s, sender, p);
            case StorageCall.PlaceOrder o -> place(s, sender, o);
            case StorageCall.Renew n -> renew(s, sender, n);
            case StorageCall.Cancel c -> cancel(s, sender, c.file());
        };
    }

    private static DispatchOutcome register(BlockState s, AccountId sender, StorageCall.RegisterProvider p) {
        Optional<WorkerRecord> w = Registry.worker(s, p.watchdog());
        if (w.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_WORKER, "worker " + p.watchdog().hex()
                    + " is not registered: a provider's watchdog is an attested worker (register it first)");
        }
        if (!w.get().info().operator().equals(sender)) {
            return DispatchOutcome.fail(DispatchError.BAD_ORIGIN, "only the worker's operator " + w.get().info().operator().address()
                    + " may register it as a storage provider");
        }
        if (p.capacity() <= 0) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "capacity must be positive");
        }
        if (!(p.endpoint().startsWith("http://") || p.endpoint().startsWith("https://"))) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "the endpoint must be an http(s) URL");
        }
        Slot slot = slot(s);
        Optional<Provider> old = provider(s, p.watchdog());
        // An update keeps the registration slot: re-registering does not make a silent provider look alive.
        Provider updated = old.map(o -> new Provider(o.worker(), o.operator(), p.capacity(), p.endpoint(), o.used(), o.reportedTotal(),
                        o.lastReportSlot(), o.registeredSlot()))
                .orElse(new Provider(p.watchdog(), sender, p.capacity(), p.endpoint(), 0, 0, -1, slot.slot()));
        putProvider(s, updated);
        if (old.isEmpty()) {
            List<Hash> list = readHashes(s, PROVIDER_LIST);
            list.add(Hash.wrap(p.watchdog().bytes()));
            writeHashes(s, PROVIDER_LIST, list);
        }
        s.emit(new Event.ProviderRegistered(p.watchdog(), sender, p.capacity()));
        // Orders waiting for providers get them now.
        for (Hash f : orders(s)) {
            order(s, f).ifPresent(o -> repair(s, o, slot, List.of()));
        }
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome place(BlockState s, AccountId sender, StorageCall.PlaceOrder o) {
        if (o.size() <= 0 || o.size() > StorageCall.MAX_FILE_BYTES) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "a file is 1.." + StorageCall.MAX_FILE_BYTES + " stored bytes; "
                    + o.size() + " is outside the limit");
        }
        if (o.replicas() < 1 || o.replicas() > StorageCall.MAX_REPLICAS) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "replicas must be 1.." + StorageCall.MAX_REPLICAS);
        }
        if (o.slots() < 1 || o.slots() > StorageCall.MAX_SLOTS) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "slots must be 1.." + StorageCall.MAX_SLOTS);
        }
        if (o.pricePerReplicaSlot() < 1) {
            return DispatchOutcome.fail(DispatchError.INVALID_AMOUNT, "the price per replica and slot must be at least 1 unit");
        }
        if (order(s, o.file()).isPresent()) {
            return DispatchOutcome.fail(DispatchError.DUPLICATE, "file " + o.file().hex() + " is already ordered: renew that order instead");
        }
        long escrow;
        try {
            escrow = Math.multiplyExact(Math.multiplyExact(o.pricePerReplicaSlot(), (long) o.replicas()), (long) o.slots());
        } catch (ArithmeticException e) {
            return DispatchOutcome.fail(DispatchError.OVERFLOW, "price × replicas × slots overflows");
        }
        long balance = Balances.account(s, sender).balance();
        if (balance < escrow) {
            return DispatchOutcome.fail(DispatchError.INSUFFICIENT_BALANCE, "the order needs " + Tokens.display(escrow) + " ("
                    + o.replicas() + " replicas × " + o.slots() + " slots × " + Tokens.display(o.pricePerReplicaSlot()) + "); the balance is "
                    + Tokens.display(balance));
        }
        DispatchOutcome moved = Balances.move(s, sender, ESCROW, escrow);
        if (!moved.ok()) {
            return moved;
        }
        Slot slot = slot(s);
        Order order = new Order(o.file(), sender, o.size(), o.replicas(), o.pricePerReplicaSlot(), slot.slot(), slot.slot() + o.slots(),
                escrow, o.wrappedKey(), List.of());
        putOrder(s, order);
        List<Hash> list = readHashes(s, ORDER_LIST);
        list.add(o.file());
        writeHashes(s, ORDER_LIST, list);
        s.emit(new Event.OrderPlaced(o.file(), sender, o.size(), o.replicas(), order.endSlot(), escrow));
        repair(s, order, slot, List.of());
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome renew(BlockState s, AccountId sender, StorageCall.Renew n) {
        Optional<Order> found = order(s, n.file());
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_ORDER, "no order for file " + n.file().hex());
        }
        if (n.slots() < 1 || n.slots() > StorageCall.MAX_SLOTS) {
            return DispatchOutcome.fail(DispatchError.INVALID_ARGUMENT, "slots must be 1.." + StorageCall.MAX_SLOTS);
        }
        Order o = found.get();
        long amount;
        long escrow;
        try {
            amount = Math.multiplyExact(Math.multiplyExact(o.price(), (long) o.replicas()), (long) n.slots());
            escrow = Math.addExact(o.escrow(), amount);
        } catch (ArithmeticException e) {
            return DispatchOutcome.fail(DispatchError.OVERFLOW, "the renewal overflows");
        }
        DispatchOutcome moved = Balances.move(s, sender, ESCROW, amount);
        if (!moved.ok()) {
            return DispatchOutcome.fail(moved.error(), "cannot pay the renewal of " + Tokens.display(amount) + ": " + moved.message());
        }
        Order renewed = o.with(o.endSlot() + n.slots(), escrow, o.assigned());
        putOrder(s, renewed);
        s.emit(new Event.OrderRenewed(o.file(), renewed.endSlot(), amount));
        return DispatchOutcome.OK;
    }

    private static DispatchOutcome cancel(BlockState s, AccountId sender, Hash file) {
        Optional<Order> found = order(s, file);
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_ORDER, "no order for file " + file.hex());
        }
        if (!found.get().owner().equals(sender)) {
            return DispatchOutcome.fail(DispatchError.NOT_OWNER, "only the owner " + found.get().owner().address() + " may cancel the order");
        }
        end(s, found.get(), "cancelled");
        return DispatchOutcome.OK;
    }

    /**
     * Ends {@code owner}'s order for {@code file} as cancelled (another module acting for the owner, e.g. a W3A dataset
     * deletion); does nothing if there is no such order of that owner. Returns whether an order ended.
     */
    public static boolean cancelFor(BlockState s, AccountId owner, Hash file, String reason) {
        Optional<Order> found = order(s, file);
        if (found.isEmpty() || !found.get().owner().equals(owner)) {
            return false;
        }
        end(s, found.get(), reason);
        return true;
    }

    private static void end(BlockState s, Order o, String reason) {
        for (Replica r : o.assigned()) {
            release(s, o, r.provider());
        }
        if (o.escrow() > 0) {
            Balances.move(s, ESCROW, o.owner(), o.escrow());
        }
        s.delete(key(ORDER, o.file().bytes()));
        List<Hash> list = readHashes(s, ORDER_LIST);
        list.remove(o.file());
        writeHashes(s, ORDER_LIST, list);
        s.emit(new Event.OrderEnded(o.file(), reason, o.escrow()));
    }

    // ---------------------------------------------------------------- work reports

    /**
     * A watchdog's work report (already authenticated as {@code from}'s, in sequence): accepted only for the current
     * slot with its anchor, once per slot, if old + added − deleted = new and the files root matches the new set.
     */
    public static DispatchOutcome workReport(BlockState s, WorkerRecord from, WorkerMessage.WorkReport m) {
        WorkerId id = from.info().identity();
        Optional<Provider> found = provider(s, id);
        if (found.isEmpty()) {
            return DispatchOutcome.fail(DispatchError.UNKNOWN_PROVIDER, "worker " + id.hex() + " is not a storage provider");
        }
        Provider p = found.get();
        Slot slot = slot(s);
        if (m.slot() != slot.slot()) {
            return DispatchOutcome.fail(DispatchError.OUT_OF_SLOT, "work report for slot " + m.slot() + "; the current slot is " + slot.slot());
        }
        if (!m.anchor().equals(slot.anchor())) {
            return DispatchOutcome.fail(DispatchError.OUT_OF_SLOT, "the report's anchor " + m.anchor().shortHex()
                    + " is not the hash of the block before slot " + slot.slot());
        }
        if (p.lastReportSlot() == slot.slot()) {
            return DispatchOutcome.fail(DispatchError.DUPLICATE, "provider already reported slot " + slot.slot());
        }
        TreeMap<Hash, Long> files = providerFiles(s, id);
        long total = p.reportedTotal();
        for (WorkerMessage.FileEntry d : m.deleted()) {
            Long had = files.remove(d.file());
            if (had == null || had != d.size()) {
                return DispatchOutcome.fail(DispatchError.BAD_WORK_REPORT, "deletes file " + d.file().shortHex()
                        + (had == null ? " which the last report did not hold" : " with size " + d.size() + ", reported as " + had));
            }
            total -= d.size();
        }
        for (WorkerMessage.FileEntry a : m.added()) {
            if (files.putIfAbsent(a.file(), a.size()) != null) {
                return DispatchOutcome.fail(DispatchError.BAD_WORK_REPORT, "adds file " + a.file().shortHex() + " which it already holds");
            }
            total += a.size();
        }
        if (total != m.totalSize()) {
            return DispatchOutcome.fail(DispatchError.BAD_WORK_REPORT, "total size " + m.totalSize() + " ≠ old " + p.reportedTotal()
                    + " + added − deleted = " + total);
        }
        Hash root = WorkerMessage.WorkReport.filesRoot(files);
        if (!root.equals(m.filesRoot())) {
            return DispatchOutcome.fail(DispatchError.BAD_WORK_REPORT, "the files root does not match the files held after the changes");
        }
        CanonicalWriter w = new CanonicalWriter(8 + 40 * files.size()).u32(files.size());
        files.forEach((f, size) -> w.hash(f).u64(size));
        if (files.isEmpty()) {
            s.delete(key(PROVIDER_FILES, id.bytes()));
        } else {
            s.put(key(PROVIDER_FILES, id.bytes()), w.toByteArray());
        }
        putProvider(s, p.withReport(total, slot.slot()));
        s.emit(new Event.WorkReportAccepted(id, slot.slot(), files.size(), total));
        return DispatchOutcome.OK;
    }

    // ---------------------------------------------------------------- slots

    /**
     * Called before a block's transactions. At a slot boundary: starts the next slot (anchor = the parent's hash),
     * settles the slot that ended (payments, lost replicas), ends expired orders and repairs the rest.
     */
    public static void onBlock(BlockState s, Hash parentHash) {
        Slot current = slot(s);
        if (s.height() < current.endHeight()) {
            return;
        }
        long closing = current.slot();
        Slot next = new Slot(closing + 1, s.height(), slotBlocksSetting(s), parentHash);
        s.put(SLOT, new CanonicalWriter(64).u64(next.slot()).u64(next.startHeight()).u32(next.slotBlocks()).hash(next.anchor()).toByteArray());
        s.send(new InboundMessage.StorageSlot(next.slot(), next.startHeight(), next.slotBlocks(), next.anchor()));
        int verified = 0;
        long paid = 0;
        java.util.Map<WorkerId, Long> verifiedBytes = new java.util.LinkedHashMap<>();
        for (Hash file : orders(s)) {
            Order o = order(s, file).orElseThrow();
            List<Replica> kept = new ArrayList<>();
            List<WorkerId> lostNow = new ArrayList<>();
            long escrow = o.escrow();
            for (Replica r : o.assigned()) {
                Optional<Provider> p = provider(s, r.provider());
                if (verifiedIn(s, o, r, closing)) {
                    long pay = Math.min(o.price(), escrow);
                    if (pay > 0 && p.isPresent()) {
                        Balances.move(s, ESCROW, p.get().operator(), pay);
                        escrow -= pay;
                        paid += pay;
                    }
                    verified++;
                    verifiedBytes.merge(r.provider(), o.size(), Long::sum);
                    kept.add(new Replica(r.provider(), r.assignedSlot(), closing));
                } else if (r.assignedSlot() >= closing - 1 && (p.isPresent() && p.get().lastReportSlot() == closing || r.assignedSlot() >= closing)) {
                    kept.add(r); // assigned recently and its provider is alive: still fetching
                } else {
                    String reason = p.isEmpty() || p.get().lastReportSlot() != closing ? "no work report for slot " + closing
                            : "the work report for slot " + closing + " does not hold the file"
                            + (providerFiles(s, r.provider()).containsKey(file) ? " at the ordered size" : "");
                    s.emit(new Event.ReplicaLost(file, r.provider(), reason));
                    release(s, o, r.provider());
                    lostNow.add(r.provider());
                }
            }
            Order settled = o.with(o.endSlot(), escrow, kept);
            if (next.slot() >= settled.endSlot()) {
                end(s, settled, "expired");
                continue;
            }
            putOrder(s, settled);
            repair(s, settled, next, lostNow);
        }
        s.emit(new Event.StorageSlotClosed(closing, verified, paid));
        // Storage mining under the same identity: each provider's verified bytes earn its pool the slot's storage reward.
        verifiedBytes.forEach((provider, bytes) -> cloister.chain.runtime.computation.Computation.storageReward(s, provider, bytes));
    }

    /**
     * Assigns providers until the order has its replica target, if there are eligible providers. {@code excluded}: the
     * providers that lost a replica of this file in this settlement (they may get it again a slot later).
     */
    private static void repair(BlockState s, Order o, Slot slot, List<WorkerId> excluded) {
        int needed = o.replicas() - o.assigned().size();
        if (needed <= 0) {
            return;
        }
        List<WorkerId> taken = new ArrayList<>(o.assigned().stream().map(Replica::provider).toList());
        taken.addAll(excluded);
        List<Provider> candidates = new ArrayList<>();
        for (WorkerId id : providers(s)) {
            Provider p = provider(s, id).orElseThrow();
            if (!taken.contains(id) && p.activeAt(slot.slot()) && p.free() >= o.size()) {
                candidates.add(p);
            }
        }
        candidates.sort(Comparator.comparing(p -> Sha256.hash(slot.anchor().bytes(), o.file().bytes(), p.worker().bytes())));
        List<Replica> assigned = new ArrayList<>(o.assigned());
        for (Provider p : candidates.subList(0, Math.min(needed, candidates.size()))) {
            assigned.add(new Replica(p.worker(), slot.slot(), -1));
            putProvider(s, p.withUsed(p.used() + o.size()));
            s.send(new InboundMessage.ReplicaAssigned(p.worker(), o.file(), o.size()));
            s.emit(new Event.ReplicaAssigned(o.file(), p.worker()));
        }
        if (assigned.size() != o.assigned().size()) {
            putOrder(s, o.with(o.endSlot(), o.escrow(), assigned));
        }
    }

    private static void release(BlockState s, Order o, WorkerId provider) {
        provider(s, provider).ifPresent(p -> putProvider(s, p.withUsed(Math.max(0, p.used() - o.size()))));
        s.send(new InboundMessage.ReplicaReleased(provider, o.file()));
    }

    // ---------------------------------------------------------------- state helpers

    private static void putProvider(BlockState s, Provider p) {
        s.put(key(PROVIDER, p.worker().bytes()), p.encode());
    }

    private static void putOrder(BlockState s, Order o) {
        s.put(key(ORDER, o.file().bytes()), o.encode());
    }

    private static List<Hash> readHashes(StateReader s, byte[] key) {
        byte[] v = s.get(key);
        List<Hash> out = new ArrayList<>();
        if (v != null) {
            CanonicalReader r = new CanonicalReader(v);
            int n = r.u32("entries");
            for (int i = 0; i < n; i++) {
                out.add(r.hash("entry"));
            }
        }
        return out;
    }

    private static void writeHashes(BlockState s, byte[] key, List<Hash> list) {
        if (list.isEmpty()) {
            s.delete(key);
            return;
        }
        CanonicalWriter w = new CanonicalWriter(4 + 32 * list.size()).u32(list.size());
        list.forEach(w::hash);
        s.put(key, w.toByteArray());
    }

    private static byte[] key(byte[] prefix, byte[] tail) {
        byte[] k = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, k, prefix.length, tail.length);
        return k;
    }
}
