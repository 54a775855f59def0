package cloister.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Tokens;
import cloister.crypto.DevKeys;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "done when", as a user types it: a devnet in one terminal, the CLI in another. */
class CliIT {
    @TempDir
    Path tmp;

    private static void assertNoStackTrace(Devnet.Result r) {
        String all = r.out() + r.err();
        assertFalse(all.contains("\tat ") || all.contains("Exception"), "stack trace shown to the user:\n" + all);
    }

    @Test
    void transferThenAccountThroughTheRealLauncher() throws Exception {
        // Chain only: the workers' set-up (sudo alice, operators dave…) would race the transfers' nonces.
        try (Devnet devnet = Devnet.start(tmp.resolve("data"), Devnet.freePort(), tmp.resolve("devnet.log"), "--gatekeepers", "0", "--workers", "0", "--providers", "0")) {
            Devnet.Result t = Devnet.run("transfer", "--node", devnet.url(), "--from", "alice", "--to", "bob", "10");
            assertEquals(0, t.exit(), t.out() + t.err());
            assertTrue(t.out().toLowerCase().contains("block"), "reports the inclusion: " + t.out());

            Devnet.Result a = Devnet.run("account", "--node", devnet.url(), "bob");
            assertEquals(0, a.exit(), a.out() + a.err());
            assertTrue(a.out().contains("1000010") || a.out().contains("1,000,010"), "bob has 1,000,010 CLO: " + a.out());
            assertEquals(Tokens.of(1_000_010), devnet.client().account(DevKeys.get("bob").account()).balance());

            Devnet.Result json = Devnet.run("head", "--node", devnet.url(), "--json");
            assertEquals(0, json.exit(), json.err());
            assertTrue(json.out().trim().startsWith("{") && json.out().contains("\"height\""), json.out());
        }
    }

    @Test
    void badInputGetsOneLineAndAHintNeverAStackTrace() throws Exception {
        Devnet.Result missing = Devnet.run("transfer", "--from", "alice");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("error: "), missing.err());
        assertTrue(missing.err().contains("--help"), missing.err());
        assertNoStackTrace(missing);

        Devnet.Result unknown = Devnet.run("frobnicate");
        assertEquals(2, unknown.exit());
        assertNoStackTrace(unknown);

        Devnet.Result unreachable = Devnet.run("head", "--node", "http://127.0.0.1:" + Devnet.freePort());
        assertEquals(1, unreachable.exit());
        assertTrue(unreachable.err().contains("NODE_UNREACHABLE"), unreachable.err());
        assertNoStackTrace(unreachable);

        Devnet.Result help = Devnet.run("--help");
        assertEquals(0, help.exit());
        for (String cmd : new String[] {"devnet", "key", "transfer", "account", "block", "head", "events", "completion"}) {
            assertTrue(help.out().contains(cmd), "--help lists " + cmd + ":\n" + help.out());
        }
    }
}
