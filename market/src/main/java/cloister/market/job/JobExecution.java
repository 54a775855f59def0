package cloister.market.job;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.market.analysis.AnalysisEngine;
import cloister.market.analysis.AnalysisOutcome;
import cloister.market.analysis.OwnerRows;
import cloister.market.analysis.PrivacyPolicy;
import cloister.market.data.RecordBatch;
import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.market.sql.GuardedQuery;
import cloister.market.sql.GuardedSql;
import cloister.market.sql.QueryCheck;
import cloister.proto.MalformedException;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.chunk.DataKeyWrap;
import cloister.storage.chunk.ManifestException;
import cloister.storage.cid.Cid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One W3A job as the enclave runs it, with no I/O of its own: check the SQL against the job's schema, open each
 * batch's escrowed data key with the escrow cluster's key, decrypt and verify the batch's blocks, decode the records,
 * run the {@link AnalysisEngine} under the job's privacy policy and release a {@link ReleasedResult}. The worker's
 * enclave and the job benchmark both run exactly this code.
 *
 * <p>Privacy policy: k and the rows-per-owner cap r come from the chain (the strictest of the datasets used); the
 * same r also bounds how many groups one owner's rows may reach, so one owner moves any released count by at most
 * r × r (one record per person: r = 1). Failure messages name files, datasets and reasons, never a value.
 */
public final class JobExecution {
    private JobExecution() {}

    /** What the chain's {@code JobAssigned} says about the job (public). */
    public record Spec(long job, String sql, byte[] schema, long epsilonMicros, int minGroupOwners, int maxRowsPerOwner) {
        public Spec {
            schema = schema.clone();
        }

        @Override
        public byte[] schema() {
            return schema.clone();
        }

        public PrivacyPolicy policy() {
            int r = Math.max(1, maxRowsPerOwner);
            int groups = (int) Math.min(r, PrivacyPolicy.MAX_CONTRIBUTION / r);
            return new PrivacyPolicy(Math.max(1, minGroupOwners), r, groups);
        }
    }

    /** One owner's decrypted batches. */
    public record OwnerBatches(AccountId owner, List<RecordBatch> batches) {
        public OwnerBatches {
            batches = List.copyOf(batches);
        }

        public long rows() {
            return batches.stream().mapToLong(RecordBatch::rowCount).sum();
        }
    }

    public sealed interface Outcome {}

    /** What {@link #check} found: a query ready to run, or a failure. */
    public sealed interface Checked {}

    /** The SQL is an accepted aggregate over the job's schema. */
    public record Ready(GuardedQuery query) implements Checked {}

    /** Released: the result to seal for the buyer. */
    public record Done(ReleasedResult result) implements Outcome {}

    /**
     * Not released. {@code dataRead}: whether any owner's records were read (then the ε stays spent on chain; if not,
     * the chain gives it back).
     */
    public record Failed(String code, String message, boolean dataRead) implements Outcome, Checked {}

    /** Thrown when a batch cannot be opened: missing or corrupt blocks, a key that does not open, a bad encoding. */
    public static final class DataException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        public DataException(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /**
     * Checks the job before any data is read: the schema decodes, the SQL is an accepted aggregate over it.
     *
     * @return the checked query, or the failure to report (with {@code dataRead = false})
     */
    public static Checked check(Spec spec) {
        Schema schema;
        try {
            schema = Schema.decode(spec.schema());
        } catch (MalformedException | IllegalArgumentException e) {
            return new Failed("BAD_SCHEMA", "the job's schema does not decode: " + e.getMessage(), false);
        }
        QueryCheck check = GuardedSql.check(spec.sql(), schema);
        return switch (check) {
            case QueryCheck.Accepted a -> new Ready(a.query());
            case QueryCheck.Refused r -> new Failed(r.reason().code(), r.message(), false);
        };
    }

    /** The raw CID a chain file digest names (Cloister files are raw-codec CIDs). */
    public static Cid cid(Hash file) {
        return Cid.of(Cid.RAW, file.bytes());
    }

    /**
     * Opens one batch: unwraps its data key with the escrow key, fetches, verifies and decrypts its blocks from
     * {@code source}, decodes the records.
     */
    public static RecordBatch openBatch(List<EcdhKey> escrowKeys, Hash file, byte[] escrowKey, Schema schema, ChunkedFile.BlockSource source)
            throws DataException {
        Cid cid = cid(file);
        byte[] dataKey = null;
        for (EcdhKey k : escrowKeys) {
            try {
                dataKey = DataKeyWrap.unwrap(k, cid, escrowKey);
                break;
            } catch (HpkeException | RuntimeException e) {
                // not this key
            }
        }
        if (dataKey == null) {
            throw new DataException("KEY_UNAVAILABLE", "the escrowed key of file " + cid + " does not open with this worker's escrow key");
        }
        byte[] plain;
        try {
            plain = ChunkedFile.decryptToBytes(cid, dataKey, source, RecordBatch.MAX_BYTES);
        } catch (ManifestException | IOException e) {
            throw new DataException("DATA_UNAVAILABLE", "file " + cid + ": " + e.getMessage());
        } finally {
            java.util.Arrays.fill(dataKey, (byte) 0);
        }
        try {
            return RecordBatch.decodeTaking(schema, plain); // the batch keeps the plaintext: no second copy on the heap
        } catch (MalformedException e) {
            java.util.Arrays.fill(plain, (byte) 0);
            throw new DataException("BAD_BATCH", "file " + cid + " is not a record batch of the dataset's schema: " + e.getMessage());
        }
    }

    /** Runs the checked query over the owners' batches (several datasets of one owner count as one owner). */
    public static Outcome run(Spec spec, GuardedQuery query, List<OwnerBatches> inputs, AnalysisEngine engine) {
        Map<AccountId, List<RecordBatch>> byOwner = new LinkedHashMap<>();
        long rows = 0;
        for (OwnerBatches o : inputs) {
            byOwner.computeIfAbsent(o.owner(), x -> new ArrayList<>()).addAll(o.batches());
            rows += o.rows();
        }
        List<OwnerRows> owners = new ArrayList<>();
        byOwner.forEach((owner, batches) -> owners.add(OwnerRows.ofBatches(owner, batches)));
        AnalysisOutcome outcome;
        try {
            outcome = engine.analyse(query, query.schema(), owners, spec.policy(), new Epsilon(spec.epsilonMicros()));
        } catch (IllegalStateException | IllegalArgumentException e) {
            return new Failed("ENGINE_ERROR", e.getMessage(), true);
        }
        return switch (outcome) {
            case AnalysisOutcome.Released r -> {
                try {
                    yield new Done(ReleasedResult.of(spec.job(), r.result(), byOwner.size(), rows));
                } catch (IllegalArgumentException e) {
                    yield new Failed("RESULT_TOO_LARGE", e.getMessage(), true);
                }
            }
            case AnalysisOutcome.Refused r -> new Failed(r.reason().code(), r.message(), true);
        };
    }
}
