package cloister.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.market.job.ReleasedResult;
import cloister.market.job.ResultSeal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A buyer opens a job's result only if it is done, theirs, the bytes match the recorded hash, and the seal is for this job and network. */
class JobResultsTest {
    private static final SigningKey EVE = DevKeys.get("eve");
    private static final Hash GENESIS = Sha256.hash(new byte[] {1});
    private static final ReleasedResult RESULT = new ReleasedResult(4, List.of("age_band", "count", "avg_income"),
            List.of(List.of("18-29", 12L, 51_234.5), List.of("30-44", 9L, 77_000.25)), 1, 100_000, 3, 105);

    private static JobInfo job(long id, String state, byte[] sealed, Optional<Hash> hash) {
        return new JobInfo(id, EVE.account(), "research", "SELECT …", Hash.ZERO, Hash.ZERO, 100_000, 1, 1, 21, state, List.of(), 3,
                Optional.empty(), Optional.of("sim"), 2, 3, 3, 105, hash, sealed.length, sealed, 1, 0, state.equals(JobInfo.FAILED) ? "ENGINE_ERROR: x" : "");
    }

    private static byte[] sealed(long job, Hash genesis) {
        return ResultSeal.seal(ResultSeal.buyerKey(EVE).publicKey(), genesis, job, RESULT.encode());
    }

    @Test
    void theBuyerOpensADoneJobsResult() {
        byte[] s = sealed(4, GENESIS);
        ReleasedResult r = JobResults.open(job(4, JobInfo.DONE, s, Optional.of(Sha256.hash(s))), EVE, GENESIS);
        assertEquals(RESULT, r);
        assertEquals("age_band | count | avg_income\n18-29 | 12 | 51234.50\n30-44 | 9 | 77000.25\n", r.table());
    }

    @Test
    void everythingElseIsRefusedWithAReason() {
        byte[] s = sealed(4, GENESIS);
        Optional<Hash> h = Optional.of(Sha256.hash(s));
        assertEquals("NO_RESULT", code(job(4, JobInfo.RUNNING, new byte[0], Optional.empty()), EVE, GENESIS));
        assertEquals("NO_RESULT", code(job(4, JobInfo.FAILED, new byte[0], Optional.empty()), EVE, GENESIS));
        assertEquals("NOT_BUYER", code(job(4, JobInfo.DONE, s, h), DevKeys.get("bob"), GENESIS));
        byte[] altered = s.clone();
        altered[altered.length - 1] ^= 1;
        assertEquals("RESULT_MISMATCH", code(job(4, JobInfo.DONE, altered, h), EVE, GENESIS), "bytes that are not what the chain recorded");
        assertEquals("RESULT_UNREADABLE", code(job(4, JobInfo.DONE, altered, Optional.of(Sha256.hash(altered))), EVE, GENESIS));
        byte[] other = sealed(5, GENESIS);
        assertEquals("RESULT_UNREADABLE", code(job(4, JobInfo.DONE, other, Optional.of(Sha256.hash(other))), EVE, GENESIS), "another job's seal");
        assertEquals("RESULT_UNREADABLE", code(job(4, JobInfo.DONE, s, h), EVE, Sha256.hash(new byte[] {2})), "another network");
    }

    private static String code(JobInfo j, SigningKey key, Hash genesis) {
        return assertThrows(CloisterApiException.class, () -> JobResults.open(j, key, genesis)).code();
    }
}
