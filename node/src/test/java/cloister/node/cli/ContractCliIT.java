package cloister.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.node.devnet.LocalNetwork;
import cloister.proto.ContractId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract commands against a whole in-process network (chain, API, gatekeeper and two sim workers): upload
 * (checked on chain), instantiate, upgrade by the owner only, and the secret-notes system contract's raw
 * command/query path.
 */
class ContractCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalNetwork net;
    static Map<String, String> env = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        net = LocalNetwork.start(LocalNetwork.Options.defaults(ChainConfig.dev(dir.resolve("net")).withInstantSeal(true)).withApi("127.0.0.1", 0).withStorage(0, false, 10));
        net.setUp(s -> { }, Duration.ofSeconds(60));
        env.put("CLOISTER_NODE", net.apiUrl());
        env.put("CLOISTER_HOME", dir.resolve("home").toString());
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    /** The smallest acceptable contract: one-page memory exported as "memory", one empty function as {@code call} and {@code query}. */
    static byte[] tinyWasm() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        m.writeBytes(new byte[] {1, 4, 1, 0x60, 0, 0});               // type: () -> ()
        m.writeBytes(new byte[] {3, 2, 1, 0});                        // one function of type 0
        m.writeBytes(new byte[] {5, 3, 1, 0, 1});                     // memory: 1 page
        m.writeBytes(new byte[] {7, 25, 3, 4, 'c', 'a', 'l', 'l', 0, 0, 5, 'q', 'u', 'e', 'r', 'y', 0, 0, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0});
        m.writeBytes(new byte[] {10, 4, 1, 2, 0, 0x0B});              // body: no locals, end
        return m.toByteArray();
    }

    @Test
    void uploadInstantiateAndUpgradeWithReasonsForRefusals() throws Exception {
        Path good = dir.resolve("tiny.wasm");
        Files.write(good, tinyWasm());
        Path bad = dir.resolve("bad.wasm");
        Files.write(bad, "definitely not wasm".getBytes(StandardCharsets.US_ASCII));

        CliRun up = CliRun.of(env, "contract", "upload", good.toString(), "--as", "alice", "--json");
        assertEquals(0, up.exit(), up.err());
        String codeHash = JSON.readTree(up.out()).path("codeHash").asText();
        assertEquals(Sha256.hash(tinyWasm()).hex(), codeHash);
        CliRun upAgain = CliRun.of(env, "contract", "upload", good.toString(), "--as", "alice", "--json");
        assertEquals(0, upAgain.exit(), upAgain.err());
        assertTrue(JSON.readTree(upAgain.out()).path("alreadyUploaded").asBoolean(), "stored by hash: nothing sent again");

        CliRun refused = CliRun.of(env, "contract", "upload", bad.toString(), "--as", "alice");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().startsWith("error: INVALID_CODE: MALFORMED_WASM"), refused.err());
        assertTrue(refused.noStackTrace(), refused.err());
        CliRun missing = CliRun.of(env, "contract", "upload", dir.resolve("nope.wasm").toString(), "--as", "alice");
        assertEquals(2, missing.exit(), missing.err());

        CliRun inst = CliRun.of(env, "contract", "instantiate", codeHash, "--as", "bob", "--salt", "0a", "--args", "cafe", "--json");
        assertEquals(0, inst.exit(), inst.err());
        String id = JSON.readTree(inst.out()).path("contract").asText();
        assertEquals(ContractId.wasm(DevKeys.get("bob").account(), cloister.common.Hash.fromHex(codeHash), 0, new byte[] {10}).hex(), id);
        JsonNode info = JSON.readTree(CliRun.of(env, "contract", "info", id, "--json").out());
        assertEquals("wasm", info.path("kind").asText());
        assertEquals(DevKeys.get("bob").account().address(), info.path("owner").asText());
        CliRun again = CliRun.of(env, "contract", "instantiate", codeHash, "--as", "bob", "--salt", "0a");
        assertEquals(1, again.exit());
        assertTrue(again.err().startsWith("error: DUPLICATE: "), again.err());

        CliRun notOwner = CliRun.of(env, "contract", "upgrade", id, codeHash, "--as", "alice");
        assertEquals(1, notOwner.exit());
        assertTrue(notOwner.err().startsWith("error: NOT_OWNER: "), notOwner.err());
        CliRun owner = CliRun.of(env, "contract", "upgrade", id, codeHash, "--as", "bob");
        assertEquals(0, owner.exit(), owner.err());
        CliRun unknown = CliRun.of(env, "contract", "upgrade", id, "ab".repeat(32), "--as", "bob");
        assertTrue(unknown.err().startsWith("error: UNKNOWN_CODE: "), unknown.err());
    }

    @Test
    void rawCommandAndQueryOfTheNotesContract() throws Exception {
        String notes = ContractId.system("secret-notes", 0).hex();
        byte[] add = cloister.proto.envelope.SecretNotesMessages.encode(new cloister.proto.envelope.SecretNotesMessages.AddNote("raw"));
        CliRun cmd = CliRun.of(env, "contract", "command", "--as", "dave", notes, cloister.common.Hex.encode(add));
        assertEquals(0, cmd.exit(), cmd.out() + cmd.err());
        byte[] list = cloister.proto.envelope.SecretNotesMessages.encode(new cloister.proto.envelope.SecretNotesMessages.ListNotes());
        CliRun q = CliRun.of(env, "contract", "query", "--as", "dave", notes, cloister.common.Hex.encode(list), "--json");
        assertEquals(0, q.exit(), q.err());
        JsonNode a = JSON.readTree(q.out());
        assertTrue(a.path("simulated").asBoolean());
        var decoded = cloister.proto.envelope.SecretNotesMessages.decodeNotes(cloister.common.Hex.decode(a.path("answer").asText()));
        assertEquals("raw", decoded.get(0).text());
        CliRun badHex = CliRun.of(env, "contract", "query", "--as", "dave", notes, "zz");
        assertEquals(2, badHex.exit());
    }

    @Test
    void theExampleContractsAreWrittenAsTheBuildCompiledThemAndNothingIsOverwrittenSilently() throws Exception {
        Path out = dir.resolve("examples");
        CliRun ex = CliRun.of(env, "contract", "examples", "--out", out.toString());
        assertEquals(0, ex.exit(), ex.err());
        for (cloister.worker.wasm.ExampleContract e : cloister.worker.wasm.ExampleContract.values()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(e.wasm(), Files.readAllBytes(out.resolve(e.fileName() + ".wasm")));
        }
        assertEquals(0, CliRun.of(env, "contract", "examples", "--out", out.toString()).exit(), "same content: fine");
        Files.writeString(out.resolve("auction.wasm"), "mine");
        CliRun clash = CliRun.of(env, "contract", "examples", "--out", out.toString());
        assertEquals(1, clash.exit());
        assertTrue(clash.err().contains("--force"), clash.err());
        assertEquals("mine", Files.readString(out.resolve("auction.wasm")));
    }

    @Test
    void thePrivateVoteRunsEndToEndThroughTheCli() throws Exception {
        Path out = dir.resolve("vote-examples");
        assertEquals(0, CliRun.of(env, "contract", "examples", "--out", out.toString()).exit());
        CliRun up = CliRun.of(env, "contract", "upload", out.resolve("vote.wasm").toString(), "--as", "alice", "--json");
        assertEquals(0, up.exit(), up.err());
        String code = JSON.readTree(up.out()).path("codeHash").asText();
        CliRun inst = CliRun.of(env, "contract", "instantiate", code, "--as", "alice", "--salt", "0b", "--args", "03", "--json");
        assertEquals(0, inst.exit(), inst.err());
        assertTrue(JSON.readTree(inst.out()).path("constructorOk").asBoolean(), inst.out());
        String vote = JSON.readTree(inst.out()).path("contract").asText();

        for (String[] v : new String[][] {{"bob", "0100"}, {"charlie", "0101"}, {"dave", "0101"}}) {
            CliRun r = CliRun.of(env, "contract", "command", vote, v[1], "--as", v[0], "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode n = JSON.readTree(r.out());
            assertTrue(n.path("gasUsed").asLong() > 0 && n.path("fee").asLong() == n.path("gasUsed").asLong(), r.out());
            // The only event is the public "voted": the ballot itself is not in it.
            assertEquals("766f746564", n.path("events").get(0).path("dataHex").asText(), r.out());
        }
        CliRun twice = CliRun.of(env, "contract", "command", vote, "0102", "--as", "bob");
        assertEquals(1, twice.exit());
        assertTrue(twice.err().contains("REVERTED: you have already voted"), twice.err());
        assertTrue(twice.out().contains("gas used"), "a failed call still reports its gas: " + twice.out());
        CliRun early = CliRun.of(env, "contract", "query", vote, "01", "--as", "bob");
        assertEquals(1, early.exit());
        assertTrue(early.err().contains("voting is still open"), early.err());
        CliRun mine = CliRun.of(env, "contract", "query", vote, "02", "--as", "charlie", "--json");
        assertEquals("01", JSON.readTree(mine.out()).path("answer").asText(), "a voter reads only their own ballot");

        CliRun close = CliRun.of(env, "contract", "command", vote, "02", "--as", "alice");
        assertEquals(0, close.exit(), close.err());
        assertTrue(close.out().contains("(\"closed\")"), close.out());
        CliRun tallies = CliRun.of(env, "contract", "query", vote, "01", "--as", "ferdie", "--json");
        assertEquals(0, tallies.exit(), tallies.err());
        assertEquals("0100000000000000" + "0200000000000000" + "0000000000000000", JSON.readTree(tallies.out()).path("answer").asText());
    }
}
