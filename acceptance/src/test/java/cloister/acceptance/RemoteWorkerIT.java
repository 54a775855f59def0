package cloister.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import cloister.proto.ContractId;
import cloister.proto.GovernanceCall;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import cloister.proto.envelope.SecretNotesMessages;
import cloister.sdk.CloisterClient;
import cloister.sdk.ContractInfo;
import cloister.sdk.RegisteredWorker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cloister worker start} as its own process against a devnet's URL: it registers with its sim quote, syncs
 * over HTTP, joins a cluster by governance, receives the contract key from the devnet's gatekeeper, executes a
 * note command and answers the owner's query; killed and restarted, it is the same worker.
 */
class RemoteWorkerIT {
    @TempDir
    Path tmp;

    @Test
    void aWorkerProcessJoinsTheNetworkOverHttp() throws Exception {
        Path dataDir = tmp.resolve("devnet");
        try (Devnet devnet = Devnet.start(dataDir, Devnet.freePort(), tmp.resolve("devnet.log"), "--instant-seal", "--workers", "0", "--providers", "0")) {
            CloisterClient client = devnet.client();
            await("the devnet's gatekeeper and its master key", () -> client.workers().size() == 1
                    && client.workers().get(0).gatekeeper() && masterKeys(devnet) > 0);
            Path workerLog = tmp.resolve("worker.log");
            Process worker = startWorker(devnet, dataDir, workerLog);
            try {
                await("the worker's registration", () -> client.workers().size() == 2);
                RegisteredWorker w = client.workers().stream().filter(x -> !x.gatekeeper()).findFirst().orElseThrow();
                assertEquals("sim", w.platform());
                assertTrue(Files.readString(workerLog).contains("NO hardware protection"), "the worker says sim gives no protection");
                sudo(client, new GovernanceCall.CreateCluster(List.of(w.id())));
                sudo(client, new GovernanceCall.DeploySystemContract(SecretNotesMessages.KIND, 0));
                ContractId notes = ContractId.system(SecretNotesMessages.KIND, 0);
                await("the contract key", () -> client.contract(notes).publicKey().isPresent());
                await("the worker's endpoint", () -> client.worker(w.id()).endpoint().isPresent());

                Devnet.Result add = Devnet.run("notes", "add", "--as", "alice", "remote worker note", "--node", devnet.url());
                assertEquals(0, add.exit(), add.out() + add.err() + "\n" + Files.readString(workerLog));
                assertTrue(add.out().contains(w.id().hex().substring(0, 16)), "executed by the remote worker: " + add.out());
                Devnet.Result list = Devnet.run("notes", "list", "--as", "alice", "--node", devnet.url());
                assertTrue(list.out().contains("remote worker note"), list.out() + list.err());
                Devnet.Result status = Devnet.run("worker", "status", "--node", devnet.url());
                assertEquals(0, status.exit(), status.err());
                assertTrue(status.out().contains(w.id().hex()) && status.out().contains("synced #"), status.out());

                // Killed and restarted: the same identity (its keys unseal), no second registration, its notes still there.
                worker.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                worker = startWorker(devnet, dataDir, workerLog);
                Process restarted = worker;
                await("the restarted worker serving again", () -> restarted.isAlive() && logCount(workerLog, "serves queries") >= 2);
                assertEquals(2, client.workers().size());
                Devnet.Result again = Devnet.run("notes", "list", "--as", "alice", "--node", devnet.url());
                assertTrue(again.out().contains("remote worker note"), again.out() + again.err());
                ContractInfo c = client.contract(notes);
                assertEquals(List.of(w.id()), c.workers());
            } finally {
                worker.destroy();
                if (!worker.waitFor(20, TimeUnit.SECONDS)) {
                    worker.destroyForcibly();
                }
            }
        }
    }

    private static Process startWorker(Devnet devnet, Path devnetDir, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Devnet.ROOT.resolve("cloister").toString(), "worker", "start", "--operator", "charlie",
                "--sim-dir", devnetDir.resolve("sim-tee").toString(), "--data-dir", devnetDir.getParent().resolve("remote-worker").toString(),
                "--node", devnet.url()).directory(Devnet.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CLOISTER_NO_BUILD", "1");
        return pb.start();
    }

    private static int logCount(Path log, String what) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).split(java.util.regex.Pattern.quote(what), -1).length - 1;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static void sudo(CloisterClient client, GovernanceCall call) {
        SigningKey alice = DevKeys.get("alice");
        Transaction tx = Transaction.sign(client.genesisHash(), alice, client.nextNonce(alice.account()), client.chainInfo().minimumFee(),
                new SudoCall.Sudo(call));
        assertTrue(client.waitForInclusion(client.submit(tx), Duration.ofSeconds(30)).success(), call.name());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** How many master key epochs {@code GET /v1/registry} lists. */
    private static int masterKeys(Devnet devnet) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(devnet.url() + "/v1/registry")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("masterKeys").size();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
