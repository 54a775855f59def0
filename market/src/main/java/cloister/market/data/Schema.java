package cloister.market.data;

import cloister.common.Hash;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A dataset's declared schema: its columns in order. Public (it is on chain with the dataset's metadata); two
 * datasets with the same {@link #hash()} can be analysed together.
 *
 * <p>Spec syntax, as typed on the command line: {@code name:type[lower,upper],…}, e.g.
 * {@code age_band:text,income:real[0,250000],age:int[0,120]}. Names are lower-case ASCII identifiers of at most 63
 * characters that are not SQL keywords and do not start with an underscore (the engine's own columns do).
 */
public record Schema(List<Column> columns) {
    public static final int MAX_COLUMNS = 64;
    public static final int MAX_TEXT_BYTES = 256;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    /** Words a column may not be named (they would make the SQL ambiguous). */
    public static final Set<String> RESERVED = Set.of("select", "from", "where", "group", "by", "order", "having", "limit",
            "and", "or", "not", "as", "count", "sum", "avg", "min", "max", "quantile", "median", "distinct", "null", "true",
            "false", "is", "in", "like", "between", "case", "when", "then", "else", "end", "join", "on", "union", "all",
            "asc", "desc", "with", "table", "values", "cast", "offset", "owner");

    public Schema {
        columns = List.copyOf(columns);
        if (columns.isEmpty() || columns.size() > MAX_COLUMNS) {
            throw new IllegalArgumentException("a schema has 1 to " + MAX_COLUMNS + " columns");
        }
        Set<String> seen = new HashSet<>();
        for (Column c : columns) {
            checkName(c.name());
            if (!seen.add(c.name())) {
                throw new IllegalArgumentException("column " + c.name() + " is declared twice");
            }
        }
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a column name: use lower-case letters, digits and _, starting with a letter, at most 63");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is a reserved word and cannot name a column");
        }
    }

    /**
     * Parses a spec such as {@code age_band:text,income:real[0,250000]}.
     *
     * @throws IllegalArgumentException with a message naming what is wrong
     */
    public static Schema parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty schema: give columns as name:type, e.g. age_band:text,income:real[0,250000]");
        }
        List<Column> cols = new ArrayList<>();
        for (String part : splitTopLevel(spec.trim())) {
            String p = part.trim();
            int colon = p.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + p + "': a column is name:type (int[lo,hi], real[lo,hi] or text)");
            }
            String name = p.substring(0, colon).trim();
            String rest = p.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            int bracket = rest.indexOf('[');
            String typeWord = bracket < 0 ? rest : rest.substring(0, bracket).trim();
            ColumnType type = ColumnType.ofWord(typeWord);
            if (type == null) {
                throw new IllegalArgumentException("column " + name + ": unknown type '" + typeWord + "' (int, real or text)");
            }
            checkName(name);
            if (type == ColumnType.TEXT) {
                if (bracket >= 0) {
                    throw new IllegalArgumentException("column " + name + ": a text column has no bounds");
                }
                cols.add(Column.text(name));
                continue;
            }
            if (bracket < 0 || !rest.endsWith("]")) {
                throw new IllegalArgumentException("column " + name + ": a numeric column declares its clamping bounds, e.g. "
                        + name + ":" + type.word() + "[0,100]");
            }
            String[] b = rest.substring(bracket + 1, rest.length() - 1).split(",", -1);
            if (b.length != 2) {
                throw new IllegalArgumentException("column " + name + ": bounds are [lower,upper]");
            }
            double lo;
            double hi;
            try {
                lo = Double.parseDouble(b[0].trim());
                hi = Double.parseDouble(b[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("column " + name + ": bounds must be numbers");
            }
            cols.add(new Column(name, type, lo, hi));
        }
        return new Schema(cols);
    }

    private static List<String> splitTopLevel(String spec) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < spec.length(); i++) {
            char ch = spec.charAt(i);
            if (ch == '[') {
                depth++;
            } else if (ch == ']') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                parts.add(spec.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(spec.substring(start));
        return parts;
    }

    /** The spec form; {@code parse(spec()).equals(this)}. */
    public String spec() {
        StringBuilder sb = new StringBuilder();
        for (Column c : columns) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(c.spec());
        }
        return sb.toString();
    }

    public Optional<Column> column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Canonical bytes (hashed, and carried on chain). */
    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(16 + 32 * columns.size()).u8(columns.size());
        for (Column c : columns) {
            // The bounds' IEEE 754 bits, 8 bytes big-endian each: as fixed bytes, since a negative bound's bits are not a u64.
            w.string(c.name()).u8(c.type().ordinal()).fixed(bits(c.lower())).fixed(bits(c.upper()));
        }
        return w.toByteArray();
    }

    private static byte[] bits(double v) {
        return java.nio.ByteBuffer.allocate(8).putLong(Double.doubleToLongBits(v)).array();
    }

    /** @throws MalformedException if the bytes are not a valid encoded schema */
    public static Schema decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int n = r.u8("columns");
        List<Column> cols = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                String name = r.string(63, "column name");
                int t = r.u8("column type");
                if (t >= ColumnType.values().length) {
                    throw new MalformedException("unknown column type " + t);
                }
                double lo = Double.longBitsToDouble(java.nio.ByteBuffer.wrap(r.fixed(8, "lower")).getLong());
                double hi = Double.longBitsToDouble(java.nio.ByteBuffer.wrap(r.fixed(8, "upper")).getLong());
                cols.add(new Column(name, ColumnType.values()[t], lo, hi));
            }
            r.end("schema");
            Schema s = new Schema(cols);
            if (!java.util.Arrays.equals(s.encode(), bytes)) {
                throw new MalformedException("schema bytes are not canonical");
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new MalformedException("invalid schema: " + e.getMessage());
        }
    }

    /**
     * SHA-256 of {@code "cloister/w3a/schema/v1"} ‖ the canonical bytes ({@link cloister.proto.DataMarketCall#schemaHash}, the
     * same hash the chain records): datasets with equal hashes share a schema.
     */
    public Hash hash() {
        return cloister.proto.DataMarketCall.schemaHash(encode());
    }

    /** A bound as written in specs: integers without a fraction, others in plain decimal. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return spec();
    }
}
