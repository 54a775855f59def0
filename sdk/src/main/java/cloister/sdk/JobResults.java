package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.HpkeException;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.market.job.ReleasedResult;
import cloister.market.job.ResultSeal;
import cloister.proto.MalformedException;

/**
 * Opening a W3A job's result, the buyer's side: the sealed bytes the node sent must hash to the result hash the chain
 * recorded (the worker signed them in its result message), then they are opened with the buyer's result key
 * ({@link ResultSeal#buyerKey}, derived from the account: name its public key in {@code submitJob}) for this job on this network, and decoded.
 */
public final class JobResults {
    private JobResults() {}

    /**
     * @param genesis the network's genesis hash (the seal is bound to it and to the job number)
     * @throws CloisterApiException {@code NO_RESULT} (the job is not done: the message says its state), {@code NOT_BUYER},
     *     {@code RESULT_MISMATCH} (the bytes do not hash to the recorded hash) or {@code RESULT_UNREADABLE}
     */
    public static ReleasedResult open(JobInfo job, SigningKey buyer, Hash genesis) {
        if (!job.state().equals(JobInfo.DONE)) {
            String why = switch (job.state()) {
                case JobInfo.AWAITING_CONSENT -> "job " + job.id() + " is awaiting consent (until block " + job.consentDeadline() + ")";
                case JobInfo.RUNNING -> "job " + job.id() + " is running on worker " + job.worker().map(w -> w.hex().substring(0, 16) + "…").orElse("?")
                        + " since block " + job.startedAt();
                default -> "job " + job.id() + " " + job.state() + ": " + job.reason();
            };
            throw new CloisterApiException("NO_RESULT", why);
        }
        if (!job.buyer().equals(buyer.account())) {
            throw new CloisterApiException("NOT_BUYER", "job " + job.id() + "'s result is sealed to its buyer " + job.buyer().address() + "; "
                    + buyer.account().address() + " cannot open it");
        }
        byte[] sealed = job.sealedResult();
        Hash recorded = job.resultHash().orElse(Hash.ZERO);
        if (!Sha256.hash(sealed).equals(recorded)) {
            throw new CloisterApiException("RESULT_MISMATCH", "the sealed result the node sent does not hash to " + recorded.hex()
                    + ", the hash the chain recorded: not opened");
        }
        try {
            return ReleasedResult.decode(ResultSeal.open(ResultSeal.buyerKey(buyer), genesis, job.id(), sealed));
        } catch (HpkeException | MalformedException | IllegalArgumentException e) {
            throw new CloisterApiException("RESULT_UNREADABLE", "job " + job.id() + "'s result does not open with " + buyer.account().address()
                    + "'s result key: " + e.getMessage());
        }
    }
}
