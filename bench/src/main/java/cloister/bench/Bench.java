package cloister.bench;

import cloister.sdk.CloisterApiException;
import cloister.worker.EnclaveException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

/** What the benchmark programs share: running with clean errors, CPU time, temp dirs, tables and percentiles. */
final class Bench {
    private Bench() {}

    /** A failure the benchmark expects to report in one line (no stack trace): a refused command, a divergence. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a benchmark body; expected failures (refusals, timeouts, I/O, divergence) end the program with a one-line
     * error and exit status 1. Anything else is a bug and keeps its stack trace.
     */
    static void run(String bench, Body body) throws Exception {
        try {
            body.run();
        } catch (Failure | TimeoutException | IOException | UncheckedIOException | CloisterApiException | EnclaveException e) {
            System.out.flush();
            System.err.println("error: " + bench + " benchmark failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Keeps the node's and workers' per-block info lines off the console (they would interleave with the table);
     * warnings and errors still show. Must run before the first logger is created.
     */
    static void quietLogs() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    static void header(String what) {
        // Whether something else was running: the references assume an otherwise idle machine.
        System.out.printf(Locale.ROOT, "%s | cores available: %d, JVM: %s, max heap %,d MiB, machine CPU busy in the second before start: %s%n",
                what, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() >> 20, machineBusy());
    }

    /** The share of all cores busy over one second, from /proc/stat (Linux); "unknown" elsewhere. */
    private static String machineBusy() {
        try {
            long[] a = procStat();
            Thread.sleep(1000);
            long[] b = procStat();
            long total = b[0] - a[0];
            long idle = b[1] - a[1];
            return total <= 0 ? "unknown" : String.format(Locale.ROOT, "%.0f %%", 100.0 * (total - idle) / total);
        } catch (IOException | RuntimeException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** {total, idle + iowait} jiffies of the first line of /proc/stat. */
    private static long[] procStat() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = line.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Path tempDir(String what) throws IOException {
        return Files.createTempDirectory("cloister-bench-" + what + "-");
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("warning: could not delete " + dir + ": " + e.getMessage());
        }
    }

    static void row(String name, String value) {
        System.out.printf(Locale.ROOT, "| %s | %s |%n", name, value);
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Sorted copy of latencies (ns) and the {@code q}-quantile of it, nearest rank. */
    static long[] sorted(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s;
    }

    static double quantileMillis(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /**
     * CPU time of the process's Java threads, grouped by what they do (a name → group function), between two
     * snapshots. GC, JIT and RocksDB's native threads are not Java threads: their time, and that of threads that
     * ended between the snapshots, is what the process total has beyond the groups.
     */
    static final class ThreadCpu {
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final Function<String, String> group;
        private final Map<Long, Long> start = new HashMap<>();

        ThreadCpu(Function<String, String> group) {
            this.group = group;
            if (mx.isThreadCpuTimeSupported() && !mx.isThreadCpuTimeEnabled()) {
                mx.setThreadCpuTimeEnabled(true);
            }
            for (long id : mx.getAllThreadIds()) {
                long t = mx.getThreadCpuTime(id);
                if (t >= 0) {
                    start.put(id, t);
                }
            }
        }

        /** CPU nanoseconds per group since construction, largest first. */
        Map<String, Long> since() {
            Map<String, Long> out = new HashMap<>();
            for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long t = mx.getThreadCpuTime(info.getThreadId());
                if (t < 0) {
                    continue;
                }
                long d = t - start.getOrDefault(info.getThreadId(), 0L);
                out.merge(group.apply(info.getThreadName()), d, Long::sum);
            }
            Map<String, Long> sortedOut = new LinkedHashMap<>();
            out.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> sortedOut.put(e.getKey(), e.getValue()));
            return sortedOut;
        }
    }
}
