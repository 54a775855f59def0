package cloister.tee.dcap;

import cloister.tee.QuoteRefusal;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * What a PCK certificate says about the platform, from its SGX extensions (OID 1.2.840.113741.1.13.1; Intel's
 * "SGX PCK Certificate and Certificate Revocation List Profile Specification", section 1.5): a SEQUENCE of
 * {@code SEQUENCE { OID, value }} with PPID (.1), TCB (.2: SEQUENCE of 16 component SVNs .2.1–.2.16, PCESVN .2.17 and
 * CPUSVN .2.18), PCE-ID (.3), FMSPC (.4) and SGX type (.5). The component SVNs, not the CPUSVN bytes, are what TCB
 * levels are compared with (Intel QVL {@code isCpuSvnHigherOrEqual}).
 */
record PckCertificate(X509Certificate certificate, byte[] fmspc, byte[] pceId, int[] cpuSvnComponents, int pceSvn) {
    static final String SGX_EXTENSIONS = "1.2.840.113741.1.13.1";
    private static final String TCB = SGX_EXTENSIONS + ".2";
    private static final String PCE_SVN = TCB + ".17";
    private static final String PCE_ID = SGX_EXTENSIONS + ".3";
    private static final String FMSPC = SGX_EXTENSIONS + ".4";
    static final int COMPONENTS = 16;

    static PckCertificate of(X509Certificate certificate) throws DcapRefusal {
        byte[] extension = certificate.getExtensionValue(SGX_EXTENSIONS);
        if (extension == null) {
            throw malformed("the PCK certificate has no SGX extensions (" + SGX_EXTENSIONS + ")");
        }
        try {
            Map<String, ASN1Encodable> fields = fields(ASN1Primitive.fromByteArray(
                    ASN1OctetString.getInstance(extension).getOctets()));
            Map<String, ASN1Encodable> tcb = fields(required(fields, TCB).toASN1Primitive());
            int[] components = new int[COMPONENTS];
            for (int i = 0; i < COMPONENTS; i++) {
                components[i] = integer(required(tcb, TCB + "." + (i + 1)), 255);
            }
            return new PckCertificate(certificate, octets(required(fields, FMSPC), 6), octets(required(fields, PCE_ID), 2),
                    components, integer(required(tcb, PCE_SVN), 0xffff));
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw malformed("the PCK certificate's SGX extensions are not well-formed ASN.1 (" + e.getMessage() + ")");
        }
    }

    /** A {@code SEQUENCE OF SEQUENCE { OID, value }} as a map; a repeated OID is refused. */
    private static Map<String, ASN1Encodable> fields(ASN1Primitive sequence) throws DcapRefusal {
        Map<String, ASN1Encodable> out = new HashMap<>();
        for (ASN1Encodable element : ASN1Sequence.getInstance(sequence)) {
            ASN1Sequence pair = ASN1Sequence.getInstance(element);
            if (pair.size() != 2) {
                throw malformed("an SGX extension entry has " + pair.size() + " elements, not 2");
            }
            String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
            if (out.put(oid, pair.getObjectAt(1)) != null) {
                throw malformed("the SGX extension " + oid + " appears twice");
            }
        }
        return out;
    }

    private static ASN1Encodable required(Map<String, ASN1Encodable> fields, String oid) throws DcapRefusal {
        ASN1Encodable value = fields.get(oid);
        if (value == null) {
            throw malformed("the PCK certificate lacks the SGX extension " + oid);
        }
        return value;
    }

    private static int integer(ASN1Encodable value, int max) throws DcapRefusal {
        BigInteger v = ASN1Integer.getInstance(value).getValue();
        if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw malformed("an SVN in the PCK certificate is " + v + ", outside 0.." + max);
        }
        return v.intValue();
    }

    private static byte[] octets(ASN1Encodable value, int length) throws DcapRefusal {
        byte[] bytes = ASN1OctetString.getInstance(value).getOctets();
        if (bytes.length != length) {
            throw malformed("an SGX extension value is " + bytes.length + " bytes, not " + length);
        }
        return bytes;
    }

    private static DcapRefusal malformed(String message) {
        return new DcapRefusal(QuoteRefusal.MALFORMED_QUOTE, message);
    }
}
