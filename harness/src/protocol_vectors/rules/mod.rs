//! `rules.json`: inputs that pin one rule of docs/SPEC.md each, with the outcome
//! `lockstep-spec` gives. Every vector is made here from a genuine value of the other
//! files (a handshake's bundle, PreKey message or keys, a conversation's message or
//! state), changed as its description says; the generator refuses to write one whose
//! outcome is not the one planned. The outcome is always that of a call of the
//! checker's [`SpecSide`] (`decode_message`, `decode_bundle`, `verify_bundle`,
//! `decapsulate`, `session_operation`, `accept`), the call the checker replays.

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_vectors::protocol::{
    AcceptDelivery, AcceptVector, Conversation, DecapsulationKeyVector, DecodingVector, Outcome,
    PqxdhVector, RuleVectors, SessionAction, SessionVector, Step, Structure, Verdict,
    VerificationVector,
};
use spec::consts::{MAX_PLAINTEXT_LEN, PREKEY_HEADER_LEN, RATCHET_HEADER_LEN, TAG_LEN};
use spec::x25519::X25519SerializedPoint;

use crate::vector_check::{SpecSide, VectorSide, decoded, verdict};

use super::{GenerateError, derive32, find, refused, scalar, state_after, unexpected, with_byte};

/// The longest ratchet message (SPEC §5.1): header, the largest plaintext, tag.
const MAX_RATCHET_MESSAGE_LEN: usize = RATCHET_HEADER_LEN + MAX_PLAINTEXT_LEN + TAG_LEN;

/// `p = 2^255 - 19`, little-endian: the smallest non-canonical u-coordinate.
const P: [u8; 32] = spec::field25519::P;

/// XEdDSA's `q` (RFC 8032 `L`) = 2^252 + 27742317777372353535851937790883648493,
/// little-endian. Checked against plain-integer arithmetic in
/// `harness/tests/protocol_vectors.rs`.
const Q: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

const SOURCE_DECODE_MESSAGE: &str =
    "docs/SPEC.md §5 (decoder check order), §5.1, §5.2, §2 (canonical keys), §7";
const SOURCE_DECODE_BUNDLE: &str =
    "docs/SPEC.md §3.2 (decoder check order), §5, §2 (canonical keys), §7";

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

fn with_bytes(encoding: &[u8], offset: usize, value: &[u8]) -> Vec<u8> {
    let mut out = encoding.to_vec();
    out[offset..offset + value.len()].copy_from_slice(value);
    out
}

/// A key with bit 255 set.
fn bit_255(encoding: &[u8], key_offset: usize) -> Vec<u8> {
    with_byte(encoding, key_offset + 31, encoding[key_offset + 31] | 0x80)
}

/// `a + b` on 32-byte little-endian integers (no carry out: the callers' sums fit).
fn add_le(a: &[u8], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum.to_le_bytes()[0];
        carry = sum >> 8;
    }
    out
}

/// `1/u mod p`: the other point of `u`'s coset under the order-2 point (SPEC §2), which
/// gives the same X25519 output with every clamped private key.
pub(super) fn reencoded(u: &[u8]) -> [u8; 32] {
    use spec::field25519::{SerializedFieldElement, from_le_bytes, inv, to_le_bytes};
    to_le_bytes(inv(from_le_bytes(
        &SerializedFieldElement::from_public_slice(u),
    )))
    .to_public_array()
}

/// `got`, a [`SpecSide`] call's verdict, must be the outcome planned, `want`.
fn check_verdict(
    id: &str,
    got: &Verdict,
    want: Result<(), spec::Error>,
) -> Result<(), GenerateError> {
    let want = verdict(want.map_err(spec::Error::name));
    if *got != want {
        return Err(unexpected(format!(
            "{id}: the spec gives {got:?}, not {want:?}"
        )));
    }
    Ok(())
}

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod accept;
mod decapsulation;
mod decoding;
mod sessions;
mod verification;

pub(super) use accept::rules;
use decapsulation::*;
use decoding::*;
use sessions::*;
use verification::*;
