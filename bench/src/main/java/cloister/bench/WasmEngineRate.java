package cloister.bench;

import cloister.worker.wasm.CallContext;
import cloister.worker.wasm.CallResult;
import cloister.worker.wasm.ContractStorage;
import cloister.worker.wasm.Entry;
import cloister.worker.wasm.ExampleContract;
import cloister.worker.wasm.WasmEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The WebAssembly engine on a compute-heavy contract: iterated SHA-256 written in WebAssembly
 * ({@code hashloop.wat}, op 1), run by Chicory's interpreter and by its compiler (both gas-metered, as contracts
 * always are), against the same contract calling the host's {@code sha256} import (op 2) and against plain JDK
 * SHA-256 on this core. Each call is a read-only query (no state) of {@code rounds} hashes of a 32-byte digest;
 * every result is checked against the JDK's.
 */
final class WasmEngineRate {
    private WasmEngineRate() {}

    public static void main(String[] args) throws Exception {
        int rounds = 200;
        double seconds = 2.0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help" -> {
                    System.out.println("Usage: ./cloister bench wasm [--rounds N (200)] [--seconds S (2)]");
                    System.out.println("Iterated SHA-256 in a WebAssembly contract: Chicory interpreter vs compiler (both metered),");
                    System.out.println("vs the contract calling the host's sha256, vs the JDK's SHA-256; one thread each.");
                    return;
                }
                case "--rounds" -> rounds = positive(args, ++i, "--rounds");
                case "--seconds" -> seconds = positive(args, ++i, "--seconds");
                default -> {
                    System.err.println("error: unknown option '" + args[i] + "'");
                    System.err.println("Try './cloister bench wasm --help'");
                    System.exit(2);
                }
            }
        }
        Bench.quietLogs();
        int r = rounds;
        double s = seconds;
        Bench.run("wasm", () -> run(r, s));
    }

    private static int positive(String[] args, int i, String what) {
        try {
            int v = Integer.parseInt(args[i]);
            if (v >= 1) {
                return v;
            }
        } catch (RuntimeException e) {
            // fall through
        }
        System.err.println("error: " + what + " needs a positive number");
        System.exit(2);
        return 0;
    }

    private record Rate(double hashesPerSecond, long gasPerCall) {}

    private static void run(int rounds, double seconds) throws Exception {
        byte[] wasm = ExampleContract.HASH_LOOP.wasm();
        byte[] data = new byte[32];
        Arrays.fill(data, (byte) 7);
        byte[] expected = data;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < rounds; i++) {
            expected = sha.digest(expected);
        }
        System.out.printf("wasm engine: SHA-256 iterated %d times per call, %.1f s per measurement, 1 thread%n", rounds, seconds);
        WasmEngine interpreter = new WasmEngine(WasmEngine.Config.defaults().withMode(WasmEngine.Mode.INTERPRETER));
        WasmEngine compiler = new WasmEngine(WasmEngine.Config.defaults().withMode(WasmEngine.Mode.COMPILER));
        Rate interp = measure(interpreter, wasm, 1, rounds, data, expected, seconds);
        Rate comp = measure(compiler, wasm, 1, rounds, data, expected, seconds);
        Rate hostInterp = measure(interpreter, wasm, 2, rounds, data, expected, seconds);
        Rate hostComp = measure(compiler, wasm, 2, rounds, data, expected, seconds);
        double jdk = jdkRate(data, seconds);
        System.out.println();
        System.out.println("| SHA-256 of 32 bytes, 1 thread | hashes/s | µs/hash | gas/call | ÷ JDK |");
        System.out.println("|---|---:|---:|---:|---:|");
        row("in WebAssembly, Chicory interpreter (metered)", interp, jdk);
        row("in WebAssembly, Chicory compiler (metered)", comp, jdk);
        row("host sha256 import, interpreter", hostInterp, jdk);
        row("host sha256 import, compiler", hostComp, jdk);
        System.out.printf("| reference: JDK MessageDigest SHA-256 | %,.0f | %.3f | | 1.00 |%n", jdk, 1e6 / jdk);
        System.out.println();
        System.out.println("| ratio | value |");
        System.out.println("|---|---|");
        Bench.row("compiler ÷ interpreter (Wasm SHA-256)", Bench.f("%.1f×", comp.hashesPerSecond() / interp.hashesPerSecond()));
        Bench.row("Wasm SHA-256 compiled ÷ host sha256 import (compiler)", Bench.f("%.2f", comp.hashesPerSecond() / hostComp.hashesPerSecond()));
        Bench.row("gas: interpreter = compiler (metering is mode-independent)", interp.gasPerCall() == comp.gasPerCall() ? "yes" : "NO");
        if (interp.gasPerCall() != comp.gasPerCall()) {
            throw new Bench.Failure("gas differs between modes: " + interp.gasPerCall() + " vs " + comp.gasPerCall());
        }
    }

    private static void row(String name, Rate r, double jdk) {
        System.out.printf("| %s | %,.0f | %.3f | %,d | %.3f |%n", name, r.hashesPerSecond(), 1e6 / r.hashesPerSecond(), r.gasPerCall(),
                r.hashesPerSecond() / jdk);
    }

    private static Rate measure(WasmEngine engine, byte[] wasm, int op, int rounds, byte[] data, byte[] expected, double seconds) {
        byte[] input = ByteBuffer.allocate(5 + data.length).order(ByteOrder.LITTLE_ENDIAN).put((byte) op).putInt(rounds).put(data).array();
        CallContext ctx = new CallContext(new byte[32], new byte[32], 1, 0);
        ContractStorage storage = new ContractStorage();
        long gas = 0;
        // Warm-up: JIT of the interpreter, the compiled module, the instrumenter's cache.
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmEnd) {
            gas = check(engine.execute(wasm, Entry.QUERY, input, ctx, storage, 1_000_000_000L), expected);
        }
        long calls = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            check(engine.execute(wasm, Entry.QUERY, input, ctx, storage, 1_000_000_000L), expected);
            calls++;
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new Rate(calls * rounds / elapsed, gas);
    }

    private static long check(CallResult r, byte[] expected) {
        if (!r.ok() || !Arrays.equals(r.output(), expected)) {
            throw new Bench.Failure("the contract's digest is wrong: " + r);
        }
        return r.gasUsed();
    }

    private static double jdkRate(byte[] data, double seconds) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] d = data;
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmEnd) {
            d = sha.digest(d);
        }
        long n = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                d = sha.digest(d);
            }
            n += 1000;
        }
        if (d.length != 32) {
            throw new IllegalStateException();
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
