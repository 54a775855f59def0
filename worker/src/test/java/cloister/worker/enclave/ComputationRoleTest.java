package cloister.worker.enclave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.Sha256;
import cloister.tee.EnclavePlatform;
import cloister.worker.MemoryHost;
import cloister.worker.TestWorker;
import cloister.worker.enclave.contract.SystemContractKinds;
import cloister.worker.wasm.WasmEngine;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The workload's definition, and the checkpoint: this version's round trip, and the version before mining still opening. */
class ComputationRoleTest {
    private static final Hash GENESIS = Hash.wrap(Sha256.digest(new byte[] {7}));
    private static final WasmEngine ENGINE = new WasmEngine(WasmEngine.Config.defaults());

    @Test
    void anIterationIsChainedSha256() throws Exception {
        byte[] x = new byte[32];
        Benchmark.iterate(Sha256.newDigest(), x);
        byte[] expected = new byte[32];
        MessageDigest d = Sha256.newDigest();
        for (int i = 0; i < Benchmark.HASHES_PER_ITERATION; i++) {
            expected = d.digest(expected);
        }
        assertEquals(Hash.wrap(expected), Hash.wrap(x));
        Benchmark.Work w = Benchmark.run(5_000_000);
        assertTrue(w.iterations() >= 1 && w.nanos() >= 5_000_000, w.toString());
        assertEquals(Benchmark.Work.NONE, Benchmark.run(0));
        warmUp();
        assertTrue(Benchmark.measured(1_000_000).iterations() >= 1, "past the JIT warm-up, runs count");
    }

    /** Runs the JVM's JIT warm-up ({@link Benchmark#WARM_UP_ITERATIONS}) if no other test did. */
    static void warmUp() {
        while (!Benchmark.warm()) {
            Benchmark.run(10_000_000);
        }
    }

    @Test
    void theCheckpointKeepsTheRequestAndTheTotals() throws Exception {
        warmUp();
        Fixture f = new Fixture();
        EnclaveRuntime r = f.fresh();
        r.computation.onBenchmarkRequested(new cloister.proto.InboundMessage.BenchmarkRequested(r.me(), 12), 7);
        r.computation.addRequestWork(new Benchmark.Work(40, 90_000_000));
        r.computation.onUnresponsive(new cloister.proto.InboundMessage.WorkerUnresponsive(r.me()), 8, 0);
        byte[] bytes = r.encode();

        EnclaveRuntime back = f.decode(bytes);
        assertEquals(r.computation.progress(), back.computation.progress());
        assertEquals(7, back.computation.progress().requestHeight());
        assertEquals(40, back.computation.progress().iterations());
        assertTrue(back.computation.progress().totalIterations() > 40, "the heartbeat's burst counts in the totals");
        assertTrue(back.computation.takeEgress().isEmpty(), "unsigned egress is not state");
        assertEquals(bytes.length, back.encode().length);
        assertTrue(Arrays.equals(bytes, back.encode()));
    }

    @Test
    void aCheckpointFromBeforeMiningStillOpens() throws Exception {
        Fixture f = new Fixture();
        EnclaveRuntime r = f.fresh();
        byte[] bytes = r.encode();
        // Version 4 had everything but the computation role's six u64 counters at the end.
        byte[] v4 = Arrays.copyOf(bytes, bytes.length - 6 * 8);
        v4[0] = EnclaveRuntime.STATE_VERSION_NO_MINING;
        EnclaveRuntime back = f.decode(v4);
        assertFalse(back.computation.requested());
        assertEquals(0, back.computation.progress().totalIterations());
        assertEquals(EnclaveRuntime.STATE_VERSION, back.encode()[0], "written back in this version");
    }

    private static final class Fixture {
        final EnclavePlatform platform = new TestWorker().platform();
        final SealedStore store = new SealedStore(platform, new MemoryHost());
        final EnclaveKeys keys;

        Fixture() throws EnclaveFailure {
            keys = EnclaveKeys.loadOrCreate(store, platform.random(), GENESIS);
        }

        EnclaveRuntime fresh() {
            return EnclaveRuntime.fresh(keys, new GatekeeperRole(keys, store, platform.random()), SystemContractKinds.standard(), ENGINE,
                    platform.random());
        }

        EnclaveRuntime decode(byte[] bytes) {
            return EnclaveRuntime.decode(bytes, keys, new GatekeeperRole(keys, store, platform.random()), SystemContractKinds.standard(),
                    ENGINE, platform.random());
        }
    }
}
