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
