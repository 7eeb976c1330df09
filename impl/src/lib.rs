//! # lockstep: the optimised implementation of Lockstep
//!
//! The fast, hard-to-misuse side of Lockstep, checked byte for byte against the
//! executable specification in `lockstep-spec`. Modules mirror the spec's where both
//! exist; the primitives themselves come from audited crates (see
//! `docs/ARCHITECTURE.md`), so this crate has no SHA-256, ChaCha20 or field
//! arithmetic of its own.
//!
//! | module | spec module | built on |
//! |---|---|---|
//! | [`x25519`] | `lockstep_spec::x25519` | x25519-dalek 3 |
//! | [`hmac`] | `lockstep_spec::hmac` | hmac 0.13, sha2 0.11 |
//! | [`hkdf`] | `lockstep_spec::hkdf` | hkdf 0.13, sha2 0.11 |
//! | [`aead`] | `lockstep_spec::aead` | chacha20poly1305 0.11 |
//! | [`ml_kem`] | `lockstep_spec::ml_kem` | libcrux-ml-kem 0.0.11 (ML-KEM-1024) |
//! | [`xeddsa`] | `lockstep_spec::xeddsa` | curve25519-dalek 5, sha2 0.11 |
//! | [`consts`] | `lockstep_spec::consts` | SPEC §1 |
//! | [`wire`] | `lockstep_spec::wire` | SPEC §2, §3.2, §5 |
//! | [`pqxdh`] | `lockstep_spec::pqxdh` | [`x25519`], [`xeddsa`], [`ml_kem`], [`hkdf`] |
//! | [`ratchet`] | `lockstep_spec::ratchet` | [`x25519`], [`hkdf`], [`hmac`], [`aead`] |
//! | [`state`] | `lockstep_spec::state` | SPEC §6 |
//! | [`session`] | `lockstep_spec::session` | [`pqxdh`], [`ratchet`], [`wire`], sha2 0.11 |
//!
//! Conventions: every secret has its own type, is zeroized on drop, compares in
//! constant time and prints as `<redacted>`; every function that needs randomness
//! takes it as bytes or as `&mut impl CryptoRng`; nothing panics on input.
//!
//! # Example
//!
//! Bob publishes a signed prekey bundle; Alice verifies it, starts a session and
//! sends; Bob accepts her first message with his private prekeys; then they talk
//! both ways.
//!
//! ```
//! use lockstep::ml_kem::keygen;
//! use lockstep::pqxdh::{IdentityKeyPair, sign_bundle_with_rng};
//! use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, Session};
//! use lockstep::wire::PreKeyBundle;
//! use lockstep::x25519::PrivateKey;
//! use rand_chacha::ChaCha20Rng;
//! use rand_chacha::rand_core::SeedableRng;
//!
//! # fn main() -> Result<(), lockstep::Error> {
//! // Seeded, so the example is reproducible; real code uses the system's RNG.
//! let mut rng = ChaCha20Rng::from_seed([7; 32]);
//!
//! // Bob: an identity, a signed prekey, a last-resort post-quantum prekey and a
//! // one-time prekey, kept in his store under the ids the bundle names.
//! let bob_identity = IdentityKeyPair::generate(&mut rng);
//! let spk = PrivateKey::generate(&mut rng);
//! let opk = PrivateKey::generate(&mut rng);
//! let (pq_ek, pq_dk) = keygen(&mut rng);
//! let mut store = InMemoryPreKeyStore::new();
//! store.add_signed_prekey(1, &spk);
//! store.add_pq_prekey(2, &pq_dk, PqPreKeyKind::LastResort);
//! store.add_one_time_prekey(3, &opk);
//! // He signs the bundle and publishes its encoding.
//! let bundle = sign_bundle_with_rng(
//!     &mut rng,
//!     &bob_identity,
//!     1,
//!     &spk.public_key(),
//!     2,
//!     true,
//!     &pq_ek,
//!     Some((3, opk.public_key())),
//! );
//! let published: Vec<u8> = bundle.to_bytes();
//!
//! // Alice: decodes and verifies the bundle (only verification makes the
//! // `VerifiedPreKeyBundle` a session needs), starts a session and sends.
//! let alice_identity = IdentityKeyPair::generate(&mut rng);
//! let verified = PreKeyBundle::from_bytes(&published)?.verify()?;
//! let mut alice = Session::initiate(&mut rng, &alice_identity, &verified)?;
//! let first = alice.encrypt(b"hello Bob")?;
//!
//! // Bob: accepts her PreKey message; the one-time prekey is used up, the
//! // last-resort one kept.
//! let (mut bob, plaintext) = Session::accept(&mut rng, &bob_identity, &mut store, &first)?;
//! assert_eq!(plaintext, b"hello Bob");
//! assert!(!store.has_one_time_prekey(3));
//! assert!(store.has_pq_prekey(2));
//!
//! // Both ways from here on.
//! let reply = bob.encrypt(b"hello Alice")?;
//! assert_eq!(alice.decrypt(&mut rng, &reply)?, b"hello Alice");
//! let again = alice.encrypt(b"how are you?")?;
//! assert_eq!(bob.decrypt(&mut rng, &again)?, b"how are you?");
//!
//! // A session can be saved and restored; a replayed message is refused.
//! let mut bob = Session::from_bytes(&bob.to_bytes())?;
//! assert_eq!(bob.decrypt(&mut rng, &again), Err(lockstep::Error::Duplicate));
//! let fine = bob.encrypt(b"fine")?;
//! assert_eq!(alice.decrypt(&mut rng, &fine)?, b"fine");
//! # Ok(())
//! # }
//! ```

pub mod aead;
pub mod consts;
mod error;
pub mod hkdf;
pub mod hmac;
pub mod ml_kem;
pub mod pqxdh;
pub mod ratchet;
pub mod session;
pub mod state;
pub mod wire;
pub mod x25519;
pub mod xeddsa;

pub use error::Error;

#[cfg(test)]
mod tests {
    use zeroize::ZeroizeOnDrop;

    /// Every secret role is wiped on drop: a compile-time check, so a refactor that
    /// drops the guarantee fails to build.
    #[test]
    fn secret_types_zeroize_on_drop() {
        fn zeroizes_on_drop<T: ZeroizeOnDrop>() {}
        zeroizes_on_drop::<crate::x25519::PrivateKey>();
        zeroizes_on_drop::<crate::x25519::SharedSecret>();
        zeroizes_on_drop::<crate::aead::Key>();
        zeroizes_on_drop::<crate::hkdf::Prk>();
        zeroizes_on_drop::<crate::ml_kem::DecapsulationKey>();
        zeroizes_on_drop::<crate::ml_kem::SharedSecret>();
    }

    #[test]
    fn debug_of_a_prk_is_redacted() {
        let prk = crate::hkdf::extract(b"salt", b"secret input");
        assert_eq!(format!("{prk:?}"), "Prk(<redacted>)");
    }
}
