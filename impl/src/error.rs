//! The implementation's error type.

use core::fmt;

/// Why an operation of this crate refused its input.
///
/// The variants are deliberately coarse where detail would help an attacker: a
/// failed decryption does not say whether the tag, the length or the key was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// RFC 7748 §6.1: the X25519 output is all zeros, so the peer's public key was a
    /// low-order point and the result carries none of our secret.
    NonContributoryKey,
    /// The ciphertext did not authenticate (or was shorter than a tag). Nothing of
    /// the plaintext is released.
    DecryptionFailed,
    /// A message authentication code did not verify.
    MacMismatch,
    /// RFC 5869 §2.3: more than `255 * 32` bytes of HKDF output were asked for.
    KdfOutputTooLong,
    /// RFC 8439 §2.8: the plaintext or associated data is longer than the AEAD
    /// accepts (about 256 GiB for the plaintext).
    MessageTooLong,
    /// XEdDSA §3: the signature does not verify (or its `s` is not canonical, or
    /// the public key is not a canonical u-coordinate of a point on the curve). The
    /// error does not say which.
    InvalidSignature,
    /// A truncated MAC tag was shorter than this crate accepts (see
    /// [`crate::hmac::MIN_TAG_LEN`]) or longer than the full tag.
    InvalidTagLength,
    /// A fixed-size byte string (an ML-KEM key or ciphertext) had the wrong length.
    /// FIPS 203 §7.2 and §7.3 call this the type check.
    InvalidLength,
    /// FIPS 203 §7.2: the ML-KEM encapsulation key fails the modulus check (one of
    /// its 12-bit coefficients is not below q = 3329).
    InvalidEncapsulationKey,
    /// FIPS 203 §7.3: the ML-KEM decapsulation key fails the hash check (the `H(ek)`
    /// stored in it is not the hash of the `ek` stored in it), or the `ek` stored in
    /// it fails the §7.2 modulus check.
    InvalidDecapsulationKey,
    /// SPEC §7 `UnknownVersion`: a message, bundle or state whose first byte is not
    /// `VERSION` (0x01).
    UnknownVersion,
    /// SPEC §7 `InvalidMessage`: a wrong type byte, a wrong length, trailing bytes,
    /// or a non-canonical flag or id (SPEC §3.2, §5).
    InvalidMessage,
    /// SPEC §7 `MessageTooLarge`: a plaintext over `MAX_PLAINTEXT_LEN` (encrypting),
    /// or a ratchet message longer than 58 + 65536 bytes (decoding).
    MessageTooLarge,
    /// SPEC §7 `TooManySkipped`: a message would make a receiving chain skip more
    /// than `MAX_SKIP` message keys (`Nr + MAX_SKIP < until`).
    TooManySkipped,
    /// SPEC §7 `Duplicate`: a message on the current receiving chain whose key was
    /// already used (a replay).
    Duplicate,
    /// SPEC §7 `NoSendingChain`: encrypting before a sending chain exists (Bob,
    /// before his first decryption).
    NoSendingChain,
    /// SPEC §7 `ChainExhausted`: a message number would pass `2^32 - 1`.
    ChainExhausted,
    /// SPEC §7 `PreKeyMismatch`: a PreKey message for a session that was not made
    /// from that PreKey message (every PreKey message, for Alice's sessions).
    PreKeyMismatch,
    /// SPEC §7 `InvalidState`: a session encoding that does not decode (SPEC §6).
    InvalidState,
    /// SPEC §7 `PreKeyReplay` (SPEC §3.5): a PreKey message whose `EK_A` Bob's store
    /// already accepted under the same last-resort post-quantum prekey: a replayed
    /// first message, which would otherwise open a second session with the same keys.
    PreKeyReplay,
    /// SPEC §3.5: the PreKey message names a prekey id that Bob's prekey store does
    /// not hold (never issued, or a one-time prekey already used).
    UnknownPreKey,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::NonContributoryKey => "X25519 output is all zeros (non-contributory key)",
            Error::DecryptionFailed => "decryption failed",
            Error::MacMismatch => "MAC verification failed",
            Error::KdfOutputTooLong => "HKDF output longer than 255 * 32 bytes",
            Error::MessageTooLong => "message too long for ChaCha20-Poly1305",
            Error::InvalidTagLength => "MAC tag length out of range",
            Error::InvalidLength => "byte string of the wrong length",
            Error::InvalidEncapsulationKey => {
                "ML-KEM encapsulation key fails the modulus check (FIPS 203 §7.2)"
            }
            Error::InvalidDecapsulationKey => {
                "ML-KEM decapsulation key fails the hash check (FIPS 203 §7.3)"
            }
            Error::InvalidSignature => "signature verification failed",
            Error::UnknownVersion => "unknown protocol version",
            Error::InvalidMessage => "malformed message",
            Error::MessageTooLarge => "message too large",
            Error::TooManySkipped => "too many skipped messages",
            Error::Duplicate => "duplicate message",
            Error::NoSendingChain => "no sending chain yet",
            Error::ChainExhausted => "message number exhausted",
            Error::PreKeyMismatch => "PreKey message does not belong to this session",
            Error::InvalidState => "malformed session state",
            Error::PreKeyReplay => "PreKey message replayed under a last-resort prekey",
            Error::UnknownPreKey => "unknown prekey id",
        })
    }
}

impl core::error::Error for Error {}
