package cloister.sdk;

import cloister.common.Hex;
import cloister.common.OwnerOnlyFiles;
import cloister.crypto.AccountId;
import cloister.crypto.PassphraseEncryption;
import cloister.crypto.SecretAccess;
import cloister.crypto.SigningKey;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named signing keys, one encrypted JSON file per key in a directory (default {@code ~/.cloister/keys}):
 * <pre>{version:1, name, address, kdf:{name:"scrypt", logN, r, p, salt}, cipher:{name:"aes-256-gcm", nonce}, ciphertext}</pre>
 * The seed is sealed by {@link PassphraseEncryption} with the address bytes as associated data, so a file whose
 * address was edited does not open. Files are written 0600 where the filesystem has POSIX permissions, and never
 * overwritten. Listing needs no passphrase.
 */
public final class Keystore {
    /** A key's name and account, as listed. */
    public record Entry(String name, AccountId address) {}

    /** An expected refusal: bad name, no such key, already exists, wrong passphrase, unreadable file. */
    public static final class KeystoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String code;

        public KeystoreException(String code, String message) {
            super(message);
            this.code = code;
        }

        /** {@code BAD_NAME}, {@code KEY_NOT_FOUND}, {@code KEY_EXISTS}, {@code WRONG_PASSPHRASE}, {@code BAD_KEYSTORE_FILE}. */
        public String code() {
            return code;
        }
    }

    public static final int VERSION = 1;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final int logN;
    private final SecureRandom random = new SecureRandom();

    public Keystore(Path dir) {
        this(dir, PassphraseEncryption.DEFAULT_LOG_N);
    }

    /** With a chosen scrypt cost (2^logN); tests use a low one to run fast. */
    public Keystore(Path dir, int logN) {
        this.dir = dir;
        this.logN = logN;
    }

    /** {@code $CLOISTER_HOME/keys}, or {@code ~/.cloister/keys}. */
    public static Path defaultDirectory() {
        String home = System.getenv("CLOISTER_HOME");
        return home != null && !home.isBlank()
                ? Path.of(home, "keys")
                : Path.of(System.getProperty("user.home"), ".cloister", "keys");
    }

    public Path directory() {
        return dir;
    }

    /** Generates a new key, stores it encrypted under {@code passphrase}. */
    public SigningKey create(String name, char[] passphrase) {
        SigningKey key = SigningKey.generate(random);
        store(name, key, passphrase);
        return key;
    }

    /** Stores a key from its 32-byte Ed25519 seed. */
    public SigningKey importSeed(String name, byte[] seed, char[] passphrase) {
        SigningKey key = SigningKey.fromSeed(seed);
        store(name, key, passphrase);
        return key;
    }

    /**
     * Stores a keystore JSON document (as written by {@link #exportFile}) under {@code name}. The seed stays encrypted;
     * the structure and address are checked.
     */
    public AccountId importFile(String name, String keystoreJson) {
        checkName(name);
        ObjectNode doc = parse(keystoreJson, "the imported file");
        AccountId address = address(doc, "the imported file");
        sealed(doc, "the imported file");
        doc.put("name", name);
        write(name, doc);
        return address;
    }

    /** The names and addresses of all keys, sorted by name. */
    public List<Entry> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                String fileName = f.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - ".json".length());
                if (!NAME.matcher(name).matches()) {
                    continue;
                }
                try {
                    out.add(new Entry(name, address(parse(Files.readString(f), f.toString()), f.toString())));
                } catch (KeystoreException e) {
                    // an unreadable file does not hide the others; load() names the problem
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list keystore " + dir, e);
        }
        out.sort(Comparator.comparing(Entry::name));
        return out;
    }

    public boolean contains(String name) {
        return NAME.matcher(name).matches() && Files.exists(file(name));
    }

    /** The address of a stored key, without its passphrase. */
    public Optional<AccountId> address(String name) {
        if (!contains(name)) {
            return Optional.empty();
        }
        return Optional.of(address(read(name), file(name).toString()));
    }

    /** Decrypts a key. */
    public SigningKey load(String name, char[] passphrase) {
        ObjectNode doc = read(name);
        AccountId address = address(doc, file(name).toString());
        byte[] seed;
        try {
            seed = PassphraseEncryption.open(passphrase, sealed(doc, file(name).toString()), address.bytes());
        } catch (PassphraseEncryption.WrongPassphraseException e) {
            throw new KeystoreException("WRONG_PASSPHRASE", "wrong passphrase for key '" + name + "' (or its file was altered)");
        } catch (IllegalArgumentException e) {
            throw new KeystoreException("BAD_KEYSTORE_FILE", "keystore file of '" + name + "': " + e.getMessage());
        }
        try {
            SigningKey key = SigningKey.fromSeed(seed);
            if (!key.account().equals(address)) {
                throw new KeystoreException("BAD_KEYSTORE_FILE", "keystore file of '" + name + "' holds another key than its address");
            }
            return key;
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** The encrypted keystore JSON of a key, to back it up or move it to another machine. */
    public String exportFile(String name) {
        try {
            return JSON.writeValueAsString(read(name));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    // ---------------------------------------------------------------- internals

    private void store(String name, SigningKey key, char[] passphrase) {
        checkName(name);
        byte[] seed = key.seed(SecretAccess.insecure());
        PassphraseEncryption.Sealed s;
        try {
            s = PassphraseEncryption.seal(passphrase, seed, key.account().bytes(), logN, random);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("version", VERSION).put("name", name).put("address", key.account().address());
        doc.putObject("kdf").put("name", "scrypt").put("logN", s.logN()).put("r", s.r()).put("p", s.p())
                .put("salt", Hex.encode(s.salt()));
        doc.putObject("cipher").put("name", "aes-256-gcm").put("nonce", Hex.encode(s.nonce()));
        doc.put("ciphertext", Hex.encode(s.ciphertext()));
        write(name, doc);
    }

    private void write(String name, ObjectNode doc) {
        Path f = file(name);
        if (Files.exists(f)) {
            throw new KeystoreException("KEY_EXISTS", "a key named '" + name + "' already exists in " + dir + "; it is never overwritten");
        }
        try {
            Files.createDirectories(dir);
            byte[] bytes = JSON.writeValueAsBytes(doc);
            OwnerOnlyFiles.create(f, bytes);
        } catch (FileAlreadyExistsException e) {
            throw new KeystoreException("KEY_EXISTS", "a key named '" + name + "' already exists in " + dir + "; it is never overwritten");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write key file " + f, e);
        }
    }

    private ObjectNode read(String name) {
        checkName(name);
        Path f = file(name);
        if (!Files.exists(f)) {
            throw new KeystoreException("KEY_NOT_FOUND", "no key named '" + name + "' in " + dir);
        }
        try {
            return parse(Files.readString(f, StandardCharsets.UTF_8), f.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + f, e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new KeystoreException("BAD_NAME", "key name must be 1-32 characters of a-z, 0-9, '_' or '-'");
        }
    }

    private static ObjectNode parse(String json, String what) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n instanceof ObjectNode o && o.path("version").asInt() == VERSION) {
                return o;
            }
        } catch (JsonProcessingException e) {
            // reported below without echoing content
        }
        throw new KeystoreException("BAD_KEYSTORE_FILE", what + " is not a version-" + VERSION + " Cloister keystore file");
    }

    private static AccountId address(ObjectNode doc, String what) {
        try {
            return AccountId.parse(doc.path("address").asText());
        } catch (IllegalArgumentException e) {
            throw new KeystoreException("BAD_KEYSTORE_FILE", what + ": bad address: " + e.getMessage());
        }
    }

    private static PassphraseEncryption.Sealed sealed(ObjectNode doc, String what) {
        JsonNode kdf = doc.path("kdf");
        JsonNode cipher = doc.path("cipher");
        if (!"scrypt".equals(kdf.path("name").asText()) || !"aes-256-gcm".equals(cipher.path("name").asText())) {
            throw new KeystoreException("BAD_KEYSTORE_FILE", what + ": unsupported kdf or cipher (expected scrypt, aes-256-gcm)");
        }
        try {
            return new PassphraseEncryption.Sealed(kdf.path("logN").asInt(), kdf.path("r").asInt(), kdf.path("p").asInt(),
                    Hex.decode(kdf.path("salt").asText()), Hex.decode(cipher.path("nonce").asText()),
                    Hex.decode(doc.path("ciphertext").asText()));
        } catch (IllegalArgumentException e) {
            throw new KeystoreException("BAD_KEYSTORE_FILE", what + ": " + e.getMessage());
        }
    }
}
