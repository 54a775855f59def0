package cloister.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.common.Hex;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.market.data.DatasetPreview;
import cloister.market.data.Schema;
import cloister.storage.chunk.ChunkedFile;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The market part of the client: query strings, JSON to records, 404 as empty; and the collector's limits. */
class MarketClientTest {
    private static final AccountId BOB = DevKeys.get("bob").account();
    private static final Schema SCHEMA = Schema.parse("age_band:text,income:real[0,250000]");
    private static final DatasetPreview PREVIEW = new DatasetPreview(SCHEMA.hash(), 100_000, 41,
            java.util.List.of(new DatasetPreview.ColumnSummary("income", 39, java.util.OptionalDouble.of(61_250.5))));

    private HttpServer server;
    private final Map<String, String> answers = new HashMap<>();
    private final StringBuilder asked = new StringBuilder();
    private CloisterClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String uri = ex.getRequestURI().toString();
            asked.append(uri).append('\n');
            String body = answers.get(uri);
            int status = body == null ? 404 : 200;
            byte[] bytes = (body == null ? "{\"code\":\"UNKNOWN_DATASET\",\"message\":\"no dataset\"}" : body).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        client = new CloisterClient("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void queriesBecomeQueryStrings() {
        assertEquals("", DatasetQuery.all().queryString());
        assertEquals("?owner=" + BOB.address() + "&name=my+survey&schema=" + SCHEMA.hash().hex() + "&purpose=research&listed=true&q=a%26b",
                DatasetQuery.all().owner(BOB).name("my survey").schema(SCHEMA.hash()).purpose("research").listed().text("a&b").queryString());
        assertEquals("", JobQuery.all().queryString());
        assertEquals("?buyer=" + BOB.address() + "&state=running&owner=" + BOB.address(),
                JobQuery.all().buyer(BOB).state("running").awaiting(BOB).queryString());
    }

    @Test
    void aDatasetParsesWithItsSchemaListingGrantsAndPolicy() {
        answers.put("/v1/market/datasets/7", """
                {"id":7,"name":"survey","owner":"%s","createdAt":3,"cluster":0,"schema":"%s","schemaHash":"%s","schemaBytes":"%s",
                 "rows":40,"size":4096,"batchCount":1,"batches":[{"cid":"bafkreiabc","rows":40,"size":4096,"dataKey":"escrowed"}],
                 "listed":true,"listing":{"description":"d","pricePerUse":"100000000","pricePerRow":"0","listPrice":"100000000",
                 "purposes":["research"],"k":3,"epsilonTotal":"1","epsilonTotalMicros":1000000,"epsilonCap":"0.25","epsilonCapMicros":250000,
                 "maxRowsPerOwner":1,"preview":{},"previewHex":"%s"},"epsilonSpentMicros":100000,"epsilonLeftMicros":900000,
                 "policy":{"purposes":["research","education"],"minPrice":"5"},
                 "grants":[{"index":0,"buyer":"any","purposes":["research"],"algorithm":"any aggregate","price":"1","expiresAt":0,"maxUses":0,
                 "uses":2,"revoked":false,"usable":true}],"uses":2,"earned":"200000000","deleted":false,"deletedAt":0,"receiptWorker":null,
                 "receiptPresent":false}
                """.formatted(BOB.address(), SCHEMA.spec(), SCHEMA.hash().hex(), Hex.encode(SCHEMA.encode()), Hex.encode(PREVIEW.encode())));
        DatasetInfo d = client.dataset(7).orElseThrow();
        assertEquals(Optional.of(PREVIEW), d.listing().orElseThrow().preview());
        assertEquals(Optional.of(SCHEMA), d.schema());
        assertEquals(BOB, d.owner());
        assertTrue(d.listed());
        assertEquals(100_000_000, d.listing().orElseThrow().listPrice());
        assertEquals(250_000, d.listing().orElseThrow().epsilonCapMicros());
        assertEquals(900_000, d.epsilonLeftMicros());
        assertEquals(5, d.policy().orElseThrow().minPrice());
        assertEquals(Optional.empty(), d.grants().get(0).buyer(), "any buyer");
        assertEquals(Optional.empty(), d.grants().get(0).sqlHash(), "any aggregate");
        assertEquals("bafkreiabc", d.batches().get(0).cid());
        assertEquals(200_000_000, d.earned());
        assertEquals(Optional.empty(), d.receiptWorker());

        assertEquals(Optional.empty(), client.dataset(8), "404 is empty");
        assertEquals(Optional.empty(), client.job(8));
    }

    @Test
    void aSchemaWhoseBytesDoNotMatchItsHashIsLeftOut() {
        answers.put("/v1/market/datasets/1", """
                {"id":1,"name":"x","owner":"%s","schemaHash":"%s","schemaBytes":"%s","listing":null,"policy":null,"grants":[]}
                """.formatted(BOB.address(), Hash.ZERO.hex(), Hex.encode(SCHEMA.encode())));
        assertEquals(Optional.empty(), client.dataset(1).orElseThrow().schema());
    }

    @Test
    void aJobParses() {
        answers.put("/v1/market/jobs?buyer=" + BOB.address(), """
                {"jobs":[{"id":4,"buyer":"%s","purpose":"research","sql":"SELECT COUNT(*) FROM t","sqlHash":"%s","schemaHash":"%s",
                 "epsilon":"0.1","epsilonMicros":100000,"budget":"110000000","submittedAt":5,"consentDeadline":25,"state":"done",
                 "datasets":[{"dataset":7,"owner":"%s","state":"used","price":"100000000","how":"policy","note":""}],"datasetOwners":1,
                 "worker":null,"startedAt":6,"endedAt":8,"owners":1,"rows":40,"resultHash":"%s","sealedResultBytes":3,
                 "paid":"110000000","refund":"0","reason":""}],"more":false}
                """.formatted(BOB.address(), Hash.ZERO.hex(), SCHEMA.hash().hex(), BOB.address(), SCHEMA.hash().hex()));
        JobInfo j = client.jobs(JobQuery.all().buyer(BOB)).get(0);
        assertEquals(4, j.id());
        assertTrue(j.ended());
        assertEquals("done", j.stateText());
        assertEquals(Optional.of(SCHEMA.hash()), j.resultHash());
        assertEquals(0, j.sealedResult().length, "lists leave the sealed bytes out");
        assertEquals("policy", j.datasets().get(0).how());
        assertEquals(110_000_000, j.paid());
        assertFalse(new JobInfo(1, BOB, "research", "", Hash.ZERO, Hash.ZERO, 1, 1, 1, 1, JobInfo.RUNNING, java.util.List.of(), 0,
                Optional.empty(), Optional.empty(), 0, 0, 0, 0, Optional.empty(), 0, new byte[0], 0, 0, "").ended());
    }

    @Test
    void collectorLimitsAreTheEnclavesAndOptionsAreChecked() {
        int chunks = DataCollector.MAX_BATCH_BYTES / ChunkedFile.CHUNK_SIZE;
        assertEquals(DataCollector.ENCLAVE_FILE_BLOCKS, chunks + 1, "the chunks and the manifest are the enclave's 64 blocks");
        long stored = (long) chunks * (ChunkedFile.CHUNK_SIZE + ChunkedFile.BLOCK_OVERHEAD) + 64 * 1024; // a generous manifest
        assertTrue(stored <= 16 << 20, "under 16 MiB stored: " + stored);
        DataCollector.Options d = DataCollector.Options.defaults();
        assertEquals(2, d.replicas());
        assertEquals(0, d.cluster());
        assertEquals(100_000, d.maxBatchRows());
        assertThrows(IllegalArgumentException.class, () -> d.withBatchLimits(100_001, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> d.withBatchLimits(10, DataCollector.MAX_BATCH_BYTES + 1));
        assertThrows(IllegalArgumentException.class, () -> d.withStorage(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> d.withCluster(-1));
    }

    @Test
    void aBadNameIsRefusedBeforeTheNodeIsAsked() {
        DataCollector c = new DataCollector(client, DevKeys.get("bob"));
        for (String name : new String[] {"", " survey", "a\nb", "x".repeat(65)}) {
            CloisterApiException e = assertThrows(CloisterApiException.class,
                    () -> c.collect(java.util.List.<Object[]>of(), name, SCHEMA, DataCollector.Options.defaults(), DataCollector.Progress.NONE));
            assertEquals("INVALID_ARGUMENT", e.code());
        }
        assertEquals("", asked.toString());
    }
}
