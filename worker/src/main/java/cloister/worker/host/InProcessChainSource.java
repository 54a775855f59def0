package cloister.worker.host;

import cloister.chain.ChainView;
import cloister.chain.SubmitResult;
import cloister.chain.TxSubmitter;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.Block;
import cloister.proto.Transaction;
import cloister.worker.BlockData;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A {@link ChainSource} over a chain in this process ({@code Chain} implements both interfaces). */
public final class InProcessChainSource implements ChainSource {
    private final ChainView view;
    private final TxSubmitter submitter;

    public InProcessChainSource(ChainView view, TxSubmitter submitter) {
        this.view = view;
        this.submitter = submitter;
    }

    @Override
    public Hash genesisHash() {
        return view.info().genesisHash();
    }

    @Override
    public long headHeight() {
        return view.head().height();
    }

    @Override
    public List<BlockData> blocks(long from, long to) {
        List<BlockData> out = new ArrayList<>((int) Math.max(0, Math.min(to - from + 1, 10_000)));
        for (long h = from; h <= to; h++) {
            Optional<Block> b = view.blockAt(h);
            Optional<byte[]> messages = view.workerMessagesEncoded(h);
            if (b.isEmpty() || messages.isEmpty()) {
                break;
            }
            out.add(new BlockData(b.get().header().encode(), messages.get()));
        }
        return out;
    }

    @Override
    public SubmitResult submit(Transaction tx) {
        return submitter.submit(tx.encode());
    }

    @Override
    public long nextNonce(AccountId account) {
        return view.nextNonce(account);
    }

    @Override
    public long minimumFee() {
        return view.info().minimumFee();
    }

    @Override
    public AutoCloseable onNewHead(Runnable listener) {
        return view.onNewHead(h -> listener.run());
    }
}
