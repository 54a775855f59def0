package cloister.crypto;

/**
 * A token that must be passed to read secret key material out of its wrapper, so every such read is
 * visible in the code (cf. Tink's {@code InsecureSecretKeyAccess}). Only the keystore and key export use it.
 */
public final class SecretAccess {
    private static final SecretAccess INSECURE = new SecretAccess();

    private SecretAccess() {}

    /** Grants access to secret bytes. Whoever calls this takes responsibility for where they go. */
    public static SecretAccess insecure() {
        return INSECURE;
    }
}
