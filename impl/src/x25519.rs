//! X25519 Diffie-Hellman (RFC 7748 §5, §6.1) on x25519-dalek.
//!
//! Mirrors `lockstep_spec::x25519`. The one policy choice this module adds to the
//! RFC is the one §6.1 allows: an all-zero shared secret is an error
//! ([`Error::NonContributory`]), never a key.

use core::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::ZeroizeOnDrop;

use crate::Error;

/// Length in bytes of a private key, a public key and a shared secret.
pub const KEY_LEN: usize = 32;

/// An X25519 private key: RFC 7748 §6.1's `a` (or `b`).
///
/// Held as the 32 bytes given; clamping (§5 `decodeScalar25519`) happens at each use,
/// as in the RFC. Not `Copy`, not `Clone`: a key has one owner. Zeroized on drop.
pub struct PrivateKey(x25519_dalek::StaticSecret);

// `StaticSecret` zeroizes its bytes in its own `Drop`, so dropping a `PrivateKey`
// wipes the key.
impl ZeroizeOnDrop for PrivateKey {}

impl PrivateKey {
    hazmat_fn! {
        /// A private key from 32 bytes the caller drew (randomness is an input).
        #[must_use]
        fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
            PrivateKey(x25519_dalek::StaticSecret::from(bytes))
        }
    }

    /// A fresh private key drawn from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        PrivateKey(x25519_dalek::StaticSecret::random_from_rng(rng))
    }

    /// The 32 bytes of the key as given (unclamped), for XEdDSA, which derives its
    /// Edwards key pair from the same scalar.
    pub(crate) fn to_bytes(&self) -> zeroize::Zeroizing<[u8; KEY_LEN]> {
        zeroize::Zeroizing::new(self.0.to_bytes())
    }

    /// RFC 7748 §6.1: the public key `X25519(a, 9)`.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        PublicKey(x25519_dalek::PublicKey::from(&self.0))
    }

    hazmat_fn! {
        /// RFC 7748 §6.1: the shared secret `X25519(a, their_public)`.
        ///
        /// # Errors
        /// [`Error::NonContributory`] if the result is all zeros (checked in constant
        /// time by x25519-dalek's `was_contributory`).
        fn diffie_hellman(&self, their_public: &PublicKey) -> Result<SharedSecret, Error> {
            let shared = self.0.diffie_hellman(&their_public.0);
            if shared.was_contributory() {
                Ok(SharedSecret(shared))
            } else {
                Err(Error::NonContributory)
            }
        }
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
pub struct PublicKey(x25519_dalek::PublicKey);

impl PublicKey {
    /// The public key with these 32 bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        PublicKey(x25519_dalek::PublicKey::from(bytes))
    }

    /// The 32 bytes of this key, as given or computed.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.as_bytes()
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
pub struct SharedSecret(x25519_dalek::SharedSecret);

// `x25519_dalek::SharedSecret` zeroizes itself in its own `Drop`.
impl ZeroizeOnDrop for SharedSecret {}

impl SharedSecret {
    /// The 32 secret bytes, to be fed to a key derivation function.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.as_bytes()
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

    #[test]
    fn agreement_both_ways() {
        let a = PrivateKey::from_bytes([1; KEY_LEN]);
        let b = PrivateKey::from_bytes([2; KEY_LEN]);
        let ab = a.diffie_hellman(&b.public_key()).unwrap();
        let ba = b.diffie_hellman(&a.public_key()).unwrap();
        assert_eq!(ab, ba);
    }
}
