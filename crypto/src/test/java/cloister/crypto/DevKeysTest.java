package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevKeysTest {
    @Test
    void sameKeyEveryTime() {
        for (String name : DevKeys.NAMES) {
            SigningKey a = DevKeys.get(name);
            SigningKey b = DevKeys.get(name);
            assertEquals(a.account(), b.account());
            assertArrayEquals(a.seed(SecretAccess.insecure()), b.seed(SecretAccess.insecure()));
        }
    }

    @Test
    void seedIsSha256OfTheDocumentedLabel() throws Exception {
        // Checked with the JDK's SHA-256 directly, so the documented derivation is what other tools can reproduce.
        for (String name : DevKeys.NAMES) {
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(("cloister/dev/" + name).getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(expected, DevKeys.get(name).seed(SecretAccess.insecure()), name);
        }
    }

    @Test
    void namesGiveDistinctAccounts() {
        Set<AccountId> accounts = new HashSet<>();
        for (String name : DevKeys.NAMES) {
            accounts.add(DevKeys.get(name).account());
        }
        assertEquals(DevKeys.NAMES.size(), accounts.size());
        assertTrue(DevKeys.NAMES.containsAll(java.util.List.of("alice", "bob")));
    }

    @Test
    void nameOfFindsTheDevNameOfAnAccount() {
        for (String name : DevKeys.NAMES) {
            assertEquals(java.util.Optional.of(name), DevKeys.nameOf(DevKeys.get(name).account()));
        }
        assertEquals(java.util.Optional.empty(), DevKeys.nameOf(DevKeys.derive("authority-7").account()));
    }

    @Test
    void namesAreCaseInsensitive() {
        AccountId alice = DevKeys.get("alice").account();
        assertEquals(alice, DevKeys.get("Alice").account());
        assertEquals(alice, DevKeys.get("ALICE").account());
        assertEquals(alice, DevKeys.byName("aLiCe").orElseThrow().account());
    }

    @Test
    void unknownNamesAreRefused() {
        assertTrue(DevKeys.byName("mallory").isEmpty());
        assertTrue(DevKeys.byName("").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevKeys.get("mallory"));
        assertTrue(e.getMessage().contains("mallory"), e.getMessage());
    }

    @Test
    void deriveMatchesNamedKeysAndSeparatesLabels() {
        assertEquals(DevKeys.get("bob").account(), DevKeys.derive("bob").account());
        assertTrue(!DevKeys.derive("authority-0").account().equals(DevKeys.derive("authority-1").account()));
    }
}
