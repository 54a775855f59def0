/**
 * Intel DCAP quote verification: SGX ECDSA quotes (version 3) and TDX quotes (version 4), checked offline against
 * collateral in Phala dcap-qvl's {@code QuoteCollateralV3} JSON format and Intel's SGX Root CA, whose public key is
 * pinned in {@link cloister.tee.dcap.IntelRootOfTrust}.
 *
 * <p>The only public type is {@link cloister.tee.dcap.DcapQuoteVerifier}. Everything else is package-private: the
 * quote layout ({@code DcapQuote}, {@code EnclaveReport}, {@code TdReport10}), the collateral
 * ({@code QuoteCollateral}, {@code TcbInfo}, {@code QeIdentity}), the certificate checks
 * ({@code IntelRootOfTrust}, {@code PemCertificates}, {@code PckCertificate}) and the status arithmetic
 * ({@code TcbStatus}, {@code ConfidenceLevel}). What is checked, in which order, and what is not checked is written
 * down in docs/tee.md, section "DCAP (SGX quote v3, TDX quote v4)".
 *
 * <p>Verification is a pure function of the evidence bytes, the pinned root key and the caller's {@code nowMillis}:
 * no clock, no network, no files. The logic is a port of Phala's dcap-qvl ({@code verify.rs}, {@code quote.rs},
 * {@code tcb_info.rs}, {@code qe_identity.rs}) and, where dcap-qvl follows it, Intel's Quote Verification Library.
 */
package cloister.tee.dcap;
