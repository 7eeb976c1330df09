//! FIPS 203 §4.2.2: the sampling algorithms SampleNTT (Algorithm 7) and
//! SamplePolyCBD_η (Algorithm 8).

use super::Polynomial;
use super::arithmetic::mod_q;
use super::encoding::bytes_to_bits;
use super::hash::{xof_absorb, xof_squeeze};
use super::parameters::{N, Q};
use hacspec_lib::*;

/// FIPS 203 §4.2.2, Algorithm 7: SampleNTT(B), a pseudorandom element of T_q from a
/// 32-byte seed and two index bytes, `B ∈ B^34`.
///
/// ```text
///  1: ctx ← XOF.Init()
///  2: ctx ← XOF.Absorb(ctx, B)
///  3: j ← 0
///  4: while j < 256 do
///  5:     (ctx, C) ← XOF.Squeeze(ctx, 3)
///  6:     d1 ← C[0] + 256 · (C[1] mod 16)
///  7:     d2 ← ⌊C[1]/16⌋ + 16 · C[2]
///  8:     if d1 < q then
///  9:         â[j] ← d1
/// 10:         j ← j + 1
/// 11:     end if
/// 12:     if d2 < q and j < 256 then
/// 13:         â[j] ← d2
/// 14:         j ← j + 1
/// 15:     end if
/// 16: end while
/// 17: return â
/// ```
///
/// The seed is ρ, which is public (the last 32 bytes of `ek`), so the candidates `d1`
/// and `d2` are declassified to decide the rejection; Â is "easily computed from the
/// public encapsulation key" (§3.3). The loop is a `while`, not a `for` over a range,
/// because Appendix B asks that it not be bounded: "Implementations should not bound
/// this loop, if at all possible."
pub(super) fn sample_ntt(b: &ByteSeq) -> Polynomial {
    // ctx ← XOF.Init(); ctx ← XOF.Absorb(ctx, B)
    let mut ctx = xof_absorb(b);
    let mut a_hat = Polynomial::new();
    // j ← 0
    let mut j = 0;
    // while j < 256 do
    while j < N {
        // (ctx, C) ← XOF.Squeeze(ctx, 3)
        let (next_ctx, c) = xof_squeeze(ctx, 3);
        ctx = next_ctx;
        // d1 ← C[0] + 256 · (C[1] mod 16)
        let d1 = U32_from_U8(c[0]) + U32(256) * (U32_from_U8(c[1]) & U32(15));
        // d2 ← ⌊C[1]/16⌋ + 16 · C[2]
        let d2 = (U32_from_U8(c[1]) >> 4) + U32(16) * U32_from_U8(c[2]);
        // if d1 < q then
        if d1.declassify() < Q {
            // â[j] ← d1
            a_hat[j] = d1;
            // j ← j + 1
            j += 1;
        }
        // if d2 < q and j < 256 then
        if d2.declassify() < Q && j < N {
            // â[j] ← d2
            a_hat[j] = d2;
            // j ← j + 1
            j += 1;
        }
    }
    a_hat
}

/// FIPS 203 §4.2.2, Algorithm 8: SamplePolyCBD_η(B), a polynomial with coefficients
/// from the centred binomial distribution of parameter η, from `64η` bytes.
///
/// ```text
/// 1: b ← BytesToBits(B)
/// 2: for (i ← 0; i < 256; i++)
/// 3:     x ← Σ_{j=0}^{η−1} b[2iη + j]
/// 4:     y ← Σ_{j=0}^{η−1} b[2iη + η + j]
/// 5:     f[i] ← x − y mod q
/// 6: end for
/// 7: return f
/// ```
pub(super) fn sample_poly_cbd(eta: usize, byte_array: &ByteSeq) -> Polynomial {
    // b ← BytesToBits(B)
    let b = bytes_to_bits(byte_array);
    let mut f = Polynomial::new();
    // for (i ← 0; i < 256; i++)
    for i in 0..N {
        // x ← Σ_{j=0}^{η−1} b[2iη + j]
        let mut x = U32::zero();
        for j in 0..eta {
            x += U32_from_U8(b[2 * i * eta + j]);
        }
        // y ← Σ_{j=0}^{η−1} b[2iη + η + j]
        let mut y = U32::zero();
        for j in 0..eta {
            y += U32_from_U8(b[2 * i * eta + eta + j]);
        }
        // f[i] ← x − y mod q   (q is added first so that the unsigned difference stays
        // non-negative)
        f[i] = mod_q(x + U32(Q) - y);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §4.2.2: every coefficient of SampleNTT's output is in `{0, ..., q − 1}`, and the
    /// output depends on both index bytes.
    #[test]
    fn sample_ntt_output_is_reduced_and_indexed() {
        let rho = ByteSeq::from_public_slice(&[7u8; 32]);
        let a_00 = sample_ntt(&rho.concat(&ByteSeq::from_public_slice(&[0, 0])));
        let a_01 = sample_ntt(&rho.concat(&ByteSeq::from_public_slice(&[0, 1])));
        let a_10 = sample_ntt(&rho.concat(&ByteSeq::from_public_slice(&[1, 0])));
        for i in 0..N {
            assert!(a_00[i].declassify() < Q);
        }
        assert!(!a_00.declassify_eq(&a_01));
        assert!(!a_00.declassify_eq(&a_10));
    }

    /// Algorithm 7 lines 6-9 and 12-13 by hand: SHAKE128 of the empty string begins
    /// 7f 9c 2b (NIST's SHAKE128 example values), so `d1 = 0x7f + 256 · 0xc = 3199`
    /// and `d2 = 0x9 + 16 · 0x2b = 697`, both below q: they are â[0] and â[1].
    #[test]
    fn sample_ntt_reads_twelve_bit_candidates() {
        let a_hat = sample_ntt(&ByteSeq::new(0));
        assert_eq!(U32::declassify(a_hat[0]), 0xc7f);
        assert_eq!(U32::declassify(a_hat[1]), 0x2b9);
    }

    /// §4.2.2: the coefficients of SamplePolyCBD_η lie in `[0, η] ∪ [q − η, q − 1]`;
    /// all-zero bits give the zero polynomial, and all-one bits too (x = y = η).
    #[test]
    fn sample_poly_cbd_range() {
        for eta in [2, 3] {
            let mut bytes = ByteSeq::new(64 * eta);
            for i in 0..64 * eta {
                bytes[i] = U8::classify(u8::try_from((i * 37 + 11) % 256).expect("byte"));
            }
            let f = sample_poly_cbd(eta, &bytes);
            let eta_u32 = u32::try_from(eta).expect("small");
            for i in 0..N {
                let c = f[i].declassify();
                assert!(c <= eta_u32 || (Q - eta_u32 <= c && c < Q), "{c}");
            }
            let zeros = sample_poly_cbd(eta, &ByteSeq::new(64 * eta));
            let ones = sample_poly_cbd(eta, &ByteSeq::from_public_slice(&vec![0xff; 64 * eta]));
            for i in 0..N {
                assert_eq!(zeros[i].declassify(), 0);
                assert_eq!(ones[i].declassify(), 0);
            }
        }
    }

    /// Algorithm 8 lines 3-5 on one byte: b = 0b0000_0111 gives (for η = 2) x = 1 + 1,
    /// y = 1 + 0, so f[0] = 1; the next four bits are zero, so f[1] = 0. The byte
    /// 0b1100_0000 in second place gives f[2] = 0 and f[3] = 0 − 2 = q − 2.
    #[test]
    fn sample_poly_cbd_eta_2_by_hand() {
        let mut bytes = ByteSeq::new(128);
        bytes[0] = U8(0b0000_0111);
        bytes[1] = U8(0b1100_0000);
        let f = sample_poly_cbd(2, &bytes);
        assert_eq!(U32::declassify(f[0]), 1);
        assert_eq!(U32::declassify(f[1]), 0);
        assert_eq!(U32::declassify(f[2]), 0);
        assert_eq!(U32::declassify(f[3]), Q - 2);
    }
}
