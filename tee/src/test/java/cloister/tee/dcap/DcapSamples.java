package cloister.tee.dcap;

import cloister.common.Hex;
import cloister.tee.Evidence;
import cloister.tee.Platform;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The real quotes and collateral in src/test/resources/attestation (from Phala dcap-qvl's samples), the window of
 * time in which their collateral is valid, and surgery on them: editing collateral fields, replacing the PCK chain
 * inside a quote while keeping every length consistent. Offsets are computed here from the quote format, not with
 * the code under test.
 */
final class DcapSamples {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A quote with its collateral. {@code windowStart} is the latest of the TCB info and QE identity issue dates and
     * both CRLs' thisUpdate; {@code windowEnd} the earliest of their nextUpdate.
     */
    record Sample(Platform platform, byte[] quote, byte[] collateral, long windowStart, long windowEnd) {
        /** A fresh copy, free to mutate. */
        @Override
        public byte[] quote() {
            return quote.clone();
        }

        @Override
        public byte[] collateral() {
            return collateral.clone();
        }

        long now() {
            return windowStart + (windowEnd - windowStart) / 2;
        }

        Evidence evidence() {
            return new Evidence(platform, quote, collateral);
        }

        Evidence withQuote(byte[] otherQuote) {
            return new Evidence(platform, otherQuote, collateral);
        }

        Evidence withCollateral(byte[] otherCollateral) {
            return new Evidence(platform, quote, otherCollateral);
        }

        int bodyLength() {
            return platform == Platform.SGX ? 384 : 584;
        }

        /** Offset of the 64-byte report data in the quote. */
        int reportDataOffset() {
            return 48 + (platform == Platform.SGX ? 320 : 520);
        }

        /** Offset of the quote's ECDSA signature (first field of the auth data). */
        int signatureOffset() {
            return 48 + bodyLength() + 4;
        }
    }

    private DcapSamples() {}

    static Sample sgx() {
        return sample(Platform.SGX, "sgx_quote", "sgx_quote_collateral.json");
    }

    static Sample tdx() {
        return sample(Platform.TDX, "tdx_quote", "tdx_quote_collateral.json");
    }

    private static Sample sample(Platform platform, String quote, String collateral) {
        byte[] c = resource(collateral);
        try {
            JsonNode root = JSON.readTree(c);
            JsonNode tcb = JSON.readTree(root.get("tcb_info").textValue());
            JsonNode qe = JSON.readTree(root.get("qe_identity").textValue());
            X509CRL rootCrl = crl(root.get("root_ca_crl").textValue());
            X509CRL pckCrl = crl(root.get("pck_crl").textValue());
            long start = max(instant(tcb, "issueDate"), instant(qe, "issueDate"), rootCrl.getThisUpdate().getTime(),
                    pckCrl.getThisUpdate().getTime());
            long end = min(instant(tcb, "nextUpdate"), instant(qe, "nextUpdate"), rootCrl.getNextUpdate().getTime(),
                    pckCrl.getNextUpdate().getTime());
            if (start >= end) {
                throw new IllegalStateException("the sample collateral has no common validity window");
            }
            return new Sample(platform, resource(quote), c, start, end);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = DcapSamples.class.getResourceAsStream("/attestation/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource attestation/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The collateral with one string field rewritten. */
    static byte[] editCollateral(byte[] collateral, String field, UnaryOperator<String> edit) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(collateral);
            root.put(field, edit.apply(root.get(field).textValue()));
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String collateralField(byte[] collateral, String field) {
        try {
            return JSON.readTree(collateral).get(field).textValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** [start, end) of the PEM PCK chain inside the quote. */
    static int[] pemRange(byte[] quote) {
        ByteBuffer b = ByteBuffer.wrap(quote).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getShort(0) & 0xffff;
        int body = version == 3 ? 384 : 584;
        int authStart = 48 + body + 4;
        int p = authStart + 128 + (version == 3 ? 0 : 6) + 384 + 64;
        int qeAuth = b.getShort(p) & 0xffff;
        p += 2 + qeAuth;
        int certSize = b.getInt(p + 2);
        return new int[] {p + 6, p + 6 + certSize};
    }

    /** The quote with its PCK chain replaced by {@code pem}; the certification data and auth data sizes follow. */
    static byte[] withPckChain(byte[] quote, byte[] pem) {
        ByteBuffer in = ByteBuffer.wrap(quote).order(ByteOrder.LITTLE_ENDIAN);
        int version = in.getShort(0) & 0xffff;
        int authSizeAt = 48 + (version == 3 ? 384 : 584);
        int authStart = authSizeAt + 4;
        int authEnd = authStart + in.getInt(authSizeAt);
        int[] range = pemRange(quote);
        int delta = pem.length - (range[1] - range[0]);
        byte[] out = new byte[quote.length + delta];
        System.arraycopy(quote, 0, out, 0, range[0]);
        System.arraycopy(pem, 0, out, range[0], pem.length);
        System.arraycopy(quote, range[1], out, range[0] + pem.length, quote.length - range[1]);
        ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        o.putInt(range[0] - 4, pem.length);
        o.putInt(authSizeAt, authEnd - authStart + delta);
        if (version == 4) {
            int outerSizeAt = authStart + 128 + 2;
            o.putInt(outerSizeAt, in.getInt(outerSizeAt) + delta);
        }
        return out;
    }

    /** The PEM blocks of a chain, each with its BEGIN and END lines. */
    static String[] pemBlocks(String chain) {
        String end = "-----END CERTIFICATE-----";
        return Arrays.stream(chain.split("(?<=" + end + ")"))
                .map(String::strip)
                .filter(s -> s.startsWith("-----BEGIN"))
                .toArray(String[]::new);
    }

    static String pem(byte[] der) {
        String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----";
    }

    private static X509CRL crl(String hex) throws java.security.GeneralSecurityException {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(Hex.decode(hex)));
    }

    private static long instant(JsonNode node, String field) {
        return Instant.parse(node.get(field).textValue()).toEpochMilli();
    }

    private static long max(long... values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static long min(long... values) {
        return Arrays.stream(values).min().orElseThrow();
    }
}
