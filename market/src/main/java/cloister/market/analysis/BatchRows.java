package cloister.market.analysis;

import cloister.market.data.RecordBatch;
import java.util.Iterator;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Several record batches of one owner read as one sequence of rows, in order. The engine loads them column by column
 * from their bytes; iterating decodes the rows one at a time, like a single {@link RecordBatch}.
 */
public record BatchRows(List<RecordBatch> batches) implements Iterable<Object[]> {
    public BatchRows {
        batches = List.copyOf(batches);
    }

    @Override
    public Iterator<Object[]> iterator() {
        return batches.stream().flatMap(b -> StreamSupport.stream(b.spliterator(), false)).iterator();
    }
}
