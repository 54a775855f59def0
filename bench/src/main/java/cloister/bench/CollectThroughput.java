package cloister.bench;

import cloister.market.data.InvalidRecordException;
import cloister.market.data.RecordBatchWriter;
import cloister.market.data.RecordParser;
import cloister.market.data.Schema;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.cid.Cid;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * W3A collection on one thread: a survey CSV is parsed into typed rows of its schema, encoded as record batches (at most
 * {@link RecordBatchWriter#DEFAULT_MAX_BYTES} each) and every batch encrypted as a storage file (256 KiB chunks,
 * AES-256-GCM, CIDs) under the dataset's data key into an in-memory block map — what a data owner's machine does before
 * uploading. Each stage is also timed on its own. Reference, same run, same thread: single-pass AES-256-GCM + SHA-256
 * over the same encoded bytes in memory ({@link Rates#aesGcmSha256}), the least work that storing them encrypted can do.
 */
final class CollectThroughput {
    private static final String NAME = "collect";
    static final String SURVEY = "age_band:text,income:real[0,250000],age:int[0,120],region:text";
    private static final String MEDIA_TYPE = "application/vnd.cloister.record-batch";
    /** The reference and the encrypt-only stage run over (at most) this much of the encoded batches, kept in memory. */
    private static final int KEPT = 64 << 20;
    private static final long MIN_NANOS = 500_000_000L;
    /** The encode-only stage runs over (at most) this many rows, kept in memory. */
    private static final int KEPT_ROWS = 1 << 18;
    private static final String[] REGIONS = {"North East", "South West", "Scotland", "Wales", "Île-de-France",
        "Provence-Alpes-Côte d'Azur", "Auvergne-Rhône-Alpes", "Baden-Württemberg", "Bavaria", "Catalonia", "Lombardy",
        "Ontario", "Québec", "New South Wales", "Tōkyō", "Washington, D.C."};

    private CollectThroughput() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(NAME, args, Set.of("--records", "--rounds"), Set.of());
        if (o.help()) {
            System.out.println("Usage: ./cloister bench collect [--records N (1,000,000)] [--rounds N (3)]");
            System.out.println();
            System.out.println("Writes a survey CSV of --records records (" + SURVEY + ";");
            System.out.println("some nulls, some incomes above the bound, quoted and non-ASCII regions) to a temp dir (not timed), then, on");
            System.out.println("1 thread, after an untimed warm-up round, best of --rounds: parse it into typed rows; parse + encode record batches; parse + encode +");
            System.out.println("encrypt every batch as a storage file into an in-memory block map; and encoding and encryption alone.");
            System.out.println("Reference, same run: single-pass AES-256-GCM + SHA-256 over the same encoded bytes in memory, 1 thread.");
            return;
        }
        int records = o.integer("--records", 1_000_000, 1, 50_000_000);
        int rounds = o.integer("--rounds", 3, 1, 20);
        Bench.run(NAME, () -> run(records, rounds));
    }

    /** Rows, bytes and nanoseconds of one timed run. */
    private record Run(long rows, long encodedBytes, long batches, long blocks, long nanos, RecordParser.Summary summary) {}

    private static void run(int records, int rounds) throws Exception {
        Bench.header("W3A collect: CSV → typed rows → record batches → encrypted storage chunks");
        Schema schema = Schema.parse(SURVEY);
        Path dir = Bench.tempDir(NAME);
        try {
            Path csv = dir.resolve("survey.csv");
            System.out.printf(Locale.ROOT, "writing %,d survey records to %s (not timed) ...%n", records, csv);
            generate(csv, records);
            long csvBytes = Files.size(csv);
            System.out.printf(Locale.ROOT, "  %,d bytes of CSV%n", csvBytes);

            // Untimed: the first KEPT bytes of encoded batches (for the reference and encrypt alone) and the first
            // KEPT_ROWS rows (for encode alone).
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            List<byte[]> keptBatches = new ArrayList<>();
            pipeline(schema, csv, batch -> {
                if (kept.size() + batch.length <= KEPT) {
                    kept.writeBytes(batch);
                    keptBatches.add(batch);
                }
            });
            byte[] keptBytes = kept.toByteArray();
            List<Object[]> keptRows = new ArrayList<>();
            try (InputStream in = Files.newInputStream(csv)) {
                RecordParser p = RecordParser.open(schema, RecordParser.Format.CSV, in, null);
                for (Object[] row = p.next(); row != null && keptRows.size() < KEPT_ROWS; row = p.next()) {
                    keptRows.add(row);
                }
            }
            byte[] dataKey = new byte[32];
            new SecureRandom().nextBytes(dataKey);
            // Untimed first: the JDK's AES-GCM is fast only once C2 has compiled it (after seconds of encryption, more than
            // a short file gives), so the reference runs once before anything is timed; then one round of every stage.
            System.out.println("warming up (untimed) ...");
            Rates.aesGcmSha256(keptBytes);
            timed(schema, csv, Stage.PARSE, dataKey);
            timed(schema, csv, Stage.ENCODE, dataKey);
            timed(schema, csv, Stage.ENCRYPT, dataKey);
            encryptAlone(keptBatches, keptBytes.length, dataKey);
            encodeAlone(schema, keptRows);

            Run parse = null;
            Run encode = null;
            Run full = null;
            double encodeOnly = 0;
            double encryptOnly = 0;
            double reference = 0;
            for (int round = 1; round <= rounds; round++) {
                Run p = timed(schema, csv, Stage.PARSE, dataKey);
                Run e = timed(schema, csv, Stage.ENCODE, dataKey);
                Run f = timed(schema, csv, Stage.ENCRYPT, dataKey);
                double x = encryptAlone(keptBatches, keptBytes.length, dataKey);
                double en = encodeAlone(schema, keptRows);
                encodeOnly = Math.max(encodeOnly, en);
                double ref = Rates.aesGcmSha256(keptBytes);
                reference = Math.max(reference, ref);
                System.out.printf(Locale.ROOT, "  round %d: parse %,.0f records/s; + encode %,.0f records/s; + encrypt %,.0f records/s (%,.0f MB/s encoded); encode alone %,.0f records/s; encrypt alone %,.0f MB/s; reference %,.0f MB/s%n",
                        round, p.rows() / (p.nanos() / 1e9), e.rows() / (e.nanos() / 1e9), f.rows() / (f.nanos() / 1e9),
                        f.encodedBytes() / 1e6 / (f.nanos() / 1e9), en, x, ref);
                parse = best(parse, p);
                encode = best(encode, e);
                full = best(full, f);
                encryptOnly = Math.max(encryptOnly, x);
            }
            double fullEncodedMBps = full.encodedBytes() / 1e6 / (full.nanos() / 1e9);
            long encodedPerPass = full.encodedBytes() / (full.rows() / records);
            RecordParser.Summary s = full.summary();
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            Bench.row("records", Bench.f("%,d (%s) → %,d bytes of CSV → %,d bytes in %,d record batches (%.2f × the CSV) → %,d storage blocks",
                    records, SURVEY, csvBytes, encodedPerPass, full.batches(), encodedPerPass / (double) csvBytes, full.blocks()));
            Bench.row("parse summary", Bench.f("nulls: income %,d, age %,d; outside the clamping bounds (kept): income %,d, age %,d",
                    s.column("income").nulls(), s.column("age").nulls(), s.column("income").outOfBounds(), s.column("age").outOfBounds()));
            Bench.row("parse CSV → typed rows, 1 thread", rate(parse, records, csvBytes, rounds));
            Bench.row("parse + encode record batches, 1 thread", rate(encode, records, csvBytes, rounds));
            Bench.row("parse + encode + encrypt (a storage file per batch, blocks kept in a map), 1 thread",
                    rate(full, records, csvBytes, rounds) + Bench.f("; %,.0f MB/s of encoded batches", fullEncodedMBps));
            double encodedPerRecord = encodedPerPass / (double) records;
            double parseNs = nanosPerRecord(parse);
            double encodeNs = 1e9 / encodeOnly;
            double encryptNs = encodedPerRecord / (encryptOnly * 1e6) * 1e9;
            double sumNs = parseNs + encodeNs + encryptNs;
            Bench.row(Bench.f("(info) encode alone: RecordBatchWriter over %,d rows held in memory, 1 thread", keptRows.size()),
                    Bench.f("%,.0f records/s, %,.0f MB/s of encoded batches", encodeOnly, encodeOnly * encodedPerRecord / 1e6));
            Bench.row("(info) encrypt alone: ChunkedFile.encrypt over the encoded batches in memory, 1 thread", Bench.f("%,.0f MB/s", encryptOnly));
            Bench.row("(info) time per record, each stage measured alone: parse + encode + encrypt", Bench.f("%.0f + %.0f + %.0f = %.0f ns (the pipeline: %.0f ns)",
                    parseNs, encodeNs, encryptNs, sumNs, nanosPerRecord(full)));
            Bench.row("reference: single-pass AES-256-GCM + SHA-256 over the encoded bytes in memory, 1 thread",
                    Bench.f("%,.0f MB/s (best of %d, over %,d bytes)", reference, rounds, keptBytes.length));
            Bench.row("ratio: collect pipeline ÷ reference (encoded bytes per second)", Bench.f("%.3f", fullEncodedMBps / reference));
            System.out.println();
            System.out.printf(Locale.ROOT, "notes: MB = 10^6 bytes. The CSV is read from the page cache (just written). A measurement repeats its pass%n");
            System.out.printf(Locale.ROOT, "  over the file until it has run 0.5 s. Of the stages' time per record, parsing is %.0f %%, encoding %.0f %%,%n",
                    100 * parseNs / sumNs, 100 * encodeNs / sumNs);
            System.out.printf(Locale.ROOT, "  encryption %.0f %%: the reference is bound by AES-NI and SHA-NI, the pipeline by turning bytes into checked%n",
                    100 * encryptNs / sumNs);
            System.out.printf(Locale.ROOT, "  Long/Double/String values and back.%n");
        } finally {
            Bench.deleteRecursively(dir);
        }
    }

    private enum Stage { PARSE, ENCODE, ENCRYPT }

    private static Run best(Run a, Run b) {
        return a == null || nanosPerRecord(b) < nanosPerRecord(a) ? b : a;
    }

    private static String rate(Run r, int records, long csvBytes, int rounds) {
        double seconds = r.nanos() / 1e9;
        double passes = r.rows() / (double) records;
        return Bench.f("%,.0f records/s, %,.0f MB/s of CSV (best of %d)", r.rows() / seconds, passes * csvBytes / 1e6 / seconds, rounds);
    }

    private static double nanosPerRecord(Run r) {
        return r.nanos() / (double) r.rows();
    }

    /**
     * One measurement of a stage: passes over the whole file until at least {@link #MIN_NANOS} have passed (short files
     * are otherwise timed in tens of milliseconds, where a GC or a neighbour's burst decides the figure).
     */
    private static Run timed(Schema schema, Path csv, Stage stage, byte[] dataKey) throws Exception {
        long rows = 0;
        long encoded = 0;
        long nanos = 0;
        Run pass;
        do {
            pass = pass(schema, csv, stage, dataKey);
            rows += pass.rows();
            encoded += pass.encodedBytes();
            nanos += pass.nanos();
        } while (nanos < MIN_NANOS);
        return new Run(rows, encoded, pass.batches(), pass.blocks(), nanos, pass.summary());
    }

    private static Run pass(Schema schema, Path csv, Stage stage, byte[] dataKey) throws Exception {
        long[] encoded = {0, 0};
        Map<Cid, byte[]> blocks = new HashMap<>();
        long t0 = System.nanoTime();
        RecordParser.Summary s;
        if (stage == Stage.PARSE) {
            long[] rows = {0};
            try (InputStream in = Files.newInputStream(csv)) {
                s = RecordParser.parse(schema, RecordParser.Format.CSV, in, null, row -> rows[0]++);
            }
        } else {
            s = pipeline(schema, csv, batch -> {
                encoded[0] += batch.length;
                encoded[1]++;
                if (stage == Stage.ENCRYPT) {
                    ChunkedFile.encrypt(new ByteArrayInputStream(batch), batch.length, "batch-" + encoded[1] + ".clrb", MEDIA_TYPE,
                            dataKey, blocks::put, ChunkedFile.Progress.NONE);
                }
            });
        }
        long nanos = System.nanoTime() - t0;
        return new Run(s.rows(), encoded[0], encoded[1], blocks.size(), nanos, s);
    }

    /** CSV → rows → batches into {@code sink}. */
    private static RecordParser.Summary pipeline(Schema schema, Path csv, RecordBatchWriter.BatchSink sink) throws IOException {
        try (InputStream in = Files.newInputStream(csv); RecordBatchWriter w = new RecordBatchWriter(schema, sink)) {
            return RecordParser.parse(schema, RecordParser.Format.CSV, in, null, w::add);
        } catch (InvalidRecordException e) {
            throw new Bench.Failure("the generated CSV was refused: " + e.getMessage());
        }
    }

    /** RecordBatchWriter over the kept rows, repeated until {@link #MIN_NANOS} have passed; records/s. */
    private static double encodeAlone(Schema schema, List<Object[]> rows) throws IOException {
        long t0 = System.nanoTime();
        long done = 0;
        long[] bytes = {0};
        do {
            try (RecordBatchWriter w = new RecordBatchWriter(schema, b -> bytes[0] += b.length)) {
                for (Object[] row : rows) {
                    w.add(row);
                }
            }
            done += rows.size();
        } while (System.nanoTime() - t0 < MIN_NANOS);
        return done / ((System.nanoTime() - t0) / 1e9);
    }

    /** ChunkedFile.encrypt over the kept batches, repeated until {@link #MIN_NANOS} have passed; MB/s. */
    private static double encryptAlone(List<byte[]> batches, long bytes, byte[] dataKey) throws IOException {
        long t0 = System.nanoTime();
        long done = 0;
        do {
            Map<Cid, byte[]> blocks = new HashMap<>();
            int i = 0;
            for (byte[] b : batches) {
                ChunkedFile.encrypt(new ByteArrayInputStream(b), b.length, "batch-" + i++ + ".clrb", MEDIA_TYPE, dataKey, blocks::put,
                        ChunkedFile.Progress.NONE);
            }
            done += bytes;
        } while (System.nanoTime() - t0 < MIN_NANOS);
        return done / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * A survey: age 18–95 with its band, an income (log-normal, about 0.5 % above the 250,000 bound), a region (some
     * quoted: a comma; some non-ASCII); 2 % of incomes and 1 % of ages empty (null).
     */
    private static void generate(Path csv, int records) throws IOException {
        Random r = new Random(1);
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8), 1 << 20)) {
            w.write("age_band,income,age,region\n");
            StringBuilder line = new StringBuilder(96);
            for (int i = 0; i < records; i++) {
                int age = 18 + r.nextInt(78);
                line.setLength(0);
                line.append(age < 25 ? "18-24" : age < 35 ? "25-34" : age < 45 ? "35-44" : age < 55 ? "45-54" : age < 65 ? "55-64" : "65+").append(',');
                if (r.nextInt(50) != 0) {
                    long cents = Math.round(Math.exp(10.6 + 0.75 * r.nextGaussian()) * 100);
                    line.append(cents / 100).append('.').append((char) ('0' + cents / 10 % 10)).append((char) ('0' + cents % 10));
                }
                line.append(',');
                if (r.nextInt(100) != 0) {
                    line.append(age);
                }
                String region = REGIONS[r.nextInt(REGIONS.length)];
                line.append(',').append(region.indexOf(',') >= 0 ? '"' + region + '"' : region).append('\n');
                w.write(line.toString());
            }
        }
    }
}
