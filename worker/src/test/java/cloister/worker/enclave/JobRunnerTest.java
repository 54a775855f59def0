package cloister.worker.enclave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.EcdhKey;
import cloister.crypto.SigningKey;
import cloister.market.data.RecordBatch;
import cloister.market.data.Schema;
import cloister.market.job.ReleasedResult;
import cloister.market.job.ResultSeal;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.InboundMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.chunk.DataKeyWrap;
import cloister.storage.cid.Cid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The enclave's job runner without a chain: assignments for this worker only, the SQL checked before any data, files
 * opened with the escrow key and verified against their CIDs, the result sealed to the buyer once the last file is in,
 * every failure with its code and whether data was read, deletion (receipt, jobs dropped, keys never opened again),
 * and the checkpoint (open assignments survive a restart; records do not), and a job the chain timed out (dropped,
 * never answered).
 */
class JobRunnerTest {
    private static final Schema SCHEMA = Schema.parse("age_band:text,income:real[0,250000]");
    private static final Hash GENESIS = Hash.wrap(cloister.crypto.Sha256.digest(new byte[] {1}));
    private static final WorkerId ME = WorkerId.of(DevKeys.get("dave").account());
    private static final WorkerId OTHER = WorkerId.of(DevKeys.get("eve").account());
    private static final SigningKey BUYER = DevKeys.get("ferdie");

    private final EcdhKey escrow = EcdhKey.generate();
    private final Map<Hash, List<byte[]>> files = new LinkedHashMap<>();

    @Test
    void runsTheJobWhenItsLastFileIsInAndSealsTheResultToTheBuyer() {
        JobRunner runner = new JobRunner(ME, GENESIS);
        InboundMessage.JobDataset a = dataset(1, "alice", row("30-39", 50_000.0), row("30-39", 40_000.0));
        InboundMessage.JobDataset b = dataset(2, "bob", row("30-39", 60_000.0));
        InboundMessage.JobDataset c = dataset(3, "charlie", row("40-49", 70_000.0));
        runner.onAssigned(assigned(9, OTHER, "SELECT age_band, COUNT(*) FROM survey GROUP BY age_band", a, b, c));
        assertEquals(List.of(), runner.needs(), "another worker's job is not ours");
        runner.onAssigned(assigned(9, ME, "SELECT age_band, COUNT(*) FROM survey GROUP BY age_band", a, b, c));
        assertEquals(3, runner.needs().size());
        assertEquals(List.of(), runner.takeEgress());

        List<WorkerMessage> out = new ArrayList<>();
        for (InboundMessage.JobDataset d : List.of(a, b, c)) {
            Hash file = d.batches().get(0).file();
            out = runner.deliver(9, file, files.get(file), () -> List.of(EcdhKey.generate(), escrow));
            if (d != c) {
                assertEquals(List.of(), out, "no answer before the last file");
            }
        }
        WorkerMessage.JobResult r = assertInstanceOf(WorkerMessage.JobResult.class, out.get(0));
        assertEquals(9, r.job());
        assertEquals(3, r.owners());
        assertEquals(4, r.rows());
        assertEquals(cloister.crypto.Sha256.hash(r.sealedResult()), r.resultHash());
        ReleasedResult released;
        try {
            released = ReleasedResult.decode(ResultSeal.open(ResultSeal.buyerKey(BUYER), GENESIS, 9, r.sealedResult()));
        } catch (cloister.crypto.HpkeException e) {
            throw new AssertionError(e);
        }
        assertEquals(1, released.rows().size(), released.table());
        assertEquals("30-39", released.rows().get(0).get(0));
        assertEquals(1, released.suppressedGroups());
        assertEquals(List.of(), runner.needs(), "the job is over; its records are gone");
        assertEquals(List.of(), runner.deliver(9, a.batches().get(0).file(), files.get(a.batches().get(0).file()), () -> List.of(escrow)),
                "a late delivery does nothing");
    }

    @Test
    void refusedSqlFailsAtAssignmentWithoutReadingData() {
        JobRunner runner = new JobRunner(ME, GENESIS);
        runner.onAssigned(assigned(4, ME, "SELECT * FROM survey", dataset(1, "alice", row("30-39", 1.0))));
        WorkerMessage.JobFailed f = assertInstanceOf(WorkerMessage.JobFailed.class, runner.takeEgress().get(0));
        assertEquals("NOT_AGGREGATE", f.code());
        assertFalse(f.dataRead());
        assertEquals(List.of(), runner.needs());
    }

    @Test
    void badFilesFailTheJobWithTheirReason() {
        InboundMessage.JobDataset a = dataset(1, "alice", row("30-39", 1.0));
        InboundMessage.JobDataset b = dataset(2, "bob", row("30-39", 2.0));
        String sql = "SELECT COUNT(*) FROM survey";
        Hash fa = a.batches().get(0).file();

        JobRunner wrongKey = new JobRunner(ME, GENESIS);
        wrongKey.onAssigned(assigned(1, ME, sql, a, b));
        WorkerMessage.JobFailed f = assertInstanceOf(WorkerMessage.JobFailed.class,
                wrongKey.deliver(1, fa, files.get(fa), () -> List.of(EcdhKey.generate())).get(0));
        assertEquals("KEY_UNAVAILABLE", f.code());

        JobRunner corrupt = new JobRunner(ME, GENESIS);
        corrupt.onAssigned(assigned(2, ME, sql, a, b));
        List<byte[]> blocks = new ArrayList<>(files.get(fa));
        byte[] chunk = blocks.get(1).clone();
        chunk[chunk.length - 1] ^= 1;
        blocks.set(1, chunk);
        f = assertInstanceOf(WorkerMessage.JobFailed.class, corrupt.deliver(2, fa, blocks, () -> List.of(escrow)).get(0));
        assertEquals("DATA_UNAVAILABLE", f.code());
        assertTrue(f.message().contains("missing"), f.message()); // the altered block has another CID: the right one is missing
        assertFalse(f.dataRead());

        JobRunner missing = new JobRunner(ME, GENESIS);
        missing.onAssigned(assigned(3, ME, sql, a, b));
        f = assertInstanceOf(WorkerMessage.JobFailed.class, missing.missing(3, fa, "no healthy replica").get(0));
        assertEquals("DATA_UNAVAILABLE", f.code());
        assertTrue(f.message().contains("no healthy replica"));
    }

    @Test
    void deletionDropsWaitingJobsSignsTheReceiptAndOutlivesARestart() {
        JobRunner runner = new JobRunner(ME, GENESIS);
        InboundMessage.JobDataset a = dataset(1, "alice", row("30-39", 1.0));
        InboundMessage.JobDataset b = dataset(2, "bob", row("30-39", 2.0));
        runner.onAssigned(assigned(5, ME, "SELECT COUNT(*) FROM survey", b));
        runner.onAssigned(assigned(6, ME, "SELECT COUNT(*) FROM survey", a, b));
        runner.onDeleted(new InboundMessage.DatasetDeleted(1, ME), 77);
        List<WorkerMessage> egress = runner.takeEgress();
        WorkerMessage.JobFailed f = assertInstanceOf(WorkerMessage.JobFailed.class, egress.get(0));
        assertEquals(6, f.job());
        assertEquals("DATASET_DELETED", f.code());
        assertEquals(new WorkerMessage.DeletionReceipt(1, 77), egress.get(1));
        assertEquals(1, runner.needs().size(), "job 5 does not use the deleted dataset");

        // Restart: the open assignment and the deleted set come back from the checkpoint, records do not.
        CanonicalWriter w = new CanonicalWriter();
        runner.write(w);
        JobRunner restored = new JobRunner(ME, GENESIS);
        CanonicalReader r = new CanonicalReader(w.toByteArray());
        restored.read(r);
        r.end("jobs");
        assertEquals(runner.needs(), restored.needs());
        assertEquals(List.of(), restored.takeEgress());
        restored.onAssigned(assigned(8, ME, "SELECT COUNT(*) FROM survey", a));
        assertEquals("DATASET_DELETED", assertInstanceOf(WorkerMessage.JobFailed.class, restored.takeEgress().get(0)).code(),
                "a deleted dataset's key is never opened again");
        restored.onDeleted(new InboundMessage.DatasetDeleted(2, OTHER), 80);
        assertEquals("DATASET_DELETED", assertInstanceOf(WorkerMessage.JobFailed.class, restored.takeEgress().get(0)).code());
        assertEquals(List.of(), restored.needs());
    }

    @Test
    void aJobTheChainTimedOutIsDroppedAndNeverAnsweredEvenAfterARestart() {
        InboundMessage.JobDataset a = dataset(1, "alice", row("30-39", 1.0));
        InboundMessage.JobDataset b = dataset(2, "bob", row("30-39", 2.0));
        Hash fa = a.batches().get(0).file();
        Hash fb = b.batches().get(0).file();
        JobRunner runner = new JobRunner(ME, GENESIS);
        runner.onAssigned(assigned(7, ME, "SELECT COUNT(*) FROM survey", a, b));
        runner.onAssigned(assigned(8, ME, "SELECT COUNT(*) FROM survey", b));
        assertEquals(List.of(), runner.deliver(7, fa, files.get(fa), () -> List.of(escrow)), "one file of two: no answer yet");
        // The checkpoint a killed worker restarts from holds job 7 (the chain has not timed it out yet).
        CanonicalWriter before = new CanonicalWriter();
        runner.write(before);

        runner.onTimedOut(new InboundMessage.JobTimedOut(7, OTHER));
        assertEquals(2, runner.needs().size(), "another worker's time-out is not ours");
        runner.onTimedOut(new InboundMessage.JobTimedOut(7, ME));
        assertEquals(List.of(8L), runner.needs().stream().map(n -> n.job()).toList(), "job 7 dropped, job 8 still open");
        assertEquals(List.of(), runner.deliver(7, fb, files.get(fb), () -> List.of(escrow)), "its last file comes in: nothing is signed");
        assertEquals(List.of(), runner.missing(7, fb, "gone"), "nor a failure");
        assertEquals(List.of(), runner.takeEgress());

        // Restarted from the older checkpoint, the worker replays the time-out block: the job goes again, unanswered.
        JobRunner restarted = new JobRunner(ME, GENESIS);
        CanonicalReader r = new CanonicalReader(before.toByteArray());
        restarted.read(r);
        r.end("jobs");
        assertEquals(3, restarted.needs().size(), "both jobs' files are fetched again after a restart");
        restarted.onTimedOut(new InboundMessage.JobTimedOut(7, ME));
        assertEquals(List.of(), restarted.deliver(7, fa, files.get(fa), () -> List.of(escrow)));
        assertEquals(List.of(), restarted.deliver(7, fb, files.get(fb), () -> List.of(escrow)));
        assertInstanceOf(WorkerMessage.JobResult.class, restarted.deliver(8, fb, files.get(fb), () -> List.of(escrow)).get(0));
        CanonicalWriter after = new CanonicalWriter();
        restarted.write(after);
        JobRunner again = new JobRunner(ME, GENESIS);
        again.read(new CanonicalReader(after.toByteArray()));
        assertEquals(List.of(), again.needs(), "a later checkpoint does not bring it back");
    }

    // ---------------------------------------------------------------- fixtures

    private static Object[] row(String band, double income) {
        return new Object[] {band, income};
    }

    /** Encrypts the rows as one batch file (kept in {@link #files}: manifest then chunks) with its key escrowed. */
    private InboundMessage.JobDataset dataset(long id, String owner, Object[]... rows) {
        byte[] batch = RecordBatch.of(SCHEMA, List.of(rows)).encoded();
        Map<Cid, byte[]> blocks = new LinkedHashMap<>();
        ChunkedFile.Encrypted enc;
        try {
            enc = ChunkedFile.encrypt(new ByteArrayInputStream(batch), batch.length, "b", "x", (cid, block) -> blocks.put(cid, block),
                    ChunkedFile.Progress.NONE);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Hash file = Hash.wrap(enc.cid().digest());
        List<byte[]> list = new ArrayList<>();
        list.add(blocks.get(enc.cid()));
        blocks.forEach((cid, block) -> {
            if (!cid.equals(enc.cid())) {
                list.add(block);
            }
        });
        files.put(file, list);
        byte[] escrowed = DataKeyWrap.wrap(escrow.publicKey(), enc.cid(), enc.dataKey());
        return new InboundMessage.JobDataset(id, DevKeys.get(owner).account(),
                List.of(new InboundMessage.JobBatch(file, rows.length, batch.length, escrowed)));
    }

    private static InboundMessage.JobAssigned assigned(long job, WorkerId worker, String sql, InboundMessage.JobDataset... datasets) {
        return new InboundMessage.JobAssigned(job, worker, 0, sql, SCHEMA.encode(), 1_000_000, 2, 1,
                ResultSeal.buyerKey(BUYER).publicKey().bytes(), List.of(datasets));
    }
}
