package cloister.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cloister sim mining}: its help, its argument checks, and a tiny run printing the table. */
class SimCommandTest {
    @TempDir
    Path home;

    private Map<String, String> env() {
        return Map.of("CLOISTER_HOME", home.toString(), "CLOISTER_NODE", "http://127.0.0.1:1");
    }

    @Test
    void helpExplainsAndBadSharesAreUsageErrors() {
        CliRun help = CliRun.of(env(), "sim", "mining", "--help");
        assertEquals(0, help.exit());
        for (String s : new String[] {"--workers", "--blocks", "--offline", "--fast-fraction", "--seed", "--config", "conservation", "sim TEE"}) {
            assertTrue(help.out().contains(s), s + " missing from\n" + help.out());
        }
        CliRun bad = CliRun.of(env(), "sim", "mining", "--offline", "150%");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--offline must be 0%..100%"), bad.err());
        CliRun word = CliRun.of(env(), "sim", "mining", "--fast-fraction", "half");
        assertEquals(2, word.exit());
        assertTrue(word.err().contains("--fast-fraction is a percentage like 10% or a fraction like 0.1"), word.err());
        CliRun config = CliRun.of(env(), "sim", "mining", "--config", "mainnet");
        assertEquals(2, config.exit());
        assertTrue(config.err().contains("--config is devnet or production"), config.err());
        assertTrue(bad.noStackTrace() && word.noStackTrace() && config.noStackTrace());
    }

    @Test
    void aTinyRunPrintsTheGroupsAndExactConservation() {
        CliRun r = CliRun.of(env(), "sim", "mining", "--workers", "8", "--blocks", "150", "--offline", "25%", "--pools", "2");
        assertEquals(0, r.exit(), r.err() + r.out());
        for (String s : new String[] {"online-fast", "online-slow", "offline-fast", "offline-slow", "budget issued", "exact",
            "failed transactions: 0"}) {
            assertTrue(r.out().contains(s), s + " missing from\n" + r.out());
        }
    }
}
