package cloister.node.storage;

import cloister.common.Hash;
import cloister.node.worker.RoundLoop;
import cloister.proto.StorageCall;
import cloister.proto.WorkerId;
import cloister.sdk.BlockClient;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.storage.chunk.Manifest;
import cloister.storage.chunk.ManifestException;
import cloister.storage.cid.Cid;
import cloister.storage.store.BlockMismatchException;
import cloister.storage.store.ChunkStore;
import cloister.storage.store.DiskChunkStore;
import cloister.worker.EnclaveException;
import cloister.worker.EnclaveReply;
import cloister.worker.host.WorkerHost;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The untrusted half of a storage provider, next to a {@link WorkerHost} whose enclave runs the watchdog: keeps the
 * blocks in a {@link DiskChunkStore}, serves them through a {@link BlockGateway}, registers the provider on chain,
 * fetches the files the chain assigns (from healthy replicas first, then the node's staging gateway) and hands them
 * to the watchdog, answers the watchdog's sampling rounds with the stored bytes, relays one work report per slot,
 * and deletes blocks nobody needs any more. It sees only ciphertext blocks and public chain data.
 *
 * <p>Decisions about what is held belong to the enclave: this class only carries bytes. A chunk the watchdog finds
 * bad is deleted here, so the next assignment fetches it again from a healthy replica.
 */
public final class ProviderService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderService.class);
    private static final long REGISTRATION_RETRY_NANOS = 5_000_000_000L;

    /**
     * @param dataDir     where the blocks are kept ({@code blocks/} under it)
     * @param gatewayHost the gateway's bind address; {@code gatewayPort} 0 for any free port
     * @param capacity    bytes offered
     * @param nodeUrl     the node's HTTP API (chain state: assignments' sources, the staging gateway)
     * @param publicUrl   the gateway URL to register, if not http://gatewayHost:port
     */
    public record Config(Path dataDir, String gatewayHost, int gatewayPort, long capacity, String nodeUrl, Optional<String> publicUrl) {}

    private final WorkerHost host;
    private final Config config;
    private final ChunkStore store;
    private final BlockGateway gateway;
    private final CloisterClient api;
    private final String url;
    private final ReplicaSources sources;
    private final AtomicLong fetchedBlocks = new AtomicLong();
    private final AtomicLong verifiedBlocks = new AtomicLong();
    private final AtomicLong failedBlocks = new AtomicLong();
    private final RoundLoop rounds;
    private boolean registeredAsProvider;
    private long registrationSubmittedNanos = Long.MIN_VALUE / 2;
    private long lastRoundHeight = -1;
    private long lastGcSlot = -1;
    private Set<Cid> gcCandidates = Set.of();
    private final Map<Hash, Long> fetchFailedAtSlot = new HashMap<>();

    private ProviderService(WorkerHost host, Config config, ChunkStore store, BlockGateway gateway) {
        this.host = host;
        this.config = config;
        this.store = store;
        this.gateway = gateway;
        this.api = new CloisterClient(config.nodeUrl());
        this.sources = new ReplicaSources(api);
        this.url = config.publicUrl().orElse("http://" + config.gatewayHost() + ":" + gateway.port());
        this.rounds = new RoundLoop("provider-" + host.id().hex().substring(0, 8), Duration.ofMillis(500), this::tick,
                e -> LOG.warn("provider round failed: {}", e.getMessage()));
    }

    /** Opens the block store (reconciling it after a crash), starts the gateway and the provider loop. */
    public static ProviderService start(WorkerHost host, Config config) throws IOException {
        DiskChunkStore store = DiskChunkStore.open(config.dataDir().resolve("blocks"), false);
        BlockGateway gateway;
        try {
            gateway = BlockGateway.start(store, config.gatewayHost(), config.gatewayPort(), true);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        ProviderService p = new ProviderService(host, config, store, gateway);
        LOG.info("storage provider {}: {} blocks ({} bytes) on disk, gateway {}", host.id().hex().substring(0, 16), store.count(),
                store.bytes(), p.url);
        host.addSyncListener(p.rounds::wake);
        p.rounds.start();
        return p;
    }

    public WorkerId id() {
        return host.id();
    }

    /** The gateway URL this provider registers. */
    public String gatewayUrl() {
        return url;
    }

    public ChunkStore store() {
        return store;
    }

    /** Blocks fetched from other providers or the staging gateway since start. */
    public long fetchedBlocks() {
        return fetchedBlocks.get();
    }

    /** Blocks the watchdog hashed and accepted since start. */
    public long verifiedBlocks() {
        return verifiedBlocks.get();
    }

    /** Blocks the watchdog found missing or corrupt since start. */
    public long failedBlocks() {
        return failedBlocks.get();
    }

    // ---------------------------------------------------------------- loop

    /** One pass: register, fetch what is assigned, answer a round, report, collect garbage. */
    void tick() {
        ensureRegistered();
        EnclaveReply.StorageView view = host.storageStatus();
        for (EnclaveReply.FileState f : view.files()) {
            if (!rounds.running()) {
                return;
            }
            if (f.state() == EnclaveReply.FileState.ASSIGNED) {
                Long failedAt = fetchFailedAtSlot.get(f.file());
                if (failedAt != null && failedAt == view.slot() && host.syncedHeight() % 2 != 0) {
                    continue; // retry every other block, not in a tight loop
                }
                try {
                    fetchAndAdd(f.file());
                    fetchFailedAtSlot.remove(f.file());
                } catch (IOException | ManifestException | EnclaveException e) {
                    fetchFailedAtSlot.put(f.file(), view.slot());
                    LOG.warn("provider {}: cannot take {} yet: {}", shortId(), cid(f.file()), e.getMessage());
                }
            }
        }
        long height = host.syncedHeight();
        // A round every third of a slot: at least one complete round in each slot, as the report requires.
        long every = Math.max(1, view.slotBlocks() / 3);
        if (lastRoundHeight < 0 || height - lastRoundHeight >= every || height < lastRoundHeight) {
            answer(host.storageRound());
            lastRoundHeight = height;
        }
        view = host.storageStatus();
        boolean pending = view.files().stream().anyMatch(f -> f.state() != EnclaveReply.FileState.HELD);
        if (registeredAsProvider && view.slot() >= 0 && view.lastReportedSlot() < view.slot() && view.roundsThisSlot() > 0
                && (!pending || height >= view.slotStart() + view.slotBlocks() / 2)) {
            try {
                host.relayWorkReport();
                LOG.debug("provider {}: work report for slot {} relayed", shortId(), view.slot());
            } catch (EnclaveException e) {
                LOG.debug("provider {}: no work report: {}", shortId(), e.getMessage());
            }
        }
        if (view.slot() != lastGcSlot) {
            collectGarbage(view);
            lastGcSlot = view.slot();
        }
    }

    private void ensureRegistered() {
        if (registeredAsProvider) {
            return;
        }
        try {
            registeredAsProvider = api.storageProviders().stream().anyMatch(p -> p.id().equals(host.id()) && p.endpoint().equals(url));
        } catch (CloisterApiException e) {
            LOG.debug("provider {}: the node is not answering: {}", shortId(), e.getMessage());
            return;
        }
        if (registeredAsProvider) {
            LOG.info("storage provider {} is registered ({} bytes offered at {})", shortId(), config.capacity(), url);
            return;
        }
        if (!host.status().registered() || System.nanoTime() - registrationSubmittedNanos < REGISTRATION_RETRY_NANOS) {
            return; // the worker registers first; then its operator registers the provider
        }
        host.submitAsOperator(new StorageCall.RegisterProvider(host.id(), config.capacity(), url), "storage provider registration");
        registrationSubmittedNanos = System.nanoTime();
    }

    /** Fetches an assigned file's blocks that are not here yet, then has the watchdog hash all of them. */
    private void fetchAndAdd(Hash file) throws IOException, ManifestException {
        Cid manifestCid = Cid.of(Cid.RAW, file.bytes());
        List<BlockClient> sources = sources(manifestCid);
        byte[] manifestBytes = fetch(manifestCid, sources);
        Manifest manifest = Manifest.decode(manifestBytes);
        for (Manifest.ChunkRef c : manifest.chunks()) {
            if (!rounds.running()) {
                return;
            }
            if (!store.has(c.cid())) {
                fetch(c.cid(), sources);
            }
        }
        List<Hash> wanted = host.storageAdd(file, manifestBytes);
        answer(wanted);
    }

    private byte[] fetch(Cid cid, List<BlockClient> sources) throws IOException {
        Optional<byte[]> here = store.get(cid);
        if (here.isPresent() && cid.matches(here.get())) {
            return here.get();
        }
        byte[] block = ReplicaSources.fetch(cid, sources);
        try {
            store.put(cid, block);
        } catch (BlockMismatchException e) {
            throw new IOException(e.getMessage()); // the gateway client checked the CID already; kept for the store's contract
        }
        fetchedBlocks.incrementAndGet();
        return block;
    }

    /** Healthy replicas of the file on other providers (in random order), then the node's staging gateway. */
    private List<BlockClient> sources(Cid file) {
        return sources.of(file, Optional.of(url)); // not from ourselves
    }

    /** Passes the blocks the watchdog asked for (empty if not here); deletes the ones it found bad. */
    private void answer(List<Hash> wanted) {
        for (int i = 0; i < wanted.size() && rounds.running(); i += cloister.worker.EnclaveCall.MAX_ANSWERS) {
            List<EnclaveReply.ChunkAnswer> batch = new ArrayList<>();
            for (Hash d : wanted.subList(i, Math.min(wanted.size(), i + cloister.worker.EnclaveCall.MAX_ANSWERS))) {
                byte[] block;
                try {
                    block = store.get(Cid.of(Cid.RAW, d.bytes())).orElse(new byte[0]);
                } catch (IOException e) {
                    block = new byte[0];
                }
                batch.add(new EnclaveReply.ChunkAnswer(d, block));
            }
            EnclaveReply.StorageChecked checked = host.storageCheck(batch);
            verifiedBlocks.addAndGet(checked.verified());
            for (Hash bad : checked.failedChunks()) {
                failedBlocks.incrementAndGet();
                try {
                    store.delete(Cid.of(Cid.RAW, bad.bytes()));
                } catch (IOException e) {
                    LOG.warn("provider {}: cannot delete bad block {}: {}", shortId(), cid(bad), e.getMessage());
                }
            }
            for (Hash lost : checked.lostFiles()) {
                LOG.warn("provider {}: the watchdog found a missing or corrupt chunk of {}: this replica is lost", shortId(), cid(lost));
            }
            for (Hash added : checked.addedFiles()) {
                LOG.info("provider {}: holds {} (every chunk verified)", shortId(), cid(added));
            }
        }
    }

    /**
     * Deletes blocks that belong to no file assigned to this provider and were already unreferenced at the previous
     * collection (a slot ago), so blocks put through the gateway or of a file about to be assigned get time.
     */
    private void collectGarbage(EnclaveReply.StorageView view) {
        Set<Cid> referenced = new HashSet<>();
        for (EnclaveReply.FileState f : view.files()) {
            Cid m = Cid.of(Cid.RAW, f.file().bytes());
            referenced.add(m);
            try {
                Optional<byte[]> bytes = store.get(m);
                if (bytes.isPresent()) {
                    Manifest.decode(bytes.get()).chunks().forEach(c -> referenced.add(c.cid()));
                }
            } catch (IOException | ManifestException e) {
                // an unreadable manifest references nothing; the watchdog deals with the file
            }
        }
        Set<Cid> unreferenced = new HashSet<>();
        store.forEach(c -> {
            if (!referenced.contains(c)) {
                unreferenced.add(c);
            }
        });
        int deleted = 0;
        for (Cid c : unreferenced) {
            if (gcCandidates.contains(c)) {
                try {
                    store.delete(c);
                    deleted++;
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", c, e.getMessage());
                }
            }
        }
        if (deleted > 0) {
            LOG.info("provider {}: deleted {} blocks no assigned file needs", shortId(), deleted);
        }
        unreferenced.removeIf(c -> !store.has(c));
        gcCandidates = unreferenced;
    }

    private String shortId() {
        return host.id().hex().substring(0, 8);
    }

    private static String cid(Hash file) {
        return Cid.of(Cid.RAW, file.bytes()).toString();
    }

    /** Stops the loop and the gateway and closes the store (the worker host is the caller's to close). */
    @Override
    public void close() {
        rounds.close();
        gateway.close();
        sources.close();
        store.close();
    }
}
