package cloister.chain.runtime.registry;

import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.WorkerInfo;
import cloister.tee.Measurement;
import cloister.tee.Platform;

/**
 * A registered worker as the chain keeps it.
 *
 * @param registeredAt the height of the block that registered it
 * @param nextSeq      the sequence number its next egress message must carry
 */
public record WorkerRecord(WorkerInfo info, Measurement measurement, int confidenceLevel, String tcbStatus,
                           long registeredAt, long nextSeq, boolean gatekeeper) {
    WorkerRecord withNextSeq(long seq) {
        return new WorkerRecord(info, measurement, confidenceLevel, tcbStatus, registeredAt, seq, gatekeeper);
    }

    WorkerRecord asGatekeeper() {
        return new WorkerRecord(info, measurement, confidenceLevel, tcbStatus, registeredAt, nextSeq, true);
    }

    byte[] encode() {
        return new CanonicalWriter(256).bytes(info.encode()).u8(measurement.platform().code()).bytes(measurement.value())
                .u8(confidenceLevel).string(tcbStatus).u64(registeredAt).u64(nextSeq).bool(gatekeeper).toByteArray();
    }

    static WorkerRecord decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        WorkerInfo info = WorkerInfo.decode(r.bytes(1024, "worker info"));
        Measurement m = Measurement.of(Platform.ofCode(r.u8("platform")), r.bytes(Measurement.MAX_LENGTH, "measurement"));
        WorkerRecord w = new WorkerRecord(info, m, r.u8("confidence"), r.string(64, "tcb status"), r.u64("registered at"),
                r.u64("next seq"), r.bool("gatekeeper"));
        r.end("worker record");
        return w;
    }
}
