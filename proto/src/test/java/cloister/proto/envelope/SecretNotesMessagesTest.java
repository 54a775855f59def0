package cloister.proto.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.crypto.DevKeys;
import cloister.proto.MalformedException;
import cloister.proto.envelope.SecretNotesMessages.AddNote;
import cloister.proto.envelope.SecretNotesMessages.Command;
import cloister.proto.envelope.SecretNotesMessages.DeleteNote;
import cloister.proto.envelope.SecretNotesMessages.ListNotes;
import cloister.proto.envelope.SecretNotesMessages.Note;
import cloister.proto.envelope.SecretNotesMessages.ShareNote;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trips and mutated bytes of the secret-notes codec. */
class SecretNotesMessagesTest {
    private static final List<Command> COMMANDS = List.of(new AddNote("héllo ✓"), new AddNote(""),
            new ShareNote(7, DevKeys.get("bob").account()), new DeleteNote(Long.MAX_VALUE));

    @Test
    void commandsAndQueriesRoundTrip() {
        for (Command c : COMMANDS) {
            byte[] bytes = SecretNotesMessages.encode(c);
            assertEquals(c, SecretNotesMessages.decodeCommand(bytes));
        }
        assertEquals(new ListNotes(), SecretNotesMessages.decodeQuery(SecretNotesMessages.encode(new ListNotes())));
        List<Note> notes = List.of(new Note(1, DevKeys.get("alice").account(), "a", 3, List.of(DevKeys.get("bob").account())),
                new Note(2, DevKeys.get("bob").account(), "b", 4, List.of()));
        assertEquals(notes, SecretNotesMessages.decodeNotes(SecretNotesMessages.encodeNotes(notes)));
        assertThrows(IllegalArgumentException.class, () -> new AddNote("x".repeat(SecretNotesMessages.MAX_NOTE_BYTES + 1)));
        assertEquals("AddNote[text hidden]", new AddNote("secret").toString());
    }

    @Test
    void mutatedBytesDecodeCanonicallyOrNotAtAll() {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] bytes = SecretNotesMessages.encode(COMMANDS.get(i % COMMANDS.size()));
            int n = 1 + random.nextInt(3);
            for (int k = 0; k < n; k++) {
                switch (random.nextInt(3)) {
                    case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> bytes = java.util.Arrays.copyOf(bytes, Math.max(0, bytes.length - 1 - random.nextInt(3)));
                    default -> bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1);
                }
                if (bytes.length == 0) {
                    break;
                }
            }
            try {
                Command c = SecretNotesMessages.decodeCommand(bytes);
                assertArrayEquals(bytes, SecretNotesMessages.encode(c));
            } catch (MalformedException expected) {
                // refused
            }
        }
    }
}
