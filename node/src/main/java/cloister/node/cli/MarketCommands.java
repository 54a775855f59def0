package cloister.node.cli;

import cloister.market.data.Schema;
import cloister.sdk.CloisterClient;
import cloister.sdk.DatasetInfo;
import cloister.sdk.DatasetQuery;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister market}: what a buyer browses in W3A — listed datasets, their schema, size, price and privacy policy. */
@Command(name = "market", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Browse W3A, the data market: datasets listed by their owners, with schema, record count, price, accepted"
            + " purposes and privacy policy. Records are never shown; run an aggregate query over them with `cloister job submit`."},
        subcommands = {MarketCommands.Ls.class, MarketCommands.Show.class})
final class MarketCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: ls or show");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List the datasets on the market, optionally of one schema, accepting one purpose, or with TEXT in their name"
                + " or description.")
    static final class Ls extends CliCommand {
        @Option(names = "--schema", paramLabel = "SPEC|HASH", description = "Only datasets of this schema (spec or 64-hex hash).")
        String schema;

        @Option(names = "--purpose", paramLabel = "WORD", description = "Only datasets accepting this purpose.")
        String purpose;

        @Option(names = "--q", paramLabel = "TEXT", description = "Only datasets with TEXT in their name or description.")
        String text;

        @Option(names = "--all", description = "Also datasets that are not listed (or were deleted).")
        boolean all;

        @Override
        public Integer call() {
            DatasetQuery q = all ? DatasetQuery.all() : DatasetQuery.all().listed();
            if (schema != null) {
                q = q.schema(MarketCli.schemaRef(this, "--schema", schema).hash());
            }
            if (purpose != null) {
                q = q.purpose(cloister.proto.DataMarketCall.PURPOSES.get(MarketCli.purpose(this, "--purpose", purpose)));
            }
            if (text != null && !text.isBlank()) {
                q = q.text(text.strip());
            }
            List<DatasetInfo> ds = client().datasets(q);
            if (global.json) {
                ArrayNode a = JSON.createArrayNode();
                ds.forEach(d -> a.add(MarketCli.json(d)));
                printJson(JSON.createObjectNode().set("datasets", a));
                return 0;
            }
            if (ds.isEmpty()) {
                out().println(all ? "no datasets" : "no listed datasets match");
            }
            for (DatasetInfo d : ds) {
                out().println(MarketCli.line(d));
                out().println("     owner " + d.owner().address() + "  schema " + d.schema().map(Schema::spec).orElse(d.schemaHash().hex())
                        + d.listing().filter(l -> !l.description().isEmpty()).map(l -> "\n     " + l.description()).orElse(""));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Show a dataset: schema and its hash, record count and files (their keys escrowed), price, purposes,"
                + " privacy policy (k, ε budget, spent and per-job cap), grants, standing policy, uses.")
    static final class Show extends CliCommand {
        @Parameters(paramLabel = "DATASET", description = "The dataset's number (as `market ls` shows it).")
        String dataset;

        @Override
        public Integer call() {
            CloisterClient node = client();
            DatasetInfo d = MarketCli.dataset(node, dataset, Optional.empty());
            if (global.json) {
                printJson(MarketCli.json(d));
            } else {
                table(MarketCli.details(d));
            }
            return 0;
        }
    }
}
