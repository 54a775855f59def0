package cloister.market.data;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;

/**
 * Cuts a stream of rows into {@link RecordBatch} encodings of at most {@code maxRows} rows and {@code maxBytes} bytes
 * each, handing every full batch to a sink: a dataset of any size is encoded in constant memory. The batches of one
 * stream concatenated are what {@link RecordBatchReader} reads back. Deterministic: the same rows with the same limits
 * give the same batches.
 *
 * <p>Not thread-safe. {@link #close()} (or {@link #flush()}) emits the last, partial batch.
 */
public final class RecordBatchWriter implements Closeable {
    /** 65,536 rows. */
    public static final int DEFAULT_MAX_ROWS = 1 << 16;
    /** 4 MiB: sixteen 256 KiB storage chunks. */
    public static final int DEFAULT_MAX_BYTES = 4 << 20;
    /** The smallest byte limit: it must hold any one row (64 columns of maximal text are 16,685 bytes). */
    public static final int MIN_MAX_BYTES = 64 << 10;

    /** Where encoded batches go. */
    @FunctionalInterface
    public interface BatchSink {
        void accept(byte[] batch) throws IOException;
    }

    private final BatchBuilder builder;
    private final int maxRows;
    private final int maxBytes;
    private final BatchSink sink;
    private long rows;
    private long batches;
    private long bytes;

    /** A writer with the default limits. */
    public RecordBatchWriter(Schema schema, BatchSink sink) {
        this(schema, DEFAULT_MAX_ROWS, DEFAULT_MAX_BYTES, sink);
    }

    /**
     * @param maxRows 1 to {@link RecordBatch#MAX_ROWS}
     * @param maxBytes {@link #MIN_MAX_BYTES} to {@link RecordBatch#MAX_BYTES}
     */
    public RecordBatchWriter(Schema schema, int maxRows, int maxBytes, BatchSink sink) {
        if (maxRows < 1 || maxRows > RecordBatch.MAX_ROWS) {
            throw new IllegalArgumentException("maxRows must be 1 to " + RecordBatch.MAX_ROWS);
        }
        if (maxBytes < MIN_MAX_BYTES || maxBytes > RecordBatch.MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be " + MIN_MAX_BYTES + " to " + RecordBatch.MAX_BYTES);
        }
        this.builder = new BatchBuilder(schema);
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Adds a row (schema column order: Long, Double, String or null), first emitting the current batch if the row
     * would not fit in it.
     *
     * @throws IllegalArgumentException if the row does not fit the schema (names the column, never the value); the
     *     writer is unchanged and can go on
     */
    public void add(Object[] row) throws IOException {
        if (builder.sizeWith(row) > maxBytes) {
            flush();
            builder.sizeWith(row); // again on the empty builder: it prepares the row's text bytes
        }
        builder.append(row);
        rows++;
        if (builder.rows() == maxRows) {
            flush();
        }
    }

    /** Emits the rows added since the last batch, if any, as a batch. */
    public void flush() throws IOException {
        if (builder.rows() == 0) {
            return;
        }
        byte[] batch = builder.encode();
        builder.clear();
        batches++;
        bytes += batch.length;
        sink.accept(batch);
    }

    /** Emits the last batch. */
    @Override
    public void close() throws IOException {
        flush();
    }

    /** Rows added. */
    public long rows() {
        return rows;
    }

    /** Batches emitted. */
    public long batches() {
        return batches;
    }

    /** Bytes emitted. */
    public long bytes() {
        return bytes;
    }
}
