package cloister.proto;

import cloister.crypto.X25519PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Canonical encoding of a block's events: u32 count, each (u32 txIndex+1, tag u8, fields). */
public final class EventCodec {
    private static final int MAX_STRING = 4096;
    private static final int MAX_EVENT_DATA = WorkerMessage.CallSettled.MAX_EVENT_DATA;

    private EventCodec() {}

    public static byte[] encode(List<EventRecord> events) {
        CanonicalWriter w = new CanonicalWriter(64 + events.size() * 96);
        w.u32(events.size());
        for (EventRecord e : events) {
            w.u32(e.txIndex() + 1);
            write(w, e.event());
        }
        return w.toByteArray();
    }

    public static List<EventRecord> decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int n = r.u32("event count");
        List<EventRecord> out = new ArrayList<>(Math.min(n, bytes.length));
        for (int i = 0; i < n; i++) {
            int txIndex = r.u32("event phase") - 1;
            out.add(new EventRecord(txIndex, read(r)));
        }
        r.end("events");
        return out;
    }

    static void write(CanonicalWriter w, Event event) {
        switch (event) {
            case Event.Transfer t -> w.u8(0x01).account(t.from()).account(t.to()).u64(t.amount());
            case Event.FeePaid f -> w.u8(0x02).account(f.who()).u64(f.amount());
            case Event.TxFailed f -> bounded(bounded(w.u8(0x03).hash(f.txHash()), f.reason()), f.message());
            case Event.SudoExecuted s -> bounded(w.u8(0x04), s.call());
            case Event.BalanceSet b -> w.u8(0x05).account(b.who()).u64(b.amount());
            case Event.SudoKeyChanged k -> w.u8(0x06).account(k.newKey());
            case Event.MinimumFeeChanged m -> w.u8(0x07).u64(m.fee());
            case Event.MeasurementAllowed m -> bounded(w.u8(0x08).u8(m.platformCode()), m.measurementHex());
            case Event.MeasurementDisallowed m -> bounded(w.u8(0x09).u8(m.platformCode()), m.measurementHex());
            case Event.AttestationPolicySet p -> w.u8(0x0A).u8(p.maxConfidenceLevel()).u64(p.maxQuoteAgeMillis());
            case Event.WorkerRegistered r -> w.u8(0x0B).fixed(r.worker().bytes()).account(r.operator()).u8(r.platformCode()).u8(r.confidenceLevel());
            case Event.GatekeeperAdded g -> w.u8(0x0C).fixed(g.worker().bytes());
            case Event.MasterKeyRotationRequested k -> w.u8(0x0D).u32(k.epoch()).fixed(k.by().bytes());
            case Event.MasterKeyPublished k -> w.u8(0x0E).u32(k.epoch()).fixed(k.publicKey().bytes());
            case Event.ClusterCreated c -> w.u8(0x0F).u32(c.cluster()).u32(c.workers());
            case Event.WorkerJoinedCluster j -> w.u8(0x10).u32(j.cluster()).fixed(j.worker().bytes());
            case Event.ClusterKeyPublished c -> w.u8(0x11).u32(c.cluster()).fixed(c.publicKey().bytes());
            case Event.ContractDeployed d -> bounded(w.u8(0x12).hash(d.contract().hash()), d.kind()).u32(d.cluster());
            case Event.ContractKeyPublished k -> w.u8(0x13).hash(k.contract().hash()).fixed(k.publicKey().bytes()).u32(k.deliveries());
            case Event.WorkerMessageAccepted a -> bounded(w.u8(0x14).fixed(a.worker().bytes()).u64(a.seq()), a.message());
            case Event.CommandPushed c -> w.u8(0x15).hash(c.contract().hash()).account(c.sender()).u32(c.size());
            case Event.WorkerMessageRefused f -> bounded(bounded(w.u8(0x16).fixed(f.worker().bytes()).u64(f.seq()), f.reason()), f.message());
            case Event.CodeUploaded c -> w.u8(0x17).hash(c.codeHash()).u32(c.size());
            case Event.ContractInstantiated i -> w.u8(0x18).hash(i.contract().hash()).hash(i.codeHash()).account(i.owner()).u32(i.cluster());
            case Event.ContractUpgraded u -> w.u8(0x19).hash(u.contract().hash()).hash(u.codeHash());
            case Event.ContractCalled c -> w.u8(0x1A).hash(c.contract().hash()).account(c.sender()).u64(c.gasLimit()).u64(c.reserved());
            case Event.GasSettled g -> w.u8(0x1B).hash(g.txHash()).u64(g.gasUsed()).u64(g.fee()).u64(g.refund());
            case Event.SettlementMismatch g -> w.u8(0x1C).hash(g.txHash()).fixed(g.worker().bytes()).u64(g.reported()).u64(g.settled());
            case Event.ContractEmitted e -> w.u8(0x1D).hash(e.contract().hash()).hash(e.txHash()).u32(e.index()).bool(e.isPublic())
                    .bytes(e.data());
            case Event.ContractTransfersRefused f -> bounded(w.u8(0x1E).hash(f.contract().hash()).hash(f.txHash()), f.message());
            case Event.ProviderRegistered p -> w.u8(0x1F).fixed(p.provider().bytes()).account(p.operator()).u64(p.capacity());
            case Event.OrderPlaced o -> w.u8(0x20).hash(o.file()).account(o.owner()).u64(o.size()).u32(o.replicas()).u64(o.endSlot())
                    .u64(o.escrow());
            case Event.ReplicaAssigned a -> w.u8(0x21).hash(a.file()).fixed(a.provider().bytes());
            case Event.ReplicaLost l -> bounded(w.u8(0x22).hash(l.file()).fixed(l.provider().bytes()), l.reason());
            case Event.WorkReportAccepted r -> w.u8(0x23).fixed(r.provider().bytes()).u64(r.slot()).u32(r.files()).u64(r.totalSize());
            case Event.StorageSlotClosed c -> w.u8(0x24).u64(c.slot()).u32(c.verified()).u64(c.paid());
            case Event.OrderRenewed n -> w.u8(0x25).hash(n.file()).u64(n.endSlot()).u64(n.paid());
            case Event.OrderEnded e -> bounded(w.u8(0x26).hash(e.file()), e.reason()).u64(e.refund());
            case Event.DatasetRegistered d -> bounded(w.u8(0x27).u64(d.dataset()).account(d.owner()), d.name());
            case Event.GrantAdded g -> w.u8(0x28).u64(g.dataset()).u32(g.grant());
            case Event.DatasetDeleted d -> w.u8(0x29).u64(d.dataset()).u32(d.ordersCancelled());
            case Event.JobSubmitted j -> w.u8(0x2A).u64(j.job()).account(j.buyer()).u32(j.datasets()).u32(j.consented());
            case Event.JobStarted j -> w.u8(0x2B).u64(j.job()).fixed(j.worker().bytes()).u32(j.datasets());
            case Event.JobEnded j -> bounded(bounded(w.u8(0x2C).u64(j.job()), j.state()), j.reason()).u64(j.paid()).u64(j.refund());
            case Event.WorkerBenchmarked b -> w.u8(0x2D).fixed(b.worker().bytes()).u64(b.iterationsPerSecond()).u32(b.score());
            case Event.ComputingStarted c -> w.u8(0x2E).fixed(c.worker().bytes()).u64(c.pool()).u64(c.stake()).u64(c.v());
            case Event.HeartbeatChallenged h -> w.u8(0x2F).fixed(h.worker().bytes()).u64(h.deadline());
            case Event.MiningReward m -> w.u8(0x30).fixed(m.worker().bytes()).u64(m.pool()).u64(m.toPool()).u64(m.toTreasury()).u64(m.v());
            case Event.WorkerUnresponsive u -> w.u8(0x31).fixed(u.worker().bytes()).u64(u.v());
            case Event.WorkerRecovered u -> w.u8(0x32).fixed(u.worker().bytes()).u64(u.v());
            case Event.ComputingStopped c -> w.u8(0x33).fixed(c.worker().bytes()).u64(c.coolingUntil()).bool(c.forced());
            case Event.StakeReclaimed c -> w.u8(0x34).fixed(c.worker().bytes()).u64(c.pool()).u64(c.returned()).u64(c.slashed());
            case Event.PoolCreated p -> w.u8(0x35).u64(p.pool()).account(p.owner()).u32(p.commission());
            case Event.PoolWorkerAdded p -> w.u8(0x36).u64(p.pool()).fixed(p.worker().bytes());
            case Event.Delegated d -> w.u8(0x37).u64(d.pool()).account(d.who()).u64(d.amount()).u64(d.shares());
            case Event.WithdrawalQueued q -> w.u8(0x38).u64(q.pool()).account(q.who()).u64(q.shares());
            case Event.Withdrawn d -> w.u8(0x39).u64(d.pool()).account(d.who()).u64(d.shares()).u64(d.amount());
            case Event.PoolRewarded p -> w.u8(0x3A).u64(p.pool()).u64(p.reward()).u64(p.commission());
            case Event.StorageReward t -> w.u8(0x3B).fixed(t.worker().bytes()).u64(t.pool()).u64(t.toPool()).u64(t.toTreasury()).u64(t.verifiedBytes());
        }
    }

    /** Refuses at encoding what {@link #read} would refuse, so encoded events always decode. */
    private static CanonicalWriter bounded(CanonicalWriter w, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STRING) {
            throw new IllegalArgumentException("event string of " + utf8.length + " bytes exceeds " + MAX_STRING);
        }
        return w.bytes(utf8);
    }

    static Event read(CanonicalReader r) {
        int tag = r.u8("event tag");
        return switch (tag) {
            case 0x01 -> new Event.Transfer(r.account("from"), r.account("to"), r.u64("amount"));
            case 0x02 -> new Event.FeePaid(r.account("who"), r.u64("amount"));
            case 0x03 -> new Event.TxFailed(r.hash("tx hash"), r.string(MAX_STRING, "reason"), r.string(MAX_STRING, "message"));
            case 0x04 -> new Event.SudoExecuted(r.string(MAX_STRING, "call"));
            case 0x05 -> new Event.BalanceSet(r.account("who"), r.u64("amount"));
            case 0x06 -> new Event.SudoKeyChanged(r.account("new key"));
            case 0x07 -> new Event.MinimumFeeChanged(r.u64("fee"));
            case 0x08 -> new Event.MeasurementAllowed(r.u8("platform"), r.string(MAX_STRING, "measurement"));
            case 0x09 -> new Event.MeasurementDisallowed(r.u8("platform"), r.string(MAX_STRING, "measurement"));
            case 0x0A -> new Event.AttestationPolicySet(r.u8("confidence level"), r.u64("quote age"));
            case 0x0B -> new Event.WorkerRegistered(worker(r), r.account("operator"), r.u8("platform"), r.u8("confidence level"));
            case 0x0C -> new Event.GatekeeperAdded(worker(r));
            case 0x0D -> new Event.MasterKeyRotationRequested(r.u32("epoch"), worker(r));
            case 0x0E -> new Event.MasterKeyPublished(r.u32("epoch"), X25519PublicKey.of(r.fixed(32, "public key")));
            case 0x0F -> new Event.ClusterCreated(r.u32("cluster"), r.u32("workers"));
            case 0x10 -> new Event.WorkerJoinedCluster(r.u32("cluster"), worker(r));
            case 0x11 -> new Event.ClusterKeyPublished(r.u32("cluster"), X25519PublicKey.of(r.fixed(32, "public key")));
            case 0x12 -> new Event.ContractDeployed(new ContractId(r.hash("contract")), r.string(MAX_STRING, "kind"), r.u32("cluster"));
            case 0x13 -> new Event.ContractKeyPublished(new ContractId(r.hash("contract")), X25519PublicKey.of(r.fixed(32, "public key")), r.u32("deliveries"));
            case 0x14 -> new Event.WorkerMessageAccepted(worker(r), r.u64("seq"), r.string(MAX_STRING, "message"));
            case 0x15 -> new Event.CommandPushed(new ContractId(r.hash("contract")), r.account("sender"), r.u32("size"));
            case 0x17 -> new Event.CodeUploaded(r.hash("code hash"), r.u32("size"));
            case 0x18 -> new Event.ContractInstantiated(new ContractId(r.hash("contract")), r.hash("code hash"), r.account("owner"), r.u32("cluster"));
            case 0x19 -> new Event.ContractUpgraded(new ContractId(r.hash("contract")), r.hash("code hash"));
            case 0x1A -> new Event.ContractCalled(new ContractId(r.hash("contract")), r.account("sender"), r.u64("gas limit"), r.u64("reserved"));
            case 0x1B -> new Event.GasSettled(r.hash("tx hash"), r.u64("gas used"), r.u64("fee"), r.u64("refund"));
            case 0x1C -> new Event.SettlementMismatch(r.hash("tx hash"), worker(r), r.u64("reported"), r.u64("settled"));
            case 0x1D -> new Event.ContractEmitted(new ContractId(r.hash("contract")), r.hash("tx hash"), r.u32("index"), r.bool("public"),
                    r.bytes(MAX_EVENT_DATA, "event data"));
            case 0x1E -> new Event.ContractTransfersRefused(new ContractId(r.hash("contract")), r.hash("tx hash"), r.string(MAX_STRING, "message"));
            case 0x1F -> new Event.ProviderRegistered(worker(r), r.account("operator"), r.u64("capacity"));
            case 0x20 -> new Event.OrderPlaced(r.hash("file"), r.account("owner"), r.u64("size"), r.u32("replicas"), r.u64("end slot"),
                    r.u64("escrow"));
            case 0x21 -> new Event.ReplicaAssigned(r.hash("file"), worker(r));
            case 0x22 -> new Event.ReplicaLost(r.hash("file"), worker(r), r.string(MAX_STRING, "reason"));
            case 0x23 -> new Event.WorkReportAccepted(worker(r), r.u64("slot"), r.u32("files"), r.u64("total size"));
            case 0x24 -> new Event.StorageSlotClosed(r.u64("slot"), r.u32("verified"), r.u64("paid"));
            case 0x25 -> new Event.OrderRenewed(r.hash("file"), r.u64("end slot"), r.u64("paid"));
            case 0x26 -> new Event.OrderEnded(r.hash("file"), r.string(MAX_STRING, "reason"), r.u64("refund"));
            case 0x27 -> new Event.DatasetRegistered(r.u64("dataset"), r.account("owner"), r.string(MAX_STRING, "name"));
            case 0x28 -> new Event.GrantAdded(r.u64("dataset"), r.u32("grant"));
            case 0x29 -> new Event.DatasetDeleted(r.u64("dataset"), r.u32("orders cancelled"));
            case 0x2A -> new Event.JobSubmitted(r.u64("job"), r.account("buyer"), r.u32("datasets"), r.u32("consented"));
            case 0x2B -> new Event.JobStarted(r.u64("job"), worker(r), r.u32("datasets"));
            case 0x2C -> new Event.JobEnded(r.u64("job"), r.string(MAX_STRING, "state"), r.string(MAX_STRING, "reason"), r.u64("paid"), r.u64("refund"));
            case 0x2D -> new Event.WorkerBenchmarked(worker(r), r.u64("iterations per second"), r.u32("score"));
            case 0x2E -> new Event.ComputingStarted(worker(r), r.u64("pool"), r.u64("stake"), r.u64("v"));
            case 0x2F -> new Event.HeartbeatChallenged(worker(r), r.u64("deadline"));
            case 0x30 -> new Event.MiningReward(worker(r), r.u64("pool"), r.u64("to pool"), r.u64("to treasury"), r.u64("v"));
            case 0x31 -> new Event.WorkerUnresponsive(worker(r), r.u64("v"));
            case 0x32 -> new Event.WorkerRecovered(worker(r), r.u64("v"));
            case 0x33 -> new Event.ComputingStopped(worker(r), r.u64("cooling until"), r.bool("forced"));
            case 0x34 -> new Event.StakeReclaimed(worker(r), r.u64("pool"), r.u64("returned"), r.u64("slashed"));
            case 0x35 -> new Event.PoolCreated(r.u64("pool"), r.account("owner"), r.u32("commission"));
            case 0x36 -> new Event.PoolWorkerAdded(r.u64("pool"), worker(r));
            case 0x37 -> new Event.Delegated(r.u64("pool"), r.account("who"), r.u64("amount"), r.u64("shares"));
            case 0x38 -> new Event.WithdrawalQueued(r.u64("pool"), r.account("who"), r.u64("shares"));
            case 0x39 -> new Event.Withdrawn(r.u64("pool"), r.account("who"), r.u64("shares"), r.u64("amount"));
            case 0x3A -> new Event.PoolRewarded(r.u64("pool"), r.u64("reward"), r.u64("commission"));
            case 0x3B -> new Event.StorageReward(worker(r), r.u64("pool"), r.u64("to pool"), r.u64("to treasury"), r.u64("verified bytes"));
            case 0x16 -> new Event.WorkerMessageRefused(worker(r), r.u64("seq"), r.string(MAX_STRING, "reason"), r.string(MAX_STRING, "message"));
            default -> throw new MalformedException("unknown event tag " + tag);
        };
    }

    private static WorkerId worker(CanonicalReader r) {
        return WorkerId.of(r.fixed(32, "worker"));
    }
}
