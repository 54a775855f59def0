package cloister.tee.dcap;

import cloister.common.Hex;
import cloister.crypto.Sha256;
import cloister.tee.QuoteRefusal;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Intel's SGX Root CA, pinned by its public key, and the checks that tie certificates and CRLs to it.
 *
 * <p>A chain is given leaf first and must end with the self-signed root whose key is pinned. Every certificate must
 * be signed with ECDSA-SHA256 by the next one (the root by the pinned key), name it as issuer, be inside its validity
 * window at {@code now}, carry no critical extension other than basic constraints and key usage, and have the role
 * its position demands (common name; CA flag, path length and keyCertSign for issuers). Then every certificate is
 * looked up in the CRL of its issuer: the root CA CRL for certificates the root issued (and the root itself, as
 * dcap-qvl does), the PCK CRL for PCK certificates. A CRL counts only if it was signed by the very key that signed
 * the certificate.
 */
final class IntelRootOfTrust {
    /**
     * SubjectPublicKeyInfo (DER) of the Intel SGX Root CA: "CN=Intel SGX Root CA, O=Intel Corporation,
     * L=Santa Clara, ST=CA, C=US", serial 22650cd65a9d3489f383b49552bf501b392706ac, valid 2018-05-21 to 2049-12-31.
     * Taken from the issuer chains of the collateral in tee/src/test/resources/attestation (Phala dcap-qvl's samples,
     * fetched from Intel's PCS); the certificate's SHA-256 fingerprint
     * 44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3 is that of the root Intel publishes at
     * https://certificates.trustedservices.intel.com/Intel_SGX_Provisioning_Certification_RootCA.cer and that
     * dcap-qvl pins as {@code TRUSTED_ROOT_CA_DER}.
     */
    static final String INTEL_SGX_ROOT_CA_PUBLIC_KEY =
            "3059301306072a8648ce3d020106082a8648ce3d030107034200040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e"
                    + "705525f567918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394";

    static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    static final String PCK_CN = "Intel SGX PCK Certificate";
    static final Set<String> PCK_CA_CNS = Set.of("Intel SGX PCK Processor CA", "Intel SGX PCK Platform CA");
    static final String TCB_SIGNING_CN = "Intel SGX TCB Signing";
    private static final Set<String> UNDERSTOOD_CRITICAL_EXTENSIONS = Set.of("2.5.29.15", "2.5.29.19");
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;

    /** The chains Intel's collateral and quotes carry, by the common names of the certificates below the root. */
    enum Chain {
        PCK("PCK certificate chain", List.of(Set.of(PCK_CN), PCK_CA_CNS), true),
        TCB_SIGNING("TCB signing chain", List.of(Set.of(TCB_SIGNING_CN)), true),
        PCK_CRL_ISSUER("PCK CRL issuer chain", List.of(PCK_CA_CNS), false);

        private final String description;
        private final List<Set<String>> issuedCommonNames;
        private final boolean leafSignsData;

        Chain(String description, List<Set<String>> issuedCommonNames, boolean leafSignsData) {
            this.description = description;
            this.issuedCommonNames = issuedCommonNames;
            this.leafSignsData = leafSignsData;
        }

        int length() {
            return issuedCommonNames.size() + 1;
        }
    }

    /** A CRL whose signature, issuer and validity window checked out, with the key that signed it. */
    record TrustedCrl(X509CRL crl, PublicKey signer) {}

    private final byte[] rootKeyEncoded;
    private final PublicKey rootKey;

    IntelRootOfTrust(byte[] rootSubjectPublicKeyInfo) {
        this.rootKeyEncoded = rootSubjectPublicKeyInfo.clone();
        try {
            this.rootKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(rootKeyEncoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the pinned root key is not an EC public key", e);
        }
    }

    static IntelRootOfTrust intel() {
        return new IntelRootOfTrust(Hex.decode(INTEL_SGX_ROOT_CA_PUBLIC_KEY));
    }

    /** Checks the root CA CRL: signed by the pinned key, inside its window. */
    TrustedCrl rootCrl(X509CRL crl, long now) throws DcapRefusal {
        return trusted(crl, rootKey, "the root CA CRL", now);
    }

    /** Checks a CRL issued by {@code issuer}, a certificate already checked with {@link #verifyChain}. */
    TrustedCrl issuedCrl(X509CRL crl, X509Certificate issuer, String what, long now) throws DcapRefusal {
        if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            throw new DcapRefusal(QuoteRefusal.BAD_COLLATERAL, what + " is issued by '" + commonName(crl.getIssuerX500Principal())
                    + "', not by '" + commonName(issuer.getSubjectX500Principal()) + "'");
        }
        boolean[] usage = issuer.getKeyUsage();
        if (usage != null && (usage.length <= CRL_SIGN || !usage[CRL_SIGN])) {
            throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "'" + commonName(issuer.getSubjectX500Principal())
                    + "' may not sign CRLs (no cRLSign key usage)");
        }
        return trusted(crl, issuer.getPublicKey(), what, now);
    }

    /**
     * Checks {@code chain} (leaf first) as a {@code kind} chain ending at the pinned root, at time {@code now}, and
     * looks every certificate up in the CRL of its issuer among {@code crls}.
     */
    void verifyChain(List<X509Certificate> chain, Chain kind, List<TrustedCrl> crls, long now) throws DcapRefusal {
        String what = kind.description;
        if (chain.size() != kind.length()) {
            throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "the " + what + " has " + chain.size()
                    + " certificates; Intel's has " + kind.length() + ", ending at the Intel SGX Root CA");
        }
        int last = chain.size() - 1;
        X509Certificate root = chain.get(last);
        if (!Arrays.equals(root.getPublicKey().getEncoded(), rootKeyEncoded)) {
            throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "the " + what + " ends at '"
                    + commonName(root.getSubjectX500Principal()) + "' with key "
                    + Sha256.hash(root.getPublicKey().getEncoded()).shortHex()
                    + ", not at the pinned Intel SGX Root CA key " + Sha256.hash(rootKeyEncoded).shortHex());
        }
        for (int i = last; i >= 0; i--) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = chain.get(Math.min(i + 1, last));
            PublicKey issuerKey = i == last ? rootKey : issuer.getPublicKey();
            String name = "'" + commonName(cert.getSubjectX500Principal()) + "'";
            if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "in the " + what + ", " + name + " names issuer '"
                        + cert.getIssuerX500Principal().getName() + "', not '"
                        + issuer.getSubjectX500Principal().getName() + "'");
            }
            if (!ECDSA_WITH_SHA256.equals(cert.getSigAlgOID())) {
                throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE, "in the " + what + ", " + name
                        + " is not signed with ECDSA-SHA256 (" + cert.getSigAlgName() + ")");
            }
            try {
                cert.verify(issuerKey);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE, "in the " + what + ", the signature on " + name
                        + " does not verify with its issuer's key");
            }
            Set<String> critical = cert.getCriticalExtensionOIDs();
            if (critical != null && !UNDERSTOOD_CRITICAL_EXTENSIONS.containsAll(critical)) {
                throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "in the " + what + ", " + name
                        + " has a critical extension this verifier does not understand: " + critical);
            }
            long notBefore = cert.getNotBefore().getTime();
            long notAfter = cert.getNotAfter().getTime();
            if (now < notBefore || now > notAfter) {
                throw new DcapRefusal(QuoteRefusal.COLLATERAL_EXPIRED, "in the " + what + ", " + name + " is valid from "
                        + Instant.ofEpochMilli(notBefore) + " to " + Instant.ofEpochMilli(notAfter) + ", not at "
                        + Instant.ofEpochMilli(now));
            }
            if (i < last && !kind.issuedCommonNames.get(i).contains(commonName(cert.getSubjectX500Principal()))) {
                throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "in the " + what + ", certificate " + (i + 1) + " is "
                        + name + ", not " + String.join(" or ", kind.issuedCommonNames.get(i).stream().sorted().toList()));
            }
            boolean[] usage = cert.getKeyUsage();
            if (i >= 1) {
                // An issuer must be a CA whose path length allows the i - 1 CAs below it.
                if (cert.getBasicConstraints() < i - 1 || usage == null || usage.length <= KEY_CERT_SIGN
                        || !usage[KEY_CERT_SIGN]) {
                    throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "in the " + what + ", " + name
                            + " issues a certificate but is not a CA allowed to sign certificates at that depth");
                }
            } else if (kind.leafSignsData && usage != null && (usage.length <= DIGITAL_SIGNATURE || !usage[DIGITAL_SIGNATURE])) {
                throw new DcapRefusal(QuoteRefusal.UNTRUSTED_ROOT, "in the " + what + ", " + name
                        + " may not sign data (no digitalSignature key usage)");
            }
        }
        for (int i = last; i >= 0; i--) {
            X509Certificate cert = chain.get(i);
            PublicKey issuerKey = i == last ? rootKey : chain.get(i + 1).getPublicKey();
            X509CRL crl = crlOf(cert, issuerKey, crls, what);
            if (crl.getRevokedCertificate(cert) != null) {
                throw new DcapRefusal(QuoteRefusal.REVOKED, "in the " + what + ", '" + commonName(cert.getSubjectX500Principal())
                        + "' (serial " + cert.getSerialNumber().toString(16) + ") is revoked by the CRL of '"
                        + commonName(cert.getIssuerX500Principal()) + "'");
            }
        }
    }

    private static X509CRL crlOf(X509Certificate cert, PublicKey issuerKey, List<TrustedCrl> crls, String what)
            throws DcapRefusal {
        for (TrustedCrl c : crls) {
            if (c.crl().getIssuerX500Principal().equals(cert.getIssuerX500Principal())) {
                if (!Arrays.equals(c.signer().getEncoded(), issuerKey.getEncoded())) {
                    throw new DcapRefusal(QuoteRefusal.BAD_COLLATERAL, "the CRL of '" + commonName(cert.getIssuerX500Principal())
                            + "' is signed by a different key than the one that issued '"
                            + commonName(cert.getSubjectX500Principal()) + "' in the " + what);
                }
                return c.crl();
            }
        }
        throw new DcapRefusal(QuoteRefusal.BAD_COLLATERAL, "the collateral has no CRL of '"
                + commonName(cert.getIssuerX500Principal()) + "' to check '" + commonName(cert.getSubjectX500Principal())
                + "' in the " + what + " against");
    }

    private static TrustedCrl trusted(X509CRL crl, PublicKey signer, String what, long now) throws DcapRefusal {
        if (!ECDSA_WITH_SHA256.equals(crl.getSigAlgOID())) {
            throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE, what + " is not signed with ECDSA-SHA256 (" + crl.getSigAlgName() + ")");
        }
        try {
            crl.verify(signer);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE, "the signature on " + what + " does not verify with its issuer's key");
        }
        Set<String> critical = crl.getCriticalExtensionOIDs();
        if (critical != null && !critical.isEmpty()) {
            throw new DcapRefusal(QuoteRefusal.BAD_COLLATERAL, what + " has critical extensions this verifier does not understand: "
                    + critical);
        }
        if (crl.getNextUpdate() == null) {
            throw new DcapRefusal(QuoteRefusal.BAD_COLLATERAL, what + " has no nextUpdate");
        }
        long thisUpdate = crl.getThisUpdate().getTime();
        long nextUpdate = crl.getNextUpdate().getTime();
        if (now < thisUpdate || now > nextUpdate) {
            throw new DcapRefusal(QuoteRefusal.COLLATERAL_EXPIRED, what + " is valid from " + Instant.ofEpochMilli(thisUpdate)
                    + " to " + Instant.ofEpochMilli(nextUpdate) + ", not at " + Instant.ofEpochMilli(now));
        }
        return new TrustedCrl(crl, signer);
    }

    /** The subject's single common name, or "" if it has none or several. */
    static String commonName(X500Principal principal) {
        try {
            RDN[] rdns = X500Name.getInstance(principal.getEncoded()).getRDNs(BCStyle.CN);
            if (rdns.length == 1 && !rdns[0].isMultiValued() && rdns[0].getFirst().getValue() instanceof ASN1String s) {
                return s.getString();
            }
            return "";
        } catch (RuntimeException e) {
            return "";
        }
    }
}
