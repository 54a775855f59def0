package cloister.proto.envelope;

import cloister.crypto.AccountId;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of the {@code secret-notes} system contract: each account keeps private text notes and may share a
 * note with other accounts. Commands travel on chain inside a {@link CommandEnvelope}; the list query and its
 * answer inside a {@link QueryEnvelope}. Nobody outside the enclaves of the contract's cluster sees a note.
 *
 * <p>Encodings (canonical codec, docs/keys.md): a command is {@code u8 tag} then its fields — {@code 0x01} add
 * (string text ≤ {@value #MAX_NOTE_BYTES} bytes), {@code 0x02} share (u64 note id, account), {@code 0x03} delete
 * (u64 note id). The query is {@code u8 0x01} (list). The answer is {@code u32 count} then per note: u64 id, account
 * owner, string text, u64 created-at height, u32 count and the accounts it is shared with (listed only for the
 * caller's own notes).
 */
public final class SecretNotesMessages {
    /** The system contract kind these messages belong to. */
    public static final String KIND = "secret-notes";
    /** The longest note, in UTF-8 bytes. */
    public static final int MAX_NOTE_BYTES = 4096;
    /** The most accounts one note may be shared with. */
    public static final int MAX_SHARES = 64;
    /** The most notes one answer lists. */
    public static final int MAX_LISTED = 10_000;

    private SecretNotesMessages() {}

    /** What an account asks the contract to do. */
    public sealed interface Command {}

    /** Stores a new private note; the contract numbers it. */
    public record AddNote(String text) implements Command {
        public AddNote {
            if (text.getBytes(StandardCharsets.UTF_8).length > MAX_NOTE_BYTES) {
                throw new IllegalArgumentException("a note is at most " + MAX_NOTE_BYTES + " bytes");
            }
        }

        @Override
        public String toString() {
            return "AddNote[text hidden]";
        }
    }

    /** Lets {@code with} read the sender's note {@code noteId}. */
    public record ShareNote(long noteId, AccountId with) implements Command {}

    /** Deletes the sender's note {@code noteId} (for everyone it was shared with too). */
    public record DeleteNote(long noteId) implements Command {}

    /** What an account asks to read. */
    public sealed interface Query {}

    /** The caller's own notes and the notes shared with it. */
    public record ListNotes() implements Query {}

    /**
     * A note as the list query shows it.
     *
     * @param sharedWith who else may read it: listed for the caller's own notes, empty for notes shared with it
     */
    public record Note(long id, AccountId owner, String text, long createdAtHeight, List<AccountId> sharedWith) {
        public Note {
            sharedWith = List.copyOf(sharedWith);
        }

        @Override
        public String toString() {
            return "Note[" + id + " by " + owner + ", text hidden]";
        }
    }

    public static byte[] encode(Command command) {
        CanonicalWriter w = new CanonicalWriter(64);
        switch (command) {
            case AddNote a -> w.u8(0x01).string(a.text());
            case ShareNote s -> w.u8(0x02).u64(s.noteId()).account(s.with());
            case DeleteNote d -> w.u8(0x03).u64(d.noteId());
        }
        return w.toByteArray();
    }

    /** @throws MalformedException if the bytes are not exactly one command */
    public static Command decodeCommand(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8("secret-notes command");
        Command c = switch (tag) {
            case 0x01 -> new AddNote(r.string(MAX_NOTE_BYTES, "note text"));
            case 0x02 -> new ShareNote(r.u64("note id"), r.account("share with"));
            case 0x03 -> new DeleteNote(r.u64("note id"));
            default -> throw new MalformedException("unknown secret-notes command " + tag);
        };
        r.end("secret-notes command");
        return c;
    }

    public static byte[] encode(Query query) {
        return switch (query) {
            case ListNotes l -> new byte[] {0x01};
        };
    }

    /** @throws MalformedException if the bytes are not exactly one query */
    public static Query decodeQuery(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8("secret-notes query");
        Query q = switch (tag) {
            case 0x01 -> new ListNotes();
            default -> throw new MalformedException("unknown secret-notes query " + tag);
        };
        r.end("secret-notes query");
        return q;
    }

    public static byte[] encodeNotes(List<Note> notes) {
        if (notes.size() > MAX_LISTED) {
            throw new IllegalArgumentException("at most " + MAX_LISTED + " notes per answer");
        }
        CanonicalWriter w = new CanonicalWriter(64 + 96 * notes.size()).u32(notes.size());
        for (Note n : notes) {
            w.u64(n.id()).account(n.owner()).string(n.text()).u64(n.createdAtHeight()).u32(n.sharedWith().size());
            n.sharedWith().forEach(w::account);
        }
        return w.toByteArray();
    }

    /** @throws MalformedException if the bytes are not exactly one note list */
    public static List<Note> decodeNotes(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int n = r.u32("note count");
        if (n > MAX_LISTED) {
            throw new MalformedException(n + " notes, at most " + MAX_LISTED);
        }
        List<Note> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = r.u64("note id");
            AccountId owner = r.account("owner");
            String text = r.string(MAX_NOTE_BYTES, "note text");
            long created = r.u64("created at");
            int shares = r.u32("share count");
            if (shares > MAX_SHARES) {
                throw new MalformedException(shares + " shares, at most " + MAX_SHARES);
            }
            List<AccountId> with = new ArrayList<>(shares);
            for (int j = 0; j < shares; j++) {
                with.add(r.account("shared with"));
            }
            out.add(new Note(id, owner, text, created, with));
        }
        r.end("note list");
        return out;
    }
}
