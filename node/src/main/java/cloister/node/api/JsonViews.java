package cloister.node.api;

import cloister.chain.AccountState;
import cloister.chain.ChainInfo;
import cloister.chain.SubmitResult;
import cloister.chain.TxStatus;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.common.Hex;
import cloister.proto.BalancesCall;
import cloister.proto.ContractsCall;
import cloister.proto.RegistryCall;
import cloister.tee.Platform;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.Call;
import cloister.proto.DataMarketCall;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;
import cloister.proto.StorageCall;
import cloister.proto.Transaction;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The API's JSON shapes. Amounts are strings of base units with a formatted CLO twin ({@code "balance"} and
 * {@code "balanceCLO"}), hashes and signatures lower-case hex, accounts {@code clo1…} addresses.
 */
final class JsonViews {
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonViews() {}

    static ObjectNode error(String code, String message) {
        return JSON.createObjectNode().put("code", code).put("message", message);
    }

    static void amount(ObjectNode n, String field, long units) {
        n.put(field, Long.toString(units));
        n.put(field + "CLO", Tokens.format(units));
    }

    static ObjectNode chain(ChainInfo info) {
        ObjectNode n = JSON.createObjectNode();
        n.put("chainName", info.chainName()).put("genesisHash", info.genesisHash().hex()).put("sealing", info.sealing())
                .put("blockTimeMillis", info.blockTimeMillis());
        amount(n, "minimumFee", info.minimumFee());
        ArrayNode auth = n.putArray("authorities");
        info.authorities().forEach(a -> auth.add(a.address()));
        n.put("sudo", info.sudo().address());
        n.put("tokenSymbol", Tokens.SYMBOL).put("tokenDecimals", Tokens.DECIMALS);
        return n;
    }

    static ObjectNode header(BlockHeader h, int txCount) {
        ObjectNode n = JSON.createObjectNode();
        n.put("height", h.height()).put("hash", h.hash().hex()).put("parentHash", h.parentHash().hex())
                .put("timestamp", h.timestamp()).put("transactionsRoot", h.transactionsRoot().hex())
                .put("stateRoot", h.stateRoot().hex()).put("workerMessagesRoot", h.workerMessagesRoot().hex())
                .put("proposer", h.proposer().address()).put("signature", h.signature().hex()).put("txCount", txCount);
        return n;
    }

    static ObjectNode block(Block b) {
        ObjectNode n = header(b.header(), b.transactions().size());
        ArrayNode txs = n.putArray("transactions");
        for (Transaction t : b.transactions()) {
            txs.add(transaction(t));
        }
        return n;
    }

    static ObjectNode transaction(Transaction t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("hash", t.hash().hex()).put("sender", t.sender().address()).put("nonce", t.nonce());
        amount(n, "fee", t.fee());
        n.put("call", t.call().name());
        n.set("args", callArgs(t.call()));
        return n;
    }

    static ObjectNode callArgs(Call call) {
        ObjectNode n = JSON.createObjectNode();
        switch (call) {
            case BalancesCall.Transfer tr -> {
                n.put("to", tr.to().address());
                amount(n, "amount", tr.amount());
            }
            case SudoCall.Sudo sudo -> {
                n.put("call", sudo.call().name());
                switch (sudo.call()) {
                    case GovernanceCall.SetBalance sb -> {
                        n.put("who", sb.who().address());
                        amount(n, "amount", sb.amount());
                    }
                    case GovernanceCall.SetSudoKey sk -> n.put("newKey", sk.newKey().address());
                    case GovernanceCall.SetMinimumFee mf -> amount(n, "fee", mf.fee());
                    case GovernanceCall.AllowMeasurement a -> n.put("platform", platform(a.platformCode())).put("measurement", Hex.encode(a.measurement()));
                    case GovernanceCall.DisallowMeasurement d -> n.put("platform", platform(d.platformCode())).put("measurement", Hex.encode(d.measurement()));
                    case GovernanceCall.AddGatekeeper g -> n.put("worker", g.worker().hex());
                    case GovernanceCall.RotateMasterKey r -> { }
                    case GovernanceCall.CreateCluster c -> {
                        ArrayNode w = n.putArray("workers");
                        c.workers().forEach(x -> w.add(x.hex()));
                    }
                    case GovernanceCall.AddWorkerToCluster a -> n.put("cluster", a.cluster()).put("worker", a.worker().hex());
                    case GovernanceCall.DeploySystemContract d -> n.put("kind", d.kind()).put("cluster", d.cluster());
                    case GovernanceCall.SetAttestationPolicy p -> n.put("maxConfidenceLevel", p.maxConfidenceLevel())
                            .put("maxQuoteAgeMillis", p.maxQuoteAgeMillis());
                    case GovernanceCall.SetStorageSlot t -> n.put("slotBlocks", t.blocks());
                }
            }
            case RegistryCall.RegisterWorker r -> {
                n.put("worker", r.info().identity().hex()).put("ecdhKey", Hex.encode(r.info().ecdhKey().bytes()))
                        .put("operator", r.info().operator().address()).put("runtimeVersion", r.info().runtimeVersion())
                        .put("platform", platform(r.evidence().platformCode())).put("quoteBytes", r.evidence().quote().length);
            }
            case RegistryCall.SubmitWorkerMessage m -> n.put("worker", m.message().worker().hex()).put("seq", m.message().seq())
                    .put("message", m.message().message().name());
            // The command is ciphertext for the contract's key: its size is all there is to show.
            case ContractsCall.PushCommand c -> n.put("contract", c.contract().hex()).put("ciphertextBytes", c.sealed().length);
            case ContractsCall.UploadCode u -> n.put("codeHash", cloister.crypto.Sha256.hash(u.code()).hex()).put("codeBytes", u.code().length);
            case ContractsCall.Instantiate i -> n.put("codeHash", i.codeHash().hex()).put("cluster", i.cluster()).put("salt", Hex.encode(i.salt()))
                    .put("argumentCiphertextBytes", i.sealedArgs().length).put("gasLimit", i.gasLimit()).put("gasPrice", i.gasPrice());
            case ContractsCall.Upgrade u -> n.put("contract", u.contract().hex()).put("codeHash", u.codeHash().hex());
            case ContractsCall.CallContract c -> n.put("contract", c.contract().hex()).put("ciphertextBytes", c.sealed().length)
                    .put("gasLimit", c.gasLimit()).put("gasPrice", c.gasPrice());
            case StorageCall.RegisterProvider p -> n.put("provider", p.watchdog().hex()).put("capacity", p.capacity()).put("endpoint", p.endpoint());
            case StorageCall.PlaceOrder o -> {
                n.put("cid", StorageViews.cid(o.file())).put("size", o.size()).put("replicas", o.replicas()).put("slots", o.slots());
                amount(n, "pricePerReplicaSlot", o.pricePerReplicaSlot());
                n.put("wrappedKeyBytes", o.wrappedKey().length);
            }
            case StorageCall.Renew r -> n.put("cid", StorageViews.cid(r.file())).put("slots", r.slots());
            case StorageCall.Cancel c -> n.put("cid", StorageViews.cid(c.file()));
            case DataMarketCall.RegisterDataset d -> n.put("name", d.datasetName()).put("cluster", d.cluster()).put("schemaBytes", d.schema().length);
            case DataMarketCall.AddBatch b -> n.put("dataset", b.dataset()).put("cid", StorageViews.cid(b.file())).put("rows", b.rows())
                    .put("size", b.size());
            case DataMarketCall.SetListing l -> {
                n.put("dataset", l.dataset()).put("description", l.listing().description());
                amount(n, "pricePerUse", l.listing().pricePerUse());
                amount(n, "pricePerRow", l.listing().pricePerRow());
                n.put("purposes", String.join(",", DataMarketCall.purposes(l.listing().purposes()))).put("k", l.listing().minGroupOwners())
                        .put("epsilonTotalMicros", l.listing().epsilonTotal()).put("epsilonCapMicros", l.listing().epsilonCap())
                        .put("maxRowsPerOwner", l.listing().maxRowsPerOwner()).put("previewBytes", l.listing().preview().length);
            }
            case DataMarketCall.Unlist u -> n.put("dataset", u.dataset());
            case DataMarketCall.Grant g -> {
                n.put("dataset", g.dataset()).put("buyer", g.buyer().equals(DataMarketCall.ANY_BUYER) ? "any" : g.buyer().address())
                        .put("purposes", String.join(",", DataMarketCall.purposes(g.purposes())))
                        .put("algorithm", g.algorithm().equals(DataMarketCall.ANY_AGGREGATE) ? "any aggregate" : g.algorithm().hex())
                        .put("expiresAt", g.expiresAt()).put("maxUses", g.maxUses());
                amount(n, "price", g.price());
            }
            case DataMarketCall.Revoke r -> n.put("dataset", r.dataset()).put("grant", r.grant());
            case DataMarketCall.SetPolicy p -> {
                n.put("dataset", p.dataset()).put("purposes", String.join(",", DataMarketCall.purposes(p.purposes())));
                amount(n, "minPrice", p.minPrice());
            }
            case DataMarketCall.DeleteDataset d -> n.put("dataset", d.dataset());
            case DataMarketCall.SubmitJob j -> {
                n.put("purpose", j.purpose() < DataMarketCall.PURPOSES.size() ? DataMarketCall.PURPOSES.get(j.purpose()) : String.valueOf(j.purpose()))
                        .put("sql", j.sql()).put("datasets", j.datasets().size()).put("epsilonMicros", j.epsilon()).put("consentBlocks", j.consentBlocks());
                amount(n, "budget", j.budget());
            }
            case DataMarketCall.Decide d -> n.put("job", d.job()).put("dataset", d.dataset()).put("approve", d.approve());
            case DataMarketCall.CancelJob c -> n.put("job", c.job());
            // Build fix for main at aca54a6: mining calls get their JSON fields in the node-side mining change.
            default -> n.put("summary", call.toString());
        }
        return n;
    }

    static ObjectNode events(long height, List<EventRecord> records) {
        ObjectNode n = JSON.createObjectNode();
        n.put("height", height);
        ArrayNode arr = n.putArray("events");
        for (EventRecord r : records) {
            ObjectNode e = arr.addObject();
            if (r.txIndex() == EventRecord.BLOCK) {
                e.putNull("txIndex");
            } else {
                e.put("txIndex", r.txIndex());
            }
            e.put("type", r.event().type());
            e.set("fields", eventFields(r.event()));
        }
        return n;
    }

    static ObjectNode eventFields(Event event) {
        ObjectNode n = JSON.createObjectNode();
        switch (event) {
            case Event.Transfer t -> {
                n.put("from", t.from().address()).put("to", t.to().address());
                amount(n, "amount", t.amount());
            }
            case Event.FeePaid f -> {
                n.put("who", f.who().address());
                amount(n, "amount", f.amount());
            }
            case Event.TxFailed f -> n.put("txHash", f.txHash().hex()).put("reason", f.reason()).put("message", f.message());
            case Event.SudoExecuted s -> n.put("call", s.call());
            case Event.BalanceSet b -> {
                n.put("who", b.who().address());
                amount(n, "amount", b.amount());
            }
            case Event.SudoKeyChanged k -> n.put("newKey", k.newKey().address());
            case Event.MinimumFeeChanged m -> amount(n, "fee", m.fee());
            case Event.MeasurementAllowed m -> n.put("platform", platform(m.platformCode())).put("measurement", m.measurementHex());
            case Event.MeasurementDisallowed m -> n.put("platform", platform(m.platformCode())).put("measurement", m.measurementHex());
            case Event.AttestationPolicySet p -> n.put("maxConfidenceLevel", p.maxConfidenceLevel()).put("maxQuoteAgeMillis", p.maxQuoteAgeMillis());
            case Event.WorkerRegistered r -> n.put("worker", r.worker().hex()).put("operator", r.operator().address())
                    .put("platform", platform(r.platformCode())).put("confidenceLevel", r.confidenceLevel());
            case Event.GatekeeperAdded g -> n.put("worker", g.worker().hex());
            case Event.MasterKeyRotationRequested k -> n.put("epoch", k.epoch()).put("by", k.by().hex());
            case Event.MasterKeyPublished k -> n.put("epoch", k.epoch()).put("publicKey", Hex.encode(k.publicKey().bytes()));
            case Event.ClusterCreated c -> n.put("cluster", c.cluster()).put("workers", c.workers());
            case Event.WorkerJoinedCluster j -> n.put("cluster", j.cluster()).put("worker", j.worker().hex());
            case Event.ClusterKeyPublished c -> n.put("cluster", c.cluster()).put("publicKey", Hex.encode(c.publicKey().bytes()));
            case Event.ContractDeployed d -> n.put("contract", d.contract().hex()).put("kind", d.kind()).put("cluster", d.cluster());
            case Event.ContractKeyPublished k -> n.put("contract", k.contract().hex()).put("publicKey", Hex.encode(k.publicKey().bytes()))
                    .put("deliveries", k.deliveries());
            case Event.WorkerMessageAccepted a -> n.put("worker", a.worker().hex()).put("seq", a.seq()).put("message", a.message());
            case Event.WorkerMessageRefused f -> n.put("worker", f.worker().hex()).put("seq", f.seq()).put("reason", f.reason())
                    .put("message", f.message());
            case Event.CommandPushed c -> n.put("contract", c.contract().hex()).put("sender", c.sender().address())
                    .put("ciphertextBytes", c.size());
            case Event.CodeUploaded c -> n.put("codeHash", c.codeHash().hex()).put("size", c.size());
            case Event.ContractInstantiated i -> n.put("contract", i.contract().hex()).put("codeHash", i.codeHash().hex())
                    .put("owner", i.owner().address()).put("cluster", i.cluster());
            case Event.ContractUpgraded u -> n.put("contract", u.contract().hex()).put("codeHash", u.codeHash().hex());
            case Event.ContractCalled c -> {
                n.put("contract", c.contract().hex()).put("sender", c.sender().address()).put("gasLimit", c.gasLimit());
                amount(n, "reserved", c.reserved());
            }
            case Event.GasSettled g -> {
                n.put("txHash", g.txHash().hex()).put("gasUsed", g.gasUsed());
                amount(n, "fee", g.fee());
                amount(n, "refund", g.refund());
            }
            case Event.SettlementMismatch g -> n.put("txHash", g.txHash().hex()).put("worker", g.worker().hex()).put("reported", g.reported())
                    .put("settled", g.settled());
            case Event.ContractEmitted e -> {
                n.put("contract", e.contract().hex()).put("txHash", e.txHash().hex()).put("index", e.index()).put("public", e.isPublic());
                if (e.isPublic()) {
                    n.put("dataHex", java.util.HexFormat.of().formatHex(e.data()));
                } else {
                    n.put("sealedHex", java.util.HexFormat.of().formatHex(e.data()));
                }
            }
            case Event.ContractTransfersRefused f -> n.put("contract", f.contract().hex()).put("txHash", f.txHash().hex())
                    .put("message", f.message());
            case Event.ProviderRegistered p -> n.put("provider", p.provider().hex()).put("operator", p.operator().address())
                    .put("capacity", p.capacity());
            case Event.OrderPlaced o -> {
                n.put("cid", StorageViews.cid(o.file())).put("owner", o.owner().address()).put("size", o.size())
                        .put("replicas", o.replicas()).put("endSlot", o.endSlot());
                amount(n, "escrow", o.escrow());
            }
            case Event.ReplicaAssigned a -> n.put("cid", StorageViews.cid(a.file())).put("provider", a.provider().hex());
            case Event.ReplicaLost l -> n.put("cid", StorageViews.cid(l.file())).put("provider", l.provider().hex()).put("reason", l.reason());
            case Event.WorkReportAccepted r -> n.put("provider", r.provider().hex()).put("slot", r.slot()).put("files", r.files())
                    .put("totalSize", r.totalSize());
            case Event.StorageSlotClosed c -> {
                n.put("slot", c.slot()).put("verified", c.verified());
                amount(n, "paid", c.paid());
            }
            case Event.OrderRenewed r -> {
                n.put("cid", StorageViews.cid(r.file())).put("endSlot", r.endSlot());
                amount(n, "paid", r.paid());
            }
            case Event.OrderEnded e -> {
                n.put("cid", StorageViews.cid(e.file())).put("reason", e.reason());
                amount(n, "refund", e.refund());
            }
            case Event.DatasetRegistered d -> n.put("dataset", d.dataset()).put("owner", d.owner().address()).put("name", d.name());
            case Event.GrantAdded g -> n.put("dataset", g.dataset()).put("grant", g.grant());
            case Event.DatasetDeleted d -> n.put("dataset", d.dataset()).put("ordersCancelled", d.ordersCancelled());
            case Event.JobSubmitted j -> n.put("job", j.job()).put("buyer", j.buyer().address()).put("datasets", j.datasets())
                    .put("consented", j.consented());
            case Event.JobStarted j -> n.put("job", j.job()).put("worker", j.worker().hex()).put("datasets", j.datasets());
            case Event.JobEnded j -> {
                n.put("job", j.job()).put("state", j.state()).put("reason", j.reason());
                amount(n, "paid", j.paid());
                amount(n, "refund", j.refund());
            }
            // Build fix for main at aca54a6: mining events get their JSON fields in the node-side mining change.
            default -> n.put("summary", event.toString());
        }
        return n;
    }

    /** A TEE platform's word ({@code sim}, {@code sgx}, {@code tdx}) for its wire code. */
    static String platform(int code) {
        try {
            return Platform.ofCode(code).word();
        } catch (IllegalArgumentException e) {
            return "unknown(" + code + ")";
        }
    }

    static ObjectNode account(AccountId id, AccountState state, long nextNonce) {
        ObjectNode n = JSON.createObjectNode();
        n.put("address", id.address()).put("publicKey", id.hex());
        amount(n, "balance", state.balance());
        n.put("nonce", state.nonce()).put("nextNonce", nextNonce);
        return n;
    }

    static ObjectNode txStatus(Hash hash, TxStatus status) {
        ObjectNode n = JSON.createObjectNode();
        n.put("hash", hash.hex());
        switch (status) {
            case TxStatus.Pending p -> n.put("status", "pending").put("ready", p.ready());
            case TxStatus.Included i -> {
                n.put("status", "included").put("height", i.height()).put("blockHash", i.blockHash().hex())
                        .put("index", i.index()).put("success", i.success());
                if (i.failureReason() == null) {
                    n.putNull("failureReason");
                } else {
                    n.put("failureReason", i.failureReason());
                }
            }
            case TxStatus.Unknown u -> n.put("status", "unknown");
        }
        return n;
    }

    static ObjectNode submitOutcome(SubmitResult r, Hash hashIfKnown) {
        ObjectNode n = JSON.createObjectNode();
        switch (r) {
            case SubmitResult.Accepted a -> n.put("accepted", true).put("hash", a.txHash().hex());
            case SubmitResult.Rejected rej -> {
                n.put("accepted", false);
                if (hashIfKnown != null) {
                    n.put("hash", hashIfKnown.hex());
                }
                n.put("code", rej.reason().code()).put("message", rej.message());
            }
        }
        return n;
    }
}
