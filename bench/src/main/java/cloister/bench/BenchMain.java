package cloister.bench;

import java.util.Arrays;

/** Entry point of {@code ./cloister bench NAME [options]}. */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "--help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (name) {
            case "transfer" -> TransferThroughput.main(rest);
            case "hpke" -> HpkeRate.main(rest);
            case "confidential" -> ConfidentialThroughput.main(rest);
            case "query" -> QueryLatency.main(rest);
            case "sync" -> SyncReplay.main(rest);
            case "wasm" -> WasmEngineRate.main(rest);
            case "counter" -> CounterThroughput.main(rest);
            case "storage" -> StorageIngest.main(rest);
            case "watchdog" -> WatchdogRate.main(rest);
            case "collect" -> CollectThroughput.main(rest);
            case "job" -> JobThroughput.main(rest);
            case "mining" -> MiningCost.main(rest);
            case "--help", "-h", "help" -> {
                System.out.println("Usage: ./cloister bench NAME [options]");
                System.out.println();
                System.out.println("Benchmarks (each prints its figure next to a reference measured in the same run):");
                System.out.println("  transfer   end-to-end signed transfers through the SDK and HTTP API into sealed blocks,");
                System.out.println("             against the single-core Ed25519 verify rate. Options: --transfers N --senders N");
                System.out.println("             --batch N --clients N --block-time MS (see ./cloister bench transfer --help)");
                System.out.println("  hpke       single-core X25519 agreement, HPKE seal/open of 256 bytes (X25519, HKDF-SHA256,");
                System.out.println("             AES-256-GCM) and AES-256-GCM alone, ours against BouncyCastle's in the same run,");
                System.out.println("             and HPKE against its X25519 floor. Options: --seconds S");
                System.out.println("  confidential  encrypted secret-notes commands through the SDK into a whole in-process network until every");
                System.out.println("             worker has decrypted and executed them, against 1 / (Ed25519 verify + X25519 + AES-GCM open)");
                System.out.println("             on 1 core. Options: --commands N --senders N --batch N --clients N --block-time MS --workers N");
                System.out.println("  query      encrypted, signed list-notes queries to one worker over HTTP loopback: p50/p90/p99/max and");
                System.out.println("             queries/s from 1 and N threads, bare round trip and full SDK call, against the same query in");
                System.out.println("             process without HTTP. Options: --queries N --sdk-queries N --warmup N --threads N --notes N");
                System.out.println("  sync       a fresh sim enclave replays a chain of sealed blocks (built through a real Chain on RocksDB,");
                System.out.println("             or synthesised) through the Sync ecall, in blocks/s, against Ed25519 seal verification of the");
                System.out.println("             same headers on 1 and all cores. Options: --blocks N --batch N --source auto|chain|synthetic");
                System.out.println("  wasm       iterated SHA-256 in a WebAssembly contract: Chicory interpreter vs compiler (metered),");
                System.out.println("             vs the host's sha256 import and the JDK. Options: --rounds N --seconds S");
                System.out.println("  counter    WebAssembly counter calls through the full confidential path (SDK → chain → every worker opens");
                System.out.println("             and runs each call → reports settled on chain), against 1 / (verify + workers × (HPKE open +");
                System.out.println("             metered call)) on 1 core. Options: --calls N --senders N --batch N --clients N --workers N");
                System.out.println("  storage    ingest (chunk + AES-256-GCM + CID + chunk store) and verified download of a file, 1 thread,");
                System.out.println("             against single-pass AES-256-GCM + SHA-256 in memory. Options: --mib N --rounds N --sync");
                System.out.println("  watchdog   the storage watchdog in a sim enclave, through the ecall boundary: chunks verified/s adding files");
                System.out.println("             and in sampling rounds, against plain SHA-256 of the same chunks on 1 core. Options: --size MiB");
                System.out.println("             --files N --seconds S");
                System.out.println("  collect    W3A collection, 1 thread: survey CSV → typed rows → record batches → encrypted storage chunks,");
                System.out.println("             in records/s and MB/s, against single-pass AES-256-GCM + SHA-256 over the same encoded bytes.");
                System.out.println("             Options: --records N --rounds N");
                System.out.println("  job        a W3A job end to end as the enclave runs it (unwrap escrowed keys, verify + decrypt + decode");
                System.out.println("             every owner's batch, guarded DuckDB analysis with caps, k and exact noise, seal the result),");
                System.out.println("             against plain DuckDB running the same SQL on the same plaintext in the same run.");
                System.out.println("             Options: --records N --owners N --rounds N --threads N --quick");
                System.out.println("  mining     the runtime cost of the mining economics per block with 10,000 computing workers (beginBlock with");
                System.out.println("             the computation and stakepool modules + the ~20 heartbeat transactions a block), against the");
                System.out.println("             same chain applying an empty block and the block interval (devnet 1 s, production 12 s).");
                System.out.println("             Options: --workers N --blocks N --warmup N --empty-blocks N --config production|devnet");
            }
            default -> {
                System.err.println("error: unknown benchmark '" + name + "'");
                System.err.println("Try './cloister bench --help'");
                System.exit(2);
            }
        }
    }
}
