package cloister.market.analysis;

import cloister.crypto.AccountId;

/**
 * One owner's decrypted records of a dataset. Each row has one value per schema column, in schema order: a
 * {@link Long} for an INT column ({@link Integer} is accepted), a {@link Double} for REAL (any {@link Number}; NaN
 * counts as NULL), a {@link String} for TEXT, or {@code null}. Several entries with the same owner are one owner for
 * every privacy rule. The engine reads the rows once, in order, during one analysis and keeps nothing: a
 * {@link cloister.market.data.RecordBatch} (decoded row by row) serves as well as a list.
 */
public record OwnerRows(AccountId owner, Iterable<Object[]> rows) {
    public OwnerRows {
        if (owner == null || rows == null) {
            throw new IllegalArgumentException("owner rows need an owner and a list of rows");
        }
    }
}
