package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which datasets {@link CloisterClient#datasets(DatasetQuery)} lists; every filter is optional and they combine.
 * {@code DatasetQuery.all().listed().purpose("research")} lists what a research buyer may use.
 *
 * @param purpose a purpose word: listed datasets accepting it
 * @param text    case-insensitive text in the name or the listing's description
 */
public record DatasetQuery(Optional<AccountId> owner, Optional<String> name, Optional<Hash> schema, Optional<String> purpose,
                           boolean listedOnly, Optional<String> text) {
    public static DatasetQuery all() {
        return new DatasetQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty());
    }

    public DatasetQuery owner(AccountId o) {
        return new DatasetQuery(Optional.of(o), name, schema, purpose, listedOnly, text);
    }

    /** The dataset of exactly this name (with {@link #owner}: that owner's one dataset of the name). */
    public DatasetQuery name(String n) {
        return new DatasetQuery(owner, Optional.of(n), schema, purpose, listedOnly, text);
    }

    public DatasetQuery schema(Hash h) {
        return new DatasetQuery(owner, name, Optional.of(h), purpose, listedOnly, text);
    }

    public DatasetQuery purpose(String word) {
        return new DatasetQuery(owner, name, schema, Optional.of(word), listedOnly, text);
    }

    public DatasetQuery listed() {
        return new DatasetQuery(owner, name, schema, purpose, true, text);
    }

    public DatasetQuery text(String q) {
        return new DatasetQuery(owner, name, schema, purpose, listedOnly, Optional.of(q));
    }

    /** The query string, {@code ""} or {@code ?a=b&…}. */
    String queryString() {
        List<String> p = new ArrayList<>();
        owner.ifPresent(o -> p.add("owner=" + o.address()));
        name.ifPresent(n -> p.add("name=" + enc(n)));
        schema.ifPresent(h -> p.add("schema=" + h.hex()));
        purpose.ifPresent(w -> p.add("purpose=" + enc(w)));
        if (listedOnly) {
            p.add("listed=true");
        }
        text.ifPresent(q -> p.add("q=" + enc(q)));
        return p.isEmpty() ? "" : "?" + String.join("&", p);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
