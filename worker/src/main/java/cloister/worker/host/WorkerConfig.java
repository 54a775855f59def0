package cloister.worker.host;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of one worker host. Validated on construction.
 *
 * @param dataDir         where the sealed blobs live ({@code <dataDir>/enclave/*.sealed})
 * @param runtimeVersion  the worker's version, registered on chain (at most 64 bytes)
 * @param httpHost        where the query endpoint listens: loopback by default (put a TLS proxy in front to expose it)
 * @param httpPort        its port; 0 picks a free one, -1 serves no HTTP
 * @param syncBatch       blocks per sync ecall (1..10 000)
 * @param pollMillis      how often to look for new blocks when the source does not announce them
 * @param registrationRetryBlocks how many blocks to wait for a registration before submitting it again
 * @param publicUrl       the query endpoint to announce on chain (clients find workers there); empty: announce
 *                        {@code http://<httpHost>:<port>} when serving HTTP
 */
public record WorkerConfig(Path dataDir, String runtimeVersion, String httpHost, int httpPort, int syncBatch,
                           long pollMillis, int registrationRetryBlocks, Optional<String> publicUrl) {
    public static final String DEFAULT_HOST = "127.0.0.1";

    public WorkerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(runtimeVersion, "runtimeVersion");
        Objects.requireNonNull(httpHost, "httpHost");
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("HTTP port must be -1 (off), 0 (any) or 1..65535, got " + httpPort);
        }
        if (syncBatch < 1 || syncBatch > 10_000) {
            throw new IllegalArgumentException("sync batch must be 1..10000 blocks, got " + syncBatch);
        }
        if (pollMillis < 10 || pollMillis > 60_000) {
            throw new IllegalArgumentException("poll interval must be 10 ms..60 s, got " + pollMillis);
        }
        if (registrationRetryBlocks < 1) {
            throw new IllegalArgumentException("registration retry must be at least 1 block");
        }
        Objects.requireNonNull(publicUrl, "publicUrl");
        publicUrl.ifPresent(u -> {
            if (!(u.startsWith("http://") || u.startsWith("https://")) || u.length() > 256) {
                throw new IllegalArgumentException("the public URL must be an http(s) URL of at most 256 characters");
            }
        });
    }

    /** Defaults: loopback on a free port, 1000-block batches, 200 ms polls, registration retried after 30 blocks. */
    public static WorkerConfig defaults(Path dataDir, String runtimeVersion) {
        return new WorkerConfig(dataDir, runtimeVersion, DEFAULT_HOST, 0, 1000, 200, 30, Optional.empty());
    }

    public WorkerConfig withHttpPort(int port) {
        return new WorkerConfig(dataDir, runtimeVersion, httpHost, port, syncBatch, pollMillis, registrationRetryBlocks, publicUrl);
    }

    public WorkerConfig withSyncBatch(int batch) {
        return new WorkerConfig(dataDir, runtimeVersion, httpHost, httpPort, batch, pollMillis, registrationRetryBlocks, publicUrl);
    }

    public WorkerConfig withPublicUrl(String url) {
        return new WorkerConfig(dataDir, runtimeVersion, httpHost, httpPort, syncBatch, pollMillis, registrationRetryBlocks, Optional.of(url));
    }
}
