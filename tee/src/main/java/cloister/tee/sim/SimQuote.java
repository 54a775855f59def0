package cloister.tee.sim;

import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import cloister.tee.AttestationReport;
import cloister.tee.Measurement;
import cloister.tee.Platform;

/**
 * A sim quote. Encoding (docs/tee.md): version u8 = 1, platform code u8 = 1 ("sim"), measurement (bytes),
 * report data (64), issued-at u64 (ms since the epoch, the simulated quoting enclave's clock), then the
 * ECDSA-SHA256 signature of the network's sim root over everything before it (bytes, DER).
 */
record SimQuote(Measurement measurement, byte[] reportData, long issuedAtMillis, byte[] signature) {
    static final int VERSION = 1;

    static byte[] body(Measurement measurement, byte[] reportData, long issuedAtMillis) {
        return new CanonicalWriter(128).u8(VERSION).u8(Platform.SIM.code()).bytes(measurement.value())
                .fixed(reportData).u64(issuedAtMillis).toByteArray();
    }

    byte[] body() {
        return body(measurement, reportData, issuedAtMillis);
    }

    byte[] encode() {
        return new CanonicalWriter(200).fixed(body()).bytes(signature).toByteArray();
    }

    static SimQuote decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int version = r.u8("sim quote version");
        if (version != VERSION) {
            throw new MalformedException("unsupported sim quote version " + version);
        }
        int platform = r.u8("platform");
        if (platform != Platform.SIM.code()) {
            throw new MalformedException("sim quote with platform code " + platform);
        }
        Measurement m = Measurement.of(Platform.SIM, r.bytes(Measurement.MAX_LENGTH, "measurement"));
        byte[] reportData = r.fixed(AttestationReport.REPORT_DATA_LENGTH, "report data");
        long issuedAt = r.u64("issued at");
        byte[] sig = r.bytes(128, "signature");
        r.end("sim quote");
        return new SimQuote(m, reportData, issuedAt, sig);
    }
}
