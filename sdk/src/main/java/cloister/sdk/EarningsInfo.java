package cloister.sdk;

import cloister.crypto.AccountId;
import java.util.List;

/** What an owner has been paid for the use of their W3A datasets (base units), in all and per dataset. */
public record EarningsInfo(AccountId owner, long earned, List<Dataset> datasets) {
    public EarningsInfo {
        datasets = List.copyOf(datasets);
    }

    /** One dataset's jobs and earnings. */
    public record Dataset(long id, String name, long uses, long earned) {}
}
