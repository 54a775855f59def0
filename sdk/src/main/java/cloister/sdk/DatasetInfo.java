package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.market.data.DatasetPreview;
import cloister.market.data.Schema;
import cloister.proto.WorkerId;
import java.util.List;
import java.util.Optional;

/**
 * A W3A dataset's public metadata, as {@code GET /v1/market/datasets/{id}} shows it. The records themselves are never
 * here: they are encrypted in the storage network, and each file's data key is escrowed to the dataset's cluster.
 *
 * @param schema          the schema, when its bytes decode to one whose hash is {@code schemaHash}
 * @param batchCount      how many record files the dataset has
 * @param batches         the files, from {@link CloisterClient#dataset(long)} only (lists leave them out)
 * @param epsilonSpentMicros the privacy loss spent by jobs so far, in micro-ε
 * @param epsilonLeftMicros  what the listing's budget leaves (0 when not listed)
 * @param earned          base units paid to the owner for uses of this dataset
 * @param receiptWorker   after deletion: the worker designated to sign the deletion receipt
 * @param receiptPresent  whether that signed receipt is on chain
 */
public record DatasetInfo(long id, String name, AccountId owner, long createdAt, int cluster, Optional<Schema> schema, Hash schemaHash,
                          long rows, long size, int batchCount, List<Batch> batches, Optional<Listing> listing, long epsilonSpentMicros,
                          long epsilonLeftMicros, Optional<Policy> policy, List<Grant> grants, long uses, long earned, boolean deleted,
                          long deletedAt, Optional<WorkerId> receiptWorker, boolean receiptPresent) {
    public DatasetInfo {
        batches = List.copyOf(batches);
        grants = List.copyOf(grants);
    }

    /** On the market: a listing, and not deleted. */
    public boolean listed() {
        return listing.isPresent() && !deleted;
    }

    /** A file of records: its CID, rows and stored size. Its data key is escrowed, never published. */
    public record Batch(String cid, long rows, long size) {}

    /**
     * The listing: prices in base units ({@code listPrice} = per use + per row × rows), accepted purposes, and the
     * privacy policy — k (minimum distinct owners per released group), the total ε budget and the most one job may
     * spend (micro-ε), and the most rows one owner contributes per group — and the owner's noisy preview, if any.
     */
    public record Listing(String description, long pricePerUse, long pricePerRow, long listPrice, List<String> purposes, int k,
                          long epsilonTotalMicros, long epsilonCapMicros, int maxRowsPerOwner, Optional<DatasetPreview> preview) {
        public Listing {
            purposes = List.copyOf(purposes);
        }
    }

    /** Standing consent: any job for one of these purposes paying at least {@code minPrice}. */
    public record Policy(List<String> purposes, long minPrice) {
        public Policy {
            purposes = List.copyOf(purposes);
        }
    }

    /**
     * A grant of use.
     *
     * @param buyer   empty: any buyer
     * @param sqlHash empty: any aggregate query; else SHA-256 of the exact SQL text it allows
     * @param usable  not revoked, not expired, uses left (at the node's head when it answered)
     */
    public record Grant(int index, Optional<AccountId> buyer, List<String> purposes, Optional<Hash> sqlHash, long price, long expiresAt,
                        int maxUses, int uses, boolean revoked, boolean usable) {
        public Grant {
            purposes = List.copyOf(purposes);
        }
    }
}
