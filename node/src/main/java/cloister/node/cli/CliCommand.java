package cloister.node.cli;

import cloister.crypto.SigningKey;
import cloister.sdk.AccountResolver;
import cloister.sdk.CloisterClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of the leaf commands: global options, the injected context, and small helpers. */
abstract class CliCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    CliContext ctx;

    PrintStream out() {
        return ctx.out();
    }

    CloisterClient client() {
        String url = global.node != null ? global.node : ctx.env("CLOISTER_NODE", CloisterClient.DEFAULT_URL);
        return new CloisterClient(url);
    }

    AccountResolver resolver() {
        return new AccountResolver(ctx.keystore());
    }

    /** The signing key named by option {@code option} (dev name or keystore key; a keystore key asks for its passphrase). */
    SigningKey signer(String option, String name, Path passphraseFile) {
        try {
            return resolver().signer(name, () -> passphrase(passphraseFile, "key '" + name + "'", false));
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    /** The account named by option {@code option} (dev name, keystore key name or address). */
    cloister.crypto.AccountId account(String option, String name) {
        try {
            return resolver().account(name);
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    /** A bad argument found after parsing: exit 2 with the usage hint, like a parse error. */
    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Deletes {@code dir} and everything below it (a temporary data directory). */
    static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    void printJson(JsonNode node) {
        out().println(node.toPrettyString());
    }

    /**
     * The passphrase: from {@code passphraseFile}, else {@code $CLOISTER_PASSPHRASE}, else an interactive prompt
     * (asked twice when {@code confirm}).
     */
    char[] passphrase(Path passphraseFile, String what, boolean confirm) {
        if (passphraseFile != null) {
            try {
                String s = Files.readString(passphraseFile, StandardCharsets.UTF_8);
                s = s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
                return nonEmpty(s.toCharArray());
            } catch (NoSuchFileException e) {
                throw usage("passphrase file " + passphraseFile + " does not exist");
            } catch (IOException e) {
                throw usage("cannot read passphrase file " + passphraseFile + ": " + e.getClass().getSimpleName());
            }
        }
        String fromEnv = ctx.env().get("CLOISTER_PASSPHRASE");
        if (fromEnv != null) {
            return nonEmpty(fromEnv.toCharArray());
        }
        if (ctx.prompt() == null) {
            throw usage("no passphrase: pass --passphrase-file FILE, set CLOISTER_PASSPHRASE, or run in a terminal");
        }
        char[] first = ctx.prompt().apply("Passphrase for " + what + ": ");
        if (first == null) {
            throw usage("no passphrase entered");
        }
        if (confirm) {
            char[] again = ctx.prompt().apply("Repeat passphrase: ");
            if (again == null || !Arrays.equals(first, again)) {
                throw usage("the passphrases do not match");
            }
        }
        return nonEmpty(first);
    }

    private char[] nonEmpty(char[] p) {
        if (p.length == 0) {
            throw usage("the passphrase is empty");
        }
        return p;
    }

    /** A transaction sent and included: its hash, its status, and (if its call failed) "REASON: the chain's message". */
    record Included(cloister.common.Hash hash, cloister.sdk.TxStatusInfo status, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** Signs {@code call} with {@code key}, submits it and waits (60 s) for its block; a failed call's reason and message. */
    static Included include(CloisterClient c, cloister.proto.Call call, SigningKey key) {
        cloister.sdk.IncludedTx r = c.sendAndWait(key, call, java.time.Duration.ofSeconds(60));
        return new Included(r.hash(), r.status(), r.ok() ? null : r.failure());
    }

    /**
     * The sim platform of a devnet's network for a worker started by hand: the network's sim attestation root and machine
     * secret from {@code simDir} (default {@code ~/.cloister/devnet/sim-tee}), measuring this build.
     */
    cloister.tee.sim.SimPlatform devnetSimPlatform(Path simDir) throws IOException {
        Path sim = simDir != null ? simDir : ctx.home().resolve("devnet").resolve("sim-tee");
        if (!Files.isDirectory(sim.resolve("root"))) {
            throw usage("no sim attestation root in " + sim.resolve("root") + " (a sim worker needs its network's; for a devnet"
                    + " it is <devnet data dir>/sim-tee: pass --sim-dir)");
        }
        cloister.tee.sim.SimAttestationRoot root;
        try {
            root = cloister.tee.sim.SimAttestationRoot.load(sim.resolve("root"));
        } catch (IOException e) {
            throw usage("--sim-dir: " + e.getMessage());
        }
        cloister.tee.Measurement build = cloister.node.tee.WorkerBuild.measurement(cloister.worker.host.WorkerHost.class,
                cloister.node.devnet.LocalNetwork.RUNTIME_VERSION);
        return new cloister.tee.sim.SimPlatform(cloister.tee.sim.SimMachine.loadOrCreate(sim.resolve("machine")), root, build,
                System::currentTimeMillis, new java.security.SecureRandom());
    }

    /** Left-aligned "label  value" lines, labels padded to the widest. */
    void table(String[][] rows) {
        int w = 0;
        for (String[] r : rows) {
            w = Math.max(w, r[0].length());
        }
        for (String[] r : rows) {
            out().println(String.format("%-" + w + "s  %s", r[0], r[1]));
        }
    }
}
