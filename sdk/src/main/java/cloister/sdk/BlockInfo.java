package cloister.sdk;

import java.util.List;

/** A block: its header and its transactions. */
public record BlockInfo(HeadInfo header, List<TxInfo> transactions) {
    public BlockInfo {
        transactions = List.copyOf(transactions);
    }

    public long height() {
        return header.height();
    }
}
