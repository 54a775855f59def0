package cloister.market.analysis;

import cloister.crypto.AccountId;
import cloister.market.data.RecordBatch;
import java.util.List;

/**
 * One owner's decrypted records of a dataset. Each row has one value per schema column, in schema order: a
 * {@link Long} for an INT column ({@link Integer} is accepted), a {@link Double} for REAL (any {@link Number}; NaN
 * counts as NULL), a {@link String} for TEXT, or {@code null}. Several entries with the same owner are one owner for
 * every privacy rule. The engine reads the rows once, in order, during one analysis and keeps nothing: a
 * {@link RecordBatch} serves as well as a list, and better: the engine reads a batch (or {@link BatchRows}) column by
 * column from its bytes ({@link #ofBatches}).
 */
public record OwnerRows(AccountId owner, Iterable<Object[]> rows) {
    public OwnerRows {
        if (owner == null || rows == null) {
            throw new IllegalArgumentException("owner rows need an owner and a list of rows");
        }
    }

    /** An owner's decoded record batches, in order: the engine loads them column by column, with no object per value. */
    public static OwnerRows ofBatches(AccountId owner, List<RecordBatch> batches) {
        return new OwnerRows(owner, batches.size() == 1 ? batches.get(0) : new BatchRows(batches));
    }
}
