//! The spec's error type: every way a spec function can refuse its input, named as
//! SPEC §7 names it.
//!
//! One list declares the variants, [`Error::ALL`] and [`Error::name`], so the three
//! cannot disagree. The implementation's error (`lockstep::Error`) carries the same
//! names for the same conditions; the harness compares the two sides by name, and
//! a test holds both lists to SPEC §7's tables.

/// Declares [`Error`] with [`Error::ALL`] and [`Error::name`] from one list.
macro_rules! errors {
    ($( $(#[doc = $doc:literal])+ $name:ident, )+) => {
        /// Why a spec function refused its input.
        ///
        /// The variants name the document's own failure conditions; nothing else can
        /// fail. The first eighteen are the protocol's errors (SPEC §7, first table),
        /// the rest the primitives' (SPEC §7, second table: never returned by a
        /// protocol function).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Error {
            $( $(#[doc = $doc])+ $name, )+
        }

        impl Error {
            /// Every error, in SPEC §7's order.
            pub const ALL: &'static [Error] = &[$( Error::$name, )+];

            /// The error's name in SPEC §7 (and in the protocol vectors).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $( Error::$name => stringify!($name), )+
                }
            }
        }
    };
}

errors! {
    /// SPEC §7: a message, bundle or state whose version byte is not `VERSION`.
    UnknownVersion,
    /// SPEC §7: a wrong type byte, a wrong length, trailing bytes, or a
    /// non-canonical flag or id.
    InvalidMessage,
    /// SPEC §7: a plaintext longer than `MAX_PLAINTEXT_LEN`.
    MessageTooLarge,
    /// SPEC §3.3: a bundle signature does not verify.
    InvalidSignature,
    /// SPEC §7; FIPS 203 §7.2, §7.3: an ML-KEM key fails its check (an encapsulation
    /// key a coefficient of which is not reduced modulo q, or a decapsulation key
    /// whose stored `H(ek)` is not the hash of its `ek`).
    InvalidKey,
    /// SPEC §7; RFC 7748 §6.1: an X25519 output is all zeros (a low-order point was
    /// used).
    NonContributory,
    /// SPEC §4.6; DR §3.5: `Nr + MAX_SKIP < until`.
    TooManySkipped,
    /// SPEC §4.6: a message on the current receiving chain whose key was already used.
    Duplicate,
    /// SPEC §4.6; RFC 8439 §2.8: the AEAD tag does not verify (the Poly1305 tag did
    /// not match; the plaintext is withheld).
    DecryptionFailed,
    /// SPEC §4.5: encrypting before a sending chain exists.
    NoSendingChain,
    /// SPEC §4.5: the sending message number would pass `2^32 - 1`.
    ChainExhausted,
    /// SPEC §3.5: a PreKey message names a prekey id Bob's store does not hold
    /// (never issued, or a one-time prekey already used): the prekey store's
    /// look-up, `session::look_up_prekeys`.
    UnknownPreKey,
    /// SPEC §5.2: a PreKey message for a session made from another PreKey message.
    PreKeyMismatch,
    /// SPEC §3.5: a PreKey message whose `EK_A` Bob already accepted under the same
    /// last-resort post-quantum prekey (a replayed first message).
    PreKeyReplay,
    /// SPEC §6: a session encoding that does not decode.
    InvalidState,
    /// SPEC §7, §9.2: franking: a franked payload shorter than 32 bytes, or whose
    /// `fk` and `m` do not open the commitment `c` (the recipient's `Open`, the
    /// platform's `VerifyReport`).
    CommitmentMismatch,
    /// SPEC §7, §9.2: franking: a report whose stamp tag is not
    /// `StampTag(K_P, c, sender, recipient, t)`.
    InvalidStamp,
    /// SPEC §7, §9.2: franking: a report sent by an account other than the
    /// recipient it names.
    NotRecipient,
    /// RFC 5869 §2.3: `L` is larger than `255 * HashLen`.
    HkdfOutputTooLong,
    /// RFC 8439 §2.4: the 32-bit block counter would wrap within this message.
    ChaCha20CounterOverflow,
}

#[cfg(test)]
mod tests {
    use super::Error;

    /// Each name is its variant's, and no two are the same.
    #[test]
    fn names_are_the_variants() {
        for (i, e) in Error::ALL.iter().enumerate() {
            assert_eq!(e.name(), format!("{e:?}"));
            assert!(Error::ALL[..i].iter().all(|other| other.name() != e.name()));
        }
        assert_eq!(Error::ALL.len(), 20);
    }
}
