//! Inputs: every vector input derived from a label (`SHA-256(label)`, `SHA-512(label)`).

use super::*;

/// The label every input is derived from.
pub(super) fn label(id: &str, name: &str) -> ByteSeq {
    ByteSeq::from_public_slice(format!("lockstep v1 vectors / {id} / {name}").as_bytes())
}

/// A 32-byte input: SHA-256 of its label.
pub(super) fn derive32(id: &str, name: &str) -> [u8; 32] {
    spec::sha256::hash(&label(id, name)).to_public_array()
}

/// A 64-byte input: SHA-512 of its label.
pub(super) fn derive64(id: &str, name: &str) -> [u8; 64] {
    spec::sha512::hash(&label(id, name)).to_public_array()
}

pub(super) fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

pub(super) fn native(seq: &ByteSeq) -> Vec<u8> {
    seq.to_native()
}

pub(super) fn text(s: &str) -> ByteSeq {
    ByteSeq::from_public_slice(s.as_bytes())
}
