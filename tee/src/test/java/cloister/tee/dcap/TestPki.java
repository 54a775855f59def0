package cloister.tee.dcap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V2TBSCertListGenerator;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Self-made P-256 certificates and CRLs shaped like Intel's, built with BouncyCastle's ASN.1 classes (bcprov has no
 * certificate builder) and signed with the JDK: fake roots for the untrusted-root tests, and whole fake hierarchies
 * for the revocation and role tests of {@link IntelRootOfTrust}.
 */
final class TestPki {
    static final String INTEL_DN_SUFFIX = ", O=Intel Corporation, L=Santa Clara, ST=CA, C=US";
    static final long YEAR = 365L * 24 * 3600 * 1000;
    private static final AlgorithmIdentifier ECDSA_SHA256 = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestPki() {}

    static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static X500Name intelName(String commonName) {
        return new X500Name("CN=" + commonName + INTEL_DN_SUFFIX);
    }

    /** A v3 certificate; {@code pathLength} < 0 makes an end-entity certificate. */
    static X509Certificate certificate(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey,
                                       long notBefore, long notAfter, int pathLength, int keyUsage) {
        try {
            V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
            tbs.setSerialNumber(new ASN1Integer(new BigInteger(64, RANDOM).add(BigInteger.ONE)));
            tbs.setSignature(ECDSA_SHA256);
            tbs.setIssuer(issuer);
            tbs.setSubject(subject);
            tbs.setStartDate(new Time(new Date(notBefore)));
            tbs.setEndDate(new Time(new Date(notAfter)));
            tbs.setSubjectPublicKeyInfo(SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded()));
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.basicConstraints, true,
                    pathLength < 0 ? new BasicConstraints(false) : new BasicConstraints(pathLength));
            extensions.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            tbs.setExtensions(extensions.generate());
            TBSCertificate body = tbs.generateTBSCertificate();
            byte[] der = signed(body, issuerKey);
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA certificate with Intel's root name. */
    static X509Certificate fakeIntelRoot(KeyPair key, long now) {
        return certificate(intelName("Intel SGX Root CA"), key.getPublic(), intelName("Intel SGX Root CA"), key.getPrivate(),
                now - YEAR, now + 10 * YEAR, 1, KeyUsage.keyCertSign | KeyUsage.cRLSign);
    }

    static X509CRL crl(X500Name issuer, PrivateKey issuerKey, long thisUpdate, long nextUpdate, BigInteger... revoked) {
        try {
            V2TBSCertListGenerator tbs = new V2TBSCertListGenerator();
            tbs.setSignature(ECDSA_SHA256);
            tbs.setIssuer(issuer);
            tbs.setThisUpdate(new Time(new Date(thisUpdate)));
            tbs.setNextUpdate(new Time(new Date(nextUpdate)));
            for (BigInteger serial : revoked) {
                tbs.addCRLEntry(new ASN1Integer(serial), new Time(new Date(thisUpdate)), CRLReason.keyCompromise);
            }
            TBSCertList body = tbs.generateTBSCertList();
            byte[] der = signed(body, issuerKey);
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code SEQUENCE { body, ecdsa-with-SHA256, BIT STRING signature }}: the shape of a certificate and of a CRL. */
    private static byte[] signed(ASN1Encodable body, PrivateKey key) throws GeneralSecurityException, IOException {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key);
        s.update(body.toASN1Primitive().getEncoded(ASN1Encoding.DER));
        return new DERSequence(new ASN1Encodable[] {body, ECDSA_SHA256, new DERBitString(s.sign())})
                .getEncoded(ASN1Encoding.DER);
    }
}
