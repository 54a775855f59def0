package cloister.sdk;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.market.data.InvalidRecordException;
import cloister.market.data.RecordBatch;
import cloister.market.data.RecordBatchWriter;
import cloister.market.data.RecordParser;
import cloister.market.data.Schema;
import cloister.proto.Call;
import cloister.proto.DataMarketCall;
import cloister.proto.StorageCall;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.chunk.DataKeyWrap;
import cloister.storage.cid.Cid;
import cloister.storage.store.BlockMismatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * W3A collection, the data owner's side, done on the owner's machine: records (a CSV or JSON Lines file, or rows)
 * of a {@link Schema} are parsed and checked, cut into {@link RecordBatch} files of at most {@link #MAX_BATCH_ROWS}
 * rows and {@link #MAX_BATCH_BYTES} bytes, each file encrypted under its own data key ({@link ChunkedFile}) and
 * uploaded to the node's staging gateway; then, once every record has been read and is valid, the chain is told:
 * the dataset is registered (unless the owner already has one of that name: then the records are appended, and the
 * schema must be the same), each file gets a storage order (its data key wrapped to the owner, as
 * {@code cloister storage put} does) and is added to the dataset as a batch with its data key wrapped to the
 * dataset's escrow cluster ({@link DataKeyWrap#wrap}) — only that cluster's enclaves can open it.
 *
 * <p>Nothing is written on chain if a record is invalid. If a transaction is refused half way, the files added
 * before it stay added; the exception says how many.
 */
public final class DataCollector {
    /** The most records per file. */
    public static final int MAX_BATCH_ROWS = 100_000;
    /** The most blocks of {@link ChunkedFile#CHUNK_SIZE} (256 KiB) the worker's enclave takes a job's file in: one piece of 16 MiB. */
    public static final int ENCLAVE_FILE_BLOCKS = 64;
    /**
     * The largest file, encoded: 63 chunks (15.75 MiB). The worker's enclave fetches, verifies and decrypts a job's file
     * in one piece of at most {@value #ENCLAVE_FILE_BLOCKS} blocks of 256 KiB; a file is its encrypted chunks (each 28
     * bytes longer than its plaintext) and its manifest block, so 63 chunks keep it within 64 blocks and under 16 MiB
     * stored, whichever way the enclave counts.
     */
    public static final int MAX_BATCH_BYTES = (ENCLAVE_FILE_BLOCKS - 1) * ChunkedFile.CHUNK_SIZE;
    /** The media type sealed in each file's manifest. */
    public static final String MEDIA_TYPE = "application/x-cloister-record-batch";
    /** Transactions signed and submitted before waiting for their blocks. */
    private static final int WINDOW = 32;
    private static final Duration TX_TIMEOUT = Duration.ofSeconds(60);

    /**
     * How to collect.
     *
     * @param cluster             the escrow cluster of a new dataset (its enclaves will run the jobs)
     * @param replicas            storage replicas per file, on distinct providers
     * @param slots               how many storage slots to keep each file
     * @param pricePerReplicaSlot what each provider is paid per replica and slot (base units)
     * @param maxBatchRows        at most {@link #MAX_BATCH_ROWS}
     * @param maxBatchBytes       {@link RecordBatchWriter#MIN_MAX_BYTES} to {@link #MAX_BATCH_BYTES}
     */
    public record Options(int cluster, int replicas, int slots, long pricePerReplicaSlot, int maxBatchRows, int maxBatchBytes) {
        public Options {
            if (cluster < 0) {
                throw new IllegalArgumentException("cluster is a cluster number (0, 1, …)");
            }
            if (replicas < 1 || replicas > StorageCall.MAX_REPLICAS || slots < 1 || slots > StorageCall.MAX_SLOTS) {
                throw new IllegalArgumentException("replicas 1.." + StorageCall.MAX_REPLICAS + ", slots 1.." + StorageCall.MAX_SLOTS);
            }
            if (pricePerReplicaSlot < 1) {
                throw new IllegalArgumentException("the storage price is at least one unit");
            }
            if (maxBatchRows < 1 || maxBatchRows > MAX_BATCH_ROWS) {
                throw new IllegalArgumentException("a file holds 1 to " + MAX_BATCH_ROWS + " records");
            }
            if (maxBatchBytes < RecordBatchWriter.MIN_MAX_BYTES || maxBatchBytes > MAX_BATCH_BYTES) {
                throw new IllegalArgumentException("a file is " + RecordBatchWriter.MIN_MAX_BYTES + " to " + MAX_BATCH_BYTES + " bytes");
            }
        }

        /** Cluster 0, 2 replicas, 1000 slots at 0.0001 CLO, the largest files the enclave takes. */
        public static Options defaults() {
            return new Options(0, 2, 1000, Tokens.parse("0.0001"), MAX_BATCH_ROWS, MAX_BATCH_BYTES);
        }

        public Options withCluster(int c) {
            return new Options(c, replicas, slots, pricePerReplicaSlot, maxBatchRows, maxBatchBytes);
        }

        public Options withStorage(int r, int s, long price) {
            return new Options(cluster, r, s, price, maxBatchRows, maxBatchBytes);
        }

        public Options withBatchLimits(int rows, int bytes) {
            return new Options(cluster, replicas, slots, pricePerReplicaSlot, rows, bytes);
        }
    }

    /** The stages progress is reported for. */
    public enum Stage {
        /** Records read and encrypted: {@code done} of {@code total} input bytes (total -1 when rows are given). */
        READ,
        /** Transactions included: {@code done} of {@code total}. */
        CHAIN
    }

    /** Progress of a collection; called on the collecting thread. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (stage, done, total) -> { };

        void update(Stage stage, long done, long total);
    }

    /** One file of records: its CID, record count and stored size (manifest and encrypted chunks). */
    public record File(String cid, long rows, long size) {}

    /**
     * What a collection did.
     *
     * @param created whether the dataset was registered now (false: the records were appended)
     * @param summary what the parse read: rows, input bytes, per column nulls and values outside the clamping bounds
     *                (empty when rows were given directly)
     */
    public record Result(long dataset, String name, boolean created, long rows, List<File> files, Hash schemaHash,
                         Optional<RecordParser.Summary> summary) {
        public Result {
            files = List.copyOf(files);
        }
    }

    private final CloisterClient client;
    private final SigningKey owner;

    public DataCollector(CloisterClient client, SigningKey owner) {
        this.client = Objects.requireNonNull(client, "client");
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /**
     * Collects the records of {@code file} ({@code format}: CSV or JSON Lines; see {@link RecordParser}) into the
     * owner's dataset {@code name}.
     *
     * @throws InvalidRecordException at the first invalid record (nothing was written on chain)
     * @throws CloisterApiException   if the node or the chain refuses: {@code UNKNOWN_CLUSTER} (no published key to
     *     escrow to), {@code SCHEMA_MISMATCH}, {@code DATASET_DELETED}, {@code NO_RECORDS}, {@code NO_STAGING}, or a
     *     chain refusal word
     */
    public Result collect(Path file, RecordParser.Format format, String name, Schema schema, Options options, Progress progress)
            throws IOException, InvalidRecordException {
        Target target = prepare(name, schema, options);
        long size = Files.size(file);
        Uploads uploads = new Uploads(target, name);
        RecordParser.Summary summary;
        try (InputStream in = Files.newInputStream(file); uploads) {
            RecordParser parser = RecordParser.open(schema, format, in, read -> progress.update(Stage.READ, read, size));
            RecordBatchWriter writer = new RecordBatchWriter(schema, options.maxBatchRows(), options.maxBatchBytes(), uploads::add);
            Object[] row;
            while ((row = parser.next()) != null) {
                writer.add(row);
            }
            writer.close();
            summary = parser.summary();
        }
        return finish(target, uploads, Optional.of(summary), progress);
    }

    /**
     * Collects {@code rows} (each in the schema's column order: Long, Double, String or null) into the owner's
     * dataset {@code name}.
     *
     * @throws IllegalArgumentException if a row does not fit the schema (the message names the column, never the
     *     value; nothing was written on chain)
     */
    public Result collect(Iterable<Object[]> rows, String name, Schema schema, Options options, Progress progress) throws IOException {
        Target target = prepare(name, schema, options);
        Uploads uploads = new Uploads(target, name);
        try (uploads) {
            RecordBatchWriter writer = new RecordBatchWriter(schema, options.maxBatchRows(), options.maxBatchBytes(), uploads::add);
            long n = 0;
            for (Object[] row : rows) {
                writer.add(row);
                if (++n % 10_000 == 0) {
                    progress.update(Stage.READ, n, -1);
                }
            }
            writer.close();
        }
        return finish(target, uploads, Optional.empty(), progress);
    }

    /** Where the records go: the existing dataset if any, the escrow key, the staging gateway. */
    private record Target(String name, Schema schema, Options options, Optional<DatasetInfo> existing, int cluster, X25519PublicKey escrow,
                          X25519PublicKey ownerKey, String staging) {}

    private Target prepare(String name, Schema schema, Options options) {
        Objects.requireNonNull(schema, "schema");
        if (name == null || name.isBlank() || !name.equals(name.strip()) || name.chars().anyMatch(Character::isISOControl)
                || name.getBytes(StandardCharsets.UTF_8).length > DataMarketCall.MAX_NAME) {
            throw new CloisterApiException("INVALID_ARGUMENT", "a dataset name is 1 to " + DataMarketCall.MAX_NAME
                    + " bytes of text without control characters or outer spaces");
        }
        Optional<DatasetInfo> existing = client.dataset(owner.account(), name);
        int cluster = options.cluster();
        if (existing.isPresent()) {
            DatasetInfo d = existing.get();
            if (d.deleted()) {
                throw new CloisterApiException("DATASET_DELETED", "your dataset '" + name + "' (" + d.id() + ") was deleted at block "
                        + d.deletedAt() + ": collect into a new name");
            }
            if (!d.schemaHash().equals(schema.hash())) {
                throw new CloisterApiException("SCHEMA_MISMATCH", "your dataset '" + name + "' (" + d.id() + ") has the schema "
                        + d.schema().map(Schema::spec).orElse(d.schemaHash().hex()) + "; these records follow " + schema.spec()
                        + ". A dataset keeps one schema: use that schema, or collect into another name");
            }
            cluster = d.cluster();
        }
        X25519PublicKey escrow;
        try {
            final int c = cluster;
            escrow = client.clusterKey(cluster).orElseThrow(() -> new CloisterApiException("UNKNOWN_CLUSTER", "cluster " + c
                    + " has no published key yet: data keys are escrowed to a cluster's key (wait until its gatekeeper publishes it)"));
        } catch (CloisterApiException e) {
            if (e.httpStatus() == 404) {
                throw new CloisterApiException("UNKNOWN_CLUSTER", "cluster " + cluster + " does not exist: data keys are escrowed to a cluster's key");
            }
            throw e;
        }
        String staging = client.storageInfo().stagingGateway().orElseThrow(() -> new CloisterApiException("NO_STAGING",
                "the node at " + client.baseUrl() + " runs no staging gateway to upload the encrypted files to"));
        return new Target(name, schema, options, existing, cluster, escrow, DataKeyWrap.ownerKey(owner).publicKey(), staging);
    }

    /** A file encrypted and uploaded, its data key already wrapped twice (and the key itself wiped). */
    private record Uploaded(Cid cid, long rows, long stored, byte[] ownerWrapped, byte[] escrowWrapped) {}

    /** Encrypts and uploads each batch as the writer emits it. */
    private static final class Uploads implements AutoCloseable {
        private final Target target;
        private final String name;
        private final BlockClient gateway;
        private final List<Uploaded> files = new ArrayList<>();

        Uploads(Target target, String name) {
            this.target = target;
            this.name = name;
            this.gateway = new BlockClient(target.staging());
        }

        void add(byte[] batch) throws IOException {
            long rows = Integer.toUnsignedLong(ByteBuffer.wrap(batch, 37, 4).getInt()); // the CLRB header's row count
            String fileName = name + "-" + (files.size() + 1) + ".clrb";
            ChunkedFile.Encrypted enc = ChunkedFile.encrypt(new ByteArrayInputStream(batch), batch.length, fileName, MEDIA_TYPE, (cid, block) -> {
                try {
                    Cid stored = gateway.put(block);
                    if (!stored.equals(cid)) {
                        throw new IOException("the staging gateway stored " + stored + " for " + cid);
                    }
                } catch (BlockMismatchException e) {
                    throw new IOException(e.getMessage());
                }
            }, ChunkedFile.Progress.NONE);
            byte[] key = enc.dataKey();
            try {
                files.add(new Uploaded(enc.cid(), rows, enc.manifest().encode().length + enc.manifest().storedBytes(),
                        DataKeyWrap.wrap(target.ownerKey(), enc.cid(), key), DataKeyWrap.wrap(target.escrow(), enc.cid(), key)));
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }

        @Override
        public void close() {
            gateway.close();
        }
    }

    private Result finish(Target t, Uploads uploads, Optional<RecordParser.Summary> summary, Progress progress) {
        List<Uploaded> files = uploads.files;
        if (files.isEmpty()) {
            throw new CloisterApiException("NO_RECORDS", "there are no records to collect");
        }
        long id;
        boolean created = t.existing().isEmpty();
        if (created) {
            IncludedTx r = client.sendAndWait(owner, new DataMarketCall.RegisterDataset(t.name(), t.schema().encode(), t.cluster()), TX_TIMEOUT);
            if (!r.ok()) {
                throw r.toException("datamarket.registerDataset");
            }
            id = client.dataset(owner.account(), t.name()).orElseThrow(() -> new CloisterApiException("UNKNOWN_DATASET",
                    "dataset '" + t.name() + "' was registered but the node does not show it")).id();
        } else {
            id = t.existing().get().id();
        }
        List<Call> calls = new ArrayList<>(2 * files.size());
        for (Uploaded f : files) {
            Hash digest = Hash.wrap(f.cid().digest());
            calls.add(new StorageCall.PlaceOrder(digest, f.stored(), t.options().replicas(), t.options().slots(),
                    t.options().pricePerReplicaSlot(), f.ownerWrapped()));
            calls.add(new DataMarketCall.AddBatch(id, digest, f.rows(), f.stored(), f.escrowWrapped()));
        }
        for (int from = 0; from < calls.size(); from += WINDOW) {
            List<Call> window = calls.subList(from, Math.min(calls.size(), from + WINDOW));
            List<IncludedTx> done = client.sendAllAndWait(owner, window, TX_TIMEOUT);
            for (int i = 0; i < done.size(); i++) {
                if (!done.get(i).ok()) {
                    int added = (from + i) / 2;
                    CloisterApiException e = done.get(i).toException(window.get(i).name());
                    throw new CloisterApiException(e.code(), e.getMessage() + "; " + added + " of " + files.size()
                            + " files were added to dataset " + id + " before it");
                }
            }
            progress.update(Stage.CHAIN, from + window.size(), calls.size());
        }
        List<File> out = new ArrayList<>(files.size());
        long rows = 0;
        for (Uploaded f : files) {
            out.add(new File(f.cid().toString(), f.rows(), f.stored()));
            rows += f.rows();
        }
        return new Result(id, t.name(), created, rows, out, t.schema().hash(), summary);
    }
}
