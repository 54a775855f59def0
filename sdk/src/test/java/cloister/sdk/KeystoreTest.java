package cloister.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SecretAccess;
import cloister.crypto.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeystoreTest {
    private static final char[] PASS = "correct horse".toCharArray();

    @TempDir
    Path dir;

    private Keystore keystore() {
        return new Keystore(dir, 10);
    }

    @Test
    void createThenLoadGivesTheSameKey() {
        Keystore ks = keystore();
        SigningKey created = ks.create("main", PASS);
        SigningKey loaded = ks.load("main", PASS);
        assertEquals(created.account(), loaded.account());
        assertTrue(Arrays.equals(created.seed(SecretAccess.insecure()), loaded.seed(SecretAccess.insecure())));
    }

    @Test
    void fileHoldsNoSeedAndIsOwnerOnly() throws Exception {
        Keystore ks = keystore();
        SigningKey key = ks.importSeed("k1", DevKeys.get("bob").seed(SecretAccess.insecure()), PASS);
        Path f = dir.resolve("k1.json");
        String text = Files.readString(f);
        assertFalse(text.contains(cloister.common.Hex.encode(key.seed(SecretAccess.insecure()))));
        assertTrue(text.contains("\"scrypt\"") && text.contains("\"aes-256-gcm\"") && text.contains(key.account().address()));
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        }
    }

    @Test
    void wrongPassphraseIsRefused() {
        Keystore ks = keystore();
        ks.create("main", PASS);
        Keystore.KeystoreException e = assertThrows(Keystore.KeystoreException.class,
                () -> ks.load("main", "wrong".toCharArray()));
        assertEquals("WRONG_PASSPHRASE", e.code());
        assertFalse(e.getMessage().contains("wrong".repeat(2)));
    }

    @Test
    void listNeedsNoPassphraseAndIsSorted() {
        Keystore ks = keystore();
        SigningKey b = ks.create("zeta", PASS);
        SigningKey a = ks.create("alpha-1", PASS);
        assertEquals(List.of(new Keystore.Entry("alpha-1", a.account()), new Keystore.Entry("zeta", b.account())), ks.list());
        assertEquals(List.of(), new Keystore(dir.resolve("missing")).list());
    }

    @Test
    void overwriteIsRefused() {
        Keystore ks = keystore();
        SigningKey first = ks.create("main", PASS);
        Keystore.KeystoreException e = assertThrows(Keystore.KeystoreException.class, () -> ks.create("main", PASS));
        assertEquals("KEY_EXISTS", e.code());
        assertEquals(first.account(), ks.load("main", PASS).account());
    }

    @Test
    void badNamesAreRefused() {
        Keystore ks = keystore();
        for (String bad : List.of("", "Upper", "../evil", "a".repeat(33), "sp ace")) {
            assertEquals("BAD_NAME", assertThrows(Keystore.KeystoreException.class, () -> ks.create(bad, PASS)).code(), bad);
        }
    }

    @Test
    void exportThenImportElsewhereOpensWithTheSamePassphrase() {
        Keystore ks = keystore();
        SigningKey key = ks.create("main", PASS);
        String exported = ks.exportFile("main");
        Keystore other = new Keystore(dir.resolve("other"), 10);
        AccountId imported = other.importFile("moved", exported);
        assertEquals(key.account(), imported);
        assertEquals(key.account(), other.load("moved", PASS).account());
        assertEquals("BAD_KEYSTORE_FILE", assertThrows(Keystore.KeystoreException.class,
                () -> other.importFile("junk", "{\"hello\":1}")).code());
    }

    @Test
    void editedAddressDoesNotOpen() throws Exception {
        Keystore ks = keystore();
        SigningKey key = ks.create("main", PASS);
        Path f = dir.resolve("main.json");
        Files.writeString(f, Files.readString(f).replace(key.account().address(), DevKeys.get("eve").account().address()));
        assertEquals("WRONG_PASSPHRASE", assertThrows(Keystore.KeystoreException.class, () -> ks.load("main", PASS)).code());
    }

    @Test
    void resolverKnowsDevNamesKeysAddressesAndHex() {
        Keystore ks = keystore();
        SigningKey key = ks.create("mine", PASS);
        AccountResolver r = new AccountResolver(ks);
        AccountId alice = DevKeys.get("alice").account();
        assertEquals(alice, r.account("alice"));
        assertEquals(alice, r.account(alice.address()));
        assertEquals(alice, r.account(alice.hex()));
        assertEquals(key.account(), r.account("mine"));
        assertEquals(key.account(), r.signer("mine", () -> PASS).account());
        assertEquals(alice, r.signer("alice", () -> { throw new AssertionError("no passphrase for dev keys"); }).account());
        assertThrows(IllegalArgumentException.class, () -> r.account("nobody"));
        assertThrows(IllegalArgumentException.class, () -> r.signer(alice.address(), () -> PASS));
        assertThrows(IllegalArgumentException.class, () -> AccountResolver.checkNewKeyName("bob"));
    }
}
