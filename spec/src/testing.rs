//! Inputs the unit tests of several modules share (test builds only).

use crate::ml_kem::Seed32;
use crate::x25519::X25519SerializedScalar;
use hacspec_lib::*;

/// `len` bytes counting up from `start` (wrapping).
pub(crate) fn counting(start: u8, len: usize) -> ByteSeq {
    let mut out = ByteSeq::new(len);
    for i in 0..len {
        out[i] = U8(start.wrapping_add(u8::try_from(i % 256).expect("< 256")));
    }
    out
}

/// A scalar of 32 counting bytes from `start`.
pub(crate) fn scalar(start: u8) -> X25519SerializedScalar {
    X25519SerializedScalar::from_seq(&counting(start, 32))
}

/// A 32-byte seed of counting bytes from `start`.
pub(crate) fn seed(start: u8) -> Seed32 {
    Seed32::from_seq(&counting(start, 32))
}

/// The bytes of `s`.
pub(crate) fn text(s: &str) -> ByteSeq {
    ByteSeq::from_public_slice(s.as_bytes())
}
