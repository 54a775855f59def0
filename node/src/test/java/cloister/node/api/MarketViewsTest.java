package cloister.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.runtime.datamarket.DataMarket;
import cloister.common.Hash;
import cloister.common.Hex;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.market.data.DatasetPreview;
import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.proto.DataMarketCall;
import cloister.proto.WorkerId;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The market's JSON shapes and filters, on hand-made chain records (no network). */
class MarketViewsTest {
    private static final AccountId BOB = DevKeys.get("bob").account();
    private static final AccountId EVE = DevKeys.get("eve").account();
    private static final Schema SCHEMA = Schema.parse("age_band:text,income:real[0,250000]");
    private static final byte[] ESCROW_KEY = new byte[80];

    static {
        Arrays.fill(ESCROW_KEY, (byte) 0x5a);
    }

    private static DataMarket.Dataset dataset(Optional<DataMarketCall.Listing> listing, long deletedAt) {
        List<DataMarket.Batch> batches = List.of(new DataMarket.Batch(Hash.wrap(new byte[32]), 40, 4096, ESCROW_KEY));
        List<DataMarket.Grant> grants = List.of(
                new DataMarket.Grant(0, DataMarketCall.ANY_BUYER, 1, DataMarketCall.ANY_AGGREGATE, 50_000_000, 0, 0, 0, false),
                new DataMarket.Grant(1, EVE, 1 << 4, Hash.wrap(new byte[32]), 1, 10, 1, 1, false));
        return new DataMarket.Dataset(7, BOB, "survey", SCHEMA.encode(), SCHEMA.hash(), 0, 3, batches, listing,
                Optional.of(new DataMarket.Policy(1, 100_000_000)), grants, 150_000, 300_000_000, 3, deletedAt, Optional.empty(), new byte[0]);
    }

    private static final DataMarketCall.Listing LISTING = new DataMarketCall.Listing("household survey", 100_000_000, 1_000, 0b100001, 3,
            1_000_000, 250_000, 0);

    @Test
    void aDatasetShowsItsMetadataAndSaysEscrowedInsteadOfTheKey() {
        ObjectNode n = MarketViews.dataset(dataset(Optional.of(LISTING), 0), true, 20);
        assertEquals("survey", n.path("name").asText());
        assertEquals(SCHEMA.spec(), n.path("schema").asText());
        assertEquals(SCHEMA.hash().hex(), n.path("schemaHash").asText());
        assertEquals(40, n.path("rows").asLong());
        assertEquals("escrowed", n.path("batches").get(0).path("dataKey").asText());
        assertFalse(n.toString().contains(Hex.encode(ESCROW_KEY)), "the wrapped key's bytes are never shown");
        assertTrue(n.path("listed").asBoolean());
        assertEquals("0.1", n.path("listing").path("pricePerUseCLO").asText());
        assertEquals(Long.toString(100_000_000 + 40 * 1_000), n.path("listing").path("listPrice").asText());
        assertEquals(List.of("research", "market-research"), List.of(n.path("listing").path("purposes").get(0).asText(),
                n.path("listing").path("purposes").get(1).asText()));
        assertEquals("0.25", n.path("listing").path("epsilonCap").asText());
        assertEquals(1, n.path("listing").path("maxRowsPerOwner").asInt(), "0 in the listing means the chain's default, 1");
        assertEquals("0.15", n.path("epsilonSpent").asText());
        assertEquals("0.85", n.path("epsilonLeft").asText());
        assertEquals(850_000, n.path("epsilonLeftMicros").asLong());
        assertEquals("any", n.path("grants").get(0).path("buyer").asText());
        assertEquals("any aggregate", n.path("grants").get(0).path("algorithm").asText());
        assertTrue(n.path("grants").get(0).path("usable").asBoolean());
        assertFalse(n.path("grants").get(1).path("usable").asBoolean(), "expired at block 10 and used up");
        assertEquals("0.3", n.path("earnedCLO").asText());
        assertFalse(n.path("receiptPresent").asBoolean());

        assertTrue(n.path("listing").path("preview").isNull(), "no preview");

        DatasetPreview preview = DatasetPreview.compute(SCHEMA, List.<Object[]>of(new Object[] {"18-29", 60_000.0}, new Object[] {"30-44", null}),
                Epsilon.of("0.1"), (sensitivity, epsilon) -> 0);
        ObjectNode withPreview = MarketViews.dataset(dataset(Optional.of(LISTING.withPreview(preview.encode())), 0), true, 20);
        assertEquals(2, withPreview.path("listing").path("preview").path("records").asLong());
        assertEquals("0.1", withPreview.path("listing").path("preview").path("epsilon").asText());
        assertEquals("income", withPreview.path("listing").path("preview").path("columns").get(0).path("column").asText());
        assertEquals(1, withPreview.path("listing").path("preview").path("columns").get(0).path("count").asLong());
        assertEquals(60_000.0, withPreview.path("listing").path("preview").path("columns").get(0).path("mean").asDouble(), 250);
        assertEquals(Hex.encode(preview.encode()), withPreview.path("listing").path("previewHex").asText());
        ObjectNode junk = MarketViews.dataset(dataset(Optional.of(LISTING.withPreview(new byte[] {1, 2})), 0), true, 20);
        assertTrue(junk.path("listing").path("preview").isNull(), "bytes that are no preview are not shown as one");

        ObjectNode brief = MarketViews.dataset(dataset(Optional.of(LISTING), 0), false, 20);
        assertFalse(brief.has("batches"), "lists leave the batches out");
        assertEquals(1, brief.path("batchCount").asInt());
    }

    @Test
    void filtersCombine() {
        DataMarket.Dataset listed = dataset(Optional.of(LISTING), 0);
        DataMarket.Dataset unlisted = dataset(Optional.empty(), 0);
        DataMarket.Dataset deleted = dataset(Optional.of(LISTING), 9);
        MarketViews.DatasetFilter all = new MarketViews.DatasetFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                false, Optional.empty());
        assertTrue(all.matches(unlisted) && all.matches(deleted));
        MarketViews.DatasetFilter research = new MarketViews.DatasetFilter(Optional.of(BOB), Optional.of("survey"), Optional.of(SCHEMA.hash()),
                Optional.of(0), false, Optional.of("HOUSEHOLD"));
        assertTrue(research.matches(listed));
        assertFalse(research.matches(unlisted), "a purpose filter lists only listed datasets");
        assertFalse(research.matches(deleted), "nor deleted ones");
        assertFalse(new MarketViews.DatasetFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(2), false, Optional.empty())
                .matches(listed), "advertising is not accepted");
        assertFalse(new MarketViews.DatasetFilter(Optional.of(EVE), Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty())
                .matches(listed));
        assertFalse(new MarketViews.DatasetFilter(Optional.empty(), Optional.empty(), Optional.of(Hash.ZERO), Optional.empty(), false, Optional.empty())
                .matches(listed));
        assertFalse(new MarketViews.DatasetFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true, Optional.empty())
                .matches(unlisted));
    }

    @Test
    void jobsShowTheAuditRecordAndFilterByAwaitingOwner() {
        DataMarket.JobEntry pending = new DataMarket.JobEntry(7, BOB, DataMarket.EntryState.PENDING, 100_000_000, "", "waiting for the owner");
        DataMarket.Job job = new DataMarket.Job(4, EVE, 0, "SELECT COUNT(*) FROM t", Hash.wrap(new byte[32]), SCHEMA.hash(), 100_000, 110_000_000,
                5, 25, new byte[32], List.of(pending), DataMarket.JobState.AWAITING_CONSENT, Optional.empty(), 0, 0, Hash.ZERO, new byte[0], 0, 0,
                "", 0, 0);
        ObjectNode n = MarketViews.job(key -> null, job, true);
        assertEquals("awaiting_consent", n.path("state").asText());
        assertEquals("research", n.path("purpose").asText());
        assertEquals("0.1", n.path("epsilon").asText());
        assertEquals("0.11", n.path("budgetCLO").asText());
        assertEquals("pending", n.path("datasets").get(0).path("state").asText());
        assertTrue(n.path("resultHash").isNull());
        assertTrue(n.path("worker").isNull());
        assertEquals("", n.path("sealedResult").asText());

        assertTrue(new MarketViews.JobFilter(Optional.of(EVE), Optional.of(DataMarket.JobState.AWAITING_CONSENT), Optional.of(BOB)).matches(job));
        assertFalse(new MarketViews.JobFilter(Optional.empty(), Optional.empty(), Optional.of(EVE)).matches(job), "Eve decides nothing in it");
        assertFalse(new MarketViews.JobFilter(Optional.of(BOB), Optional.empty(), Optional.empty()).matches(job));

        DataMarket.Job running = new DataMarket.Job(4, EVE, 0, "SELECT COUNT(*) FROM t", Hash.wrap(new byte[32]), SCHEMA.hash(), 100_000,
                110_000_000, 5, 25, new byte[32], List.of(pending), DataMarket.JobState.RUNNING, Optional.of(WorkerId.of(new byte[32])), 9, 0,
                Hash.ZERO, new byte[0], 0, 0, "", 0, 0);
        assertFalse(new MarketViews.JobFilter(Optional.empty(), Optional.empty(), Optional.of(BOB)).matches(running), "no longer waits");
    }

    @Test
    void stateWordsParseInEveryWritingAndPurposesAreListed() {
        assertEquals(Optional.of(DataMarket.JobState.AWAITING_CONSENT), MarketViews.parseState("awaiting consent"));
        assertEquals(Optional.of(DataMarket.JobState.AWAITING_CONSENT), MarketViews.parseState("awaiting-consent"));
        assertEquals(Optional.of(DataMarket.JobState.DONE), MarketViews.parseState("DONE"));
        assertEquals(Optional.empty(), MarketViews.parseState("sleeping"));
        for (DataMarket.JobState s : DataMarket.JobState.values()) {
            assertEquals(Optional.of(s), MarketViews.parseState(MarketViews.stateWord(s)));
        }
        assertEquals(DataMarketCall.PURPOSES.size(), MarketViews.purposes().path("purposes").size());
        assertEquals("public-health", MarketViews.purposes().path("purposes").get(3).path("word").asText());
        assertEquals(8, MarketViews.purposes().path("purposes").get(3).path("mask").asInt());
    }
}
