package cloister.node.cli;

import cloister.sdk.CloisterApiException;
import cloister.sdk.Keystore;
import java.io.Console;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cloister} command line. {@link #run} executes one command with given streams and environment and
 * returns the exit code: 0 ok, 1 refused or failed (e.g. {@code error: STALE_NONCE: …}), 2 bad usage.
 */
public final class Main {
    public static final String VERSION = "0.1.0-SNAPSHOT";

    /** The root command: prints usage when called without a subcommand. */
    @Command(name = "cloister", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Cloister: a confidential cloud network. Run a devnet, manage keys, send and inspect transactions, store encrypted"
                + " files, sell privacy-checked analyses of your data in W3A (data, market, job), and mine with stake pools (miner, pool).",
            subcommands = {DevnetCommand.class, KeyCommands.class, TransferCommand.class, ReadCommands.Account.class,
                ReadCommands.Block.class, ReadCommands.Head.class, ReadCommands.Events.class, WorkerCommands.class,
                ContractCommands.class, NotesCommands.class, StorageCommands.class, DataCommands.class, MarketCommands.class,
                JobCommands.class, MinerCommands.class, PoolCommands.class, SimCommands.class, CompletionCommand.class},
            footer = {"", "Global options on every command: --node URL, --json, --verbose, --help, --version.",
                "Run 'cloister COMMAND --help' for a command's options."})
    static final class Root implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cloister " + VERSION + " (Java " + Runtime.version() + ")"};
        }
    }

    private Main() {}

    public static void main(String[] args) {
        Console console = System.console();
        Function<String, char[]> prompt = console == null ? null : p -> console.readPassword("%s", p);
        int code = run(args, System.out, System.err, System.getenv(), prompt);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command line; never throws, never prints a stack trace unless {@code --verbose}. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
                          Function<String, char[]> prompt) {
        CliContext ctx = new CliContext(out, err, env, prompt);
        CommandLine cl = new CommandLine(new Root());
        inject(cl, ctx);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof CommandLine.ParameterException pe) {
                return cl.getParameterExceptionHandler().handleParseException(pe, args);
            }
            boolean verbose = args != null && java.util.Arrays.asList(args).contains("--verbose");
            switch (ex) {
                case CloisterApiException api -> err.println("error: " + api.code() + ": " + api.getMessage());
                case Keystore.KeystoreException ks -> err.println("error: " + ks.code() + ": " + ks.getMessage());
                default -> {
                    err.println("error: " + (ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName())
                            + (verbose ? "" : " (run with --verbose for details)"));
                    if (verbose) {
                        ex.printStackTrace(err);
                    }
                }
            }
            return 1;
        });
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static void inject(CommandLine cl, CliContext ctx) {
        if (cl.getCommand() instanceof CliCommand c) {
            c.ctx = ctx;
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            inject(sub, ctx);
        }
    }
}
