package cloister.crypto;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Well-known development accounts. Their keys are public knowledge (seed = SHA-256("cloister/dev/" + name)):
 * they exist only for dev networks and tests, and are funded in the dev genesis.
 */
public final class DevKeys {
    public static final List<String> NAMES = List.of("alice", "bob", "charlie", "dave", "eve", "ferdie");

    private DevKeys() {}

    /** The dev key with this name (case-insensitive), if it is one of {@link #NAMES}. */
    public static Optional<SigningKey> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            return Optional.empty();
        }
        return Optional.of(derive(n));
    }

    public static SigningKey get(String name) {
        return byName(name).orElseThrow(() -> new IllegalArgumentException("no dev account named '" + name + "'"));
    }

    /** The dev name whose key is {@code account}'s, if it is one of the dev accounts. */
    public static Optional<String> nameOf(AccountId account) {
        return NAMES.stream().filter(n -> get(n).account().equals(account)).findFirst();
    }

    /** Derives a dev key for any label (used for dev authorities as well as the named accounts). */
    public static SigningKey derive(String label) {
        return SigningKey.fromSeed(Sha256.digest(("cloister/dev/" + label).getBytes(StandardCharsets.UTF_8)));
    }
}
