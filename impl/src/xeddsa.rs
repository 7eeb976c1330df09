//! XEdDSA (Signal, "The XEdDSA and VXEdDSA Signature Schemes", rev 1, 2016-10-20) on
//! curve25519-dalek and sha2.
//!
//! Mirrors `lockstep_spec::xeddsa`. One X25519 key pair signs and does
//! Diffie-Hellman: the signer's Edwards key is derived from its X25519 private key,
//! and a verifier converts the X25519 public key `u` to the Edwards key `A` with
//! sign bit 0. A signature is `R ‖ s` and verifies as an Ed25519 signature under
//! `A`.
//!
//! Lockstep's one departure from the document, as in the spec: verification also
//! rejects a non-canonical `s` (`s >= q`). The document only rejects `s >= 2^253`,
//! which lets `s + q` verify as well, so signatures would be malleable; RFC 8032
//! §5.1.7 (and ed25519-dalek) reject `s >= q`.

use core::fmt;

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::{Scalar, clamp_integer};
use rand_core::CryptoRng;
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::Error;
use crate::x25519::{PrivateKey, PublicKey};

/// Length in bytes of a signature, `R ‖ s`.
pub const SIGNATURE_LEN: usize = 64;

/// Length in bytes of the random input `Z` of signing (§3: 64 bytes).
pub const RANDOM_LEN: usize = 64;

/// XEdDSA §2.5: the prefix of `hash_1`, the 32-byte little-endian encoding of
/// `2^256 - 1 - 1`: 0xFE followed by 31 bytes of 0xFF.
const HASH_1_PREFIX: [u8; 32] = {
    let mut prefix = [0xFF; 32];
    prefix[0] = 0xFE;
    prefix
};

/// `p - 1 = 2^255 - 20`, little-endian: the one u-coordinate the document maps to
/// `y = 0` through `inv(0) = 0` and curve25519-dalek's `to_edwards` refuses.
const P_MINUS_1: [u8; 32] = {
    let mut bytes = [0xFF; 32];
    bytes[0] = 0xEC;
    bytes[31] = 0x7F;
    bytes
};

/// An XEdDSA signature, `R ‖ s` (§3). Public.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// The signature with these 64 bytes. Any bytes are accepted here; [`xeddsa_verify`]
    /// decides.
    #[must_use]
    pub fn from_bytes(bytes: [u8; SIGNATURE_LEN]) -> Self {
        Signature(bytes)
    }

    /// The 64 bytes `R ‖ s`.
    #[must_use]
    pub fn to_bytes(self) -> [u8; SIGNATURE_LEN] {
        self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature(")?;
        for byte in &self.0 {
            write!(f, "{byte:02x}")?;
        }
        write!(f, ")")
    }
}

/// XEdDSA §2.3 `calculate_key_pair(k)`: the Edwards public key `A` (sign bit 0) and
/// the private scalar `a` with `A = aB`.
///
/// `k` is the X25519 private key clamped as RFC 7748 §5 `decodeScalar25519` clamps
/// it, so `A` is the Edwards form of the key's X25519 public key.
fn calculate_key_pair(private_key: &PrivateKey) -> (CompressedEdwardsY, Zeroizing<Scalar>) {
    let k = Zeroizing::new(clamp_integer(*private_key.to_bytes()));
    // E = kB
    let e = EdwardsPoint::mul_base_clamped(*k);
    let mut a_bytes = e.compress().to_bytes();
    // A.s = 0
    let sign = a_bytes[31] >> 7;
    a_bytes[31] &= 0x7F;
    // if E.s == 1: a = -k (mod q) else: a = k (mod q)
    let k_mod_q = Zeroizing::new(Scalar::from_bytes_mod_order(*k));
    let negated = Zeroizing::new(-*k_mod_q);
    let a = Zeroizing::new(subtle::ConditionallySelectable::conditional_select(
        &*k_mod_q,
        &*negated,
        subtle::Choice::from(sign),
    ));
    (CompressedEdwardsY(a_bytes), a)
}

/// `SHA-512(parts...)` reduced modulo `q`.
fn hash_mod_q(parts: &[&[u8]]) -> Scalar {
    let mut hash = Sha512::new();
    for part in parts {
        hash.update(part);
    }
    Scalar::from_bytes_mod_order_wide(&hash.finalize().into())
}

/// XEdDSA §3 `xeddsa_sign(k, M, Z)` with `Z` given: the 64 random bytes are an input,
/// so the spec and this implementation can be run on the same bytes.
#[must_use]
pub fn xeddsa_sign(
    private_key: &PrivateKey,
    message: &[u8],
    random: &[u8; RANDOM_LEN],
) -> Signature {
    // A, a = calculate_key_pair(k)
    let (a_point, a) = calculate_key_pair(private_key);
    // r = hash_1(a || M || Z) (mod q)
    let a_bytes = Zeroizing::new(a.to_bytes());
    let r = Zeroizing::new(hash_mod_q(&[&HASH_1_PREFIX, &a_bytes[..], message, random]));
    // R = rB
    let r_point = EdwardsPoint::mul_base(&r).compress();
    // h = hash(R || A || M) (mod q)
    let h = hash_mod_q(&[r_point.as_bytes(), a_point.as_bytes(), message]);
    // s = r + ha (mod q)
    let s = *r + h * *a;
    // return R || s
    let mut signature = [0u8; SIGNATURE_LEN];
    signature[..32].copy_from_slice(r_point.as_bytes());
    signature[32..].copy_from_slice(s.as_bytes());
    Signature(signature)
}

/// XEdDSA §3 signing with `Z` drawn from `rng`.
pub fn xeddsa_sign_with_rng<R: CryptoRng + ?Sized>(
    private_key: &PrivateKey,
    message: &[u8],
    rng: &mut R,
) -> Signature {
    let mut random = Zeroizing::new([0u8; RANDOM_LEN]);
    rng.fill_bytes(random.as_mut());
    xeddsa_sign(private_key, message, &random)
}

/// XEdDSA §2.3 `convert_mont(u)`: the Edwards point with `y = (u - 1) / (u + 1)` and
/// sign bit 0, or `None` if that `y` is not on the curve. `u < p` was checked.
fn convert_mont(u: &[u8; 32]) -> Option<EdwardsPoint> {
    if *u == P_MINUS_1 {
        // The document's inv(0) = 0 gives y = 0 (a point of order 4); dalek's
        // `to_edwards` refuses u = -1 instead. Follow the document.
        return CompressedEdwardsY([0u8; 32]).decompress();
    }
    MontgomeryPoint(*u).to_edwards(0)
}

/// `u < p = 2^255 - 19`, for a 32-byte little-endian `u` (public data).
fn is_canonical_field_element(u: &[u8; 32]) -> bool {
    // Compare from the most significant byte down against p - 1.
    for i in (0..32).rev() {
        if u[i] != P_MINUS_1[i] {
            return u[i] < P_MINUS_1[i];
        }
    }
    true
}

/// XEdDSA §3 `xeddsa_verify(u, M, R || s)`, plus the rejection of a non-canonical `s`.
///
/// # Errors
/// [`Error::InvalidSignature`] if `u >= p`, `s >= q`, `u` is not the u-coordinate of
/// a point on the curve, or `R != sB - hA`. The error does not say which.
pub fn xeddsa_verify(
    public_key: &PublicKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), Error> {
    let u = public_key.as_bytes();
    let (r_bytes, s_bytes) = signature.0.split_at(32);
    let r_bytes: [u8; 32] = r_bytes.try_into().map_err(|_| Error::InvalidSignature)?;
    let s_bytes: [u8; 32] = s_bytes.try_into().map_err(|_| Error::InvalidSignature)?;
    // if u >= p or R.y >= 2^|p| or s >= 2^|q|: return false
    // (R.y is 255 bits by construction; s >= q covers s >= 2^|q|.)
    if !is_canonical_field_element(u) {
        return Err(Error::InvalidSignature);
    }
    // Lockstep: s must be canonical, s < q.
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))
        .ok_or(Error::InvalidSignature)?;
    // A = convert_mont(u); if not on_curve(A): return false
    let a_point = convert_mont(u).ok_or(Error::InvalidSignature)?;
    // h = hash(R || A || M) (mod q)
    let h = hash_mod_q(&[&r_bytes, a_point.compress().as_bytes(), message]);
    // Rcheck = sB - hA
    let r_check = EdwardsPoint::vartime_double_scalar_mul_basepoint(&-h, &a_point, &s);
    // if bytes_equal(R, Rcheck): return true
    if r_check.compress().to_bytes() == r_bytes {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> PrivateKey {
        PrivateKey::from_bytes([byte; 32])
    }

    #[test]
    fn sign_then_verify_and_every_flipped_bit_fails() {
        let private_key = key(3);
        let public_key = private_key.public_key();
        let signature = xeddsa_sign(&private_key, b"message", &[7; RANDOM_LEN]);
        assert_eq!(xeddsa_verify(&public_key, b"message", &signature), Ok(()));
        assert_eq!(
            xeddsa_verify(&public_key, b"messagf", &signature),
            Err(Error::InvalidSignature)
        );
        for bit in 0..SIGNATURE_LEN * 8 {
            let mut forged = signature.to_bytes();
            forged[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                xeddsa_verify(&public_key, b"message", &Signature::from_bytes(forged)),
                Err(Error::InvalidSignature),
                "bit {bit}"
            );
        }
    }

    #[test]
    fn s_plus_q_is_rejected() {
        // q = 2^252 + 27742317777372353535851937790883648493, little-endian.
        const Q: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let private_key = key(5);
        let signature = xeddsa_sign(&private_key, b"m", &[1; RANDOM_LEN]).to_bytes();
        // s + q as 256-bit integers (s < q < 2^253, so no carry out of 256 bits).
        let mut forged = signature;
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(forged[32 + i]) + u16::from(Q[i]) + carry;
            forged[32 + i] = sum.to_le_bytes()[0];
            carry = sum >> 8;
        }
        assert_eq!(
            xeddsa_verify(
                &private_key.public_key(),
                b"m",
                &Signature::from_bytes(forged)
            ),
            Err(Error::InvalidSignature)
        );
    }

    #[test]
    fn a_public_key_of_p_or_more_is_rejected() {
        let private_key = key(9);
        let signature = xeddsa_sign(&private_key, b"m", &[2; RANDOM_LEN]);
        // With bit 255 set, u is at least 2^255 > p: not canonical, although the
        // RFC 7748 decoding that ignores bit 255 would give the same point.
        let mut u = *private_key.public_key().as_bytes();
        u[31] |= 0x80;
        assert_eq!(
            xeddsa_verify(&PublicKey::from_bytes(u), b"m", &signature),
            Err(Error::InvalidSignature)
        );
    }
}
