package cloister.chain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Hand-assembled WebAssembly modules for tests of the chain's code check (the chain module has no wat2wasm). */
final class TinyWasm {
    static final int I32 = 0x7F;
    static final int I64 = 0x7E;

    record Import(String module, String name, int[] params, int[] results) {}

    private TinyWasm() {}

    /**
     * A module importing {@code imports}, defining one function {@code () -> ()} with an empty body exported under
     * each of {@code functionExports}, and a one-page memory exported as "memory" if {@code exportMemory}.
     */
    static byte[] module(List<Import> imports, List<String> functionExports, boolean exportMemory) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
        // Types: 0 = () -> (), then one per import.
        List<byte[]> types = new ArrayList<>();
        types.add(funcType(new int[0], new int[0]));
        for (Import i : imports) {
            types.add(funcType(i.params(), i.results()));
        }
        section(out, 1, vec(types));
        List<byte[]> imps = new ArrayList<>();
        for (int i = 0; i < imports.size(); i++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(name(imports.get(i).module()));
            b.writeBytes(name(imports.get(i).name()));
            b.write(0x00);
            b.writeBytes(leb(i + 1));
            imps.add(b.toByteArray());
        }
        if (!imps.isEmpty()) {
            section(out, 2, vec(imps));
        }
        section(out, 3, vec(List.of(leb(0))));
        section(out, 5, vec(List.of(new byte[] {0x00, 0x01})));
        List<byte[]> exports = new ArrayList<>();
        for (String e : functionExports) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(name(e));
            b.write(0x00);
            b.writeBytes(leb(imports.size()));
            exports.add(b.toByteArray());
        }
        if (exportMemory) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(name("memory"));
            b.write(0x02);
            b.write(0x00);
            exports.add(b.toByteArray());
        }
        section(out, 7, vec(exports));
        byte[] body = {0x00, 0x0B}; // no locals, end
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.writeBytes(leb(body.length));
        code.writeBytes(body);
        section(out, 10, vec(List.of(code.toByteArray())));
        return out.toByteArray();
    }

    static byte[] counterLike() {
        return module(List.of(new Import("cloister", "storage_set", new int[] {I32, I32, I32, I32}, new int[0]),
                new Import("cloister", "input_len", new int[0], new int[] {I32})), List.of("call", "query"), true);
    }

    private static byte[] funcType(int[] params, int[] results) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x60);
        b.writeBytes(leb(params.length));
        for (int p : params) {
            b.write(p);
        }
        b.writeBytes(leb(results.length));
        for (int r : results) {
            b.write(r);
        }
        return b.toByteArray();
    }

    private static byte[] vec(List<byte[]> items) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(leb(items.size()));
        items.forEach(b::writeBytes);
        return b.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        out.writeBytes(leb(content.length));
        out.writeBytes(content);
    }

    private static byte[] name(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(leb(utf8.length));
        b.writeBytes(utf8);
        return b.toByteArray();
    }

    private static byte[] leb(int v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        do {
            int x = v & 0x7F;
            v >>>= 7;
            b.write(v != 0 ? x | 0x80 : x);
        } while (v != 0);
        return b.toByteArray();
    }
}
