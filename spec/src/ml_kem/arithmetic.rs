//! FIPS 203 §2.3, §2.4.1, §2.4.3, §2.4.5 and §2.4.7: arithmetic modulo q, and on the
//! arrays, vectors and matrices built from it.
//!
//! §2.4.1: "It is implicit that reduction modulo m takes place whenever an assignment
//! is made to a variable in Z_m." Here that reduction is written out: every value in
//! Z_q is held reduced, in `{0, ..., q - 1}`, and each operation reduces its result.
//!
//! §2.4.1 also says the pseudocode "is agnostic regarding ... how modular reduction is
//! computed". hacspec-lib's secret integers have no `%` (a hardware division can take
//! time that depends on its operands), so [`divide`] computes quotient and remainder
//! by binary long division, one masked conditional subtraction per quotient bit.

use super::ntt::multiply_ntts;
use super::parameters::{K, N, Q};
use super::{Polynomial, PolynomialMatrix, PolynomialVector};
use hacspec_lib::*;

/// How many quotient bits [`divide`] computes: exactly enough for every dividend this
/// crate forms. Every operand is held reduced, so the largest are the product
/// `(q - 1)² < q · 2^12` in [`mul_mod_q`] and `Compress_11`'s `x · 2^12 + q < 2q · 2^12`.
const QUOTIENT_BITS: usize = 12;

/// Euclidean division of a secret `x` by a public `m`: `(⌊x / m⌋, x mod m)`, for
/// `x < m · 2^12`.
///
/// Schoolbook binary long division: for each quotient bit from the top, subtract
/// `m · 2^bit` if it fits. Whether it fits is a secret, so it becomes an all-ones or
/// all-zeros mask rather than a branch.
pub(super) fn divide(x: U32, m: u32) -> (U32, U32) {
    let mut remainder = x;
    let mut quotient = U32::zero();
    for i in 0..QUOTIENT_BITS {
        let bit = QUOTIENT_BITS - 1 - i;
        let multiple = U32::classify(m << bit);
        let fits = remainder.comp_gte(multiple);
        remainder -= multiple & fits;
        quotient |= (U32::one() << bit) & fits;
    }
    (quotient, remainder)
}

/// FIPS 203 §2.3: `r mod q`, "the unique integer r′ in {0, 1, ..., q − 1} such that q
/// divides r − r′", for `0 ≤ r < q · 2^12`.
pub(super) fn mod_q(r: U32) -> U32 {
    let (_, remainder) = divide(r, Q);
    remainder
}

/// FIPS 203 §2.4.1 (2.1): `a + b` in Z_q.
pub(super) fn add_mod_q(a: U32, b: U32) -> U32 {
    mod_q(a + b)
}

/// FIPS 203 §2.4.1: `a − b` in Z_q; adding q first keeps the unsigned difference
/// non-negative.
pub(super) fn sub_mod_q(a: U32, b: U32) -> U32 {
    mod_q(a + U32(Q) - b)
}

/// FIPS 203 §2.4.1: `a · b` in Z_q.
pub(super) fn mul_mod_q(a: U32, b: U32) -> U32 {
    mod_q(a * b)
}

/// FIPS 203 §2.4.3 (2.3), §2.4.5: `W ← X + Y` for arrays in Z_q^256, entry by entry;
/// the sum in R_q and in T_q alike.
pub(super) fn add_polynomials(x: Polynomial, y: Polynomial) -> Polynomial {
    let mut w = Polynomial::new();
    for i in 0..N {
        w[i] = add_mod_q(x[i], y[i]);
    }
    w
}

/// FIPS 203 §2.4.3, §2.4.5: `X − Y` for arrays in Z_q^256, entry by entry.
pub(super) fn sub_polynomials(x: Polynomial, y: Polynomial) -> Polynomial {
    let mut w = Polynomial::new();
    for i in 0..N {
        w[i] = sub_mod_q(x[i], y[i]);
    }
    w
}

/// FIPS 203 §2.4.7 (2.11): `ẑ ← û + v̂`, with `ẑ[i] = û[i] + v̂[i]` for all i (for
/// vectors over R_q too).
pub(super) fn add_vectors(u: PolynomialVector, v: PolynomialVector) -> PolynomialVector {
    let mut z = [Polynomial::new(); K];
    for i in 0..K {
        z[i] = add_polynomials(u[i], v[i]);
    }
    z
}

/// FIPS 203 §2.4.7 (2.12): `ŵ ← Â ∘ û`, with
/// `ŵ[i] = Σ_{j=0}^{k−1} Â[i, j] ×_Tq û[j]`.
pub(super) fn matrix_vector_product(
    a_hat: PolynomialMatrix,
    u_hat: PolynomialVector,
) -> PolynomialVector {
    let mut w_hat = [Polynomial::new(); K];
    for i in 0..K {
        for j in 0..K {
            w_hat[i] = add_polynomials(w_hat[i], multiply_ntts(a_hat[i][j], u_hat[j]));
        }
    }
    w_hat
}

/// FIPS 203 §2.4.7 (2.13): `ŷ ← Âᵀ ∘ û`, with
/// `ŷ[i] = Σ_{j=0}^{k−1} Â[j, i] ×_Tq û[j]`.
pub(super) fn matrix_transpose_vector_product(
    a_hat: PolynomialMatrix,
    u_hat: PolynomialVector,
) -> PolynomialVector {
    let mut y_hat = [Polynomial::new(); K];
    for i in 0..K {
        for j in 0..K {
            y_hat[i] = add_polynomials(y_hat[i], multiply_ntts(a_hat[j][i], u_hat[j]));
        }
    }
    y_hat
}

/// FIPS 203 §2.4.7 (2.14): `ẑ ← ûᵀ ∘ v̂`, the dot product
/// `ẑ = Σ_{j=0}^{k−1} û[j] ×_Tq v̂[j]`.
pub(super) fn dot_product(u_hat: PolynomialVector, v_hat: PolynomialVector) -> Polynomial {
    let mut z_hat = Polynomial::new();
    for j in 0..K {
        z_hat = add_polynomials(z_hat, multiply_ntts(u_hat[j], v_hat[j]));
    }
    z_hat
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `divide` is Euclidean division on every dividend it is specified for.
    #[test]
    fn divide_is_euclidean_division_on_its_whole_domain() {
        for m in [Q, 2 * Q] {
            for x in 0..m << QUOTIENT_BITS {
                let (quotient, remainder) = divide(U32(x), m);
                assert_eq!(
                    (quotient.declassify(), remainder.declassify()),
                    (x / m, x % m),
                    "{x} / {m}"
                );
            }
        }
    }

    /// §2.3: `r mod q` lies in `{0, ..., q − 1}` and differs from r by a multiple of q.
    #[test]
    fn field_operations_match_integer_arithmetic() {
        let samples = [0u32, 1, 2, 17, 1664, 1665, 3327, 3328];
        for a in samples {
            for b in samples {
                assert_eq!(add_mod_q(U32(a), U32(b)).declassify(), (a + b) % Q);
                assert_eq!(sub_mod_q(U32(a), U32(b)).declassify(), (a + Q - b) % Q);
                assert_eq!(mul_mod_q(U32(a), U32(b)).declassify(), (a * b) % Q);
            }
        }
    }
}
