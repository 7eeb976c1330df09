//! RFC 8439 §2.5.1: the field GF(p), `p = (1<<130)-5`, in which Poly1305
//! ([`crate::poly1305`]) keeps its accumulator.
//!
//! An element is five limbs of 26 bits, least significant first:
//!
//! ```text
//! x = x[0] + x[1]·2^26 + x[2]·2^52 + x[3]·2^78 + x[4]·2^104
//! ```
//!
//! each limb in a 64-bit machine integer. Five limbs of 26 bits are exactly the 130
//! bits of `2^130`, and the one fact the reduction uses is the congruence
//!
//! ```text
//! 2^130 = p + 5,   so   2^130 ≡ 5 (mod p)
//! ```
//!
//! Whatever lands at weight `2^130·w` (the carry out of the top limb, the high half
//! of a product) is worth `5·w` modulo p and is added back at weight `w`.
//! Multiplication is schoolbook: 25 products of limbs below 2^27, each below 2^54,
//! summed in columns that stay below 2^60. Between operations an element is only
//! partly reduced (limb 0 may exceed 26 bits by a few units, and the value may be
//! `p` or a little more); [`to_le_bytes`] reduces it fully, as the document's `% p`
//! requires before the accumulator is read as a number.
//!
//! The limbs are hacspec-lib's secret `U64`, so no accumulator value can be compared
//! or branched on. The field was first written on hacspec-lib's `nat_mod!` big
//! integers; that version stays, in the tests only, as the oracle this one is
//! compared with (`oracle`, and the differential tests below it).
#![allow(
    clippy::assign_op_pattern,
    clippy::needless_range_loop,
    reason = "limb updates are written `x = x + y` and loops over limbs stay `for` loops \
              over ranges (the spec's functional subset), not compound assignments or \
              iterator chains"
)]

use hacspec_lib::*;

/// RFC 8439 §2.5.1: `p = (1<<130)-5`; 130 bits are five limbs of this many bits.
const LIMB_BITS: usize = 26;

/// The low [`LIMB_BITS`] bits of a limb, `2^26 - 1`.
const LIMB_MASK: U64 = U64(0x3ff_ffff);

/// RFC 8439 §2.5.1: `p = (1<<130)-5`, so `2^130 ≡ 5 (mod p)`.
const TWO_POW_130_MOD_P: U64 = U64(5);

/// RFC 8439 §2.5.1: an element of GF(p), `p = (1<<130)-5`, as five 26-bit limbs
/// (secret), partly reduced between operations (see [`to_le_bytes`]).
#[derive(Clone, Copy)]
pub struct FieldElement([U64; 5]);

/// RFC 8439 §2.5.1: the accumulator's starting value, `accumulator = 0`.
pub const ZERO: FieldElement = FieldElement([U64(0); 5]);

/// One pass of carries: each limb keeps its low 26 bits and adds the rest, divided
/// by `2^26`, to the next limb; what leaves the top limb has weight `2^130` and comes
/// back into limb 0 times 5.
fn carry_round(x: [U64; 5]) -> [U64; 5] {
    let mut x = x;
    for i in 0..4 {
        x[i + 1] = x[i + 1] + (x[i] >> LIMB_BITS);
        x[i] = x[i] & LIMB_MASK;
    }
    let top = x[4] >> LIMB_BITS;
    x[4] = x[4] & LIMB_MASK;
    // 2^130 ≡ 5 (mod p)
    x[0] = x[0] + top * TWO_POW_130_MOD_P;
    x
}

/// Two passes of carries, for limbs below `2^60`. The first leaves limbs 1 to 4
/// below `2^26` and limb 0 below `2^38`; in the second, limb 0 carries less than
/// `2^12` into limb 1, every later carry is 0 or 1, and so limb 0 ends below
/// `2^26 + 5`, the others below `2^26`. That is the form every operation returns.
fn carry(x: [U64; 5]) -> FieldElement {
    FieldElement(carry_round(carry_round(x)))
}

/// RFC 8439 §2.5.1: `le_bytes_to_num`, for the at most 17 bytes Poly1305 reads as one
/// number (a 16-byte block with `0x01` appended, or a 16-byte `r`), taken modulo p.
///
/// Byte `i` has weight `2^(8i)`: it is added, shifted to its place, into the limb
/// whose range holds bit `8i` (a limb then holds at most 32 bits), and the carries
/// bring every limb back to 26 bits; bits 130 to 135 come back times 5.
pub fn le_bytes_to_num(b: &ByteSeq) -> FieldElement {
    let mut x = [U64(0); 5];
    for i in 0..b.len() {
        let bit = 8 * i;
        let limb = bit / LIMB_BITS;
        x[limb] = x[limb] + (U64_from_U8(b[i]) << (bit - limb * LIMB_BITS));
    }
    carry(x)
}

/// RFC 8439 §2.5.1: `a += n`, the sum modulo p.
impl Add for FieldElement {
    type Output = FieldElement;

    fn add(self, rhs: FieldElement) -> FieldElement {
        let FieldElement(mut sum) = self;
        for i in 0..5 {
            sum[i] = sum[i] + rhs.0[i];
        }
        carry(sum)
    }
}

/// RFC 8439 §2.5.1: `(r * a) % p`, the product modulo p.
impl Mul for FieldElement {
    type Output = FieldElement;

    fn mul(self, rhs: FieldElement) -> FieldElement {
        let (FieldElement(a), FieldElement(b)) = (self, rhs);
        // Schoolbook: column k holds every a[i]·b[j] with i + j = k, of weight 2^(26k).
        let mut column = [U64(0); 9];
        for i in 0..5 {
            for j in 0..5 {
                column[i + j] = column[i + j] + a[i] * b[j];
            }
        }
        // Columns 5 to 8 have weight 2^130·2^(26(k-5)) ≡ 5·2^(26(k-5)) (mod p).
        for k in 0..4 {
            column[k] = column[k] + column[k + 5] * TWO_POW_130_MOD_P;
        }
        carry([column[0], column[1], column[2], column[3], column[4]])
    }
}

/// RFC 8439 §2.5.1: the accumulator's value `% p` as 17 little-endian bytes (the
/// number is below `2^130`); `num_to_16_le_bytes` of the document keeps the low 16.
///
/// One more pass of carries leaves every limb below `2^26` (a carry out of the top
/// limb can only happen when limbs 1 to 4 become 0), so the value `h` is below
/// `2^130 < 2p`, and `h % p` is `h` or `h - p`. Now `h >= p` exactly when
/// `h + 5 >= 2^130`, that is when `h + 5` carries into bit 130, and then
/// `h - p = h + 5 - 2^130` is `h + 5` with that bit dropped. The choice between the
/// two is a mask, as the limbs are secret.
pub fn to_le_bytes(x: FieldElement) -> ByteSeq {
    let FieldElement(h) = x;
    let h = carry_round(h);
    // g = h + 5, carried, with bit 130 taken out as `h_ge_p`
    let mut g = h;
    g[0] = g[0] + TWO_POW_130_MOD_P;
    for i in 0..4 {
        g[i + 1] = g[i + 1] + (g[i] >> LIMB_BITS);
        g[i] = g[i] & LIMB_MASK;
    }
    let h_ge_p = g[4] >> LIMB_BITS;
    g[4] = g[4] & LIMB_MASK;
    // All ones when h >= p, all zeros otherwise.
    let take_g = U64(0) - h_ge_p;
    let mut reduced = h;
    for i in 0..5 {
        reduced[i] = (g[i] & take_g) | (h[i] & !take_g);
    }
    // The 130-bit number: its low 128 bits, then bits 128 and 129 as a 17th byte.
    let mut low = U128(0);
    for i in 0..5 {
        low = low | (U128_from_U64(reduced[i]) << (LIMB_BITS * i));
    }
    let high = U8_from_U64(reduced[4] >> (128 - 4 * LIMB_BITS));
    ByteSeq::from_seq(&U128_to_le_bytes(low)).push(&high)
}

#[cfg(test)]
pub(crate) mod oracle {
    //! The test oracle: GF(2^130 - 5) as the spec first wrote it, on hacspec-lib's
    //! secret `nat_mod!` big integers, where every `+` and `*` is the library's
    //! reduction modulo the declared `p`. It is slow (about 2 µs per 16-byte block of
    //! the MAC) and obviously right; the limb field above must agree with it on every operation.

    // hacspec-lib's `nat_mod!` declares `pub` items with undocumented `pub` methods,
    // and their bodies trip two clippy style lints.
    #![allow(
        missing_docs,
        unreachable_pub,
        dead_code,
        clippy::manual_div_ceil,
        clippy::assign_op_pattern,
        reason = "code generated by hacspec-lib's nat_mod! macro"
    )]

    use hacspec_lib::*;

    // §2.5.1: p = (1<<130)-5. The 131-bit canvas is 17 bytes, room for a 16-byte
    // block with the 0x01 byte appended.
    nat_mod!(
        type_name: FieldElement,
        type_of_canvas: FieldCanvas,
        bit_size_of_field: 131,
        modulo_value: "03fffffffffffffffffffffffffffffffb"
    );

    /// `le_bytes_to_num` of at most 17 bytes, modulo p.
    pub(crate) fn le_bytes_to_num(b: &ByteSeq) -> FieldElement {
        // hacspec-lib reads a field element only from exactly the 17 bytes of its
        // canvas, so the number is zero-extended.
        let canvas = ByteSeq::new(17).update_start(b);
        // The canvas holds 131 bits, so a 17th byte of 8 or more (never read by
        // Poly1305, whose 17th byte is 0x01) does not fit; the number is then taken
        // in as `low + high·2^128` with the field's own operations.
        let low = ByteSeq::new(17).update_start(&canvas.slice(0, 16));
        let high = ByteSeq::new(17).update_start(&canvas.slice(16, 1));
        let mut two_128 = ByteSeq::new(17);
        two_128[16] = U8(1);
        FieldElement::from_byte_seq_le(low)
            + FieldElement::from_byte_seq_le(high) * FieldElement::from_byte_seq_le(two_128)
    }

    /// The element as 17 little-endian bytes.
    pub(crate) fn to_le_bytes(x: FieldElement) -> ByteSeq {
        x.to_byte_seq_le()
    }

    /// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): the seeded generator of the
    /// differential tests. Returns the next state and its output.
    pub(crate) fn splitmix64(state: u64) -> (u64, u64) {
        let state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (state, z ^ (z >> 31))
    }

    /// `len` bytes from the generator: the next state and the bytes.
    pub(crate) fn random_bytes(state: u64, len: usize) -> (u64, ByteSeq) {
        let mut state = state;
        let mut bytes = ByteSeq::new(len);
        for i in 0..len {
            let (next, word) = splitmix64(state);
            state = next;
            bytes[i] = U8((word >> 56) as u8);
        }
        (state, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 17-byte little-endian number from its big-endian hex (34 digits).
    fn num(hex_be: &str) -> ByteSeq {
        let be = ByteSeq::from_hex(hex_be);
        let mut le = ByteSeq::new(17);
        for i in 0..17 {
            le[i] = be[16 - i];
        }
        le
    }

    /// The edge inputs: small values, the limb boundaries, everything around p, 2^130
    /// and 2p, values with the top bits of the 17 bytes set, and the 136-bit maximum.
    fn edges() -> Vec<ByteSeq> {
        [
            "0000000000000000000000000000000000",
            "0000000000000000000000000000000001",
            "0000000000000000000000000000000002",
            "0000000000000000000000000000000005",
            "0000000000000000000000000003ffffff", // 2^26 - 1
            "0000000000000000000000000004000000", // 2^26
            "000000000000000000000fffffffffffff", // 2^52 - 1
            "00ffffffffffffffffffffffffffffffff", // 2^128 - 1
            "0100000000000000000000000000000000", // 2^128
            "0100000000000000000000000000000001", // a full block with its 0x01
            "01ffffffffffffffffffffffffffffffff",
            "03fffffffffffffffffffffffffffffffa", // p - 1
            "03fffffffffffffffffffffffffffffffb", // p
            "03fffffffffffffffffffffffffffffffc", // p + 1
            "03ffffffffffffffffffffffffffffffff", // 2^130 - 1 = p + 4
            "0400000000000000000000000000000000", // 2^130 = p + 5
            "0400000000000000000000000000000004", // 2^130 + 4
            "07fffffffffffffffffffffffffffffff5", // 2p - 1
            "07fffffffffffffffffffffffffffffff6", // 2p
            "07ffffffffffffffffffffffffffffffff", // 2^131 - 1
            "03fffffffc000000000000000000000000", // limb 4 all ones, the rest zero
            "0000000003fffffffffffffffffffffffb", // limbs 0 to 3 of p
            "0800000000000000000000000000000000", // 2^131
            "fffffffffffffffffffffffffffffffffb", // 2^136 - 5
            "ffffffffffffffffffffffffffffffffff", // 2^136 - 1, every bit set
            "fc0000000000000000000000000000000f", // only the top six bits and a few low
        ]
        .iter()
        .map(|hex| num(hex))
        .collect()
    }

    fn field(b: &ByteSeq) -> FieldElement {
        le_bytes_to_num(b)
    }

    fn oracle(b: &ByteSeq) -> oracle::FieldElement {
        oracle::le_bytes_to_num(b)
    }

    /// Both sides' bytes of an operation's result, as hex for readable failures.
    fn agree(what: &str, ours: FieldElement, theirs: oracle::FieldElement) {
        assert_eq!(
            to_le_bytes(ours).to_hex(),
            oracle::to_le_bytes(theirs).to_hex(),
            "{what}"
        );
    }

    #[test]
    fn p_is_the_modulus() {
        let p = field(&num("03fffffffffffffffffffffffffffffffb"));
        assert_eq!(to_le_bytes(p).to_hex(), "0".repeat(34));
        let p_minus_1 = field(&num("03fffffffffffffffffffffffffffffffa"));
        assert_eq!(
            to_le_bytes(p_minus_1).to_hex(),
            "faffffffffffffffffffffffffffffff03"
        );
        // (p - 1)^2 = 1, and 2^130 = 5.
        let one = num("0000000000000000000000000000000001");
        assert_eq!(to_le_bytes(p_minus_1 * p_minus_1).to_hex(), one.to_hex());
        let two_130 = field(&num("0400000000000000000000000000000000"));
        let five = num("0000000000000000000000000000000005");
        assert_eq!(to_le_bytes(two_130).to_hex(), five.to_hex());
    }

    #[test]
    fn agrees_with_the_oracle_on_every_edge_pair() {
        let edges = edges();
        for a in &edges {
            agree(&a.to_hex(), field(a), oracle(a));
            for b in &edges {
                let what = format!("{} and {}", a.to_hex(), b.to_hex());
                agree(&what, field(a) + field(b), oracle(a) + oracle(b));
                agree(&what, field(a) * field(b), oracle(a) * oracle(b));
                // Results of operations, which are only partly reduced, as inputs.
                let (x, y) = (field(a) + field(b), field(a) * field(b));
                let (xo, yo) = (oracle(a) + oracle(b), oracle(a) * oracle(b));
                agree(&what, x * y + x, xo * yo + xo);
                agree(&what, (x + y) * (x + y), (xo + yo) * (xo + yo));
            }
        }
    }

    /// Random operands from a seeded generator, of every length up to 17 bytes, fed
    /// through long chains of additions and multiplications, as the MAC does.
    #[test]
    fn agrees_with_the_oracle_on_random_chains() {
        let mut state = 0x1305;
        for chain in 0..200 {
            let mut ours = ZERO;
            let mut theirs = oracle::FieldElement::ZERO();
            for step in 0..50 {
                let (next, len) = oracle::splitmix64(state);
                let (next, b) = oracle::random_bytes(next, (len % 18) as usize);
                let (next, op) = oracle::splitmix64(next);
                state = next;
                let what = format!("chain {chain}, step {step}, operand {}", b.to_hex());
                agree(&what, field(&b), oracle(&b));
                if op % 2 == 0 {
                    ours = ours + field(&b);
                    theirs = theirs + oracle(&b);
                } else {
                    ours = ours * field(&b);
                    theirs = theirs * oracle(&b);
                }
                agree(&what, ours, theirs);
            }
        }
    }
}
