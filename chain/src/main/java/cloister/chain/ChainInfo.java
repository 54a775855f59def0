package cloister.chain;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.util.List;

/**
 * Facts about a running chain that clients need: the genesis hash goes into every signed transaction.
 *
 * @param sealing         {@code dev} (one authority) for now; {@code raft} later
 * @param blockTimeMillis the sealing interval, 0 with instant sealing
 * @param minimumFee      the smallest fee the pool and runtime accept, in units
 */
public record ChainInfo(String chainName, Hash genesisHash, String sealing, long blockTimeMillis, long minimumFee,
                        List<AccountId> authorities, AccountId sudo) {
    public ChainInfo {
        authorities = List.copyOf(authorities);
    }
}
