package cloister.market.job;

import cloister.common.Hash;
import cloister.market.analysis.AnalysisResult;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a W3A job releases to its buyer, and nothing more: the result's columns and noisy rows, how many groups were
 * suppressed for having fewer than k owners, the ε spent, and the public counts the chain also records (owners whose
 * data the job read, rows loaded). The exact list of owners who matched the query never leaves the enclave.
 *
 * <p>Encoding ("CLJR" v1, canonical codec): {@code "CLJR" ‖ u8 1 ‖ u64 job ‖ u32 n ‖ n × string column ‖ u32 m ‖ m × n
 * × value ‖ u32 suppressed ‖ u64 ε micros ‖ u32 owners ‖ u64 rows}; a value is {@code u8 0} (NULL), {@code u8 1 ‖ i64}
 * (integer), {@code u8 2 ‖ f64 bits} (real) or {@code u8 3 ‖ string}. The buyer receives it sealed ({@link ResultSeal}).
 */
public record ReleasedResult(long job, List<String> columns, List<List<Object>> rows, int suppressedGroups, long epsilonMicros,
                             int owners, long rowsRead) {
    private static final byte[] MAGIC = {'C', 'L', 'J', 'R'};
    public static final int VERSION = 1;
    /** A released result fits a chain message: 64 KiB sealed, so a little less in the clear. */
    public static final int MAX_BYTES = 64 * 1024 - 256;

    public ReleasedResult {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> r : rows) {
            if (r.size() != columns.size()) {
                throw new IllegalArgumentException("a row has " + r.size() + " values for " + columns.size() + " columns");
            }
            for (Object v : r) {
                if (v != null && !(v instanceof Long) && !(v instanceof Double) && !(v instanceof String)) {
                    throw new IllegalArgumentException("a released value is a Long, Double, String or null, not " + v.getClass().getSimpleName());
                }
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(r)));
        }
        rows = Collections.unmodifiableList(copy);
        if (suppressedGroups < 0 || epsilonMicros < 0 || owners < 0 || rowsRead < 0) {
            throw new IllegalArgumentException("no negative counts");
        }
    }

    /** The release of an engine result (its contributor list stays behind). */
    public static ReleasedResult of(long job, AnalysisResult r, int owners, long rowsRead) {
        List<List<Object>> rows = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            List<Object> out = new ArrayList<>(row.size());
            for (Object v : row) {
                out.add(v instanceof Integer i ? Long.valueOf(i) : v instanceof Float f ? Double.valueOf(f) : v);
            }
            rows.add(out);
        }
        return new ReleasedResult(job, r.columns(), rows, r.suppressedGroups(), r.epsilonSpent().micros(), owners, rowsRead);
    }

    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(256).fixed(MAGIC).u8(VERSION).u64(job).u32(columns.size());
        columns.forEach(w::string);
        w.u32(rows.size());
        for (List<Object> r : rows) {
            for (Object v : r) {
                switch (v) {
                    case null -> w.u8(0);
                    case Long l -> w.u8(1).fixed(ByteBuffer.allocate(8).putLong(l).array());
                    case Double d -> w.u8(2).fixed(ByteBuffer.allocate(8).putLong(Double.doubleToRawLongBits(d)).array());
                    case String s -> w.u8(3).string(s);
                    default -> throw new IllegalStateException("checked in the constructor");
                }
            }
        }
        byte[] out = w.u32(suppressedGroups).u64(epsilonMicros).u32(owners).u64(rowsRead).toByteArray();
        if (out.length > MAX_BYTES) {
            throw new IllegalArgumentException("the result is " + out.length + " bytes; at most " + MAX_BYTES + " are released per job");
        }
        return out;
    }

    /** @throws MalformedException if {@code bytes} are not a result of this version */
    public static ReleasedResult decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        if (!java.util.Arrays.equals(r.fixed(4, "magic"), MAGIC)) {
            throw new MalformedException("not a released result (magic)");
        }
        int version = r.u8("version");
        if (version != VERSION) {
            throw new MalformedException("released result version " + version + "; this client reads " + VERSION);
        }
        long job = r.u64("job");
        int n = r.u32("columns");
        if (n > 64) {
            throw new MalformedException(n + " columns");
        }
        List<String> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            columns.add(r.string(1024, "column"));
        }
        int m = r.u32("rows");
        if (m > MAX_BYTES) {
            throw new MalformedException(m + " rows");
        }
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            List<Object> row = new ArrayList<>(n);
            for (int c = 0; c < n; c++) {
                int tag = r.u8("value tag");
                row.add(switch (tag) {
                    case 0 -> null;
                    case 1 -> ByteBuffer.wrap(r.fixed(8, "integer")).getLong();
                    case 2 -> Double.longBitsToDouble(ByteBuffer.wrap(r.fixed(8, "real")).getLong());
                    case 3 -> r.string(1024, "text");
                    default -> throw new MalformedException("value tag " + tag);
                });
            }
            rows.add(row);
        }
        int suppressed = r.u32("suppressed");
        long eps = r.u64("epsilon");
        int owners = r.u32("owners");
        long rowsRead = r.u64("rows read");
        r.end("released result");
        try {
            return new ReleasedResult(job, columns, rows, suppressed, eps, owners, rowsRead);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
    }

    /** SHA-256 of the encoding. */
    public Hash hash() {
        return cloister.crypto.Sha256.hash(encode());
    }

    /** A plain-text table: header, then one line per released group. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.join(" | ", columns)).append('\n');
        for (List<Object> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                Object v = r.get(i);
                sb.append(i == 0 ? "" : " | ").append(v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.2f", d) : String.valueOf(v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
