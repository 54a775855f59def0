package cloister.node.market;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.chain.runtime.datamarket.DataMarket;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.market.data.RecordBatch;
import cloister.market.data.Schema;
import cloister.market.job.ResultSeal;
import cloister.node.devnet.LocalNetwork;
import cloister.proto.Call;
import cloister.proto.DataMarketCall;
import cloister.proto.StorageCall;
import cloister.sdk.BlockClient;
import cloister.sdk.CloisterClient;
import cloister.sdk.TxStatusInfo;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.chunk.DataKeyWrap;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The W3A integration tests' network and what their collectors and buyers do on it: an in-process devnet (sim TEE)
 * with a gatekeeper and the two compute workers of cluster 0, owners' survey batches encrypted with the data key
 * escrowed to the cluster, listings, standing policies and jobs.
 */
final class W3aDevnet implements AutoCloseable {
    static final Schema SCHEMA = Schema.parse("age_band:text,income:real[0,250000],note:text");
    static final long CLO = cloister.common.Tokens.UNITS_PER_TOKEN;
    static final long PRICE = CLO / 10;
    static final int RESEARCH = DataMarketCall.PURPOSES.indexOf("research");

    final LocalNetwork net;
    final CloisterClient client;
    final Hash genesis;
    final X25519PublicKey clusterKey;

    private W3aDevnet(LocalNetwork net) throws InterruptedException {
        this.net = net;
        this.client = new CloisterClient(net.apiUrl());
        this.genesis = client.genesisHash();
        this.clusterKey = await("cluster 0's key", Duration.ofSeconds(60), () -> client.clusterKey(0).orElse(null));
    }

    /**
     * Starts the devnet under {@code dir} and runs its set-up.
     *
     * @param blockMillis    the block time
     * @param providers      dedicated storage providers
     * @param workersProvide whether the compute workers are storage providers too
     */
    static W3aDevnet start(Path dir, long blockMillis, int providers, boolean workersProvide) throws Exception {
        LocalNetwork.Options o = LocalNetwork.Options.defaults(ChainConfig.dev(dir).withBlockTime(blockMillis))
                .withApi("127.0.0.1", 0).withWorkers(1, 2).withStorage(providers, workersProvide, 10);
        LocalNetwork net = LocalNetwork.start(o);
        try {
            net.setUp(s -> { }, Duration.ofSeconds(90));
            return new W3aDevnet(net);
        } catch (Exception | Error e) {
            net.close();
            throw e;
        }
    }

    @Override
    public void close() {
        net.close();
    }

    /** An owner's record batch, encrypted; its blocks are uploaded to the staging gateway by {@link #upload}, not before. */
    record Batch(ChunkedFile.Encrypted encrypted, List<byte[]> blocks, int rows) {
        Hash file() {
            return Hash.wrap(encrypted.cid().digest());
        }

        long stored() {
            return encrypted.manifest().encode().length + encrypted.manifest().storedBytes();
        }
    }

    static Batch encrypt(List<Object[]> rows) throws IOException {
        byte[] batch = RecordBatch.of(SCHEMA, rows).encoded();
        List<byte[]> blocks = new ArrayList<>();
        ChunkedFile.Encrypted enc = ChunkedFile.encrypt(new ByteArrayInputStream(batch), batch.length, "survey.clrb",
                "application/x-cloister-records", (cid, block) -> blocks.add(block), ChunkedFile.Progress.NONE);
        return new Batch(enc, List.copyOf(blocks), rows.size());
    }

    /** Puts the batch's blocks on the node's staging gateway, where job hosts (and providers) fetch them. */
    void upload(Batch b) throws IOException {
        try (BlockClient up = new BlockClient(client.storageInfo().stagingGateway().orElseThrow())) {
            for (byte[] block : b.blocks()) {
                try {
                    up.put(block);
                } catch (cloister.storage.store.BlockMismatchException e) {
                    throw new IOException(e.getMessage());
                }
            }
        }
    }

    /** Registers dataset {@code name} of {@code owner} and returns its id. */
    long register(String owner, String name) {
        ok(owner, new DataMarketCall.RegisterDataset(name, SCHEMA.encode(), 0));
        return DataMarket.dataset(state(), account(owner), name).orElseThrow().id();
    }

    /** Adds the batch to the dataset, its data key escrowed to cluster 0. */
    void addBatch(String owner, long dataset, Batch b) {
        ok(owner, new DataMarketCall.AddBatch(dataset, b.file(), b.rows(), b.stored(),
                DataKeyWrap.wrap(clusterKey, b.encrypted().cid(), b.encrypted().dataKey())));
    }

    /** What the collector does: batch → encrypt into storage → order → register → add the batch with the key escrowed. */
    long collect(String owner, List<Object[]> rows) throws IOException {
        Batch b = encrypt(rows);
        upload(b);
        ok(owner, new StorageCall.PlaceOrder(b.file(), b.stored(), 2, 100, 1_000,
                DataKeyWrap.wrap(DataKeyWrap.ownerKey(DevKeys.get(owner)).publicKey(), b.encrypted().cid(), b.encrypted().dataKey())));
        long id = register(owner, "survey");
        addBatch(owner, id, b);
        return id;
    }

    /** Lists the dataset for research at {@link #PRICE} per use, k = 2, ε 0.2 per job of 10 in all, one row per owner. */
    void list(String owner, long dataset) {
        ok(owner, new DataMarketCall.SetListing(dataset, new DataMarketCall.Listing("household survey", PRICE, 0, 1 << RESEARCH, 2,
                10_000_000, 2_000_000, 1)));
    }

    /** A standing policy: research jobs paying at least {@link #PRICE} are consented at once. */
    void consentByPolicy(String owner, long dataset) {
        ok(owner, new DataMarketCall.SetPolicy(dataset, 1 << RESEARCH, PRICE));
    }

    /** Submits a research job (ε 1, result sealed to the buyer) escrowing {@code budget}; returns its id. */
    long submitJob(SigningKey buyer, String sql, List<Long> datasets, long budget) {
        long id = DataMarket.nextJob(state());
        byte[] resultKey = ResultSeal.buyerKey(buyer).publicKey().bytes();
        // Owners get 1000 blocks to decide (not the default 20): one who decides by hand must not race the block clock.
        // A job every owner consented to by policy still starts in the block of its submission.
        ok(buyer, new DataMarketCall.SubmitJob(RESEARCH, sql, datasets, Hash.ZERO, 1_000_000, budget, 1000, resultKey));
        assertTrue(DataMarket.job(state(), id).isPresent(), "job " + id + " submitted");
        return id;
    }

    DataMarket.Job awaitEnded(long job, Duration timeout) throws InterruptedException {
        return await("job " + job + " to end", timeout, () -> {
            DataMarket.Job j = DataMarket.job(state(), job).orElseThrow();
            return j.state().open() ? null : j;
        });
    }

    void ok(String signer, Call call) {
        ok(DevKeys.get(signer), call);
    }

    /**
     * Signs and submits {@code call} with the minimum fee and waits until it is included and succeeded; returns its
     * status. The devnet's operators (dave, eve, ferdie) relay for their workers meanwhile: a nonce clash is signed again.
     */
    TxStatusInfo ok(SigningKey key, Call call) {
        TxStatusInfo s = client.waitForInclusion(client.submitSigned(key, client.chainInfo().minimumFee(), call), Duration.ofSeconds(30));
        assertTrue(s.success(), call.name() + " by " + key.account() + " failed: " + s.failureReason());
        return s;
    }

    cloister.chain.store.StateReader state() {
        return net.node().view().state();
    }

    static AccountId account(String name) {
        return DevKeys.get(name).account();
    }

    static <T> T await(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(50);
        }
        T v = probe.get();
        assertNotNull(v, "timed out waiting for " + what);
        return v;
    }
}
