package cloister.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.chain.ChainConfig;
import cloister.chain.ChainNode;
import cloister.crypto.DevKeys;
import cloister.node.api.ApiServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process against a real chain node and API server. */
class CliIT {
    @TempDir
    static Path dir;

    static ChainNode node;
    static ApiServer api;
    static Map<String, String> env = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        node = ChainNode.start(ChainConfig.dev(dir.resolve("chain")).withInstantSeal(true));
        api = ApiServer.start(node.view(), node.submitter(), "127.0.0.1", 0);
        env.put("CLOISTER_NODE", "http://127.0.0.1:" + api.port());
        env.put("CLOISTER_HOME", dir.resolve("home").toString());
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static long balanceUnits(String who) throws Exception {
        CliRun r = CliRun.of(env, "account", who, "--json");
        assertEquals(0, r.exit(), r.err());
        return Long.parseLong(CliCommand.JSON.readTree(r.out()).path("balance").asText());
    }

    @Test
    void transferWaitsForInclusionAndAccountShowsTheBalance() throws Exception {
        long before = balanceUnits("charlie");
        CliRun t = CliRun.of(env, "transfer", "--from", "alice", "--to", "charlie", "2.5");
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("included") && t.out().contains("block ") && t.out().contains("success"), t.out());
        assertEquals(before + 2_500_000_000L, balanceUnits("charlie"));

        CliRun human = CliRun.of(env, "account", DevKeys.get("charlie").account().address());
        assertEquals(0, human.exit());
        assertTrue(human.out().contains("balance") && human.out().contains(" CLO"), human.out());

        assertEquals(0, CliRun.of(env, "head").exit());
        CliRun block = CliRun.of(env, "block");
        assertEquals(0, block.exit());
        assertTrue(block.out().contains("balances.transfer"), block.out());
        CliRun events = CliRun.of(env, "events", "--json");
        JsonNode ev = CliCommand.JSON.readTree(events.out());
        assertTrue(ev.path("events").size() >= 2, events.out());
    }

    @Test
    void refusalFromTheNodeIsCodeAndMessageExit1() {
        CliRun r = CliRun.of(env, "transfer", "--from", "bob", "--to", "alice", "5000000");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: INSUFFICIENT_BALANCE: "), r.err());
        assertEquals(1, r.err().strip().lines().count());
    }

    @Test
    void keystoreKeyCanSignAfterFunding() throws Exception {
        Map<String, String> withPass = new HashMap<>(env);
        withPass.put("CLOISTER_PASSPHRASE", "pass for tests");
        assertEquals(0, CliRun.of(withPass, "key", "new", "spender").exit());
        assertEquals(0, CliRun.of(env, "transfer", "--from", "dave", "--to", "spender", "3").exit());
        CliRun noPass = CliRun.of(env, "transfer", "--from", "spender", "--to", "eve", "1");
        assertEquals(2, noPass.exit(), noPass.err());
        CliRun signed = CliRun.of(withPass, "transfer", "--from", "spender", "--to", "eve", "1", "--no-wait");
        assertEquals(0, signed.exit(), signed.err());
        assertTrue(signed.out().contains("submitted"));
    }
}
