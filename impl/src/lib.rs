//! # lockstep: the optimised implementation of Lockstep
//!
//! The fast, hard-to-misuse side of Lockstep, checked byte for byte against the
//! executable specification in `lockstep-spec`. Modules mirror the spec's where both
//! exist; the primitives themselves come from audited crates (see
//! `docs/ARCHITECTURE.md`), so this crate has no SHA-256, ChaCha20 or field
//! arithmetic of its own.
//!
//! The application API, always public:
//!
//! | module | what | spec |
//! |---|---|---|
//! | [`keys`] | identity key pair, prekeys, public keys | SPEC §3.1 |
//! | [`bundle`] | the prekey bundle: typed ids, a builder that signs, verification | `lockstep_spec::pqxdh`, `wire`; SPEC §3.2, §3.3 |
//! | [`session`] | `Session` (initiate, accept, encrypt, decrypt), the prekey store | `lockstep_spec::session`; SPEC §3.5, §3.6, §4.5, §5.2 |
//! | [`storage`] | sessions and keys sealed under a storage key | SPEC §6.1 |
//! | [`franking`] | message franking: party ids, the platform's stamp and report check, receipts (with `Session::encrypt_franked`, `decrypt_franked`, `accept_franked`) | `lockstep_spec::franking`; SPEC §9 |
//! | [`consts`] | every constant of SPEC §1 and §9.1 | `lockstep_spec::consts` |
//!
//! The low-level API, public only with the `hazmat` feature (the harness, the
//! benchmarks and the fuzz targets enable it), mirrors the spec module by module:
//!
//! | module | spec module | built on |
//! |---|---|---|
//! | `x25519` | `lockstep_spec::x25519` | aws-lc-rs 1 (AWS-LC's s2n-bignum) on x86-64 and AArch64, x25519-dalek 3 elsewhere |
//! | `hmac` | `lockstep_spec::hmac` | hmac 0.13, sha2 0.11 |
//! | `hkdf` | `lockstep_spec::hkdf` | hkdf 0.13, sha2 0.11 |
//! | `aead` | `lockstep_spec::aead` | chacha20poly1305 0.11 |
//! | `ml_kem` | `lockstep_spec::ml_kem` | libcrux-ml-kem 0.0.11 (ML-KEM-1024) |
//! | `xeddsa` | `lockstep_spec::xeddsa` | curve25519-dalek 5, sha2 0.11 |
//! | `wire` | `lockstep_spec::wire` | SPEC §2, §3.2, §5 |
//! | `pqxdh` | `lockstep_spec::pqxdh` | `x25519`, `xeddsa`, `ml_kem`, `hkdf` |
//! | `ratchet` | `lockstep_spec::ratchet` | `x25519`, `hkdf`, `hmac`, `aead` |
//! | `state` | `lockstep_spec::state` | SPEC §6 |
//!
//! With `hazmat`, [`session::Session`] also has the deterministic forms
//! (`initiate_with`, `accept_with`, `decrypt_with`, and for franking
//! `encrypt_franked_with`, `decrypt_franked_with`, `accept_franked_with`) that take
//! the random bytes as the spec does, and the plain state encoding (`to_bytes`, `from_bytes`); secret
//! keys can be made from bytes (`PrivateKey::from_bytes`,
//! `IdentityKeyPair::from_private_bytes`, `DecapsulationKey::from_bytes`), and the
//! bundle builder signs with given randomness (`sign_with`).
//!
//! Conventions: every secret has its own type, is zeroized on drop, compares in
//! constant time and prints as `<redacted>`; every function that needs randomness
//! takes it as bytes or as `&mut impl CryptoRng`; nothing panics on input.
//!
//! # Example
//!
//! Bob publishes a signed prekey bundle; Alice verifies it, starts a session and
//! sends; Bob accepts her first message with his private prekeys, once he has
//! checked who she is; then they talk both ways, and a session is saved sealed.
//! Only the application API is used: the low-level modules (the primitives, the
//! protocol's steps, the deterministic `*_with` entry points) are the `hazmat`
//! feature's.
//!
//! ```
//! use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, PqPreKeyKind, SignedPreKeyId};
//! use lockstep::keys::{DecapsulationKey, PrivateKey};
//! use lockstep::session::InMemoryPreKeyStore;
//! use lockstep::storage::StorageKey;
//! use lockstep::{Error, IdentityKeyPair, PreKeyBundle, Session};
//! use rand_chacha::ChaCha20Rng;
//! use rand_chacha::rand_core::SeedableRng;
//!
//! # fn main() -> Result<(), Error> {
//! // Seeded, so the example is reproducible; real code uses the system's RNG.
//! let mut rng = ChaCha20Rng::from_seed([7; 32]);
//!
//! // Bob: an identity, a signed prekey, a last-resort post-quantum prekey and a
//! // one-time prekey, kept in his store under the ids the bundle names.
//! let bob_identity = IdentityKeyPair::generate(&mut rng);
//! let spk = PrivateKey::generate(&mut rng);
//! let pqpk = DecapsulationKey::generate(&mut rng);
//! let opk = PrivateKey::generate(&mut rng);
//! let mut store = InMemoryPreKeyStore::new();
//! store.add_signed_prekey(SignedPreKeyId(1), &spk);
//! store.add_pq_prekey(PqPreKeyId(2), &pqpk, PqPreKeyKind::LastResort);
//! store.add_one_time_prekey(OneTimePreKeyId(3), &opk);
//! // He signs the bundle and publishes its encoding.
//! let published: Vec<u8> = PreKeyBundle::builder(&bob_identity)
//!     .signed_prekey(SignedPreKeyId(1), &spk.public_key())
//!     .pq_prekey(PqPreKeyId(2), pqpk.encapsulation_key(), PqPreKeyKind::LastResort)
//!     .one_time_prekey(OneTimePreKeyId(3), &opk.public_key())
//!     .sign(&mut rng)
//!     .to_bytes();
//!
//! // Alice: decodes and verifies the bundle (only verification makes the
//! // `VerifiedPreKeyBundle` a session needs), starts a session and sends.
//! let alice_identity = IdentityKeyPair::generate(&mut rng);
//! let verified = PreKeyBundle::from_bytes(&published)?.verify()?;
//! let mut alice = Session::initiate(&mut rng, &alice_identity, &verified)?;
//! let first = alice.encrypt(b"hello Bob")?;
//!
//! // Bob: accepts her PreKey message if her identity key is the one he expects
//! // (checked after her message authenticated, before his store changes). The
//! // one-time prekey is used up, the last-resort one kept.
//! let expected = alice_identity.public_key();
//! let (mut bob, plaintext) =
//!     Session::accept_trusted(&mut rng, &bob_identity, &mut store, &first, |ik_a| {
//!         *ik_a == expected
//!     })?;
//! assert_eq!(plaintext, b"hello Bob");
//! assert!(!store.has_one_time_prekey(OneTimePreKeyId(3)));
//! assert!(store.has_pq_prekey(PqPreKeyId(2)));
//! assert_eq!(bob.remote_identity_key(), alice_identity.public_key());
//! assert_eq!(alice.remote_identity_key(), bob_identity.public_key());
//!
//! // Both ways from here on.
//! let reply = bob.encrypt(b"hello Alice")?;
//! assert_eq!(alice.decrypt(&mut rng, &reply)?, b"hello Alice");
//! let again = alice.encrypt(b"how are you?")?;
//! assert_eq!(bob.decrypt(&mut rng, &again)?, b"how are you?");
//!
//! // A session is saved sealed under a storage key of the application's (a plain
//! // copy on disk would outlive the keys forward secrecy deletes) and restored;
//! // a replayed message is refused.
//! let storage_key = StorageKey::generate(&mut rng);
//! let saved = bob.to_encrypted_bytes(&storage_key, &mut rng)?;
//! let mut bob = Session::from_encrypted_bytes(&saved, &storage_key)?;
//! assert_eq!(bob.decrypt(&mut rng, &again), Err(Error::Duplicate));
//! let fine = bob.encrypt(b"fine")?;
//! assert_eq!(alice.decrypt(&mut rng, &fine)?, b"fine");
//! # Ok(())
//! # }
//! ```

/// Declares modules public with the `hazmat` feature and crate-private without it.
/// Without `hazmat` their items are the crate's own machinery, re-exported only
/// where [`keys`], [`bundle`] and [`session`] name them.
macro_rules! hazmat_modules {
    ($( $name:ident, )+) => {$(
        #[cfg(feature = "hazmat")]
        pub mod $name;
        #[cfg(not(feature = "hazmat"))]
        #[allow(
            dead_code,
            unreachable_pub,
            reason = "the low-level API, public only with the `hazmat` feature"
        )]
        mod $name;
    )+};
}

/// Declares a function `pub` with the `hazmat` feature and `pub(crate)` without it:
/// for the deterministic entry points and the secret-from-bytes constructors that
/// an application must not reach by accident.
macro_rules! hazmat_fn {
    ($(#[$meta:meta])* fn $($rest:tt)*) => {
        #[cfg(feature = "hazmat")]
        $(#[$meta])*
        pub fn $($rest)*
        #[cfg(not(feature = "hazmat"))]
        $(#[$meta])*
        #[allow(dead_code, reason = "public only with the `hazmat` feature")]
        pub(crate) fn $($rest)*
    };
}

hazmat_modules! {
    aead,
    hkdf,
    hmac,
    ml_kem,
    pqxdh,
    ratchet,
    state,
    wire,
    x25519,
    xeddsa,
}

pub mod bundle;
pub mod consts;
mod error;
pub mod franking;
pub mod keys;
pub mod session;
pub mod storage;

pub use bundle::PreKeyBundle;
pub use error::{
    BundleError, DecodeError, Error, FrankingError, PrimitiveError, SessionError, StorageError,
};
pub use keys::IdentityKeyPair;
pub use session::Session;

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
        zeroizes_on_drop::<crate::storage::StorageKey>();
        zeroizes_on_drop::<crate::franking::FrankingKey>();
        zeroizes_on_drop::<crate::franking::PlatformKey>();
    }

    #[test]
    fn debug_of_a_prk_is_redacted() {
        let prk = crate::hkdf::extract(b"salt", b"secret input");
        assert_eq!(format!("{prk:?}"), "Prk(<redacted>)");
    }
}
