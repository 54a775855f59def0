package cloister.node.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.node.CanaryScan;
import cloister.node.devnet.LocalNetwork;
import cloister.sdk.CloisterClient;
import cloister.sdk.StorageFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage network end to end on an in-process devnet with four storage providers (sim TEE) and short slots:
 * {@code storage put} through the CLI reaches its replica target on distinct providers; {@code get} returns the same
 * bytes; a byte flipped on a provider's disk is found by its watchdog and the replica repaired; a killed provider's
 * replica is repaired elsewhere within three slots; a restarted provider downloads nothing it has; and neither the
 * chain, the staging gateway nor any provider ever holds the plaintext (canary scan of every file on disk).
 */
class StorageNetworkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Slots of 6 blocks of 500 ms: every provider must get a work report on chain in each 3 s slot, and a repair (a
     * new holder fetching 1.3 MB and reporting it) has about one slot of slack in "within three slots". At 250 ms
     * blocks that slack was 1.5–2 s against up to 1 s of work on an idle machine.
     */
    private static final int SLOT_BLOCKS = 6;
    private static final byte[] CANARY = "CANARY-c6f1e0a2-storage-plaintext-must-never-leave".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;
    static LocalNetwork net;
    static CloisterClient client;
    static Map<String, String> env = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        LocalNetwork.Options o = LocalNetwork.Options.defaults(ChainConfig.dev(dir.resolve("net")).withBlockTime(500))
                .withApi("127.0.0.1", 0).withWorkers(1, 0).withStorage(4, false, SLOT_BLOCKS);
        net = LocalNetwork.start(o);
        net.setUp(s -> { }, Duration.ofSeconds(90));
        env.put("CLOISTER_NODE", net.apiUrl());
        env.put("CLOISTER_HOME", dir.resolve("home").toString());
        client = new CloisterClient(net.apiUrl());
        await("four active providers", Duration.ofSeconds(60), () -> client.storageProviders().stream().filter(p -> p.active()).count() == 4);
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void putRepairGetAndNoPlaintextAnywhere() throws Exception {
        // A 1.3 MiB file (6 chunks) full of canaries.
        byte[] data = new byte[1_300_000];
        new Random(7).nextBytes(data);
        for (int at = 0; at + CANARY.length < data.length; at += 4096) {
            System.arraycopy(CANARY, 0, data, at, CANARY.length);
        }
        Path file = dir.resolve("report.bin");
        Files.write(file, data);

        CliRun put = CliRun.of(env, "storage", "put", file.toString(), "--as", "alice", "--replicas", "3", "--slots", "500", "--json");
        assertEquals(0, put.exit(), put.err());
        String cid = JSON.readTree(put.out()).path("cid").asText();
        assertTrue(cid.startsWith("bafkrei"), cid);
        StorageFile order = awaitHealthy(cid, 3, Duration.ofSeconds(60));
        assertEquals(3, order.replicas().stream().map(StorageFile.Replica::provider).distinct().count(), "distinct providers");

        CliRun status = CliRun.of(env, "storage", "status", cid);
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().contains("3 of 3 healthy"), status.out());

        Path back = dir.resolve("back.bin");
        CliRun get = CliRun.of(env, "storage", "get", cid, "-o", back.toString(), "--as", "alice");
        assertEquals(0, get.exit(), get.err());
        assertArrayEquals(data, Files.readAllBytes(back));
        CliRun stranger = CliRun.of(env, "storage", "get", cid, "-o", dir.resolve("x.bin").toString(), "--as", "bob");
        assertEquals(1, stranger.exit());
        assertTrue(stranger.err().contains("NOT_YOUR_FILE"), stranger.err());
        assertFalse(Files.exists(dir.resolve("x.bin")));

        // Flip one byte of a stored chunk on a provider's disk: its watchdog finds it within a round, the replica is
        // lost, and the file is back at three healthy replicas.
        LocalNetwork.Provider victim = holder(order, 0);
        Path block = anyChunkFile(victim);
        byte[] bytes = Files.readAllBytes(block);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(block, bytes);
        await("the watchdog to find the flipped byte", Duration.ofSeconds(30), () -> victim.service().failedBlocks() > 0);
        awaitHealthy(cid, 3, Duration.ofSeconds(60));

        // Kill a provider that holds a replica: back at three healthy replicas, without it, within three slots.
        order = awaitHealthy(cid, 3, Duration.ofSeconds(30));
        LocalNetwork.Provider killed = holder(order, 1);
        long killedAt = client.storageInfo().slot();
        assertTrue(net.stopProvider(killed.name()));
        StorageFile repaired = await("repair without " + killed.name(), Duration.ofSeconds(60), () -> {
            StorageFile f = client.storageFile(cid).orElseThrow();
            return f.healthy() == 3 && f.replicas().stream().noneMatch(r -> r.provider().equals(killed.id())) ? f : null;
        });
        long repairedAt = client.storageInfo().slot();
        assertTrue(repairedAt - killedAt <= 3, "repaired in slot " + repairedAt + ", killed in slot " + killedAt);
        assertEquals(3, repaired.replicas().size());

        // Restart a provider that holds a replica: it resumes from its disk and downloads nothing.
        LocalNetwork.Provider restarted = holder(repaired, 2);
        assertTrue(net.stopProvider(restarted.name()));
        assertTrue(net.startProvider(restarted.name()));
        await("the restarted provider to verify its chunks again", Duration.ofSeconds(30),
                () -> restarted.service().verifiedBlocks() > 0);
        assertEquals(0, restarted.service().fetchedBlocks(), "a restarted provider downloads nothing it has");

        // Bytes identical once more, from the repaired set.
        Files.delete(back);
        CliRun again = CliRun.of(env, "storage", "get", cid, "-o", back.toString(), "--as", "alice");
        assertEquals(0, again.exit(), again.err());
        assertArrayEquals(data, Files.readAllBytes(back));

        // Canary scan: chain database, staging gateway, every provider's blocks and sealed state, worker state.
        Files.delete(back);
        Files.delete(file);
        List<Path> leaks = CanaryScan.filesContaining(dir.resolve("net"), CANARY);
        assertEquals(List.of(), leaks, "plaintext found outside the client");

        // Cancel: the owner gets the unearned escrow back and the order is gone.
        CliRun notOwner = CliRun.of(env, "storage", "rm", cid, "--as", "bob");
        assertEquals(1, notOwner.exit());
        assertTrue(notOwner.err().contains("NOT_OWNER"), notOwner.err());
        CliRun rm = CliRun.of(env, "storage", "rm", cid, "--as", "alice");
        assertEquals(0, rm.exit(), rm.err());
        assertTrue(client.storageFile(cid).isEmpty());
    }

    @Test
    void refusalsHaveReasons() throws Exception {
        CliRun badCid = CliRun.of(env, "storage", "status", "QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB");
        assertEquals(2, badCid.exit());
        assertTrue(badCid.err().contains("not a CID"), badCid.err());
        CliRun unknown = CliRun.of(env, "storage", "status", "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("no storage order"), unknown.err());
        Path small = dir.resolve("small.txt");
        Files.writeString(small, "hello");
        CliRun poor = CliRun.of(env, "storage", "put", small.toString(), "--as", "alice", "--price", "1000", "--slots", "1000");
        assertEquals(1, poor.exit());
        assertTrue(poor.err().contains("INSUFFICIENT_BALANCE"), poor.err());
        CliRun missing = CliRun.of(env, "storage", "put", dir.resolve("nope.bin").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }

    private static LocalNetwork.Provider holder(StorageFile f, int index) {
        List<StorageFile.Replica> healthy = f.replicas().stream().filter(r -> r.status().equals("healthy")).toList();
        StorageFile.Replica r = healthy.get(index % healthy.size());
        return net.providers().stream().filter(p -> p.id().equals(r.provider())).findFirst().orElseThrow();
    }

    private static Path anyChunkFile(LocalNetwork.Provider p) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("net").resolve("providers").resolve(p.name()).resolve("blocks"))) {
            // Chunks are 256 KiB + 28 bytes; the manifest is small.
            return files.filter(Files::isRegularFile).filter(x -> x.getFileName().toString().startsWith("bafkrei"))
                    .filter(x -> x.toFile().length() > 100_000).findFirst().orElseThrow();
        }
    }
    private static StorageFile awaitHealthy(String cid, int n, Duration timeout) throws Exception {
        return await(cid + " at " + n + " healthy replicas", timeout, () -> {
            StorageFile f = client.storageFile(cid).orElseThrow();
            return f.healthy() >= n ? f : null;
        });
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) throws Exception {
        await(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    private static <T> T await(String what, Duration timeout, java.util.concurrent.Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = probe.call();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
