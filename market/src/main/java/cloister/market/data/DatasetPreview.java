package cloister.market.data;

import cloister.common.Hash;
import cloister.market.privacy.Epsilon;
import cloister.market.privacy.IntegerNoise;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Noisy summaries of a dataset, published with its listing so buyers can judge it before paying: how many records it
 * has, and per numeric column how many values are not empty and their mean after clamping to the column's bounds.
 * The owner's machine computes it from the owner's own records and the chain charges its ε to the dataset's budget
 * ({@code DataMarketCall.previewEpsilon}: a tenth of the listing's total).
 *
 * <p>Privacy: the unit is one record. The preview makes 1 + 2m releases for m numeric columns — the record count, and
 * per column a count (sensitivity 1) and a clamped sum on a grid of {@link #GRID} steps between the bounds
 * (sensitivity {@value #GRID} steps) — each with exact discrete Laplace noise at ε / (1 + 2m), so the whole preview is
 * ε-differentially private by basic composition. The mean is the noisy sum over the noisy count, clamped to the bounds
 * (post-processing spends nothing). Counts below zero are shown as zero. At most {@link #MAX_COLUMNS} numeric columns
 * are summarised (the first ones), so the encoding fits the chain's 4 KiB.
 *
 * <p>Encoding ("CLPV" v1, canonical codec): {@code "CLPV" ‖ u8 1 ‖ schema hash (32) ‖ u64 ε micros ‖ u64 records ‖
 * u8 n ‖ n × (string column ‖ u64 count ‖ u8 has mean ‖ [u64 mean as IEEE 754 bits])}. Decoding refuses anything that
 * does not re-encode to the same bytes.
 */
public record DatasetPreview(Hash schemaHash, long epsilonMicros, long records, List<ColumnSummary> columns) {
    private static final byte[] MAGIC = {'C', 'L', 'P', 'V'};
    public static final int VERSION = 1;
    /** Sum grid: a value counts (clamp(v) − lower) / (upper − lower) × GRID steps, rounded. */
    public static final int GRID = 1000;
    /** The largest encoding (the chain's limit for a listing's preview). */
    public static final int MAX_BYTES = 4096;
    /** The most numeric columns summarised: 48 × 84 bytes of the longest names fit in {@link #MAX_BYTES} with the header. */
    public static final int MAX_COLUMNS = 48;

    /** One numeric column: its noisy count of values, and its noisy clamped mean (empty when the noisy count is 0). */
    public record ColumnSummary(String column, long count, OptionalDouble mean) {
        public ColumnSummary {
            if (column == null || count < 0 || mean == null) {
                throw new IllegalArgumentException("a column summary has a name, a count of at least 0 and a mean or none");
            }
        }
    }

    public DatasetPreview {
        columns = List.copyOf(columns);
        if (epsilonMicros <= 0 || records < 0 || columns.size() > MAX_COLUMNS) {
            throw new IllegalArgumentException("a preview has a positive ε, no negative count, at most " + MAX_COLUMNS + " columns");
        }
    }

    /**
     * Summarises {@code rows} (schema column order) with noise from {@code noise} at total privacy loss {@code epsilon}.
     *
     * @throws IllegalArgumentException if ε is too small to split over the releases (less than one micro-ε each)
     */
    public static DatasetPreview compute(Schema schema, Iterable<Object[]> rows, Epsilon epsilon, IntegerNoise noise) {
        List<Integer> numeric = new ArrayList<>();
        for (int i = 0; i < schema.columns().size() && numeric.size() < MAX_COLUMNS; i++) {
            if (schema.columns().get(i).type().numeric()) {
                numeric.add(i);
            }
        }
        long each = epsilon.micros() / (1 + 2L * numeric.size());
        if (each < 1) {
            throw new IllegalArgumentException("ε " + epsilon + " is too small to split over " + (1 + 2 * numeric.size()) + " noisy releases");
        }
        Epsilon share = new Epsilon(each);
        long records = 0;
        long[] counts = new long[numeric.size()];
        long[] sums = new long[numeric.size()];
        for (Object[] row : rows) {
            records++;
            for (int j = 0; j < numeric.size(); j++) {
                Object v = row[numeric.get(j)];
                if (v != null) {
                    counts[j]++;
                    sums[j] += steps(schema.columns().get(numeric.get(j)), ((Number) v).doubleValue());
                }
            }
        }
        List<ColumnSummary> out = new ArrayList<>(numeric.size());
        for (int j = 0; j < numeric.size(); j++) {
            Column c = schema.columns().get(numeric.get(j));
            long count = Math.max(0, counts[j] + noise.noise(1, share));
            long sum = sums[j] + noise.noise(GRID, share);
            OptionalDouble mean = OptionalDouble.empty();
            if (count > 0) {
                double fraction = Math.max(0, Math.min(GRID, (double) sum / count)) / GRID;
                mean = OptionalDouble.of(c.upper() == c.lower() ? c.lower() : c.lower() + fraction * (c.upper() - c.lower()));
            }
            out.add(new ColumnSummary(c.name(), count, mean));
        }
        return new DatasetPreview(schema.hash(), epsilon.micros(), Math.max(0, records + noise.noise(1, share)), out);
    }

    /** A value's grid steps above the lower bound, after clamping: 0 … {@link #GRID}. */
    static long steps(Column c, double v) {
        if (c.upper() == c.lower()) {
            return 0;
        }
        return Math.round((c.clamp(v) - c.lower()) / (c.upper() - c.lower()) * GRID);
    }

    public Optional<ColumnSummary> column(String name) {
        return columns.stream().filter(c -> c.column().equals(name)).findFirst();
    }

    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(64 + 84 * columns.size()).fixed(MAGIC).u8(VERSION).hash(schemaHash).u64(epsilonMicros)
                .u64(records).u8(columns.size());
        for (ColumnSummary c : columns) {
            w.string(c.column()).u64(c.count()).bool(c.mean().isPresent());
            c.mean().ifPresent(m -> w.u64(Double.doubleToLongBits(m)));
        }
        return w.toByteArray();
    }

    /** @throws MalformedException if {@code bytes} are not a canonical preview of this version */
    public static DatasetPreview decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new MalformedException("a preview is at most " + MAX_BYTES + " bytes");
        }
        CanonicalReader r = new CanonicalReader(bytes);
        if (!Arrays.equals(r.fixed(4, "magic"), MAGIC)) {
            throw new MalformedException("not a dataset preview (the magic is not CLPV)");
        }
        int version = r.u8("version");
        if (version != VERSION) {
            throw new MalformedException("preview version " + version + " is not supported (only " + VERSION + ")");
        }
        Hash schema = r.hash("schema hash");
        long eps = r.u64("epsilon");
        long records = r.u64("records");
        int n = r.u8("columns");
        List<ColumnSummary> cols = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = r.string(63, "column");
            long count = r.u64("count");
            OptionalDouble mean = r.bool("has mean") ? OptionalDouble.of(Double.longBitsToDouble(r.u64("mean"))) : OptionalDouble.empty();
            if (mean.isPresent() && !Double.isFinite(mean.getAsDouble())) {
                throw new MalformedException("a preview mean is a finite number");
            }
            cols.add(new ColumnSummary(name, count, mean));
        }
        r.end("preview");
        DatasetPreview p;
        try {
            p = new DatasetPreview(schema, eps, records, cols);
        } catch (IllegalArgumentException e) {
            throw new MalformedException("invalid preview: " + e.getMessage());
        }
        if (!Arrays.equals(p.encode(), bytes)) {
            throw new MalformedException("preview bytes are not canonical");
        }
        return p;
    }
}
