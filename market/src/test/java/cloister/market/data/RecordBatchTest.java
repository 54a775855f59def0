package cloister.market.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cloister.proto.MalformedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RecordBatchTest {
    private static final long SEED = 0xC1B5L;
    private static final Schema SCHEMA = Schema.parse("band:text,income:real[0,250000],age:int[0,120],region:text");
    private static final Schema OTHER = Schema.parse("band:text,income:real[0,250000],age:int[0,121],region:text");

    /** Random rows of {@link #SCHEMA} with extreme values and a given share of nulls. */
    private static List<Object[]> rows(Random rnd, int n, double nullShare) {
        String[] texts = {"", "a", "18-24", "Zürich", "東京", "😀😀", "x".repeat(Schema.MAX_TEXT_BYTES), "é".repeat(128), "a\nb,\"c\""};
        double[] reals = {0.0, -0.0, 1.5, -1e300, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 250000.0001};
        long[] ints = {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, 120, 121};
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] row = new Object[4];
            row[0] = rnd.nextDouble() < nullShare ? null : texts[rnd.nextInt(texts.length)];
            row[1] = rnd.nextDouble() < nullShare ? null : rnd.nextBoolean() ? reals[rnd.nextInt(reals.length)] : rnd.nextGaussian() * 1e5;
            row[2] = rnd.nextDouble() < nullShare ? null : rnd.nextBoolean() ? ints[rnd.nextInt(ints.length)] : rnd.nextLong();
            row[3] = rnd.nextDouble() < nullShare ? null : "region " + rnd.nextInt(20);
            out.add(row);
        }
        return out;
    }

    private static void assertRowsEqual(List<Object[]> expected, List<Object[]> actual) {
        assertEquals(expected.size(), actual.size(), "rows");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "row " + i);
        }
    }

    /** A schema with negative bounds encodes (the bounds' bits as 8 fixed bytes: for positive bounds, the same bytes as a u64). */
    @Test
    void schemasWithNegativeBoundsEncodeAndCarryBatches() {
        Schema s = Schema.parse("temp:real[-40,60],delta:int[-5,5]");
        assertEquals(s, Schema.decode(s.encode()));
        RecordBatch b = RecordBatch.of(s, List.<Object[]>of(new Object[] {-12.5, -3L}));
        assertArrayEquals(new Object[] {-12.5, -3L}, RecordBatch.decode(s, b.encoded()).rows().get(0));
        Schema positive = Schema.parse("x:real[0,1]");
        byte[] old = new cloister.proto.CanonicalWriter(32).u8(1).string("x").u8(positive.columns().get(0).type().ordinal())
                .u64(Double.doubleToLongBits(0.0)).u64(Double.doubleToLongBits(1.0)).toByteArray();
        assertArrayEquals(old, positive.encode());
    }

    /** The columnar reading (isNull + values) gives what the row iterator gives, for every null density. */
    @Test
    void columnsReadValueByValueMatchTheRows() {
        Random rnd = new Random(SEED + 1);
        for (double share : new double[] {0.0, 0.3, 1.0}) {
            for (int n : new int[] {1, 8, 9, 300}) {
                List<Object[]> rows = rows(rnd, n, share);
                RecordBatch b = RecordBatch.of(SCHEMA, rows);
                RecordBatch.Values[] values = new RecordBatch.Values[4];
                for (int c = 0; c < 4; c++) {
                    values[c] = b.values(c);
                }
                for (int r = 0; r < n; r++) {
                    Object[] row = rows.get(r);
                    for (int c = 0; c < 4; c++) {
                        assertEquals(row[c] == null, b.isNull(c, r), "row " + r + " column " + c);
                        if (row[c] == null) {
                            continue;
                        }
                        Object v = switch (c) {
                            case 0, 3 -> new String(values[c].nextUtf8(), java.nio.charset.StandardCharsets.UTF_8);
                            case 1 -> values[c].nextDouble();
                            default -> values[c].nextLong();
                        };
                        assertEquals(row[c], v, "row " + r + " column " + c);
                    }
                }
                assertThrows(java.util.NoSuchElementException.class, () -> values[0].nextUtf8());
                assertThrows(java.util.NoSuchElementException.class, () -> values[1].nextDouble());
                assertThrows(java.util.NoSuchElementException.class, () -> values[2].nextLong());
                assertThrows(IllegalStateException.class, () -> b.values(0).nextLong());
                assertThrows(IndexOutOfBoundsException.class, () -> b.isNull(0, n));
            }
        }
    }

    @Test
    void roundTripsRowsOfEveryKindAndEveryNullDensity() {
        Random rnd = new Random(SEED);
        double[] shares = {0.0, 0.01, 0.5, 1.0};
        for (double share : shares) {
            for (int n : new int[] {1, 7, 8, 9, 63, 64, 65, 1000}) {
                List<Object[]> rows = rows(rnd, n, share);
                RecordBatch b = RecordBatch.of(SCHEMA, rows);
                assertEquals(n, b.rowCount());
                assertRowsEqual(rows, b.rows());
                byte[] bytes = b.encoded();
                RecordBatch back = RecordBatch.decode(SCHEMA, bytes);
                assertRowsEqual(rows, back.rows());
                assertRowsEqual(rows, RecordBatch.decodeTaking(SCHEMA, bytes.clone()).rows());
                assertArrayEquals(bytes, RecordBatch.of(SCHEMA, back.rows()).encoded(), "re-encodes to the same bytes");
                assertEquals(bytes.length, back.encodedLength());
            }
        }
        // -0.0 keeps its sign, the bits are exact
        RecordBatch z = RecordBatch.of(SCHEMA, List.<Object[]>of(new Object[] {null, -0.0, null, null}));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) z.rows().get(0)[1]));
    }

    @Test
    void encodingIsDeterministic() throws IOException {
        List<Object[]> rows = rows(new Random(SEED + 1), 500, 0.1);
        List<Object[]> copy = new ArrayList<>();
        for (Object[] r : rows) {
            Object[] c = r.clone();
            for (int i = 0; i < c.length; i++) {
                if (c[i] instanceof String s) {
                    c[i] = new String(s.toCharArray()); // equal, not the same object
                }
            }
            copy.add(c);
        }
        byte[] a = RecordBatch.of(SCHEMA, rows).encoded();
        assertArrayEquals(a, RecordBatch.of(SCHEMA, copy).encoded());
        List<byte[]> fromWriter = new ArrayList<>();
        try (RecordBatchWriter w = new RecordBatchWriter(SCHEMA, fromWriter::add)) {
            for (Object[] r : copy) {
                w.add(r);
            }
        }
        assertEquals(1, fromWriter.size());
        assertArrayEquals(a, fromWriter.get(0), "the writer and RecordBatch.of give the same bytes");
    }

    /** The documented layout, written out by hand: a test vector for other implementations. */
    @Test
    void matchesTheDocumentedLayout() {
        Schema s = Schema.parse("a:int[0,10],r:real[0,1],t:text");
        List<Object[]> rows = List.of(new Object[] {5L, null, "hé"}, new Object[] {-2L, 0.5, null}, new Object[] {null, null, ""});
        ByteBuffer want = ByteBuffer.allocate(200);
        want.put("CLRB".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put(s.hash().bytes()).putInt(3);
        int bodyAt = want.position();
        want.putInt(0);
        want.put((byte) 1).put((byte) 0b100).putLong(5).putLong(-2);          // a: row 2 null
        want.put((byte) 1).put((byte) 0b101).putLong(Double.doubleToLongBits(0.5)); // r: rows 0 and 2 null
        want.put((byte) 1).put((byte) 0b010).putShort((short) 3).put("hé".getBytes(StandardCharsets.UTF_8)).putShort((short) 0);
        want.putInt(bodyAt, want.position() - RecordBatch.HEADER_BYTES);
        byte[] expected = Arrays.copyOf(want.array(), want.position());
        assertArrayEquals(expected, RecordBatch.of(s, rows).encoded());
        assertEquals(HexVector.VECTOR, cloister.common.Hex.encode(expected).substring(74));
        // no nulls: flag 0 and no bitmap
        byte[] dense = RecordBatch.of(s, List.<Object[]>of(new Object[] {1L, 0.0, "x"})).encoded();
        assertEquals(RecordBatch.HEADER_BYTES + (1 + 8) + (1 + 8) + (1 + 2 + 1), dense.length);
    }

    /** The body of the vector above after the 37 bytes of magic, version and schema hash (schema-independent part). */
    private static final class HexVector {
        static final String VECTOR = "00000003" + "00000025"
                + "01" + "04" + "0000000000000005" + "fffffffffffffffe"
                + "01" + "05" + "3fe0000000000000"
                + "01" + "02" + "0003" + "68c3a9" + "0000";
    }

    @Test
    void decodeRefusesWhatIsNotCanonical() {
        Schema s = Schema.parse("a:int[0,10],r:real[0,1],t:text");
        byte[] good = RecordBatch.of(s, List.of(new Object[] {5L, null, "hé"}, new Object[] {-2L, 0.5, null},
                new Object[] {null, null, ""})).encoded();
        int a = RecordBatch.HEADER_BYTES; // column a's flag; bitmap at a+1; values a+2 .. a+17
        int r = a + 18;                  // column r's flag; bitmap r+1; value r+2 .. r+9
        int t = r + 10;                  // column t's flag; bitmap t+1; text length t+2
        refuse(s, good, b -> b[0] = 'X', "magic");
        refuse(s, good, b -> b[4] = 2, "version");
        refuse(s, good, b -> b[5] ^= 1, "schema");
        refuse(s, good, b -> b[40] = 0, "row count"); // 3 → 0 rows (header says 0)
        refuse(s, good, b -> b[44]++, "body length");
        refuse(s, good, b -> b[a] = 2, "flag");
        refuse(s, good, b -> b[a] = 0, "flag 0 with a bitmap following");
        refuse(s, good, b -> b[a + 1] = 0, "bitmap marking no null");
        refuse(s, good, b -> b[a + 1] |= 0b1000, "padding bit");
        refuse(s, good, b -> { b[r + 2] = 0x7f; b[r + 3] = (byte) 0xf0; }, "infinite real");
        refuse(s, good, b -> b[t + 4] = (byte) 0xC3, "invalid UTF-8 text");
        refuse(s, good, b -> b[t + 2] = 1, "text length beyond the limit");
        assertThrows(MalformedException.class, () -> RecordBatch.decode(OTHER, RecordBatch.of(SCHEMA, rows(new Random(1), 3, 0)).encoded()));
        for (int len = 0; len < good.length; len++) {
            byte[] shorter = Arrays.copyOf(good, len);
            assertThrows(MalformedException.class, () -> RecordBatch.decode(s, shorter), "truncated to " + len);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(MalformedException.class, () -> RecordBatch.decode(s, longer), "trailing byte");
        longer[44]++; // body length matching the extra byte: still trailing inside the body
        assertThrows(MalformedException.class, () -> RecordBatch.decode(s, longer), "trailing byte in the body");
        // a text of 257 bytes
        Schema ts = Schema.parse("t:text");
        byte[] max = RecordBatch.of(ts, List.<Object[]>of(new Object[] {"x".repeat(256)})).encoded();
        byte[] over = Arrays.copyOf(max, max.length + 1);
        over[over.length - 1] = 'x';
        over[44]++;
        over[RecordBatch.HEADER_BYTES + 2] = 1; // length 0x0101
        assertThrows(MalformedException.class, () -> RecordBatch.decode(ts, over));
        assertTrue(RecordBatch.decode(s, good).rowCount() == 3);
    }

    private static void refuse(Schema s, byte[] good, Consumer<byte[]> mutation, String what) {
        byte[] b = good.clone();
        mutation.accept(b);
        MalformedException e = assertThrows(MalformedException.class, () -> RecordBatch.decode(s, b), what);
        assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    }

    /**
     * Random byte flips, truncations, insertions and deletions: every result decodes to a valid batch that re-encodes to
     * exactly those bytes, or is refused with a MalformedException — never another exception.
     */
    @Test
    void mutatedBytesDecodeCanonicallyOrAreRefused() {
        Random rnd = new Random(SEED + 2);
        List<byte[]> seeds = List.of(
                RecordBatch.of(SCHEMA, rows(rnd, 1, 0)).encoded(),
                RecordBatch.of(SCHEMA, rows(rnd, 9, 0.3)).encoded(),
                RecordBatch.of(SCHEMA, rows(rnd, 40, 0.05)).encoded(),
                RecordBatch.of(Schema.parse("a:int[0,1]"), List.<Object[]>of(new Object[] {1L}, new Object[] {null})).encoded());
        int accepted = 0;
        int refused = 0;
        for (int round = 0; round < 6000; round++) {
            byte[] seed = seeds.get(round % seeds.size());
            Schema schema = round % seeds.size() == 3 ? Schema.parse("a:int[0,1]") : SCHEMA;
            byte[] m = mutate(rnd, seed);
            try {
                RecordBatch b = RecordBatch.decode(schema, m);
                assertArrayEquals(m, b.encoded());
                List<Object[]> rows = b.rows();
                assertArrayEquals(m, RecordBatch.of(schema, rows).encoded(), "round " + round + ": accepted bytes are canonical");
                accepted++;
            } catch (MalformedException expected) {
                refused++;
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e, e);
            }
        }
        assertTrue(refused > 1000, "refused " + refused);
        assertTrue(accepted > 100, "accepted " + accepted + " (value bytes are free to change)");
    }

    private static byte[] mutate(Random rnd, byte[] seed) {
        byte[] m = seed.clone();
        int kind = rnd.nextInt(5);
        switch (kind) {
            case 0 -> { // flip 1 to 3 bits, anywhere
                for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) {
                    m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> m = Arrays.copyOf(m, rnd.nextInt(m.length)); // truncate
            case 2 -> { // insert a byte (and sometimes fix the body length)
                int at = rnd.nextInt(m.length + 1);
                byte[] n = new byte[m.length + 1];
                System.arraycopy(m, 0, n, 0, at);
                n[at] = (byte) rnd.nextInt(256);
                System.arraycopy(m, at, n, at + 1, m.length - at);
                m = n;
                if (rnd.nextBoolean() && at >= RecordBatch.HEADER_BYTES) {
                    ByteBuffer.wrap(m).putInt(41, m.length - RecordBatch.HEADER_BYTES);
                }
            }
            case 3 -> { // delete a byte after the header, fixing the body length
                int at = RecordBatch.HEADER_BYTES + rnd.nextInt(m.length - RecordBatch.HEADER_BYTES);
                byte[] n = new byte[m.length - 1];
                System.arraycopy(m, 0, n, 0, at);
                System.arraycopy(m, at + 1, n, at, m.length - at - 1);
                m = n;
                ByteBuffer.wrap(m).putInt(41, m.length - RecordBatch.HEADER_BYTES);
            }
            default -> { // a random byte in the body
                int at = RecordBatch.HEADER_BYTES + rnd.nextInt(m.length - RecordBatch.HEADER_BYTES);
                m[at] = (byte) rnd.nextInt(256);
            }
        }
        return m;
    }

    @Test
    void writerCutsBatchesByRowsAndBytesAndTheReaderStreamsThemBack() throws IOException {
        List<Object[]> rows = rows(new Random(SEED + 3), 20_000, 0.02);
        for (int[] limits : new int[][] {{1000, RecordBatchWriter.DEFAULT_MAX_BYTES}, {1_000_000, RecordBatchWriter.MIN_MAX_BYTES}, {3, 1 << 20}}) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            List<Integer> sizes = new ArrayList<>();
            RecordBatchWriter w = new RecordBatchWriter(SCHEMA, limits[0], limits[1], batch -> {
                sizes.add(batch.length);
                stream.write(batch);
            });
            for (Object[] r : rows) {
                w.add(r);
            }
            w.close();
            w.close(); // idempotent
            assertEquals(rows.size(), w.rows());
            assertEquals(sizes.size(), w.batches());
            assertEquals(stream.size(), w.bytes());
            for (int size : sizes) {
                assertTrue(size <= limits[1], "batch of " + size + " bytes over " + limits[1]);
            }
            if (limits[0] == 1000) {
                assertEquals(20, sizes.size());
            }
            if (limits[1] == RecordBatchWriter.MIN_MAX_BYTES) {
                assertTrue(sizes.size() > 10, "cut by bytes");
                // a batch is cut only when the next row would not fit
                for (int i = 0; i + 1 < sizes.size(); i++) {
                    assertTrue(sizes.get(i) > limits[1] - 300, "batch " + i + " of " + sizes.get(i)); // a row is at most ~290 bytes
                }
            }
            RecordBatchReader reader = new RecordBatchReader(SCHEMA, new ByteArrayInputStream(stream.toByteArray()));
            List<Object[]> back = new ArrayList<>();
            for (Object[] r = reader.nextRow(); r != null; r = reader.nextRow()) {
                back.add(r);
            }
            assertRowsEqual(rows, back);
            assertEquals(sizes.size(), reader.batches());
            assertEquals(rows.size(), reader.rows());
            assertNull(reader.nextBatch());
        }
    }

    @Test
    void readerRefusesTruncatedAndForeignStreams() throws IOException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (RecordBatchWriter w = new RecordBatchWriter(SCHEMA, 10, RecordBatchWriter.DEFAULT_MAX_BYTES, stream::write)) {
            for (Object[] r : rows(new Random(SEED + 4), 25, 0.1)) {
                w.add(r);
            }
        }
        byte[] all = stream.toByteArray();
        assertNull(new RecordBatchReader(SCHEMA, new ByteArrayInputStream(new byte[0])).nextBatch());
        for (int cut : new int[] {1, 20, RecordBatch.HEADER_BYTES, RecordBatch.HEADER_BYTES + 1, all.length - 1}) {
            RecordBatchReader r = new RecordBatchReader(SCHEMA, new ByteArrayInputStream(all, 0, cut));
            assertThrows(MalformedException.class, () -> {
                while (r.nextRow() != null) {
                    // drain
                }
            }, "cut at " + cut);
        }
        RecordBatchReader foreign = new RecordBatchReader(OTHER, new ByteArrayInputStream(all));
        assertThrows(MalformedException.class, foreign::nextBatch);
        byte[] huge = all.clone();
        ByteBuffer.wrap(huge).putInt(41, Integer.MAX_VALUE);
        assertThrows(MalformedException.class, () -> new RecordBatchReader(SCHEMA, new ByteArrayInputStream(huge)).nextBatch(),
                "a body length over the limit is refused before allocating");
    }

    @Test
    void writerRefusesRowsThatDoNotFitTheSchemaWithoutQuotingThemAndGoesOn() throws IOException {
        List<byte[]> out = new ArrayList<>();
        RecordBatchWriter w = new RecordBatchWriter(SCHEMA, out::add);
        String planted = "PLANT7x";
        Object[][] bad = {
            {planted},
            {planted, 1.0, 2L, "r", "extra"},
            {planted, 1.0, 2, "r"},                 // Integer, not Long
            {planted, 1f, 2L, "r"},                 // Float, not Double
            {1L, 1.0, 2L, planted},                 // Long in a text column
            {planted, Double.NaN, 2L, "r"},
            {planted, Double.NEGATIVE_INFINITY, 2L, "r"},
            {planted + "x".repeat(Schema.MAX_TEXT_BYTES), 1.0, 2L, "r"},
            {planted + "\ud800", 1.0, 2L, "r"},      // unpaired surrogate
            {planted + "\udc00\ud800", 1.0, 2L, "r"},
        };
        for (Object[] row : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.add(row), Arrays.toString(row));
            assertTrue(!e.getMessage().contains(planted), e.getMessage());
        }
        w.add(new Object[] {"ok", 1.0, 2L, null});
        w.close();
        assertEquals(1, out.size());
        assertRowsEqual(List.<Object[]>of(new Object[] {"ok", 1.0, 2L, null}), RecordBatch.decode(SCHEMA, out.get(0)).rows());
        assertThrows(IllegalArgumentException.class, () -> RecordBatch.of(SCHEMA, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RecordBatchWriter(SCHEMA, 0, RecordBatchWriter.DEFAULT_MAX_BYTES, b -> { }));
        assertThrows(IllegalArgumentException.class, () -> new RecordBatchWriter(SCHEMA, 10, 1000, b -> { }));
    }

    @Test
    void csvToBatchesAndBack() throws Exception {
        String csv = "region,age,income,band\n\"Provence-Alpes-Côte d'Azur\",34,52000.5,25-34\n\"Washington, D.C.\",,1e6,\n";
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        RecordParser.Summary s;
        try (RecordBatchWriter w = new RecordBatchWriter(SCHEMA, stream::write)) {
            s = RecordParser.parse(SCHEMA, RecordParser.Format.CSV, new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), null, w::add);
        }
        assertEquals(1, s.column("income").outOfBounds());
        RecordBatchReader r = new RecordBatchReader(SCHEMA, new ByteArrayInputStream(stream.toByteArray()));
        assertArrayEquals(new Object[] {"25-34", 52000.5, 34L, "Provence-Alpes-Côte d'Azur"}, r.nextRow());
        assertArrayEquals(new Object[] {null, 1e6, null, "Washington, D.C."}, r.nextRow());
        assertNull(r.nextRow());
    }
}
