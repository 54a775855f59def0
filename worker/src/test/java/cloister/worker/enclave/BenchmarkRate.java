package cloister.worker.enclave;

/**
 * Prints the computation workload's rate on this machine, one core: iterations per second and the score P the chain
 * would give it (min(6000, iterations/s × 6)). A program, not a test:
 *
 * <pre>
 * java -cp worker/target/test-classes:worker/target/classes:$(cat /tmp/cp) cloister.worker.enclave.BenchmarkRate [seconds]
 * </pre>
 */
public final class BenchmarkRate {
    private BenchmarkRate() {}

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Benchmark.run(1_000_000_000L); // warm-up: let the JIT compile the loop
        // Wall-clock time is what the enclave measures; the thread's CPU time shows what a free core would do.
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.println("second  iterations/s  P     per CPU-second  P (free core)  CPU share");
        for (int i = 1; i <= seconds; i++) {
            long cpu = threads.getCurrentThreadCpuTime();
            Benchmark.Work w = Benchmark.run(1_000_000_000L);
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            long ips = w.iterations() * 1_000_000_000L / w.nanos();
            long cpuIps = w.iterations() * 1_000_000_000L / Math.max(1, cpu);
            System.out.printf("%6d  %12d  %4d  %14d  %13d  %9.2f%n", i, ips, Math.min(6000, ips * 6), cpuIps, Math.min(6000, cpuIps * 6),
                    (double) cpu / w.nanos());
        }
    }
}
