package cloister.tee.dcap;

import cloister.tee.QuoteRefusal;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CRL;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Strict readers for the X.509 material in quotes and collateral: PEM certificate chains and DER CRLs.
 *
 * <p>A chain is one or more {@code BEGIN/END CERTIFICATE} blocks, with only whitespace between and around them, and
 * optionally trailing NUL bytes (the QE writes the chain as a C string). Inside a block, whitespace is ignored and the
 * rest must be canonical base64 (padding present, unused bits zero), and the DER must be exactly one certificate,
 * re-encoding to the same bytes. So the only bytes of a chain that no signature covers are its whitespace and
 * trailing NULs, and changing them cannot change what is verified.
 */
final class PemCertificates {
    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";
    /** Intel's chains have two or three certificates; the bound keeps a hostile chain from costing much. */
    static final int MAX_CERTIFICATES = 4;

    private PemCertificates() {}

    static List<X509Certificate> parseChain(byte[] pem, QuoteRefusal reason, String what) throws DcapRefusal {
        int length = pem.length;
        while (length > 0 && pem[length - 1] == 0) {
            length--;
        }
        for (int i = 0; i < length; i++) {
            if (pem[i] < 0x09 || pem[i] > 0x7e) {
                throw new DcapRefusal(reason, what + ": byte " + i + " of the PEM text is not printable ASCII");
            }
        }
        String text = new String(pem, 0, length, StandardCharsets.US_ASCII);
        List<X509Certificate> chain = new ArrayList<>();
        int i = skipWhitespace(text, 0);
        while (i < text.length()) {
            if (!text.startsWith(BEGIN, i)) {
                throw new DcapRefusal(reason, what + ": expected '" + BEGIN + "' at character " + i);
            }
            int bodyStart = i + BEGIN.length();
            int endAt = text.indexOf(END, bodyStart);
            if (endAt < 0) {
                throw new DcapRefusal(reason, what + ": certificate " + (chain.size() + 1) + " has no END line");
            }
            if (chain.size() == MAX_CERTIFICATES) {
                throw new DcapRefusal(reason, what + ": more than " + MAX_CERTIFICATES + " certificates");
            }
            chain.add(certificate(base64Body(text.substring(bodyStart, endAt), reason, what), reason,
                    what + " certificate " + (chain.size() + 1)));
            i = skipWhitespace(text, endAt + END.length());
        }
        if (chain.isEmpty()) {
            throw new DcapRefusal(reason, what + ": no certificate");
        }
        return List.copyOf(chain);
    }

    static X509Certificate certificate(byte[] der, QuoteRefusal reason, String what) throws DcapRefusal {
        try {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            // The factory stops after the first certificate and accepts some BER: insist on exactly these DER bytes.
            if (c instanceof X509Certificate x && Arrays.equals(x.getEncoded(), der)) {
                return x;
            }
            throw new DcapRefusal(reason, what + " is not exactly one DER-encoded X.509 certificate");
        } catch (CertificateException | RuntimeException e) {
            throw new DcapRefusal(reason, what + " is not an X.509 certificate (" + e.getMessage() + ")");
        }
    }

    static X509CRL crl(byte[] der, QuoteRefusal reason, String what) throws DcapRefusal {
        try {
            CRL c = CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
            if (c instanceof X509CRL x && Arrays.equals(x.getEncoded(), der)) {
                return x;
            }
            throw new DcapRefusal(reason, what + " is not exactly one DER-encoded X.509 CRL");
        } catch (CRLException | CertificateException | RuntimeException e) {
            throw new DcapRefusal(reason, what + " is not an X.509 CRL (" + e.getMessage() + ")");
        }
    }

    private static byte[] base64Body(String block, QuoteRefusal reason, String what) throws DcapRefusal {
        StringBuilder b64 = new StringBuilder(block.length());
        for (int j = 0; j < block.length(); j++) {
            char c = block.charAt(j);
            if (!isWhitespace(c)) {
                b64.append(c);
            }
        }
        String body = b64.toString();
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new DcapRefusal(reason, what + ": a certificate is not valid base64");
        }
        // The JDK decoder accepts missing padding and ignores non-zero unused bits: allow one spelling only.
        if (!Base64.getEncoder().encodeToString(der).equals(body)) {
            throw new DcapRefusal(reason, what + ": a certificate is not canonical base64");
        }
        return der;
    }

    private static int skipWhitespace(String text, int from) {
        int i = from;
        while (i < text.length() && isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
