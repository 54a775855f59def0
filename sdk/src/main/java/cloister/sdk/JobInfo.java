package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.WorkerId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A W3A job as the public audit log shows it ({@code GET /v1/market/jobs/{id}}): who asked what (the SQL is public so
 * owners can judge it), for which purpose, on which datasets and with whose consent, the ε spent, what was paid and
 * refunded, and — once done — the hash of the result sealed to the buyer.
 *
 * @param state         {@code awaiting_consent}, {@code running}, {@code done}, {@code failed} or {@code cancelled}
 * @param datasetOwners distinct owners of the datasets the job used
 * @param workerPlatform the assigned worker's TEE platform ({@code sim} gives no hardware protection)
 * @param owners        owners whose data the result covers (from the worker's result)
 * @param rows          rows the job read (from the worker's result)
 * @param resultHash    SHA-256 of {@code sealedResult}, recorded by the chain
 * @param sealedResult  the result sealed to the buyer's key: from {@link CloisterClient#job(long)} only (lists leave it out)
 * @param reason        why it failed or was cancelled (empty otherwise)
 */
public record JobInfo(long id, AccountId buyer, String purpose, String sql, Hash sqlHash, Hash schemaHash, long epsilonMicros, long budget,
                      long submittedAt, long consentDeadline, String state, List<Entry> datasets, int datasetOwners, Optional<WorkerId> worker,
                      Optional<String> workerPlatform, long startedAt, long endedAt, int owners, long rows, Optional<Hash> resultHash,
                      int sealedResultBytes, byte[] sealedResult, long paid, long refund, String reason) {
    public static final String AWAITING_CONSENT = "awaiting_consent";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    /** Every state word, in the order of a job's life. */
    public static final List<String> STATES = List.of(AWAITING_CONSENT, RUNNING, DONE, FAILED, CANCELLED);

    public JobInfo {
        datasets = List.copyOf(datasets);
        sealedResult = sealedResult.clone();
    }

    @Override
    public byte[] sealedResult() {
        return sealedResult.clone();
    }

    /** Done, failed or cancelled: nothing will change any more. */
    public boolean ended() {
        return Set.of(DONE, FAILED, CANCELLED).contains(state);
    }

    /** The state in words: "awaiting consent", "running", … */
    public String stateText() {
        return state.replace('_', ' ');
    }

    /**
     * One dataset of the job.
     *
     * @param state {@code pending}, {@code consented}, {@code declined}, {@code dropped}, {@code expired} or {@code used}
     * @param price what the owner is paid if the job uses it (base units)
     * @param how   how it consented: {@code policy}, {@code grant N}, {@code approved}, {@code own}, or empty
     */
    public record Entry(long dataset, AccountId owner, String state, long price, String how, String note) {}
}
