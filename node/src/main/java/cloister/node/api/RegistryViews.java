package cloister.node.api;

import cloister.chain.runtime.registry.ClusterRecord;
import cloister.chain.runtime.registry.ContractRecord;
import cloister.chain.runtime.registry.MasterKeys;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.registry.WorkerRecord;
import cloister.chain.store.StateReader;
import cloister.common.Hex;
import cloister.proto.ContractId;
import cloister.proto.InboundMessage;
import cloister.proto.WorkerId;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** JSON shapes of the registry: TEE trust, workers, clusters, contracts, worker messages. */
final class RegistryViews {
    private RegistryViews() {}

    static ObjectNode registry(StateReader s) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        Registry.simRoot(s).ifPresentOrElse(root -> {
            n.put("simRoot", root.fingerprint().hex());
            n.put("simWarning", Platform.SIM_WARNING);
        }, () -> n.putNull("simRoot"));
        ArrayNode allow = n.putArray("allowlist");
        for (Measurement m : Registry.allowlist(s)) {
            allow.addObject().put("platform", m.platform().word()).put("measurement", m.hex())
                    .put("allowedSince", Registry.allowedSince(s, m).orElse(-1L));
        }
        Registry.AttestationPolicy p = Registry.policy(s);
        n.putObject("policy").put("maxConfidenceLevel", p.maxConfidenceLevel()).put("maxQuoteAgeMillis", p.maxQuoteAgeMillis());
        ArrayNode gk = n.putArray("gatekeepers");
        Registry.gatekeepers(s).forEach(g -> gk.add(g.hex()));
        MasterKeys master = Registry.masterKeys(s);
        ArrayNode epochs = n.putArray("masterKeys");
        for (int e = 0; e < master.epochs().size(); e++) {
            epochs.addObject().put("epoch", e).put("publicKey", Hex.encode(master.epochs().get(e).bytes()));
        }
        master.pendingRotationBy().ifPresentOrElse(by -> n.put("pendingRotationBy", by.hex()), () -> n.putNull("pendingRotationBy"));
        n.put("clusters", Registry.clusterCount(s));
        return n;
    }

    static ObjectNode workers(StateReader s) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        ArrayNode arr = n.putArray("workers");
        for (WorkerId id : Registry.workers(s)) {
            Registry.worker(s, id).ifPresent(w -> arr.add(worker(s, w)));
        }
        return n;
    }

    static ObjectNode worker(StateReader s, WorkerRecord w) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", w.info().identity().hex()).put("ecdhKey", Hex.encode(w.info().ecdhKey().bytes()))
                .put("operator", w.info().operator().address()).put("runtimeVersion", w.info().runtimeVersion())
                .put("platform", w.measurement().platform().word()).put("measurement", w.measurement().hex())
                .put("measurementAllowed", Registry.allowedSince(s, w.measurement()).isPresent())
                .put("confidenceLevel", w.confidenceLevel()).put("tcbStatus", w.tcbStatus())
                .put("registeredAt", w.registeredAt()).put("nextSeq", w.nextSeq()).put("gatekeeper", w.gatekeeper());
        Registry.endpoint(s, w.info().identity()).ifPresentOrElse(e -> n.put("endpoint", e), () -> n.putNull("endpoint"));
        if (!w.measurement().platform().hardwareProtected()) {
            n.put("warning", Platform.SIM_WARNING);
        }
        return n;
    }

    static ObjectNode cluster(ClusterRecord c) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", c.id());
        ArrayNode w = n.putArray("workers");
        c.workers().forEach(x -> w.add(x.hex()));
        c.publicKey().ifPresentOrElse(k -> n.put("publicKey", Hex.encode(k.bytes())), () -> n.putNull("publicKey"));
        return n;
    }

    static ObjectNode contracts(StateReader s) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        ArrayNode arr = n.putArray("contracts");
        for (ContractId id : Registry.contracts(s)) {
            Registry.contract(s, id).ifPresent(c -> arr.add(contract(s, c)));
        }
        return n;
    }

    static ObjectNode contract(StateReader s, ContractRecord c) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("id", c.id().hex()).put("kind", c.kind()).put("cluster", c.cluster()).put("keyEpoch", c.keyEpoch())
                .put("deployedAt", c.deployedAt());
        if (c.isWasm()) {
            n.put("owner", c.owner().address()).put("codeHash", c.codeHash().hex());
        }
        c.publicKey().ifPresentOrElse(k -> n.put("publicKey", Hex.encode(k.bytes())), () -> n.putNull("publicKey"));
        ArrayNode w = n.putArray("workers");
        Registry.cluster(s, c.cluster()).ifPresent(cl -> cl.workers().forEach(x -> w.add(x.hex())));
        return n;
    }

    static ObjectNode inbound(long height, List<InboundMessage> messages) {
        ObjectNode n = JsonViews.JSON.createObjectNode();
        n.put("height", height).put("root", InboundMessage.root(messages).hex());
        ArrayNode arr = n.putArray("messages");
        for (InboundMessage m : messages) {
            ObjectNode o = arr.addObject();
            o.put("type", m.getClass().getSimpleName());
            switch (m) {
                case InboundMessage.AuthoritySet a -> {
                    ArrayNode au = o.putArray("authorities");
                    a.authorities().forEach(x -> au.add(x.address()));
                }
                case InboundMessage.WorkerRegistered r -> o.put("worker", r.info().identity().hex())
                        .put("platform", JsonViews.platform(r.platformCode())).put("measurement", Hex.encode(r.measurement()));
                case InboundMessage.GatekeeperAdded g -> o.put("worker", g.worker().hex());
                case InboundMessage.MasterKeyRotation k -> o.put("epoch", k.epoch()).put("by", k.by().hex());
                case InboundMessage.ClusterCreated c -> {
                    o.put("cluster", c.cluster());
                    ArrayNode w = o.putArray("workers");
                    c.workers().forEach(x -> w.add(x.hex()));
                }
                case InboundMessage.WorkerJoinedCluster j -> o.put("cluster", j.cluster()).put("worker", j.worker().hex());
                case InboundMessage.ContractDeployed d -> o.put("contract", d.contract().hex()).put("cluster", d.cluster())
                        .put("kind", d.kind()).put("keyEpoch", d.keyEpoch());
                case InboundMessage.Command c -> o.put("contract", c.contract().hex()).put("sender", c.sender().address())
                        .put("txHash", c.txHash().hex()).put("ciphertext", Hex.encode(c.sealed()));
                case InboundMessage.Accepted a -> o.put("worker", a.message().worker().hex()).put("seq", a.message().seq())
                        .put("message", a.message().message().name());
                case InboundMessage.CodeUploaded c -> o.put("codeHash", c.codeHash().hex()).put("codeBytes", c.code().length);
                case InboundMessage.WasmInstantiated i -> o.put("contract", i.contract().hex()).put("codeHash", i.codeHash().hex())
                        .put("owner", i.owner().address()).put("txHash", i.txHash().hex()).put("argumentCiphertext", Hex.encode(i.sealedArgs()))
                        .put("gasLimit", i.gasLimit());
                case InboundMessage.ContractUpgraded u -> o.put("contract", u.contract().hex()).put("codeHash", u.codeHash().hex());
                case InboundMessage.WasmCall c -> o.put("contract", c.contract().hex()).put("sender", c.sender().address())
                        .put("txHash", c.txHash().hex()).put("ciphertext", Hex.encode(c.sealed())).put("gasLimit", c.gasLimit());
                case InboundMessage.StorageSlot t -> o.put("slot", t.slot()).put("startHeight", t.startHeight())
                        .put("slotBlocks", t.slotBlocks()).put("anchor", t.anchor().hex());
                case InboundMessage.ReplicaAssigned a -> o.put("provider", a.provider().hex()).put("cid", StorageViews.cid(a.file()))
                        .put("size", a.size());
                case InboundMessage.ReplicaReleased x -> o.put("provider", x.provider().hex()).put("cid", StorageViews.cid(x.file()));
                case InboundMessage.JobAssigned job -> {
                    // Public already (the chain's job record); the escrowed keys are ciphertext to the cluster key.
                    o.put("job", job.job()).put("worker", job.worker().hex()).put("sql", job.sql()).put("epsilonMicros", job.epsilon())
                            .put("k", job.minGroupOwners()).put("maxRowsPerOwner", job.maxRowsPerOwner()).put("datasets", job.datasets().size());
                }
                case InboundMessage.DatasetDeleted d -> o.put("dataset", d.dataset()).put("receiptWorker", d.receiptWorker().hex());
                case InboundMessage.BenchmarkRequested b -> o.put("worker", b.worker().hex()).put("untilHeight", b.untilHeight());
                case InboundMessage.HeartbeatChallenge c -> o.put("worker", c.worker().hex()).put("deadline", c.deadline());
                case InboundMessage.WorkerUnresponsive u -> o.put("worker", u.worker().hex());
            }
        }
        return n;
    }
}
