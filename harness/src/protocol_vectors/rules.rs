//! `rules.json`: inputs that pin one rule of docs/SPEC.md each, with the outcome
//! `lockstep-spec` gives. Every vector is made here from a genuine value of the other
//! files (a handshake's bundle, PreKey message or keys, a conversation's message or
//! state), changed as its description says; the generator refuses to write one whose
//! outcome is not the one planned.

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_vectors::protocol::{
    AcceptDelivery, AcceptVector, Conversation, DecapsulationKeyVector, DecodingVector, Outcome,
    RuleVectors, SessionAction, SessionVector, Step, Structure, Verdict, VerificationVector,
};
use spec::consts::{MAX_PLAINTEXT_LEN, PREKEY_HEADER_LEN, RATCHET_HEADER_LEN, TAG_LEN};
use spec::x25519::X25519SerializedPoint;

use super::{
    GenerateError, Handshake, derive32, encoded, find, native, scalar, spec_error, state_after,
    unexpected, with_byte,
};

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

fn verdict_of(result: Result<(), spec::Error>) -> Verdict {
    match result {
        Ok(()) => Verdict::Ok,
        Err(e) => Verdict::Rejected(e.name().to_owned()),
    }
}

fn check_verdict(
    id: &str,
    got: &Verdict,
    want: Result<(), spec::Error>,
) -> Result<(), GenerateError> {
    let want = verdict_of(want);
    if *got != want {
        return Err(unexpected(format!(
            "{id}: the spec gives {got:?}, not {want:?}"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------

/// The spec's decoder on `encoding`, and what an accepted encoding encodes back to.
fn spec_decode(structure: Structure, encoding: &[u8]) -> Result<Vec<u8>, spec::Error> {
    let bytes = seq(encoding);
    Ok(native(&match structure {
        Structure::Message => spec::wire::encode_message(&spec::wire::decode_message(&bytes)?),
        Structure::Bundle => spec::wire::encode_bundle(&spec::wire::decode_bundle(&bytes)?),
    }))
}

fn decoding(
    structure: Structure,
    id: &str,
    description: &str,
    encoding: Vec<u8>,
    want: Result<(), spec::Error>,
) -> Result<DecodingVector, GenerateError> {
    let decoded = spec_decode(structure, &encoding);
    if decoded.as_ref().is_ok_and(|back| *back != encoding) {
        return Err(unexpected(format!(
            "{id}: decodes but does not encode back"
        )));
    }
    let outcome = verdict_of(decoded.map(|_| ()));
    check_verdict(id, &outcome, want)?;
    Ok(DecodingVector {
        id: id.to_owned(),
        source: match structure {
            Structure::Message => SOURCE_DECODE_MESSAGE,
            Structure::Bundle => SOURCE_DECODE_BUNDLE,
        }
        .to_owned(),
        description: description.to_owned(),
        structure,
        encoding,
        outcome,
    })
}

fn decoding_vectors(
    handshakes: &[Handshake],
    conversations: &[Conversation],
) -> Result<Vec<DecodingVector>, GenerateError> {
    use Structure::{Bundle, Message};
    use spec::Error::{InvalidMessage, MessageTooLarge, UnknownVersion};
    let in_order = find(conversations, "ratchet_in_order")?;
    let out_of_order = find(conversations, "ratchet_out_of_order")?;
    let sent = |c: &Conversation, step: usize| match c.steps.get(step) {
        Some(Step::Send(s)) => Ok(s.wire.clone()),
        _ => Err(unexpected(format!("{}: step {step} is not a send", c.id))),
    };
    // A plain ratchet message (in_order step 6, a2), a PreKey message with an OPK
    // (in_order step 0) and one without (out_of_order step 0).
    let rm = sent(in_order, 6)?;
    let pm = sent(in_order, 0)?;
    let pm_no_opk = sent(out_of_order, 0)?;
    if rm[1] != spec::consts::MSG_RATCHET || pm[1] != spec::consts::MSG_PREKEY {
        return Err(unexpected(
            "decoding: the genuine messages are not of the expected types",
        ));
    }
    let mut longest = rm[..RATCHET_HEADER_LEN].to_vec();
    longest.resize(MAX_RATCHET_MESSAGE_LEN, 0);
    let mut too_large = longest.clone();
    too_large.push(0);
    let prekey_header = &pm[..PREKEY_HEADER_LEN];
    let prekey_with = |inner: &[u8]| [prekey_header, inner].concat();
    let ek_a = &pm[34..66];
    let mut p_plus = P;
    p_plus[0] = 0xee;

    let bundle = handshakes[0].vector.bundle.clone();
    let bundle_no_opk = handshakes[1].vector.bundle.clone();
    if handshakes[0].vector.opk.is_none() || handshakes[1].vector.opk.is_some() {
        return Err(unexpected(
            "decoding: handshakes 0 and 1 are not with and without an OPK",
        ));
    }
    let mut bundle_long = bundle.clone();
    bundle_long.push(0);

    Ok(vec![
        // --- messages: version, type, length
        decoding(
            Message,
            "message_empty",
            "The empty string.",
            Vec::new(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "message_version_only",
            "The single byte 0x01: the version, no type byte.",
            vec![0x01],
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "message_unknown_version_one_byte",
            "The single byte 0x02: another version. UnknownVersion whatever the length.",
            vec![0x02],
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "message_unknown_version_and_type",
            "0x00 0x07: another version and an unknown type; the version is checked first.",
            vec![0x00, 0x07],
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "ratchet_unknown_version",
            "ratchet.json ratchet_in_order step 6 (a ratchet message) with version byte 0x02.",
            with_byte(&rm, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "message_unknown_type",
            "ratchet_in_order step 6 with type byte 0x03.",
            with_byte(&rm, 1, 0x03),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "message_type_zero",
            "ratchet_in_order step 6 with type byte 0x00.",
            with_byte(&rm, 1, 0x00),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_shortest",
            "The first 58 bytes of ratchet_in_order step 6: a header and a 16-byte ct ‖ tag, the shortest ratchet message (an empty plaintext). Decoding does not open the AEAD.",
            rm[..58].to_vec(),
            Ok(()),
        )?,
        decoding(
            Message,
            "ratchet_short",
            "The first 57 bytes of ratchet_in_order step 6: one byte short.",
            rm[..57].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_header_only",
            "The 42-byte header of ratchet_in_order step 6 alone.",
            rm[..RATCHET_HEADER_LEN].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_longest",
            "The header of ratchet_in_order step 6 and zero bytes up to 58 + 65536 bytes: the longest ratchet message.",
            longest.clone(),
            Ok(()),
        )?,
        decoding(
            Message,
            "ratchet_too_large",
            "ratchet_longest and one more byte: MessageTooLarge.",
            too_large.clone(),
            Err(MessageTooLarge),
        )?,
        decoding(
            Message,
            "ratchet_too_large_unknown_type",
            "ratchet_too_large with type byte 0x03: the type is checked before the length.",
            with_byte(&too_large, 1, 0x03),
            Err(InvalidMessage),
        )?,
        // --- ratchet header key
        decoding(
            Message,
            "ratchet_dh_bit_255",
            "ratchet_in_order step 6 with bit 255 of dh set (byte 33 | 0x80).",
            bit_255(&rm, 2),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_dh_p",
            "ratchet_in_order step 6 with dh = p = 2^255 - 19 (ed ff .. ff 7f), the smallest u >= p.",
            with_bytes(&rm, 2, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_dh_p_plus_1",
            "ratchet_in_order step 6 with dh = p + 1 (ee ff .. ff 7f), which names the same key as 1.",
            with_bytes(&rm, 2, &p_plus),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_dh_p_minus_1",
            "ratchet_in_order step 6 with dh = p - 1 (ec ff .. ff 7f): canonical, so it decodes (decoding checks the encoding, not the point).",
            with_bytes(&rm, 2, &{
                let mut k = P;
                k[0] = 0xec;
                k
            }),
            Ok(()),
        )?,
        decoding(
            Message,
            "ratchet_too_large_dh_bit_255",
            "ratchet_too_large with bit 255 of dh set: the length is checked before the keys, MessageTooLarge.",
            bit_255(&too_large, 2),
            Err(MessageTooLarge),
        )?,
        // --- PreKey messages
        decoding(
            Message,
            "prekey_unknown_version",
            "ratchet_in_order step 0 (a PreKey message) with version byte 0x02.",
            with_byte(&pm, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "prekey_short",
            "The first 1646 bytes of ratchet_in_order step 0: one byte short of a PreKey header.",
            pm[..PREKEY_HEADER_LEN - 1].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_header_only",
            "The 1647-byte PreKey header of ratchet_in_order step 0 without a ratchet message: the empty ratchet message's error.",
            prekey_header.to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_inner_short",
            "The PreKey header of ratchet_in_order step 0 and the first 57 bytes of its ratchet message.",
            pm[..PREKEY_HEADER_LEN + 57].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_inner_unknown_version",
            "ratchet_in_order step 0 with the version byte of its ratchet message (offset 1647) 0x02: the ratchet message's error, UnknownVersion, is the PreKey message's.",
            with_byte(&pm, PREKEY_HEADER_LEN, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "prekey_inner_prekey_type",
            "ratchet_in_order step 0 with the type byte of its ratchet message (offset 1648) 0x01: a PreKey message cannot carry a PreKey message.",
            with_byte(&pm, PREKEY_HEADER_LEN + 1, 0x01),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_inner_too_large",
            "The PreKey header of ratchet_in_order step 0 and ratchet_too_large: MessageTooLarge, the ratchet message's error.",
            prekey_with(&too_large),
            Err(MessageTooLarge),
        )?,
        decoding(
            Message,
            "prekey_bad_opk_flag",
            "ratchet_in_order step 0 with opk_flag (offset 74) 0x02.",
            with_byte(&pm, 74, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_opk_id_without_flag",
            "ratchet_out_of_order step 0 (no OPK: opk_flag 0) with opk_id (offset 75) 1.",
            with_bytes(&pm_no_opk, 75, &1u32.to_be_bytes()),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_opk_flag_with_id_zero",
            "ratchet_out_of_order step 0 with opk_flag 0x01 and opk_id 0: with the flag set any id decodes, 0 included.",
            with_byte(&pm_no_opk, 74, 0x01),
            Ok(()),
        )?,
        decoding(
            Message,
            "prekey_ik_a_bit_255",
            "ratchet_in_order step 0 with bit 255 of IK_A set.",
            bit_255(&pm, 2),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ik_a_p",
            "ratchet_in_order step 0 with IK_A = p.",
            with_bytes(&pm, 2, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_bit_255",
            "ratchet_in_order step 0 with bit 255 of EK_A set.",
            bit_255(&pm, 34),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_p_plus_1",
            "ratchet_in_order step 0 with EK_A = p + 1.",
            with_bytes(&pm, 34, &p_plus),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_reencoded",
            "ratchet_in_order step 0 with EK_A replaced by 1/EK_A mod p: canonical, so it decodes; TH refuses it later (see accepts).",
            with_bytes(&pm, 34, &reencoded(ek_a)),
            Ok(()),
        )?,
        decoding(
            Message,
            "prekey_ratchet_dh_bit_255",
            "ratchet_in_order step 0 with bit 255 of its ratchet message's dh set: the ratchet message's error.",
            bit_255(&pm, PREKEY_HEADER_LEN + 2),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_bad_opk_flag_and_inner_too_large",
            "prekey_inner_too_large with opk_flag 0x02: the flags are checked before the ratchet message, InvalidMessage.",
            with_byte(&prekey_with(&too_large), 74, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_bit_255_and_inner_unknown_version",
            "prekey_inner_unknown_version with bit 255 of EK_A set: the PreKey header's keys are checked before the ratchet message, InvalidMessage.",
            bit_255(&with_byte(&pm, PREKEY_HEADER_LEN, 0x02), 34),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_short_unknown_version",
            "0x02 0x01: another version, a PreKey type, and short: UnknownVersion.",
            vec![0x02, 0x01],
            Err(UnknownVersion),
        )?,
        // --- bundles
        decoding(
            Bundle,
            "bundle_empty",
            "The empty string.",
            Vec::new(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version",
            "pqxdh.json pqxdh_with_opk's bundle with version byte 0x02.",
            with_byte(&bundle, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version_one_byte",
            "The single byte 0x02: UnknownVersion whatever the length.",
            vec![0x02],
            Err(UnknownVersion),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version_and_long",
            "pqxdh_with_opk's bundle with version byte 0x02 and one byte 0x00 appended: the version before the length.",
            with_byte(&bundle_long, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Bundle,
            "bundle_version_only",
            "The single byte 0x01.",
            vec![0x01],
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_short",
            "pqxdh_with_opk's bundle without its last byte.",
            bundle[..bundle.len() - 1].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_long",
            "pqxdh_with_opk's bundle with one byte 0x00 appended.",
            bundle_long.clone(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_bad_pq_kind",
            "pqxdh_with_opk's bundle with pq_kind (offset 137) 0x02.",
            with_byte(&bundle, 137, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_bad_opk_flag",
            "pqxdh_with_opk's bundle with opk_flag (offset 1770) 0x02.",
            with_byte(&bundle, 1770, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_id_without_flag",
            "pqxdh_without_opk's bundle (opk_flag 0) with opk_id (offset 1771) 1.",
            with_bytes(&bundle_no_opk, 1771, &1u32.to_be_bytes()),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_key_without_flag",
            "pqxdh_without_opk's bundle with OPK_B (offset 1775) 09 00 .. 00.",
            with_byte(&bundle_no_opk, 1775, 0x09),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_id_zero",
            "pqxdh_with_opk's bundle with opk_id 0: with opk_flag 0x01 any id decodes, 0 included.",
            with_bytes(&bundle, 1771, &0u32.to_be_bytes()),
            Ok(()),
        )?,
        decoding(
            Bundle,
            "bundle_ik_b_bit_255",
            "pqxdh_with_opk's bundle with bit 255 of IK_B set.",
            bit_255(&bundle, 1),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_ik_b_p",
            "pqxdh_with_opk's bundle with IK_B = p.",
            with_bytes(&bundle, 1, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_spk_b_bit_255",
            "pqxdh_with_opk's bundle with bit 255 of SPK_B set.",
            bit_255(&bundle, 37),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_spk_b_p_plus_1",
            "pqxdh_with_opk's bundle with SPK_B = p + 1.",
            with_bytes(&bundle, 37, &p_plus),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_b_bit_255",
            "pqxdh_with_opk's bundle with bit 255 of OPK_B set.",
            bit_255(&bundle, 1775),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_b_p",
            "pqxdh_with_opk's bundle with OPK_B = p.",
            with_bytes(&bundle, 1775, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_bad_pq_kind_and_short",
            "bundle_bad_pq_kind without its last byte: the length before the fields, InvalidMessage either way; and with version 0x02 (next vector) UnknownVersion.",
            with_byte(&bundle, 137, 0x02)[..bundle.len() - 1].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version_and_bad_pq_kind",
            "bundle_bad_pq_kind with version byte 0x02: UnknownVersion.",
            with_byte(&with_byte(&bundle, 137, 0x02), 0, 0x02),
            Err(UnknownVersion),
        )?,
    ])
}

// ---------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------

fn spec_verify(bundle: &[u8]) -> Result<(), spec::Error> {
    let decoded = spec::wire::decode_bundle(&seq(bundle))?;
    spec::pqxdh::verify_bundle(&decoded).map(|_| ())
}

fn verification(
    h: &Handshake,
    id: &str,
    description: &str,
    bundle: Vec<u8>,
    want: Result<(), spec::Error>,
) -> Result<VerificationVector, GenerateError> {
    // Every one of them decodes: verification is what is tested.
    spec::wire::decode_bundle(&seq(&bundle)).map_err(spec_error(format!("{id}: decode")))?;
    let outcome = verdict_of(spec_verify(&bundle));
    check_verdict(id, &outcome, want)?;
    Ok(VerificationVector {
        id: id.to_owned(),
        source: "docs/SPEC.md §2 SIG (XEdDSA, \"also rejects s >= q\"; R compared as encoded bytes), §3.3, §8; XEdDSA rev 1 §3".to_owned(),
        description: description.to_owned(),
        handshake: h.vector.id.clone(),
        bundle,
        outcome,
    })
}

/// An XEdDSA signature by `k` over `m` made with the nonce `r = 0`, so `R` is the
/// identity point, written as `r_bytes` (any of its encodings): `s = h a` with
/// `h = SHA-512(r_bytes ‖ A ‖ M) mod q`. The canonical encoding `01 00 .. 00`
/// verifies; any other encoding of the identity cannot, since verification compares
/// `R` with the computed point as bytes.
fn identity_nonce_signature(
    k: &spec::x25519::X25519SerializedScalar,
    m: &ByteSeq,
    r_bytes: &[u8; 32],
) -> [u8; 64] {
    use spec::edwards25519::{scalar_from_digest, scalar_to_bytes};
    let (a_point, a) = spec::xeddsa::calculate_key_pair(k);
    let hashed = seq(r_bytes).concat(&a_point).concat(m);
    let h = scalar_from_digest(&spec::sha512::hash(&hashed));
    let s = scalar_to_bytes(h * a).to_public_array();
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(r_bytes);
    out[32..].copy_from_slice(&s);
    out
}

fn verification_vectors(
    handshakes: &[Handshake],
) -> Result<Vec<VerificationVector>, GenerateError> {
    use spec::Error::{InvalidKey, InvalidSignature};
    let h = &handshakes[0];
    let v = &h.vector;
    let bundle = v.bundle.clone();
    // SPK_sig is bytes 69..133 (s at 101), PQPK_sig bytes 1706..1770 (s at 1738).
    let spk_s_plus_q = add_le(&bundle[101..133], &Q);
    let pqpk_s_plus_q = add_le(&bundle[1738..1770], &Q);

    // Signatures with the identity as R, in three encodings.
    let m_spk = spec::wire::encode_ec(&X25519SerializedPoint::from_public_slice(&v.spk_b));
    let mut identity = [0u8; 32];
    identity[0] = 0x01;
    let mut identity_y_plus_p = P;
    identity_y_plus_p[0] = 0xee;
    let mut identity_negative_zero = identity;
    identity_negative_zero[31] = 0x80;
    let sig = |r: &[u8; 32]| identity_nonce_signature(&h.ik_b, &m_spk, r);

    // PQPK_B with its first coefficient 0xFFF >= 3329, signed as if genuine.
    let mut bad_ek = v.pqpk_b.clone();
    bad_ek[0] = 0xff;
    bad_ek[1] |= 0x0f;
    let resigned = spec::pqxdh::sign_bundle(
        &h.ik_b,
        v.spk_id,
        &X25519SerializedPoint::from_public_slice(&v.spk_b),
        v.pqpk_id,
        v.pq_last_resort,
        &spec::ml_kem::EncapsulationKey::from_public_slice(&bad_ek),
        v.opk
            .as_ref()
            .map(|o| (o.id, X25519SerializedPoint::from_public_slice(&o.public))),
        &spec::xeddsa::XEdDSARandom::from_public_slice(&v.z_spk),
        &spec::xeddsa::XEdDSARandom::from_public_slice(&v.z_pqpk),
    );
    let resigned = native(&spec::wire::encode_bundle(&resigned));

    Ok(vec![
        verification(
            h,
            "verify_genuine",
            "pqxdh_with_opk's bundle, unchanged: it verifies.",
            bundle.clone(),
            Ok(()),
        )?,
        verification(
            h,
            "verify_spk_sig_s_plus_q",
            "pqxdh_with_opk's bundle with the s of SPK_sig (offset 101) replaced by s + q, still below 2^253: (s + q)B = sB, so only the s >= q check refuses it.",
            with_bytes(&bundle, 101, &spk_s_plus_q),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_pqpk_sig_s_plus_q",
            "pqxdh_with_opk's bundle with the s of PQPK_sig (offset 1738) replaced by s + q.",
            with_bytes(&bundle, 1738, &pqpk_s_plus_q),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_spk_sig_r_identity",
            "pqxdh_with_opk's bundle with SPK_sig replaced by a signature Bob's identity key made with the nonce 0: R = the identity point, canonically 01 00 .. 00, and s = h a. It verifies: the control for the next two.",
            with_bytes(&bundle, 69, &sig(&identity)),
            Ok(()),
        )?,
        verification(
            h,
            "verify_spk_sig_r_identity_y_plus_p",
            "As verify_spk_sig_r_identity, with R written non-canonically as y = 1 + p (ee ff .. ff 7f) and s = h a for that R: the computed point encodes as 01 00 .. 00, which is not R's bytes.",
            with_bytes(&bundle, 69, &sig(&identity_y_plus_p)),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_spk_sig_r_identity_negative_zero",
            "As verify_spk_sig_r_identity, with R written as x = -0 (01 00 .. 00 80, the sign bit set on x = 0) and s = h a for that R.",
            with_bytes(&bundle, 69, &sig(&identity_negative_zero)),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_pqpk_not_reduced",
            "pqxdh_with_opk's keys with PQPK_B's first coefficient set to 0xfff (>= 3329), signed by Bob as if genuine: the signatures verify and the FIPS 203 §7.2 check refuses the key.",
            resigned.clone(),
            Err(InvalidKey),
        )?,
        verification(
            h,
            "verify_spk_sig_s_plus_q_and_pqpk_not_reduced",
            "verify_pqpk_not_reduced with SPK_sig's s replaced by s + q: the signatures are checked before the key, InvalidSignature.",
            with_bytes(&resigned, 101, &add_le(&resigned[101..133], &Q)),
            Err(InvalidSignature),
        )?,
    ])
}

// ---------------------------------------------------------------------------------
// Decapsulation keys
// ---------------------------------------------------------------------------------

fn decapsulation_key_vectors(
    handshakes: &[Handshake],
) -> Result<Vec<DecapsulationKeyVector>, GenerateError> {
    use spec::Error::InvalidKey;
    let v = &handshakes[0].vector;
    let ct = spec::ml_kem::Ciphertext::from_public_slice(&v.ct);
    let check = |id: &str, description: &str, dk: Vec<u8>, want: Result<(), spec::Error>| {
        let outcome = verdict_of(
            spec::ml_kem::decaps(&spec::ml_kem::DecapsulationKey::from_public_slice(&dk), &ct)
                .map(|_| ()),
        );
        check_verdict(id, &outcome, want)?;
        Ok::<_, GenerateError>(DecapsulationKeyVector {
            id: id.to_owned(),
            source:
                "docs/SPEC.md §2 DECAPS (\"the stored ek must pass §7.2\"), §8; FIPS 203 §7.2, §7.3"
                    .to_owned(),
            description: description.to_owned(),
            dk,
            outcome,
        })
    };
    // dk = dk_PKE (1536) ‖ ek (1568, from 1536) ‖ H(ek) (32, from 3104) ‖ z (32).
    let dk = v.pqpk_b_private.clone();
    let mut hash_flipped = dk.clone();
    hash_flipped[3104] ^= 0x01;
    let mut unreduced = dk.clone();
    unreduced[1536] = 0xff;
    unreduced[1537] |= 0x0f;
    let h_ek = spec::sha3::sha3_256(&seq(&unreduced[1536..3104]));
    unreduced[3104..3136].copy_from_slice(&h_ek.to_public_array());
    Ok(vec![
        check(
            "dk_genuine",
            "pqxdh_with_opk's decapsulation key, unchanged: it passes.",
            dk,
            Ok(()),
        )?,
        check(
            "dk_hash_mismatch",
            "pqxdh_with_opk's decapsulation key with the first byte of its stored H(ek) (offset 3104) xor 0x01: the FIPS 203 §7.3 hash check refuses it.",
            hash_flipped,
            Err(InvalidKey),
        )?,
        check(
            "dk_stored_ek_not_reduced",
            "pqxdh_with_opk's decapsulation key with the first coefficient of its stored ek (offset 1536) set to 0xfff (>= 3329) and H(ek) (offset 3104) recomputed: it passes §7.3's hash check, and Lockstep's §7.2 check of the stored ek refuses it.",
            unreduced,
            Err(InvalidKey),
        )?,
    ])
}

// ---------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------

fn u32_at(state: &[u8], offset: usize, value: u32) -> Vec<u8> {
    with_bytes(state, offset, &value.to_be_bytes())
}

struct SessionPlan<'a> {
    id: &'a str,
    source: &'a str,
    description: &'a str,
    state: Vec<u8>,
    action: SessionAction,
    input: Vec<u8>,
    want: Result<(), spec::Error>,
}

fn session(plan: SessionPlan<'_>) -> Result<SessionVector, GenerateError> {
    let id = plan.id;
    let state =
        spec::state::decode_state(&seq(&plan.state)).map_err(spec_error(format!("{id}: state")))?;
    let r = match plan.action {
        SessionAction::Encrypt => None,
        SessionAction::Decrypt => Some(derive32(id, "r")),
    };
    let result = match (plan.action, r) {
        (SessionAction::Decrypt, Some(r)) => {
            spec::session::decrypt(&state, &seq(&plan.input), &scalar(&r))
        }
        _ => spec::session::encrypt(&state, &seq(&plan.input)),
    };
    let (outcome, state_after) = match (result, plan.want) {
        (Ok((new_state, output)), Ok(())) => (Outcome::Ok(native(&output)), encoded(&new_state)),
        (Err(e), Err(want)) if e == want => {
            (Outcome::Rejected(e.name().to_owned()), plan.state.clone())
        }
        (Ok(_), Err(want)) => return Err(unexpected(format!("{id}: succeeded; want {want:?}"))),
        (Err(e), _) => return Err(unexpected(format!("{id}: refused with {e:?}"))),
    };
    Ok(SessionVector {
        id: id.to_owned(),
        source: plan.source.to_owned(),
        description: plan.description.to_owned(),
        state: plan.state,
        action: plan.action,
        input: plan.input,
        r,
        outcome,
        state_after,
    })
}

fn session_vectors(
    handshakes: &[Handshake],
    conversations: &[Conversation],
) -> Result<Vec<SessionVector>, GenerateError> {
    use SessionAction::{Decrypt, Encrypt};
    use spec::Error::{
        ChainExhausted, DecryptionFailed, InvalidMessage, PreKeyMismatch, TooManySkipped,
    };
    let c = find(conversations, "ratchet_in_order")?;
    let other = find(conversations, "ratchet_out_of_order")?;
    let sent = |c: &Conversation, step: usize| match c.steps.get(step) {
        Some(Step::Send(s)) => Ok(s.wire.clone()),
        _ => Err(unexpected(format!("{}: step {step} is not a send", c.id))),
    };
    let alice_initial = c.alice_state.clone();
    let bob_accepted = state_after(c, 2)?;
    let bob_before_a2 = state_after(c, 4)?;
    let alice_after_a2 = state_after(c, 6)?;
    let bob_after_a2 = state_after(c, 7)?;
    let a1 = sent(c, 1)?;
    let a2 = sent(c, 6)?;
    let b1 = sent(c, 8)?;
    let prekey_header = handshakes[0].vector.prekey_header.clone();
    if a1[..PREKEY_HEADER_LEN] != prekey_header[..] {
        return Err(unexpected(
            "sessions: a1 does not carry pqxdh_with_opk's PreKey header",
        ));
    }
    // A ratchet message claiming Alice's initial DHr (SPK_B) as its key: the ratchet
    // message of a0 with its dh replaced.
    let a0_ratchet = sent(c, 0)?[PREKEY_HEADER_LEN..].to_vec();
    let claims_spk = with_bytes(&a0_ratchet, 2, &handshakes[0].vector.spk_b);

    let ns_max_minus_1 = u32_at(&alice_after_a2, spec::consts::STATE_OFFSET_NS, u32::MAX - 1);
    let nr_max_minus_1 = u32_at(&bob_after_a2, spec::consts::STATE_OFFSET_NR, u32::MAX - 1);

    let source_mismatch =
        "docs/SPEC.md §5.2 (prekey_hash, PreKeyMismatch), §7; ratchet.json ratchet_in_order";
    let source_exhausted = "docs/SPEC.md §4.5, §4.6 (\"Nr would wrap\"), §7 ChainExhausted; ratchet.json ratchet_in_order";
    let mut out = vec![
        session(SessionPlan {
            id: "session_prekey_of_another_session",
            source: source_mismatch,
            description: "Bob's state right after accepting (ratchet_in_order, after step 2) given the first PreKey message of another session (ratchet_out_of_order step 0, another handshake): its PreKey header's hash is not his prekey_hash.",
            state: bob_accepted.clone(),
            action: Decrypt,
            input: sent(other, 0)?,
            want: Err(PreKeyMismatch),
        })?,
        session(SessionPlan {
            id: "session_prekey_other_header",
            source: source_mismatch,
            description: "Bob's state right after accepting (ratchet_in_order, after step 2) given Alice's second PreKey message (step 1) with the first byte of CT (offset 79) xor 0x01. Unchanged, it decrypts (step 3); with another PreKey header it is refused before its ratchet message is looked at.",
            state: bob_accepted.clone(),
            action: Decrypt,
            input: with_byte(&a1, 79, a1[79] ^ 0x01),
            want: Err(PreKeyMismatch),
        })?,
        session(SessionPlan {
            id: "session_prekey_to_alice_control",
            source: source_mismatch,
            description: "Alice's state before ratchet_in_order step 10 (after step 6) given Bob's message b1 (step 8), a ratchet message: it decrypts, as at step 10. The control for the next vector.",
            state: alice_after_a2.clone(),
            action: Decrypt,
            input: b1.clone(),
            want: Ok(()),
        })?,
        session(SessionPlan {
            id: "session_prekey_to_alice",
            source: source_mismatch,
            description: "As session_prekey_to_alice_control, with b1 wrapped in Alice's own PreKey header (pqxdh_with_opk's prekey_header ‖ b1): Alice's session has no prekey_hash, so any PreKey message to her is refused.",
            state: alice_after_a2.clone(),
            action: Decrypt,
            input: [prekey_header.as_slice(), &b1].concat(),
            want: Err(PreKeyMismatch),
        })?,
        session(SessionPlan {
            id: "session_prekey_ek_a_bit_255",
            source: "docs/SPEC.md §2 (canonical keys), §5 (a session decodes a message completely first), §5.2",
            description: "Bob's state right after accepting (ratchet_in_order, after step 2) given Alice's second PreKey message (step 1) with bit 255 of EK_A set: decoding refuses it (InvalidMessage) before the prekey_hash comparison.",
            state: bob_accepted.clone(),
            action: Decrypt,
            input: bit_255(&a1, 34),
            want: Err(InvalidMessage),
        })?,
        session(SessionPlan {
            id: "session_ratchet_dh_bit_255",
            source: "docs/SPEC.md §2 (canonical keys), §5.1",
            description: "Bob's state before ratchet_in_order step 7 (after step 4) given a2 (step 6) with bit 255 of dh set. Unchanged it decrypts (step 7); an X25519 that masks bit 255 would compute the same DH, but the key is refused when decoded.",
            state: bob_before_a2.clone(),
            action: Decrypt,
            input: bit_255(&a2, 2),
            want: Err(InvalidMessage),
        })?,
        session(SessionPlan {
            id: "session_ratchet_dh_p",
            source: "docs/SPEC.md §2 (canonical keys), §5.1",
            description: "Bob's state before ratchet_in_order step 7 given a2 with dh = p (which X25519 would read as 0).",
            state: bob_before_a2.clone(),
            action: Decrypt,
            input: with_bytes(&a2, 2, &P),
            want: Err(InvalidMessage),
        })?,
        session(SessionPlan {
            id: "session_no_receiving_chain",
            source: "docs/SPEC.md §4.6 (\"No receiving chain\"), §7 DecryptionFailed; ratchet.json ratchet_in_order",
            description: "Alice's state right after session::initiate (DHr = SPK_B, no CKr) given a ratchet message claiming SPK_B as its ratchet key (a0's ratchet message with dh = SPK_B, pn = 0, n = 0): no DH ratchet step, no receiving chain, refused as DecryptionFailed.",
            state: alice_initial,
            action: Decrypt,
            input: claims_spk,
            want: Err(DecryptionFailed),
        })?,
    ];
    // Sending at the end of a chain.
    let last_send = session(SessionPlan {
        id: "session_encrypt_ns_max_minus_1",
        source: source_exhausted,
        description: "Alice's state after ratchet_in_order step 6 with Ns (offset 228) set to 2^32 - 2: the last message number a chain can send, n = 2^32 - 2; Ns becomes 2^32 - 1.",
        state: ns_max_minus_1,
        action: Encrypt,
        input: b"a: the last one".to_vec(),
        want: Ok(()),
    })?;
    let (Outcome::Ok(last_wire), exhausted_state) =
        (&last_send.outcome, last_send.state_after.clone())
    else {
        return Err(unexpected("session_encrypt_ns_max_minus_1: no wire"));
    };
    let last_wire = last_wire.clone();
    // The same message numbered 2^32 - 1 (n at bytes 38..42).
    let wrapping = with_bytes(&last_wire, 38, &u32::MAX.to_be_bytes());
    out.push(last_send);
    out.push(session(SessionPlan {
        id: "session_encrypt_chain_exhausted",
        source: source_exhausted,
        description: "session_encrypt_ns_max_minus_1's state after: Ns = 2^32 - 1, so encrypting is refused as ChainExhausted.",
        state: exhausted_state,
        action: Encrypt,
        input: b"a: one too many".to_vec(),
        want: Err(ChainExhausted),
    })?);
    let received = session(SessionPlan {
        id: "session_decrypt_nr_max_minus_1",
        source: source_exhausted,
        description: "Bob's state after ratchet_in_order step 7 (receiving Alice's chain) with Nr (offset 232) set to 2^32 - 2, given session_encrypt_ns_max_minus_1's message (n = 2^32 - 2, same chain keys): it decrypts, and Nr becomes 2^32 - 1.",
        state: nr_max_minus_1.clone(),
        action: Decrypt,
        input: last_wire,
        want: Ok(()),
    })?;
    let nr_max = received.state_after.clone();
    out.push(received);
    out.push(session(SessionPlan {
        id: "session_decrypt_nr_would_wrap",
        source: source_exhausted,
        description: "session_decrypt_nr_max_minus_1's state after (Nr = 2^32 - 1) given that message with n set to 2^32 - 1: Nr + 1 would wrap, refused as ChainExhausted before the AEAD.",
        state: nr_max,
        action: Decrypt,
        input: wrapping.clone(),
        want: Err(ChainExhausted),
    })?);
    out.push(session(SessionPlan {
        id: "session_decrypt_nr_would_wrap_after_skip",
        source: "docs/SPEC.md §4.6 (\"made without overflow\", \"Nr would wrap\"); ratchet.json ratchet_in_order",
        description: "Bob's state with Nr = 2^32 - 2 (as session_decrypt_nr_max_minus_1) given the message numbered 2^32 - 1: Nr + MAX_SKIP, computed without overflow, is not below 2^32 - 1, so one key is skipped, then Nr would wrap: ChainExhausted (a 32-bit sum would wrap to 1998 and refuse it as TooManySkipped).",
        state: nr_max_minus_1,
        action: Decrypt,
        input: wrapping.clone(),
        want: Err(ChainExhausted),
    })?);
    out.push(session(SessionPlan {
        id: "session_decrypt_far_jump_before_wrap",
        source: "docs/SPEC.md §4.6 (\"a far jump is TooManySkipped first\"); ratchet.json ratchet_in_order",
        description: "Bob's state after ratchet_in_order step 7 (Nr = 1) given the message numbered 2^32 - 1: SkipMessageKeys refuses the jump as TooManySkipped before the wrap is looked at.",
        state: bob_after_a2,
        action: Decrypt,
        input: wrapping,
        want: Err(TooManySkipped),
    })?);
    Ok(out)
}

// ---------------------------------------------------------------------------------
// Accept
// ---------------------------------------------------------------------------------

/// Bob's store, as far as the spec has one: the keys of a handshake and the replay
/// record of its post-quantum prekey if that is last-resort (SPEC §3.5).
pub(super) struct SpecStore<'a> {
    h: &'a Handshake,
    record: Vec<X25519SerializedPoint>,
}

impl<'a> SpecStore<'a> {
    pub(super) fn new(h: &'a Handshake) -> Self {
        SpecStore {
            h,
            record: Vec::new(),
        }
    }

    /// SPEC §3.5, §3.6: the replay check, `accept`, and the record on success.
    pub(super) fn accept(
        &mut self,
        wire: &[u8],
        r: &[u8; 32],
    ) -> Result<(spec::ratchet::State, ByteSeq), spec::Error> {
        let message = spec::wire::decode_prekey_message(&seq(wire))?;
        let last_resort = self.h.vector.pq_last_resort;
        if last_resort {
            spec::session::check_replay(&self.record, &message.header)?;
        }
        let h = self.h;
        let (state, plaintext, _keys) = spec::session::accept(
            &h.ik_b,
            &h.spk_b,
            &h.dk,
            h.opk.as_ref(),
            &message,
            &scalar(r),
        )?;
        if last_resort {
            self.record = spec::session::record_accepted(&self.record, &message.header);
        }
        Ok((state, plaintext))
    }
}

fn accept_vector(
    id: &str,
    description: &str,
    h: &Handshake,
    plan: Vec<(&str, Vec<u8>, Result<(), spec::Error>)>,
) -> Result<AcceptVector, GenerateError> {
    let mut store = SpecStore::new(h);
    let mut deliveries = Vec::new();
    for (index, (note, wire, want)) in plan.into_iter().enumerate() {
        let r = derive32(id, &format!("{index} / r"));
        let (outcome, state) = match (store.accept(&wire, &r), want) {
            (Ok((state, pt)), Ok(())) => (Outcome::Ok(native(&pt)), Some(encoded(&state))),
            (Err(e), Err(want)) if e == want => (Outcome::Rejected(e.name().to_owned()), None),
            (Ok(_), Err(want)) => {
                return Err(unexpected(format!(
                    "{id} delivery {index}: accepted; want {want:?}"
                )));
            }
            (Err(e), _) => {
                return Err(unexpected(format!(
                    "{id} delivery {index}: refused with {e:?}"
                )));
            }
        };
        deliveries.push(AcceptDelivery {
            note: note.to_owned(),
            wire,
            r,
            outcome,
            state,
        });
    }
    Ok(AcceptVector {
        id: id.to_owned(),
        source: "docs/SPEC.md §3.4 (TH), §3.5 (accept takes a PreKey message; the replay record of a last-resort PQPK_B), §3.6, §7 InvalidMessage, DecryptionFailed, PreKeyReplay, §8".to_owned(),
        description: description.to_owned(),
        handshake: h.vector.id.clone(),
        deliveries,
    })
}

/// A genuine first message of a new Alice session on handshake `h`, with `ek_a` and
/// her ratchet key derived from `id`.
fn another_alice(h: &Handshake, id: &str) -> Result<Vec<u8>, GenerateError> {
    let (alice, _keys) = spec::session::initiate(
        &h.ik_a,
        &h.verified,
        &scalar(&derive32(id, "second alice / ek_a")),
        &h.m,
        &scalar(&derive32(id, "second alice / r")),
    )
    .map_err(spec_error(format!("{id}: second initiate")))?;
    let (_state, wire) = spec::session::encrypt(&alice, &seq(b"a0: another session"))
        .map_err(spec_error(format!("{id}: second encrypt")))?;
    Ok(native(&wire))
}

fn accept_vectors(
    handshakes: &[Handshake],
    conversations: &[Conversation],
) -> Result<Vec<AcceptVector>, GenerateError> {
    use spec::Error::{DecryptionFailed, InvalidMessage, PreKeyReplay};
    let first = |c: &Conversation| match c.steps.first() {
        Some(Step::Send(s)) => Ok(s.wire.clone()),
        _ => Err(unexpected(format!("{}: step 0 is not a send", c.id))),
    };
    let reencode = |wire: &[u8]| with_bytes(wire, 34, &reencoded(&wire[34..66]));
    // pqxdh_with_opk: ratchet_in_order's a0.
    let one_time = &handshakes[0];
    let in_order = find(conversations, "ratchet_in_order")?;
    let a0 = first(in_order)?;
    let a2 = match in_order.steps.get(6) {
        Some(Step::Send(s)) if s.wire[1] == spec::consts::MSG_RATCHET => s.wire.clone(),
        _ => {
            return Err(unexpected(
                "accepts: ratchet_in_order step 6 is not a ratchet message",
            ));
        }
    };
    // pqxdh_last_resort: ratchet_tampered's a0.
    let last_resort = &handshakes[2];
    if !last_resort.vector.pq_last_resort || one_time.vector.pq_last_resort {
        return Err(unexpected(
            "accepts: handshake 2 is not the last-resort one",
        ));
    }
    let lr_a0 = first(find(conversations, "ratchet_tampered")?)?;
    // Alice's second PreKey message on the last-resort handshake: ratchet_tampered's
    // session replayed by the spec, then one more message (the same PreKey header, so
    // the same EK_A, and another ratchet message).
    let h = last_resort;
    let (alice, _) = spec::session::initiate(
        &h.ik_a,
        &h.verified,
        &h.ek_a,
        &h.m,
        &scalar(&derive32("ratchet_tampered", "alice_r")),
    )
    .map_err(spec_error("accepts: initiate"))?;
    let (alice, first_again) = spec::session::encrypt(&alice, &seq(b"a0: hello"))
        .map_err(spec_error("accepts: encrypt"))?;
    if native(&first_again) != lr_a0 {
        return Err(unexpected("accepts: ratchet_tampered's a0 does not replay"));
    }
    let (_, lr_a1) = spec::session::encrypt(&alice, &seq(b"a1: again"))
        .map_err(spec_error("accepts: encrypt"))?;
    let lr_a1 = native(&lr_a1);
    let id_lr = "accept_last_resort_replay";
    let other_alice = another_alice(last_resort, id_lr)?;
    Ok(vec![
        accept_vector(
            "accept_reencoded_ek_a",
            "Bob's store with pqxdh_with_opk's keys (one-time PQPK_B and OPK_B) is given a ratchet message, refused, then Alice's first message with EK_A replaced by 1/EK_A mod p: every DH output is the same, but TH, and so SK, is not, and it is refused. The genuine message is then accepted (the refusal consumed nothing).",
            one_time,
            vec![
                (
                    "ratchet_in_order's a2 (step 6), a ratchet message: accept takes PreKey messages only, and the PreKey decoder's type check refuses it (InvalidMessage).",
                    a2,
                    Err(InvalidMessage),
                ),
                (
                    "ratchet_in_order's a0 with EK_A (offset 34) replaced by 1/EK_A mod p (canonical): DecryptionFailed, no session, no prekey deleted.",
                    reencode(&a0),
                    Err(DecryptionFailed),
                ),
                (
                    "ratchet_in_order's a0, unchanged: accepted, as at ratchet_in_order step 2 with another r.",
                    a0.clone(),
                    Ok(()),
                ),
            ],
        )?,
        accept_vector(
            id_lr,
            "Bob's store with pqxdh_last_resort's keys (a last-resort PQPK_B, no OPK): the store records the EK_A of every PreKey message accepted under the last-resort key, and refuses a PreKey message with a recorded EK_A as PreKeyReplay, before any DH.",
            last_resort,
            vec![
                (
                    "ratchet_tampered's a0 with EK_A replaced by 1/EK_A mod p: DecryptionFailed (TH), nothing recorded.",
                    reencode(&lr_a0),
                    Err(DecryptionFailed),
                ),
                (
                    "ratchet_tampered's a0: accepted, and its EK_A recorded.",
                    lr_a0.clone(),
                    Ok(()),
                ),
                (
                    "ratchet_tampered's a0 again (to a new session: the replay of a first message): PreKeyReplay.",
                    lr_a0.clone(),
                    Err(PreKeyReplay),
                ),
                (
                    "Alice's second PreKey message of that session (same PreKey header, so the same EK_A, another ratchet message) as a first message: PreKeyReplay.",
                    lr_a1,
                    Err(PreKeyReplay),
                ),
                (
                    "The re-encoded a0 again: its EK_A bytes are not recorded, so it reaches accept, where TH refuses it: DecryptionFailed.",
                    reencode(&lr_a0),
                    Err(DecryptionFailed),
                ),
                (
                    "The first message of another Alice session (another ek_a: SHA-256(\"lockstep v1 vectors / accept_last_resort_replay / second alice / ek_a\"), ratchet key .../second alice / r, plaintext \"a0: another session\") under the same last-resort key: accepted.",
                    other_alice,
                    Ok(()),
                ),
            ],
        )?,
    ])
}

/// Every `rules.json` vector.
pub(super) fn rules(
    handshakes: &[Handshake],
    conversations: &[Conversation],
) -> Result<RuleVectors, GenerateError> {
    if handshakes.len() < 3 {
        return Err(unexpected("rules: three handshakes needed"));
    }
    Ok(RuleVectors {
        decoding: decoding_vectors(handshakes, conversations)?,
        verification: verification_vectors(handshakes)?,
        decapsulation_keys: decapsulation_key_vectors(handshakes)?,
        sessions: session_vectors(handshakes, conversations)?,
        accepts: accept_vectors(handshakes, conversations)?,
    })
}
