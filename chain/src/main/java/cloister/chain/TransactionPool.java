package cloister.chain;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.proto.BalancesCall;
import cloister.proto.Transaction;
import cloister.proto.TxRejection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Transactions waiting for a block, per sender ordered by nonce. A sender's transactions are <em>ready</em> from
 * its next on-chain nonce up to the first gap; blocks take ready transactions, highest fee first across senders
 * (ties by arrival), always in nonce order within a sender. A transaction with an already pooled (sender, nonce)
 * replaces it only with a strictly higher fee. Signature and decoding checks happen before, in {@link Chain}.
 */
final class TransactionPool {
    /** How far ahead of the on-chain nonce a transaction may be and still wait in the pool. */
    static final int MAX_FUTURE_NONCES = 4096;

    private record Entry(Transaction tx, long cost, long arrival) {}

    /** One sender's pooled transactions by nonce, with the (saturating) sum of their costs. */
    private static final class SenderQueue {
        final TreeMap<Long, Entry> byNonce = new TreeMap<>();
        long totalCost;

        Entry get(long nonce) {
            return byNonce.get(nonce);
        }

        boolean has(long nonce) {
            return byNonce.containsKey(nonce);
        }

        boolean isEmpty() {
            return byNonce.isEmpty();
        }

        void put(Entry e) {
            Entry old = byNonce.put(e.tx.nonce(), e);
            totalCost = saturatingAdd(totalCost - (old == null ? 0 : old.cost), e.cost);
        }

        void remove(long nonce) {
            Entry old = byNonce.remove(nonce);
            if (old != null) {
                totalCost -= old.cost;
            }
        }

        /** Removes and returns the entries with nonces below {@code nonce}. */
        List<Entry> removeBelow(long nonce) {
            List<Entry> removed = new ArrayList<>(byNonce.headMap(nonce, false).values());
            for (Entry e : removed) {
                remove(e.tx.nonce());
            }
            return removed;
        }
    }

    private final int capacity;
    private final Map<AccountId, SenderQueue> bySender = new HashMap<>();
    private final ConcurrentHashMap<Hash, Transaction> byHash = new ConcurrentHashMap<>();
    private long arrivals;

    TransactionPool(int capacity) {
        this.capacity = capacity;
    }

    /** What a transaction can take from its sender's balance: the fee plus what its call moves. */
    static long cost(Transaction tx) {
        long moved = tx.call() instanceof BalancesCall.Transfer t ? t.amount() : 0;
        try {
            return Math.addExact(tx.fee(), moved);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A refusal, or null if added. {@code sender} reads the sender's account as of the head; it is read here, under the
     * pool's lock, because a block's import commits first and then prunes the pool under this lock: an account read
     * before the commit is then followed by the prune, and one read after it already has the block's nonces. (Read
     * before the call, a block committed and pruned in between left a transaction with a used nonce in the pool,
     * accepted but never included.)
     */
    synchronized SubmitResult.Rejected add(Transaction tx, java.util.function.Supplier<AccountState> sender) {
        AccountState onChain = sender.get();
        if (byHash.containsKey(tx.hash())) {
            return new SubmitResult.Rejected(TxRejection.ALREADY_KNOWN, "transaction " + tx.hash() + " is already pooled");
        }
        if (tx.nonce() < onChain.nonce()) {
            return new SubmitResult.Rejected(TxRejection.STALE_NONCE,
                    "nonce " + tx.nonce() + " was already used; the account's next nonce is " + onChain.nonce());
        }
        if (tx.nonce() - onChain.nonce() >= MAX_FUTURE_NONCES) {
            return new SubmitResult.Rejected(TxRejection.FUTURE_NONCE,
                    "nonce " + tx.nonce() + " is too far ahead of the account's next nonce " + onChain.nonce());
        }
        SenderQueue queue = bySender.computeIfAbsent(tx.sender(), k -> new SenderQueue());
        Entry existing = queue.get(tx.nonce());
        if (existing != null && existing.tx.fee() >= tx.fee()) {
            return new SubmitResult.Rejected(TxRejection.NONCE_TAKEN,
                    "a pooled transaction already has nonce " + tx.nonce() + " with fee " + existing.tx.fee()
                            + "; replace it with a higher fee");
        }
        long cost = cost(tx);
        long committed = queue.totalCost - (existing == null ? 0 : existing.cost);
        if (saturatingAdd(committed, cost) > onChain.balance()) {
            if (queue.isEmpty()) {
                bySender.remove(tx.sender());
            }
            return new SubmitResult.Rejected(TxRejection.INSUFFICIENT_BALANCE, "balance " + Tokens.display(onChain.balance())
                    + (committed > 0 ? " less " + Tokens.display(committed) + " for pooled transactions" : "")
                    + " does not cover amount + fee = " + Tokens.display(cost));
        }
        if (existing == null && byHash.size() >= capacity) {
            if (queue.isEmpty()) {
                bySender.remove(tx.sender());
            }
            return new SubmitResult.Rejected(TxRejection.POOL_FULL, "the pool holds " + capacity + " transactions; try again shortly");
        }
        if (existing != null) {
            byHash.remove(existing.tx.hash());
        }
        queue.put(new Entry(tx, cost, arrivals++));
        byHash.put(tx.hash(), tx);
        return null;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    boolean contains(Hash hash) {
        return byHash.containsKey(hash);
    }

    int size() {
        return byHash.size();
    }

    /** Whether a pooled transaction is ready (no nonce gap before it), given on-chain nonces. */
    synchronized boolean isReady(Hash hash, ToLongFunction<AccountId> onChainNonce) {
        Transaction tx = byHash.get(hash);
        if (tx == null) {
            return false;
        }
        long next = onChainNonce.applyAsLong(tx.sender());
        SenderQueue queue = bySender.get(tx.sender());
        for (long n = next; n < tx.nonce(); n++) {
            if (!queue.has(n)) {
                return false;
            }
        }
        return true;
    }

    /** The nonce after the sender's contiguous pooled transactions starting at its on-chain nonce. */
    synchronized long nextNonce(AccountId sender, java.util.function.LongSupplier onChainNonce) {
        SenderQueue queue = bySender.get(sender);
        long n = onChainNonce.getAsLong(); // read under the lock, for the reason given at add
        while (queue != null && queue.has(n)) {
            n++;
        }
        return n;
    }

    synchronized boolean hasReady(ToLongFunction<AccountId> onChainNonce) {
        for (Map.Entry<AccountId, SenderQueue> e : bySender.entrySet()) {
            if (e.getValue().has(onChainNonce.applyAsLong(e.getKey()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ready transactions for a block: highest fee first across senders, nonce order within a sender, at most
     * {@code max} transactions and {@code maxBytes} bytes.
     */
    synchronized List<Transaction> select(ToLongFunction<AccountId> onChainNonce, int max, int maxBytes) {
        record Cursor(Iterator<Entry> rest, Entry head, long expectedNonce) {}
        PriorityQueue<Cursor> heads = new PriorityQueue<>((a, b) -> a.head.tx.fee() != b.head.tx.fee()
                ? Long.compare(b.head.tx.fee(), a.head.tx.fee()) : Long.compare(a.head.arrival, b.head.arrival));
        for (Map.Entry<AccountId, SenderQueue> e : bySender.entrySet()) {
            long next = onChainNonce.applyAsLong(e.getKey());
            Iterator<Entry> it = e.getValue().byNonce.tailMap(next, true).values().iterator();
            if (it.hasNext()) {
                Entry first = it.next();
                if (first.tx.nonce() == next) {
                    heads.add(new Cursor(it, first, next));
                }
            }
        }
        List<Transaction> out = new ArrayList<>(Math.min(max, byHash.size()));
        int bytes = 0;
        while (!heads.isEmpty() && out.size() < max) {
            Cursor c = heads.poll();
            int size = c.head.tx.encodedLength() + 4;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            out.add(c.head.tx);
            if (c.rest.hasNext()) {
                Entry next = c.rest.next();
                if (next.tx.nonce() == c.expectedNonce + 1) {
                    heads.add(new Cursor(c.rest, next, next.tx.nonce()));
                }
            }
        }
        return out;
    }

    /** Drops the given transactions (included in a block, or found inapplicable). */
    synchronized void remove(Collection<Transaction> txs) {
        for (Transaction tx : txs) {
            if (byHash.remove(tx.hash()) != null) {
                SenderQueue queue = bySender.get(tx.sender());
                if (queue != null) {
                    Entry e = queue.get(tx.nonce());
                    if (e != null && e.tx.hash().equals(tx.hash())) {
                        queue.remove(tx.nonce());
                    }
                    if (queue.isEmpty()) {
                        bySender.remove(tx.sender());
                    }
                }
            }
        }
    }

    /** After a block: drops the senders' transactions whose nonces are now used. */
    synchronized void pruneStale(Collection<AccountId> senders, ToLongFunction<AccountId> onChainNonce) {
        for (AccountId sender : senders) {
            SenderQueue queue = bySender.get(sender);
            if (queue == null) {
                continue;
            }
            for (Entry e : queue.removeBelow(onChainNonce.applyAsLong(sender))) {
                byHash.remove(e.tx.hash());
            }
            if (queue.isEmpty()) {
                bySender.remove(sender);
            }
        }
    }
}
