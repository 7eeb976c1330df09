//! Inputs: every vector input derived from a label (`SHA-256(label)`), as the
//! checker derives them.

use super::*;

/// A 32-byte input: SHA-256 of its label.
pub(super) fn derive32(id: &str, name: &str) -> [u8; 32] {
    derived32(&SpecSide, id, name)
}

pub(super) fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}
