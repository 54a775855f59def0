package cloister.node.api;

import cloister.chain.AccountState;
import cloister.chain.ChainInfo;
import cloister.chain.SubmitResult;
import cloister.chain.TxStatus;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.proto.BalancesCall;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.Call;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;
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
                }
            }
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
        }
        return n;
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
