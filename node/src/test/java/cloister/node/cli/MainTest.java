package cloister.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.crypto.DevKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path home;

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("CLOISTER_HOME", home.toString());
        // a port nobody listens on: commands that reach for a node fail fast
        env.put("CLOISTER_NODE", "http://127.0.0.1:1");
        return env;
    }

    @Test
    void unknownOptionIsUsageErrorExit2WithHint() {
        CliRun r = CliRun.of(env(), "account", "--bogus", "alice");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: Unknown option: '--bogus'"), r.err());
        assertTrue(r.err().contains("Try 'cloister account --help'"), r.err());
        assertEquals(2, r.err().strip().lines().count(), r.err());
        assertTrue(r.noStackTrace());
    }

    @Test
    void missingCommandAndMissingParameterAreUsageErrors() {
        CliRun none = CliRun.of(env());
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("Try 'cloister --help'"), none.err());
        CliRun transfer = CliRun.of(env(), "transfer", "--from", "alice", "10");
        assertEquals(2, transfer.exit());
        assertTrue(transfer.err().contains("--to"), transfer.err());
        assertTrue(transfer.err().contains("Try 'cloister transfer --help'"));
    }

    @Test
    void badAmountAndUnknownAccountAreUsageErrors() {
        CliRun amount = CliRun.of(env(), "transfer", "--from", "alice", "--to", "bob", "0.0000000001");
        assertEquals(2, amount.exit());
        assertTrue(amount.err().contains("more than 9 decimals"), amount.err());
        CliRun who = CliRun.of(env(), "account", "nobody");
        assertEquals(2, who.exit());
        assertTrue(who.err().startsWith("error: 'nobody' is not a dev account"), who.err());
        assertTrue(who.noStackTrace());
    }

    @Test
    void helpAndVersion() {
        CliRun help = CliRun.of(env(), "--help");
        assertEquals(0, help.exit());
        for (String cmd : new String[] {"key", "transfer", "account", "block", "head", "events", "completion"}) {
            assertTrue(help.out().contains(cmd), cmd + " missing from\n" + help.out());
        }
        CliRun transferHelp = CliRun.of(env(), "transfer", "--help");
        assertEquals(0, transferHelp.exit());
        assertTrue(transferHelp.out().contains("--no-wait") && transferHelp.out().contains("--node")
                && transferHelp.out().contains("--json"), transferHelp.out());
        CliRun version = CliRun.of(env(), "head", "--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("cloister " + Main.VERSION));
    }

    @Test
    void miningCommandsCheckTheirArgumentsBeforeAskingANode() {
        CliRun help = CliRun.of(env(), "--help");
        assertTrue(help.out().contains("miner") && help.out().contains("pool"), help.out());
        for (String[] args : new String[][] {
            {"pool", "create", "--commission", "100.5", "--as", "eve"},
            {"pool", "create", "--commission", "-1", "--as", "eve"},
            {"pool", "create", "--commission", "0.00001", "--as", "eve"},
            {"pool", "create", "--commission", "lots", "--as", "eve"},
            {"pool", "delegate", "one", "10", "--as", "alice"},
            {"pool", "delegate", "1", "0", "--as", "alice"},
            {"pool", "withdraw", "1", "0", "--as", "alice"},
            {"pool", "withdraw", "1", "-5", "--as", "alice"},
            {"miner", "start", "abc", "--stake", "10", "--as", "eve"},
            {"miner", "start", "0123456789abcdef", "--stake", "lots", "--as", "eve"},
            {"miner", "start", "0123456789abcdef", "--stake", "10"},
            {"miner", "stop", "0123456789abcdef", "--as", "nobody"},
        }) {
            CliRun r = CliRun.of(env(), args);
            assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r.err());
            assertTrue(r.err().startsWith("error: ") && r.noStackTrace(), r.err());
        }
        assertTrue(CliRun.of(env(), "pool", "create", "--commission", "100.5", "--as", "eve").err().contains("0 to 100"));
    }

    @Test
    void w3aCommandsCheckTheirArgumentsAndTheSqlBeforeAskingANode() throws Exception {
        CliRun help = CliRun.of(env(), "--help");
        for (String cmd : new String[] {"data", "market", "job"}) {
            assertTrue(help.out().contains(cmd), cmd + " missing from\n" + help.out());
        }
        String spec = "age_band:text,income:real[0,250000]";
        CliRun star = CliRun.of(env(), "job", "submit", "--sql", "SELECT * FROM survey", "--purpose", "research", "--schema", spec, "--epsilon", "0.1");
        assertEquals(1, star.exit(), star.err());
        assertTrue(star.err().startsWith("error: NOT_AGGREGATE: ") && star.err().contains("nothing was submitted"), star.err());
        assertEquals(1, star.err().strip().lines().count(), star.err());
        CliRun column = CliRun.of(env(), "job", "submit", "--sql", "SELECT AVG(salary) FROM t", "--purpose", "research", "--schema", spec,
                "--epsilon", "0.1");
        assertEquals(1, column.exit());
        assertTrue(column.err().startsWith("error: UNKNOWN_COLUMN: "), column.err());
        CliRun neither = CliRun.of(env(), "job", "submit", "--sql", "SELECT COUNT(*) FROM t", "--purpose", "research", "--epsilon", "0.1");
        assertEquals(2, neither.exit());
        assertTrue(neither.err().contains("--datasets") && neither.err().contains("--schema"), neither.err());
        CliRun purpose = CliRun.of(env(), "job", "submit", "--sql", "SELECT COUNT(*) FROM t", "--purpose", "astrology", "--schema", spec,
                "--epsilon", "0.1");
        assertEquals(2, purpose.exit());
        assertTrue(purpose.err().contains("research, product-analytics"), purpose.err());
        assertEquals(2, CliRun.of(env(), "job", "submit", "--sql", "SELECT COUNT(*) FROM t", "--purpose", "research", "--schema", spec,
                "--epsilon", "-1").exit());
        assertEquals(2, CliRun.of(env(), "data", "list", "1", "--price", "1", "--purposes", "research", "--k", "1").exit());
        CliRun missing = CliRun.of(env(), "data", "collect", home.resolve("nope.csv").toString(), "--name", "x", "--schema", spec);
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        Files.writeString(home.resolve("records.txt"), "age_band,income\n");
        CliRun format = CliRun.of(env(), "data", "collect", home.resolve("records.txt").toString(), "--name", "x", "--schema", spec);
        assertEquals(2, format.exit());
        assertTrue(format.err().contains("--format"), format.err());
        CliRun badSchema = CliRun.of(env(), "data", "collect", home.resolve("records.txt").toString(), "--name", "x", "--schema", "income:real",
                "--format", "csv");
        assertEquals(2, badSchema.exit());
        assertTrue(badSchema.err().startsWith("error: --schema: "), badSchema.err());
        assertTrue(star.noStackTrace() && badSchema.noStackTrace());
    }

    @Test
    void unreachableNodeIsOneLineWithTheUrlAndAHint() {
        CliRun r = CliRun.of(env(), "account", "alice");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: NODE_UNREACHABLE: no Cloister node at http://127.0.0.1:1"), r.err());
        assertTrue(r.err().contains("./cloister devnet"));
        CliRun explicit = CliRun.of(env(), "head", "--node", "http://127.0.0.1:2");
        assertTrue(explicit.err().contains("http://127.0.0.1:2"), explicit.err());
    }

    @Test
    void keyNewListExportImportWithInjectedPassphrase() throws Exception {
        Map<String, String> env = env();
        CliRun noPass = CliRun.of(env, "key", "new", "main");
        assertEquals(2, noPass.exit());
        assertTrue(noPass.err().contains("no passphrase"), noPass.err());

        env.put("CLOISTER_PASSPHRASE", "s3cret-words");
        CliRun created = CliRun.of(env, "key", "new", "main");
        assertEquals(0, created.exit(), created.err());
        assertTrue(created.out().contains("clo1"));
        assertFalse(created.out().contains("s3cret-words") || created.err().contains("s3cret-words"));

        CliRun again = CliRun.of(env, "key", "new", "main");
        assertEquals(1, again.exit());
        assertTrue(again.err().startsWith("error: KEY_EXISTS"), again.err());

        assertEquals(2, CliRun.of(env, "key", "new", "alice").exit());
        assertEquals(2, CliRun.of(env, "key", "new", "Bad Name").exit());

        Path seed = home.resolve("seed.hex");
        Files.writeString(seed, cloister.common.Hex.encode(DevKeys.derive("imported").seed(cloister.crypto.SecretAccess.insecure())) + "\n");
        assertEquals(0, CliRun.of(env, "key", "import", "imp", "--seed-file", seed.toString()).exit());

        CliRun list = CliRun.of(env, "key", "list");
        assertEquals(0, list.exit());
        assertTrue(list.out().contains("imp ") && list.out().contains("main"), list.out());
        assertTrue(list.out().contains(DevKeys.derive("imported").account().address()), list.out());

        Path exported = home.resolve("main-backup.json");
        assertEquals(0, CliRun.of(env, "key", "export", "main", "--out", exported.toString()).exit());
        assertFalse(Files.readString(exported).contains("s3cret"));
        CliRun imported = CliRun.of(env, "key", "import", "copy", "--keystore-file", exported.toString());
        assertEquals(0, imported.exit(), imported.err());

        CliRun json = CliRun.of(env, "key", "list", "--json");
        assertEquals(3, CliCommand.JSON.readTree(json.out()).size());

        CliRun both = CliRun.of(env, "key", "import", "x", "--seed-file", seed.toString(), "--keystore-file", exported.toString());
        assertEquals(2, both.exit());
    }

    @Test
    void completionPrintsABashScript() {
        CliRun r = CliRun.of(env(), "completion");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("complete -F") && r.out().contains("transfer"), r.out().substring(0, 200));
    }
}
