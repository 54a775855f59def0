package cloister.worker;

import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Replays a chain of sealed blocks into a sim enclave through the byte boundary and prints blocks/s, next to the
 * rate at which this machine verifies the same seals on one thread and on all cores (the physical limit of header
 * verification). A program, not a test: {@code java -cp <test classpath> cloister.worker.SyncReplayBenchmark [blocks] [batch]}.
 */
public final class SyncReplayBenchmark {
    private SyncReplayBenchmark() {}

    public static void main(String[] args) {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        TestChain chain = new TestChain();
        long t0 = System.nanoTime();
        for (int i = 1; i <= blocks; i++) {
            // One block in ten carries a message, so the Merkle root and message decoding are exercised.
            if (i % 10 == 0) {
                chain.add(new InboundMessage.AuthoritySet(List.of(TestChain.AUTHORITY.account())));
            } else {
                chain.add();
            }
        }
        System.out.printf("built %,d sealed blocks in %.1f s%n", blocks, (System.nanoTime() - t0) / 1e9);
        List<BlockData> data = chain.blocks(0, blocks);
        List<BlockHeader> headers = new ArrayList<>();
        for (long h = 1; h <= blocks; h++) {
            headers.add(chain.header(h));
        }
        for (int round = 0; round < 3; round++) {
            double one = rate(() -> headers.stream().limit(20_000).forEach(BlockHeader::verifySeal), 20_000);
            double all = rate(() -> IntStream.range(0, 20_000).parallel().forEach(i -> headers.get(i).verifySeal()), 20_000);
            TestWorker w = new TestWorker().start(chain.genesisHash());
            long s = System.nanoTime();
            for (int from = 0; from <= blocks; from += batch) {
                EnclaveReply.Synced r = w.client.sync(data.subList(from, Math.min(blocks + 1, from + batch)));
                if (r.refusal().isPresent()) {
                    throw new IllegalStateException("refused: " + r.refusal().get());
                }
            }
            double replay = (blocks + 1) / ((System.nanoTime() - s) / 1e9);
            System.out.printf("round %d: replay %,.0f blocks/s (batch %d) | seal verification %,.0f/s on 1 thread, %,.0f/s on %d cores"
                    + " | replay / all-core verification = %.2f%n", round + 1, replay, batch, one, all,
                    Runtime.getRuntime().availableProcessors(), replay / all);
        }
    }

    private static double rate(Runnable r, int n) {
        long s = System.nanoTime();
        r.run();
        return n / ((System.nanoTime() - s) / 1e9);
    }
}
