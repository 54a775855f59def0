package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;

/** A block header as the API reports it (the head, or one pushed over {@code GET /v1/heads}). */
public record HeadInfo(long height, Hash hash, Hash parentHash, long timestamp, Hash transactionsRoot, Hash stateRoot,
                       AccountId proposer, int txCount) {}
