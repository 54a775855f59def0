package cloister.node.cli;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.ContractId;
import cloister.proto.envelope.SecretNotesMessages;
import cloister.sdk.AccountResolver;
import cloister.sdk.CloisterClient;
import cloister.sdk.ConfidentialClient;
import cloister.sdk.TxStatusInfo;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister notes}: the secret-notes confidential contract. Notes are readable only inside its workers' enclaves. */
@Command(name = "notes", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Private notes in the secret-notes confidential contract: only you, and accounts you share a note with, can read it.",
        subcommands = {NotesCommands.Add.class, NotesCommands.ListNotes.class, NotesCommands.Share.class, NotesCommands.Delete.class})
final class NotesCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add, list, share or delete");
    }

    /** Options shared by the notes commands. */
    abstract static class NotesCommand extends CliCommand {
        @Option(names = "--as", required = true, paramLabel = "SIGNER", description = "Who you are: dev name (alice…) or key name.")
        String as;

        @Option(names = "--contract", paramLabel = "ID", description = "The secret-notes contract (default: the devnet's, in cluster 0).")
        String contract;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        SigningKey signer() {
            return signer("--as", as, passphraseFile);
        }

        ContractId contractId() {
            if (contract == null) {
                return ContractId.system(SecretNotesMessages.KIND, 0);
            }
            try {
                return ContractId.parse(contract);
            } catch (IllegalArgumentException e) {
                throw usage("--contract: not a contract id (64 hex digits)");
            }
        }

        /** Sends an encrypted command, waits for its block and for a worker's outcome; non-zero exit if refused. */
        int command(SecretNotesMessages.Command command, String done) {
            SigningKey key = signer();
            ContractId id = contractId();
            CloisterClient c = client();
            ConfidentialClient cc = new ConfidentialClient(c);
            Hash tx = cc.command(key, id, SecretNotesMessages.encode(command), c.chainInfo().minimumFee());
            TxStatusInfo s = c.waitForInclusion(tx, Duration.ofSeconds(60));
            if (!s.success()) {
                ctx.err().println("error: " + s.failureReason() + ": the command was included in block " + s.height()
                        + " but refused by the chain; the fee was charged");
                return 1;
            }
            ConfidentialClient.CommandResult r = cc.commandOutcome(id, tx, Duration.ofSeconds(60));
            if (global.json) {
                printJson(JSON.createObjectNode().put("transaction", tx.hex()).put("height", s.height()).put("ok", r.ok())
                        .put("code", r.code()).put("message", r.message()).put("worker", r.reportedBy().hex()));
            } else {
                table(new String[][] {
                    {"transaction", tx.hex() + " (block " + s.height() + "; on chain it is ciphertext)"},
                    {"result", r.ok() ? done : "REFUSED: " + r.code() + ": " + r.message()},
                    {"executed by", "worker " + r.reportedBy().hex().substring(0, 16) + "… (sim: no hardware protection)"},
                });
            }
            if (!r.ok()) {
                ctx.err().println("error: " + r.code() + ": " + r.message());
                return 1;
            }
            return 0;
        }

        List<SecretNotesMessages.Note> list(SigningKey key) {
            ConfidentialClient cc = new ConfidentialClient(client());
            ConfidentialClient.QueryAnswer a = cc.query(key, contractId(), SecretNotesMessages.encode(new SecretNotesMessages.ListNotes()));
            return SecretNotesMessages.decodeNotes(a.answer());
        }

        static String name(AccountId id) {
            return DevKeys.nameOf(id).orElse(id.address());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Add a private note (encrypted on this machine to the contract's key).")
    static final class Add extends NotesCommand {
        @Parameters(paramLabel = "TEXT", description = "The note (at most 4096 bytes of UTF-8).")
        String text;

        @Override
        public Integer call() {
            if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > SecretNotesMessages.MAX_NOTE_BYTES) {
                throw usage("TEXT: a note is at most " + SecretNotesMessages.MAX_NOTE_BYTES + " bytes");
            }
            return command(new SecretNotesMessages.AddNote(text), "note added (see `cloister notes list --as " + as + "`)");
        }
    }

    @Command(name = "share", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Let another account read one of your notes.")
    static final class Share extends NotesCommand {
        @Option(names = "--with", required = true, paramLabel = "ACCOUNT", description = "Dev name, key name, clo1 address or hex key.")
        String with;

        @Parameters(paramLabel = "NOTE_ID", description = "The note's id (from `cloister notes list`).")
        long noteId;

        @Override
        public Integer call() {
            AccountId to;
            try {
                to = new AccountResolver(ctx.keystore()).account(with);
            } catch (IllegalArgumentException e) {
                throw usage("--with: " + e.getMessage());
            }
            return command(new SecretNotesMessages.ShareNote(noteId, to), "note " + noteId + " shared with " + with);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Delete one of your notes.")
    static final class Delete extends NotesCommand {
        @Parameters(paramLabel = "NOTE_ID", description = "The note's id.")
        long noteId;

        @Override
        public Integer call() {
            return command(new SecretNotesMessages.DeleteNote(noteId), "note " + noteId + " deleted");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List your notes and the notes shared with you (an encrypted, signed query to a worker).")
    static final class ListNotes extends NotesCommand {
        @Override
        public Integer call() {
            SigningKey key = signer();
            List<SecretNotesMessages.Note> notes = list(key);
            if (global.json) {
                ArrayNode arr = JSON.createArrayNode();
                for (SecretNotesMessages.Note n : notes) {
                    ObjectNode o = arr.addObject().put("id", n.id()).put("owner", n.owner().address()).put("text", n.text())
                            .put("createdAtHeight", n.createdAtHeight());
                    ArrayNode shared = o.putArray("sharedWith");
                    n.sharedWith().forEach(a -> shared.add(a.address()));
                }
                printJson(arr);
                return 0;
            }
            if (notes.isEmpty()) {
                out().println("no notes for " + name(key.account()));
                return 0;
            }
            for (SecretNotesMessages.Note n : notes) {
                String owner = n.owner().equals(key.account()) ? "yours" : "from " + name(n.owner());
                String shared = n.sharedWith().isEmpty() ? "" : ", shared with " + String.join(", ", n.sharedWith().stream().map(NotesCommand::name).toList());
                out().println("#" + n.id() + "  (" + owner + shared + ")  " + n.text());
            }
            return 0;
        }
    }
}
