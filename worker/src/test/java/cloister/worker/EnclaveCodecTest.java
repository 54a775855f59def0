package cloister.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.proto.ContractId;
import cloister.proto.MalformedException;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerMessage;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ecall codec: every call and reply round-trips, and no input makes the enclave throw. */
class EnclaveCodecTest {
    private final TestChain chain = new TestChain();

    @Test
    void callsAndRepliesRoundTrip() {
        List<EnclaveCall> calls = List.of(new EnclaveCall.Init(chain.genesisHash(), DevKeys.get("bob").account(), "v1"),
                new EnclaveCall.Sync(chain.blocks(0, 0)), new EnclaveCall.Query(new byte[] {1, 2}), new EnclaveCall.Outcome(Hash.ZERO),
                new EnclaveCall.Status(), new EnclaveCall.Checkpoint(), new EnclaveCall.Outbox(), new EnclaveCall.Announce("http://x"),
                new EnclaveCall.JobNeeds(), new EnclaveCall.JobFile(7, Sha256.hash(new byte[2]), List.of(new byte[] {1}, new byte[0])),
                new EnclaveCall.JobFileMissing(7, Hash.ZERO, "no healthy replica"), new EnclaveCall.Sync(chain.blocks(0, 0), 12),
                new EnclaveCall.BenchmarkRun(0), new EnclaveCall.BenchmarkRun(EnclaveCall.MAX_BENCHMARK_SLICE_MILLIS),
                new EnclaveCall.BenchmarkReport(0), new EnclaveCall.BenchmarkReport(41));
        for (EnclaveCall c : calls) {
            assertArrayEquals(c.encode(), EnclaveCall.decode(c.encode()).encode(), c.toString());
        }
        TestWorker w = new TestWorker().start(chain.genesisHash());
        SignedWorkerMessage m = SignedWorkerMessage.sign(DevKeys.get("bob"), chain.genesisHash(), 3, new WorkerMessage.EndpointAnnounced("http://y"));
        List<EnclaveReply> replies = List.of(w.initialized,
                new EnclaveReply.Synced(5, Hash.ZERO, List.of(m), Optional.of(new EnclaveReply.SyncRefusal(6, BlockRefusal.BAD_SEAL, "x"))),
                new EnclaveReply.Synced(-1, Hash.ZERO, List.of(), Optional.empty()), new EnclaveReply.QueryAnswer(new byte[] {9}),
                new EnclaveReply.Outcome(Optional.of(new CommandOutcome(Sha256.hash(new byte[1]), ContractId.system("secret-notes", 0), 4,
                        false, "UNKNOWN_NOTE", "you have no note 3", 0))), new EnclaveReply.Outcome(Optional.empty()),
                new EnclaveReply.Status(w.client.status()), new EnclaveReply.Done(), new EnclaveReply.Egress(List.of(m)),
                new EnclaveReply.JobNeeds(List.of(new EnclaveReply.JobFileNeed(3, Hash.ZERO, 4096), new EnclaveReply.JobFileNeed(4, Hash.ZERO, 1))),
                new EnclaveReply.BenchmarkProgress(-1, 0, 0, 0, 0, 0), new EnclaveReply.BenchmarkProgress(40, 45, 700, 1400, 900, 1800),
                new EnclaveReply.Failure(EnclaveError.INTERNAL, "boom"));
        for (EnclaveReply r : replies) {
            assertArrayEquals(r.encode(), EnclaveReply.decode(r.encode()).encode(), r.toString());
        }
    }

    @Test
    void aBenchmarkSliceIsBounded() {
        byte[] tooLong = new EnclaveCall.BenchmarkRun(1).encode();
        tooLong[4] = (byte) 0xE9; // u32 1001 (0x03E9) in place of 1
        tooLong[3] = 0x03;
        Enclave enclave = EnclaveLoader.inProcess(new TestWorker().platform(), new MemoryHost());
        new EnclaveClient(enclave).init(chain.genesisHash(), DevKeys.get("bob").account(), "v1");
        EnclaveReply reply = EnclaveReply.decode(enclave.call(tooLong));
        assertEquals(EnclaveError.MALFORMED_CALL, ((EnclaveReply.Failure) reply).reason());
    }

    @Test
    void garbageNeverThrowsAcrossTheBoundary() {
        Enclave enclave = EnclaveLoader.inProcess(new TestWorker().platform(), new MemoryHost());
        new EnclaveClient(enclave).init(chain.genesisHash(), DevKeys.get("bob").account(), "v1");
        Random random = new Random(7);
        byte[] valid = new EnclaveCall.Sync(chain.blocks(0, 0)).encode();
        for (int i = 0; i < 3000; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = new byte[random.nextInt(64)];
                random.nextBytes(input);
            } else {
                input = valid.clone();
                input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
            }
            EnclaveReply reply;
            try {
                reply = EnclaveReply.decode(enclave.call(input));
            } catch (MalformedException e) {
                throw new AssertionError("the enclave's reply does not decode", e);
            }
            if (reply instanceof EnclaveReply.Failure f) {
                assertNotEquals(EnclaveError.INTERNAL, f.reason(), f.message());
            }
        }
    }
}
