package cloister.node.cli;

import cloister.common.Hex;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.sdk.AccountResolver;
import cloister.sdk.Keystore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister key …}: named keys in the encrypted keystore ({@code $CLOISTER_HOME/keys}). */
@Command(name = "key", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Manage named signing keys in the encrypted keystore.",
        subcommands = {KeyCommands.New.class, KeyCommands.ListKeys.class, KeyCommands.Import.class, KeyCommands.Export.class})
final class KeyCommands {
    @Command(name = "new", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Generate a key and store it encrypted under a passphrase.")
    static final class New extends Storing {
        @Parameters(paramLabel = "NAME", description = "1-32 characters of a-z, 0-9, '_', '-'.")
        String name;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the passphrase from FILE.")
        Path passphraseFile;

        @Override
        public Integer call() {
            checkName(name);
            Keystore ks = ctx.keystore();
            if (ks.contains(name)) {
                throw new Keystore.KeystoreException("KEY_EXISTS", "a key named '" + name + "' already exists; it is never overwritten");
            }
            char[] pass = passphrase(passphraseFile, "new key '" + name + "'", true);
            SigningKey key;
            try {
                key = ks.create(name, pass);
            } finally {
                Arrays.fill(pass, '\0');
            }
            report(name, key.account(), ks);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List the stored keys (no passphrase needed).")
    static final class ListKeys extends CliCommand {
        @Override
        public Integer call() {
            List<Keystore.Entry> entries = ctx.keystore().list();
            if (global.json) {
                ArrayNode arr = JSON.createArrayNode();
                entries.forEach(e -> arr.addObject().put("name", e.name()).put("address", e.address().address()));
                printJson(arr);
                return 0;
            }
            if (entries.isEmpty()) {
                out().println("no keys in " + ctx.keystore().directory() + " (create one with `cloister key new NAME`)");
                return 0;
            }
            int w = entries.stream().mapToInt(e -> e.name().length()).max().orElse(4);
            out().println(String.format("%-" + Math.max(w, 4) + "s  %s", "NAME", "ADDRESS"));
            for (Keystore.Entry e : entries) {
                out().println(String.format("%-" + Math.max(w, 4) + "s  %s", e.name(), e.address().address()));
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Import a key from a hex seed file or from an exported keystore file.")
    static final class Import extends Storing {
        static final class Source {
            @Option(names = "--seed-file", paramLabel = "FILE", description = "File with the 32-byte seed as 64 hex digits.")
            Path seedFile;

            @Option(names = "--keystore-file", paramLabel = "FILE", description = "Keystore JSON written by `key export`.")
            Path keystoreFile;
        }

        @Parameters(paramLabel = "NAME", description = "Name to store the key under.")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase to encrypt a seed under.")
        Path passphraseFile;

        @Override
        public Integer call() {
            checkName(name);
            Keystore ks = ctx.keystore();
            if (ks.contains(name)) {
                throw new Keystore.KeystoreException("KEY_EXISTS", "a key named '" + name + "' already exists; it is never overwritten");
            }
            AccountId address;
            if (source.keystoreFile != null) {
                address = ks.importFile(name, read(source.keystoreFile));
            } else {
                byte[] seed;
                try {
                    seed = Hex.decode(read(source.seedFile).strip());
                } catch (IllegalArgumentException e) {
                    throw usage("--seed-file: not hex (" + e.getMessage() + ")");
                }
                if (seed.length != 32) {
                    throw usage("--seed-file: a seed is 32 bytes (64 hex digits), got " + seed.length + " bytes");
                }
                char[] pass = passphrase(passphraseFile, "imported key '" + name + "'", true);
                try {
                    address = ks.importSeed(name, seed, pass).account();
                } finally {
                    Arrays.fill(seed, (byte) 0);
                    Arrays.fill(pass, '\0');
                }
            }
            report(name, address, ks);
            return 0;
        }

        private String read(Path f) {
            try {
                return Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw usage("cannot read " + f + " (" + e.getClass().getSimpleName() + ")");
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Write a key's encrypted keystore JSON (to stdout or --out FILE).")
    static final class Export extends CliCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE (never overwritten) instead of stdout.")
        Path outFile;

        @Override
        public Integer call() throws IOException {
            String json = ctx.keystore().exportFile(name);
            if (outFile == null) {
                out().println(json);
                return 0;
            }
            if (Files.exists(outFile)) {
                throw usage(outFile + " already exists; it is never overwritten");
            }
            Files.writeString(outFile, json + System.lineSeparator(), StandardCharsets.UTF_8);
            out().println("wrote the encrypted keystore of '" + name + "' to " + outFile);
            return 0;
        }
    }

    /** Base of new/import: name check and the same report for both. */
    abstract static class Storing extends CliCommand {
        void checkName(String name) {
            if (!name.matches("[a-z0-9_-]{1,32}")) {
                throw usage("key name must be 1-32 characters of a-z, 0-9, '_' or '-'");
            }
            try {
                AccountResolver.checkNewKeyName(name);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }

        void report(String name, AccountId address, Keystore ks) {
            if (global.json) {
                printJson(JSON.createObjectNode().put("name", name).put("address", address.address())
                        .put("file", ks.directory().resolve(name + ".json").toString()));
            } else {
                table(new String[][] {
                    {"name", name},
                    {"address", address.address()},
                    {"file", ks.directory().resolve(name + ".json").toString()},
                });
            }
        }
    }
}
