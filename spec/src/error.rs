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
    /// SPEC §7: a message, bundle or state whose version byte is not `VERSION`.
    UnknownVersion,
    /// SPEC §7: a wrong type byte, a wrong length, trailing bytes, or a
    /// non-canonical flag or id.
    InvalidMessage,
    /// SPEC §7: a plaintext longer than `MAX_PLAINTEXT_LEN`.
    MessageTooLarge,
    /// SPEC §3.3: a bundle signature does not verify.
    InvalidSignature,
    /// SPEC §4.6; DR §3.5: `Nr + MAX_SKIP < until`.
    TooManySkipped,
    /// SPEC §4.6: a message on the current receiving chain whose key was already used.
    Duplicate,
    /// SPEC §4.6: the message's AEAD tag does not verify.
    DecryptionFailed,
    /// SPEC §4.5: encrypting before a sending chain exists.
    NoSendingChain,
    /// SPEC §4.5: the sending message number would pass `2^32 - 1`.
    ChainExhausted,
    /// SPEC §5.2: a PreKey message for a session made from another PreKey message.
    PreKeyMismatch,
    /// SPEC §6: a session encoding that does not decode.
    InvalidState,
    /// SPEC §3.5: a PreKey message whose `EK_A` Bob already accepted under the same
    /// last-resort post-quantum prekey (a replayed first message).
    PreKeyReplay,
}
