package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class AccountIdTest {
    private static final String RFC_TEST1_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    @Test
    void addressRoundTrips() {
        for (String name : DevKeys.NAMES) {
            AccountId a = DevKeys.get(name).account();
            String address = a.address();
            assertTrue(address.startsWith("clo1"), address);
            assertEquals(62, address.length(), "clo + 1 + 52 data + 6 checksum");
            assertEquals(a, AccountId.parse(address));
            assertEquals(a, AccountId.parse(address.toUpperCase(Locale.ROOT)), "all-upper-case form is valid bech32m");
            assertEquals(a, AccountId.parse("  " + address + "\n"));
            assertEquals(address, a.toString());
        }
    }

    @Test
    void addressIsBech32mOfTheKey() {
        AccountId a = AccountId.parse(RFC_TEST1_KEY);
        Bech32m.Decoded d = Bech32m.decode(a.address());
        assertEquals("clo", d.hrp());
        assertArrayEquals(Hex.decode(RFC_TEST1_KEY), d.data());
    }

    @Test
    void parsesHex() {
        AccountId a = AccountId.parse(RFC_TEST1_KEY);
        assertEquals(RFC_TEST1_KEY, a.hex());
        assertEquals(a, AccountId.parse("0x" + RFC_TEST1_KEY));
        assertEquals(a, AccountId.parse(RFC_TEST1_KEY.toUpperCase(Locale.ROOT)));
        assertEquals(a, AccountId.of(Hex.decode(RFC_TEST1_KEY)));
        assertThrows(IllegalArgumentException.class, () -> AccountId.parse(RFC_TEST1_KEY.substring(0, 62) + "zz"));
    }

    @Test
    void refusesWrongPrefix() {
        String other = Bech32m.encode("abc", Hex.decode(RFC_TEST1_KEY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccountId.parse(other));
        assertTrue(e.getMessage().contains("prefix") && e.getMessage().contains("'abc'"), e.getMessage());
    }

    @Test
    void refusesWrongPayloadLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccountId.parse(Bech32m.encode("clo", new byte[31])));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AccountId.of(new byte[33]));
    }

    @Test
    void everySingleCharacterTypoIsRefusedWithAChecksumMessage() {
        String address = DevKeys.get("alice").account().address();
        int sep = address.lastIndexOf('1');
        int checked = 0;
        for (int i = 0; i < address.length(); i++) {
            if (i == sep) {
                continue; // replacing the separator leaves no separator: a different message
            }
            for (char c : CHARSET.toCharArray()) {
                if (c == address.charAt(i)) {
                    continue;
                }
                String typo = address.substring(0, i) + c + address.substring(i + 1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccountId.parse(typo), typo);
                assertTrue(e.getMessage().contains("checksum"), typo + ": " + e.getMessage());
                checked++;
            }
        }
        assertTrue(checked > 1500, "checked " + checked);
    }

    @Test
    void transposedCharactersAreRefused() {
        String address = DevKeys.get("bob").account().address();
        for (int i = 4; i + 1 < address.length(); i++) {
            if (address.charAt(i) == address.charAt(i + 1)) {
                continue;
            }
            String swapped = address.substring(0, i) + address.charAt(i + 1) + address.charAt(i) + address.substring(i + 2);
            assertThrows(IllegalArgumentException.class, () -> AccountId.parse(swapped), swapped);
        }
    }

    @Test
    void equalityOrderingAndCopies() {
        byte[] raw = Hex.decode(RFC_TEST1_KEY);
        AccountId a = AccountId.of(raw);
        raw[0] ^= 1;
        assertEquals(RFC_TEST1_KEY, a.hex(), "of() copies");
        byte[] out = a.bytes();
        out[0] ^= 1;
        assertEquals(RFC_TEST1_KEY, a.hex(), "bytes() copies");
        AccountId b = AccountId.of(raw);
        assertNotEquals(a, b);
        assertEquals(a, AccountId.parse(RFC_TEST1_KEY));
        assertEquals(a.hashCode(), AccountId.parse(RFC_TEST1_KEY).hashCode());
        byte[] high = new byte[32];
        high[0] = (byte) 0x80;
        byte[] low = new byte[32];
        low[0] = 0x7f;
        assertTrue(AccountId.of(high).compareTo(AccountId.of(low)) > 0, "unsigned order");
    }
}
