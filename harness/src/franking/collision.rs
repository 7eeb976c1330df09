//! The two-key ChaCha20-Poly1305 collision: one `ciphertext ‖ tag` that RFC 8439
//! §2.8's AEAD opens, with the same nonce and associated data, under two different
//! keys, to two different plaintexts.
//!
//! ChaCha20-Poly1305 is not key-committing. Dodis, Grubbs, Ristenpart and Woodage
//! ("Fast message franking: from invisible salamanders to encryptment", CRYPTO 2018)
//! built such ciphertexts for AES-GCM to hide an abusive attachment from a
//! franking report; Len, Grubbs and Ristenpart ("Partitioning oracle attacks",
//! USENIX Security 2021) build ciphertexts that open under many keys, for AES-GCM and
//! the Poly1305-based AEADs. This is the two-key case, with one free block, done
//! plainly.
//!
//! # Poly1305 as a polynomial
//!
//! Let `p = 2^130 − 5`. For key `k_j` (`j ∈ {1, 2}`) and the nonce `N`, the one-time
//! key is the first 32 bytes of ChaCha20 block 0 (§2.6): `r_j` is the little-endian
//! number of bytes 0 to 15 with §2.5's clamp
//! (`r &= 0xffffffc0ffffffc0ffffffc0fffffff`), `s_j` that of bytes 16 to 31.
//! For associated data `A` of `α` bytes and a ciphertext `C` of `16n` bytes, §2.8.1's
//! `mac_data` is `q = ⌈α/16⌉ + n + 1` blocks of 16 bytes `B_1, …, B_q`:
//! `A ‖ pad16(A)`, then `C`, then `le64(α) ‖ le64(16n)`. Every block is full, so
//! §2.5.1 reads each as `b_i = le(B_i) + 2^128`, and
//!
//! ```text
//! acc_j = Σ_{i=1..q} b_i · r_j^(q−i+1)  mod p      (an integer in [0, p))
//! tag_j = (acc_j + s_j)  mod 2^128
//! ```
//!
//! # The free block
//!
//! The ciphertext is `C = X_1 ‖ X_2 ‖ F ‖ Z`: `X_1` is `chosen1`, zero-padded to
//! whole blocks, XOR the keystream of `k_1`; `X_2` is `chosen2`, zero-padded, XOR
//! the keystream of `k_2` at the same positions; `F` is a filler block (a hash of the
//! try counter, see `filler` below); `Z` is the free block. `Z` is the last block of
//! `C`, `B_{q−1}`, followed only by the lengths block, so its exponent is 2. Write
//! `z = le(Z) + 2^128` and `c_j` for `acc_j` with `b_{q−1}` replaced by 0 (the sum
//! over every other block). Then `acc_j ≡ c_j + z · r_j^2 (mod p)`.
//!
//! The tags are equal if and only if `acc_1 + s_1 ≡ acc_2 + s_2 (mod 2^128)`, that is,
//! as integers,
//!
//! ```text
//! acc_1 − acc_2 = D_t := (s_2 − s_1) + t · 2^128      for some integer t.
//! ```
//!
//! Both sides are bounded: `acc_1 − acc_2 ∈ (−p, p)` and `s_2 − s_1 ∈ (−2^128, 2^128)`,
//! so `|t| ≥ 5` would give `|D_t| > 4 · 2^128 > p`: only `t ∈ {−4, …, 4}` can
//! occur. For each such `t` the equality implies the congruence
//!
//! ```text
//! (r_1^2 − r_2^2) · z ≡ D_t − (c_1 − c_2)   (mod p)
//! ```
//!
//! whose one solution is `z_t = (D_t − c_1 + c_2) · (r_1^2 − r_2^2)^(−1) mod p`,
//! provided `r_1^2 ≢ r_2^2`, that is `r_1 ≢ ±r_2 (mod p)`; as clamped `r` are below
//! `2^124 < p/2`, that is `r_1 ≠ r_2`. The candidate `z_t` is a solution if and only
//! if (a) `2^128 ≤ z_t < 2^129`, so that `Z = z_t − 2^128` is a 16-byte block (the
//! `2^128` is Poly1305's own), and (b) the integer `acc_1 − acc_2`, congruent to
//! `D_t` modulo p, is `D_t` itself and not `D_t + k·p` with `k ≠ 0` (`|k| ≤ 2`),
//! which is `≡ D_t − 5k ≢ D_t (mod 2^128)`. (b) is checked by evaluating both tags
//! from scratch. Every free block that works for a given filler is one of
//! `z_{−4}, …, z_4`, so the search over them is exhaustive, and a filler that yields
//! none is replaced by the next one.
//!
//! How often a filler works, heuristically: with `z_t` and `acc_1` as if uniform,
//! (a) holds with probability `2^128 / p ≈ 1/4` and (b) with probability
//! `(p − |D_t|) / p`; summed over `t` the second is `p / 2^128 ≈ 4` whatever
//! `s_2 − s_1` is (a tent of half-width `p` sampled at spacing `2^128`), so a filler
//! has about one solution on average. The nine candidates of one filler are not
//! independent, though: `z_t = z_0 + t · 2^128 · (r_1^2 − r_2^2)^(−1)`, a progression
//! whose step is fixed by the key pair, so the chance that a filler works depends on
//! the key pair. Measured over 20,000 random key pairs and nonces (with the fillers
//! of `filler`): 68% needed one try, the mean was 1.59 (about `e / (e − 1)`, as
//! for independent Poisson counts of mean 1), and the most was 20, in a tail longer
//! than geometric.
//!
//! The arithmetic below is variable-time and the keys are no secret here: the
//! attacker chose them.

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;

/// RFC 8439 §2.5: Poly1305 reads its input 16 bytes at a time.
const BLOCK_LEN: usize = 16;

/// The number of filler blocks tried before giving up: far beyond the 20 tries that
/// the worst of 20,000 random key pairs needed (module documentation). Were every
/// filler to fail with probability `1/e`, all of them would with probability
/// `e^(−256)`; even at `3/4` for an unlucky key pair it is below `2^(−106)`.
pub const MAX_TRIES: u32 = 256;

/// The largest `|t|` in `D_t = (s_2 − s_1) + t · 2^128` that can equal
/// `acc_1 − acc_2 ∈ (−p, p)` (module documentation).
const MAX_WRAPS: u8 = 4;

/// One ciphertext‖tag that opens under two keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoKeyCiphertext {
    /// The first key; [`Self::sealed`] opens under it to [`Self::plaintext1`].
    pub key1: [u8; 32],
    /// The second key; [`Self::sealed`] opens under it to [`Self::plaintext2`].
    pub key2: [u8; 32],
    /// The nonce, the same under both keys.
    pub nonce: [u8; 12],
    /// The associated data, the same under both keys.
    pub ad: Vec<u8>,
    /// `ciphertext ‖ tag` (RFC 8439 §2.8's layout); the ciphertext is a whole number
    /// of 16-byte blocks.
    pub sealed: Vec<u8>,
    /// What [`Self::sealed`] decrypts to under [`Self::key1`]: `chosen1`, zero bytes
    /// to the end of its last block, then whatever key 1's keystream makes of the
    /// remaining blocks.
    pub plaintext1: Vec<u8>,
    /// What [`Self::sealed`] decrypts to under [`Self::key2`]: whatever key 2's
    /// keystream makes of `chosen1`'s blocks, then `chosen2`, zero bytes to the end of
    /// its last block, then the filler and free blocks decrypted.
    pub plaintext2: Vec<u8>,
    /// How many filler blocks were tried, 1 if the first one worked.
    pub tries: u32,
}

/// Why [`two_key_ciphertext`] built nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CollisionError {
    /// The two keys are equal: one key opens a ciphertext to one plaintext only.
    SameKey,
    /// The chosen texts are too long for ChaCha20's 32-bit block counter (or their
    /// length for a 64-bit length field).
    TooLong,
    /// No free block worked for any of the [`MAX_TRIES`] fillers; also returned at
    /// once when the two keys give the same Poly1305 `r` (then `r_1^2 − r_2^2 = 0` and
    /// the free block drops out of the equation), a `2^(−106)` event for distinct keys.
    NoSolution,
}

/// Builds one `ciphertext ‖ tag` that opens under `key1` and under `key2` (same
/// `nonce`, same `ad`): under `key1` the plaintext begins with `chosen1`; under
/// `key2` it has `chosen2` at offset `16 · ⌈len(chosen1)/16⌉`, right after
/// `chosen1`'s blocks. The ciphertext is `⌈len(chosen1)/16⌉ + ⌈len(chosen2)/16⌉ + 2`
/// blocks long. Deterministic in its inputs. The construction is in the module
/// documentation.
///
/// # Errors
///
/// [`CollisionError::SameKey`] if `key1 == key2`, [`CollisionError::TooLong`] if the
/// chosen texts overflow the block counter, [`CollisionError::NoSolution`] if no
/// filler of [`MAX_TRIES`] worked.
pub fn two_key_ciphertext(
    key1: &[u8; 32],
    key2: &[u8; 32],
    nonce: &[u8; 12],
    ad: &[u8],
    chosen1: &[u8],
    chosen2: &[u8],
) -> Result<TwoKeyCiphertext, CollisionError> {
    if key1 == key2 {
        return Err(CollisionError::SameKey);
    }
    let (r1, s1) = one_time_key(key1, nonce);
    let (r2, s2) = one_time_key(key2, nonce);
    // The free block is followed by the lengths block only: exponent 2.
    let slope = r1.mul(r1).sub(r2.mul(r2));
    if slope == Fe::ZERO {
        return Err(CollisionError::NoSolution);
    }
    let slope_inverse = slope.invert();
    // s_2 − s_1, to which t · 2^128 is added.
    let s_difference = Fe::from_u128(s2).sub(Fe::from_u128(s1));

    let chosen1 = zero_padded(chosen1);
    let chosen2 = zero_padded(chosen2);
    let len = chosen1
        .len()
        .checked_add(chosen2.len())
        .and_then(|len| len.checked_add(2 * BLOCK_LEN))
        .ok_or(CollisionError::TooLong)?;
    let keystream1 = keystream(key1, nonce, len)?;
    let keystream2 = keystream(key2, nonce, len)?;
    // X_1 ‖ X_2: chosen1 under key 1, then chosen2 under key 2 at the same positions.
    let mut prefix = xor(&chosen1, &keystream1);
    prefix.extend(xor(
        &chosen2,
        keystream2.get(chosen1.len()..).unwrap_or(&[]),
    ));

    for tries in 1..=MAX_TRIES {
        let mut ciphertext = prefix.clone();
        ciphertext.extend_from_slice(&filler(tries));
        ciphertext.extend_from_slice(&[0; BLOCK_LEN]);
        // c_j: acc_j with the free block's number b_{q−1} taken out (not `0 + 2^128`).
        let mut numbers = mac_numbers(ad, &ciphertext)?;
        if let Some(free) = numbers.iter_mut().rev().nth(1) {
            *free = Fe::ZERO;
        }
        let c_difference = horner(&numbers, r1).sub(horner(&numbers, r2));
        for t in 0..=2 * MAX_WRAPS {
            // t runs over −MAX_WRAPS, …, MAX_WRAPS.
            let d_t = if t < MAX_WRAPS {
                s_difference.sub(Fe::two_pow_128_times(MAX_WRAPS - t))
            } else {
                s_difference.add(Fe::two_pow_128_times(t - MAX_WRAPS))
            };
            // z_t = (D_t − (c_1 − c_2)) · (r_1^2 − r_2^2)^(−1)
            let z = d_t.sub(c_difference).mul(slope_inverse);
            // (a): 2^128 ≤ z < 2^129, and the block is z − 2^128.
            let Some(free_block) = z.as_block() else {
                continue;
            };
            if let Some(last) = ciphertext.rchunks_exact_mut(BLOCK_LEN).next() {
                last.copy_from_slice(&free_block);
            }
            // (b): the tags, from scratch.
            let tag1 = poly1305_tag(ad, &ciphertext, r1, s1)?;
            let tag2 = poly1305_tag(ad, &ciphertext, r2, s2)?;
            if tag1 == tag2 {
                let plaintext1 = xor(&ciphertext, &keystream1);
                let plaintext2 = xor(&ciphertext, &keystream2);
                let mut sealed = ciphertext;
                sealed.extend_from_slice(&tag1);
                return Ok(TwoKeyCiphertext {
                    key1: *key1,
                    key2: *key2,
                    nonce: *nonce,
                    ad: ad.to_vec(),
                    sealed,
                    plaintext1,
                    plaintext2,
                    tries,
                });
            }
        }
    }
    Err(CollisionError::NoSolution)
}

/// The filler block of try number `tries`: the first 16 bytes of
/// SHA-256(`FILLER_LABEL ‖ le32(tries)`).
///
/// Not the counter itself: the filler `F` has exponent 3, so raising `le(F)` by one
/// moves every candidate `z_t` by the same `Δ = (r_1^3 − r_2^3) / (r_1^2 − r_2^2)`
/// (mod p), the candidates of successive tries are then arithmetic progressions, and
/// for some key pairs those keep missing `[2^128, 2^129)`: with the counter as
/// filler, 2 key pairs in 5,000 found no solution in 64 tries, and the
/// number of tries had a far longer tail than the geometric distribution. Hashed
/// fillers make the tries independent in effect.
fn filler(tries: u32) -> [u8; 16] {
    let mut input = FILLER_LABEL.to_vec();
    input.extend_from_slice(&tries.to_le_bytes());
    let digest = spec::sha256::hash(&ByteSeq::from_public_slice(&input)).to_public_array();
    core::array::from_fn(|i| digest[i])
}

/// The label hashed into every filler block.
const FILLER_LABEL: &[u8] = b"lockstep two-key collision filler";

/// RFC 8439 §2.6 and §2.5: the one-time key `(r, s)` of `key` and `nonce`, `r`
/// clamped and as a field element, `s` as a number.
fn one_time_key(key: &[u8; 32], nonce: &[u8; 12]) -> (Fe, u128) {
    let otk = spec::aead::poly1305_key_gen(
        &spec::chacha20::ChaChaKey::from_public_slice(key),
        &spec::chacha20::ChaChaNonce::from_public_slice(nonce),
    )
    .to_public_array();
    let r = u128::from_le_bytes(core::array::from_fn(|i| otk[i]));
    let s = u128::from_le_bytes(core::array::from_fn(|i| otk[BLOCK_LEN + i]));
    // §2.5: r &= 0xffffffc0ffffffc0ffffffc0fffffff
    let r = r & 0x0fff_fffc_0fff_fffc_0fff_fffc_0fff_ffff;
    (Fe::from_u128(r), s)
}

/// RFC 8439 §2.4: `len` bytes of ChaCha20 keystream from block counter 1, the AEAD's
/// payload keystream (the encryption of zeros).
fn keystream(key: &[u8; 32], nonce: &[u8; 12], len: usize) -> Result<Vec<u8>, CollisionError> {
    let stream = spec::chacha20::chacha20_encrypt(
        &spec::chacha20::ChaChaKey::from_public_slice(key),
        spec::U32(1),
        &spec::chacha20::ChaChaNonce::from_public_slice(nonce),
        &ByteSeq::new(len),
    )
    .map_err(|_| CollisionError::TooLong)?;
    let mut bytes = Vec::with_capacity(len);
    for i in 0..stream.len() {
        bytes.push(stream[i].declassify());
    }
    Ok(bytes)
}

/// `bytes` followed by zeros up to a multiple of 16 bytes (none if it is one).
fn zero_padded(bytes: &[u8]) -> Vec<u8> {
    let mut padded = bytes.to_vec();
    padded.resize(bytes.len().div_ceil(BLOCK_LEN) * BLOCK_LEN, 0);
    padded
}

/// `a ⊕ b`, as long as the shorter of the two.
fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// RFC 8439 §2.8.1's `mac_data` as §2.5.1's Poly1305 reads it: one number
/// `le(B_i) + 2^128` per 16-byte block of `ad ‖ pad16(ad) ‖ ciphertext ‖
/// pad16(ciphertext) ‖ le64(len(ad)) ‖ le64(len(ciphertext))`.
fn mac_numbers(ad: &[u8], ciphertext: &[u8]) -> Result<Vec<Fe>, CollisionError> {
    let ad_len = u64::try_from(ad.len()).map_err(|_| CollisionError::TooLong)?;
    let ciphertext_len = u64::try_from(ciphertext.len()).map_err(|_| CollisionError::TooLong)?;
    let lengths = u128::from(ad_len) | (u128::from(ciphertext_len) << 64);
    let mut numbers = Vec::new();
    for data in [ad, ciphertext] {
        for chunk in data.chunks(BLOCK_LEN) {
            let mut block = [0; BLOCK_LEN];
            for (byte, value) in block.iter_mut().zip(chunk) {
                *byte = *value;
            }
            numbers.push(Fe::block(u128::from_le_bytes(block)));
        }
    }
    numbers.push(Fe::block(lengths));
    Ok(numbers)
}

/// `Σ_{i=1..q} b_i · r^(q−i+1) mod p` by Horner's rule, RFC 8439 §2.5.1's loop:
/// `acc = (acc + b_i) · r`.
fn horner(numbers: &[Fe], r: Fe) -> Fe {
    let mut acc = Fe::ZERO;
    for &b in numbers {
        acc = acc.add(b).mul(r);
    }
    acc
}

/// RFC 8439 §2.8's tag of `ciphertext` and `ad` under the one-time key `(r, s)`:
/// `(acc + s) mod 2^128`, little-endian.
fn poly1305_tag(ad: &[u8], ciphertext: &[u8], r: Fe, s: u128) -> Result<[u8; 16], CollisionError> {
    let acc = horner(&mac_numbers(ad, ciphertext)?, r);
    Ok(acc.low_128().wrapping_add(s).to_le_bytes())
}

/// `p = 2^130 − 5` in three little-endian 64-bit limbs.
const P: [u64; 3] = [0xffff_ffff_ffff_fffb, 0xffff_ffff_ffff_ffff, 3];

/// `p − 2`, the exponent of Fermat inversion.
const P_MINUS_2: [u64; 3] = [0xffff_ffff_ffff_fff9, 0xffff_ffff_ffff_ffff, 3];

/// An element of GF(p), `p = 2^130 − 5`, as three little-endian 64-bit limbs, always
/// fully reduced (below `p`), so that equal elements have equal limbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fe([u64; 3]);

impl Fe {
    /// 0.
    const ZERO: Fe = Fe([0, 0, 0]);
    /// 1.
    const ONE: Fe = Fe([1, 0, 0]);

    /// A number below `2^128 < p`.
    fn from_u128(x: u128) -> Fe {
        let (low, high) = split(x);
        Fe([low, high, 0])
    }

    /// Poly1305's number for a full 16-byte block `x` (read little-endian): `x + 2^128`.
    fn block(x: u128) -> Fe {
        let (low, high) = split(x);
        Fe([low, high, 1])
    }

    /// `t · 2^128`, for `t ≤ 7` (so that it is below `2p`).
    fn two_pow_128_times(t: u8) -> Fe {
        Fe::reduce_once(mul_small([0, 0, 1], u64::from(t)))
    }

    /// Any number below `2^192`, reduced.
    fn from_limbs(x: [u64; 3]) -> Fe {
        Fe::reduce_once(fold(x))
    }

    /// A number below `2p`, reduced: `x` or `x − p`.
    fn reduce_once(x: [u64; 3]) -> Fe {
        if greater_or_equal(x, P) {
            Fe(sub_limbs(x, P))
        } else {
            Fe(x)
        }
    }

    /// The 16-byte block `Z` with `z = le(Z) + 2^128`, if `2^128 ≤ z < 2^129`.
    fn as_block(self) -> Option<[u8; 16]> {
        (self.0[2] == 1).then(|| self.low_128().to_le_bytes())
    }

    /// The element's value modulo `2^128`.
    fn low_128(self) -> u128 {
        u128::from(self.0[0]) | (u128::from(self.0[1]) << 64)
    }

    /// `self + rhs`: the sum is below `2p`.
    fn add(self, rhs: Fe) -> Fe {
        Fe::reduce_once(add_limbs(self.0, rhs.0))
    }

    /// `self − rhs`, as `self + p − rhs`, which lies in `(0, 2p)`.
    fn sub(self, rhs: Fe) -> Fe {
        Fe::reduce_once(sub_limbs(add_limbs(self.0, P), rhs.0))
    }

    /// `self · rhs`: the schoolbook product (below `p^2 < 2^260`), split as
    /// `low + 2^130 · high` and folded with `2^130 ≡ 5 (mod p)` into
    /// `low + 5 · high < 6 · 2^130`, which [`from_limbs`](Fe::from_limbs) folds once
    /// more and reduces.
    fn mul(self, rhs: Fe) -> Fe {
        let (a, b) = (self.0, rhs.0);
        let mut wide = [0u64; 6];
        for i in 0..3 {
            let mut carry = 0u64;
            for j in 0..3 {
                // At most (2^64 − 1)^2 + 2 · (2^64 − 1) = 2^128 − 1: no overflow.
                let (low, high) = split(
                    u128::from(a[i]) * u128::from(b[j])
                        + u128::from(wide[i + j])
                        + u128::from(carry),
                );
                wide[i + j] = low;
                carry = high;
            }
            wide[i + 3] = carry;
        }
        // low = wide mod 2^130, high = wide >> 130 (below 2^130 as wide < 2^260).
        let low = [wide[0], wide[1], wide[2] & 3];
        let high = [
            (wide[2] >> 2) | (wide[3] << 62),
            (wide[3] >> 2) | (wide[4] << 62),
            (wide[4] >> 2) | (wide[5] << 62),
        ];
        Fe::from_limbs(add_limbs(low, mul_small(high, 5)))
    }

    /// `self^e` by square-and-multiply, most significant bit first.
    fn pow(self, e: [u64; 3]) -> Fe {
        let mut acc = Fe::ONE;
        for limb in e.iter().rev() {
            for bit in (0..64).rev() {
                acc = acc.mul(acc);
                if (limb >> bit) & 1 == 1 {
                    acc = acc.mul(self);
                }
            }
        }
        acc
    }

    /// `self^(−1)` by Fermat's little theorem, `x^(p−1) = 1` for `x ≠ 0`, so
    /// `x^(−1) = x^(p−2)`. Gives 0 for 0; the caller checks.
    fn invert(self) -> Fe {
        self.pow(P_MINUS_2)
    }
}

/// The low and high 64 bits of `x`.
#[allow(
    clippy::cast_possible_truncation,
    reason = "the truncation is the point: the low 64 bits, and the high 64 bits once shifted down"
)]
fn split(x: u128) -> (u64, u64) {
    (x as u64, (x >> 64) as u64)
}

/// `a ≥ b` for 192-bit numbers.
fn greater_or_equal(a: [u64; 3], b: [u64; 3]) -> bool {
    (a[2], a[1], a[0]) >= (b[2], b[1], b[0])
}

/// `a + b` for 192-bit numbers whose sum is below `2^192` (every caller's is below
/// `2^134`).
fn add_limbs(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
    let mut sum = [0u64; 3];
    let mut carry = 0u64;
    for i in 0..3 {
        let (low, high) = split(u128::from(a[i]) + u128::from(b[i]) + u128::from(carry));
        sum[i] = low;
        carry = high;
    }
    sum
}

/// `a − b` for 192-bit numbers with `a ≥ b`.
fn sub_limbs(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
    let mut difference = [0u64; 3];
    let mut borrow = false;
    for i in 0..3 {
        let (d, borrow1) = a[i].overflowing_sub(b[i]);
        let (d, borrow2) = d.overflowing_sub(u64::from(borrow));
        difference[i] = d;
        borrow = borrow1 || borrow2;
    }
    difference
}

/// `a · k` for a 192-bit `a` and a small `k`, the product below `2^192` (every
/// caller's is below `2^133`).
fn mul_small(a: [u64; 3], k: u64) -> [u64; 3] {
    let mut product = [0u64; 3];
    let mut carry = 0u64;
    for i in 0..3 {
        let (low, high) = split(u128::from(a[i]) * u128::from(k) + u128::from(carry));
        product[i] = low;
        carry = high;
    }
    product
}

/// `(x mod 2^130) + 5 · (x >> 130)`, congruent to `x` modulo p as `2^130 ≡ 5`; for
/// `x < 2^192` it is below `2^130 + 5 · 2^62 < 2p`.
fn fold(x: [u64; 3]) -> [u64; 3] {
    add_limbs([x[0], x[1], x[2] & 3], mul_small([x[2] >> 2, 0, 0], 5))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8439 §2.8 decryption by the spec, `sealed` split into ciphertext and tag.
    fn spec_open(key: &[u8; 32], nonce: &[u8; 12], ad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        let (body, tag) = sealed.split_at(sealed.len().checked_sub(16)?);
        let plaintext = spec::aead::chacha20_poly1305_decrypt(
            &spec::chacha20::ChaChaKey::from_public_slice(key),
            &spec::chacha20::ChaChaNonce::from_public_slice(nonce),
            &ByteSeq::from_public_slice(ad),
            &ByteSeq::from_public_slice(body),
            &spec::poly1305::Poly1305Tag::from_public_slice(tag),
        )
        .ok()?;
        Some(
            (0..plaintext.len())
                .map(|i| plaintext[i].declassify())
                .collect(),
        )
    }

    /// RFC 8439 §2.8 decryption by the implementation (RustCrypto underneath).
    fn impl_open(key: &[u8; 32], nonce: &[u8; 12], ad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        lockstep::aead::open(
            &lockstep::aead::Key::from_bytes(*key),
            &lockstep::aead::Nonce(*nonce),
            ad,
            sealed,
        )
        .ok()
    }

    /// Both openings of `collision` under both keys succeed, and each gives its
    /// plaintext; the chosen texts sit where promised.
    fn check_opens_both_ways(collision: &TwoKeyCiphertext, chosen1: &[u8], chosen2: &[u8]) {
        let TwoKeyCiphertext {
            key1,
            key2,
            nonce,
            ad,
            sealed,
            plaintext1,
            plaintext2,
            ..
        } = collision;
        for open in [spec_open, impl_open] {
            assert_eq!(open(key1, nonce, ad, sealed).as_ref(), Some(plaintext1));
            assert_eq!(open(key2, nonce, ad, sealed).as_ref(), Some(plaintext2));
        }
        assert_ne!(plaintext1, plaintext2);
        assert!(plaintext1.starts_with(chosen1));
        let offset = chosen1.len().div_ceil(16) * 16;
        assert_eq!(&plaintext2[offset..offset + chosen2.len()], chosen2);
        assert_eq!(
            sealed.len(),
            offset + chosen2.len().div_ceil(16) * 16 + 2 * 16 + 16
        );
    }

    const KEY1: [u8; 32] = [0x11; 32];
    const KEY2: [u8; 32] = [0x22; 32];
    const NONCE: [u8; 12] = *b"franking-001";
    const AD: &[u8] = b"lockstep franking test, message 7";
    const ABUSIVE: &[u8] = b"Meet me behind the station at 9. Come alone.";
    const BENIGN: &[u8] = b"Happy birthday! See you at the party.";

    #[test]
    fn one_ciphertext_opens_under_two_keys_to_two_plaintexts() {
        let collision = two_key_ciphertext(&KEY1, &KEY2, &NONCE, AD, ABUSIVE, BENIGN)
            .expect("a collision for two distinct keys");
        check_opens_both_ways(&collision, ABUSIVE, BENIGN);
        // A third key, and another AD, open nothing.
        let sealed = &collision.sealed;
        for open in [spec_open, impl_open] {
            assert_eq!(open(&[0x33; 32], &NONCE, AD, sealed), None);
            assert_eq!(open(&KEY1, &NONCE, b"other", sealed), None);
        }
        println!(
            "{} tries\nunder key 1: {}\nunder key 2: {}",
            collision.tries,
            collision.plaintext1.escape_ascii(),
            collision.plaintext2.escape_ascii(),
        );
    }

    #[test]
    fn every_flipped_bit_fails_under_both_keys() {
        let collision = two_key_ciphertext(&KEY1, &KEY2, &NONCE, AD, ABUSIVE, BENIGN)
            .expect("a collision for two distinct keys");
        for bit in 0..collision.sealed.len() * 8 {
            let mut forged = collision.sealed.clone();
            forged[bit / 8] ^= 1 << (bit % 8);
            for key in [&KEY1, &KEY2] {
                assert_eq!(spec_open(key, &NONCE, AD, &forged), None, "bit {bit}");
                assert_eq!(impl_open(key, &NONCE, AD, &forged), None, "bit {bit}");
            }
        }
    }

    /// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): the next state and its output.
    fn splitmix64(state: u64) -> (u64, u64) {
        let state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (state, z ^ (z >> 31))
    }

    /// `N` bytes from the generator.
    fn random<const N: usize>(state: &mut u64) -> [u8; N] {
        core::array::from_fn(|_| {
            let (next, word) = splitmix64(*state);
            *state = next;
            word.to_le_bytes()[7]
        })
    }

    #[test]
    fn twenty_cases_of_keys_nonces_and_lengths_all_collide() {
        let ad_lens = [0, 1, 15, 16, 17, 31, 32, 33, 64, 100];
        let chosen_lens = [0, 1, 5, 15, 16, 17, 32, 33, 47, 80];
        let text: Vec<u8> = b"The quick brown fox jumps over the lazy dog; "
            .iter()
            .copied()
            .cycle()
            .take(100)
            .collect();
        let mut state = 0x5a1a_3a4d_e125;
        let mut all_tries = Vec::new();
        for case in 0..20 {
            let key1: [u8; 32] = random(&mut state);
            let key2: [u8; 32] = random(&mut state);
            let nonce: [u8; 12] = random(&mut state);
            let ad: [u8; 100] = random(&mut state);
            let ad = &ad[..ad_lens[case % ad_lens.len()]];
            let chosen1 = &text[..chosen_lens[case % chosen_lens.len()]];
            let chosen2 = &text[3..3 + chosen_lens[(case * 7 + 3) % chosen_lens.len()]];
            let collision = two_key_ciphertext(&key1, &key2, &nonce, ad, chosen1, chosen2)
                .unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            check_opens_both_ways(&collision, chosen1, chosen2);
            all_tries.push(collision.tries);
        }
        let total: u32 = all_tries.iter().sum();
        println!("tries per case: {all_tries:?}, {total} in all");
        // About 1.6 per case (module documentation); the most in 20,000 was 20.
        assert!(all_tries.iter().all(|&tries| tries <= 16), "{all_tries:?}");
        assert!(total <= 60, "{all_tries:?}");
    }

    /// The number of tries over 1,000 key pairs: how often the first filler works,
    /// the mean, the worst (the module documentation's figures are this over 20,000).
    #[test]
    fn tries_over_a_thousand_key_pairs() {
        let mut state = 0x7121e5;
        let mut histogram = [0u32; MAX_TRIES as usize + 1];
        for _ in 0..1000 {
            let (key1, key2, nonce) = (random(&mut state), random(&mut state), random(&mut state));
            let collision = two_key_ciphertext(&key1, &key2, &nonce, b"ad", b"one", b"two")
                .expect("a collision for two distinct keys");
            histogram[collision.tries as usize] += 1;
        }
        let total: u32 = histogram.iter().zip(0..).map(|(n, tries)| n * tries).sum();
        let worst = histogram.iter().rposition(|&n| n > 0).unwrap_or(0);
        println!(
            "first try {} of 1000, mean {}, worst {worst}; histogram from 1 try: {:?}",
            histogram[1],
            f64::from(total) / 1000.0,
            &histogram[1..=worst],
        );
        assert!(histogram[1] >= 600, "{histogram:?}");
        assert!(total <= 1800, "{histogram:?}");
        assert!(worst <= 32, "{histogram:?}");
    }

    #[test]
    fn same_key_is_refused() {
        assert_eq!(
            two_key_ciphertext(&KEY1, &KEY1, &NONCE, AD, ABUSIVE, BENIGN),
            Err(CollisionError::SameKey)
        );
    }

    /// `2^130 − 5 − k`, i.e. `−k`, for small `k`.
    fn minus(k: u64) -> Fe {
        Fe([P[0] - k, P[1], P[2]])
    }

    #[test]
    fn field_known_values() {
        // 2^130 ≡ 5, p ≡ 0, 2^192 − 1 folded.
        assert_eq!(Fe::from_limbs([0, 0, 4]), Fe([5, 0, 0]));
        assert_eq!(Fe::from_limbs(P), Fe::ZERO);
        // (p − 1)^2 = 1, and 0 − 1 = p − 1.
        assert_eq!(minus(1).mul(minus(1)), Fe::ONE);
        assert_eq!(Fe::ZERO.sub(Fe::ONE), minus(1));
        assert_eq!(minus(1).add(Fe::ONE), Fe::ZERO);
        // 2^128 · 4 = 2^130 ≡ 5; 2^64 · 2^64 = 2^128.
        assert_eq!(Fe::two_pow_128_times(4), Fe([5, 0, 0]));
        assert_eq!(Fe([0, 1, 0]).mul(Fe([0, 1, 0])), Fe([0, 0, 1]));
        // 2^(−1) = (p + 1)/2 = 2^129 − 2.
        assert_eq!(Fe([2, 0, 0]).invert(), Fe([u64::MAX - 1, u64::MAX, 1]));
        // Fermat: x^(p−1) = 1.
        let p_minus_1 = [P[0] - 1, P[1], P[2]];
        assert_eq!(Fe([12345, 678, 2]).pow(p_minus_1), Fe::ONE);
        assert_eq!(Fe::ZERO.invert(), Fe::ZERO);
        // The block number: le(Z) + 2^128, and back.
        assert_eq!(Fe::block(7).as_block(), Some(7u128.to_le_bytes()));
        assert_eq!(Fe::from_u128(7).as_block(), None);
        assert_eq!(Fe([0, 0, 2]).as_block(), None);
    }

    /// A pseudo-random element, sometimes an edge (0, 1, p − 1, p − 5, 2^128).
    fn random_fe(state: &mut u64) -> Fe {
        let bytes: [u8; 17] = random(state);
        match bytes[16] % 8 {
            0 => [Fe::ZERO, Fe::ONE, minus(1), minus(5), Fe([0, 0, 1])][usize::from(bytes[0] % 5)],
            _ => Fe::from_limbs([
                u64::from_le_bytes(core::array::from_fn(|i| bytes[i])),
                u64::from_le_bytes(core::array::from_fn(|i| bytes[8 + i])),
                u64::from(bytes[16] % 4),
            ]),
        }
    }

    /// The element as the spec's 17 little-endian bytes.
    fn to_17_bytes(x: Fe) -> [u8; 17] {
        let mut bytes = [0; 17];
        bytes[..16].copy_from_slice(&x.low_128().to_le_bytes());
        bytes[16] = u8::try_from(x.0[2]).expect("reduced");
        bytes
    }

    #[test]
    fn field_agrees_with_the_spec_and_inverts() {
        use spec::field1305::{le_bytes_to_num, to_le_bytes};
        let spec_fe = |x: Fe| le_bytes_to_num(&ByteSeq::from_public_slice(&to_17_bytes(x)));
        let spec_bytes = |x| {
            let bytes = to_le_bytes(x);
            (0..bytes.len())
                .map(|i| bytes[i].declassify())
                .collect::<Vec<u8>>()
        };
        let mut state = 0x1305;
        for _ in 0..2000 {
            let (a, b) = (random_fe(&mut state), random_fe(&mut state));
            assert_eq!(spec_bytes(spec_fe(a) * spec_fe(b)), to_17_bytes(a.mul(b)));
            assert_eq!(spec_bytes(spec_fe(a) + spec_fe(b)), to_17_bytes(a.add(b)));
            assert_eq!(a.sub(b).add(b), a);
            if a != Fe::ZERO {
                assert_eq!(a.invert().mul(a), Fe::ONE, "{a:?}");
            }
        }
    }
}
