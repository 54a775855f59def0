package cloister.node.worker;

import cloister.chain.SubmitResult;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.CanonicalReader;
import cloister.proto.Transaction;
import cloister.proto.TxRejection;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.worker.BlockData;
import cloister.worker.host.ChainSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's HTTP API as a worker's chain source ({@code cloister worker start --node URL}): blocks come from
 * {@code GET /v1/sync} in batches, transactions go to {@code POST /v1/transactions}. Nothing it serves is trusted:
 * the enclave checks every seal and root.
 */
public final class RemoteChainSource implements ChainSource {
    private static final int MAX_BATCH = 2000;
    private final CloisterClient client;
    private final Hash genesis;

    public RemoteChainSource(CloisterClient client) {
        this.client = client;
        this.genesis = client.genesisHash();
    }

    @Override
    public Hash genesisHash() {
        return genesis;
    }

    @Override
    public long headHeight() {
        return client.head().height();
    }

    @Override
    public List<BlockData> blocks(long from, long to) {
        List<BlockData> out = new ArrayList<>();
        long next = from;
        while (next <= to) {
            int count = (int) Math.min(MAX_BATCH, to - next + 1);
            byte[] bytes;
            try {
                bytes = client.syncBytes(next, count);
            } catch (CloisterApiException e) {
                if (e.code().equals("NOT_FOUND")) {
                    break; // the chain is shorter than asked
                }
                throw e;
            }
            CanonicalReader r = new CanonicalReader(bytes);
            int n = r.u32("block count");
            for (int i = 0; i < n; i++) {
                out.add(new BlockData(r.bytes(4096, "header"), r.bytes(BlockData.MAX_MESSAGES_BYTES, "worker messages")));
            }
            r.end("sync response");
            if (n == 0) {
                break;
            }
            next += n;
        }
        return out;
    }

    @Override
    public SubmitResult submit(Transaction tx) {
        try {
            return new SubmitResult.Accepted(client.submit(tx));
        } catch (CloisterApiException e) {
            TxRejection reason;
            try {
                reason = TxRejection.valueOf(e.code());
            } catch (IllegalArgumentException notARejection) {
                throw e; // the node is unreachable or answered oddly: not a refusal of this transaction
            }
            return new SubmitResult.Rejected(reason, e.getMessage());
        }
    }

    @Override
    public long nextNonce(AccountId account) {
        return client.nextNonce(account);
    }

    @Override
    public long minimumFee() {
        return client.chainInfo().minimumFee();
    }

    @Override
    public AutoCloseable onNewHead(Runnable listener) {
        try {
            return client.subscribeHeads(h -> listener.run());
        } catch (CloisterApiException e) {
            return () -> {}; // polling covers it
        }
    }
}
