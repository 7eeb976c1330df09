//! FIPS 203 §4.1: the cryptographic functions PRF, H, J, G and XOF, instantiated with
//! the SHA-3 functions of FIPS 202 ([`crate::sha3`]).

use super::{Seed32, SharedSecret};
use crate::sha3::{Shake128State, sha3_256, sha3_512, shake128_absorb, shake128_squeeze, shake256};
use hacspec_lib::*;

/// FIPS 203 §4.1 (4.2), (4.3): `PRF_η(s, b) := SHAKE256(s ‖ b, 8 · 64 · η)`, 64η bytes.
///
/// §4.1: "η is only used to specify the desired output length and not to perform
/// domain separation."
pub(super) fn prf(eta: usize, s: &Seed32, b: u8) -> ByteSeq {
    shake256(&ByteSeq::from_seq(s).push(&U8::classify(b)), 64 * eta)
}

/// FIPS 203 §4.1 (4.4): `H(s) := SHA3-256(s)`, 32 bytes.
pub(super) fn h(s: &ByteSeq) -> ByteSeq {
    ByteSeq::from_seq(&sha3_256(s))
}

/// FIPS 203 §4.1 (4.4): `J(s) := SHAKE256(s, 8 · 32)`, 32 bytes.
///
/// Its one use is the implicit-rejection key `K̄ = J(z ‖ c)` (Algorithm 18), so it
/// returns a shared secret key.
pub(super) fn j(s: &ByteSeq) -> SharedSecret {
    SharedSecret::from_seq(&shake256(s, 32))
}

/// FIPS 203 §4.1 (4.5): `G(c) := SHA3-512(c)`, split as `(a, b) ← G(c)` with
/// `G(c) = a ‖ b` and `a, b ∈ B^32`.
pub(super) fn g(c: &ByteSeq) -> (Seed32, Seed32) {
    let digest = sha3_512(c);
    (
        Seed32::from_slice(&digest, 0, 32),
        Seed32::from_slice(&digest, 32, 32),
    )
}

/// FIPS 203 §4.1: `ctx ← XOF.Init()` followed by `ctx ← XOF.Absorb(ctx, str)`, with
/// `XOF.Init() = SHAKE128.Init()` and `XOF.Absorb(ctx, str) = SHAKE128.Absorb(ctx,
/// str)`.
///
/// ML-KEM absorbs into a fresh context exactly once (Algorithm 7, lines 1 and 2), and
/// [`crate::sha3`] offers the two steps as one call.
pub(super) fn xof_absorb(str: &ByteSeq) -> Shake128State {
    shake128_absorb(str)
}

/// FIPS 203 §4.1: `(ctx, B) ← XOF.Squeeze(ctx, ℓ) = SHAKE128.Squeeze(ctx, 8 · ℓ)`, the
/// next `ℓ` bytes of output.
pub(super) fn xof_squeeze(ctx: Shake128State, l: usize) -> (Shake128State, ByteSeq) {
    shake128_squeeze(ctx, l)
}
