package cloister.sdk;

import cloister.common.Hash;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A WebAssembly call as the chain settled it ({@code GET /v1/gas/{tx}}).
 *
 * @param gasUsed          gas the workers reported
 * @param fee              units charged for it
 * @param refund           units of the reservation returned
 * @param settledAt        the block that settled it
 * @param events           the events the call published, in order
 * @param transfersRefused why the call's transfers were not made, if they were not
 */
public record CallReport(Hash txHash, long gasUsed, long fee, long refund, long settledAt, List<PublishedEvent> events,
                         Optional<String> transfersRefused) {
    public CallReport {
        events = List.copyOf(events);
    }

    /** An event: the contract's bytes if {@code isPublic}, else HPKE-sealed to the contract key (only its workers open it). */
    public record PublishedEvent(int index, boolean isPublic, byte[] data) {
        public PublishedEvent {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PublishedEvent e && e.index == index && e.isPublic == isPublic && Arrays.equals(e.data, data);
        }

        @Override
        public int hashCode() {
            return (index * 31 + Boolean.hashCode(isPublic)) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "PublishedEvent[#" + index + ", " + (isPublic ? "public" : "sealed") + ", " + data.length + " bytes]";
        }
    }
}
