package cloister.chain;

import cloister.proto.BlockHeader;

/** The outcome of importing a block. */
public sealed interface ImportResult {
    record Imported(BlockHeader header) implements ImportResult {}

    record Rejected(BlockRejection reason, String message) implements ImportResult {}
}
