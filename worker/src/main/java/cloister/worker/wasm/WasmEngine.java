package cloister.worker.wasm;

import cloister.chain.wasm.GasTable;
import cloister.chain.wasm.GasInstrumenter;
import cloister.chain.wasm.WasmModuleCheck;
import cloister.chain.wasm.WasmRefusal;
import cloister.common.Hash;
import cloister.common.ValidationResult;
import cloister.crypto.Sha256;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs calls of WebAssembly contracts with Chicory, metered deterministically. Independent of the chain: give it
 * the module's bytes, the entry, the input, the context and a snapshot of the contract's storage; get back a
 * {@link CallResult} whose effects the host applies if it is OK.
 *
 * <p>Each call gets a fresh instance (a contract's state lives in its storage, not in its memory). Modules are
 * checked, metered ({@link GasInstrumenter}) and, in {@link Mode#COMPILER} mode, compiled to JVM bytecode once per
 * code hash and cached. Calls run on the engine's own threads, whose stack is large enough that the metered call
 * depth limit is always reached first. A command is bounded by its gas only; a query also by
 * {@link Config#queryTimeout()}.
 *
 * <p>Thread-safe: calls may run concurrently (the host must not run a command concurrently with anything touching
 * the same contract's storage).
 */
public final class WasmEngine implements AutoCloseable {
    /** How Chicory runs the metered module. Gas is identical in both; only speed differs. */
    public enum Mode {
        /** Chicory's interpreter. */
        INTERPRETER,
        /** Chicory's runtime compiler (WebAssembly to JVM bytecode, then the JIT). */
        COMPILER
    }

    /**
     * The engine's settings. Every worker of a cluster must use the same {@code maxPages}, {@code maxModuleBytes}
     * and {@code gasTable}; {@code mode}, {@code queryTimeout}, {@code cacheSize} and {@code threadStackBytes} are
     * local.
     *
     * @param mode             interpreter or compiler
     * @param maxPages         memory cap in 64 KiB pages: on the declared initial size and on growth
     * @param maxModuleBytes   the largest module accepted
     * @param gasTable         the gas prices
     * @param queryTimeout     wall-time cap of a query
     * @param cacheSize        prepared modules kept, by code hash
     * @param threadStackBytes stack size of the threads calls run on
     */
    public record Config(Mode mode, int maxPages, int maxModuleBytes, GasTable gasTable, Duration queryTimeout,
            int cacheSize, long threadStackBytes) {
        public Config {
            Objects.requireNonNull(mode);
            Objects.requireNonNull(gasTable);
            if (maxPages < 1 || maxPages > 65_536) {
                throw new IllegalArgumentException("maxPages is between 1 and 65536, got " + maxPages);
            }
            if (maxModuleBytes < 8) {
                throw new IllegalArgumentException("maxModuleBytes is at least 8, got " + maxModuleBytes);
            }
            if (queryTimeout.isNegative() || queryTimeout.isZero()) {
                throw new IllegalArgumentException("queryTimeout is positive");
            }
            if (cacheSize < 1) {
                throw new IllegalArgumentException("cacheSize is at least 1");
            }
            if (threadStackBytes < (1 << 20)) {
                throw new IllegalArgumentException("threadStackBytes is at least 1 MiB");
            }
        }

        /** Compiler mode, 256 pages (16 MiB), 512 KiB modules, gas table V1, 2 s queries, 64 modules, 64 MiB stacks. */
        public static Config defaults() {
            return new Config(Mode.COMPILER, WasmModuleCheck.DEFAULT_MAX_PAGES, WasmModuleCheck.DEFAULT_MAX_BYTES,
                    GasTable.V1, Duration.ofSeconds(2), 64, 64L << 20);
        }

        public Config withMode(Mode m) {
            return new Config(m, maxPages, maxModuleBytes, gasTable, queryTimeout, cacheSize, threadStackBytes);
        }

        public Config withMaxPages(int p) {
            return new Config(mode, p, maxModuleBytes, gasTable, queryTimeout, cacheSize, threadStackBytes);
        }

        public Config withMaxModuleBytes(int b) {
            return new Config(mode, maxPages, b, gasTable, queryTimeout, cacheSize, threadStackBytes);
        }

        public Config withGasTable(GasTable t) {
            return new Config(mode, maxPages, maxModuleBytes, t, queryTimeout, cacheSize, threadStackBytes);
        }

        public Config withQueryTimeout(Duration d) {
            return new Config(mode, maxPages, maxModuleBytes, gasTable, d, cacheSize, threadStackBytes);
        }

        public Config withCacheSize(int n) {
            return new Config(mode, maxPages, maxModuleBytes, gasTable, queryTimeout, n, threadStackBytes);
        }

        public Config withThreadStackBytes(long b) {
            return new Config(mode, maxPages, maxModuleBytes, gasTable, queryTimeout, cacheSize, b);
        }
    }

    /** A module ready to run: checked, metered, parsed and (compiler mode) compiled. */
    private record Prepared(WasmModuleCheck.Outcome outcome, Function<Instance, Machine> machines) {}

    /** How long to wait for a cancelled query to notice; it checks at every metered segment, so this is generous. */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(10);

    private final Config config;
    private final Map<Hash, Prepared> cache;
    private final ThreadPoolExecutor threads;

    public WasmEngine(Config config) {
        this.config = Objects.requireNonNull(config);
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash, Prepared> eldest) {
                return size() > config.cacheSize();
            }
        };
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(null, r, "wasm-contract-" + n.incrementAndGet(), config.threadStackBytes());
                    t.setDaemon(true);
                    return t;
                });
    }

    public Config config() {
        return config;
    }

    /** {@link WasmModuleCheck#check} with this engine's caps; cached by code hash like execution. */
    public ValidationResult<WasmRefusal> check(byte[] wasm) {
        return prepare(wasm).outcome instanceof WasmModuleCheck.Refused r ? r.result() : ValidationResult.valid();
    }

    /**
     * Runs one call.
     *
     * @param wasm     the contract module, as uploaded
     * @param entry    which export to run
     * @param input    the call's input bytes ({@code input_len}/{@code input_read})
     * @param context  caller, contract id and block
     * @param storage  the contract's storage before the call; only read
     * @param gasLimit the most gas the call may use, non-negative
     */
    public CallResult execute(byte[] wasm, Entry entry, byte[] input, CallContext context, ContractStorage storage,
            long gasLimit) {
        Objects.requireNonNull(entry);
        Objects.requireNonNull(context);
        Objects.requireNonNull(storage);
        if (gasLimit < 0) {
            throw new IllegalArgumentException("the gas limit is non-negative");
        }
        Prepared prepared = prepare(wasm);
        if (prepared.outcome instanceof WasmModuleCheck.Refused r) {
            return CallResult.failed(CallResult.Status.INVALID_MODULE, 0, r.result().toString());
        }
        WasmModuleCheck.Accepted module = (WasmModuleCheck.Accepted) prepared.outcome;
        if (entry == Entry.INIT && !module.hasInit()) {
            return new ContractCall(entry, input, context, storage, config.gasTable(), new GasMeter(0)).ok(0);
        }
        GasTable gas = config.gasTable();
        long entryCost = gas.entry() + module.memory().initialPages() * gas.memoryPage() + gas.bytes(input.length);
        if (gasLimit < entryCost) {
            return CallResult.failed(CallResult.Status.OUT_OF_GAS, gasLimit, "out of gas: the call's entry costs "
                    + entryCost);
        }
        GasMeter meter = new GasMeter(gasLimit - entryCost);
        ContractCall call = new ContractCall(entry, input.clone(), context, storage, gas, meter);
        Future<CallResult> running = threads.submit(() -> run(module, prepared.machines, entry, call, gasLimit));
        try {
            if (entry != Entry.QUERY) {
                return running.get();
            }
            try {
                return running.get(config.queryTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                meter.cancel();
                try {
                    return running.get(CANCEL_GRACE.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException stuck) {
                    running.cancel(true);
                    return CallResult.failed(CallResult.Status.TIMEOUT, gasLimit - meter.left(), timeoutMessage());
                }
            }
        } catch (InterruptedException e) {
            meter.cancel();
            Thread.currentThread().interrupt();
            return CallResult.failed(CallResult.Status.TIMEOUT, gasLimit - meter.left(), "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("contract execution failed unexpectedly", e.getCause());
        }
    }

    private String timeoutMessage() {
        return "the query ran longer than " + config.queryTimeout().toMillis() + " ms";
    }

    private CallResult run(WasmModuleCheck.Accepted module, Function<Instance, Machine> machines, Entry entry,
            ContractCall call, long gasLimit) {
        GasInstrumenter.Metered metered = module.metered();
        GasMeter meter = call.meter;
        Instance instance = null;
        try {
            int[] created = {0};
            MemoryLimits declared = module.memory();
            Instance.Builder builder = Instance.builder(module.module())
                    .withImportValues(call.imports())
                    .withMemoryLimits(new MemoryLimits(declared.initialPages(),
                            Math.min(declared.maximumPages(), config.maxPages())))
                    .withMemoryFactory(ByteArrayMemory::new)
                    .withGlobalFactory((low, high, type, mutability) -> created[0]++ == metered.gasGlobal()
                            ? meter : new GlobalInstance(low, high, type, mutability))
                    .withStart(false);
            if (machines != null) {
                builder.withMachineFactory(machines);
            }
            instance = builder.build();
            if (instance.global(metered.gasGlobal()) != meter) {
                throw new IllegalStateException("the gas global is not the meter");
            }
            var start = module.module().startSection();
            if (start.isPresent()) {
                instance.getMachine().call((int) start.get().startIndex(), new long[0]);
            }
            instance.export(entry.export().exportName()).apply();
            return call.ok(gasLimit - meter.left());
        } catch (RuntimeException | StackOverflowError e) {
            return failure(e, instance, metered, meter, gasLimit);
        }
    }

    private CallResult failure(Throwable e, Instance instance, GasInstrumenter.Metered metered, GasMeter meter,
            long gasLimit) {
        long used = gasLimit - meter.left();
        HostStop stop = find(e, HostStop.class);
        if (stop != null) {
            return switch (stop.kind) {
                case REVERT -> CallResult.failed(CallResult.Status.REVERTED, used, stop.getMessage());
                case OUT_OF_GAS -> CallResult.failed(CallResult.Status.OUT_OF_GAS, gasLimit, "out of gas");
                case TRAP -> CallResult.failed(CallResult.Status.TRAP, used, stop.getMessage());
                case CANCELLED -> CallResult.failed(CallResult.Status.TIMEOUT, used, timeoutMessage());
            };
        }
        if (meter.exhausted()) {
            return CallResult.failed(CallResult.Status.OUT_OF_GAS, gasLimit, "out of gas");
        }
        if (meter.cancelled()) {
            return CallResult.failed(CallResult.Status.TIMEOUT, used, timeoutMessage());
        }
        if (instance != null && (int) instance.global(metered.depthGlobal()).getValue() == -1) {
            return CallResult.failed(CallResult.Status.TRAP, used, "call stack exhausted (more than "
                    + config.gasTable().callStackLimit() + " frame units)");
        }
        String trap = find(e, StackOverflowError.class) != null ? "call stack exhausted (JVM stack)" : describe(e);
        if (instance != null && instance.global(metered.growFailedGlobal()).getValue() != 0) {
            return CallResult.failed(CallResult.Status.MEMORY_LIMIT, used, "memory.grow failed at the cap of "
                    + instance.memory().maximumPages() + " pages, then: " + trap);
        }
        return CallResult.failed(CallResult.Status.TRAP, used, trap);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * The trap's message, the same under the interpreter and the compiler: Chicory words some traps differently
     * per mode and appends details (addresses) after a colon, so known traps get a fixed wording and others keep
     * only their first clause.
     */
    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return "trap: " + e.getClass().getSimpleName();
        }
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        for (String known : KNOWN_TRAPS) {
            if (lower.contains(known)) {
                return "trap: " + known;
            }
        }
        int colon = m.indexOf(':');
        return "trap: " + (colon > 0 ? m.substring(0, colon) : m);
    }

    private static final java.util.List<String> KNOWN_TRAPS = java.util.List.of("unreachable",
            "integer divide by zero", "integer overflow", "out of bounds memory access", "out of bounds table access",
            "undefined element", "uninitialized element", "indirect call type mismatch", "call stack exhausted",
            "invalid conversion to integer");

    private Prepared prepare(byte[] wasm) {
        Hash codeHash = Sha256.hash(wasm);
        synchronized (cache) {
            Prepared p = cache.get(codeHash);
            if (p != null) {
                return p;
            }
        }
        WasmModuleCheck.Outcome outcome = WasmModuleCheck.inspect(wasm, config.maxModuleBytes(), config.maxPages(),
                config.gasTable());
        Function<Instance, Machine> machines = null;
        if (outcome instanceof WasmModuleCheck.Accepted a && config.mode() == Mode.COMPILER) {
            try {
                machines = MachineFactoryCompiler.builder(a.module())
                        .withInterpreterFallback(InterpreterFallback.SILENT)
                        .compile();
            } catch (RuntimeException e) {
                // Chicory's compiler fails on a few valid modules (seen: unreachable code after br_table). The
                // interpreter runs the same metered module to the same result, only slower.
                machines = null;
            }
        }
        Prepared p = new Prepared(outcome, machines);
        synchronized (cache) {
            cache.putIfAbsent(codeHash, p);
        }
        return p;
    }

    /** Stops the engine's threads (running calls finish first). */
    @Override
    public void close() {
        threads.shutdown();
    }
}
