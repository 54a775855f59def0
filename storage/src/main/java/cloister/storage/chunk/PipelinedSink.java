package cloister.storage.chunk;

import cloister.storage.cid.Cid;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A {@link ChunkedFile.BlockSink} that hands blocks to one background thread, so encryption and hashing of the next
 * chunk overlap the store's write of the last one. At most {@code depth} blocks wait (bounded memory). Blocks reach
 * the target in order. The first failure of the target is rethrown by the next {@link #put} or by {@link #close},
 * which waits until every block is written — a caller that got through {@code close()} knows all of them landed.
 */
public final class PipelinedSink implements ChunkedFile.BlockSink, AutoCloseable {
    private record Item(Cid cid, byte[] block) {}

    private static final Item END = new Item(null, null);

    private final ChunkedFile.BlockSink target;
    private final BlockingQueue<Item> queue;
    private final Thread writer;
    private volatile Throwable failure;

    public PipelinedSink(ChunkedFile.BlockSink target, int depth) {
        this.target = target;
        this.queue = new ArrayBlockingQueue<>(depth);
        this.writer = Thread.ofPlatform().name("block-writer").daemon().start(this::drain);
    }

    private void drain() {
        try {
            while (true) {
                Item item = queue.take();
                if (item == END) {
                    return;
                }
                if (failure == null) {
                    target.put(item.cid(), item.block());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = e;
            queue.clear();
            // keep draining so producers never block forever
            while (true) {
                try {
                    if (queue.take() == END) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void put(Cid cid, byte[] block) throws IOException {
        rethrow();
        try {
            queue.put(new Item(cid, block));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while queueing a block");
        }
    }

    /** Waits until every queued block is written; rethrows the target's first failure. */
    @Override
    public void close() throws IOException {
        try {
            queue.put(END);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the block writer");
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        Throwable f = failure;
        if (f instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
        }
        if (f instanceof RuntimeException re) {
            throw re;
        }
    }
}
