import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Build step (not part of the worker jar): compiles every {@code *.wat} under a source directory to {@code *.wasm}
 * in an output directory with Chicory's wat2wasm (wabt 1.0.0 compiled to Java bytecode). Run by the worker pom with
 * the java source launcher on the exec-maven-plugin's own classpath, at generate-resources:
 *
 * <pre>java -cp WABT_CLASSPATH WatCompiler.java SRC_DIR OUT_DIR</pre>
 */
public final class WatCompiler {
    private WatCompiler() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: WatCompiler SRC_DIR OUT_DIR");
            System.exit(2);
        }
        Path src = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        List<Path> sources;
        try (Stream<Path> files = Files.list(src)) {
            sources = files.filter(p -> p.getFileName().toString().endsWith(".wat")).sorted().toList();
        }
        for (Path wat : sources) {
            String name = wat.getFileName().toString();
            byte[] wasm;
            try {
                wasm = Wat2Wasm.parse(wat.toFile());
            } catch (RuntimeException e) {
                System.err.println("wat2wasm failed on " + wat + ": " + e.getMessage());
                System.exit(1);
                return;
            }
            Files.write(out.resolve(name.substring(0, name.length() - ".wat".length()) + ".wasm"), wasm);
        }
    }
}
