package cloister.market.analysis;

import cloister.market.data.Column;
import cloister.market.data.ColumnType;
import cloister.market.data.RecordBatch;
import cloister.market.data.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.duckdb.DuckDBColumnType;
import org.duckdb.DuckDBDataChunkWriter;
import org.duckdb.DuckDBTableFunction;
import org.duckdb.DuckDBTableFunctionBindInfo;
import org.duckdb.DuckDBTableFunctionCallInfo;
import org.duckdb.DuckDBTableFunctionInitInfo;
import org.duckdb.DuckDBWritableVector;

/**
 * The owners' rows as a DuckDB table function, {@code (__owner INTEGER[, __row BIGINT], column…)}: DuckDB's threads
 * pull them a vector (up to 2048 rows) at a time, so rows reach the engine's SQL without a row-by-row Appender. A
 * {@link RecordBatch} (alone or in {@link BatchRows}) is read column by column straight from its validated bytes, with no
 * object per value; any other {@code Iterable<Object[]>} row by row, checked against the schema. Every numeric value is
 * clamped into its column's bounds on the way (NaN becomes NULL, −0.0 becomes 0.0): nothing downstream sees a raw value.
 *
 * <p>{@code __row} is the row's position in the input (the {@code OwnerRows} list, then each entry's rows), which the
 * contribution caps order by. When every entry's size is known up front (batches, collections) each unit of work knows
 * its first position and DuckDB may call the function from several threads; otherwise one thread reads the units in
 * order. The function remembers how many rows it read per unit and the first failure (a row that does not fit the
 * schema), which the engine rethrows as it was: DuckDB's own message is never shown.
 */
final class RowStream implements DuckDBTableFunction<Object, Object, RowStream.Cursor> {
    static final String NAME = "__rows";

    /** Part of one owner's input: a record batch, or rows ({@code size} −1 when not known before reading). */
    private record Unit(int owner, RecordBatch batch, Iterable<Object[]> rows, long size) {}

    private final Schema schema;
    private final List<Column> loaded;
    private final int[] index;
    private final boolean withRow;
    private final int threads;
    private final List<Unit> units = new ArrayList<>();
    private final long[] firstRow;
    private final boolean sized;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray read;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    /**
     * @param owners  each entry's owner index (into the engine's owner list) and rows
     * @param withRow whether to produce {@code __row}
     */
    RowStream(Schema schema, List<Column> loaded, List<Integer> ownerIndex, List<OwnerRows> owners, boolean withRow, int threads) {
        this.schema = schema;
        this.loaded = loaded;
        this.index = loaded.stream().mapToInt(c -> schema.indexOf(c.name())).toArray();
        this.withRow = withRow;
        for (int i = 0; i < owners.size(); i++) {
            int owner = ownerIndex.get(i);
            Iterable<Object[]> rows = owners.get(i).rows();
            if (rows instanceof RecordBatch b) {
                units.add(batchUnit(owner, b));
            } else if (rows instanceof BatchRows br) {
                for (RecordBatch b : br.batches()) {
                    units.add(batchUnit(owner, b));
                }
            } else {
                units.add(new Unit(owner, null, rows, rows instanceof Collection<?> c ? c.size() : -1));
            }
        }
        this.firstRow = new long[units.size()];
        boolean allSized = true;
        long at = 0;
        for (int u = 0; u < units.size(); u++) {
            firstRow[u] = at;
            long size = units.get(u).size();
            allSized &= size >= 0;
            at += Math.max(0, size);
        }
        this.sized = allSized;
        this.threads = allSized ? threads : 1;
        this.read = new AtomicLongArray(units.size());
    }

    private Unit batchUnit(int owner, RecordBatch b) {
        if (!b.schema().equals(schema)) {
            throw new IllegalArgumentException("a record batch of another schema (" + b.schema().hash().shortHex() + ")");
        }
        return new Unit(owner, b, null, b.rowCount());
    }

    /** Whether every unit's size was known before reading. */
    boolean sized() {
        return sized;
    }

    /** Rows per owner index (of {@code owners} owners): known sizes before reading, rows read after. */
    long[] rowsPerOwner(int owners) {
        long[] out = new long[owners];
        for (int u = 0; u < units.size(); u++) {
            Unit unit = units.get(u);
            out[unit.owner()] += sized ? unit.size() : read.get(u);
        }
        return out;
    }

    /** The first row that did not fit the schema, if reading stopped at one. */
    RuntimeException failure() {
        return failure.get();
    }

    @Override
    public Object bind(DuckDBTableFunctionBindInfo info) {
        info.addResultColumn("__owner", DuckDBColumnType.INTEGER);
        if (withRow) {
            info.addResultColumn("__row", DuckDBColumnType.BIGINT);
        }
        for (Column c : loaded) {
            info.addResultColumn(c.name(), switch (c.type()) {
                case INT -> DuckDBColumnType.BIGINT;
                case REAL -> DuckDBColumnType.DOUBLE;
                case TEXT -> DuckDBColumnType.VARCHAR;
            });
        }
        return null;
    }

    @Override
    public Object init(DuckDBTableFunctionInitInfo info) {
        info.setMaxThreads(threads);
        return null;
    }

    @Override
    public Cursor localInit(DuckDBTableFunctionInitInfo info) {
        return new Cursor();
    }

    @Override
    public long apply(DuckDBTableFunctionCallInfo info, DuckDBDataChunkWriter out) {
        try {
            Cursor c = info.getLocalInitData();
            return c.fill(out);
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            throw e;
        }
    }

    /** One DuckDB thread's place in the input: the unit it is reading and how far. */
    final class Cursor {
        private int unit = -1;
        private Unit current;
        private long position;
        private long rowId;
        private RecordBatch.Values[] values;
        private Iterator<Object[]> iterator;

        /** Fills one vector of rows; 0 when the input is exhausted. */
        long fill(DuckDBDataChunkWriter out) {
            int capacity = (int) out.capacity();
            int column0 = withRow ? 2 : 1;
            DuckDBWritableVector owners = out.vector(0);
            DuckDBWritableVector rows = withRow ? out.vector(1) : null;
            DuckDBWritableVector[] vectors = new DuckDBWritableVector[loaded.size()];
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = out.vector(column0 + i);
            }
            int n = 0;
            while (n < capacity) {
                if (current == null && !claim()) {
                    break;
                }
                int from = n;
                n = current.batch() != null ? fromBatch(vectors, n, capacity) : fromRows(vectors, n, capacity);
                for (int k = from; k < n; k++) {
                    owners.setInt(k, current.owner());
                    if (rows != null) {
                        rows.setLong(k, rowId++);
                    }
                }
                read.addAndGet(unit, n - from);
                if (current.batch() != null ? position == current.batch().rowCount() : !iterator.hasNext()) {
                    current = null;
                }
            }
            return n;
        }

        private boolean claim() {
            int u = next.getAndIncrement();
            if (u >= units.size()) {
                return false;
            }
            unit = u;
            current = units.get(u);
            position = 0;
            if (sized) {
                rowId = firstRow[u];
            } // else: one thread reads every unit in order and rowId runs on
            if (current.batch() != null) {
                values = new RecordBatch.Values[index.length];
                for (int i = 0; i < index.length; i++) {
                    values[i] = current.batch().values(index[i]);
                }
            } else {
                iterator = current.rows().iterator();
            }
            return true;
        }

        /** Rows of the current batch into vector rows {@code n…}; returns the new fill. */
        private int fromBatch(DuckDBWritableVector[] vectors, int n, int capacity) {
            RecordBatch b = current.batch();
            int start = (int) position;
            int take = (int) Math.min(capacity - n, b.rowCount() - position);
            for (int i = 0; i < index.length; i++) {
                Column c = loaded.get(i);
                DuckDBWritableVector v = vectors[i];
                RecordBatch.Values in = values[i];
                int col = index[i];
                switch (c.type()) {
                    case INT -> {
                        long lo = (long) c.lower();
                        long hi = (long) c.upper();
                        for (int k = 0; k < take; k++) {
                            if (b.isNull(col, start + k)) {
                                v.setNull(n + k);
                            } else {
                                v.setLong(n + k, Math.max(lo, Math.min(hi, in.nextLong())));
                            }
                        }
                    }
                    case REAL -> {
                        for (int k = 0; k < take; k++) {
                            if (b.isNull(col, start + k)) {
                                v.setNull(n + k);
                            } else {
                                v.setDouble(n + k, c.clamp(in.nextDouble()) + 0.0); // + 0.0: -0.0 and 0.0 are one group key
                            }
                        }
                    }
                    case TEXT -> {
                        byte[][] text = new byte[take][];
                        for (int k = 0; k < take; k++) {
                            if (!b.isNull(col, start + k)) {
                                text[k] = in.nextUtf8();
                            }
                        }
                        v.setStringUtf8Batch(n, text);
                    }
                }
            }
            position += take;
            return n + take;
        }

        /** Rows of the current row iterator into vector rows {@code n…}, each checked against the schema. */
        private int fromRows(DuckDBWritableVector[] vectors, int n, int capacity) {
            int width = schema.columns().size();
            byte[][][] text = new byte[index.length][][];
            int start = n;
            while (n < capacity && iterator.hasNext()) {
                Object[] r = iterator.next();
                if (r == null || r.length != width) {
                    throw new IllegalArgumentException("a row has " + (r == null ? "no" : r.length) + " values; the schema has "
                            + width + " columns");
                }
                for (int i = 0; i < index.length; i++) {
                    Column c = loaded.get(i);
                    Object x = r[index[i]];
                    if (c.type() == ColumnType.TEXT) {
                        if (text[i] == null) {
                            text[i] = new byte[capacity - start][];
                        }
                        text[i][n - start] = x == null ? null : utf8(c, x);
                    } else {
                        set(vectors[i], n, c, x);
                    }
                }
                n++;
                position++;
            }
            for (int i = 0; i < index.length; i++) {
                if (text[i] != null) {
                    vectors[i].setStringUtf8Batch(start, Arrays.copyOf(text[i], n - start));
                }
            }
            return n;
        }
    }

    private static byte[] utf8(Column c, Object v) {
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("column " + c.name() + " is text: expected a String, got a " + v.getClass().getSimpleName());
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One numeric value of a row, checked and clamped. */
    private static void set(DuckDBWritableVector vector, int k, Column c, Object v) {
        if (v == null) {
            vector.setNull(k);
            return;
        }
        switch (c.type()) {
            case INT -> {
                if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
                    throw new IllegalArgumentException("column " + c.name() + " is int: expected a Long, got a " + v.getClass().getSimpleName());
                }
                long x = ((Number) v).longValue();
                vector.setLong(k, Math.max((long) c.lower(), Math.min((long) c.upper(), x)));
            }
            case REAL -> {
                if (!(v instanceof Number num)) {
                    throw new IllegalArgumentException("column " + c.name() + " is real: expected a Double, got a " + v.getClass().getSimpleName());
                }
                double x = num.doubleValue();
                if (Double.isNaN(x)) {
                    vector.setNull(k);
                } else {
                    vector.setDouble(k, c.clamp(x) + 0.0);
                }
            }
            case TEXT -> throw new IllegalStateException("text is set in batches");
        }
    }
}
