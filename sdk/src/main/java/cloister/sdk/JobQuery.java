package cloister.sdk;

import cloister.crypto.AccountId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which jobs {@link CloisterClient#jobs(JobQuery)} lists (newest first); filters are optional and combine.
 *
 * @param state          a state word of {@link JobInfo#STATES}
 * @param awaitingOwner  jobs waiting for this owner's decision on one of their datasets
 */
public record JobQuery(Optional<AccountId> buyer, Optional<String> state, Optional<AccountId> awaitingOwner) {
    public static JobQuery all() {
        return new JobQuery(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public JobQuery buyer(AccountId b) {
        return new JobQuery(Optional.of(b), state, awaitingOwner);
    }

    public JobQuery state(String s) {
        return new JobQuery(buyer, Optional.of(s), awaitingOwner);
    }

    public JobQuery awaiting(AccountId owner) {
        return new JobQuery(buyer, state, Optional.of(owner));
    }

    String queryString() {
        List<String> p = new ArrayList<>();
        buyer.ifPresent(b -> p.add("buyer=" + b.address()));
        state.ifPresent(s -> p.add("state=" + DatasetQuery.enc(s)));
        awaitingOwner.ifPresent(o -> p.add("owner=" + o.address()));
        return p.isEmpty() ? "" : "?" + String.join("&", p);
    }
}
