package cloister.node.market;

import cloister.common.Hash;
import cloister.node.storage.ReplicaSources;
import cloister.node.worker.RoundLoop;
import cloister.sdk.BlockClient;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.storage.chunk.Manifest;
import cloister.storage.chunk.ManifestException;
import cloister.storage.cid.Cid;
import cloister.worker.EnclaveCall;
import cloister.worker.EnclaveException;
import cloister.worker.EnclaveReply;
import cloister.worker.host.WorkerHost;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The untrusted half of a W3A job, next to a {@link WorkerHost} whose enclave runs it: asks the enclave which batch
 * files its assigned jobs need, fetches each file's encrypted blocks (manifest, then chunks) from the healthy replicas
 * the chain lists and then the node's staging gateway, and hands them in. It carries ciphertext only: the data keys
 * are escrowed to the cluster key, which only the enclave holds. A file that cannot be fetched for
 * {@link #GIVE_UP_NANOS} is reported missing, and the enclave fails the job (the chain refunds the buyer).
 */
public final class JobDataService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobDataService.class);
    /** How long a file may stay unfetchable before its job is given up (the chain's own limit is 120 blocks). */
    static final long GIVE_UP_NANOS = 60_000_000_000L;
    private static final long RETRY_NANOS = 2_000_000_000L;

    private final WorkerHost host;
    private final ReplicaSources sources;
    private final Map<String, long[]> failing = new HashMap<>();
    private final AtomicLong deliveredFiles = new AtomicLong();
    private final AtomicLong relayed = new AtomicLong();
    private final RoundLoop rounds;

    private JobDataService(WorkerHost host, String nodeUrl) {
        this.host = host;
        this.sources = new ReplicaSources(new CloisterClient(nodeUrl));
        this.rounds = new RoundLoop("w3a-jobs-" + host.id().hex().substring(0, 8), Duration.ofSeconds(1), this::tick,
                e -> LOG.warn("w3a jobs of worker {}: round failed: {}", shortId(), e.getMessage()));
    }

    /** Starts fetching for {@code host}'s jobs; {@code nodeUrl} is the node's HTTP API (storage orders, staging gateway). */
    public static JobDataService start(WorkerHost host, String nodeUrl) {
        JobDataService s = new JobDataService(host, nodeUrl);
        host.addSyncListener(s.rounds::wake);
        s.rounds.start();
        return s;
    }

    /** Files handed to the enclave since start. */
    public long deliveredFiles() {
        return deliveredFiles.get();
    }

    /** Job results and failures relayed since start. */
    public long relayedOutcomes() {
        return relayed.get();
    }

    /** One round: every file still needed, fetched and delivered (or counted as failing). */
    void tick() {
        List<EnclaveReply.JobFileNeed> needs;
        try {
            needs = host.jobNeeds();
        } catch (EnclaveException e) {
            return; // not initialized yet
        }
        long now = System.nanoTime();
        for (EnclaveReply.JobFileNeed need : needs) {
            if (!rounds.running()) {
                return;
            }
            String key = need.job() + "/" + need.file().hex();
            long[] f = failing.get(key);
            if (f != null && now - f[1] < RETRY_NANOS) {
                continue;
            }
            try {
                List<byte[]> blocks = fetchFile(need.file());
                relayed.addAndGet(host.deliverJobFile(need.job(), need.file(), blocks));
                deliveredFiles.incrementAndGet();
                failing.remove(key);
            } catch (IOException | ManifestException | CloisterApiException e) {
                if (f == null) {
                    f = new long[] {now, now};
                    failing.put(key, f);
                }
                f[1] = now;
                if (now - f[0] >= GIVE_UP_NANOS) {
                    LOG.warn("job {}: file {} unavailable for {} s; giving up: {}", need.job(), cid(need.file()), GIVE_UP_NANOS / 1_000_000_000L,
                            e.getMessage());
                    relayed.addAndGet(host.jobFileMissing(need.job(), need.file(), e.getMessage()));
                    failing.remove(key);
                } else {
                    LOG.info("job {}: file {} not fetched yet: {}", need.job(), cid(need.file()), e.getMessage());
                }
            } catch (FileTooLarge e) {
                relayed.addAndGet(host.jobFileMissing(need.job(), need.file(), e.getMessage()));
            }
        }
        failing.keySet().removeIf(k -> needs.stream().noneMatch(n -> k.equals(n.job() + "/" + n.file().hex())));
    }

    private static final class FileTooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        FileTooLarge(String message) {
            super(message);
        }
    }

    /** The file's manifest block then its chunk blocks, each checked against its CID. */
    private List<byte[]> fetchFile(Hash file) throws IOException, ManifestException, FileTooLarge {
        Cid manifestCid = cid(file);
        List<BlockClient> sources = this.sources.of(manifestCid, Optional.empty());
        byte[] manifestBytes = ReplicaSources.fetch(manifestCid, sources);
        Manifest manifest = Manifest.decode(manifestBytes);
        if (manifest.chunks().size() + 1 > EnclaveCall.MAX_JOB_FILE_BLOCKS) {
            throw new FileTooLarge("the file has " + manifest.chunks().size() + " chunks; a job's batch file may have at most "
                    + (EnclaveCall.MAX_JOB_FILE_BLOCKS - 1));
        }
        List<byte[]> blocks = new ArrayList<>(manifest.chunks().size() + 1);
        blocks.add(manifestBytes);
        for (Manifest.ChunkRef c : manifest.chunks()) {
            blocks.add(ReplicaSources.fetch(c.cid(), sources));
        }
        return blocks;
    }

    private static Cid cid(Hash file) {
        return Cid.of(Cid.RAW, file.bytes());
    }

    private String shortId() {
        return host.id().hex().substring(0, 16);
    }

    @Override
    public void close() {
        rounds.close();
        sources.close();
    }
}
