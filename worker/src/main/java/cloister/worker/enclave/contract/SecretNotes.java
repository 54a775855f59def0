package cloister.worker.enclave.contract;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import cloister.proto.envelope.SecretNotesMessages;
import cloister.proto.envelope.SecretNotesMessages.AddNote;
import cloister.proto.envelope.SecretNotesMessages.DeleteNote;
import cloister.proto.envelope.SecretNotesMessages.ListNotes;
import cloister.proto.envelope.SecretNotesMessages.ShareNote;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code secret-notes} system contract: private text notes per account, shareable with other accounts. Notes
 * are numbered 1, 2, 3… in command order across all accounts. Rejections (all leave the state unchanged):
 * {@code MALFORMED_COMMAND}, {@code TOO_MANY_NOTES}, {@code UNKNOWN_NOTE} (no such note of the sender's — the same
 * word whether it does not exist or belongs to someone else, so nobody learns other accounts' note numbers),
 * {@code INVALID_SHARE} (sharing with oneself), {@code ALREADY_SHARED}, {@code TOO_MANY_SHARES}.
 */
public final class SecretNotes implements SystemContract {
    public static final String KIND = SecretNotesMessages.KIND;
    /** The most notes one account may keep. */
    public static final int MAX_NOTES_PER_ACCOUNT = 1000;
    private static final byte[] STATE_DOMAIN = "cloister/secret-notes/state/v1".getBytes(StandardCharsets.US_ASCII);

    private static final class Note {
        final long id;
        final AccountId owner;
        final String text;
        final long createdAt;
        final TreeSet<AccountId> sharedWith = new TreeSet<>();

        Note(long id, AccountId owner, String text, long createdAt) {
            this.id = id;
            this.owner = owner;
            this.text = text;
            this.createdAt = createdAt;
        }
    }

    private long nextId = 1;
    private final TreeMap<Long, Note> notes = new TreeMap<>();
    /** Derived index: notes per owner (not part of the snapshot). */
    private final Map<AccountId, Integer> counts = new TreeMap<>();

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public ContractResult handle(AccountId sender, byte[] command, BlockContext context) {
        SecretNotesMessages.Command c;
        try {
            c = SecretNotesMessages.decodeCommand(command);
        } catch (MalformedException | IllegalArgumentException e) {
            return ContractResult.reject("MALFORMED_COMMAND", "not a secret-notes command: " + e.getMessage());
        }
        return switch (c) {
            case AddNote a -> {
                int count = counts.getOrDefault(sender, 0);
                if (count >= MAX_NOTES_PER_ACCOUNT) {
                    yield ContractResult.reject("TOO_MANY_NOTES", "an account keeps at most " + MAX_NOTES_PER_ACCOUNT + " notes");
                }
                Note n = new Note(nextId++, sender, a.text(), context.height());
                notes.put(n.id, n);
                counts.put(sender, count + 1);
                yield ContractResult.ok();
            }
            case ShareNote s -> {
                Note n = notes.get(s.noteId());
                if (n == null || !n.owner.equals(sender)) {
                    yield ContractResult.reject("UNKNOWN_NOTE", "you have no note " + s.noteId());
                }
                if (s.with().equals(sender)) {
                    yield ContractResult.reject("INVALID_SHARE", "a note cannot be shared with its owner");
                }
                if (n.sharedWith.contains(s.with())) {
                    yield ContractResult.reject("ALREADY_SHARED", "note " + s.noteId() + " is already shared with " + s.with());
                }
                if (n.sharedWith.size() >= SecretNotesMessages.MAX_SHARES) {
                    yield ContractResult.reject("TOO_MANY_SHARES", "a note is shared with at most " + SecretNotesMessages.MAX_SHARES + " accounts");
                }
                n.sharedWith.add(s.with());
                yield ContractResult.ok();
            }
            case DeleteNote d -> {
                Note n = notes.get(d.noteId());
                if (n == null || !n.owner.equals(sender)) {
                    yield ContractResult.reject("UNKNOWN_NOTE", "you have no note " + d.noteId());
                }
                notes.remove(n.id);
                counts.merge(sender, -1, Integer::sum);
                yield ContractResult.ok();
            }
        };
    }

    @Override
    public ContractResult query(AccountId caller, byte[] query) {
        SecretNotesMessages.Query q;
        try {
            q = SecretNotesMessages.decodeQuery(query);
        } catch (MalformedException e) {
            return ContractResult.reject("INVALID_QUERY", "not a secret-notes query: " + e.getMessage());
        }
        return switch (q) {
            case ListNotes l -> {
                List<SecretNotesMessages.Note> out = new ArrayList<>();
                for (Note n : notes.values()) {
                    if (n.owner.equals(caller)) {
                        out.add(new SecretNotesMessages.Note(n.id, n.owner, n.text, n.createdAt, List.copyOf(n.sharedWith)));
                    } else if (n.sharedWith.contains(caller)) {
                        out.add(new SecretNotesMessages.Note(n.id, n.owner, n.text, n.createdAt, List.of()));
                    }
                    if (out.size() == SecretNotesMessages.MAX_LISTED) {
                        break;
                    }
                }
                yield ContractResult.ok(SecretNotesMessages.encodeNotes(out));
            }
        };
    }

    @Override
    public byte[] snapshot() {
        CanonicalWriter w = new CanonicalWriter(64 + 128 * notes.size()).u64(nextId).u32(notes.size());
        for (Note n : notes.values()) {
            w.u64(n.id).account(n.owner).string(n.text).u64(n.createdAt).u32(n.sharedWith.size());
            n.sharedWith.forEach(w::account);
        }
        return w.toByteArray();
    }

    @Override
    public void restore(byte[] snapshot) {
        CanonicalReader r = new CanonicalReader(snapshot);
        long next = r.u64("next id");
        int count = r.u32("notes");
        TreeMap<Long, Note> restored = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            Note n = new Note(r.u64("id"), r.account("owner"), r.string(SecretNotesMessages.MAX_NOTE_BYTES, "text"), r.u64("created"));
            int shares = r.u32("shares");
            if (shares > SecretNotesMessages.MAX_SHARES) {
                throw new MalformedException("too many shares");
            }
            for (int j = 0; j < shares; j++) {
                n.sharedWith.add(r.account("shared with"));
            }
            restored.put(n.id, n);
        }
        r.end("secret-notes state");
        nextId = next;
        notes.clear();
        notes.putAll(restored);
        counts.clear();
        notes.values().forEach(n -> counts.merge(n.owner, 1, Integer::sum));
    }

    @Override
    public Hash stateHash() {
        return Sha256.hash(STATE_DOMAIN, snapshot());
    }

    @Override
    public String toString() {
        return "SecretNotes[" + notes.size() + " notes, content hidden]";
    }
}
