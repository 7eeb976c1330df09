//! The spec's error type: every way a spec function can refuse its input.

/// Why a spec function refused its input.
///
/// The variants name the document's own failure conditions; nothing else can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// RFC 5869 §2.3: `L` is larger than `255 * HashLen`.
    HkdfOutputTooLong,
    /// RFC 8439 §2.4: the 32-bit block counter would wrap within this message.
    ChaCha20CounterOverflow,
    /// RFC 8439 §2.8: the Poly1305 tag did not match; the plaintext is withheld.
    AeadAuthenticationFailed,
    /// RFC 7748 §6.1: the X25519 output is all zeros (a low-order point was used).
    X25519NonContributory,
    /// FIPS 203 §7.2: the encapsulation key fails the modulus check (a coefficient is
    /// not reduced modulo q).
    MlKemInvalidEncapsulationKey,
    /// FIPS 203 §7.3: the decapsulation key fails the hash check (`H(ek)` stored in it
    /// does not match its `ek`).
    MlKemInvalidDecapsulationKey,
}
