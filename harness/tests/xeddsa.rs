//! XEdDSA against an outside oracle and against itself.
//!
//! An XEdDSA signature `R ‖ s` by X25519 key `u` is an Ed25519 signature under the
//! Edwards key `A = convert_mont(u)` (sign bit 0), so ed25519-dalek, which shares
//! no XEdDSA code with either side, can check every signature the spec and the
//! implementation make. Then the negative cases of the issue: wrong message, every
//! flipped bit of `R` and `s`, a non-canonical `s`, an `R` that is not on the curve,
//! and a public key `u >= p`, each refused by both sides.

use ed25519_dalek::{Signature as EdSignature, VerifyingKey};
use lockstep_harness::sides::{Impl, Primitives, Spec};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("LOCKSTEP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        // The spec's Edwards arithmetic takes tens of milliseconds per signature.
        .map_or(24, |n: u32| n.div_ceil(8))
}

/// The group order q = 2^252 + 27742317777372353535851937790883648493, little-endian.
const Q: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The Edwards key ed25519-dalek should verify under, computed by curve25519-dalek's
/// birational map (not by either side's XEdDSA code).
fn edwards_key(u: &[u8; 32]) -> Option<VerifyingKey> {
    let point = curve25519_dalek::montgomery::MontgomeryPoint(*u).to_edwards(0)?;
    VerifyingKey::from_bytes(point.compress().as_bytes()).ok()
}

fn ed25519_accepts(u: &[u8; 32], msg: &[u8], signature: &[u8; 64]) -> bool {
    edwards_key(u).is_some_and(|key| {
        key.verify_strict(msg, &EdSignature::from_bytes(signature))
            .is_ok()
    })
}

/// `s + q` as a 256-bit little-endian sum (no carry out: s < q < 2^253).
fn add_q(s: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s[i]) + u16::from(Q[i]) + carry;
        out[i] = sum.to_le_bytes()[0];
        carry = sum >> 8;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// The spec and the implementation make the same signature from the same
    /// (key, message, Z); it verifies on both sides and with ed25519-dalek.
    #[test]
    fn signatures_are_equal_and_verify_everywhere(
        k in any::<[u8; 32]>(),
        msg in prop::collection::vec(any::<u8>(), 0..200),
        z in proptest::array::uniform::<_, 64>(any::<u8>()),
    ) {
        let spec = Spec::xeddsa_sign(&k, &msg, &z);
        let imp = Impl::xeddsa_sign(&k, &msg, &z);
        prop_assert_eq!(spec, imp);
        let u = Impl::x25519_base(&k);
        prop_assert!(Spec::xeddsa_verify(&u, &msg, &spec));
        prop_assert!(Impl::xeddsa_verify(&u, &msg, &spec));
        prop_assert!(ed25519_accepts(&u, &msg, &spec), "ed25519-dalek refuses the signature");
    }

    /// Each bit of `R ‖ s` flipped, a changed message, `s + q`, and `u` with bit 255
    /// set: refused by the spec, the implementation and (where it can be asked)
    /// ed25519-dalek.
    #[test]
    fn tampered_signatures_are_refused_by_both(
        k in any::<[u8; 32]>(),
        msg in prop::collection::vec(any::<u8>(), 1..64),
        bit in 0usize..512,
    ) {
        let z = [0x5a; 64];
        let u = Impl::x25519_base(&k);
        let signature = Impl::xeddsa_sign(&k, &msg, &z);

        let mut flipped = signature;
        flipped[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!Spec::xeddsa_verify(&u, &msg, &flipped));
        prop_assert!(!Impl::xeddsa_verify(&u, &msg, &flipped));

        let mut other = msg.clone();
        other[0] ^= 1;
        prop_assert!(!Spec::xeddsa_verify(&u, &other, &signature));
        prop_assert!(!Impl::xeddsa_verify(&u, &other, &signature));

        let mut malleated = signature;
        malleated[32..].copy_from_slice(&add_q(&signature[32..]));
        prop_assert!(!Spec::xeddsa_verify(&u, &msg, &malleated), "spec accepts s + q");
        prop_assert!(!Impl::xeddsa_verify(&u, &msg, &malleated), "impl accepts s + q");
        prop_assert!(!ed25519_accepts(&u, &msg, &malleated));

        let mut high = u;
        high[31] |= 0x80;
        prop_assert!(!Spec::xeddsa_verify(&high, &msg, &signature));
        prop_assert!(!Impl::xeddsa_verify(&high, &msg, &signature));
    }

    /// The two sides agree on arbitrary bytes: random `u` (on the curve or the
    /// twist, canonical or not) and random signatures.
    #[test]
    fn verify_agrees_on_arbitrary_input(
        u in any::<[u8; 32]>(),
        msg in prop::collection::vec(any::<u8>(), 0..32),
        signature in proptest::array::uniform::<_, 64>(any::<u8>()),
    ) {
        prop_assert_eq!(Spec::xeddsa_verify(&u, &msg, &signature), Impl::xeddsa_verify(&u, &msg, &signature));
    }
}

/// An `R` that is not the encoding of a curve point: both sides refuse.
#[test]
fn r_not_on_the_curve_is_refused() {
    let k = [0x42u8; 32];
    let u = Impl::x25519_base(&k);
    let msg = b"r off the curve";
    let signature = Impl::xeddsa_sign(&k, msg, &[3; 64]);
    // Find a y whose x^2 is not a square: about half of all y are off the curve.
    let mut refused = 0;
    for y in 2u8..40 {
        let mut encoded = [0u8; 32];
        encoded[0] = y;
        if curve25519_dalek::edwards::CompressedEdwardsY(encoded)
            .decompress()
            .is_some()
        {
            continue;
        }
        let mut forged = signature;
        forged[..32].copy_from_slice(&encoded);
        assert!(!Spec::xeddsa_verify(&u, msg, &forged));
        assert!(!Impl::xeddsa_verify(&u, msg, &forged));
        refused += 1;
    }
    assert!(refused > 5, "too few off-curve y values tried: {refused}");
}

/// Public keys at the edges of the field: u = p (and above), and u = p - 1, which
/// the document maps to y = 0 (a point of order 4). The two sides must agree.
#[test]
fn edge_public_keys_agree() {
    let msg = b"edge";
    let signature = Impl::xeddsa_sign(&[9; 32], msg, &[1; 64]);
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    let mut p_minus_1 = p;
    p_minus_1[0] = 0xec;
    let mut p_plus_1 = p;
    p_plus_1[0] = 0xee;
    for u in [[0u8; 32], p_minus_1, p, p_plus_1, [0xff; 32]] {
        assert_eq!(
            Spec::xeddsa_verify(&u, msg, &signature),
            Impl::xeddsa_verify(&u, msg, &signature),
            "u = {u:02x?}"
        );
    }
    assert!(!Impl::xeddsa_verify(&p, msg, &signature));
}
