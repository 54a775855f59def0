package cloister.worker;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.proto.InboundMessage;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** One sim enclave driven directly through its byte interface, with its sealed blobs in memory. */
public final class TestWorker {
    public static final SecureRandom RANDOM = new SecureRandom();
    public static final SimAttestationRoot ROOT = SimAttestationRoot.generate("worker tests", RANDOM);
    public static final Measurement BUILD = SimPlatform.measure(new byte[] {1, 2, 3}, "test");
    public static final Measurement OTHER_BUILD = SimPlatform.measure(new byte[] {4, 5, 6}, "test");

    public final MemoryHost host = new MemoryHost();
    public final SimMachine machine = SimMachine.ephemeral(RANDOM);
    private Measurement measurement = BUILD;
    public EnclaveClient client;
    public WorkerInfo info;
    public EnclaveReply.Initialized initialized;

    /** Starts (or restarts) the enclave on this machine with its sealed blobs, and initializes it for {@code genesis}. */
    public TestWorker start(Hash genesis) {
        client = new EnclaveClient(EnclaveLoader.inProcess(platform(), host));
        initialized = client.init(genesis, DevKeys.get("bob").account(), "0.1.0-test");
        info = initialized.info();
        return this;
    }

    public SimPlatform platform() {
        return new SimPlatform(machine, ROOT, measurement, System::currentTimeMillis, RANDOM);
    }

    /** Runs another build on the same machine from now on. */
    public TestWorker withMeasurement(Measurement m) {
        measurement = m;
        return this;
    }

    public WorkerId id() {
        return info.identity();
    }

    /** The registry's message for this worker (attested sim, confidence 5). */
    public InboundMessage.WorkerRegistered registration() {
        return new InboundMessage.WorkerRegistered(info, Platform.SIM.code(), BUILD.value(), 5);
    }

    public long synced() {
        return client.status().syncedHeight();
    }

    /** Feeds every block it has not seen; returns the egress, failing on any refusal. */
    public List<SignedWorkerMessage> sync(TestChain chain) {
        List<SignedWorkerMessage> egress = new ArrayList<>();
        long from = synced() + 1;
        while (from <= chain.head()) {
            EnclaveReply.Synced s = client.sync(chain.blocks(from, from + 999));
            if (s.refusal().isPresent()) {
                throw new AssertionError("refused: " + s.refusal().get());
            }
            egress.addAll(s.egress());
            from = s.height() + 1;
        }
        return egress;
    }
}
