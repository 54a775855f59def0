package cloister.tee.dcap;

import cloister.tee.QuoteRefusal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * The collateral of a quote, as Phala's dcap-qvl {@code QuoteCollateralV3} serializes it to JSON: nine string
 * fields, certificate chains as PEM, CRLs as hex DER, TCB info and QE identity as the exact JSON text Intel signed,
 * and their signatures as hex {@code r ‖ s}. Newer dcap-qvl versions may add {@code pck_certificate_chain}; it is
 * accepted only when absent or null, because this verifier takes the PCK chain from the quote itself.
 */
record QuoteCollateral(List<X509Certificate> pckCrlIssuerChain, X509CRL rootCaCrl, X509CRL pckCrl,
                       List<X509Certificate> tcbInfoIssuerChain, String tcbInfo, byte[] tcbInfoSignature,
                       List<X509Certificate> qeIdentityIssuerChain, String qeIdentity, byte[] qeIdentitySignature) {
    private static final Set<String> FIELDS = Set.of("pck_crl_issuer_chain", "root_ca_crl", "pck_crl",
            "tcb_info_issuer_chain", "tcb_info", "tcb_info_signature", "qe_identity_issuer_chain", "qe_identity",
            "qe_identity_signature", "pck_certificate_chain");

    static QuoteCollateral parse(byte[] utf8Json) throws DcapRefusal {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8Json))
                    .toString();
        } catch (CharacterCodingException e) {
            throw JsonFields.refusal("the collateral is not UTF-8 text");
        }
        JsonFields c = JsonFields.parse(text, "the collateral");
        c.allowOnly(FIELDS);
        if (c.has("pck_certificate_chain")) {
            throw JsonFields.refusal("a PCK certificate chain in the collateral is not supported: the quote must carry"
                    + " it (certification data type 5)");
        }
        QuoteRefusal bad = QuoteRefusal.BAD_COLLATERAL;
        return new QuoteCollateral(
                PemCertificates.parseChain(bytes(c.text("pck_crl_issuer_chain")), bad, "pck_crl_issuer_chain"),
                PemCertificates.crl(c.hexAnyLength("root_ca_crl"), bad, "root_ca_crl"),
                PemCertificates.crl(c.hexAnyLength("pck_crl"), bad, "pck_crl"),
                PemCertificates.parseChain(bytes(c.text("tcb_info_issuer_chain")), bad, "tcb_info_issuer_chain"),
                c.text("tcb_info"),
                c.hex("tcb_info_signature", 64),
                PemCertificates.parseChain(bytes(c.text("qe_identity_issuer_chain")), bad, "qe_identity_issuer_chain"),
                c.text("qe_identity"),
                c.hex("qe_identity_signature", 64));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
