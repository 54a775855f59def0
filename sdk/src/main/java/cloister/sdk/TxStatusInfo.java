package cloister.sdk;

import cloister.common.Hash;

/**
 * Where a transaction is: {@code status} is {@code pending}, {@code included} or {@code unknown}. The location fields
 * ({@code height}, {@code blockHash}, {@code index}, {@code success}, {@code failureReason}) are set only when
 * included; {@code failureReason} is a dispatch-error word when the call failed (its fee is still charged).
 */
public record TxStatusInfo(Hash txHash, String status, long height, Hash blockHash, int index, boolean success,
                           String failureReason) {
    public static final String PENDING = "pending";
    public static final String INCLUDED = "included";
    public static final String UNKNOWN = "unknown";

    public boolean included() {
        return INCLUDED.equals(status);
    }
}
