package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.X25519PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker says to the chain (egress), inside a {@link SignedWorkerMessage}. Key messages may only come from
 * gatekeepers. Later issues add heartbeats, benchmark and work reports, job results.
 */
public sealed interface WorkerMessage {
    int MAX_SHARES = 1024;

    String name();

    /**
     * A gatekeeper publishes the master public key of {@code epoch}: the first gatekeeper creates epoch 0; on a
     * rotation the designated gatekeeper creates the next epoch and shares the new history with every other
     * gatekeeper in {@code shares}.
     */
    record MasterKeyPublished(int epoch, X25519PublicKey masterPublicKey, List<KeyShare> shares) implements WorkerMessage {
        public MasterKeyPublished {
            shares = List.copyOf(shares);
        }

        @Override
        public String name() {
            return "masterKeyPublished";
        }
    }

    /** A gatekeeper hands the master-key history to a newly added gatekeeper. */
    record MasterKeyShared(KeyShare share) implements WorkerMessage {
        @Override
        public String name() {
            return "masterKeyShared";
        }
    }

    /**
     * A gatekeeper publishes a cluster's public key (derived from the master key; clients seal constructor arguments
     * to it) and delivers the cluster's secret key to workers of the cluster. Sent again with the same key and only
     * new deliveries when a worker joins the cluster.
     */
    record ClusterKeyPublished(int cluster, X25519PublicKey publicKey, List<KeyShare> deliveries) implements WorkerMessage {
        public ClusterKeyPublished {
            deliveries = List.copyOf(deliveries);
        }

        @Override
        public String name() {
            return "clusterKeyPublished";
        }
    }

    /**
     * A gatekeeper publishes a contract's public key (clients encrypt commands to it) and delivers the contract's
     * secret key to workers of its cluster. Sent again with only new deliveries when a worker joins the cluster.
     */
    record ContractKeyPublished(ContractId contract, X25519PublicKey publicKey, List<KeyShare> deliveries) implements WorkerMessage {
        public ContractKeyPublished {
            deliveries = List.copyOf(deliveries);
        }

        @Override
        public String name() {
            return "contractKeyPublished";
        }
    }

    /**
     * Where the worker serves encrypted queries (an http(s) URL, at most 256 bytes). Any registered worker may say
     * it; clients still verify every answer's signature, so a wrong URL can only make queries fail.
     */
    record EndpointAnnounced(String url) implements WorkerMessage {
        public static final int MAX_URL = 256;

        public EndpointAnnounced {
            if (url.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_URL) {
                throw new IllegalArgumentException("endpoint URL longer than " + MAX_URL + " bytes");
            }
        }

        @Override
        public String name() {
            return "endpointAnnounced";
        }
    }

    /**
     * A worker of the contract's cluster reports how much gas the WebAssembly call (or constructor) of transaction
     * {@code txHash} used; the chain refunds the rest of the sender's reservation and pays the used part as a fee.
     * The first report settles; later ones must agree (a disagreement is evidence of nondeterminism and is recorded).
     */
    record CallSettled(Hash txHash, long gasUsed) implements WorkerMessage {
        public CallSettled {
            if (gasUsed < 0) {
                throw new IllegalArgumentException("gas used must not be negative");
            }
        }

        @Override
        public String name() {
            return "callSettled";
        }
    }

    static void write(CanonicalWriter w, WorkerMessage m) {
        switch (m) {
            case MasterKeyPublished p -> {
                w.u8(0x01).u32(p.epoch()).fixed(p.masterPublicKey().bytes());
                writeShares(w, p.shares());
            }
            case MasterKeyShared s -> {
                w.u8(0x02);
                s.share().write(w);
            }
            case ClusterKeyPublished c -> {
                w.u8(0x03).u32(c.cluster()).fixed(c.publicKey().bytes());
                writeShares(w, c.deliveries());
            }
            case ContractKeyPublished c -> {
                w.u8(0x04).hash(c.contract().hash()).fixed(c.publicKey().bytes());
                writeShares(w, c.deliveries());
            }
            case EndpointAnnounced e -> w.u8(0x05).string(e.url());
            case CallSettled c -> w.u8(0x06).hash(c.txHash()).u64(c.gasUsed());
        }
    }

    static WorkerMessage read(CanonicalReader r) {
        int tag = r.u8("worker message");
        return switch (tag) {
            case 0x01 -> new MasterKeyPublished(r.u32("epoch"), X25519PublicKey.of(r.fixed(32, "master public key")), readShares(r));
            case 0x02 -> new MasterKeyShared(KeyShare.read(r));
            case 0x03 -> new ClusterKeyPublished(r.u32("cluster"), X25519PublicKey.of(r.fixed(32, "cluster public key")), readShares(r));
            case 0x04 -> new ContractKeyPublished(new ContractId(r.hash("contract")), X25519PublicKey.of(r.fixed(32, "contract public key")), readShares(r));
            case 0x05 -> new EndpointAnnounced(r.string(EndpointAnnounced.MAX_URL, "endpoint URL"));
            case 0x06 -> new CallSettled(r.hash("tx hash"), r.u64("gas used"));
            default -> throw new MalformedException("unknown worker message " + tag);
        };
    }

    private static void writeShares(CanonicalWriter w, List<KeyShare> shares) {
        w.u32(shares.size());
        shares.forEach(s -> s.write(w));
    }

    private static List<KeyShare> readShares(CanonicalReader r) {
        int n = r.u32("share count");
        if (n > MAX_SHARES) {
            throw new MalformedException(n + " key shares, at most " + MAX_SHARES);
        }
        List<KeyShare> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(KeyShare.read(r));
        }
        return out;
    }
}
