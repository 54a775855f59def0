package cloister.acceptance;

import cloister.sdk.CloisterApiException;
import cloister.sdk.CloisterClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code ./cloister devnet} process started through the real launcher script. */
final class Devnet implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("cloister.root", "..")).toAbsolutePath().normalize();

    final Path dataDir;
    final int port;
    final Path log;
    private final Process process;

    private Devnet(Path dataDir, int port, Path log, Process process) {
        this.dataDir = dataDir;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a devnet on {@code dataDir} and waits until its API answers. */
    static Devnet start(Path dataDir, int port, Path log, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("cloister").toString(), "devnet",
                "--data-dir", dataDir.toString(), "--port", Integer.toString(port)));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CLOISTER_NO_BUILD", "1");
        Process p = pb.start();
        Devnet d = new Devnet(dataDir, port, log, p);
        d.awaitReady();
        return d;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    CloisterClient client() {
        return new CloisterClient(url());
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        CloisterClient c = client();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("devnet exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                c.head();
                return;
            } catch (CloisterApiException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("devnet did not answer within 90 s:\n" + logText(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: no shutdown hook, no flush, like a power cut for the process (the OS keeps written pages). */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("devnet did not die");
        }
    }

    /** SIGTERM (the devnet's clean shutdown), then SIGKILL if it does not exit within 20 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs {@code ./cloister args...} to completion. */
    static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("cloister").toString());
        cmd.addAll(List.of(args));
        return runProcess(cmd, 120);
    }

    /** Runs {@code bash examples/NAME args...} to completion, as a user runs it (stdin empty). */
    static Result script(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("examples").resolve(name).toString()));
        cmd.addAll(List.of(args));
        return runProcess(cmd, 300);
    }

    private static Result runProcess(List<String> cmd, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().put("CLOISTER_NO_BUILD", "1");
        Path out = Files.createTempFile("cloister-out", ".txt");
        Path err = Files.createTempFile("cloister-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(out));
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** Waits for the devnet's bootstrap (cluster, contracts, storage and mining set-up) to print {@code ready.}. */
    void awaitBootstrap() throws InterruptedException {
        awaitLog("  ready.", 1);
    }

    /** Waits (up to 120 s) until {@code line} stands {@code times} times in the devnet's log. */
    void awaitLog(String line, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (logText().split(java.util.regex.Pattern.quote(line), -1).length - 1 < times) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("devnet set-up did not finish:\n" + logText());
            }
            Thread.sleep(100);
        }
    }

    record Result(int exit, String out, String err) {}
}
