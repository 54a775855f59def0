package cloister.worker.host;

import cloister.worker.EnclaveReply.SyncRefusal;
import java.util.Optional;

/**
 * What one {@link WorkerHost#syncOnce()} did.
 *
 * @param height  the enclave's synced height afterwards
 * @param blocks  blocks applied in this round
 * @param relayed egress messages submitted as transactions
 * @param refusal the block the enclave refused, if any (the host retries it next round)
 */
public record SyncProgress(long height, long blocks, int relayed, Optional<SyncRefusal> refusal) {}
