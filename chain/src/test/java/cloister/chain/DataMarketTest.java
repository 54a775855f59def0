package cloister.chain;

import static cloister.chain.BlockEvents.all;
import static cloister.chain.BlockEvents.assertFailed;
import static cloister.chain.BlockEvents.one;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.datamarket.DataMarket;
import cloister.chain.runtime.datamarket.DataMarket.EntryState;
import cloister.chain.runtime.datamarket.DataMarket.JobState;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.storage.StorageMarket;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.Call;
import cloister.proto.DataMarketCall;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.GovernanceCall;
import cloister.proto.InboundMessage;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.StorageCall;
import cloister.proto.SudoCall;
import cloister.proto.WorkerId;
import cloister.proto.WorkerMessage;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * W3A's public half through a real chain: datasets, listings, grants, standing policies and approvals, jobs with
 * their escrow, consent deadlines, starting (re-checks, ε reservation, worker assignment and the job message),
 * results and failures from the assigned worker only and only once, deletion with receipts, and ε accounting over a
 * random sequence of jobs.
 */
class DataMarketTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Measurement BUILD = SimPlatform.measure(new byte[] {5}, "datamarket test");
    private static final SigningKey ALICE = ChainFixture.ALICE;
    private static final SigningKey BOB = ChainFixture.BOB;
    private static final SigningKey CHARLIE = ChainFixture.CHARLIE;
    private static final SigningKey DAVE = DevKeys.get("dave");
    private static final SigningKey EVE = DevKeys.get("eve");
    private static final SigningKey FERDIE = DevKeys.get("ferdie");
    private static final long FEE = ChainFixture.FEE;
    private static final byte[] SCHEMA = "age_band:text,income:real[0,250000]".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SCHEMA = "region:text".getBytes(StandardCharsets.UTF_8);
    private static final String SQL = "SELECT age_band, COUNT(*), AVG(income) FROM survey GROUP BY age_band";
    private static final long PRICE = Tokens.UNITS_PER_TOKEN / 10; // 0.1 CLO per use
    private static final long EPS = 100_000; // ε 0.1
    private static final int RESEARCH = 0;
    private static final int ADVERTISING = 2;

    private final SimAttestationRoot root = SimAttestationRoot.generate("datamarket test", RANDOM);
    private final SimMachine machine = SimMachine.ephemeral(RANDOM);
    @TempDir
    Path dir;
    private ChainFixture f;
    private SimWorker w1;
    private SimWorker w2;

    @BeforeEach
    void start() {
        f = new ChainFixture(dir.resolve("node"), Genesis.dev()
                .withTee(new Genesis.TeeTrust(Optional.of(root.certificate()), List.of(BUILD), Registry.AttestationPolicy.DEV)));
        SimWorker gatekeeper = worker(ALICE);
        w1 = worker(FERDIE); // the workers' operator owns no dataset, so its balance shows only the job fee
        w2 = worker(FERDIE);
        submit(ALICE, registration(gatekeeper));
        submit(FERDIE, registration(w1));
        submit(FERDIE, registration(w2));
        submit(ALICE, new SudoCall.Sudo(new GovernanceCall.AddGatekeeper(gatekeeper.id())));
        submit(ALICE, new SudoCall.Sudo(new GovernanceCall.CreateCluster(List.of(w1.id(), w2.id()))));
        assertNoFailure(seal());
        byte[] pk = new byte[32];
        RANDOM.nextBytes(pk);
        assertNoFailure(run(ALICE, gatekeeper.say(new WorkerMessage.ClusterKeyPublished(0, X25519PublicKey.of(pk), List.of()))));
        assertTrue(Registry.cluster(state(), 0).orElseThrow().publicKey().isPresent());
    }

    @AfterEach
    void stop() {
        f.close();
    }

    // ---------------------------------------------------------------- datasets

    @Test
    void datasetsAreRegisteredBatchedListedAndRefusedWithReasons() {
        assertFailed(run(BOB, new DataMarketCall.RegisterDataset("survey", SCHEMA, 7)), "UNKNOWN_CLUSTER", "cluster 7 does not exist");
        assertFailed(run(BOB, new DataMarketCall.RegisterDataset(" survey", SCHEMA, 0)), "INVALID_ARGUMENT", "outer spaces");
        List<EventRecord> ok = run(BOB, new DataMarketCall.RegisterDataset("survey", SCHEMA, 0));
        assertEquals(new Event.DatasetRegistered(1, BOB.account(), "survey"), one(ok, Event.DatasetRegistered.class));
        assertFailed(run(BOB, new DataMarketCall.RegisterDataset("survey", SCHEMA, 0)), "DUPLICATE", "already have a dataset named 'survey'");
        assertEquals(1, DataMarket.dataset(state(), BOB.account(), "survey").orElseThrow().id());
        assertEquals(List.of(1L), DataMarket.datasetsOf(state(), BOB.account()));

        assertFailed(run(BOB, listing(1, PRICE)), "INVALID_ARGUMENT", "has no records yet");
        assertFailed(run(CHARLIE, batch(1, "a", 10)), "NOT_OWNER", BOB.account().address());
        assertFailed(run(BOB, batch(9, "a", 10)), "UNKNOWN_DATASET", "no dataset 9");
        assertFailed(run(BOB, batch(1, "a", 0)), "INVALID_ARGUMENT", "at least one record");
        assertNoFailure(run(BOB, batch(1, "a", 10)));
        assertFailed(run(BOB, batch(1, "a", 10)), "DUPLICATE", "already a batch");
        assertNoFailure(run(BOB, batch(1, "b", 5)));
        DataMarket.Dataset d = DataMarket.dataset(state(), 1).orElseThrow();
        assertEquals(15, d.rows());
        assertEquals(DataMarketCall.schemaHash(SCHEMA), d.schemaHash());
        assertArrayEquals(SCHEMA, d.schema());

        assertFailed(run(BOB, new DataMarketCall.SetListing(1, new DataMarketCall.Listing("", PRICE, 0, 0, 3, 1_000_000, EPS, 1))),
                "PURPOSE_NOT_ACCEPTED", "research");
        assertFailed(run(BOB, new DataMarketCall.SetListing(1, new DataMarketCall.Listing("", PRICE, 0, 1, 1, 1_000_000, EPS, 1))),
                "INVALID_ARGUMENT", "k is at least 2");
        assertFailed(run(BOB, new DataMarketCall.SetListing(1, new DataMarketCall.Listing("", PRICE, 0, 1, 3, EPS, 2 * EPS, 1))),
                "INVALID_ARGUMENT", "at most the total ε budget");
        assertNoFailure(run(BOB, new DataMarketCall.SetListing(1, new DataMarketCall.Listing("", PRICE, 1_000, 1, 3, 1_000_000, EPS, 1))));
        assertEquals(PRICE + 15 * 1_000, DataMarket.dataset(state(), 1).orElseThrow().listPrice(), "per use + per row × rows");

        assertFailed(run(BOB, new DataMarketCall.Grant(1, BOB.account(), 1, Hash.ZERO, 0, 0, 0)), "INVALID_ARGUMENT", "own dataset");
        assertFailed(run(BOB, new DataMarketCall.Grant(1, EVE.account(), 1 << 9, Hash.ZERO, 0, 0, 0)), "PURPOSE_NOT_ACCEPTED", "purposes");
        assertFailed(run(BOB, new DataMarketCall.Grant(1, EVE.account(), 1, Hash.ZERO, 0, 1, 0)), "INVALID_ARGUMENT", "has passed");
        List<EventRecord> granted = run(BOB, new DataMarketCall.Grant(1, EVE.account(), 1, Hash.ZERO, PRICE, 0, 0));
        assertEquals(new Event.GrantAdded(1, 0), one(granted, Event.GrantAdded.class));
        assertFailed(run(CHARLIE, new DataMarketCall.Revoke(1, 0)), "NOT_OWNER", "belongs to");
        assertFailed(run(BOB, new DataMarketCall.Revoke(1, 5)), "INVALID_ARGUMENT", "has no grant 5");
        assertNoFailure(run(BOB, new DataMarketCall.Revoke(1, 0)));
        assertTrue(DataMarket.dataset(state(), 1).orElseThrow().grants().get(0).revoked());
    }

    @Test
    void aNewPreviewSpendsATenthOfTheBudgetOnceAndNeverMoreThanIsLeft() {
        assertNoFailure(run(BOB, new DataMarketCall.RegisterDataset("survey", SCHEMA, 0)));
        assertNoFailure(run(BOB, batch(1, "a", 10)));
        byte[] preview = "CLPV: noisy summaries".getBytes(StandardCharsets.US_ASCII);
        DataMarketCall.Listing plain = new DataMarketCall.Listing("a survey", PRICE, 0, 1, 3, 1_000_000, EPS, 1);
        assertNoFailure(run(BOB, new DataMarketCall.SetListing(1, plain)));
        assertEquals(0, DataMarket.dataset(state(), 1).orElseThrow().epsilonSpent(), "no preview, nothing spent");

        assertNoFailure(run(BOB, new DataMarketCall.SetListing(1, plain.withPreview(preview))));
        DataMarket.Dataset d = DataMarket.dataset(state(), 1).orElseThrow();
        assertEquals(100_000, d.epsilonSpent(), "a tenth of the total ε 1");
        assertArrayEquals(preview, d.listing().orElseThrow().preview());

        DataMarketCall.Listing cheaper = new DataMarketCall.Listing("a survey", PRICE / 2, 0, 1, 3, 1_000_000, EPS, 1, preview);
        assertNoFailure(run(BOB, new DataMarketCall.SetListing(1, cheaper)));
        assertEquals(100_000, DataMarket.dataset(state(), 1).orElseThrow().epsilonSpent(), "the same preview again spends nothing");

        byte[] again = "CLPV: other noise".getBytes(StandardCharsets.US_ASCII);
        assertNoFailure(run(BOB, new DataMarketCall.SetListing(1, cheaper.withPreview(again))));
        assertEquals(200_000, DataMarket.dataset(state(), 1).orElseThrow().epsilonSpent(), "a new preview spends again");

        DataMarketCall.Listing tight = new DataMarketCall.Listing("a survey", PRICE, 0, 1, 3, 210_000, EPS, 1, preview);
        assertFailed(run(BOB, new DataMarketCall.SetListing(1, tight)), "BUDGET_EXHAUSTED", "the preview spends ε 0.021 and only 0.01");
        assertEquals(200_000, DataMarket.dataset(state(), 1).orElseThrow().epsilonSpent());
    }

    // ---------------------------------------------------------------- the survey: policy, grant, approval

    @Test
    void consentByPolicyGrantAndApprovalThenTheAssignedWorkerIsPaidOnceAndEveryOwnerEarns() {
        long bob = survey(BOB, "bob");
        long charlie = survey(CHARLIE, "charlie");
        long dave = survey(DAVE, "dave");
        assertNoFailure(run(BOB, new DataMarketCall.SetPolicy(bob, 1 << RESEARCH, PRICE)));
        assertNoFailure(run(CHARLIE, new DataMarketCall.Grant(charlie, DataMarketCall.ANY_BUYER, 1 << RESEARCH,
                Sha256.hash(SQL.getBytes(StandardCharsets.UTF_8)), PRICE / 2, 0, 1)));
        long budget = 3 * PRICE + DataMarket.JOB_FEE;
        long needed = PRICE + PRICE / 2 + PRICE + DataMarket.JOB_FEE; // Charlie's grant asks half the list price
        assertFailed(run(EVE, job(List.of(bob, charlie, dave), needed - 1)), "INSUFFICIENT_PAYMENT", "does not cover");
        assertFailed(run(EVE, new DataMarketCall.SubmitJob(ADVERTISING, SQL, List.of(bob), Hash.ZERO, EPS, budget, 0, new byte[32])),
                "PURPOSE_NOT_ACCEPTED", "does not accept 'advertising' jobs");
        assertFailed(run(EVE, new DataMarketCall.SubmitJob(RESEARCH, SQL, List.of(bob), Hash.ZERO, 2 * EPS, budget, 0, new byte[32])),
                "BUDGET_EXHAUSTED", "at most ε 0.1");

        Map<AccountId, Long> before = balances();
        List<EventRecord> submitted = run(EVE, job(List.of(bob, charlie, dave), budget + PRICE));
        assertEquals(new Event.JobSubmitted(1, EVE.account(), 3, 2), one(submitted, Event.JobSubmitted.class));
        DataMarket.Job j = job(1);
        assertEquals(JobState.AWAITING_CONSENT, j.state());
        assertEquals(List.of(EntryState.CONSENTED, EntryState.CONSENTED, EntryState.PENDING), states(j));
        assertEquals(List.of("policy", "grant 0", ""), j.entries().stream().map(DataMarket.JobEntry::how).toList());
        assertEquals(budget + PRICE, balance(DataMarket.ESCROW) - before.get(DataMarket.ESCROW), "the whole budget is escrowed");
        assertEquals(List.of(1L), DataMarket.openJobs(state()));

        assertFailed(run(BOB, new DataMarketCall.Decide(1, dave, true)), "NOT_OWNER", "only the owner of dataset");
        assertFailed(run(DAVE, new DataMarketCall.Decide(1, bob, true)), "NOT_OWNER", "only the owner of dataset");
        List<EventRecord> started = run(DAVE, new DataMarketCall.Decide(1, dave, true));
        Event.JobStarted s = one(started, Event.JobStarted.class);
        assertEquals(3, s.datasets());
        InboundMessage.JobAssigned assigned = (InboundMessage.JobAssigned) messagesOf(InboundMessage.JobAssigned.class, started).get(0);
        j = job(1);
        assertEquals(JobState.RUNNING, j.state());
        assertEquals(List.of(EntryState.USED, EntryState.USED, EntryState.USED), states(j));
        assertFailed(run(DAVE, new DataMarketCall.Decide(1, dave, false)), "WRONG_JOB_STATE", "is running");
        assertEquals(s.worker(), assigned.worker());
        assertEquals(SQL, assigned.sql());
        assertArrayEquals(SCHEMA, assigned.schema());
        assertEquals(3, assigned.minGroupOwners(), "the strictest k of the datasets");
        assertEquals(List.of(bob, charlie, dave), assigned.datasets().stream().map(InboundMessage.JobDataset::dataset).toList());
        assertEquals(1, assigned.datasets().get(0).batches().size());
        for (long id : List.of(bob, charlie, dave)) {
            assertEquals(EPS, DataMarket.dataset(state(), id).orElseThrow().epsilonSpent(), "ε reserved at start");
        }
        assertEquals(1, DataMarket.dataset(state(), charlie).orElseThrow().grants().get(0).uses());

        SimWorker assignedWorker = s.worker().equals(w1.id()) ? w1 : w2;
        SimWorker other = assignedWorker == w1 ? w2 : w1;
        WorkerMessage.JobResult result = new WorkerMessage.JobResult(1, Sha256.hash(new byte[] {1}), new byte[] {9, 9, 9}, 3, 3);
        assertRefused(run(other.operator, other.say(result)), "BAD_ORIGIN", "assigned to another worker");
        long operatorBefore = balance(assignedWorker.operator.account()) - FEE; // its relay costs one fee below
        List<EventRecord> done = run(assignedWorker.operator, assignedWorker.say(result));
        Event.JobEnded ended = one(done, Event.JobEnded.class);
        assertEquals("done", ended.state());
        long paid = PRICE + PRICE / 2 + PRICE + DataMarket.JOB_FEE;
        assertEquals(paid, ended.paid());
        assertEquals(budget + PRICE - paid, ended.refund());
        j = job(1);
        assertEquals(JobState.DONE, j.state());
        assertEquals(3, j.owners());
        assertArrayEquals(new byte[] {9, 9, 9}, j.sealedResult());
        assertEquals(Sha256.hash(SQL.getBytes(StandardCharsets.UTF_8)), j.sqlHash(), "the audit log records the SQL hash");
        assertEquals(PRICE, DataMarket.earnings(state(), BOB.account()));
        assertEquals(PRICE / 2, DataMarket.earnings(state(), CHARLIE.account()), "a grant's price is what its owner asked");
        assertEquals(PRICE, DataMarket.earnings(state(), DAVE.account()));
        assertEquals(operatorBefore + DataMarket.JOB_FEE, balance(assignedWorker.operator.account()), "the worker's operator earns the fee");
        assertEquals(before.get(DataMarket.ESCROW), balance(DataMarket.ESCROW), "nothing stays in escrow");
        assertTrue(DataMarket.openJobs(state()).isEmpty());

        // Never paid twice.
        assertRefused(run(assignedWorker.operator, assignedWorker.say(result)), "WRONG_JOB_STATE", "is done");
        assertEquals(PRICE, DataMarket.earnings(state(), BOB.account()));

        // Charlie's grant allowed one use: the next job waits for Charlie.
        run(EVE, job(List.of(bob, charlie, dave), budget + PRICE));
        assertEquals(List.of(EntryState.CONSENTED, EntryState.PENDING, EntryState.PENDING), states(job(2)));
    }

    @Test
    void deadlinesRevocationsAndTooFewOwnersCancelOrDropAndRefund() {
        long bob = survey(BOB, "bob");
        long charlie = survey(CHARLIE, "charlie");
        long dave = survey(DAVE, "dave");
        long budget = 3 * PRICE + DataMarket.JOB_FEE;
        long eve = balance(EVE);

        // Nobody decides: at the deadline the job is cancelled and refunded (only fees were spent).
        run(EVE, new DataMarketCall.SubmitJob(RESEARCH, SQL, List.of(bob, charlie, dave), Hash.ZERO, EPS, budget, 3, new byte[32]));
        Event.JobEnded ended = untilEnded(1);
        assertEquals("cancelled", ended.state());
        assertEquals("no owner consented", ended.reason());
        assertEquals(budget, ended.refund());
        assertEquals(List.of(EntryState.EXPIRED, EntryState.EXPIRED, EntryState.EXPIRED), states(job(1)));
        assertEquals(eve - FEE, balance(EVE));
        assertEquals(0, DataMarket.dataset(state(), bob).orElseThrow().epsilonSpent(), "no ε spent on a job that never ran");

        // Two consent, one declines: 2 owners < k = 3 → cancelled with the reason in plain words.
        run(EVE, job(List.of(bob, charlie, dave), budget));
        run(BOB, new DataMarketCall.Decide(2, bob, true));
        run(CHARLIE, new DataMarketCall.Decide(2, charlie, true));
        ended = one(run(DAVE, new DataMarketCall.Decide(2, dave, false)), Event.JobEnded.class);
        assertEquals("cancelled", ended.state());
        assertTrue(ended.reason().contains("fewer than the minimum group size k = 3"), ended.reason());
        assertEquals(List.of(EntryState.CONSENTED, EntryState.CONSENTED, EntryState.DECLINED), states(job(2)));

        // A grant revoked after the job consented but before it started: the dataset drops out.
        long frank = survey(ALICE, "alice");
        run(CHARLIE, new DataMarketCall.Grant(charlie, EVE.account(), 1 << RESEARCH, Hash.ZERO, PRICE, 0, 0));
        run(EVE, job(List.of(bob, charlie, dave, frank), budget + PRICE));
        assertEquals(List.of(EntryState.PENDING, EntryState.CONSENTED, EntryState.PENDING, EntryState.PENDING), states(job(3)));
        run(CHARLIE, new DataMarketCall.Revoke(charlie, 0));
        run(BOB, new DataMarketCall.Decide(3, bob, true));
        run(DAVE, new DataMarketCall.Decide(3, dave, true));
        List<EventRecord> started = run(ALICE, new DataMarketCall.Decide(3, frank, true));
        assertEquals(3, one(started, Event.JobStarted.class).datasets());
        DataMarket.Job j = job(3);
        assertEquals(List.of(EntryState.USED, EntryState.DROPPED, EntryState.USED, EntryState.USED), states(j));
        assertEquals("grant 0 was revoked", j.entries().get(1).note());
        assertEquals(0, DataMarket.dataset(state(), charlie).orElseThrow().epsilonSpent());

        // The worker never answers: after the time limit the job fails and the budget comes back.
        ended = untilEnded(3);
        assertEquals("failed", ended.state());
        assertEquals(budget + PRICE, ended.refund());
        assertEquals(0, ended.paid());
        assertEquals(EPS, DataMarket.dataset(state(), bob).orElseThrow().epsilonSpent(), "ε stays spent: the worker may have read the data");
        // The worker is told, so that it drops the job instead of answering late; a late answer pays nobody.
        WorkerId assigned = job(3).worker().orElseThrow();
        assertEquals(List.of(new InboundMessage.JobTimedOut(3, assigned)), messagesOf(InboundMessage.JobTimedOut.class, List.of()));
        SimWorker late = assigned.equals(w1.id()) ? w1 : w2;
        long bobEarned = DataMarket.earnings(state(), BOB.account());
        assertRefused(run(late.operator, late.say(new WorkerMessage.JobResult(3, Sha256.hash(new byte[] {1}), new byte[] {9}, 3, 3))),
                "WRONG_JOB_STATE", "is failed");
        assertEquals(bobEarned, DataMarket.earnings(state(), BOB.account()));

        // The buyer withdraws a job awaiting consent.
        run(EVE, job(List.of(bob, charlie, dave), budget));
        assertFailed(run(BOB, new DataMarketCall.CancelJob(4)), "NOT_OWNER", "only the buyer");
        assertEquals("cancelled", one(run(EVE, new DataMarketCall.CancelJob(4)), Event.JobEnded.class).state());
        assertEquals(0, balance(DataMarket.ESCROW));
    }

    @Test
    void aFailureBeforeAnyDataWasReadGivesTheEpsilonBack() {
        long bob = survey(BOB, "bob");
        long charlie = survey(CHARLIE, "charlie");
        long dave = survey(DAVE, "dave");
        for (long id : List.of(bob, charlie, dave)) {
            SigningKey owner = id == bob ? BOB : id == charlie ? CHARLIE : DAVE;
            run(owner, new DataMarketCall.SetPolicy(id, 1 << RESEARCH, 0));
        }
        List<EventRecord> started = run(EVE, job(List.of(bob, charlie, dave), 3 * PRICE + DataMarket.JOB_FEE));
        SimWorker w = one(started, Event.JobStarted.class).worker().equals(w1.id()) ? w1 : w2;
        assertEquals(EPS, DataMarket.dataset(state(), bob).orElseThrow().epsilonSpent());
        Event.JobEnded ended = one(run(w.operator, w.say(new WorkerMessage.JobFailed(1, "NOT_AGGREGATE",
                "only aggregate queries are accepted", false))), Event.JobEnded.class);
        assertEquals("failed", ended.state());
        assertEquals("NOT_AGGREGATE: only aggregate queries are accepted", ended.reason());
        assertEquals(3 * PRICE + DataMarket.JOB_FEE, ended.refund());
        assertEquals(0, DataMarket.dataset(state(), bob).orElseThrow().epsilonSpent());
    }

    @Test
    void deletionCancelsStorageOrdersDropsTheDatasetAndTheDesignatedWorkerSignsTheReceipt() {
        long bob = survey(BOB, "bob");
        Hash file = fileOf("bob", "a");
        assertNoFailure(run(BOB, new StorageCall.PlaceOrder(file, 1_000, 1, 10, 1_000, new byte[0])));
        assertTrue(StorageMarket.order(state(), file).isPresent());
        assertFailed(run(CHARLIE, new DataMarketCall.DeleteDataset(bob)), "NOT_OWNER", "belongs to");
        List<EventRecord> deleted = run(BOB, new DataMarketCall.DeleteDataset(bob));
        assertEquals(new Event.DatasetDeleted(bob, 1), one(deleted, Event.DatasetDeleted.class));
        assertTrue(StorageMarket.order(state(), file).isEmpty(), "the storage order was cancelled");
        DataMarket.Dataset d = DataMarket.dataset(state(), bob).orElseThrow();
        assertTrue(d.deleted());
        assertTrue(d.listing().isEmpty());
        InboundMessage.DatasetDeleted msg = (InboundMessage.DatasetDeleted) messagesOf(InboundMessage.DatasetDeleted.class, deleted).get(0);
        assertEquals(d.receiptWorker().orElseThrow(), msg.receiptWorker());
        assertFailed(run(BOB, new DataMarketCall.DeleteDataset(bob)), "DATASET_DELETED", "was deleted at block");
        assertFailed(run(EVE, job(List.of(bob), PRICE * 2)), "DATASET_DELETED", "deleted by its owner");

        SimWorker designated = msg.receiptWorker().equals(w1.id()) ? w1 : w2;
        SimWorker other = designated == w1 ? w2 : w1;
        WorkerMessage.DeletionReceipt receipt = new WorkerMessage.DeletionReceipt(bob, d.deletedAt());
        assertRefused(run(other.operator, other.say(receipt)), "BAD_ORIGIN", "was not asked");
        assertRefused(run(designated.operator, designated.say(new WorkerMessage.DeletionReceipt(bob, d.deletedAt() + 1))), "UNKNOWN_DATASET",
                "deleted at block");
        assertNoFailure(run(designated.operator, designated.say(receipt)));
        SignedWorkerMessage signed = SignedWorkerMessage.decode(DataMarket.dataset(state(), bob).orElseThrow().receipt());
        assertEquals(receipt, signed.message());
        assertTrue(signed.verify(f.chain.info().genesisHash()), "the receipt verifies under the worker's identity key");
        assertRefused(run(designated.operator, designated.say(receipt)), "DUPLICATE", "already has its receipt");
    }

    @Test
    void jobsBySchemaUseEveryEligibleListingAndEpsilonAddsUpOverARandomSequenceOfJobs() {
        long bob = survey(BOB, "bob");
        long charlie = survey(CHARLIE, "charlie");
        long dave = survey(DAVE, "dave");
        run(ALICE, new DataMarketCall.RegisterDataset("regions", OTHER_SCHEMA, 0)); // another schema: never chosen
        for (long id : List.of(bob, charlie, dave)) {
            SigningKey owner = id == bob ? BOB : id == charlie ? CHARLIE : DAVE;
            run(owner, new DataMarketCall.SetPolicy(id, 1 << RESEARCH, 0));
        }
        long total = 1_000_000; // each survey lists ε total 1.0, cap 0.1 (see survey())
        Random random = new Random(7);
        Map<Long, Long> expected = new HashMap<>(Map.of(bob, 0L, charlie, 0L, dave, 0L));
        int jobs = 0;
        while (true) {
            long eps = 1 + random.nextInt((int) EPS);
            long left = expected.values().stream().mapToLong(x -> total - x).min().orElseThrow();
            List<EventRecord> events = run(EVE, new DataMarketCall.SubmitJob(RESEARCH, SQL, List.of(), DataMarketCall.schemaHash(SCHEMA), eps,
                    3 * PRICE + DataMarket.JOB_FEE, 0, new byte[32]));
            if (eps > left) {
                assertFailed(events, "BUDGET_EXHAUSTED", "have spent their ε budget");
                break;
            }
            jobs++;
            Event.JobStarted started = one(events, Event.JobStarted.class);
            assertEquals(3, started.datasets());
            expected.replaceAll((id, spent) -> spent + eps);
            SimWorker w = started.worker().equals(w1.id()) ? w1 : w2;
            boolean fails = random.nextInt(4) == 0;
            if (fails) {
                run(w.operator, w.say(new WorkerMessage.JobFailed(job(jobs(state())).id(), "SQL_REFUSED", "refused", false)));
                expected.replaceAll((id, spent) -> spent - eps);
            } else {
                run(w.operator, w.say(new WorkerMessage.JobResult(job(jobs(state())).id(), Hash.ZERO, new byte[0], 3, 3)));
            }
            for (long id : List.of(bob, charlie, dave)) {
                assertEquals(expected.get(id), DataMarket.dataset(state(), id).orElseThrow().epsilonSpent(), "ε spent on dataset " + id);
            }
            assertEquals(0, balance(DataMarket.ESCROW), "no money left in escrow between jobs");
        }
        assertTrue(jobs >= 10, "enough jobs ran to exhaust the budget: " + jobs);
        for (long id : List.of(bob, charlie, dave)) {
            DataMarket.Dataset d = DataMarket.dataset(state(), id).orElseThrow();
            assertTrue(d.epsilonSpent() <= total, "never over budget");
            assertEquals(total - d.epsilonSpent(), d.epsilonLeft());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A listed survey dataset of {@code owner} with one batch of 10 rows: price PRICE per use, research, k 3, ε 1.0 total, 0.1 per job. */
    private long survey(SigningKey owner, String name) {
        List<EventRecord> reg = run(owner, new DataMarketCall.RegisterDataset(name, SCHEMA, 0));
        long id = one(reg, Event.DatasetRegistered.class).dataset();
        assertNoFailure(run(owner, new DataMarketCall.AddBatch(id, fileOf(name, "a"), 10, 1_000, new byte[80])));
        assertNoFailure(run(owner, listing(id, PRICE)));
        return id;
    }

    private static DataMarketCall.SetListing listing(long id, long price) {
        return new DataMarketCall.SetListing(id, new DataMarketCall.Listing("a survey", price, 0, 1 << RESEARCH, 3, 1_000_000, EPS, 1));
    }

    private static DataMarketCall.AddBatch batch(long id, String name, long rows) {
        return new DataMarketCall.AddBatch(id, fileOf("batch", name), rows, rows * 100, new byte[80]);
    }

    private static Hash fileOf(String owner, String name) {
        return Sha256.hash((owner + "/" + name).getBytes(StandardCharsets.UTF_8));
    }

    private static DataMarketCall.SubmitJob job(List<Long> datasets, long budget) {
        return new DataMarketCall.SubmitJob(RESEARCH, SQL, datasets, Hash.ZERO, EPS, budget, 0, new byte[32]);
    }

    private DataMarket.Job job(long id) {
        return DataMarket.job(state(), id).orElseThrow();
    }

    private static long jobs(StateReader s) {
        return DataMarket.nextJob(s) - 1;
    }

    private static List<EntryState> states(DataMarket.Job j) {
        return j.entries().stream().map(DataMarket.JobEntry::state).toList();
    }

    private Event.JobEnded untilEnded(long id) {
        for (int i = 0; i < DataMarket.JOB_TIME_LIMIT_BLOCKS + DataMarket.MAX_CONSENT_BLOCKS; i++) {
            List<EventRecord> events = seal();
            for (EventRecord e : events) {
                if (e.event() instanceof Event.JobEnded x && x.job() == id) {
                    return x;
                }
            }
        }
        throw new AssertionError("job " + id + " did not end");
    }

    private SimWorker worker(SigningKey operator) {
        return SimWorker.create(f, machine, root, BUILD, operator, RANDOM);
    }

    private static RegistryCall.RegisterWorker registration(SimWorker w) {
        return w.registration();
    }

    private Hash genesis() {
        return f.chain.info().genesisHash();
    }

    private StateReader state() {
        return f.chain.state();
    }

    private void submit(SigningKey from, Call call) {
        f.submitNext(from, call);
    }

    private List<EventRecord> seal() {
        return f.sealAll();
    }

    private List<EventRecord> run(SigningKey from, Call call) {
        submit(from, call);
        return seal();
    }

    private long balance(SigningKey k) {
        return balance(k.account());
    }

    private long balance(AccountId a) {
        return f.chain.account(a).balance();
    }

    private Map<AccountId, Long> balances() {
        Map<AccountId, Long> out = new HashMap<>();
        for (String n : DevKeys.NAMES) {
            out.put(DevKeys.get(n).account(), balance(DevKeys.get(n)));
        }
        out.put(DataMarket.ESCROW, balance(DataMarket.ESCROW));
        return out;
    }

    private List<InboundMessage> messagesOf(Class<? extends InboundMessage> type, List<EventRecord> ofTheHeadBlock) {
        List<InboundMessage> found = new ArrayList<>(f.chain.workerMessages(f.chain.head().height()).orElseThrow().stream().filter(type::isInstance).toList());
        assertEquals(1, found.size(), () -> "one " + type.getSimpleName());
        return found;
    }

    private static void assertNoFailure(List<EventRecord> events) {
        assertTrue(all(events, Event.TxFailed.class).isEmpty(), events.toString());
        assertTrue(all(events, Event.WorkerMessageRefused.class).isEmpty(), events.toString());
    }

    private static void assertRefused(List<EventRecord> events, String reason, String messagePart) {
        assertTrue(all(events, Event.TxFailed.class).isEmpty(), events.toString());
        Event.WorkerMessageRefused refused = one(events, Event.WorkerMessageRefused.class);
        assertEquals(reason, refused.reason(), refused.message());
        assertTrue(refused.message().contains(messagePart), "'" + refused.message() + "' should contain '" + messagePart + "'");
    }
}
