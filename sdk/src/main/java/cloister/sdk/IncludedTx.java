package cloister.sdk;

import cloister.common.Hash;
import java.util.Optional;

/**
 * A transaction sent and included in a block: its hash, its status, and — if its call was refused — the chain's
 * reason word (e.g. {@code NOT_OWNER}) and message. A refused call is still in the block and its fee was charged.
 */
public record IncludedTx(Hash hash, TxStatusInfo status, Optional<String> failureCode, String failureMessage) {
    public boolean ok() {
        return failureCode.isEmpty();
    }

    /** {@code "CODE: message"}, or empty text when the call succeeded. */
    public String failure() {
        return failureCode.map(c -> c + ": " + failureMessage).orElse("");
    }

    /** The refusal as an exception (same code and words), for callers that stop at the first one. */
    public CloisterApiException toException(String callName) {
        return new CloisterApiException(failureCode.orElse("OK"), failureMessage + " (" + callName + " was included in block "
                + status.height() + " but refused; the fee was charged)");
    }
}
