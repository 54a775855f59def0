package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.InboundMessage;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.storage.chunk.Manifest;
import cloister.storage.chunk.ManifestException;
import cloister.storage.cid.Cid;
import cloister.worker.EnclaveError;
import cloister.worker.EnclaveReply;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The storage watchdog, inside the enclave (like Crust's sWorker). It learns from verified blocks which files this
 * provider must keep ({@link InboundMessage.ReplicaAssigned}/{@link InboundMessage.ReplicaReleased}) and the current
 * slot; it takes nothing on the host's word.
 *
 * <ul>
 *   <li>A file is <em>held</em> only after the enclave has hashed its manifest and every chunk against their CIDs
 *       ({@code add}: the host passes the manifest, the enclave asks for every chunk).</li>
 *   <li>Every round it picks, with its own randomness, max(0.5 %, 64) of the held chunks (all if fewer) and asks the
 *       host for their bytes; until they are answered the same sample is asked again, so the host cannot re-roll for an
 *       easier one. A chunk that is missing or does not hash to its CID loses its file: it is no longer held, and the
 *       next work report deletes it.</li>
 *   <li>Once per slot, after at least one complete round in that slot, it signs a work report for the slot it saw
 *       begin on chain: the held set's root and total size, and the changes since the last report the chain accepted.
 *   </li>
 * </ul>
 */
final class StorageWatchdog {
    static final int MIN_SAMPLE = 64;
    /** 0.5 % of the held chunks, as a fraction numerator / denominator. */
    static final int SAMPLE_PER_MILLE = 5;

    /** A held file: its stored size and its blocks' digests, the manifest's (the file's own) first. */
    record HeldFile(long size, List<Hash> blocks) {}

    private static final class Adding {
        final long size;
        final List<Hash> blocks;
        final Set<Hash> remaining;

        Adding(long size, List<Hash> blocks) {
            this.size = size;
            this.blocks = blocks;
            this.remaining = new LinkedHashSet<>(blocks.subList(1, blocks.size()));
        }
    }

    private final WorkerId me;
    long slot = -1;
    long slotStart;
    int slotBlocks;
    Hash anchor = Hash.ZERO;
    long lastReportedSlot = -1;
    int roundsThisSlot;
    final TreeMap<Hash, Long> assigned = new TreeMap<>();
    final TreeMap<Hash, HeldFile> held = new TreeMap<>();
    /** What the chain's last accepted report of ours says we hold. */
    final TreeMap<Hash, Long> confirmed = new TreeMap<>();
    private final TreeMap<Hash, Adding> adding = new TreeMap<>();
    /** The current round's sample, until every chunk of it is answered. Not checkpointed: a restart draws anew. */
    private final Set<Hash> roundOutstanding = new LinkedHashSet<>();
    private boolean roundOpen;
    /** Held block digest → the files that contain it (rebuilt on restore). */
    private final Map<Hash, Set<Hash>> owners = new HashMap<>();

    StorageWatchdog(WorkerId me) {
        this.me = me;
    }

    // ---------------------------------------------------------------- chain messages

    void onMessage(InboundMessage m) {
        switch (m) {
            case InboundMessage.StorageSlot t -> {
                slot = t.slot();
                slotStart = t.startHeight();
                slotBlocks = t.slotBlocks();
                anchor = t.anchor();
                roundsThisSlot = 0;
            }
            case InboundMessage.ReplicaAssigned a -> {
                if (a.provider().equals(me)) {
                    assigned.put(a.file(), a.size());
                }
            }
            case InboundMessage.ReplicaReleased r -> {
                if (r.provider().equals(me)) {
                    assigned.remove(r.file());
                    adding.remove(r.file());
                    drop(r.file());
                }
            }
            default -> {
            }
        }
    }

    /** Our work report was accepted on chain: the chain now counts exactly its result. */
    void onAccepted(WorkerMessage.WorkReport r) {
        r.deleted().forEach(f -> confirmed.remove(f.file()));
        r.added().forEach(f -> confirmed.put(f.file(), f.size()));
    }

    // ---------------------------------------------------------------- ecalls

    /** The host has fetched {@code file}: check the manifest and ask for every chunk. */
    List<Hash> add(Hash file, byte[] manifestBytes) throws EnclaveFailure {
        Long size = assigned.get(file);
        if (size == null) {
            throw refuse("file " + file.shortHex() + " is not assigned to this provider");
        }
        if (held.containsKey(file)) {
            return List.of();
        }
        if (!Sha256.hash(manifestBytes).equals(file)) {
            throw refuse("the manifest does not hash to the file's CID");
        }
        Manifest manifest;
        try {
            manifest = Manifest.decode(manifestBytes);
        } catch (ManifestException e) {
            throw refuse("the manifest does not decode: " + e.getMessage());
        }
        List<Hash> blocks = new ArrayList<>(manifest.chunks().size() + 1);
        blocks.add(file);
        long stored = manifestBytes.length;
        for (Manifest.ChunkRef c : manifest.chunks()) {
            if (c.cid().codec() != Cid.RAW) {
                throw refuse("chunk " + c.cid() + " is not a raw block");
            }
            blocks.add(Hash.wrap(c.cid().digest()));
            stored += c.blockSize();
        }
        if (stored != size) {
            throw refuse("the file has " + stored + " stored bytes; the order says " + size);
        }
        Adding a = new Adding(size, blocks);
        adding.put(file, a);
        if (a.remaining.isEmpty()) {
            complete(file, a);
        }
        return List.copyOf(a.remaining);
    }

    /** The current round's sample: drawn now if no round is open, else the open round's unanswered chunks. */
    List<Hash> round(SecureRandom random) {
        if (!roundOpen) {
            roundOutstanding.clear();
            List<Hash> all = new ArrayList<>(owners.keySet());
            all.sort(null); // a fixed order: the draw depends only on the randomness
            int n = all.size();
            int k = (int) Math.min(n, Math.max(MIN_SAMPLE, ((long) n * SAMPLE_PER_MILLE + 999) / 1000));
            // Floyd's algorithm: k distinct indices, uniformly.
            Set<Integer> chosen = new HashSet<>();
            for (int j = n - k; j < n; j++) {
                int t = random.nextInt(j + 1);
                chosen.add(chosen.contains(t) ? j : t);
            }
            chosen.stream().sorted().forEach(i -> roundOutstanding.add(all.get(i)));
            roundOpen = true;
            if (roundOutstanding.isEmpty()) {
                finishRound();
            }
        }
        return List.copyOf(roundOutstanding);
    }

    /** Checks the host's answers (empty bytes: the host does not have the block). */
    EnclaveReply.StorageChecked check(List<EnclaveReply.ChunkAnswer> answers) {
        int verified = 0;
        List<Hash> failed = new ArrayList<>();
        List<Hash> lost = new ArrayList<>();
        List<Hash> added = new ArrayList<>();
        for (EnclaveReply.ChunkAnswer answer : answers) {
            Hash d = answer.digest();
            byte[] bytes = answer.block();
            boolean good = bytes.length > 0 && Sha256.hash(bytes).equals(d);
            boolean expected = false;
            if (roundOutstanding.remove(d)) {
                expected = true;
                if (!good) {
                    for (Hash file : List.copyOf(owners.getOrDefault(d, Set.of()))) {
                        drop(file);
                        lost.add(file);
                    }
                }
            }
            for (Map.Entry<Hash, Adding> e : List.copyOf(adding.entrySet())) {
                Adding a = e.getValue();
                if (a.remaining.contains(d)) {
                    expected = true;
                    if (good) {
                        a.remaining.remove(d);
                        if (a.remaining.isEmpty()) {
                            complete(e.getKey(), a);
                            added.add(e.getKey());
                        }
                    } else {
                        adding.remove(e.getKey());
                    }
                }
            }
            if (expected) {
                if (good) {
                    verified++;
                } else {
                    failed.add(d);
                }
            }
        }
        if (roundOpen && roundOutstanding.isEmpty()) {
            finishRound();
        }
        return new EnclaveReply.StorageChecked(verified, failed, lost, added, roundOpen);
    }

    /** The work report for the current slot. */
    WorkerMessage.WorkReport report() throws EnclaveFailure {
        if (slot < 0) {
            throw refuse("no storage slot has begun on chain yet");
        }
        if (lastReportedSlot >= slot) {
            throw refuse("slot " + slot + " is already reported");
        }
        if (roundsThisSlot == 0) {
            throw refuse("no watchdog round completed in slot " + slot + ": answer the round's sample first");
        }
        TreeMap<Hash, Long> now = new TreeMap<>();
        held.forEach((f, h) -> now.put(f, h.size()));
        List<WorkerMessage.FileEntry> addedFiles = new ArrayList<>();
        List<WorkerMessage.FileEntry> deletedFiles = new ArrayList<>();
        now.forEach((f, size) -> {
            if (!confirmed.containsKey(f)) {
                addedFiles.add(new WorkerMessage.FileEntry(f, size));
            }
        });
        confirmed.forEach((f, size) -> {
            if (!now.containsKey(f)) {
                deletedFiles.add(new WorkerMessage.FileEntry(f, size));
            }
        });
        long total = now.values().stream().mapToLong(Long::longValue).sum();
        lastReportedSlot = slot;
        return new WorkerMessage.WorkReport(slot, anchor, WorkerMessage.WorkReport.filesRoot(now), total,
                limit(addedFiles), limit(deletedFiles));
    }

    private static List<WorkerMessage.FileEntry> limit(List<WorkerMessage.FileEntry> l) {
        // Past the cap, the rest goes into the next slot's report (the diff is against what the chain accepted).
        return l.size() <= WorkerMessage.WorkReport.MAX_CHANGES ? l : l.subList(0, WorkerMessage.WorkReport.MAX_CHANGES);
    }

    EnclaveReply.StorageView view() {
        List<EnclaveReply.FileState> files = new ArrayList<>();
        assigned.forEach((f, size) -> files.add(new EnclaveReply.FileState(f, size,
                held.containsKey(f) ? EnclaveReply.FileState.HELD : adding.containsKey(f) ? EnclaveReply.FileState.ADDING
                        : EnclaveReply.FileState.ASSIGNED)));
        long chunks = owners.size();
        return new EnclaveReply.StorageView(slot, slotStart, slotBlocks, lastReportedSlot, roundsThisSlot, chunks, files);
    }

    // ---------------------------------------------------------------- internals

    private void complete(Hash file, Adding a) {
        adding.remove(file);
        hold(file, new HeldFile(a.size, List.copyOf(a.blocks)));
    }

    private void hold(Hash file, HeldFile h) {
        held.put(file, h);
        for (Hash b : h.blocks()) {
            owners.computeIfAbsent(b, x -> new HashSet<>()).add(file);
        }
    }

    private void drop(Hash file) {
        HeldFile h = held.remove(file);
        if (h == null) {
            return;
        }
        for (Hash b : h.blocks()) {
            Set<Hash> o = owners.get(b);
            if (o != null) {
                o.remove(file);
                if (o.isEmpty()) {
                    owners.remove(b);
                    roundOutstanding.remove(b);
                }
            }
        }
    }

    private void finishRound() {
        roundOpen = false;
        roundsThisSlot++;
    }

    private static EnclaveFailure refuse(String message) {
        return new EnclaveFailure(EnclaveError.STORAGE_REFUSED, message);
    }

    // ---------------------------------------------------------------- checkpoint

    void write(CanonicalWriter w) {
        w.u64(slot + 1).u64(slotStart).u32(slotBlocks).hash(anchor).u64(lastReportedSlot + 1).u32(roundsThisSlot);
        writeSizes(w, assigned);
        writeSizes(w, confirmed);
        w.u32(held.size());
        held.forEach((f, h) -> {
            w.hash(f).u64(h.size()).u32(h.blocks().size());
            h.blocks().forEach(w::hash);
        });
    }

    void read(CanonicalReader r) {
        slot = r.u64("slot") - 1;
        slotStart = r.u64("slot start");
        slotBlocks = r.u32("slot blocks");
        anchor = r.hash("anchor");
        lastReportedSlot = r.u64("last reported") - 1;
        roundsThisSlot = r.u32("rounds");
        readSizes(r, assigned);
        readSizes(r, confirmed);
        int n = count(r);
        for (int i = 0; i < n; i++) {
            Hash f = r.hash("file");
            long size = r.u64("size");
            int b = r.u32("blocks");
            if (b > 1 << 24) {
                throw new MalformedException("too many blocks in a held file");
            }
            List<Hash> blocks = new ArrayList<>(b);
            for (int j = 0; j < b; j++) {
                blocks.add(r.hash("block"));
            }
            hold(f, new HeldFile(size, blocks));
        }
    }

    private static void writeSizes(CanonicalWriter w, TreeMap<Hash, Long> m) {
        w.u32(m.size());
        m.forEach((f, s) -> w.hash(f).u64(s));
    }

    private static void readSizes(CanonicalReader r, TreeMap<Hash, Long> m) {
        int n = count(r);
        for (int i = 0; i < n; i++) {
            m.put(r.hash("file"), r.u64("size"));
        }
    }

    private static int count(CanonicalReader r) {
        int n = r.u32("files");
        if (n > 10_000_000) {
            throw new MalformedException("too many files");
        }
        return n;
    }
}
