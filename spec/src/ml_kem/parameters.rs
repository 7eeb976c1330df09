//! FIPS 203 §2.3 and §8 (Table 2): the constants and the ML-KEM-1024 parameter set.
//!
//! §2.4: "All algorithms are understood to have access to two global integer
//! constants: n = 256 and q = 3329. There are also five global integer variables: k,
//! η1, η2, du, and dv." This module fixes the five to their ML-KEM-1024 values.

/// FIPS 203 §2.3: `n`, "the integer 256 throughout this document", the number of
/// coefficients of a polynomial.
pub(super) const N: usize = 256;

/// FIPS 203 §2.3: `q`, "the prime integer 3329 = 2^8 · 13 + 1".
pub(super) const Q: u32 = 3329;

/// FIPS 203 §2.3: `ζ`, "the integer 17, which is a primitive n-th root of unity modulo
/// q".
pub(super) const ZETA: u32 = 17;

/// FIPS 203 §8, Table 2 (ML-KEM-1024): `k = 4`, the rank of the module.
pub(super) const K: usize = 4;

/// FIPS 203 §8, Table 2 (ML-KEM-1024): `η1 = 2`, the CBD parameter for `s`, `e` and `y`.
pub(super) const ETA_1: usize = 2;

/// FIPS 203 §8, Table 2 (ML-KEM-1024): `η2 = 2`, the CBD parameter for `e1` and `e2`.
pub(super) const ETA_2: usize = 2;

/// FIPS 203 §8, Table 2 (ML-KEM-1024): `du = 11`, the bits kept of each coefficient of
/// `u`.
pub(super) const D_U: usize = 11;

/// FIPS 203 §8, Table 2 (ML-KEM-1024): `dv = 5`, the bits kept of each coefficient of
/// `v`.
pub(super) const D_V: usize = 5;
