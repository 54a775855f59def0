package cloister.chain.runtime.system;

import cloister.chain.runtime.BlockState;
import cloister.chain.store.StateReader;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Chain-wide parameters kept in state (module byte 0x00): the sudo account, the minimum fee, the block
 * authorities and the chain name. Keeping them in state means governance changes them like any other state and
 * every node agrees on them at every height.
 */
public final class SystemParams {
    private static final byte[] SUDO = {0x00, 0x01};
    private static final byte[] MINIMUM_FEE = {0x00, 0x02};
    private static final byte[] AUTHORITIES = {0x00, 0x03};
    private static final byte[] CHAIN_NAME = {0x00, 0x04};

    /** Fees go to this account. Nobody holds its key: it is a hash, not a generated key pair. */
    public static final AccountId TREASURY =
            AccountId.of(Sha256.digest("cloister/treasury".getBytes(StandardCharsets.US_ASCII)));

    private SystemParams() {}

    public static AccountId sudo(StateReader s) {
        byte[] v = s.get(SUDO);
        if (v == null) {
            throw new IllegalStateException("state has no sudo account: not a Cloister genesis");
        }
        return AccountId.of(v);
    }

    public static void setSudo(BlockState s, AccountId who) {
        s.put(SUDO, who.bytes());
    }

    public static long minimumFee(StateReader s) {
        byte[] v = s.get(MINIMUM_FEE);
        return v == null ? 0 : new CanonicalReader(v).u64("minimum fee");
    }

    public static void setMinimumFee(BlockState s, long fee) {
        s.put(MINIMUM_FEE, new CanonicalWriter(8).u64(fee).toByteArray());
    }

    public static List<AccountId> authorities(StateReader s) {
        byte[] v = s.get(AUTHORITIES);
        if (v == null) {
            return List.of();
        }
        CanonicalReader r = new CanonicalReader(v);
        int n = r.u32("authority count");
        List<AccountId> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.account("authority"));
        }
        r.end("authorities");
        return out;
    }

    public static void setAuthorities(BlockState s, List<AccountId> authorities) {
        CanonicalWriter w = new CanonicalWriter(4 + 32 * authorities.size());
        w.u32(authorities.size());
        authorities.forEach(w::account);
        s.put(AUTHORITIES, w.toByteArray());
    }

    public static String chainName(StateReader s) {
        byte[] v = s.get(CHAIN_NAME);
        return v == null ? "" : new CanonicalReader(v).string(256, "chain name");
    }

    public static void setChainName(BlockState s, String name) {
        s.put(CHAIN_NAME, new CanonicalWriter(64).string(name).toByteArray());
    }
}
