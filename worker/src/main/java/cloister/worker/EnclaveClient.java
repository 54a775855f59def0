package cloister.worker;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.MalformedException;
import cloister.proto.SignedWorkerMessage;
import java.util.List;
import java.util.Optional;

/**
 * Typed calls over an {@link Enclave}: encodes each {@link EnclaveCall}, decodes the {@link EnclaveReply}, and
 * turns {@link EnclaveReply.Failure} into {@link EnclaveException}. Holds nothing of the enclave but its entry point.
 */
public final class EnclaveClient {
    private final Enclave enclave;

    public EnclaveClient(Enclave enclave) {
        this.enclave = enclave;
    }

    public EnclaveReply.Initialized init(Hash genesisHash, AccountId operator, String runtimeVersion) {
        return expect(new EnclaveCall.Init(genesisHash, operator, runtimeVersion), EnclaveReply.Initialized.class);
    }

    public EnclaveReply.Synced sync(List<BlockData> blocks) {
        return expect(new EnclaveCall.Sync(blocks), EnclaveReply.Synced.class);
    }

    /** {@link #sync(List)} telling the enclave the newest block the host knows of. */
    public EnclaveReply.Synced sync(List<BlockData> blocks, long chainHead) {
        return expect(new EnclaveCall.Sync(blocks, chainHead), EnclaveReply.Synced.class);
    }

    /** Runs {@code millis} ms of the benchmark workload if a benchmark is requested (0: only the progress). */
    public EnclaveReply.BenchmarkProgress benchmarkRun(int millis) {
        return expect(new EnclaveCall.BenchmarkRun(millis), EnclaveReply.BenchmarkProgress.class);
    }

    /** The signed benchmark report for the request of block {@code requestHeight}, to relay. */
    public SignedWorkerMessage benchmarkReport(long requestHeight) {
        List<SignedWorkerMessage> m = expect(new EnclaveCall.BenchmarkReport(requestHeight), EnclaveReply.Egress.class).messages();
        if (m.size() != 1) {
            throw new EnclaveException(EnclaveError.INTERNAL, "the enclave answered " + m.size() + " messages to a benchmark report");
        }
        return m.get(0);
    }

    /** The encoded query response (also for refusals: they are encoded responses too). */
    public byte[] query(byte[] request) {
        return expect(new EnclaveCall.Query(request), EnclaveReply.QueryAnswer.class).response();
    }

    public Optional<CommandOutcome> outcome(Hash txHash) {
        return expect(new EnclaveCall.Outcome(txHash), EnclaveReply.Outcome.class).outcome();
    }

    public EnclaveStatus status() {
        return expect(new EnclaveCall.Status(), EnclaveReply.Status.class).status();
    }

    public void checkpoint() {
        expect(new EnclaveCall.Checkpoint(), EnclaveReply.Done.class);
    }

    public List<SignedWorkerMessage> outbox() {
        return expect(new EnclaveCall.Outbox(), EnclaveReply.Egress.class).messages();
    }

    /** The signed announcement of {@code url} as this worker's query endpoint, to relay. */
    public SignedWorkerMessage announce(String url) {
        List<SignedWorkerMessage> m = expect(new EnclaveCall.Announce(url), EnclaveReply.Egress.class).messages();
        if (m.size() != 1) {
            throw new EnclaveException(EnclaveError.INTERNAL, "the enclave answered " + m.size() + " messages to an announcement");
        }
        return m.get(0);
    }

    /** Asks the watchdog to take {@code file}, whose manifest the host fetched; returns the chunks it wants to hash. */
    public List<Hash> storageAdd(Hash file, byte[] manifest) {
        return expect(new EnclaveCall.StorageAdd(file, manifest), EnclaveReply.ChunkRequest.class).digests();
    }

    /** The current watchdog round's sample (the same until answered). */
    public List<Hash> storageRound() {
        return expect(new EnclaveCall.StorageRound(), EnclaveReply.ChunkRequest.class).digests();
    }

    public EnclaveReply.StorageChecked storageCheck(List<EnclaveReply.ChunkAnswer> answers) {
        return expect(new EnclaveCall.StorageCheck(answers), EnclaveReply.StorageChecked.class);
    }

    /** The signed work report for the current slot, to relay. */
    public SignedWorkerMessage storageReport() {
        List<SignedWorkerMessage> m = expect(new EnclaveCall.StorageReport(), EnclaveReply.Egress.class).messages();
        if (m.size() != 1) {
            throw new EnclaveException(EnclaveError.INTERNAL, "the enclave answered " + m.size() + " messages to a work report");
        }
        return m.get(0);
    }

    public EnclaveReply.StorageView storageStatus() {
        return expect(new EnclaveCall.StorageStatus(), EnclaveReply.StorageView.class);
    }

    /** The files the enclave's open W3A jobs still need. */
    public List<EnclaveReply.JobFileNeed> jobNeeds() {
        return expect(new EnclaveCall.JobNeeds(), EnclaveReply.JobNeeds.class).files();
    }

    /** Hands one fetched file of a job to the enclave; returns the signed result or failure if the job ended. */
    public List<SignedWorkerMessage> jobFile(long job, Hash file, List<byte[]> blocks) {
        return expect(new EnclaveCall.JobFile(job, file, blocks), EnclaveReply.Egress.class).messages();
    }

    /** Tells the enclave a job's file could not be fetched; returns the job's signed failure. */
    public List<SignedWorkerMessage> jobFileMissing(long job, Hash file, String reason) {
        return expect(new EnclaveCall.JobFileMissing(job, file, reason), EnclaveReply.Egress.class).messages();
    }

    private <T extends EnclaveReply> T expect(EnclaveCall call, Class<T> type) {
        EnclaveReply reply;
        try {
            reply = EnclaveReply.decode(enclave.call(call.encode()));
        } catch (MalformedException e) {
            throw new EnclaveException(EnclaveError.INTERNAL, "the enclave's reply does not decode: " + e.getMessage());
        }
        if (reply instanceof EnclaveReply.Failure f) {
            throw new EnclaveException(f.reason(), f.message());
        }
        if (!type.isInstance(reply)) {
            throw new EnclaveException(EnclaveError.INTERNAL, "the enclave answered " + reply.getClass().getSimpleName()
                    + " to " + call.getClass().getSimpleName());
        }
        return type.cast(reply);
    }
}
