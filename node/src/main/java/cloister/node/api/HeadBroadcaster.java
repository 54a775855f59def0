package cloister.node.api;

import cloister.chain.ChainView;
import cloister.proto.BlockHeader;
import io.javalin.http.sse.SseClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes each new head to every {@code GET /v1/heads} subscriber. The chain's listener only enqueues: the writes to
 * sockets happen on one thread of ours, so a slow client never holds up block production.
 */
final class HeadBroadcaster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeadBroadcaster.class);

    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final ExecutorService sender;
    private final ChainView view;
    private volatile AutoCloseable subscription;

    private HeadBroadcaster(ChainView view, ExecutorService sender) {
        this.view = view;
        this.sender = sender;
    }

    static HeadBroadcaster start(ChainView view) {
        ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "api-heads");
            t.setDaemon(true);
            return t;
        });
        HeadBroadcaster b = new HeadBroadcaster(view, sender);
        b.subscription = view.onNewHead(b::enqueue);
        return b;
    }

    private void enqueue(BlockHeader head) {
        if (clients.isEmpty()) {
            return;
        }
        try {
            sender.execute(() -> broadcast(head));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void broadcast(BlockHeader head) {
        String json;
        try {
            json = ApiServer.headJson(view, head);
        } catch (RuntimeException e) {
            LOG.warn("cannot render head {}", head.height(), e);
            return;
        }
        for (SseClient c : clients) {
            if (c.terminated()) {
                clients.remove(c);
                continue;
            }
            try {
                c.sendEvent("head", json, Long.toString(head.height()));
            } catch (RuntimeException e) {
                clients.remove(c);
            }
        }
    }

    /** Keeps the client's connection open and adds it; it leaves when it disconnects. */
    void add(SseClient client) {
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.add(client);
        // A comment right after adding it: clients (CloisterClient.subscribeHeads) wait for it to know that every
        // later head reaches them; the headers may have been flushed before this handler ran.
        client.sendComment("cloister heads");
    }

    int subscribers() {
        return clients.size();
    }

    @Override
    public void close() {
        AutoCloseable s = subscription;
        if (s != null) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.debug("closing head subscription", e);
            }
        }
        sender.shutdownNow();
        for (SseClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already gone
            }
        }
        clients.clear();
    }
}
