//! The implementation's error type, named as SPEC §7 names the errors.
//!
//! One list declares the per-operation types ([`DecodeError`], [`BundleError`],
//! [`SessionError`], [`FrankingError`], [`StorageError`], [`PrimitiveError`]), the [`Error`] over them,
//! [`Error::ALL`] and the names, so they cannot disagree. The spec's error (`lockstep_spec::Error`) carries the same names
//! for the same conditions; the harness compares the two sides by name, and a test
//! holds both lists to SPEC §7's tables.

use core::fmt;

/// Declares the per-operation error types, [`Error`] over them, [`Error::ALL`],
/// the `name()`s and the `Display` texts from one list.
macro_rules! errors {
    ($(
        $(#[doc = $gdoc:literal])+
        $group:ident($gty:ident) {
            $( $(#[doc = $doc:literal])+ $name:ident => $text:literal, )+
        }
    )+) => {
        $(
            $(#[doc = $gdoc])+
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            #[non_exhaustive]
            pub enum $gty {
                $( $(#[doc = $doc])+ $name, )+
            }

            impl $gty {
                /// The error's name in SPEC §7 (and in the protocol vectors).
                #[must_use]
                pub const fn name(self) -> &'static str {
                    match self {
                        $( $gty::$name => stringify!($name), )+
                    }
                }
            }

            impl fmt::Display for $gty {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(match self {
                        $( $gty::$name => $text, )+
                    })
                }
            }

            impl From<$gty> for Error {
                fn from(error: $gty) -> Self {
                    Error::$group(error)
                }
            }

            impl core::error::Error for $gty {}
        )+

        /// Why an operation of this crate refused its input: one error type, grouped
        /// by the operation that refused (as rustls and vodozemac group theirs), each
        /// leaf named as SPEC §7 names it.
        ///
        /// Match a group (`Error::Session(_)`) or a leaf: every leaf is also an
        /// associated constant of its SPEC §7 name (`Error::Duplicate` is
        /// `Error::Session(SessionError::Duplicate)`), usable in patterns. The errors
        /// are deliberately coarse where detail would help an attacker: a failed
        /// decryption does not say whether the tag, the length or the key was wrong.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Error {
            $( $(#[doc = $gdoc])+ $group($gty), )+
        }

        #[allow(
            non_upper_case_globals,
            reason = "SPEC §7's names, so `Error::Duplicate` reads as the spec's error"
        )]
        impl Error {
            $( $(
                $(#[doc = $doc])+
                pub const $name: Error = Error::$group($gty::$name);
            )+ )+

            /// Every error, grouped by operation.
            pub const ALL: &'static [Error] = &[$( $( Error::$group($gty::$name), )+ )+];

            /// The error's name in SPEC §7 (and in the protocol vectors).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $( Error::$group(error) => error.name(), )+
                }
            }
        }

        impl fmt::Display for Error {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( Error::$group(error) => fmt::Display::fmt(error, f), )+
                }
            }
        }
    };
}

errors! {
    /// The bytes of a message, bundle or state do not decode (SPEC §3.2, §5, §6), or
    /// a plaintext is too large to encode.
    Decode(DecodeError) {
        /// SPEC §7 `UnknownVersion`: a message, bundle or state whose first byte is not
        /// `VERSION` (0x01).
        UnknownVersion => "unknown protocol version",
        /// SPEC §7 `InvalidMessage`: a wrong type byte, a wrong length, trailing bytes,
        /// or a non-canonical flag or id (SPEC §3.2, §5).
        InvalidMessage => "malformed message",
        /// SPEC §7 `MessageTooLarge`: a plaintext over `MAX_PLAINTEXT_LEN` (encrypting),
        /// or a ratchet message longer than 58 + 65536 bytes (decoding).
        MessageTooLarge => "message too large",
        /// SPEC §7 `InvalidState`: a session encoding that does not decode (SPEC §6).
        InvalidState => "malformed session state",
    }
    /// A prekey bundle, or a key in it, fails verification (SPEC §3.3; FIPS 203 §7.2,
    /// §7.3).
    Bundle(BundleError) {
        /// SPEC §7 `InvalidSignature`; XEdDSA §3: the signature does not verify (or its
        /// `s` is not canonical, or the public key is not a canonical u-coordinate of a
        /// point on the curve). The error does not say which.
        InvalidSignature => "signature verification failed",
        /// SPEC §7 `InvalidKey`; FIPS 203 §7.2, §7.3: an ML-KEM encapsulation key fails
        /// the modulus check (one of its 12-bit coefficients is not below q = 3329), or a
        /// decapsulation key fails the hash check (the `H(ek)` stored in it is not the
        /// hash of the `ek` stored in it) or holds an `ek` that fails §7.2.
        InvalidKey => "ML-KEM key fails its FIPS 203 check (§7.2 modulus or §7.3 hash)",
    }
    /// A session operation refused: set-up, accepting, encrypting or decrypting
    /// (SPEC §3.5, §3.6, §4.5, §4.6, §5.2). The session and the prekey store are
    /// unchanged.
    Session(SessionError) {
        /// SPEC §7 `NonContributory`; RFC 7748 §6.1: the X25519 output is all zeros, so
        /// the peer's public key was a low-order point and the result carries none of
        /// our secret.
        NonContributory => "X25519 output is all zeros (non-contributory key)",
        /// SPEC §7 `TooManySkipped`: a message would make a receiving chain skip more
        /// than `MAX_SKIP` message keys (`Nr + MAX_SKIP < until`).
        TooManySkipped => "too many skipped messages",
        /// SPEC §7 `Duplicate`: a message on the current receiving chain whose key was
        /// already used (a replay).
        Duplicate => "duplicate message",
        /// SPEC §7 `DecryptionFailed`: the ciphertext did not authenticate (or was
        /// shorter than a tag). Nothing of the plaintext is released.
        DecryptionFailed => "decryption failed",
        /// SPEC §7 `NoSendingChain`: encrypting before a sending chain exists (Bob,
        /// before his first decryption).
        NoSendingChain => "no sending chain yet",
        /// SPEC §7 `ChainExhausted`: a message number would pass `2^32 - 1`.
        ChainExhausted => "message number exhausted",
        /// SPEC §7 `UnknownPreKey` (SPEC §3.5): the PreKey message names a prekey id
        /// that Bob's prekey store does not hold (never issued, or a one-time prekey
        /// already used).
        UnknownPreKey => "unknown prekey id",
        /// SPEC §7 `PreKeyMismatch`: a PreKey message for a session that was not made
        /// from that PreKey message (every PreKey message, for Alice's sessions).
        PreKeyMismatch => "PreKey message does not belong to this session",
        /// SPEC §7 `PreKeyReplay` (SPEC §3.5): a PreKey message whose `EK_A` Bob's store
        /// already accepted under the same last-resort post-quantum prekey: a replayed
        /// first message, which would otherwise open a second session with the same keys.
        PreKeyReplay => "PreKey message replayed under a last-resort prekey",
        /// SPEC §7 `UntrustedIdentity`: the identity check given to
        /// [`crate::Session::accept_trusted`] declined Alice's identity key `IK_A`; no
        /// session was made and the prekey store is unchanged.
        UntrustedIdentity => "the identity check declined the peer's identity key",
    }
    /// A franked message, or a report of one, fails a franking check (SPEC §9). A
    /// franked message refused so leaves the session and the prekey store unchanged.
    Franking(FrankingError) {
        /// SPEC §7 `CommitmentMismatch` (SPEC §9.2 `Open`, `VerifyReport`): a franked
        /// payload shorter than the 32-byte franking key, or whose franking key and
        /// message do not open the commitment `c`.
        CommitmentMismatch => "franked message does not open its commitment",
        /// SPEC §7 `InvalidStamp` (SPEC §9.2 `VerifyReport`): a report whose stamp tag
        /// is not the platform's over its commitment, sender, recipient and time.
        InvalidStamp => "report's stamp does not verify",
        /// SPEC §7 `NotRecipient` (SPEC §9.2 `VerifyReport`): a report sent by an
        /// account other than the recipient it names.
        NotRecipient => "report not sent by the message's recipient",
    }
    /// Sealed storage does not open (SPEC §6.1).
    Storage(StorageError) {
        /// SPEC §7 `SealedDataInvalid` (SPEC §6.1): sealed storage that is too short,
        /// was sealed as another kind of value, or does not authenticate under the
        /// storage key given (a wrong key, or changed bytes). The error does not say
        /// which.
        SealedDataInvalid => "sealed data does not open under this storage key",
    }
    /// A primitive function refused its input (SPEC §7, second table); no session
    /// operation returns these.
    Primitive(PrimitiveError) {
        /// SPEC §7 `HkdfOutputTooLong`; RFC 5869 §2.3: more than `255 * 32` bytes of
        /// HKDF output were asked for.
        HkdfOutputTooLong => "HKDF output longer than 255 * 32 bytes",
        /// SPEC §7 `ChaCha20CounterOverflow`; RFC 8439 §2.4, §2.8: the plaintext or
        /// associated data is longer than the AEAD accepts (about 256 GiB for the
        /// plaintext: ChaCha20's 32-bit block counter would wrap).
        ChaCha20CounterOverflow => "message too long for ChaCha20-Poly1305",
        /// SPEC §7 `MacMismatch`: a message authentication code did not verify.
        MacMismatch => "MAC verification failed",
        /// SPEC §7 `InvalidTagLength`: a truncated MAC tag was shorter than this crate
        /// accepts (see `hmac::MIN_TAG_LEN`) or longer than the full tag.
        InvalidTagLength => "MAC tag length out of range",
        /// SPEC §7 `InvalidLength`; FIPS 203 §7.2, §7.3 (the type check): a fixed-size
        /// byte string (an ML-KEM key or ciphertext) had the wrong length.
        InvalidLength => "byte string of the wrong length",
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::Error;

    /// Each name is its variant's, and no two are the same.
    #[test]
    fn names_are_the_variants() {
        for (i, e) in Error::ALL.iter().enumerate() {
            let debug = format!("{e:?}");
            assert!(debug.ends_with(&format!("({})", e.name())), "{debug}");
            assert_eq!(
                *e,
                Error::ALL
                    .iter()
                    .copied()
                    .find(|x| x.name() == e.name())
                    .unwrap()
            );
            assert!(Error::ALL[..i].iter().all(|other| other.name() != e.name()));
        }
        assert_eq!(Error::ALL.len(), 25);
    }
}
