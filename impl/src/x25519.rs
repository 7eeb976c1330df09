//! X25519 Diffie-Hellman (RFC 7748 §5, §6.1).
//!
//! Mirrors `lockstep_spec::x25519`. The one policy choice this module adds to the
//! RFC is the one §6.1 allows: an all-zero shared secret is an error
//! ([`Error::NonContributory`]), never a key.
//!
//! # Backends
//!
//! The scalar multiplications are not ours. On x86-64 and AArch64 (Linux, macOS)
//! they are AWS-LC's, through aws-lc-rs: s2n-bignum's `curve25519_x25519_byte` and
//! `curve25519_x25519base_byte`, assembly whose functional correctness is proved in
//! HOL Light, with AWS-LC choosing at run time between the BMI2/ADX code and the
//! `_alt` code for CPUs without those extensions. Elsewhere, and under Miri (which
//! cannot run foreign code), they are x25519-dalek's portable Montgomery ladder.
//! docs/ARCHITECTURE.md gives the measurements behind the choice; both backends
//! pass the same RFC 7748 and Wycheproof vectors, the spec's differential tests,
//! and a test of one against the other (`tests::backends_agree`).

use core::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::Error;

/// The backend this build uses for the scalar multiplications (see the module's
/// documentation): `"aws-lc"` or `"x25519-dalek"`.
pub const BACKEND: &str = if cfg!(lockstep_x25519_aws_lc) {
    "aws-lc"
} else {
    "x25519-dalek"
};

/// Length in bytes of a private key, a public key and a shared secret.
pub const KEY_LEN: usize = 32;

/// An X25519 private key: RFC 7748 §6.1's `a` (or `b`).
///
/// Held as the 32 bytes given; clamping (§5 `decodeScalar25519`) happens at each use,
/// as in the RFC. Its public key is computed once, when the key is made. Not `Copy`,
/// not `Clone`: a key has one owner. Zeroized on drop (AWS-LC's copy is wiped by
/// AWS-LC when it frees it).
pub struct PrivateKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    public: PublicKey,
    /// AWS-LC's copy, shared (never changed) by this key's duplicates.
    #[cfg(lockstep_x25519_aws_lc)]
    key: std::sync::Arc<aws_lc_rs::agreement::PrivateKey>,
}

// `bytes` is `Zeroizing`, and AWS-LC cleanses the memory of the key it frees.
impl ZeroizeOnDrop for PrivateKey {}

impl PrivateKey {
    hazmat_fn! {
        /// A private key from 32 bytes the caller drew (randomness is an input).
        #[must_use]
        fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
            Self::from_zeroizing(Zeroizing::new(bytes))
        }
    }

    /// A fresh private key drawn from `rng`: 32 bytes, as RFC 7748 §6.1 says.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill_bytes(bytes.as_mut());
        Self::from_zeroizing(bytes)
    }

    #[cfg(lockstep_x25519_aws_lc)]
    #[allow(
        clippy::expect_used,
        reason = "AWS-LC's X25519 key parsing checks only the length, which the type fixes, and its public key is the 32 bytes it computed when parsing; either fails only if AWS-LC cannot allocate, where Rust itself would abort"
    )]
    fn from_zeroizing(bytes: Zeroizing<[u8; KEY_LEN]>) -> Self {
        use aws_lc_rs::agreement::{PrivateKey as AwsKey, X25519};
        // AWS-LC computes the public key here, once (s2n-bignum's
        // `curve25519_x25519base_byte`), and keeps it beside the private key.
        let key = AwsKey::from_private_key(&X25519, bytes.as_ref())
            .expect("AWS-LC takes any 32 bytes as an X25519 private key");
        let computed = key
            .compute_public_key()
            .expect("AWS-LC returns the public key it computed");
        let mut public = [0u8; KEY_LEN];
        public.copy_from_slice(computed.as_ref());
        PrivateKey {
            bytes,
            public: PublicKey(public),
            key: std::sync::Arc::new(key),
        }
    }

    #[cfg(not(lockstep_x25519_aws_lc))]
    fn from_zeroizing(bytes: Zeroizing<[u8; KEY_LEN]>) -> Self {
        // x25519-dalek's public key uses its precomputed Edwards table (11 µs here,
        // against 34 µs for the ladder on the base point); `StaticSecret` wipes
        // its copy of the bytes on drop.
        let secret = x25519_dalek::StaticSecret::from(*bytes);
        let public = PublicKey(*x25519_dalek::PublicKey::from(&secret).as_bytes());
        PrivateKey { bytes, public }
    }

    /// Another owner of the same key, for a store that hands out a key it keeps
    /// (`session::InMemoryPreKeyStore`): the bytes are copied, and the public key and
    /// AWS-LC's copy are reused rather than computed again (a base-point
    /// multiplication each). AWS-LC's copy is wiped when its last owner drops it.
    #[must_use]
    pub(crate) fn duplicate(&self) -> Self {
        PrivateKey {
            bytes: self.bytes.clone(),
            public: self.public,
            #[cfg(lockstep_x25519_aws_lc)]
            key: std::sync::Arc::clone(&self.key),
        }
    }

    /// The 32 bytes of the key as given (unclamped), for XEdDSA, which derives its
    /// Edwards key pair from the same scalar.
    pub(crate) fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        self.bytes.clone()
    }

    /// RFC 7748 §6.1: the public key `X25519(a, 9)`.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    hazmat_fn! {
        /// RFC 7748 §6.1: the shared secret `X25519(a, their_public)`.
        ///
        /// # Errors
        /// [`Error::NonContributory`] if the result is all zeros (checked in constant
        /// time).
        fn diffie_hellman(&self, their_public: &PublicKey) -> Result<SharedSecret, Error> {
            let shared = SharedSecret(self.scalar_mult(their_public));
            if bool::from(shared.0.ct_eq(&[0u8; KEY_LEN])) {
                Err(Error::NonContributory)
            } else {
                Ok(shared)
            }
        }
    }

    /// RFC 7748 §5 `X25519(k, u)`, all-zero output included.
    #[cfg(lockstep_x25519_aws_lc)]
    fn scalar_mult(&self, their_public: &PublicKey) -> Zeroizing<[u8; KEY_LEN]> {
        use aws_lc_rs::agreement::{UnparsedPublicKey, X25519, agree};
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        // AWS-LC refuses the all-zero result (RFC 7748 §6.1's check, made in
        // constant time) and fails otherwise only if it cannot allocate. Either way
        // `out` stays all zero, which the caller refuses: a failure never becomes a
        // key.
        let _refused_if_zero = agree(
            &self.key,
            UnparsedPublicKey::new(&X25519, their_public.as_bytes()),
            (),
            |shared| {
                out.copy_from_slice(shared);
                Ok(())
            },
        );
        out
    }

    /// RFC 7748 §5 `X25519(k, u)`, all-zero output included.
    #[cfg(not(lockstep_x25519_aws_lc))]
    fn scalar_mult(&self, their_public: &PublicKey) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(x25519_dalek::x25519(*self.bytes, their_public.0))
    }
}

hazmat_fn! {
    /// RFC 7748 §5: the function `X25519(k, u)` itself, on this build's backend,
    /// without §6.1's all-zero check: for the vectors (RFC 7748 §5.2, Wycheproof)
    /// whose expected outputs include all zeros. A protocol uses
    /// [`PrivateKey::diffie_hellman`].
    #[must_use]
    fn x25519(k: [u8; KEY_LEN], u: [u8; KEY_LEN]) -> [u8; KEY_LEN] {
        *PrivateKey::from_bytes(k).scalar_mult(&PublicKey(u))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

/// An X25519 public key: the 32-byte little-endian u-coordinate of RFC 7748 §5.
///
/// Any 32 bytes are accepted, as §5 requires (the top bit is masked and
/// non-canonical values are reduced when the key is used); a low-order key is
/// caught when it is used, by the Diffie-Hellman that uses it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; KEY_LEN]);

impl PublicKey {
    /// The public key with these 32 bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        PublicKey(bytes)
    }

    /// The 32 bytes of this key, as given or computed.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(")?;
        for byte in self.as_bytes() {
            write!(f, "{byte:02x}")?;
        }
        write!(f, ")")
    }
}

/// The output of an X25519 Diffie-Hellman that passed the all-zero check.
///
/// Only [`PrivateKey::diffie_hellman`] makes one, so holding a `SharedSecret` means
/// the check passed. Zeroized on drop; compared in constant time.
pub struct SharedSecret(Zeroizing<[u8; KEY_LEN]>);

// The bytes are `Zeroizing`.
impl ZeroizeOnDrop for SharedSecret {}

impl SharedSecret {
    /// The 32 secret bytes, to be fed to a key derivation function.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl ConstantTimeEq for SharedSecret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.as_bytes().ct_eq(other.as_bytes())
    }
}

impl PartialEq for SharedSecret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for SharedSecret {}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_no_secret() {
        let key = PrivateKey::from_bytes([0xab; KEY_LEN]);
        let peer = PrivateKey::from_bytes([0x11; KEY_LEN]).public_key();
        let shared = key.diffie_hellman(&peer).unwrap();
        let printed = format!("{key:?} {shared:?}");
        assert_eq!(printed, "PrivateKey(<redacted>) SharedSecret(<redacted>)");
    }

    #[test]
    fn all_zero_output_is_an_error() {
        let key = PrivateKey::from_bytes([0x42; KEY_LEN]);
        // u = 0 and u = 1 are points of order 1 and 4 (RFC 7748 §5 allows them).
        for low_order in [[0u8; KEY_LEN], {
            let mut one = [0u8; KEY_LEN];
            one[0] = 1;
            one
        }] {
            assert_eq!(
                key.diffie_hellman(&PublicKey::from_bytes(low_order))
                    .map(|_| ()),
                Err(Error::NonContributory)
            );
        }
    }

    /// The AWS-LC backend against x25519-dalek's ladder, on any 32 bytes: public
    /// keys, and Diffie-Hellman with peer keys on the curve, on its twist, with the
    /// top bit set, non-canonical (u >= p) and of low order. Both backends also pass
    /// the RFC 7748 and Wycheproof vectors and the spec's differential tests.
    #[cfg(lockstep_x25519_aws_lc)]
    #[test]
    fn backends_agree() {
        use rand_chacha::ChaCha20Rng;
        use rand_chacha::rand_core::{Rng, SeedableRng};

        let mut rng = ChaCha20Rng::from_seed([0x19; 32]);
        let mut p_plus = [0xff; KEY_LEN];
        p_plus[0] = 0xee; // p = 2^255 - 19 as bytes, then the values just above it.
        p_plus[31] = 0x7f;
        for case in 0..3000u32 {
            let mut k = [0u8; KEY_LEN];
            let mut u = [0u8; KEY_LEN];
            rng.fill_bytes(&mut k);
            rng.fill_bytes(&mut u);
            match case % 4 {
                0 => u = x25519_dalek::x25519(u, x25519_dalek::X25519_BASEPOINT_BYTES),
                1 => u[31] |= 0x80,
                2 => {
                    u = p_plus;
                    u[0] = p_plus[0].wrapping_add((case % 19) as u8);
                }
                _ => {} // a random u: on the twist about half the time.
            }
            let key = PrivateKey::from_bytes(k);
            assert_eq!(
                key.public_key().as_bytes(),
                &x25519_dalek::x25519(k, x25519_dalek::X25519_BASEPOINT_BYTES),
                "public key, case {case}"
            );
            let reference = x25519_dalek::x25519(k, u);
            match key.diffie_hellman(&PublicKey::from_bytes(u)) {
                Ok(shared) => assert_eq!(shared.as_bytes(), &reference, "case {case}"),
                Err(Error::NonContributory) => assert_eq!(reference, [0; KEY_LEN], "case {case}"),
                Err(e) => panic!("case {case}: {e:?}"),
            }
        }
    }

    #[test]
    fn agreement_both_ways() {
        let a = PrivateKey::from_bytes([1; KEY_LEN]);
        let b = PrivateKey::from_bytes([2; KEY_LEN]);
        let ab = a.diffie_hellman(&b.public_key()).unwrap();
        let ba = b.diffie_hellman(&a.public_key()).unwrap();
        assert_eq!(ab, ba);
    }
}
