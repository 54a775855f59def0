package cloister.tee.dcap;

import static cloister.tee.dcap.TestPki.YEAR;
import static cloister.tee.dcap.TestPki.certificate;
import static cloister.tee.dcap.TestPki.crl;
import static cloister.tee.dcap.TestPki.intelName;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.tee.QuoteRefusal;
import cloister.tee.dcap.IntelRootOfTrust.Chain;
import cloister.tee.dcap.IntelRootOfTrust.TrustedCrl;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The chain, CRL and role checks, on a self-made hierarchy shaped like Intel's (root → PCK Processor CA → PCK
 * certificate), since real Intel collateral cannot be made to revoke or expire on demand.
 */
class IntelRootOfTrustTest {
    private static final long NOW = 1_750_000_000_000L;
    private static final long DAY = 24 * 3600 * 1000L;
    /** X.509 times have one-second resolution. */
    private static final long SECOND = 1000L;
    private static final String CA_CN = "Intel SGX PCK Processor CA";

    private final KeyPair rootKey = TestPki.keyPair();
    private final KeyPair caKey = TestPki.keyPair();
    private final KeyPair leafKey = TestPki.keyPair();
    private final X509Certificate root = TestPki.fakeIntelRoot(rootKey, NOW);
    private final X509Certificate ca = certificate(intelName(CA_CN), caKey.getPublic(), intelName("Intel SGX Root CA"),
            rootKey.getPrivate(), NOW - YEAR, NOW + 5 * YEAR, 0, KeyUsage.keyCertSign | KeyUsage.cRLSign);
    private final X509Certificate leaf = leaf(IntelRootOfTrust.PCK_CN, NOW - YEAR, NOW + YEAR);
    private final IntelRootOfTrust trust = new IntelRootOfTrust(rootKey.getPublic().getEncoded());

    private X509Certificate leaf(String commonName, long notBefore, long notAfter) {
        return certificate(intelName(commonName), leafKey.getPublic(), intelName(CA_CN), caKey.getPrivate(), notBefore,
                notAfter, -1, KeyUsage.digitalSignature | KeyUsage.nonRepudiation);
    }

    private X509CRL rootCrl(java.math.BigInteger... revoked) {
        return crl(intelName("Intel SGX Root CA"), rootKey.getPrivate(), NOW - DAY, NOW + DAY, revoked);
    }

    private X509CRL pckCrl(java.math.BigInteger... revoked) {
        return crl(intelName(CA_CN), caKey.getPrivate(), NOW - DAY, NOW + DAY, revoked);
    }

    private List<TrustedCrl> crls(X509CRL rootCrl, X509CRL pckCrl) throws DcapRefusal {
        TrustedCrl r = trust.rootCrl(rootCrl, NOW);
        trust.verifyChain(List.of(ca, root), Chain.PCK_CRL_ISSUER, List.of(r), NOW);
        return List.of(r, trust.issuedCrl(pckCrl, ca, "the PCK CRL", NOW));
    }

    @Test
    void anIntelShapedChainWithCurrentCrlsPasses() throws DcapRefusal {
        List<TrustedCrl> crls = crls(rootCrl(), pckCrl());
        assertDoesNotThrow(() -> trust.verifyChain(List.of(leaf, ca, root), Chain.PCK, crls, NOW));
    }

    @Test
    void aRevokedPckCertificateIsRefused() throws DcapRefusal {
        List<TrustedCrl> crls = crls(rootCrl(), pckCrl(leaf.getSerialNumber()));
        refused(QuoteRefusal.REVOKED, () -> trust.verifyChain(List.of(leaf, ca, root), Chain.PCK, crls, NOW));
    }

    @Test
    void aRevokedCaIsRefused() {
        refused(QuoteRefusal.REVOKED, () -> crls(rootCrl(ca.getSerialNumber()), pckCrl()));
    }

    @Test
    void aRootThatRevokesItselfIsRefused() {
        refused(QuoteRefusal.REVOKED, () -> crls(rootCrl(root.getSerialNumber()), pckCrl()));
    }

    @Test
    void certificatesOutsideTheirValidityAreExpired() throws DcapRefusal {
        List<TrustedCrl> crls = crls(rootCrl(), pckCrl());
        X509Certificate old = leaf(IntelRootOfTrust.PCK_CN, NOW - 2 * YEAR, NOW - SECOND);
        X509Certificate future = leaf(IntelRootOfTrust.PCK_CN, NOW + SECOND, NOW + YEAR);
        refused(QuoteRefusal.COLLATERAL_EXPIRED, () -> trust.verifyChain(List.of(old, ca, root), Chain.PCK, crls, NOW));
        refused(QuoteRefusal.COLLATERAL_EXPIRED, () -> trust.verifyChain(List.of(future, ca, root), Chain.PCK, crls, NOW));
    }

    @Test
    void crlsOutsideTheirWindowAreExpired() {
        X509CRL stale = crl(intelName("Intel SGX Root CA"), rootKey.getPrivate(), NOW - 2 * DAY, NOW - SECOND);
        X509CRL early = crl(intelName("Intel SGX Root CA"), rootKey.getPrivate(), NOW + SECOND, NOW + DAY);
        refused(QuoteRefusal.COLLATERAL_EXPIRED, () -> trust.rootCrl(stale, NOW));
        refused(QuoteRefusal.COLLATERAL_EXPIRED, () -> trust.rootCrl(early, NOW));
    }

    @Test
    void aCrlNotSignedByItsIssuerIsRefused() {
        X509CRL forged = crl(intelName("Intel SGX Root CA"), caKey.getPrivate(), NOW - DAY, NOW + DAY);
        refused(QuoteRefusal.BAD_SIGNATURE, () -> trust.rootCrl(forged, NOW));
        X509CRL forgedPck = crl(intelName(CA_CN), rootKey.getPrivate(), NOW - DAY, NOW + DAY);
        refused(QuoteRefusal.BAD_SIGNATURE, () -> trust.issuedCrl(forgedPck, ca, "the PCK CRL", NOW));
    }

    @Test
    void aCrlFromAnotherCaOfTheSameNameDoesNotCount() throws DcapRefusal {
        KeyPair otherKey = TestPki.keyPair();
        X509Certificate otherCa = certificate(intelName(CA_CN), otherKey.getPublic(), intelName("Intel SGX Root CA"),
                rootKey.getPrivate(), NOW - YEAR, NOW + YEAR, 0, KeyUsage.keyCertSign | KeyUsage.cRLSign);
        TrustedCrl r = trust.rootCrl(rootCrl(), NOW);
        TrustedCrl otherCrl = trust.issuedCrl(crl(intelName(CA_CN), otherKey.getPrivate(), NOW - DAY, NOW + DAY),
                otherCa, "the PCK CRL", NOW);
        refused(QuoteRefusal.BAD_COLLATERAL,
                () -> trust.verifyChain(List.of(leaf, ca, root), Chain.PCK, List.of(r, otherCrl), NOW));
    }

    @Test
    void aMissingCrlIsBadCollateral() throws DcapRefusal {
        TrustedCrl r = trust.rootCrl(rootCrl(), NOW);
        refused(QuoteRefusal.BAD_COLLATERAL, () -> trust.verifyChain(List.of(leaf, ca, root), Chain.PCK, List.of(r), NOW));
    }

    @Test
    void anotherRootIsUntrusted() throws DcapRefusal {
        List<TrustedCrl> crls = crls(rootCrl(), pckCrl());
        IntelRootOfTrust intel = IntelRootOfTrust.intel();
        refused(QuoteRefusal.UNTRUSTED_ROOT, () -> intel.verifyChain(List.of(leaf, ca, root), Chain.PCK, crls, NOW));
    }

    @Test
    void certificatesMustHaveTheRoleOfTheirPosition() throws DcapRefusal {
        List<TrustedCrl> crls = crls(rootCrl(), pckCrl());
        X509Certificate signer = leaf(IntelRootOfTrust.TCB_SIGNING_CN, NOW - YEAR, NOW + YEAR);
        refused(QuoteRefusal.UNTRUSTED_ROOT, () -> trust.verifyChain(List.of(signer, ca, root), Chain.PCK, crls, NOW));
        refused(QuoteRefusal.UNTRUSTED_ROOT, () -> trust.verifyChain(List.of(leaf, root), Chain.PCK, crls, NOW));
        refused(QuoteRefusal.UNTRUSTED_ROOT, () -> trust.verifyChain(List.of(leaf, ca, root), Chain.TCB_SIGNING, crls, NOW));
        X509Certificate notCa = certificate(intelName(CA_CN), caKey.getPublic(), intelName("Intel SGX Root CA"),
                rootKey.getPrivate(), NOW - YEAR, NOW + YEAR, -1, KeyUsage.digitalSignature);
        refused(QuoteRefusal.UNTRUSTED_ROOT, () -> trust.verifyChain(List.of(leaf, notCa, root), Chain.PCK, crls, NOW));
    }

    @Test
    void aCertificateNotSignedByItsIssuerIsRefused() throws DcapRefusal {
        List<TrustedCrl> crls = crls(rootCrl(), pckCrl());
        X509Certificate selfIssued = certificate(intelName(IntelRootOfTrust.PCK_CN), leafKey.getPublic(), intelName(CA_CN),
                leafKey.getPrivate(), NOW - YEAR, NOW + YEAR, -1, KeyUsage.digitalSignature);
        refused(QuoteRefusal.BAD_SIGNATURE, () -> trust.verifyChain(List.of(selfIssued, ca, root), Chain.PCK, crls, NOW));
    }

    private static void refused(QuoteRefusal reason, Executable check) {
        DcapRefusal r = assertThrows(DcapRefusal.class, check);
        assertEquals(reason, r.reason(), r.getMessage());
    }
}
