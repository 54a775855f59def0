package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.util.Map;

/**
 * A transaction inside a block.
 *
 * @param call the call name, e.g. {@code balances.transfer}
 * @param args the decoded call fields as strings (amounts in units)
 */
public record TxInfo(Hash hash, AccountId sender, long nonce, long fee, String call, Map<String, String> args) {
    public TxInfo {
        args = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
    }
}
