package cloister.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import cloister.chain.store.ChainStore;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.proto.Block;
import cloister.proto.Call;
import cloister.proto.EventRecord;
import cloister.proto.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A chain on a real RocksDB store in a temp directory, driven block by block (no sealing thread). */
final class ChainFixture implements AutoCloseable {
    private final Map<AccountId, Long> nextNonce = new HashMap<>();
    static final SigningKey ALICE = DevKeys.get("alice");
    static final SigningKey BOB = DevKeys.get("bob");
    static final SigningKey CHARLIE = DevKeys.get("charlie");
    static final long FEE = Tokens.UNITS_PER_TOKEN / 1000;

    final ChainStore store;
    final Chain chain;
    long clock = 1_700_000_000_000L;

    ChainFixture(Path dir) {
        this(dir, 100_000);
    }

    ChainFixture(Path dir, int poolCapacity) {
        this(dir, poolCapacity, Genesis.dev());
    }

    ChainFixture(Path dir, Genesis.Spec genesis) {
        this(dir, 100_000, genesis);
    }

    ChainFixture(Path dir, int poolCapacity, Genesis.Spec genesis) {
        try {
            store = ChainStore.open(dir, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (store.head().isEmpty()) {
            Genesis.initialize(store, genesis);
        }
        chain = new Chain(store, new ChainConfig(dir, 1000, true, poolCapacity, 20_000, false), "dev");
    }

    Transaction tx(SigningKey from, long nonce, Call call) {
        return Transaction.sign(chain.info().genesisHash(), from, nonce, FEE, call);
    }

    Transaction transfer(SigningKey from, long nonce, AccountId to, long units) {
        return tx(from, nonce, new BalancesCall.Transfer(to, units));
    }

    SubmitResult submit(Transaction tx) {
        return chain.submit(tx.encode());
    }

    /**
     * Submits {@code call} from {@code from} with its next nonce — the chain's, counted on by what this fixture
     * submitted since — and asserts the pool accepts it.
     */
    void submitNext(SigningKey from, Call call) {
        long nonce = nextNonce.computeIfAbsent(from.account(), a -> chain.account(a).nonce());
        nextNonce.put(from.account(), nonce + 1);
        SubmitResult r = submit(tx(from, nonce, call));
        assertInstanceOf(SubmitResult.Accepted.class, r, "pool accepts " + call.name() + ": " + r);
    }

    /** Seals one block, asserts everything pooled went into it, and returns its events. */
    List<EventRecord> sealAll() {
        Block b = seal();
        assertEquals(0, chain.pooled(), "every pooled transaction was included");
        return chain.events(b.height()).orElseThrow();
    }

    /** Proposes a block as alice (the dev authority), imports it, and returns it. */
    Block seal() {
        clock += 1000;
        Block block = chain.propose(clock, ALICE);
        ImportResult r = chain.importBlock(block);
        if (!(r instanceof ImportResult.Imported)) {
            throw new AssertionError("own block rejected: " + r);
        }
        return block;
    }

    long balance(SigningKey key) {
        return chain.account(key.account()).balance();
    }

    @Override
    public void close() {
        store.close();
    }
}
