package cloister.market.data;

import cloister.common.Hash;
import cloister.proto.MalformedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Objects;

/**
 * Reads concatenated {@link RecordBatch} encodings (what {@link RecordBatchWriter} emits) from a stream, one batch in
 * memory at a time, each validated before any of its rows is handed out.
 *
 * <p>Not thread-safe. The caller owns the stream.
 */
public final class RecordBatchReader {
    private final Schema schema;
    private final Hash schemaHash;
    private final InputStream in;
    private Iterator<Object[]> current;
    private long batches;
    private long rows;

    public RecordBatchReader(Schema expected, InputStream in) {
        this.schema = Objects.requireNonNull(expected, "expected");
        this.schemaHash = expected.hash();
        this.in = Objects.requireNonNull(in, "in");
    }

    /**
     * The next batch, or {@code null} at the end of the stream.
     *
     * @throws MalformedException if the bytes are not a batch of the expected schema, or the stream ends inside one
     */
    public RecordBatch nextBatch() throws IOException {
        byte[] header = in.readNBytes(RecordBatch.HEADER_BYTES);
        if (header.length == 0) {
            return null;
        }
        int body = RecordBatch.checkHeader(header, schemaHash);
        byte[] bytes = new byte[RecordBatch.HEADER_BYTES + body];
        System.arraycopy(header, 0, bytes, 0, header.length);
        int n = in.readNBytes(bytes, RecordBatch.HEADER_BYTES, body);
        if (n != body) {
            throw new MalformedException("truncated: batch " + (batches + 1) + " announces " + body + " body bytes, the stream ends after " + n);
        }
        RecordBatch batch = RecordBatch.decodeOwned(schema, schemaHash, bytes);
        batches++;
        rows += batch.rowCount();
        return batch;
    }

    /**
     * The next row across batches, or {@code null} at the end of the stream.
     *
     * @throws MalformedException as {@link #nextBatch()}
     */
    public Object[] nextRow() throws IOException {
        while (current == null || !current.hasNext()) {
            RecordBatch b = nextBatch();
            if (b == null) {
                return null;
            }
            current = b.iterator();
        }
        return current.next();
    }

    /** Batches read so far. */
    public long batches() {
        return batches;
    }

    /** Rows in the batches read so far. */
    public long rows() {
        return rows;
    }
}
