//! RFC 2104 (HMAC: Keyed-Hashing for Message Authentication): HMAC, instantiated
//! with SHA-256 ([`crate::sha256`]) as RFC 4231 tests it.
//!
//! RFC 2104 §2 defines, for a hash `H` with block length `B` bytes:
//!
//! ```text
//! H(K XOR opad, H(K XOR ipad, text))
//!
//! ipad = the byte 0x36 repeated B times
//! opad = the byte 0x5C repeated B times.
//! ```
//!
//! For SHA-256, `B` = 64 and the output length `L` = 32.

use crate::sha256::{self, Sha256Digest};
use hacspec_lib::*;

/// RFC 2104 §2: `B`, the byte length of a hash block; 64 for SHA-256.
const B: usize = sha256::BLOCK_LEN;

/// RFC 2104 §2: the inner padding byte, `ipad`.
const IPAD: u8 = 0x36;

/// RFC 2104 §2: the outer padding byte, `opad`.
const OPAD: u8 = 0x5c;

/// RFC 2104 §2: the key `K`, reduced to a hash output if longer than `B` bytes, then
/// extended with zeros to `B` bytes (step (1)).
///
/// ```text
/// Applications that use keys longer than B bytes will first hash the key using H
/// and then use the resultant L byte string as the actual key to HMAC.
/// ```
fn key_block(key: &ByteSeq) -> ByteSeq {
    let mut k = ByteSeq::from_seq(key);
    if key.len() > B {
        k = ByteSeq::from_seq(&sha256::hash(key));
    }
    // (1) append zeros to the end of K to create a B byte string
    ByteSeq::new(B).update_start(&k)
}

/// RFC 2104 §2: `K XOR pad` for one of the two padding bytes (steps (2) and (5)).
fn xor_pad(k0: &ByteSeq, pad: u8) -> ByteSeq {
    let mut out = ByteSeq::new(B);
    for i in 0..B {
        out[i] = k0[i] ^ U8(pad);
    }
    out
}

/// RFC 2104 §2: HMAC-SHA-256 of `text` under `key`.
///
/// ```text
/// (1) append zeros to the end of K to create a B byte string
/// (2) XOR the B byte string computed in step (1) with ipad
/// (3) append the stream of data 'text' to the B byte string resulting from step (2)
/// (4) apply H to the stream generated in step (3)
/// (5) XOR the B byte string computed in step (1) with opad
/// (6) append the H result from step (4) to the B byte string resulting from step (5)
/// (7) apply H to the stream generated in step (6) and output the result
/// ```
///
/// Keys of any length are accepted; RFC 2104 §3 only advises against keys shorter
/// than `L` bytes.
pub fn hmac(key: &ByteSeq, text: &ByteSeq) -> Sha256Digest {
    // (1)
    let k0 = key_block(key);
    // (2), (3), (4)
    let inner = sha256::hash(&xor_pad(&k0, IPAD).concat(text));
    // (5), (6), (7)
    sha256::hash(&xor_pad(&k0, OPAD).concat(&inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 §4.3, test case 2: a key shorter than `L` ("Jefe").
    #[test]
    fn rfc4231_test_case_2() {
        let key = ByteSeq::from_public_slice(b"Jefe");
        let data = ByteSeq::from_public_slice(b"what do ya want for nothing?");
        assert_eq!(
            hmac(&key, &data).to_hex(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// RFC 4231 §4.7, test case 6: a 131-byte key, longer than `B`, which is hashed
    /// first.
    #[test]
    fn rfc4231_test_case_6() {
        let key = ByteSeq::from_public_slice(&[0xaa; 131]);
        let data =
            ByteSeq::from_public_slice(b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(
            hmac(&key, &data).to_hex(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
