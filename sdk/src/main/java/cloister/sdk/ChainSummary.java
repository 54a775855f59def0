package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.util.List;

/**
 * What {@code GET /v1/chain} tells a client about the network.
 *
 * @param sealing         {@code dev} (one authority) for now
 * @param blockTimeMillis sealing interval, 0 with instant sealing
 * @param minimumFee      in units
 */
public record ChainSummary(String chainName, Hash genesisHash, String sealing, long blockTimeMillis, long minimumFee,
                           List<AccountId> authorities, AccountId sudo) {
    public ChainSummary {
        authorities = List.copyOf(authorities);
    }
}
