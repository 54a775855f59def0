package cloister.chain;

import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.computation.MiningConfig;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.ChainStore;
import cloister.chain.store.PreparedState;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.MerkleTree;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import cloister.proto.Signature;
import cloister.tee.Measurement;
import cloister.tee.sim.SimRootCertificate;
import java.util.Optional;
import java.util.List;

/** The first block: its state (balances, sudo, authorities, parameters) defines the network. */
public final class Genesis {
    /** A balance given in genesis. */
    public record Allocation(AccountId who, long amount) {}

    /**
     * What a network trusts of TEEs from its first block: the simulated attestation root (a dev/test network's
     * stand-in for Intel's; absent on a network that accepts only hardware quotes), the measurements allowed to
     * register, and the attestation policy.
     */
    public record TeeTrust(Optional<SimRootCertificate> simRoot, List<Measurement> allowedMeasurements,
                           Registry.AttestationPolicy policy) {
        public static final TeeTrust NONE = new TeeTrust(Optional.empty(), List.of(), Registry.AttestationPolicy.DEV);

        public TeeTrust {
            allowedMeasurements = List.copyOf(allowedMeasurements);
        }
    }

    /** Everything that defines a network's genesis; its hash is the network's identity. */
    public record Spec(String chainName, long timestampMillis, List<Allocation> allocations, AccountId sudo,
                       List<AccountId> authorities, long minimumFee, TeeTrust tee, MiningConfig mining) {
        public Spec {
            allocations = List.copyOf(allocations);
            authorities = List.copyOf(authorities);
            if (authorities.isEmpty()) {
                throw new IllegalArgumentException("a chain needs at least one authority");
            }
        }

        public Spec(String chainName, long timestampMillis, List<Allocation> allocations, AccountId sudo,
                    List<AccountId> authorities, long minimumFee) {
            this(chainName, timestampMillis, allocations, sudo, authorities, minimumFee, TeeTrust.NONE, MiningConfig.production());
        }

        public Spec withTee(TeeTrust trust) {
            return new Spec(chainName, timestampMillis, allocations, sudo, authorities, minimumFee, trust, mining);
        }

        /** The same genesis with other mining constants (the devnet's accelerated clock, a simulation's, a test's). */
        public Spec withMining(MiningConfig config) {
            return new Spec(chainName, timestampMillis, allocations, sudo, authorities, minimumFee, tee, config);
        }
    }

    /** The Merkle root of an empty list (e.g. the transactions root of genesis and of empty blocks). */
    public static final Hash EMPTY_ROOT = MerkleTree.root(List.of());

    /** The proposer field of the genesis header: nobody. */
    static final AccountId NOBODY = AccountId.of(new byte[AccountId.LENGTH]);

    private Genesis() {}

    /**
     * The dev network: alice … ferdie hold 1,000,000 CLO each, alice is sudo and the one authority, the minimum fee
     * is 0.001 CLO, timestamp 0 — so every dev node on every machine has the same genesis hash, as with
     * Substrate's dev chain. Its keys are public: it is for development only.
     */
    public static Spec dev() {
        List<Allocation> allocations = DevKeys.NAMES.stream()
                .map(n -> new Allocation(DevKeys.get(n).account(), Tokens.of(1_000_000))).toList();
        AccountId alice = DevKeys.get("alice").account();
        return new Spec("cloister-dev", 0, allocations, alice, List.of(alice), Tokens.UNITS_PER_TOKEN / 1000).withMining(MiningConfig.devnet());
    }

    /**
     * Writes the genesis block and state into an empty store. Public for tools that drive a {@link Chain} block by
     * block without a sealing thread (the mining simulation); a node uses {@link ChainNode#start}.
     */
    public static Block initialize(ChainStore store, Spec spec) {
        BlockState s = new BlockState(key -> null, 0, spec.timestampMillis());
        SystemParams.setChainName(s, spec.chainName());
        SystemParams.setSudo(s, spec.sudo());
        SystemParams.setAuthorities(s, spec.authorities());
        SystemParams.setMinimumFee(s, spec.minimumFee());
        for (Allocation a : spec.allocations()) {
            if (!Balances.forceSetBalance(s, a.who(), a.amount()).ok()) {
                throw new IllegalArgumentException("genesis allocations overflow the total issuance");
            }
        }
        Registry.initialize(s, spec.tee().simRoot(), spec.tee().allowedMeasurements(), spec.tee().policy());
        Computation.initialize(s, spec.mining());
        // Workers learn the authority set from genesis: its hash is what they are configured with.
        s.send(new InboundMessage.AuthoritySet(spec.authorities()));
        List<InboundMessage> messages = s.workerMessages();
        PreparedState prepared = store.prepare(s.changes());
        BlockHeader header = new BlockHeader(0, Hash.ZERO, spec.timestampMillis(), EMPTY_ROOT, prepared.root(),
                InboundMessage.root(messages), NOBODY, Signature.EMPTY);
        Block block = new Block(header, List.of());
        store.commit(block, prepared, s.events(), messages);
        return block;
    }
}
