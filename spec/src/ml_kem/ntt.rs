//! FIPS 203 §4.3: the number-theoretic transform NTT (Algorithm 9), its inverse
//! (Algorithm 10), and multiplication in T_q, MultiplyNTTs (Algorithm 11) with
//! BaseCaseMultiply (Algorithm 12).
//!
//! The powers of ζ are computed where the pseudocode names them, `ζ^BitRev7(i) mod q`
//! and `ζ^(2·BitRev7(i)+1)`, rather than read from a table: §4.3 says they "may be
//! precomputed into an array", and the tests check the computed values against the
//! two arrays printed in Appendix A. They are public constants, computed with public
//! integers.

use super::arithmetic::{add_mod_q, mul_mod_q, sub_mod_q};
use super::parameters::{K, N, Q, ZETA};
use super::{Polynomial, PolynomialVector};
use hacspec_lib::*;

/// FIPS 203 §2.3: `BitRev7(r)`, "if r = r0 + 2r1 + 4r2 + ··· + 64r6 with ri ∈ {0,1},
/// then BitRev7(r) = r6 + 2r5 + 4r4 + ··· + 64r0", for `r < 128`.
fn bit_rev7(r: usize) -> usize {
    let mut reversed = 0;
    for i in 0..7 {
        // r_i moves to position 6 − i
        reversed |= ((r >> i) & 1) << (6 - i);
    }
    reversed
}

/// `ζ^e mod q` for a public exponent `e < 256`, by square-and-multiply over the bits of
/// `e`.
fn zeta_power(e: usize) -> u32 {
    let mut result = 1;
    let mut square = ZETA;
    for i in 0..8 {
        if (e >> i) & 1 == 1 {
            result = result * square % Q;
        }
        square = square * square % Q;
    }
    result
}

/// FIPS 203 §4.3, Algorithm 9: NTT(f), the NTT representation `f̂ ∈ T_q` of a
/// polynomial `f ∈ R_q`.
///
/// ```text
///  1: f̂ ← f
///  2: i ← 1
///  3: for (len ← 128; len ≥ 2; len ← len/2)
///  4:     for (start ← 0; start < 256; start ← start + 2 · len)
///  5:         zeta ← ζ^BitRev7(i) mod q
///  6:         i ← i + 1
///  7:         for (j ← start; j < start + len; j++)
///  8:             t ← zeta · f̂[j + len]           ▷ steps 8-10 done modulo q
///  9:             f̂[j + len] ← f̂[j] − t
/// 10:             f̂[j] ← f̂[j] + t
/// 11:         end for
/// 12:     end for
/// 13: end for
/// 14: return f̂
/// ```
pub(super) fn ntt(f: Polynomial) -> Polynomial {
    // f̂ ← f
    let mut f_hat = f;
    // i ← 1
    let mut i = 1;
    // for (len ← 128; len ≥ 2; len ← len/2): len = 128, 64, ..., 2
    for layer in 0..7 {
        let len = 128 >> layer;
        // for (start ← 0; start < 256; start ← start + 2 · len)
        for block in 0..N / (2 * len) {
            let start = block * 2 * len;
            // zeta ← ζ^BitRev7(i) mod q
            let zeta = U32::classify(zeta_power(bit_rev7(i)));
            // i ← i + 1
            i += 1;
            // for (j ← start; j < start + len; j++)
            for j in start..start + len {
                // t ← zeta · f̂[j + len]
                let t = mul_mod_q(zeta, f_hat[j + len]);
                // f̂[j + len] ← f̂[j] − t
                f_hat[j + len] = sub_mod_q(f_hat[j], t);
                // f̂[j] ← f̂[j] + t
                f_hat[j] = add_mod_q(f_hat[j], t);
            }
        }
    }
    f_hat
}

/// FIPS 203 §4.3, Algorithm 10: NTT⁻¹(f̂), the polynomial `f ∈ R_q` whose NTT
/// representation is `f̂ ∈ T_q`.
///
/// ```text
///  1: f ← f̂
///  2: i ← 127
///  3: for (len ← 2; len ≤ 128; len ← 2 · len)
///  4:     for (start ← 0; start < 256; start ← start + 2 · len)
///  5:         zeta ← ζ^BitRev7(i) mod q
///  6:         i ← i − 1
///  7:         for (j ← start; j < start + len; j++)
///  8:             t ← f[j]
///  9:             f[j] ← t + f[j + len]           ▷ steps 9-10 done modulo q
/// 10:             f[j + len] ← zeta · (f[j + len] − t)
/// 11:         end for
/// 12:     end for
/// 13: end for
/// 14: f ← f · 3303 mod q                         ▷ 3303 ≡ 128⁻¹ mod q
/// 15: return f
/// ```
pub(super) fn ntt_inverse(f_hat: Polynomial) -> Polynomial {
    // f ← f̂
    let mut f = f_hat;
    // i ← 127
    let mut i = 127;
    // for (len ← 2; len ≤ 128; len ← 2 · len): len = 2, 4, ..., 128
    for layer in 0..7 {
        let len = 2 << layer;
        // for (start ← 0; start < 256; start ← start + 2 · len)
        for block in 0..N / (2 * len) {
            let start = block * 2 * len;
            // zeta ← ζ^BitRev7(i) mod q
            let zeta = U32::classify(zeta_power(bit_rev7(i)));
            // i ← i − 1 (i reaches 0 after the last block, which reads no zeta after it)
            i -= 1;
            // for (j ← start; j < start + len; j++)
            for j in start..start + len {
                // t ← f[j]
                let t = f[j];
                // f[j] ← t + f[j + len]
                f[j] = add_mod_q(t, f[j + len]);
                // f[j + len] ← zeta · (f[j + len] − t)
                f[j + len] = mul_mod_q(zeta, sub_mod_q(f[j + len], t));
            }
        }
    }
    // f ← f · 3303 mod q
    for j in 0..N {
        f[j] = mul_mod_q(f[j], U32(3303));
    }
    f
}

/// FIPS 203 §4.3.1, Algorithm 11: MultiplyNTTs(f̂, ĝ), the product `f̂ ×_Tq ĝ` of two
/// NTT representations.
///
/// ```text
/// 1: for (i ← 0; i < 128; i++)
/// 2:     (ĥ[2i], ĥ[2i+1]) ← BaseCaseMultiply(f̂[2i], f̂[2i+1], ĝ[2i], ĝ[2i+1], ζ^(2BitRev7(i)+1))
/// 3: end for
/// 4: return ĥ
/// ```
pub(super) fn multiply_ntts(f_hat: Polynomial, g_hat: Polynomial) -> Polynomial {
    let mut h_hat = Polynomial::new();
    // for (i ← 0; i < 128; i++)
    for i in 0..N / 2 {
        // (ĥ[2i], ĥ[2i+1]) ← BaseCaseMultiply(f̂[2i], f̂[2i+1], ĝ[2i], ĝ[2i+1], ζ^(2BitRev7(i)+1))
        let gamma = U32::classify(zeta_power(2 * bit_rev7(i) + 1));
        let (c0, c1) = base_case_multiply(
            f_hat[2 * i],
            f_hat[2 * i + 1],
            g_hat[2 * i],
            g_hat[2 * i + 1],
            gamma,
        );
        h_hat[2 * i] = c0;
        h_hat[2 * i + 1] = c1;
    }
    h_hat
}

/// FIPS 203 §4.3.1, Algorithm 12: BaseCaseMultiply(a0, a1, b0, b1, γ), the product of
/// `a0 + a1·X` and `b0 + b1·X` modulo `X² − γ`.
///
/// ```text
/// 1: c0 ← a0 · b0 + a1 · b1 · γ                  ▷ steps 1-2 done modulo q
/// 2: c1 ← a0 · b1 + a1 · b0
/// 3: return (c0, c1)
/// ```
fn base_case_multiply(a0: U32, a1: U32, b0: U32, b1: U32, gamma: U32) -> (U32, U32) {
    // c0 ← a0 · b0 + a1 · b1 · γ
    let c0 = add_mod_q(mul_mod_q(a0, b0), mul_mod_q(mul_mod_q(a1, b1), gamma));
    // c1 ← a0 · b1 + a1 · b0
    let c1 = add_mod_q(mul_mod_q(a0, b1), mul_mod_q(a1, b0));
    (c0, c1)
}

/// FIPS 203 §2.4.6 (2.9): `v̂ ← NTT(v)` on a vector, with `v̂[i] = NTT(v[i])`.
pub(super) fn ntt_vector(v: PolynomialVector) -> PolynomialVector {
    let mut v_hat = [Polynomial::new(); K];
    for i in 0..K {
        v_hat[i] = ntt(v[i]);
    }
    v_hat
}

/// FIPS 203 §2.4.6, §4.3: `NTT⁻¹` on a vector, entry by entry.
pub(super) fn ntt_inverse_vector(v_hat: PolynomialVector) -> PolynomialVector {
    let mut v = [Polynomial::new(); K];
    for i in 0..K {
        v[i] = ntt_inverse(v_hat[i]);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 203 Appendix A, first array: `ζ^BitRev7(i) mod q` for i = 0, ..., 127, as
    /// printed.
    #[rustfmt::skip]
    const APPENDIX_A_ZETAS: [u32; 128] = [
        1, 1729, 2580, 3289, 2642, 630, 1897, 848,
        1062, 1919, 193, 797, 2786, 3260, 569, 1746,
        296, 2447, 1339, 1476, 3046, 56, 2240, 1333,
        1426, 2094, 535, 2882, 2393, 2879, 1974, 821,
        289, 331, 3253, 1756, 1197, 2304, 2277, 2055,
        650, 1977, 2513, 632, 2865, 33, 1320, 1915,
        2319, 1435, 807, 452, 1438, 2868, 1534, 2402,
        2647, 2617, 1481, 648, 2474, 3110, 1227, 910,
        17, 2761, 583, 2649, 1637, 723, 2288, 1100,
        1409, 2662, 3281, 233, 756, 2156, 3015, 3050,
        1703, 1651, 2789, 1789, 1847, 952, 1461, 2687,
        939, 2308, 2437, 2388, 733, 2337, 268, 641,
        1584, 2298, 2037, 3220, 375, 2549, 2090, 1645,
        1063, 319, 2773, 757, 2099, 561, 2466, 2594,
        2804, 1092, 403, 1026, 1143, 2150, 2775, 886,
        1722, 1212, 1874, 1029, 2110, 2935, 885, 2154,
    ];

    /// FIPS 203 Appendix A, second array: `ζ^(2BitRev7(i)+1) mod q` for i = 0, ..., 127,
    /// as printed (with negative representatives).
    #[rustfmt::skip]
    const APPENDIX_A_GAMMAS: [i32; 128] = [
        17, -17, 2761, -2761, 583, -583, 2649, -2649,
        1637, -1637, 723, -723, 2288, -2288, 1100, -1100,
        1409, -1409, 2662, -2662, 3281, -3281, 233, -233,
        756, -756, 2156, -2156, 3015, -3015, 3050, -3050,
        1703, -1703, 1651, -1651, 2789, -2789, 1789, -1789,
        1847, -1847, 952, -952, 1461, -1461, 2687, -2687,
        939, -939, 2308, -2308, 2437, -2437, 2388, -2388,
        733, -733, 2337, -2337, 268, -268, 641, -641,
        1584, -1584, 2298, -2298, 2037, -2037, 3220, -3220,
        375, -375, 2549, -2549, 2090, -2090, 1645, -1645,
        1063, -1063, 319, -319, 2773, -2773, 757, -757,
        2099, -2099, 561, -561, 2466, -2466, 2594, -2594,
        2804, -2804, 1092, -1092, 403, -403, 1026, -1026,
        1143, -1143, 2150, -2150, 2775, -2775, 886, -886,
        1722, -1722, 1212, -1212, 1874, -1874, 1029, -1029,
        2110, -2110, 2935, -2935, 885, -885, 2154, -2154,
    ];

    /// A polynomial with pseudo-random coefficients in Z_q.
    fn sample(start: u32) -> Polynomial {
        let mut f = Polynomial::new();
        let mut x = start;
        for i in 0..N {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            f[i] = U32((x >> 8) % Q);
        }
        f
    }

    /// Multiplication in R_q = Z_q[X]/(X^256 + 1), term by term, for the check of (4.9).
    fn schoolbook_multiply(f: Polynomial, g: Polynomial) -> [u32; N] {
        let mut h = [0u32; N];
        for i in 0..N {
            for j in 0..N {
                let product = f[i].declassify() * g[j].declassify() % Q;
                if i + j < N {
                    h[i + j] = (h[i + j] + product) % Q;
                } else {
                    // X^256 = −1
                    h[i + j - N] = (h[i + j - N] + Q - product) % Q;
                }
            }
        }
        h
    }

    /// §2.3: BitRev7 on a few values, and it is an involution on {0, ..., 127}.
    #[test]
    fn bit_rev7_reverses_seven_bits() {
        assert_eq!(bit_rev7(0), 0);
        assert_eq!(bit_rev7(1), 64);
        assert_eq!(bit_rev7(2), 32);
        assert_eq!(bit_rev7(3), 96);
        assert_eq!(bit_rev7(127), 127);
        for r in 0..128 {
            assert_eq!(bit_rev7(bit_rev7(r)), r);
        }
    }

    /// §4.3: ζ = 17 is a primitive 256-th root of unity, so ζ^128 ≡ −1.
    #[test]
    fn zeta_is_a_primitive_256th_root_of_unity() {
        assert_eq!(zeta_power(128), Q - 1);
        assert_eq!(zeta_power(0), 1);
        assert_eq!(zeta_power(1), 17);
    }

    /// Appendix A: the zetas of Algorithms 9 and 10 (1, 1729, 2580, 3289, ...) and the
    /// gammas of Algorithm 11 (17, −17, 2761, −2761, ...) are the printed values.
    #[test]
    fn fips203_appendix_a_tables() {
        for i in 0..128 {
            assert_eq!(zeta_power(bit_rev7(i)), APPENDIX_A_ZETAS[i], "zeta {i}");
            let gamma = (APPENDIX_A_GAMMAS[i] + 3329) % 3329;
            assert_eq!(
                i32::try_from(zeta_power(2 * bit_rev7(i) + 1)).expect("< q"),
                gamma,
                "gamma {i}"
            );
        }
    }

    /// §2.4.4: NTT⁻¹(NTT(f)) = f, and NTT(NTT⁻¹(f̂)) = f̂.
    #[test]
    fn ntt_inverse_inverts_ntt() {
        for start in 0..8 {
            let f = sample(start);
            assert!(ntt_inverse(ntt(f)).declassify_eq(&f));
            assert!(ntt(ntt_inverse(f)).declassify_eq(&f));
        }
    }

    /// §4.3 (4.9): `f ×_Rq g = NTT⁻¹(f̂ ×_Tq ĝ)`, against multiplication modulo
    /// X^256 + 1 done term by term.
    #[test]
    fn multiply_ntts_is_multiplication_in_r_q() {
        for start in 0..3 {
            let f = sample(2 * start);
            let g = sample(2 * start + 1);
            let h = ntt_inverse(multiply_ntts(ntt(f), ntt(g)));
            let expected = schoolbook_multiply(f, g);
            for i in 0..N {
                assert_eq!(h[i].declassify(), expected[i], "coefficient {i}");
            }
        }
    }

    /// §4.3: the NTT of the constant polynomial 1 is 1 in every coordinate of T_q
    /// (every residue of 1 modulo X² − γ is 1 + 0·X).
    #[test]
    fn ntt_of_one() {
        let mut one = Polynomial::new();
        one[0] = U32(1);
        let one_hat = ntt(one);
        for i in 0..N / 2 {
            assert_eq!(one_hat[2 * i].declassify(), 1);
            assert_eq!(one_hat[2 * i + 1].declassify(), 0);
        }
    }
}
