package cloister.sdk;

import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.crypto.SigningKey;
import cloister.market.data.RecordBatch;
import cloister.market.data.Schema;
import cloister.proto.MalformedException;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.chunk.DataKeyWrap;
import cloister.storage.chunk.ManifestException;
import cloister.storage.cid.Cid;
import cloister.storage.cid.CidFormatException;
import cloister.storage.store.BlockMismatchException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The owner reads back their own W3A records, on their own machine: each file's data key is the one wrapped to the
 * owner in its storage order (as {@code cloister storage get} opens it), the blocks come from the providers holding a
 * healthy replica or the node's staging gateway and are checked against their CIDs, and each file is decoded as a
 * record batch of the dataset's schema. Nobody else can do this: the escrowed copy of the key opens only in the
 * cluster's enclaves.
 */
public final class DatasetReader {
    private final CloisterClient client;
    private final SigningKey owner;

    public DatasetReader(CloisterClient client, SigningKey owner) {
        this.client = Objects.requireNonNull(client, "client");
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /**
     * The dataset's records, one file in memory at a time, fetched as they are iterated.
     *
     * @param dataset as {@link CloisterClient#dataset(long)} returns it (with its batches)
     * @throws CloisterApiException {@code NOT_OWNER} or {@code BAD_SCHEMA} at once; {@code DATA_UNAVAILABLE} while iterating
     *     if a file's order is gone, its key does not open, or its blocks cannot be fetched or decoded
     */
    public Iterable<Object[]> rows(DatasetInfo dataset) {
        if (!dataset.owner().equals(owner.account())) {
            throw new CloisterApiException("NOT_OWNER", "dataset " + dataset.id() + " belongs to " + dataset.owner().address()
                    + ": only its owner can read its records");
        }
        Schema schema = dataset.schema().orElseThrow(() -> new CloisterApiException("BAD_SCHEMA", "dataset " + dataset.id()
                + " has no canonical schema"));
        List<DatasetInfo.Batch> batches = List.copyOf(dataset.batches());
        EcdhKey key = DataKeyWrap.ownerKey(owner);
        return () -> new Iterator<>() {
            private int next;
            private Iterator<Object[]> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && next < batches.size()) {
                    current = batch(key, schema, batches.get(next++)).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Object[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    private RecordBatch batch(EcdhKey key, Schema schema, DatasetInfo.Batch b) {
        Cid cid;
        try {
            cid = Cid.parse(b.cid());
        } catch (CidFormatException e) {
            throw new CloisterApiException("DATA_UNAVAILABLE", "the node names a file '" + b.cid() + "' that is not a CID");
        }
        StorageFile order = client.storageFile(b.cid()).orElseThrow(() -> new CloisterApiException("DATA_UNAVAILABLE",
                "file " + b.cid() + " has no storage order any more: its key and blocks are gone"));
        byte[] dataKey;
        try {
            dataKey = DataKeyWrap.unwrap(key, cid, order.wrappedKey());
        } catch (HpkeException | RuntimeException e) {
            throw new CloisterApiException("DATA_UNAVAILABLE", "the key of file " + b.cid() + " is not wrapped to " + owner.account().address());
        }
        List<BlockClient> sources = new ArrayList<>();
        order.healthyEndpoints().forEach(u -> sources.add(new BlockClient(u)));
        client.storageInfo().stagingGateway().ifPresent(u -> sources.add(new BlockClient(u)));
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try {
            ChunkedFile.decrypt(cid, dataKey, c -> {
                for (BlockClient s : sources) {
                    try {
                        return s.get(c);
                    } catch (IOException | BlockMismatchException e) {
                        // the next source
                    }
                }
                return null;
            }, plain, ChunkedFile.Progress.NONE);
            return RecordBatch.decode(schema, plain.toByteArray());
        } catch (ManifestException | IOException | MalformedException e) {
            throw new CloisterApiException("DATA_UNAVAILABLE", "file " + b.cid() + ": " + e.getMessage());
        } finally {
            Arrays.fill(dataKey, (byte) 0);
            sources.forEach(BlockClient::close);
        }
    }
}
