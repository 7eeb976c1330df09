//! FIPS 203 §4.2.1: conversion between bit arrays, byte arrays and arrays of integers
//! modulo m (Algorithms 3 to 6), and compression (equations 4.7 and 4.8).

use super::Polynomial;
use super::arithmetic::{divide, mod_q};
use super::parameters::{N, Q};
use hacspec_lib::*;

/// A bit array `b ∈ {0,1}^ℓ`, one secret byte per bit, each 0 or 1.
type Bits = Seq<U8>;

/// FIPS 203 §4.2.1, Algorithm 3: BitsToBytes(b), the bit array `b ∈ {0,1}^(8ℓ)` as the
/// byte array `B ∈ B^ℓ`, each eight bits little-endian.
///
/// ```text
/// 1: B ← (0, ..., 0)
/// 2: for (i ← 0; i < 8ℓ; i++)
/// 3:     B[⌊i/8⌋] ← B[⌊i/8⌋] + b[i] · 2^(i mod 8)
/// 4: end for
/// 5: return B
/// ```
pub(super) fn bits_to_bytes(b: &Bits) -> ByteSeq {
    let l = b.len() / 8;
    // B ← (0, ..., 0)
    let mut byte_array = ByteSeq::new(l);
    // for (i ← 0; i < 8ℓ; i++)
    for i in 0..8 * l {
        // B[⌊i/8⌋] ← B[⌊i/8⌋] + b[i] · 2^(i mod 8)
        byte_array[i / 8] += b[i] << (i % 8);
    }
    byte_array
}

/// FIPS 203 §4.2.1, Algorithm 4: BytesToBits(B), the inverse of BitsToBytes.
///
/// ```text
/// 1: C ← B
/// 2: for (i ← 0; i < ℓ; i++)
/// 3:     for (j ← 0; j < 8; j++)
/// 4:         b[8i + j] ← C[i] mod 2
/// 5:         C[i] ← ⌊C[i]/2⌋
/// 6:     end for
/// 7: end for
/// 8: return b
/// ```
pub(super) fn bytes_to_bits(byte_array: &ByteSeq) -> Bits {
    let l = byte_array.len();
    // C ← B
    let mut c = byte_array.clone();
    let mut b = Bits::new(8 * l);
    // for (i ← 0; i < ℓ; i++)
    for i in 0..l {
        // for (j ← 0; j < 8; j++)
        for j in 0..8 {
            // b[8i + j] ← C[i] mod 2
            b[8 * i + j] = c[i] & U8::one();
            // C[i] ← ⌊C[i]/2⌋
            c[i] >>= 1;
        }
    }
    b
}

/// FIPS 203 §4.2.1, Algorithm 5: ByteEncode_d(F), the array `F ∈ Z_m^256` of d-bit
/// integers as `32d` bytes, for `1 ≤ d ≤ 12` (`m = 2^d` for `d < 12`, `m = q` for
/// `d = 12`).
///
/// ```text
/// 1: for (i ← 0; i < 256; i++)
/// 2:     a ← F[i]
/// 3:     for (j ← 0; j < d; j++)
/// 4:         b[i · d + j] ← a mod 2
/// 5:         a ← (a − b[i · d + j])/2
/// 6:     end for
/// 7: end for
/// 8: B ← BitsToBytes(b)
/// 9: return B
/// ```
pub(super) fn byte_encode(d: usize, f: Polynomial) -> ByteSeq {
    let mut b = Bits::new(N * d);
    // for (i ← 0; i < 256; i++)
    for i in 0..N {
        // a ← F[i]
        let mut a = f[i];
        // for (j ← 0; j < d; j++)
        for j in 0..d {
            // b[i · d + j] ← a mod 2
            let bit = a & U32::one();
            b[i * d + j] = U8_from_U32(bit);
            // a ← (a − b[i · d + j])/2   (a − b[i · d + j] is even: the halving is exact)
            a = (a - bit) >> 1;
        }
    }
    // B ← BitsToBytes(b)
    bits_to_bytes(&b)
}

/// FIPS 203 §4.2.1, Algorithm 6: ByteDecode_d(B), `32d` bytes as an array
/// `F ∈ Z_m^256` of d-bit integers, for `1 ≤ d ≤ 12`.
///
/// ```text
/// 1: b ← BytesToBits(B)
/// 2: for (i ← 0; i < 256; i++)
/// 3:     F[i] ← Σ_{j=0}^{d−1} b[i · d + j] · 2^j mod m
/// 4: end for
/// 5: return F
/// ```
///
/// For `d = 12` the reduction modulo q is real: a 12-bit segment can hold up to 4095,
/// and §4.2.1 notes that ByteDecode_12 is then "no longer a one-to-one operation".
/// The modulus check of §7.2 rests on exactly that.
pub(super) fn byte_decode(d: usize, byte_array: &ByteSeq) -> Polynomial {
    // b ← BytesToBits(B)
    let b = bytes_to_bits(byte_array);
    let mut f = Polynomial::new();
    // for (i ← 0; i < 256; i++)
    for i in 0..N {
        // F[i] ← Σ_{j=0}^{d−1} b[i · d + j] · 2^j mod m
        let mut sum = U32::zero();
        for j in 0..d {
            sum += U32_from_U8(b[i * d + j]) << j;
        }
        f[i] = reduce_mod_m(d, sum);
    }
    f
}

/// FIPS 203 §4.2.1: the `mod m` of Algorithm 6, with `m = 2^d` if `d < 12` and
/// `m = q` if `d = 12`.
///
/// For `d < 12` the sum of d bits is already below `2^d`, so the mask changes nothing;
/// it stays because the document has it.
fn reduce_mod_m(d: usize, x: U32) -> U32 {
    if d < 12 {
        x & U32((1u32 << d) - 1)
    } else {
        mod_q(x)
    }
}

/// FIPS 203 §4.2.1 (4.7): `Compress_d(x) = ⌈(2^d / q) · x⌋ mod 2^d`, from Z_q to
/// Z_(2^d), for `d < 12`.
///
/// §2.3 rounds ties up, `⌈x⌋ = ⌊x + 1/2⌋`, so for non-negative integers
/// `⌈a / b⌋ = ⌊(2a + b) / (2b)⌋`, and with `a = 2^d · x`, `b = q`:
/// `⌈(2^d / q) · x⌋ = ⌊(2^(d+1) · x + q) / (2q)⌋`. That is an integer division, as §3.3
/// requires ("Floating-point computations shall not be used"), of a secret by the
/// public `2q`.
pub(super) fn compress(d: usize, x: U32) -> U32 {
    // ⌈(2^d / q) · x⌋
    let (rounded, _) = divide((x << (d + 1)) + U32(Q), 2 * Q);
    // mod 2^d
    rounded & U32((1u32 << d) - 1)
}

/// FIPS 203 §4.2.1 (4.8): `Decompress_d(y) = ⌈(q / 2^d) · y⌋`, from Z_(2^d) to Z_q, for
/// `1 ≤ d < 12`.
///
/// As in [`compress`], `⌈(q / 2^d) · y⌋ = ⌊(2qy + 2^d) / 2^(d+1)⌋
/// = ⌊(qy + 2^(d−1)) / 2^d⌋`, a division by a power of two.
pub(super) fn decompress(d: usize, y: U32) -> U32 {
    (y * U32(Q) + U32(1u32 << (d - 1))) >> d
}

/// FIPS 203 §2.4.8 (2.15): `K ← Compress_d(F)` on an array, entry by entry.
pub(super) fn compress_polynomial(d: usize, f: Polynomial) -> Polynomial {
    let mut k = Polynomial::new();
    for i in 0..N {
        k[i] = compress(d, f[i]);
    }
    k
}

/// FIPS 203 §2.4.8: `Decompress_d(F)` on an array, entry by entry.
pub(super) fn decompress_polynomial(d: usize, f: Polynomial) -> Polynomial {
    let mut k = Polynomial::new();
    for i in 0..N {
        k[i] = decompress(d, f[i]);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A polynomial with pseudo-random entries below `m` (a fixed linear congruential
    /// sequence).
    fn sample(m: u32, start: u32) -> Polynomial {
        let mut f = Polynomial::new();
        let mut x = start;
        for i in 0..N {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            f[i] = U32((x >> 8) % m);
        }
        f
    }

    /// §4.2.1: "the 8-bit string 11010001 corresponds to the byte 139".
    #[test]
    fn fips203_bits_to_bytes_example() {
        let bits = Bits::from_public_slice(&[1, 1, 0, 1, 0, 0, 0, 1]);
        assert_eq!(U8::declassify(bits_to_bytes(&bits)[0]), 139);
        assert_eq!(bytes_to_bits(&bits_to_bytes(&bits)), bits);
    }

    /// §4.2.1: for `1 ≤ d ≤ 11` ByteDecode_d inverts ByteEncode_d, and for `d = 12` it
    /// does on arrays in Z_q^256; ByteEncode_d(ByteDecode_d(B)) = B for all `d < 12`.
    #[test]
    fn byte_decode_inverts_byte_encode() {
        for d in 1..=12 {
            let m = if d < 12 { 1 << d } else { Q };
            for start in 0..4 {
                let f = sample(m, start);
                let encoded = byte_encode(d, f);
                assert_eq!(encoded.len(), 32 * d);
                assert!(byte_decode(d, &encoded).declassify_eq(&f), "d = {d}");
                if d < 12 {
                    assert_eq!(byte_encode(d, byte_decode(d, &encoded)), encoded);
                }
            }
        }
    }

    /// §4.2.1: ByteDecode_12 reduces a 12-bit segment of q or more modulo q, so
    /// re-encoding does not give the input back (the basis of the §7.2 check).
    #[test]
    fn byte_decode_12_reduces_modulo_q() {
        // The first segment is 0xfff = 4095, the second 0xd01 = 3329 = q.
        let mut encoded = ByteSeq::new(384);
        encoded[0] = U8(0xff);
        encoded[1] = U8(0x1f);
        encoded[2] = U8(0xd0);
        let f = byte_decode(12, &encoded);
        assert_eq!(U32::declassify(f[0]), 4095 - Q);
        assert_eq!(U32::declassify(f[1]), 0);
        assert_ne!(byte_encode(12, f), encoded);
    }

    /// §4.2.1: "Compress_d(Decompress_d(y)) = y for all y ∈ Z_(2^d) and all d < 12",
    /// and compression followed by decompression moves x by at most
    /// `⌈q / 2^(d+1)⌋` (distance taken modulo q).
    #[test]
    fn compress_decompress_properties() {
        for d in 1..12 {
            for y in 0..1u32 << d {
                assert_eq!(compress(d, decompress(d, U32(y))).declassify(), y);
            }
            let bound = (Q + (1 << (d + 1)) / 2) / (1 << (d + 1));
            for x in 0..Q {
                let back = decompress(d, compress(d, U32(x))).declassify();
                assert!(back < Q);
                let distance = (x + Q - back) % Q;
                assert!(distance.min(Q - distance) <= bound, "d = {d}, x = {x}");
            }
        }
    }

    /// (4.7), (4.8) on values worked by hand: Compress_1 sends the middle of Z_q to 1,
    /// and Decompress_1(1) = ⌈q/2⌋ = 1665.
    #[test]
    fn compress_1_and_decompress_1() {
        assert_eq!(compress(1, U32(832)).declassify(), 0);
        assert_eq!(compress(1, U32(833)).declassify(), 1);
        assert_eq!(compress(1, U32(2496)).declassify(), 1);
        assert_eq!(compress(1, U32(2497)).declassify(), 0);
        assert_eq!(decompress(1, U32(1)).declassify(), 1665);
    }
}
