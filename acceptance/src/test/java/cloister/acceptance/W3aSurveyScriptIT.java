package cloister.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/w3a-survey.sh}, issue 6's "done when", run as a user runs it against a devnet started by the
 * launcher. The script checks every step itself (three owners collect and list, two standing policies, a refused
 * {@code SELECT *}, the survey job approved by hand, the noised result opened by the buyer, the audit log, every
 * owner's earnings rising) and exits non-zero at the first failure; this test checks it got to the end.
 */
class W3aSurveyScriptIT {
    @TempDir
    Path tmp;

    @Test
    void theSurveyRunsEndToEndOnADevnet() throws Exception {
        try (Devnet devnet = Devnet.start(tmp.resolve("devnet"), Devnet.freePort(), tmp.resolve("devnet.log"))) {
            devnet.awaitBootstrap();
            Devnet.Result r = Devnet.script("w3a-survey.sh", devnet.url());
            assertEquals(0, r.exit(), "the script failed:\n" + r.out() + "\n" + r.err());
            assertTrue(r.out().contains("(must be refused: NOT_AGGREGATE)"), r.out());
            assertTrue(r.out().contains("== 16. every owner's earnings rose"), r.out());
            assertTrue(r.out().contains("w3a-survey.sh: all 16 steps passed."), r.out());
        }
    }

    @Test
    void theScriptSaysWhichStepFailedAndExitsNonZero() throws Exception {
        Devnet.Result r = Devnet.script("w3a-survey.sh", "http://127.0.0.1:" + Devnet.freePort());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("step 1 FAILED"), r.err());
        Devnet.Result usage = Devnet.script("w3a-survey.sh");
        assertEquals(2, usage.exit());
        assertTrue(usage.out().contains("examples/w3a-survey.sh http://"), usage.out());
    }
}
