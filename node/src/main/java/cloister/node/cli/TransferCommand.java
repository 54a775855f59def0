package cloister.node.cli;

import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.sdk.AccountResolver;
import cloister.sdk.CloisterClient;
import cloister.sdk.TxStatusInfo;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "transfer", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Send CLO from a signer to an account; waits until it is in a block.")
final class TransferCommand extends CliCommand {
    @Option(names = "--from", required = true, paramLabel = "SIGNER", description = "Dev name (alice…) or key name.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "ACCOUNT", description = "Dev name, key name, clo1 address or hex key.")
    String to;

    @Parameters(paramLabel = "AMOUNT", description = "Amount in CLO, e.g. 10 or 0.5.")
    String amount;

    @Option(names = "--fee", paramLabel = "CLO", description = "Fee in CLO (default: the chain's minimum fee).")
    String fee;

    @Option(names = "--no-wait", description = "Return once the node accepted it, without waiting for a block.")
    boolean noWait;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
    Path passphraseFile;

    @Override
    public Integer call() {
        long units = parseAmount(amount, "AMOUNT");
        if (units == 0) {
            throw usage("AMOUNT must be positive");
        }
        AccountResolver resolver = resolver();
        AccountId dest;
        try {
            dest = resolver.account(to);
        } catch (IllegalArgumentException e) {
            throw usage("--to: " + e.getMessage());
        }
        SigningKey key;
        try {
            key = resolver.signer(from, () -> passphrase(passphraseFile, "key '" + from + "'", false));
        } catch (IllegalArgumentException e) {
            throw usage("--from: " + e.getMessage());
        }
        CloisterClient c = client();
        long feeUnits = fee != null ? parseAmount(fee, "--fee") : c.chainInfo().minimumFee();
        Hash hash = c.submitSigned(key, feeUnits, new BalancesCall.Transfer(dest, units));
        if (noWait) {
            if (global.json) {
                printJson(JSON.createObjectNode().put("hash", hash.hex()).put("status", "pending"));
            } else {
                table(new String[][] {{"submitted", hash.hex()}, {"status", "pending (not waiting)"}});
            }
            return 0;
        }
        TxStatusInfo s = c.waitForInclusion(hash, Duration.ofSeconds(60));
        if (global.json) {
            ObjectNode n = JSON.createObjectNode().put("hash", hash.hex()).put("status", s.status()).put("height", s.height())
                    .put("blockHash", s.blockHash().hex()).put("index", s.index()).put("success", s.success());
            if (s.failureReason() != null) {
                n.put("failureReason", s.failureReason());
            }
            printJson(n);
        } else {
            table(new String[][] {
                {"transaction", hash.hex()},
                {"from", key.account().address()},
                {"to", dest.address()},
                {"amount", Tokens.format(units) + " " + Tokens.SYMBOL},
                {"fee", Tokens.format(feeUnits) + " " + Tokens.SYMBOL},
                {"included", "block " + s.height() + " (index " + s.index() + ")"},
                {"result", s.success() ? "success" : "FAILED: " + s.failureReason() + " (the fee was charged)"},
            });
        }
        if (!s.success()) {
            ctx.err().println("error: " + s.failureReason() + ": the transfer was included in block " + s.height()
                    + " but its call failed; the fee was charged");
            return 1;
        }
        return 0;
    }

    private long parseAmount(String text, String what) {
        try {
            return Tokens.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage(what + ": " + e.getMessage());
        }
    }
}
