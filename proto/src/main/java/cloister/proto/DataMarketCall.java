package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls of the {@code datamarket} runtime module (module tag 0x05, W3A): owners register datasets (public metadata
 * only: name, schema, row counts, storage files, and each file's data key wrapped to the escrow cluster's key), list
 * them, grant and revoke use, set a standing consent policy and delete them; buyers submit analysis jobs and owners
 * approve or decline them. Datasets and jobs are numbered 1, 2, 3… in the order the chain accepts them.
 *
 * <p>Purposes are a published list ({@link #PURPOSES}); a set of purposes is a bit mask over it.
 */
public sealed interface DataMarketCall extends Call {
    /** The purpose categories a job states and a grant accepts, by bit index. */
    List<String> PURPOSES = List.of("research", "product-analytics", "advertising", "public-health", "education", "market-research");
    int MAX_NAME = 64;
    int MAX_DESCRIPTION = 1024;
    int MAX_SCHEMA = 64 * 1024;
    int MAX_SQL = 4096;
    int MAX_WRAPPED_KEY = 256;
    /** The most datasets one job may use. */
    int MAX_JOB_DATASETS = 20_000;
    /** The buyer's X25519 public key the result is encrypted to. */
    int RESULT_KEY_LENGTH = 32;
    /** The grantee meaning "any buyer". */
    AccountId ANY_BUYER = AccountId.of(new byte[32]);
    /** The algorithm hash meaning "any aggregate query". */
    Hash ANY_AGGREGATE = Hash.ZERO;

    /** The domain prefix of {@link #schemaHash}. */
    String SCHEMA_HASH_DOMAIN = "cloister/w3a/schema/v1";

    /**
     * A dataset schema's hash: SHA-256({@value #SCHEMA_HASH_DOMAIN} ‖ the schema's canonical bytes). The one definition:
     * the chain groups datasets by it, a job names a schema by it, and every record batch's header carries it
     * ({@code market}'s {@code Schema.hash()} is this).
     */
    static Hash schemaHash(byte[] schema) {
        return cloister.crypto.Sha256.hash(SCHEMA_HASH_DOMAIN.getBytes(StandardCharsets.US_ASCII), schema);
    }

    /** The mask of one purpose word, or -1 if the word is not on the list. */
    static int purposeBit(String word) {
        int i = PURPOSES.indexOf(word);
        return i < 0 ? -1 : 1 << i;
    }

    /** The purpose words of {@code mask}, in list order. */
    static List<String> purposes(int mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < PURPOSES.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                out.add(PURPOSES.get(i));
            }
        }
        return out;
    }

    /** All purposes on the list. */
    int ALL_PURPOSES = (1 << PURPOSES.size()) - 1;

    /** Registers a dataset named {@code datasetName} (unique per owner) with {@code schema} (canonical schema bytes), escrowed to {@code cluster}'s key. */
    record RegisterDataset(String datasetName, byte[] schema, int cluster) implements DataMarketCall {
        public RegisterDataset {
            if (datasetName.getBytes(StandardCharsets.UTF_8).length > MAX_NAME || schema.length > MAX_SCHEMA) {
                throw new IllegalArgumentException("name at most " + MAX_NAME + " bytes, schema at most " + MAX_SCHEMA);
            }
            schema = schema.clone();
        }

        @Override
        public byte[] schema() {
            return schema.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RegisterDataset d && d.datasetName.equals(datasetName) && java.util.Arrays.equals(d.schema, schema) && d.cluster == cluster;
        }

        @Override
        public int hashCode() {
            return datasetName.hashCode() * 31 + java.util.Arrays.hashCode(schema) + cluster;
        }

        @Override
        public String name() {
            return "datamarket.registerDataset";
        }
    }

    /**
     * Adds a batch of records to an owned dataset: {@code file} is the digest of the storage file's manifest CID
     * (the file is ordered in the storage market separately), {@code rows} its record count, {@code escrowKey} the
     * file's data key HPKE-wrapped to the dataset's escrow cluster key (only enclaves of that cluster can open it).
     */
    record AddBatch(long dataset, Hash file, long rows, long size, byte[] escrowKey) implements DataMarketCall {
        public AddBatch {
            if (escrowKey.length > MAX_WRAPPED_KEY || rows < 0 || size < 0) {
                throw new IllegalArgumentException("wrapped key at most " + MAX_WRAPPED_KEY + " bytes, no negative counts");
            }
            escrowKey = escrowKey.clone();
        }

        @Override
        public byte[] escrowKey() {
            return escrowKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AddBatch b && b.dataset == dataset && b.file.equals(file) && b.rows == rows && b.size == size
                    && java.util.Arrays.equals(b.escrowKey, escrowKey);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(dataset, file, rows, size) * 31 + java.util.Arrays.hashCode(escrowKey);
        }

        @Override
        public String name() {
            return "datamarket.addBatch";
        }
    }

    /** The largest listing preview, in bytes. */
    int MAX_PREVIEW = 4096;
    /**
     * What a new preview costs: the chain adds {@code epsilonTotal / PREVIEW_EPSILON_DIVISOR} (a tenth of the listing's
     * total ε budget) to the dataset's ε spent when a listing carries a preview it did not carry before, and the
     * owner's machine computes the preview's noise with exactly that ε.
     */
    int PREVIEW_EPSILON_DIVISOR = 10;

    /** The ε (micro-ε) a new preview of a listing with total budget {@code epsilonTotal} spends. */
    static long previewEpsilon(long epsilonTotal) {
        return epsilonTotal / PREVIEW_EPSILON_DIVISOR;
    }

    /**
     * A dataset's market listing: price per use and per row (units), accepted purposes (mask), and its privacy policy:
     * every output group needs at least {@code minGroupOwners} distinct owners (k), the dataset's total ε budget and
     * the most one job may spend (micro-ε), and the most rows one owner contributes per group. {@code preview} is
     * empty, or at most {@link #MAX_PREVIEW} bytes of noisy column summaries the owner computed on their own machine
     * (format: {@code market}'s {@code DatasetPreview}, "CLPV"); a new one spends {@link #previewEpsilon} of the budget.
     */
    record Listing(String description, long pricePerUse, long pricePerRow, int purposes, int minGroupOwners, long epsilonTotal,
                   long epsilonCap, int maxRowsPerOwner, byte[] preview) {
        public Listing {
            if (description.getBytes(StandardCharsets.UTF_8).length > MAX_DESCRIPTION || pricePerUse < 0 || pricePerRow < 0
                    || epsilonTotal < 0 || epsilonCap < 0 || minGroupOwners < 0 || maxRowsPerOwner < 0 || preview.length > MAX_PREVIEW) {
                throw new IllegalArgumentException("description at most " + MAX_DESCRIPTION + " bytes, preview at most " + MAX_PREVIEW
                        + " bytes, no negative numbers");
            }
            preview = preview.clone();
        }

        /** A listing without a preview. */
        public Listing(String description, long pricePerUse, long pricePerRow, int purposes, int minGroupOwners, long epsilonTotal,
                       long epsilonCap, int maxRowsPerOwner) {
            this(description, pricePerUse, pricePerRow, purposes, minGroupOwners, epsilonTotal, epsilonCap, maxRowsPerOwner, new byte[0]);
        }

        @Override
        public byte[] preview() {
            return preview.clone();
        }

        /** This listing with {@code p} as its preview. */
        public Listing withPreview(byte[] p) {
            return new Listing(description, pricePerUse, pricePerRow, purposes, minGroupOwners, epsilonTotal, epsilonCap, maxRowsPerOwner, p);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Listing l && l.description.equals(description) && l.pricePerUse == pricePerUse && l.pricePerRow == pricePerRow
                    && l.purposes == purposes && l.minGroupOwners == minGroupOwners && l.epsilonTotal == epsilonTotal
                    && l.epsilonCap == epsilonCap && l.maxRowsPerOwner == maxRowsPerOwner && java.util.Arrays.equals(l.preview, preview);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(description, pricePerUse, pricePerRow, purposes, minGroupOwners, epsilonTotal, epsilonCap,
                    maxRowsPerOwner) * 31 + java.util.Arrays.hashCode(preview);
        }

        @Override
        public String toString() {
            return "Listing[" + description + ", " + pricePerUse + "+" + pricePerRow + "/row, purposes " + purposes + ", k " + minGroupOwners
                    + ", ε " + epsilonCap + "/" + epsilonTotal + ", rows/owner " + maxRowsPerOwner + ", preview " + preview.length + " bytes]";
        }

        void write(CanonicalWriter w) {
            w.string(description).u64(pricePerUse).u64(pricePerRow).u32(purposes).u32(minGroupOwners).u64(epsilonTotal).u64(epsilonCap)
                    .u32(maxRowsPerOwner).bytes(preview);
        }

        public static Listing read(CanonicalReader r) {
            return new Listing(r.string(MAX_DESCRIPTION, "description"), r.u64("price per use"), r.u64("price per row"), r.u32("purposes"),
                    r.u32("min group owners"), r.u64("epsilon total"), r.u64("epsilon cap"), r.u32("max rows per owner"),
                    r.bytes(MAX_PREVIEW, "preview"));
        }

        public byte[] encode() {
            CanonicalWriter w = new CanonicalWriter(128 + preview.length);
            write(w);
            return w.toByteArray();
        }
    }

    /** Lists (or updates the listing of) an owned dataset. */
    record SetListing(long dataset, Listing listing) implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.setListing";
        }
    }

    /** Takes an owned dataset off the market (grants and policy stay; jobs already consented still run). */
    record Unlist(long dataset) implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.unlist";
        }
    }

    /**
     * Grants use of an owned dataset to {@code buyer} ({@link #ANY_BUYER}: anyone) for the purposes in the mask, for
     * the algorithm {@code algorithm} (SHA-256 of the SQL text, or {@link #ANY_AGGREGATE}), at {@code price} per use,
     * until block {@code expiresAt} (0: never), for at most {@code maxUses} jobs (0: unlimited).
     */
    record Grant(long dataset, AccountId buyer, int purposes, Hash algorithm, long price, long expiresAt, int maxUses)
            implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.grant";
        }
    }

    /** Revokes grant number {@code grant} of an owned dataset: no job that has not started yet may use it. */
    record Revoke(long dataset, int grant) implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.revoke";
        }
    }

    /**
     * Sets an owned dataset's standing consent: any job for one of the purposes in the mask that pays at least
     * {@code minPrice} is consented without asking (jobs are aggregate-only by construction). A mask of 0 clears it.
     */
    record SetPolicy(long dataset, int purposes, long minPrice) implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.setPolicy";
        }
    }

    /**
     * Deletes an owned dataset: it leaves the market, every job not started loses it, its storage orders are
     * cancelled, and the escrow cluster's enclaves stop opening its keys and sign a deletion receipt.
     */
    record DeleteDataset(long dataset) implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.deleteDataset";
        }
    }

    /**
     * A buyer's analysis job: the {@code purpose} (bit index into {@link #PURPOSES}), the SQL text (public, so owners
     * can judge it), the datasets — given by number, or every listed dataset with schema hash {@code schema} that
     * accepts the purpose (then {@code datasets} is empty) — the ε to spend on each, the most the buyer pays
     * ({@code budget}, escrowed now; what is not paid is refunded), how many blocks owners have to decide, and the
     * X25519 public key the result is encrypted to.
     */
    record SubmitJob(int purpose, String sql, List<Long> datasets, Hash schema, long epsilon, long budget, int consentBlocks,
                     byte[] resultKey) implements DataMarketCall {
        public SubmitJob {
            datasets = List.copyOf(datasets);
            if (sql.getBytes(StandardCharsets.UTF_8).length > MAX_SQL || datasets.size() > MAX_JOB_DATASETS
                    || resultKey.length != RESULT_KEY_LENGTH || epsilon < 0 || budget < 0 || consentBlocks < 0) {
                throw new IllegalArgumentException("SQL at most " + MAX_SQL + " bytes, at most " + MAX_JOB_DATASETS
                        + " datasets, a 32-byte result key, no negative numbers");
            }
            resultKey = resultKey.clone();
        }

        @Override
        public byte[] resultKey() {
            return resultKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SubmitJob j && j.purpose == purpose && j.sql.equals(sql) && j.datasets.equals(datasets) && j.schema.equals(schema)
                    && j.epsilon == epsilon && j.budget == budget && j.consentBlocks == consentBlocks && java.util.Arrays.equals(j.resultKey, resultKey);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(purpose, sql, datasets, schema, epsilon, budget, consentBlocks) * 31 + java.util.Arrays.hashCode(resultKey);
        }

        @Override
        public String name() {
            return "datamarket.submitJob";
        }
    }

    /** The owner of {@code dataset} approves or declines its use by job {@code job}. */
    record Decide(long job, long dataset, boolean approve) implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.decide";
        }
    }

    /** The buyer withdraws a job that has not started: the budget is refunded. */
    record CancelJob(long job) implements DataMarketCall {
        @Override
        public String name() {
            return "datamarket.cancelJob";
        }
    }

    static void write(CanonicalWriter w, DataMarketCall call) {
        switch (call) {
            case RegisterDataset d -> w.u8(0x01).string(d.datasetName()).bytes(d.schema).u32(d.cluster());
            case AddBatch b -> w.u8(0x02).u64(b.dataset()).hash(b.file()).u64(b.rows()).u64(b.size()).bytes(b.escrowKey);
            case SetListing l -> {
                w.u8(0x03).u64(l.dataset());
                l.listing().write(w);
            }
            case Unlist u -> w.u8(0x04).u64(u.dataset());
            case Grant g -> w.u8(0x05).u64(g.dataset()).account(g.buyer()).u32(g.purposes()).hash(g.algorithm()).u64(g.price())
                    .u64(g.expiresAt()).u32(g.maxUses());
            case Revoke r -> w.u8(0x06).u64(r.dataset()).u32(r.grant());
            case SetPolicy p -> w.u8(0x07).u64(p.dataset()).u32(p.purposes()).u64(p.minPrice());
            case DeleteDataset d -> w.u8(0x08).u64(d.dataset());
            case SubmitJob j -> {
                w.u8(0x09).u8(j.purpose()).string(j.sql()).u32(j.datasets().size());
                j.datasets().forEach(w::u64);
                w.hash(j.schema()).u64(j.epsilon()).u64(j.budget()).u32(j.consentBlocks()).fixed(j.resultKey);
            }
            case Decide d -> w.u8(0x0A).u64(d.job()).u64(d.dataset()).bool(d.approve());
            case CancelJob c -> w.u8(0x0B).u64(c.job());
        }
    }

    static DataMarketCall read(CanonicalReader r, int function) {
        return switch (function) {
            case 0x01 -> new RegisterDataset(r.string(MAX_NAME, "name"), r.bytes(MAX_SCHEMA, "schema"), r.u32("cluster"));
            case 0x02 -> new AddBatch(r.u64("dataset"), r.hash("file"), r.u64("rows"), r.u64("size"), r.bytes(MAX_WRAPPED_KEY, "escrow key"));
            case 0x03 -> new SetListing(r.u64("dataset"), Listing.read(r));
            case 0x04 -> new Unlist(r.u64("dataset"));
            case 0x05 -> new Grant(r.u64("dataset"), r.account("buyer"), r.u32("purposes"), r.hash("algorithm"), r.u64("price"),
                    r.u64("expires at"), r.u32("max uses"));
            case 0x06 -> new Revoke(r.u64("dataset"), r.u32("grant"));
            case 0x07 -> new SetPolicy(r.u64("dataset"), r.u32("purposes"), r.u64("min price"));
            case 0x08 -> new DeleteDataset(r.u64("dataset"));
            case 0x09 -> {
                int purpose = r.u8("purpose");
                String sql = r.string(MAX_SQL, "sql");
                int n = r.u32("datasets");
                if (n > MAX_JOB_DATASETS) {
                    throw new MalformedException(n + " datasets, at most " + MAX_JOB_DATASETS);
                }
                List<Long> ds = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ds.add(r.u64("dataset"));
                }
                yield new SubmitJob(purpose, sql, ds, r.hash("schema"), r.u64("epsilon"), r.u64("budget"), r.u32("consent blocks"),
                        r.fixed(RESULT_KEY_LENGTH, "result key"));
            }
            case 0x0A -> new Decide(r.u64("job"), r.u64("dataset"), r.bool("approve"));
            case 0x0B -> new CancelJob(r.u64("job"));
            default -> throw new MalformedException("unknown datamarket call " + function);
        };
    }
}
