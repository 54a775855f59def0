package cloister.chain.wasm;

import cloister.chain.wasm.WasmBytes.MalformedModule;
import cloister.chain.wasm.WasmBytes.Reader;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a contract module so that it meters itself, the way wasm gas injectors do (Parity's pwasm-utils /
 * wasm-instrument), before Chicory sees it. Because the metering is ordinary WebAssembly, it is identical under
 * Chicory's interpreter and its compiler, on every JVM and machine.
 *
 * <ul>
 *   <li><b>Gas.</b> Three mutable globals are appended (no existing index moves): {@code $gas} (i64, gas left),
 *       {@code $depth} (i32, call-stack units in use) and {@code $growFailed} (i32). Every function body is cut into
 *       straight-line segments — a segment starts at the function's entry and after every {@code block loop if
 *       else end br br_if br_table return unreachable call call_indirect} — and each segment starts with code that
 *       subtracts the sum of its instructions' {@link GasTable#price prices} from {@code $gas} and traps if that
 *       leaves it negative ({@code $gas} is never negative otherwise). Out of gas sets {@code $gas} to -1 before
 *       the trap, which is how the engine tells it from a contract's own {@code unreachable}.</li>
 *   <li><b>Operand-sized work.</b> {@code memory.grow}, {@code memory.fill/copy/init} and {@code table.grow/fill/
 *       copy/init} additionally pay for their count operand (pages, bytes, elements) right before they run. A
 *       failed {@code memory.grow} sets {@code $growFailed}. Two scratch locals (i32, i64) are appended to every
 *       function for the metering code.</li>
 *   <li><b>Call depth.</b> Each call to a module function adds the callee's frame units ({@link #frameUnits}) to
 *       {@code $depth} and traps (setting it to -1) past {@link GasTable#callStackLimit}; the return subtracts them.
 *       So recursion ends at the same depth everywhere, long before the JVM's own stack, whose size varies.</li>
 * </ul>
 *
 * <p>The module must already be valid (Chicory's validator): this pass only decodes what it must. Features it does
 * not know are refused with {@link Unsupported}, never passed through unmetered.
 */
public final class GasInstrumenter {
    private GasInstrumenter() {}

    /** The module uses a feature the metering does not cover. */
    public static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    /** The instrumented module and where its metering globals are. */
    public record Metered(byte[] wasm, int gasGlobal, int depthGlobal, int growFailedGlobal) {}

    /** Fixed frame units of every call, for the JVM frames the interpreter or compiled code uses per call. */
    public static final int FRAME_BASE_UNITS = 64;

    private static final int SECTION_CUSTOM = 0;
    private static final int SECTION_TYPE = 1;
    private static final int SECTION_IMPORT = 2;
    private static final int SECTION_FUNCTION = 3;
    private static final int SECTION_MEMORY = 5;
    private static final int SECTION_GLOBAL = 6;
    private static final int SECTION_CODE = 10;
    private static final int SECTION_TAG = 13;

    private record Section(int id, int start, int end) {}

    private record FuncType(int params, String signature) {}

    private record Instr(int op, int sub, int start, int end, int index) {}

    public static Metered instrument(byte[] wasm, GasTable table) throws Unsupported, MalformedModule {
        if (wasm.length < 8 || wasm[0] != 0 || wasm[1] != 'a' || wasm[2] != 's' || wasm[3] != 'm'
                || wasm[4] != 1 || wasm[5] != 0 || wasm[6] != 0 || wasm[7] != 0) {
            throw new MalformedModule("not a WebAssembly 1.0 binary");
        }
        List<Section> sections = new ArrayList<>();
        Reader r = new Reader(wasm, 8, wasm.length);
        while (r.more()) {
            int id = r.u8();
            int size = r.u32();
            int start = r.pos;
            r.skip(size);
            sections.add(new Section(id, start, r.pos));
        }

        List<FuncType> types = new ArrayList<>();
        List<Integer> functionTypes = new ArrayList<>();
        int importedFunctions = 0;
        int definedGlobals = 0;
        for (Section s : sections) {
            Reader sr = new Reader(wasm, s.start, s.end);
            switch (s.id) {
                case SECTION_TYPE -> {
                    int n = sr.u32();
                    for (int i = 0; i < n; i++) {
                        types.add(readFuncType(sr));
                    }
                }
                case SECTION_IMPORT -> {
                    int n = sr.u32();
                    for (int i = 0; i < n; i++) {
                        sr.skip(sr.u32());
                        sr.skip(sr.u32());
                        int kind = sr.u8();
                        if (kind != 0) {
                            throw new Unsupported("only functions may be imported");
                        }
                        sr.u32();
                        importedFunctions++;
                    }
                }
                case SECTION_FUNCTION -> {
                    int n = sr.u32();
                    for (int i = 0; i < n; i++) {
                        functionTypes.add(sr.u32());
                    }
                }
                case SECTION_MEMORY -> {
                    int n = sr.u32();
                    for (int i = 0; i < n; i++) {
                        int flags = sr.u8();
                        if (flags > 1) {
                            throw new Unsupported("shared or 64-bit memory");
                        }
                        sr.u32();
                        if (flags == 1) {
                            sr.u32();
                        }
                    }
                    if (n > 1) {
                        throw new Unsupported("multiple memories");
                    }
                }
                case SECTION_GLOBAL -> definedGlobals = sr.u32();
                case SECTION_TAG -> throw new Unsupported("exception handling (tag section)");
                default -> {}
            }
        }
        for (int t : functionTypes) {
            if (t < 0 || t >= types.size()) {
                throw new MalformedModule("function type index out of range");
            }
        }

        // First pass over the code: decode every body, measure its frame units.
        Section code = sections.stream().filter(s -> s.id == SECTION_CODE).findFirst().orElse(null);
        List<int[]> bodies = new ArrayList<>(); // {localsStart, localsEnd (= expr start), bodyEnd, totalLocals}
        List<List<Instr>> decoded = new ArrayList<>();
        if (code != null) {
            Reader cr = new Reader(wasm, code.start, code.end);
            int n = cr.u32();
            if (n != functionTypes.size()) {
                throw new MalformedModule("code and function sections disagree");
            }
            for (int i = 0; i < n; i++) {
                int size = cr.u32();
                int bodyStart = cr.pos;
                cr.skip(size);
                Reader br = new Reader(wasm, bodyStart, cr.pos);
                int groups = br.u32();
                long locals = 0;
                for (int g = 0; g < groups; g++) {
                    locals += br.u32() & 0xFFFF_FFFFL;
                    valueType(br.u8());
                }
                if (locals > 1_000_000) {
                    throw new MalformedModule("too many locals");
                }
                bodies.add(new int[] {bodyStart, br.pos, cr.pos, (int) locals});
                decoded.add(decode(br));
            }
        }
        int defined = functionTypes.size();
        int[] units = new int[defined];
        Map<String, Integer> indirectUnits = new HashMap<>();
        for (int i = 0; i < defined; i++) {
            int[] b = bodies.get(i);
            FuncType t = types.get(functionTypes.get(i));
            long u = frameUnits(t.params, b[3], b[2] - b[0]);
            units[i] = (int) Math.min(u, Integer.MAX_VALUE / 4);
            indirectUnits.merge(t.signature, units[i], Math::max);
        }

        int gasGlobal = definedGlobals;
        int depthGlobal = definedGlobals + 1;
        int growGlobal = definedGlobals + 2;
        Emitter e = new Emitter(table, gasGlobal, depthGlobal, growGlobal);

        ByteArrayOutputStream out = new ByteArrayOutputStream(wasm.length * 2);
        out.write(wasm, 0, 8);
        boolean globalsWritten = false;
        for (Section s : sections) {
            if (!globalsWritten && s.id != SECTION_CUSTOM && order(s.id) > order(SECTION_GLOBAL)) {
                writeSection(out, SECTION_GLOBAL, globalSection(wasm, null));
                globalsWritten = true;
            }
            switch (s.id) {
                case SECTION_GLOBAL -> {
                    writeSection(out, SECTION_GLOBAL, globalSection(wasm, s));
                    globalsWritten = true;
                }
                case SECTION_CODE -> {
                    ByteArrayOutputStream c = new ByteArrayOutputStream((s.end - s.start) * 2);
                    WasmBytes.u32(c, defined);
                    for (int i = 0; i < defined; i++) {
                        FuncType t = types.get(functionTypes.get(i));
                        byte[] body = e.body(wasm, bodies.get(i), t.params, decoded.get(i), importedFunctions,
                                units, types, indirectUnits);
                        WasmBytes.u32(c, body.length);
                        c.writeBytes(body);
                    }
                    writeSection(out, SECTION_CODE, c.toByteArray());
                }
                default -> {
                    out.write(s.id);
                    WasmBytes.u32(out, s.end - s.start);
                    out.write(wasm, s.start, s.end - s.start);
                }
            }
        }
        if (!globalsWritten) {
            writeSection(out, SECTION_GLOBAL, globalSection(wasm, null));
        }
        return new Metered(out.toByteArray(), gasGlobal, depthGlobal, growGlobal);
    }

    /**
     * The call-stack units one activation of a function costs: a fixed part, its parameters and locals, and a
     * quarter of its code size (an upper bound on its operand stack, which compiled code keeps on the JVM stack).
     */
    public static long frameUnits(int params, long locals, long bodyBytes) {
        return FRAME_BASE_UNITS + params + locals + bodyBytes / 4;
    }

    private static int order(int sectionId) {
        // Section order of the binary format: tag (13) sits between memory and global, data count (12) before code.
        return switch (sectionId) {
            case 13 -> 55;
            case 12 -> 95;
            default -> sectionId * 10;
        };
    }

    private static void writeSection(ByteArrayOutputStream out, int id, byte[] payload) {
        out.write(id);
        WasmBytes.u32(out, payload.length);
        out.writeBytes(payload);
    }

    private static byte[] globalSection(byte[] wasm, Section existing) throws MalformedModule {
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        int count = 0;
        int rest = 0;
        int restEnd = 0;
        if (existing != null) {
            Reader r = new Reader(wasm, existing.start, existing.end);
            count = r.u32();
            rest = r.pos;
            restEnd = existing.end;
        }
        WasmBytes.u32(g, count + 3);
        g.write(wasm, rest, restEnd - rest);
        g.writeBytes(new byte[] {0x7E, 0x01, 0x42, 0x00, 0x0B}); // $gas: mut i64 = 0 (the engine sets it)
        g.writeBytes(new byte[] {0x7F, 0x01, 0x41, 0x00, 0x0B}); // $depth: mut i32 = 0
        g.writeBytes(new byte[] {0x7F, 0x01, 0x41, 0x00, 0x0B}); // $growFailed: mut i32 = 0
        return g.toByteArray();
    }

    private static FuncType readFuncType(Reader r) throws Unsupported, MalformedModule {
        int form = r.u8();
        if (form != 0x60) {
            throw new Unsupported("type form 0x" + Integer.toHexString(form) + " (GC types)");
        }
        StringBuilder sig = new StringBuilder();
        int params = r.u32();
        for (int i = 0; i < params; i++) {
            sig.append((char) valueType(r.u8()));
        }
        sig.append('>');
        int results = r.u32();
        for (int i = 0; i < results; i++) {
            sig.append((char) valueType(r.u8()));
        }
        return new FuncType(params, sig.toString());
    }

    /** i32, i64, funcref, externref. Floats are refused: see {@link #FLOATS}. */
    private static boolean isValueType(int b) {
        return b == 0x7F || b == 0x7E || b == 0x70 || b == 0x6F;
    }

    /**
     * Why f32/f64 are refused: WebAssembly leaves NaN bit patterns nondeterministic, and Chicory computes floats
     * with the JVM, whose NaN payloads may differ between its interpreter, its compiler and processors. A program
     * that reads those bits (reinterpret, store and load as an integer) could then diverge between workers.
     * Substrate's contracts pallet and CosmWasm refuse floats for the same reason.
     */
    public static final String FLOATS = "floating point (f32/f64), whose NaN bit patterns are not deterministic";

    private static int valueType(int b) throws Unsupported {
        if (!isValueType(b)) {
            throw new Unsupported(switch (b) {
                case 0x7D, 0x7C -> FLOATS;
                case 0x7B -> "SIMD (v128)";
                default -> "value type 0x" + Integer.toHexString(b);
            });
        }
        return b;
    }

    private static boolean isFloatInstruction(int op) {
        return op == 0x2A || op == 0x2B || op == 0x38 || op == 0x39 || op == 0x43 || op == 0x44
                || (op >= 0x5B && op <= 0x66) || (op >= 0x8B && op <= 0xA6) || (op >= 0xA8 && op <= 0xAB)
                || (op >= 0xAE && op <= 0xBF);
    }

    private static boolean isBoundary(int op) {
        return switch (op) {
            case 0x00, 0x02, 0x03, 0x04, 0x05, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11 -> true;
            default -> false;
        };
    }

    /**
     * Decodes one function's instructions, checking that each is one the metering knows and that blocks nest (this
     * runs before Chicory's validator, some of whose checks are Java assertions).
     */
    private static List<Instr> decode(Reader r) throws Unsupported, MalformedModule {
        List<Instr> out = new ArrayList<>();
        // Open blocks: 'b' block/loop, 'i' if, 'e' if after its else; the function body itself is the first.
        StringBuilder open = new StringBuilder("b");
        while (r.more()) {
            if (open.isEmpty()) {
                throw new MalformedModule("instructions after the function's end");
            }
            int start = r.pos;
            int op = r.u8();
            switch (op) {
                case 0x02, 0x03 -> open.append('b');
                case 0x04 -> open.append('i');
                case 0x05 -> {
                    if (open.charAt(open.length() - 1) != 'i') {
                        throw new MalformedModule("else outside an if");
                    }
                    open.setCharAt(open.length() - 1, 'e');
                }
                case 0x0B -> open.setLength(open.length() - 1);
                default -> {}
            }
            int sub = 0;
            int index = 0;
            if (isFloatInstruction(op)) {
                throw new Unsupported(FLOATS);
            }
            switch (op) {
                case 0x00, 0x01, 0x05, 0x0B, 0x0F, 0x1A, 0x1B, 0xD1 -> {}
                case 0x02, 0x03, 0x04 -> {
                    int b = r.peek();
                    if (b == 0x40) {
                        r.u8();
                    } else if (b > 0x40 && b < 0x80) { // a one-byte negative s33: a value type
                        valueType(r.u8());
                    } else if (r.signed(33) < 0) {
                        throw new Unsupported("block type 0x" + Integer.toHexString(b));
                    }
                }
                case 0x0C, 0x0D, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2 -> r.u32();
                case 0x0E -> {
                    int n = r.u32();
                    for (long i = 0; i <= (n & 0xFFFF_FFFFL); i++) {
                        r.u32();
                    }
                }
                case 0x10 -> index = r.u32();
                case 0x11 -> {
                    index = r.u32();
                    r.u32();
                }
                case 0x1C -> {
                    int n = r.u32();
                    for (int i = 0; i < n; i++) {
                        valueType(r.u8());
                    }
                }
                case 0x3F, 0x40 -> memoryIndexZero(r);
                case 0x41 -> r.signed(32);
                case 0x42 -> r.signed(64);
                case 0xD0 -> valueType(r.u8());
                case 0xFC -> {
                    sub = r.u32();
                    switch (sub) {
                        case 0, 1, 2, 3, 4, 5, 6, 7 -> throw new Unsupported(FLOATS); // trunc_sat
                        case 8 -> {
                            r.u32();
                            memoryIndexZero(r);
                        }
                        case 9, 13, 15, 16, 17 -> r.u32();
                        case 10 -> {
                            memoryIndexZero(r);
                            memoryIndexZero(r);
                        }
                        case 11 -> memoryIndexZero(r);
                        case 12, 14 -> {
                            r.u32();
                            r.u32();
                        }
                        default -> throw new Unsupported("instruction 0xFC " + sub);
                    }
                }
                default -> {
                    if (op >= 0x28 && op <= 0x3E) {
                        int align = r.u32();
                        if ((align & 0x40) != 0) {
                            throw new Unsupported("multiple memories");
                        }
                        r.u32();
                    } else if (op >= 0x45 && op <= 0xC4) {
                        // numeric instructions: no immediates
                    } else {
                        throw new Unsupported(switch (op) {
                            case 0x06, 0x07, 0x08, 0x09, 0x0A, 0x18, 0x19, 0x1F -> "exception handling";
                            case 0x12, 0x13 -> "tail calls";
                            case 0xFD -> "SIMD";
                            case 0xFE -> "threads";
                            default -> "instruction 0x" + Integer.toHexString(op);
                        });
                    }
                }
            }
            out.add(new Instr(op, sub, start, r.pos, index));
        }
        if (!open.isEmpty()) {
            throw new MalformedModule("function body does not end with end");
        }
        return out;
    }

    private static void memoryIndexZero(Reader r) throws Unsupported, MalformedModule {
        if (r.u32() != 0) {
            throw new Unsupported("multiple memories");
        }
    }

    /** Writes the metering code around one body's instructions. */
    private static final class Emitter {
        private final GasTable table;
        private final int gas;
        private final int depth;
        private final int grow;

        Emitter(GasTable table, int gas, int depth, int grow) {
            this.table = table;
            this.gas = gas;
            this.depth = depth;
            this.grow = grow;
        }

        byte[] body(byte[] wasm, int[] body, int params, List<Instr> code, int importedFunctions, int[] units,
                List<FuncType> types, Map<String, Integer> indirectUnits) throws MalformedModule {
            ByteArrayOutputStream out = new ByteArrayOutputStream((body[2] - body[0]) * 3 + 16);
            Reader lr = new Reader(wasm, body[0], body[1]);
            int groups = lr.u32();
            WasmBytes.u32(out, groups + 2);
            out.write(wasm, lr.pos, body[1] - lr.pos);
            int scratch32 = params + body[3];
            int scratch64 = scratch32 + 1;
            out.writeBytes(new byte[] {0x01, 0x7F, 0x01, 0x7E}); // the scratch locals: one i32, one i64
            int n = code.size();
            for (int i = 0; i < n; i++) {
                if (i == 0 || isBoundary(code.get(i - 1).op)) {
                    long cost = 0;
                    for (int j = i; j < n; j++) {
                        Instr c = code.get(j);
                        cost += table.price(c.op, c.sub);
                        if (isBoundary(c.op)) {
                            break;
                        }
                    }
                    if (cost > 0) {
                        charge(out, cost, scratch64);
                    }
                }
                Instr ins = code.get(i);
                long[] dyn = dynamicUnit(ins);
                if (dyn != null && dyn[0] > 0) {
                    chargeOperand(out, dyn[0], dyn[1], scratch32, scratch64);
                }
                int frame = 0;
                if (ins.op == 0x10 && (ins.index < 0 || ins.index >= importedFunctions + units.length)) {
                    throw new MalformedModule("call to unknown function " + (ins.index & 0xFFFF_FFFFL));
                } else if (ins.op == 0x10 && ins.index >= importedFunctions) {
                    frame = units[ins.index - importedFunctions];
                } else if (ins.op == 0x11) {
                    if (ins.index < 0 || ins.index >= types.size()) {
                        throw new MalformedModule("call_indirect type index out of range");
                    }
                    frame = indirectUnits.getOrDefault(types.get(ins.index).signature, 0);
                }
                if (frame > 0) {
                    enter(out, frame);
                }
                out.write(wasm, ins.start, ins.end - ins.start);
                if (frame > 0) {
                    leave(out, frame);
                }
                if (ins.op == 0x40) {
                    recordGrowFailure(out, scratch32);
                }
            }
            return out.toByteArray();
        }

        /** {multiplier, divisor} of the operand-sized price, or null for instructions priced statically only. */
        private long[] dynamicUnit(Instr i) {
            if (i.op == 0x40) {
                return new long[] {table.memoryPage(), 1};
            }
            if (i.op == 0xFC) {
                return switch (i.sub) {
                    case 8, 10, 11 -> new long[] {1, table.bytesPerGas()};
                    case 12, 14, 15, 17 -> new long[] {table.tableElement(), 1};
                    default -> null;
                };
            }
            return null;
        }

        private void globalGet(ByteArrayOutputStream out, int g) {
            out.write(0x23);
            WasmBytes.u32(out, g);
        }

        private void globalSet(ByteArrayOutputStream out, int g) {
            out.write(0x24);
            WasmBytes.u32(out, g);
        }

        private void i64(ByteArrayOutputStream out, long v) {
            out.write(0x42);
            WasmBytes.s64(out, v);
        }

        private void i32(ByteArrayOutputStream out, int v) {
            out.write(0x41);
            WasmBytes.s64(out, v);
        }

        private void outOfGas(ByteArrayOutputStream out) {
            out.writeBytes(new byte[] {0x04, 0x40}); // if
            i64(out, -1);
            globalSet(out, gas);
            out.writeBytes(new byte[] {0x00, 0x0B}); // unreachable end
        }

        /** $gas -= cost; if ($gas < 0) { $gas = -1; unreachable } — one read of $gas ($gas ≥ 0 before). */
        private void charge(ByteArrayOutputStream out, long cost, int scratch64) {
            globalGet(out, gas);
            i64(out, cost);
            out.write(0x7D); // i64.sub
            out.write(0x22); // local.tee
            WasmBytes.u32(out, scratch64);
            globalSet(out, gas);
            out.write(0x20); // local.get
            WasmBytes.u32(out, scratch64);
            i64(out, 0);
            out.write(0x53); // i64.lt_s
            outOfGas(out);
        }

        /** Charges ceil(count × mul / div) for the i32 count on top of the stack, leaving it there. */
        private void chargeOperand(ByteArrayOutputStream out, long mul, long div, int scratch32, int scratch64) {
            out.write(0x22); // local.tee
            WasmBytes.u32(out, scratch32);
            out.write(0xAD); // i64.extend_i32_u
            if (mul != 1) {
                i64(out, mul);
                out.write(0x7E); // i64.mul
            }
            if (div != 1) {
                i64(out, div - 1);
                out.write(0x7C); // i64.add
                i64(out, div);
                out.write(0x80); // i64.div_u
            }
            out.write(0x21); // local.set
            WasmBytes.u32(out, scratch64);
            globalGet(out, gas);
            out.write(0x20);
            WasmBytes.u32(out, scratch64);
            out.write(0x54); // i64.lt_u
            outOfGas(out);
            globalGet(out, gas);
            out.write(0x20);
            WasmBytes.u32(out, scratch64);
            out.write(0x7D); // i64.sub
            globalSet(out, gas);
            out.write(0x20); // local.get: the count again
            WasmBytes.u32(out, scratch32);
        }

        /** $depth += units; if ($depth > limit) { $depth = -1; unreachable } */
        private void enter(ByteArrayOutputStream out, int units) {
            globalGet(out, depth);
            i32(out, units);
            out.write(0x6A); // i32.add
            globalSet(out, depth);
            globalGet(out, depth);
            i32(out, table.callStackLimit());
            out.write(0x4B); // i32.gt_u
            out.writeBytes(new byte[] {0x04, 0x40});
            i32(out, -1);
            globalSet(out, depth);
            out.writeBytes(new byte[] {0x00, 0x0B});
        }

        private void leave(ByteArrayOutputStream out, int units) {
            globalGet(out, depth);
            i32(out, units);
            out.write(0x6B); // i32.sub
            globalSet(out, depth);
        }

        /** After memory.grow: if (result == -1) $growFailed = 1 */
        private void recordGrowFailure(ByteArrayOutputStream out, int scratch32) {
            out.write(0x22);
            WasmBytes.u32(out, scratch32);
            i32(out, -1);
            out.write(0x46); // i32.eq
            out.writeBytes(new byte[] {0x04, 0x40});
            i32(out, 1);
            globalSet(out, grow);
            out.write(0x0B);
            out.write(0x20);
            WasmBytes.u32(out, scratch32);
        }
    }
}
