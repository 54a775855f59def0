package cloister.node.storage;

import cloister.sdk.BlockClient;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.StorageFile;
import cloister.storage.cid.Cid;
import cloister.storage.store.BlockMismatchException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a stored file's blocks can be fetched from: the block gateways of its healthy replicas (in random order, to
 * spread the load), then the node's staging gateway. Keeps one {@link BlockClient} per gateway. Used by a storage
 * provider copying an assigned file and by a worker host fetching a W3A job's batch files; not thread-safe (one per
 * loop).
 */
public final class ReplicaSources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSources.class);

    private final CloisterClient api;
    private final Map<String, BlockClient> clients = new HashMap<>();

    public ReplicaSources(CloisterClient api) {
        this.api = api;
    }

    /** The sources of {@code file}, skipping the gateway {@code except} (our own); empty if the node cannot be asked. */
    public List<BlockClient> of(Cid file, Optional<String> except) {
        List<BlockClient> out = new ArrayList<>();
        try {
            Optional<StorageFile> order = api.storageFile(file.toString());
            List<String> urls = new ArrayList<>(order.map(StorageFile::healthyEndpoints).orElse(List.of()));
            except.ifPresent(urls::remove);
            Collections.shuffle(urls);
            api.storageInfo().stagingGateway().ifPresent(urls::add);
            for (String u : urls) {
                try {
                    out.add(clients.computeIfAbsent(u, BlockClient::new));
                } catch (IllegalArgumentException e) {
                    LOG.debug("skipping source {}: {}", u, e.getMessage());
                }
            }
        } catch (CloisterApiException e) {
            LOG.debug("cannot list the sources of {}: {}", file, e.getMessage());
        }
        return out;
    }

    /**
     * The block {@code cid} from the first source that serves it (each checks the bytes against the CID).
     *
     * @throws IOException the last source's failure, or "no source" if there was none
     */
    public static byte[] fetch(Cid cid, List<BlockClient> sources) throws IOException {
        IOException last = new IOException("no source for " + cid + " (no healthy replica, no staging gateway)");
        for (BlockClient c : sources) {
            try {
                return c.get(cid);
            } catch (IOException | BlockMismatchException e) {
                last = e instanceof IOException io ? io : new IOException(e.getMessage());
            }
        }
        throw last;
    }

    @Override
    public void close() {
        clients.values().forEach(BlockClient::close);
        clients.clear();
    }
}
