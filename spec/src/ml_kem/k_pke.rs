//! FIPS 203 §5: the component scheme K-PKE, its key generation (Algorithm 13),
//! encryption (Algorithm 14) and decryption (Algorithm 15).
//!
//! §5: "The algorithms in this section do not perform any input checking because they
//! are only invoked as subroutines of the main ML-KEM algorithms." Their inputs have
//! fixed-size types, which is all the checking they need to be total.
#![allow(
    clippy::needless_range_loop,
    reason = "the pseudocode's `for (i ← 0; i < k; i++)` loops stay `for` loops over ranges \
              (the spec's functional subset), not iterator chains"
)]

use super::arithmetic::{
    add_polynomials, add_vectors, dot_product, matrix_transpose_vector_product,
    matrix_vector_product, sub_polynomials,
};
use super::encoding::{byte_decode, byte_encode, compress_polynomial, decompress_polynomial};
use super::hash::{g, prf};
use super::ntt::{ntt_inverse, ntt_inverse_vector, ntt_vector};
use super::parameters::{D_U, D_V, ETA_1, ETA_2, K};
use super::sampling::{sample_ntt, sample_poly_cbd};
use super::{
    Ciphertext, EncapsulationKey, PkeDecryptionKey, Polynomial, PolynomialMatrix, PolynomialVector,
    Seed32,
};
use hacspec_lib::*;

/// The 34-byte input `ρ ‖ j ‖ i` of SampleNTT in Algorithms 13 and 14: "j and i are
/// bytes 33 and 34 of the input".
fn sample_ntt_input(rho: &Seed32, j: usize, i: usize) -> ByteSeq {
    ByteSeq::from_seq(rho)
        .push(&U8_from_usize(j))
        .push(&U8_from_usize(i))
}

/// FIPS 203 §5.1, Algorithm 13: K-PKE.KeyGen(d), an encryption key and the matching
/// decryption key from the randomness `d`.
///
/// ```text
///  1: (ρ, σ) ← G(d ‖ k)
///  2: N ← 0
///  3: for (i ← 0; i < k; i++)
///  4:     for (j ← 0; j < k; j++)
///  5:         Â[i, j] ← SampleNTT(ρ ‖ j ‖ i)
///  6:     end for
///  7: end for
///  8: for (i ← 0; i < k; i++)
///  9:     s[i] ← SamplePolyCBD_η1(PRF_η1(σ, N))
/// 10:     N ← N + 1
/// 11: end for
/// 12: for (i ← 0; i < k; i++)
/// 13:     e[i] ← SamplePolyCBD_η1(PRF_η1(σ, N))
/// 14:     N ← N + 1
/// 15: end for
/// 16: ŝ ← NTT(s)
/// 17: ê ← NTT(e)
/// 18: t̂ ← Â ∘ ŝ + ê
/// 19: ek_PKE ← ByteEncode_12(t̂) ‖ ρ
/// 20: dk_PKE ← ByteEncode_12(ŝ)
/// 21: return (ek_PKE, dk_PKE)
/// ```
pub(super) fn keygen(d: &Seed32) -> (EncapsulationKey, PkeDecryptionKey) {
    // (ρ, σ) ← G(d ‖ k): byte 33 is k, separating the parameter sets (§5.1 footnote)
    let (rho, sigma) = g(&ByteSeq::from_seq(d).push(&U8_from_usize(K)));
    // N ← 0
    let mut n: u8 = 0;
    // for (i ← 0; i < k; i++), for (j ← 0; j < k; j++)
    let mut a_hat: PolynomialMatrix = [[Polynomial::new(); K]; K];
    for i in 0..K {
        for j in 0..K {
            // Â[i, j] ← SampleNTT(ρ ‖ j ‖ i)
            a_hat[i][j] = sample_ntt(&sample_ntt_input(&rho, j, i));
        }
    }
    // for (i ← 0; i < k; i++)
    let mut s: PolynomialVector = [Polynomial::new(); K];
    for i in 0..K {
        // s[i] ← SamplePolyCBD_η1(PRF_η1(σ, N))
        s[i] = sample_poly_cbd(ETA_1, &prf(ETA_1, &sigma, n));
        // N ← N + 1
        n += 1;
    }
    // for (i ← 0; i < k; i++)
    let mut e: PolynomialVector = [Polynomial::new(); K];
    for i in 0..K {
        // e[i] ← SamplePolyCBD_η1(PRF_η1(σ, N))
        e[i] = sample_poly_cbd(ETA_1, &prf(ETA_1, &sigma, n));
        // N ← N + 1
        n += 1;
    }
    // ŝ ← NTT(s)
    let s_hat = ntt_vector(s);
    // ê ← NTT(e)
    let e_hat = ntt_vector(e);
    // t̂ ← Â ∘ ŝ + ê
    let t_hat = add_vectors(matrix_vector_product(a_hat, s_hat), e_hat);
    // ek_PKE ← ByteEncode_12(t̂) ‖ ρ   (ByteEncode_12 run k times, §2.4.8)
    let mut ek_pke = ByteSeq::new(0);
    for i in 0..K {
        ek_pke = ek_pke.concat(&byte_encode(12, t_hat[i]));
    }
    ek_pke = ek_pke.concat(&rho);
    // dk_PKE ← ByteEncode_12(ŝ)
    let mut dk_pke = ByteSeq::new(0);
    for i in 0..K {
        dk_pke = dk_pke.concat(&byte_encode(12, s_hat[i]));
    }
    (
        EncapsulationKey::from_seq(&ek_pke),
        PkeDecryptionKey::from_seq(&dk_pke),
    )
}

/// FIPS 203 §5.2, Algorithm 14: K-PKE.Encrypt(ek_PKE, m, r), the encryption of the
/// 32-byte message `m` under `ek_PKE` with the randomness `r`.
///
/// ```text
///  1: N ← 0
///  2: t̂ ← ByteDecode_12(ek_PKE[0 : 384k])
///  3: ρ ← ek_PKE[384k : 384k + 32]
///  4: for (i ← 0; i < k; i++)
///  5:     for (j ← 0; j < k; j++)
///  6:         Â[i, j] ← SampleNTT(ρ ‖ j ‖ i)
///  7:     end for
///  8: end for
///  9: for (i ← 0; i < k; i++)
/// 10:     y[i] ← SamplePolyCBD_η1(PRF_η1(r, N))
/// 11:     N ← N + 1
/// 12: end for
/// 13: for (i ← 0; i < k; i++)
/// 14:     e1[i] ← SamplePolyCBD_η2(PRF_η2(r, N))
/// 15:     N ← N + 1
/// 16: end for
/// 17: e2 ← SamplePolyCBD_η2(PRF_η2(r, N))
/// 18: ŷ ← NTT(y)
/// 19: u ← NTT⁻¹(Âᵀ ∘ ŷ) + e1
/// 20: μ ← Decompress_1(ByteDecode_1(m))
/// 21: v ← NTT⁻¹(t̂ᵀ ∘ ŷ) + e2 + μ
/// 22: c1 ← ByteEncode_du(Compress_du(u))
/// 23: c2 ← ByteEncode_dv(Compress_dv(v))
/// 24: return c ← (c1 ‖ c2)
/// ```
pub(super) fn encrypt(ek_pke: &EncapsulationKey, m: &Seed32, r: &Seed32) -> Ciphertext {
    // N ← 0
    let mut n: u8 = 0;
    // t̂ ← ByteDecode_12(ek_PKE[0 : 384k])   (run k times, §2.4.8 (2.17))
    let mut t_hat: PolynomialVector = [Polynomial::new(); K];
    for i in 0..K {
        t_hat[i] = byte_decode(12, &ek_pke.slice(384 * i, 384));
    }
    // ρ ← ek_PKE[384k : 384k + 32]
    let rho = Seed32::from_slice(ek_pke, 384 * K, 32);
    // for (i ← 0; i < k; i++), for (j ← 0; j < k; j++)
    let mut a_hat: PolynomialMatrix = [[Polynomial::new(); K]; K];
    for i in 0..K {
        for j in 0..K {
            // Â[i, j] ← SampleNTT(ρ ‖ j ‖ i)
            a_hat[i][j] = sample_ntt(&sample_ntt_input(&rho, j, i));
        }
    }
    // for (i ← 0; i < k; i++)
    let mut y: PolynomialVector = [Polynomial::new(); K];
    for i in 0..K {
        // y[i] ← SamplePolyCBD_η1(PRF_η1(r, N))
        y[i] = sample_poly_cbd(ETA_1, &prf(ETA_1, r, n));
        // N ← N + 1
        n += 1;
    }
    // for (i ← 0; i < k; i++)
    let mut e1: PolynomialVector = [Polynomial::new(); K];
    for i in 0..K {
        // e1[i] ← SamplePolyCBD_η2(PRF_η2(r, N))
        e1[i] = sample_poly_cbd(ETA_2, &prf(ETA_2, r, n));
        // N ← N + 1
        n += 1;
    }
    // e2 ← SamplePolyCBD_η2(PRF_η2(r, N))
    let e2 = sample_poly_cbd(ETA_2, &prf(ETA_2, r, n));
    // ŷ ← NTT(y)
    let y_hat = ntt_vector(y);
    // u ← NTT⁻¹(Âᵀ ∘ ŷ) + e1
    let u = add_vectors(
        ntt_inverse_vector(matrix_transpose_vector_product(a_hat, y_hat)),
        e1,
    );
    // μ ← Decompress_1(ByteDecode_1(m))
    let mu = decompress_polynomial(1, byte_decode(1, &ByteSeq::from_seq(m)));
    // v ← NTT⁻¹(t̂ᵀ ∘ ŷ) + e2 + μ
    let v = add_polynomials(
        add_polynomials(ntt_inverse(dot_product(t_hat, y_hat)), e2),
        mu,
    );
    // c1 ← ByteEncode_du(Compress_du(u))   (run k times)
    let mut c1 = ByteSeq::new(0);
    for i in 0..K {
        c1 = c1.concat(&byte_encode(D_U, compress_polynomial(D_U, u[i])));
    }
    // c2 ← ByteEncode_dv(Compress_dv(v))
    let c2 = byte_encode(D_V, compress_polynomial(D_V, v));
    // return c ← (c1 ‖ c2)
    Ciphertext::from_seq(&c1.concat(&c2))
}

/// FIPS 203 §5.3, Algorithm 15: K-PKE.Decrypt(dk_PKE, c), the 32-byte message that `c`
/// encrypts.
///
/// ```text
/// 1: c1 ← c[0 : 32du·k]
/// 2: c2 ← c[32du·k : 32(du·k + dv)]
/// 3: u′ ← Decompress_du(ByteDecode_du(c1))
/// 4: v′ ← Decompress_dv(ByteDecode_dv(c2))
/// 5: ŝ ← ByteDecode_12(dk_PKE)
/// 6: w ← v′ − NTT⁻¹(ŝᵀ ∘ NTT(u′))
/// 7: m ← ByteEncode_1(Compress_1(w))
/// 8: return m
/// ```
pub(super) fn decrypt(dk_pke: &PkeDecryptionKey, c: &Ciphertext) -> Seed32 {
    // c1 ← c[0 : 32du·k]
    let c1 = c.slice(0, 32 * D_U * K);
    // c2 ← c[32du·k : 32(du·k + dv)]
    let c2 = c.slice(32 * D_U * K, 32 * D_V);
    // u′ ← Decompress_du(ByteDecode_du(c1))   (run k times)
    let mut u_prime: PolynomialVector = [Polynomial::new(); K];
    for i in 0..K {
        u_prime[i] =
            decompress_polynomial(D_U, byte_decode(D_U, &c1.slice(32 * D_U * i, 32 * D_U)));
    }
    // v′ ← Decompress_dv(ByteDecode_dv(c2))
    let v_prime = decompress_polynomial(D_V, byte_decode(D_V, &c2));
    // ŝ ← ByteDecode_12(dk_PKE)   (run k times)
    let mut s_hat: PolynomialVector = [Polynomial::new(); K];
    for i in 0..K {
        s_hat[i] = byte_decode(12, &dk_pke.slice(384 * i, 384));
    }
    // w ← v′ − NTT⁻¹(ŝᵀ ∘ NTT(u′))
    let w = sub_polynomials(
        v_prime,
        ntt_inverse(dot_product(s_hat, ntt_vector(u_prime))),
    );
    // m ← ByteEncode_1(Compress_1(w))
    Seed32::from_seq(&byte_encode(1, compress_polynomial(1, w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(byte: u8) -> Seed32 {
        Seed32::from_public_slice(&[byte; 32])
    }

    /// §5: K-PKE.Decrypt recovers the message K-PKE.Encrypt encrypted (for these
    /// seeds; decryption can fail with the tiny probability of §3.2, Table 1).
    #[test]
    fn decrypt_inverts_encrypt() {
        let (ek_pke, dk_pke) = keygen(&seed(1));
        for byte in [0u8, 0xff, 0x5a] {
            let m = seed(byte);
            let c = encrypt(&ek_pke, &m, &seed(2));
            assert_eq!(decrypt(&dk_pke, &c).to_hex(), m.to_hex());
        }
    }

    /// §5.2: encryption is deterministic in `r` and depends on it.
    #[test]
    fn encrypt_depends_on_randomness() {
        let (ek_pke, _) = keygen(&seed(3));
        let m = seed(4);
        let c = encrypt(&ek_pke, &m, &seed(5));
        assert_eq!(encrypt(&ek_pke, &m, &seed(5)).to_hex(), c.to_hex());
        assert_ne!(encrypt(&ek_pke, &m, &seed(6)).to_hex(), c.to_hex());
    }
}
