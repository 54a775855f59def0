package cloister.node.cli;

import cloister.chain.runtime.datamarket.DataMarket;
import cloister.common.Hash;
import cloister.crypto.SigningKey;
import cloister.market.data.Schema;
import cloister.market.job.ReleasedResult;
import cloister.market.job.ResultSeal;
import cloister.market.sql.GuardedSql;
import cloister.market.sql.QueryCheck;
import cloister.proto.DataMarketCall;
import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import cloister.sdk.DatasetInfo;
import cloister.sdk.DatasetQuery;
import cloister.sdk.IncludedTx;
import cloister.sdk.JobInfo;
import cloister.sdk.JobResults;
import cloister.sdk.JobQuery;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cloister job}: a buyer's W3A analysis jobs — submit, follow, open the result, withdraw; and the public audit log. */
@Command(name = "job", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Aggregate SQL over W3A datasets, run inside a TEE worker of the datasets' escrow cluster. The market"
            + " accepts one shape — SELECT group columns and COUNT/SUM/AVG/MIN/MAX/MEDIAN/QUANTILE FROM t [WHERE …] [GROUP BY …] —"
            + " adds differential-privacy noise (ε), suppresses groups of fewer than k owners, and seals the result to your key."
            + " The SQL, purpose, datasets, consent, ε and payments are public in the audit log (`job ls`)."},
        subcommands = {JobCommands.Submit.class, JobCommands.Status.class, JobCommands.Result.class, JobCommands.Ls.class,
            JobCommands.Cancel.class})
final class JobCommands implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: submit, status, result, ls or cancel");
    }

    /** The buyer's signing key. */
    abstract static class BuyerCommand extends CliCommand {
        @Option(names = "--as", paramLabel = "SIGNER", defaultValue = "alice", description = "The buyer: dev name or key name (default: ${DEFAULT-VALUE}).")
        String as;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of a keystore signer.")
        Path passphraseFile;

        SigningKey buyer() {
            return signer("--as", as, passphraseFile);
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Submit an analysis job: the SQL is checked here first, exactly as the enclave will check it, and refused"
                + " before anything is sent if the market would refuse it. The budget is escrowed; each dataset's owner is paid"
                + " their price if the job uses their data, the worker 0.01 CLO, and the rest is refunded. Datasets whose owner has"
                + " not consented yet (no grant or standing policy) wait for their decision for --consent-blocks blocks.",
                "The result is sealed (HPKE) to a key derived from your account: open it with `job result JOB`."})
    static final class Submit extends BuyerCommand {
        @Option(names = "--sql", required = true, paramLabel = "TEXT", description = "The query; the table name is yours to choose.")
        String sql;

        @Option(names = "--purpose", required = true, paramLabel = "WORD", description = "research, product-analytics, advertising,"
                + " public-health, education or market-research.")
        String purpose;

        @Option(names = "--datasets", split = ",", paramLabel = "N,N", description = "The datasets, by number.")
        List<Long> datasets;

        @Option(names = "--schema", paramLabel = "SPEC|HASH", description = "Instead: every listed dataset of this schema accepting the purpose.")
        String schema;

        @Option(names = "--epsilon", required = true, paramLabel = "ε", description = "Privacy loss spent on each dataset, e.g. 0.1.")
        String epsilon;

        @Option(names = "--budget", paramLabel = "CLO",
                description = "The most you pay (escrowed; default: the datasets' list prices plus the worker's 0.01 CLO).")
        String budget;

        @Option(names = "--consent-blocks", paramLabel = "N", defaultValue = "0",
                description = "Blocks owners have to decide (default: the chain's, " + DataMarket.DEFAULT_CONSENT_BLOCKS + ").")
        int consentBlocks;

        @Option(names = "--wait", description = "Wait until the job ends, then open and print the result.")
        boolean await;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
        int timeout;

        @Override
        public Integer call() throws InterruptedException {
            if ((datasets == null || datasets.isEmpty()) == (schema == null)) {
                throw usage("give the datasets with --datasets 1,2,… or a schema with --schema SPEC|HASH (one of them)");
            }
            int purposeIndex = MarketCli.purpose(this, "--purpose", purpose);
            long eps = MarketCli.epsilon(this, "--epsilon", epsilon);
            if (sql.getBytes(StandardCharsets.UTF_8).length > DataMarketCall.MAX_SQL) {
                throw usage("--sql: at most " + DataMarketCall.MAX_SQL + " bytes");
            }
            if (consentBlocks < 0 || consentBlocks > DataMarket.MAX_CONSENT_BLOCKS) {
                throw usage("--consent-blocks: 0.." + DataMarket.MAX_CONSENT_BLOCKS);
            }
            Optional<MarketCli.SchemaRef> ref = schema == null ? Optional.empty() : Optional.of(MarketCli.schemaRef(this, "--schema", schema));
            if (ref.isPresent() && ref.get().schema().isPresent() && refused(ref.get().schema().get())) {
                return 1; // checked before the node is even asked
            }
            CloisterClient node = client();
            // The schema the SQL is checked against, and the datasets the budget must cover.
            Schema checkSchema;
            Hash schemaHash = Hash.ZERO;
            List<DatasetInfo> chosen = new ArrayList<>();
            if (ref.isEmpty()) {
                for (long id : datasets) {
                    DatasetInfo d = MarketCli.dataset(node, Long.toString(id), Optional.empty());
                    if (!chosen.isEmpty() && !d.schemaHash().equals(chosen.get(0).schemaHash())) {
                        throw new CloisterApiException("INVALID_ARGUMENT", "datasets " + chosen.get(0).id() + " and " + d.id()
                                + " have different schemas: a job analyses datasets of one schema");
                    }
                    chosen.add(d);
                }
                checkSchema = chosen.get(0).schema().orElseThrow(() -> new CloisterApiException("BAD_SCHEMA", "dataset " + chosen.get(0).id()
                        + " was registered without a canonical schema: no query can run on it"));
            } else {
                Hash h = ref.get().hash();
                schemaHash = h;
                chosen.addAll(MarketCli.eligible(node, h, DataMarketCall.PURPOSES.get(purposeIndex), eps));
                Optional<Schema> known = ref.get().schema().or(() -> node.datasets(DatasetQuery.all().schema(h)).stream()
                        .flatMap(d -> d.schema().stream()).findFirst());
                checkSchema = known.orElseThrow(() -> new CloisterApiException("NOT_LISTED", "no dataset has the schema " + h.hex()));
            }
            if (refused(checkSchema)) {
                return 1;
            }
            long price = DataMarket.JOB_FEE;
            for (DatasetInfo d : chosen) {
                price += d.listing().map(DatasetInfo.Listing::listPrice).orElse(0L);
            }
            long budgetUnits = budget != null ? MarketCli.amount(this, "--budget", budget) : price;
            SigningKey key = buyer();
            byte[] resultKey = ResultSeal.buyerKey(key).publicKey().bytes();
            DataMarketCall.SubmitJob call = new DataMarketCall.SubmitJob(purposeIndex, sql,
                    datasets == null ? List.of() : datasets, schemaHash, eps, budgetUnits, consentBlocks, resultKey);
            IncludedTx tx = MarketCli.send(this, node, key, call);
            if (tx == null) {
                return 1;
            }
            long id = MarketCli.eventNumber(node, tx, "JobSubmitted", "job");
            JobInfo j = MarketCli.job(node, id);
            if (await) {
                return Result.show(this, node, key, waitForEnd(node, id, timeout));
            }
            if (global.json) {
                printJson(MarketCli.json(j).put("block", tx.status().height()));
                return 0;
            }
            long pending = j.datasets().stream().filter(e -> e.state().equals("pending")).count();
            table(new String[][] {
                {"job", id + " submitted at block " + tx.status().height()},
                {"state", j.stateText() + (j.reason().isEmpty() ? "" : ": " + j.reason())},
                {"datasets", j.datasets().size() + " (" + (j.datasets().size() - pending) + " consented"
                    + (pending > 0 ? ", " + pending + " waiting for their owner until block " + j.consentDeadline() : "") + ")"},
                {"budget", MarketCli.clo(j.budget()) + " escrowed (what is not paid out is refunded)"},
                {"next", "./cloister job status " + id + "   then   ./cloister job result " + id + " --as " + as},
            });
            return 0;
        }

        /** Prints the refusal and returns true if the market would refuse the SQL over {@code schema}, exactly as the enclave checks it. */
        private boolean refused(Schema schema) {
            if (GuardedSql.check(sql, schema) instanceof QueryCheck.Refused r) {
                ctx.err().println("error: " + r.reason().code() + ": " + r.message() + " (nothing was submitted)");
                return true;
            }
            return false;
        }
    }

    /** Polls until job {@code id} ended, at most {@code seconds}; the last state seen. */
    static JobInfo waitForEnd(CloisterClient node, long id, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        JobInfo j = MarketCli.job(node, id);
        while (!j.ended() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            j = MarketCli.job(node, id);
        }
        return j;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "A job's state: its datasets and their consent, the assigned worker (and its TEE platform), ε, payments,"
                + " the result hash or why it failed.")
    static final class Status extends CliCommand {
        @Parameters(paramLabel = "JOB", description = "The job's number.")
        long job;

        @Override
        public Integer call() {
            JobInfo j = MarketCli.job(client(), job);
            if (global.json) {
                printJson(MarketCli.json(j));
            } else {
                table(MarketCli.details(j));
            }
            return 0;
        }
    }

    @Command(name = "result", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Open a finished job's result: the sealed bytes are checked against the hash the chain recorded, opened"
                + " with your key (only the buyer's opens them) and printed: the released groups, and how many owners and rows"
                + " the job read, groups suppressed for having fewer than k owners, and the ε spent.")
    static final class Result extends BuyerCommand {
        @Parameters(paramLabel = "JOB", description = "The job's number.")
        long job;

        @Option(names = "--wait", description = "Wait until the job ends.")
        boolean await;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
        int timeout;

        @Override
        public Integer call() throws InterruptedException {
            CloisterClient node = client();
            JobInfo j = await ? waitForEnd(node, job, timeout) : MarketCli.job(node, job);
            return show(this, node, buyer(), j);
        }

        /** Verifies, opens and prints the result of {@code j}; or says why there is none. */
        static int show(CliCommand c, CloisterClient node, SigningKey key, JobInfo j) {
            ReleasedResult r;
            try {
                r = JobResults.open(j, key, node.genesisHash());
            } catch (CloisterApiException e) {
                c.ctx.err().println("error: " + e.code() + ": " + e.getMessage() + (e.code().equals("NO_RESULT") && !j.ended()
                        ? " (pass --wait to wait for it)" : j.state().equals(JobInfo.FAILED) || j.state().equals(JobInfo.CANCELLED)
                        ? " (" + MarketCli.clo(j.refund()) + " refunded)" : ""));
                return 1;
            }
            Hash recorded = j.resultHash().orElseThrow();
            if (c.global.json) {
                ObjectNode n = CliCommand.JSON.createObjectNode().put("job", j.id()).put("resultHash", recorded.hex());
                ArrayNode cols = n.putArray("columns");
                r.columns().forEach(cols::add);
                ArrayNode rows = n.putArray("rows");
                for (List<Object> row : r.rows()) {
                    ArrayNode a = rows.addArray();
                    for (Object v : row) {
                        switch (v) {
                            case null -> a.addNull();
                            case Long l -> a.add(l);
                            case Double d -> a.add(d);
                            default -> a.add(v.toString());
                        }
                    }
                }
                n.put("owners", r.owners()).put("rowsRead", r.rowsRead()).put("suppressedGroups", r.suppressedGroups())
                        .put("epsilon", MarketCli.eps(r.epsilonMicros()));
                c.printJson(n);
                return 0;
            }
            c.out().print(r.table());
            c.out().println();
            c.table(new String[][] {
                {"job", j.id() + " (" + j.purpose() + "), result hash " + recorded.shortHex() + " verified"},
                {"owners", Integer.toString(r.owners())},
                {"rows read", Long.toString(r.rowsRead())},
                {"suppressed", r.suppressedGroups() + " group" + (r.suppressedGroups() == 1 ? "" : "s") + " with fewer than k owners"},
                {"ε spent", MarketCli.eps(r.epsilonMicros())},
                {"paid", MarketCli.clo(j.paid()) + " (refunded " + MarketCli.clo(j.refund()) + ")"},
            });
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "The public audit log of jobs, newest first: buyer, purpose, SQL, datasets, owners, ε, state, payments.")
    static final class Ls extends CliCommand {
        @Option(names = "--buyer", paramLabel = "ACCOUNT", description = "Only this buyer's jobs (dev name, key name or address).")
        String buyer;

        @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: awaiting_consent, running, done, failed, cancelled.")
        String state;

        @Override
        public Integer call() {
            JobQuery q = JobQuery.all();
            if (buyer != null) {
                q = q.buyer(account("--buyer", buyer));
            }
            if (state != null) {
                String s = state.strip().toLowerCase(java.util.Locale.ROOT).replace('-', '_').replace(' ', '_');
                if (!JobInfo.STATES.contains(s)) {
                    throw usage("--state: one of " + String.join(", ", JobInfo.STATES));
                }
                q = q.state(s);
            }
            List<JobInfo> jobs = client().jobs(q);
            if (global.json) {
                ArrayNode a = JSON.createArrayNode();
                jobs.forEach(j -> a.add(MarketCli.json(j)));
                printJson(JSON.createObjectNode().set("jobs", a));
                return 0;
            }
            if (jobs.isEmpty()) {
                out().println("no jobs");
            }
            jobs.forEach(j -> out().println(MarketCli.line(j)));
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Withdraw your job while it awaits consent: the budget is refunded. A running job cannot be withdrawn.")
    static final class Cancel extends BuyerCommand {
        @Parameters(paramLabel = "JOB", description = "The job's number.")
        long job;

        @Override
        public Integer call() {
            SigningKey key = buyer();
            CloisterClient node = client();
            JobInfo j = MarketCli.job(node, job);
            if (!j.buyer().equals(key.account())) {
                throw new CloisterApiException("NOT_OWNER", "only the buyer " + j.buyer().address() + " may withdraw job " + job);
            }
            if (!j.state().equals(JobInfo.AWAITING_CONSENT)) {
                throw new CloisterApiException("WRONG_JOB_STATE", "job " + job + " is " + j.stateText() + ": only a job awaiting consent can be withdrawn");
            }
            IncludedTx tx = MarketCli.send(this, node, key, new DataMarketCall.CancelJob(job));
            if (tx == null) {
                return 1;
            }
            JobInfo now = MarketCli.job(node, job);
            out().println("job " + job + " withdrawn at block " + tx.status().height() + "; " + MarketCli.clo(now.refund()) + " refunded");
            return 0;
        }
    }
}
