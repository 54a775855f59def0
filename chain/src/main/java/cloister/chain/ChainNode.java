package cloister.chain;

import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.ChainStore;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import java.io.IOException;
import java.nio.file.Files;

/**
 * A running chain node: the RocksDB store under {@code dataDir/chain}, the chain, and the dev sealing engine.
 * Starting on an empty directory writes the dev genesis; on an existing one it resumes at the stored head.
 */
public final class ChainNode implements AutoCloseable {
    private final ChainStore store;
    private final Chain chain;
    private final DevSealing sealing;

    private ChainNode(ChainStore store, Chain chain, DevSealing sealing) {
        this.store = store;
        this.chain = chain;
        this.sealing = sealing;
    }

    /**
     * Opens (or creates with the dev genesis) the chain in {@code config.dataDir()} and starts dev sealing with the
     * dev authority (alice).
     *
     * @throws IOException if the directory cannot be used (in use by another process, unreadable, corrupt)
     */
    public static ChainNode start(ChainConfig config) throws IOException {
        return start(config, Genesis.dev());
    }

    /** As {@link #start(ChainConfig)}, creating a new chain with {@code genesis} (ignored if the chain exists). */
    public static ChainNode start(ChainConfig config, Genesis.Spec genesis) throws IOException {
        Files.createDirectories(config.dataDir());
        ChainStore store = ChainStore.open(config.dataDir().resolve("chain"), config.syncWrites());
        try {
            if (store.head().isEmpty()) {
                Genesis.initialize(store, genesis);
            }
            Chain chain = new Chain(store, config, "dev");
            SigningKey authority = DevKeys.get("alice");
            if (!SystemParams.authorities(store.state()).contains(authority.account())) {
                throw new IOException("the chain in " + config.dataDir() + " is not a dev chain: its authorities do not include the dev authority");
            }
            DevSealing sealing = new DevSealing(chain, authority, config.blockTimeMillis(), config.instantSeal(), System::currentTimeMillis);
            sealing.start();
            return new ChainNode(store, chain, sealing);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public ChainView view() {
        return chain;
    }

    public TxSubmitter submitter() {
        return chain;
    }

    /** The chain itself (block production and import), for tests and tools. */
    public Chain chain() {
        return chain;
    }

    @Override
    public void close() {
        sealing.close();
        store.close();
    }
}
