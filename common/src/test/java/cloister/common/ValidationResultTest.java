package cloister.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ValidationResultTest {
    enum Why implements Reason { BAD_THING }

    @Test
    void validHasNoReason() {
        ValidationResult<Why> r = ValidationResult.valid();
        assertTrue(r.isValid());
        assertEquals("VALID", r.toString());
        assertThrows(IllegalStateException.class, r::reason);
    }

    @Test
    void invalidCarriesReasonCodeAndMessage() {
        ValidationResult<Why> r = ValidationResult.invalid(Why.BAD_THING, "it was bad");
        assertFalse(r.isValid());
        assertEquals(Why.BAD_THING, r.reason());
        assertEquals("BAD_THING", r.reason().code());
        assertEquals("it was bad", r.message());
        assertEquals("BAD_THING: it was bad", r.toString());
        assertThrows(NullPointerException.class, () -> ValidationResult.invalid(null, "x"));
        assertThrows(NullPointerException.class, () -> ValidationResult.invalid(Why.BAD_THING, null));
    }
}
