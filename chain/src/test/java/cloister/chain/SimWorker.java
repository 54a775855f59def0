package cloister.chain;

import cloister.common.Hash;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import cloister.proto.AttestationEvidence;
import cloister.proto.RegistryCall;
import cloister.proto.SignedWorkerMessage;
import cloister.proto.WorkerId;
import cloister.proto.WorkerInfo;
import cloister.proto.WorkerMessage;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.sim.SimAttestationRoot;
import cloister.tee.sim.SimMachine;
import cloister.tee.sim.SimPlatform;
import java.security.SecureRandom;

/** A worker's keys and sim quote, as its enclave would make them, for runtime tests; {@code seq} is its next message's sequence number. */
final class SimWorker {
    final SigningKey identity;
    final WorkerInfo info;
    final Evidence evidence;
    final SigningKey operator;
    final Hash genesis;
    long seq;

    private SimWorker(SigningKey identity, WorkerInfo info, Evidence evidence, SigningKey operator, Hash genesis) {
        this.identity = identity;
        this.info = info;
        this.evidence = evidence;
        this.operator = operator;
        this.genesis = genesis;
    }

    /** A fresh worker run by {@code operator}, quoted by {@code machine} under {@code root} at the fixture's clock. */
    static SimWorker create(ChainFixture f, SimMachine machine, SimAttestationRoot root, Measurement build, SigningKey operator,
                            SecureRandom random) {
        SigningKey identity = SigningKey.generate(random);
        byte[] ecdh = new byte[32];
        random.nextBytes(ecdh);
        Hash genesis = f.chain.info().genesisHash();
        WorkerInfo info = new WorkerInfo(WorkerId.of(identity.account()), X25519PublicKey.of(ecdh), genesis, operator.account(), "0.1.0");
        long quoteTime = f.clock;
        Evidence e = new SimPlatform(machine, root, build, () -> quoteTime, random).quote(info.reportData());
        return new SimWorker(identity, info, e, operator, genesis);
    }

    WorkerId id() {
        return info.identity();
    }

    /** The registration transaction's call. */
    RegistryCall.RegisterWorker registration() {
        return new RegistryCall.RegisterWorker(info, new AttestationEvidence(evidence.platform().code(), evidence.quote(), evidence.collateral()));
    }

    /** The message, signed with the next sequence number, in the transaction that relays it. */
    RegistryCall.SubmitWorkerMessage say(WorkerMessage m) {
        return new RegistryCall.SubmitWorkerMessage(SignedWorkerMessage.sign(identity, genesis, seq++, m));
    }
}
