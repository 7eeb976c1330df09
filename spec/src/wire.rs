//! docs/SPEC.md §2, §3.2 and §5: the key encodings `EncodeEC` and `EncodeKEM`, the
//! prekey bundle, and the two messages of Lockstep v1 on the wire.
//!
//! Every field has a fixed size and one encoding (SPEC §8, "Fixed-size, big-endian
//! wire format"), so decoding is strict: a decoder accepts exactly the byte strings
//! its encoder can produce, and a decoded value encodes back to the bytes it came
//! from. Versions, type bytes, flags, ids and counters are public, and are
//! declassified as they are read; keys, signatures and ciphertexts stay secret bytes.
//!
//! Every decoder checks a length before it reads at an offset, so no input, however
//! short or long, makes one panic.

use crate::Error;
use crate::consts::{
    BUNDLE_LEN, EC_PREFIX, KEM_PREFIX, MAX_PLAINTEXT_LEN, MSG_PREKEY, MSG_RATCHET,
    PREKEY_HEADER_LEN, RATCHET_HEADER_LEN, TAG_LEN, VERSION,
};
use crate::field25519::{P, less_than};
use crate::ml_kem::{CIPHERTEXT_LEN, Ciphertext, ENCAPSULATION_KEY_LEN, EncapsulationKey};
use crate::x25519::X25519SerializedPoint;
use crate::xeddsa::XEdDSASignature;
use hacspec_lib::*;

/// SPEC §5.1: the shortest ratchet message, a header and the tag of an empty
/// plaintext.
const MIN_RATCHET_MESSAGE_LEN: usize = RATCHET_HEADER_LEN + TAG_LEN;

/// SPEC §5.1: the longest ratchet message, a header and the ciphertext and tag of a
/// plaintext of `MAX_PLAINTEXT_LEN` bytes.
const MAX_RATCHET_MESSAGE_LEN: usize = RATCHET_HEADER_LEN + MAX_PLAINTEXT_LEN + TAG_LEN;

/// SPEC §3.2, §5.2: `opk_flag` when no one-time prekey is named.
const OPK_ABSENT: u8 = 0x00;
/// SPEC §3.2, §5.2: `opk_flag` when a one-time prekey is named.
const OPK_PRESENT: u8 = 0x01;
/// SPEC §3.2: `pq_kind` of a one-time post-quantum prekey.
const PQ_ONE_TIME: u8 = 0x00;
/// SPEC §3.2: `pq_kind` of a last-resort post-quantum prekey.
const PQ_LAST_RESORT: u8 = 0x01;

/// SPEC §5.1; DR §3.2 `HEADER(dh_pair, pn, n)`: the header of a ratchet message, the
/// sender's ratchet public key, the length of its previous sending chain, and the
/// message's number in the current one.
#[derive(Clone, Debug)]
pub struct RatchetHeader {
    /// `dh`: the sender's current ratchet public key.
    pub dh: X25519SerializedPoint,
    /// `pn`: the number of messages in the sender's previous sending chain.
    pub pn: u32,
    /// `n`: the message number in the current sending chain.
    pub n: u32,
}

/// SPEC §5.1: a ratchet message, its header and the AEAD output `ct ‖ tag`.
#[derive(Clone, Debug)]
pub struct RatchetMessage {
    /// `H`, bytes 0..42 of the message.
    pub header: RatchetHeader,
    /// `ct ‖ tag`: the AEAD output, 16 to `MAX_PLAINTEXT_LEN + 16` bytes.
    pub ciphertext: ByteSeq,
}

/// SPEC §5.2; PQXDH rev 2 §3.3: the PreKey header, what Alice's initial message
/// tells Bob: her identity and ephemeral keys, the prekeys she used, and `CT`.
#[derive(Clone, Debug)]
pub struct PreKeyHeader {
    /// `IK_A`: Alice's identity public key.
    pub ik_a: X25519SerializedPoint,
    /// `EK_A`: Alice's ephemeral public key.
    pub ek_a: X25519SerializedPoint,
    /// `spk_id`: the id of Bob's signed prekey that Alice used.
    pub spk_id: u32,
    /// `pqpk_id`: the id of Bob's post-quantum prekey that Alice used.
    pub pqpk_id: u32,
    /// `opk_id`: the id of Bob's one-time prekey that Alice used, if she used one.
    pub opk_id: Option<u32>,
    /// `CT`: the ML-KEM-1024 ciphertext encapsulated to `PQPK_B`.
    pub ct: Ciphertext,
}

/// SPEC §5.2: a PreKey message, the PreKey header followed by a complete ratchet
/// message.
#[derive(Clone, Debug)]
pub struct PreKeyMessage {
    /// Bytes 0..1647: the PreKey header.
    pub header: PreKeyHeader,
    /// Bytes 1647..: the ratchet message it carries.
    pub message: RatchetMessage,
}

/// SPEC §5: a message of Lockstep v1, told apart by its type byte.
#[allow(
    clippy::large_enum_variant,
    reason = "the spec holds values, not boxes, and is not optimised (see the crate's non-goals)"
)]
#[derive(Clone, Debug)]
pub enum Message {
    /// `MSG_PREKEY` (SPEC §5.2).
    PreKey(PreKeyMessage),
    /// `MSG_RATCHET` (SPEC §5.1).
    Ratchet(RatchetMessage),
}

/// SPEC §3.2; PQXDH rev 2 §3.2: Bob's prekey bundle, as published.
#[derive(Clone, Debug)]
pub struct PreKeyBundle {
    /// `IK_B`: Bob's identity public key.
    pub ik_b: X25519SerializedPoint,
    /// `spk_id`: the id of the signed prekey.
    pub spk_id: u32,
    /// `SPK_B`: the signed prekey.
    pub spk_b: X25519SerializedPoint,
    /// `SPK_sig = SIG(IK_B, EncodeEC(SPK_B), Z1)`.
    pub spk_sig: XEdDSASignature,
    /// `pqpk_id`: the id of the post-quantum prekey.
    pub pqpk_id: u32,
    /// `pq_kind`: true for a last-resort post-quantum prekey, false for a one-time one.
    pub pq_last_resort: bool,
    /// `PQPK_B`: the post-quantum prekey, an ML-KEM-1024 encapsulation key.
    pub pqpk_b: EncapsulationKey,
    /// `PQPK_sig = SIG(IK_B, EncodeKEM(PQPK_B), Z2)`.
    pub pqpk_sig: XEdDSASignature,
    /// `(opk_id, OPK_B)`: the one-time prekey and its id, if the bundle has one.
    pub opk: Option<(u32, X25519SerializedPoint)>,
}

/// SPEC §5: `u32be(x)`, the 4-byte big-endian encoding of a public integer.
fn u32be(x: u32) -> ByteSeq {
    ByteSeq::from_public_slice(&x.to_be_bytes())
}

/// SPEC §5: the public integer whose `u32be` encoding is `bytes[offset..offset + 4]`.
///
/// The caller has checked that the four bytes are there.
fn read_u32be(bytes: &ByteSeq, offset: usize) -> u32 {
    let mut x: u32 = 0;
    for i in 0..4 {
        x = (x << 8) | u32::from(bytes[offset + i].declassify());
    }
    x
}

/// The public byte at `offset` (a version, type, flag or kind byte). The caller has
/// checked that it is there.
fn public_byte(bytes: &ByteSeq, offset: usize) -> u8 {
    bytes[offset].declassify()
}

/// One public byte as a byte sequence.
fn byte(b: u8) -> ByteSeq {
    ByteSeq::from_public_slice(&[b])
}

/// SPEC §7: the first byte of a message, bundle or state must be `VERSION`.
///
/// An empty input has no version to be unknown and is refused as a wrong length.
fn check_version(bytes: &ByteSeq) -> Result<(), Error> {
    if bytes.len() < 1 {
        return Err(Error::InvalidMessage);
    }
    if public_byte(bytes, 0) != VERSION {
        return Err(Error::UnknownVersion);
    }
    Ok(())
}

/// SPEC §5: the version, then the type byte of a message.
fn check_version_and_type(bytes: &ByteSeq, message_type: u8) -> Result<(), Error> {
    check_version(bytes)?;
    if bytes.len() < 2 || public_byte(bytes, 1) != message_type {
        return Err(Error::InvalidMessage);
    }
    Ok(())
}

/// SPEC §2; PQXDH rev 2 §2.1 `EncodeEC`: `0x05 ‖ pk`, 33 bytes.
pub fn encode_ec(pk: &X25519SerializedPoint) -> ByteSeq {
    // 0x05 ‖ pk
    byte(EC_PREFIX).concat(pk)
}

/// SPEC §2; PQXDH rev 2 §2.1 `EncodeKEM`: `0x0A ‖ ek`, 1569 bytes.
///
/// Its first byte and its length both differ from `EncodeEC`'s, so no byte string is
/// both an encoded EC key and an encoded KEM key (PQXDH rev 2 §4.9).
pub fn encode_kem(ek: &EncapsulationKey) -> ByteSeq {
    // 0x0A ‖ ek
    byte(KEM_PREFIX).concat(ek)
}

/// SPEC §5.1: the header `H` of a ratchet message, 42 bytes.
///
/// ```text
/// H = VERSION ‖ MSG_RATCHET ‖ dh ‖ u32be(pn) ‖ u32be(n)
/// ```
pub fn encode_ratchet_header(header: &RatchetHeader) -> ByteSeq {
    // VERSION ‖ MSG_RATCHET
    byte(VERSION)
        .concat(&byte(MSG_RATCHET))
        // ‖ dh
        .concat(&header.dh)
        // ‖ u32be(pn)
        .concat(&u32be(header.pn))
        // ‖ u32be(n)
        .concat(&u32be(header.n))
}

/// SPEC §5.1: a ratchet message, `H ‖ ct ‖ tag`.
pub fn encode_ratchet_message(message: &RatchetMessage) -> ByteSeq {
    // H ‖ (ct ‖ tag)
    encode_ratchet_header(&message.header).concat(&message.ciphertext)
}

/// SPEC §5.1: decodes a ratchet message, strictly.
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 1 | `VERSION` (0x01) |
/// | 1 | 1 | `MSG_RATCHET` (0x02) |
/// | 2 | 32 | `dh` |
/// | 34 | 4 | `pn` |
/// | 38 | 4 | `n` |
/// | 42 | `len(pt) + 16` | `ct ‖ tag` |
///
/// # Errors
///
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::InvalidMessage`] if the input is empty, the type byte is not
/// `MSG_RATCHET`, or it is shorter than 58 bytes; [`Error::MessageTooLarge`] if it is
/// longer than `58 + MAX_PLAINTEXT_LEN` bytes; then [`Error::InvalidMessage`] if `dh`
/// is not a canonical key (`u >= p`, SPEC §2).
pub fn decode_ratchet_message(bytes: &ByteSeq) -> Result<RatchetMessage, Error> {
    check_version_and_type(bytes, MSG_RATCHET)?;
    // The whole message is 58 to 58 + 65536 bytes.
    if bytes.len() < MIN_RATCHET_MESSAGE_LEN {
        return Err(Error::InvalidMessage);
    }
    if bytes.len() > MAX_RATCHET_MESSAGE_LEN {
        return Err(Error::MessageTooLarge);
    }
    // 2..34: dh, a canonical key (SPEC §2)
    let dh = X25519SerializedPoint::from_slice(bytes, 2, 32);
    if !is_canonical_key(&dh) {
        return Err(Error::InvalidMessage);
    }
    let header = RatchetHeader {
        dh,
        // 34..38: pn
        pn: read_u32be(bytes, 34),
        // 38..42: n
        n: read_u32be(bytes, 38),
    };
    // 42..: ct ‖ tag
    let ciphertext = bytes.slice(RATCHET_HEADER_LEN, bytes.len() - RATCHET_HEADER_LEN);
    Ok(RatchetMessage { header, ciphertext })
}

/// SPEC §5.2: the PreKey header, 1647 bytes.
///
/// ```text
/// VERSION ‖ MSG_PREKEY ‖ IK_A ‖ EK_A ‖ u32be(spk_id) ‖ u32be(pqpk_id)
///         ‖ opk_flag ‖ u32be(opk_id) ‖ CT
/// ```
///
/// With no one-time prekey, `opk_flag` is 0x00 and `opk_id` is 0.
pub fn encode_prekey_header(header: &PreKeyHeader) -> ByteSeq {
    let (opk_flag, opk_id) = match header.opk_id {
        Some(id) => (OPK_PRESENT, id),
        None => (OPK_ABSENT, 0),
    };
    // VERSION ‖ MSG_PREKEY
    byte(VERSION)
        .concat(&byte(MSG_PREKEY))
        // ‖ IK_A ‖ EK_A
        .concat(&header.ik_a)
        .concat(&header.ek_a)
        // ‖ u32be(spk_id) ‖ u32be(pqpk_id)
        .concat(&u32be(header.spk_id))
        .concat(&u32be(header.pqpk_id))
        // ‖ opk_flag ‖ u32be(opk_id)
        .concat(&byte(opk_flag))
        .concat(&u32be(opk_id))
        // ‖ CT
        .concat(&header.ct)
}

/// SPEC §5.2: a PreKey message, the PreKey header followed by a complete ratchet
/// message.
pub fn encode_prekey_message(message: &PreKeyMessage) -> ByteSeq {
    encode_prekey_header(&message.header).concat(&encode_ratchet_message(&message.message))
}

/// SPEC §5.2: decodes a PreKey message, strictly, with the ratchet message it
/// carries.
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 1 | `VERSION` (0x01) |
/// | 1 | 1 | `MSG_PREKEY` (0x01) |
/// | 2 | 32 | `IK_A` |
/// | 34 | 32 | `EK_A` |
/// | 66 | 4 | `spk_id` |
/// | 70 | 4 | `pqpk_id` |
/// | 74 | 1 | `opk_flag` (0x00 or 0x01) |
/// | 75 | 4 | `opk_id` (0 if no OPK) |
/// | 79 | 1568 | `CT` |
/// | 1647 | rest | a complete ratchet message (§5.1) |
///
/// # Errors
///
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::InvalidMessage`] if the input is empty, the type byte is not
/// `MSG_PREKEY`, the PreKey header is cut short, `opk_flag` is neither 0x00 nor 0x01,
/// or `opk_id` is not 0 when `opk_flag` is 0x00, or `IK_A` or `EK_A` is not a
/// canonical key (`u >= p`, SPEC §2); and any error of [`decode_ratchet_message`] on
/// the bytes after the PreKey header.
pub fn decode_prekey_message(bytes: &ByteSeq) -> Result<PreKeyMessage, Error> {
    check_version_and_type(bytes, MSG_PREKEY)?;
    if bytes.len() < PREKEY_HEADER_LEN {
        return Err(Error::InvalidMessage);
    }
    // 74: opk_flag (0x00 or 0x01); 75..79: opk_id (0 if no OPK)
    let opk_flag = public_byte(bytes, 74);
    let opk_id_value = read_u32be(bytes, 75);
    let opk_id = if opk_flag == OPK_PRESENT {
        Some(opk_id_value)
    } else if opk_flag == OPK_ABSENT && opk_id_value == 0 {
        None
    } else {
        return Err(Error::InvalidMessage);
    };
    // 2..34: IK_A; 34..66: EK_A; both canonical keys (SPEC §2)
    let ik_a = X25519SerializedPoint::from_slice(bytes, 2, 32);
    let ek_a = X25519SerializedPoint::from_slice(bytes, 34, 32);
    if !is_canonical_key(&ik_a) || !is_canonical_key(&ek_a) {
        return Err(Error::InvalidMessage);
    }
    let header = PreKeyHeader {
        ik_a,
        ek_a,
        // 66..70: spk_id
        spk_id: read_u32be(bytes, 66),
        // 70..74: pqpk_id
        pqpk_id: read_u32be(bytes, 70),
        opk_id,
        // 79..1647: CT
        ct: Ciphertext::from_slice(bytes, 79, CIPHERTEXT_LEN),
    };
    // 1647..: a complete ratchet message (§5.1)
    let message =
        decode_ratchet_message(&bytes.slice(PREKEY_HEADER_LEN, bytes.len() - PREKEY_HEADER_LEN))?;
    Ok(PreKeyMessage { header, message })
}

/// SPEC §5: a message, PreKey or ratchet.
pub fn encode_message(message: &Message) -> ByteSeq {
    match message {
        Message::PreKey(prekey) => encode_prekey_message(prekey),
        Message::Ratchet(ratchet) => encode_ratchet_message(ratchet),
    }
}

/// SPEC §5: decodes a message, checking the version and then dispatching on the type
/// byte.
///
/// # Errors
///
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::InvalidMessage`] if the input is empty or its type byte is missing or
/// neither `MSG_PREKEY` nor `MSG_RATCHET`; and any error of [`decode_prekey_message`]
/// or [`decode_ratchet_message`].
pub fn decode_message(bytes: &ByteSeq) -> Result<Message, Error> {
    check_version(bytes)?;
    if bytes.len() < 2 {
        return Err(Error::InvalidMessage);
    }
    let message_type = public_byte(bytes, 1);
    if message_type == MSG_PREKEY {
        return Ok(Message::PreKey(decode_prekey_message(bytes)?));
    }
    if message_type == MSG_RATCHET {
        return Ok(Message::Ratchet(decode_ratchet_message(bytes)?));
    }
    Err(Error::InvalidMessage)
}

/// SPEC §3.2: Bob's prekey bundle, 1807 bytes.
///
/// ```text
/// bundle = VERSION
///        ‖ IK_B
///        ‖ u32be(spk_id) ‖ SPK_B ‖ SPK_sig
///        ‖ u32be(pqpk_id) ‖ pq_kind ‖ PQPK_B ‖ PQPK_sig
///        ‖ opk_flag ‖ u32be(opk_id) ‖ OPK_B
/// ```
///
/// With no one-time prekey, `opk_flag` is 0x00, `opk_id` is 0 and `OPK_B` is `0^32`.
pub fn encode_bundle(bundle: &PreKeyBundle) -> ByteSeq {
    let pq_kind = if bundle.pq_last_resort {
        PQ_LAST_RESORT
    } else {
        PQ_ONE_TIME
    };
    let (opk_flag, opk_id, opk_b) = match bundle.opk {
        Some((id, key)) => (OPK_PRESENT, id, key),
        None => (OPK_ABSENT, 0, X25519SerializedPoint::new()),
    };
    // VERSION
    byte(VERSION)
        // ‖ IK_B
        .concat(&bundle.ik_b)
        // ‖ u32be(spk_id) ‖ SPK_B ‖ SPK_sig
        .concat(&u32be(bundle.spk_id))
        .concat(&bundle.spk_b)
        .concat(&bundle.spk_sig)
        // ‖ u32be(pqpk_id) ‖ pq_kind ‖ PQPK_B ‖ PQPK_sig
        .concat(&u32be(bundle.pqpk_id))
        .concat(&byte(pq_kind))
        .concat(&bundle.pqpk_b)
        .concat(&bundle.pqpk_sig)
        // ‖ opk_flag ‖ u32be(opk_id) ‖ OPK_B
        .concat(&byte(opk_flag))
        .concat(&u32be(opk_id))
        .concat(&opk_b)
}

/// SPEC §3.2: decodes a prekey bundle, strictly.
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 1 | `VERSION` (0x01) |
/// | 1 | 32 | `IK_B` |
/// | 33 | 4 | `spk_id` |
/// | 37 | 32 | `SPK_B` |
/// | 69 | 64 | `SPK_sig` |
/// | 133 | 4 | `pqpk_id` |
/// | 137 | 1 | `pq_kind`: 0x00 one-time, 0x01 last-resort |
/// | 138 | 1568 | `PQPK_B` |
/// | 1706 | 64 | `PQPK_sig` |
/// | 1770 | 1 | `opk_flag`: 0x00 no OPK, 0x01 OPK present |
/// | 1771 | 4 | `opk_id` (0 if no OPK) |
/// | 1775 | 32 | `OPK_B` (`0^32` if no OPK) |
///
/// Decoding checks the encoding only; the signatures and the ML-KEM key are checked
/// by `crate::pqxdh::verify_bundle` (SPEC §3.3).
///
/// # Errors
///
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::InvalidMessage`] if the length is not 1807 bytes, `pq_kind` or
/// `opk_flag` is neither 0x00 nor 0x01, or `opk_flag` is 0x00 and `opk_id` or
/// `OPK_B` is not zero; then if `IK_B`, `SPK_B` or a present `OPK_B` is not a
/// canonical key (`u >= p`, SPEC §2).
pub fn decode_bundle(bytes: &ByteSeq) -> Result<PreKeyBundle, Error> {
    check_version(bytes)?;
    // Total: 1807 bytes, exactly.
    if bytes.len() != BUNDLE_LEN {
        return Err(Error::InvalidMessage);
    }
    // 137: pq_kind, 0x00 one-time, 0x01 last-resort
    let pq_kind = public_byte(bytes, 137);
    if pq_kind != PQ_ONE_TIME && pq_kind != PQ_LAST_RESORT {
        return Err(Error::InvalidMessage);
    }
    // 1770: opk_flag; 1771..1775: opk_id (0 if no OPK); 1775..1807: OPK_B (0^32 if no
    // OPK)
    let opk_flag = public_byte(bytes, 1770);
    let opk_id = read_u32be(bytes, 1771);
    let opk_b = X25519SerializedPoint::from_slice(bytes, 1775, 32);
    let opk = if opk_flag == OPK_PRESENT {
        Some((opk_id, opk_b))
    } else if opk_flag == OPK_ABSENT && opk_id == 0 && is_zero(&bytes.slice(1775, 32)) {
        None
    } else {
        return Err(Error::InvalidMessage);
    };
    // 1..33: IK_B; 37..69: SPK_B; OPK_B if present: canonical keys (SPEC §2)
    let ik_b = X25519SerializedPoint::from_slice(bytes, 1, 32);
    let spk_b = X25519SerializedPoint::from_slice(bytes, 37, 32);
    let opk_canonical = match &opk {
        Some((_, opk_b)) => is_canonical_key(opk_b),
        None => true,
    };
    if !is_canonical_key(&ik_b) || !is_canonical_key(&spk_b) || !opk_canonical {
        return Err(Error::InvalidMessage);
    }
    Ok(PreKeyBundle {
        ik_b,
        // 33..37: spk_id
        spk_id: read_u32be(bytes, 33),
        spk_b,
        // 69..133: SPK_sig
        spk_sig: XEdDSASignature::from_slice(bytes, 69, 64),
        // 133..137: pqpk_id
        pqpk_id: read_u32be(bytes, 133),
        pq_last_resort: pq_kind == PQ_LAST_RESORT,
        // 138..1706: PQPK_B
        pqpk_b: EncapsulationKey::from_slice(bytes, 138, ENCAPSULATION_KEY_LEN),
        // 1706..1770: PQPK_sig
        pqpk_sig: XEdDSASignature::from_slice(bytes, 1706, 64),
        opk,
    })
}

/// SPEC §2 "Keys on the wire are canonical": an X25519 public key read from the
/// wire is the little-endian encoding of some `u < p` (so bit 255 is clear).
/// X25519 masks bit 255 and reduces `u` (RFC 7748 §5), so without this check two
/// byte strings would name one key.
fn is_canonical_key(key: &X25519SerializedPoint) -> bool {
    less_than(key.to_public_array(), P)
}

/// Whether every byte of a public field is zero (the padding of an absent OPK).
fn is_zero(bytes: &ByteSeq) -> bool {
    let mut any_bit: u8 = 0;
    for i in 0..bytes.len() {
        any_bit |= public_byte(bytes, i);
    }
    any_bit == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{BUNDLE_LEN, PREKEY_HEADER_LEN};

    /// A byte sequence of `len` bytes `start, start + 1, ...` (mod 256).
    fn counting(start: u8, len: usize) -> ByteSeq {
        let mut bytes = ByteSeq::new(len);
        for i in 0..len {
            bytes[i] = U8(start.wrapping_add(u8::try_from(i % 256).expect("i % 256 < 256")));
        }
        bytes
    }

    fn point(start: u8) -> X25519SerializedPoint {
        X25519SerializedPoint::from_seq(&counting(start, 32))
    }

    fn ratchet_message(ct_len: usize) -> RatchetMessage {
        RatchetMessage {
            header: RatchetHeader {
                dh: point(0x20),
                pn: 0x0102_0304,
                n: 0xA0B0_C0D0,
            },
            ciphertext: counting(0x77, ct_len),
        }
    }

    fn prekey_header(opk_id: Option<u32>) -> PreKeyHeader {
        PreKeyHeader {
            ik_a: point(0x40),
            ek_a: point(0x60),
            spk_id: 0x1112_1314,
            pqpk_id: 0x2122_2324,
            opk_id,
            ct: Ciphertext::from_seq(&counting(0x90, CIPHERTEXT_LEN)),
        }
    }

    fn bundle(pq_last_resort: bool, opk: Option<(u32, X25519SerializedPoint)>) -> PreKeyBundle {
        PreKeyBundle {
            ik_b: point(0x01),
            spk_id: 0x3132_3334,
            spk_b: point(0x21),
            spk_sig: XEdDSASignature::from_seq(&counting(0x41, 64)),
            pqpk_id: 0x5152_5354,
            pq_last_resort,
            pqpk_b: EncapsulationKey::from_seq(&counting(0x81, ENCAPSULATION_KEY_LEN)),
            pqpk_sig: XEdDSASignature::from_seq(&counting(0xC1, 64)),
            opk,
        }
    }

    /// Every encoding the tests below start from: ratchet messages of the shortest,
    /// a middling and the longest length; PreKey messages with and without an OPK.
    fn message_encodings() -> Vec<ByteSeq> {
        vec![
            encode_ratchet_message(&ratchet_message(TAG_LEN)),
            encode_ratchet_message(&ratchet_message(100)),
            encode_ratchet_message(&ratchet_message(MAX_PLAINTEXT_LEN + TAG_LEN)),
            encode_prekey_message(&PreKeyMessage {
                header: prekey_header(Some(0)),
                message: ratchet_message(TAG_LEN),
            }),
            encode_prekey_message(&PreKeyMessage {
                header: prekey_header(None),
                message: ratchet_message(33),
            }),
        ]
    }

    fn bundle_encodings() -> Vec<ByteSeq> {
        vec![
            encode_bundle(&bundle(false, None)),
            encode_bundle(&bundle(true, Some((0xFFFF_FFFF, point(0x50))))),
            encode_bundle(&bundle(false, Some((0, X25519SerializedPoint::new())))),
        ]
    }

    /// Decodes `bytes` with the message decoder (and the specific decoder its type
    /// byte names) and, if it is accepted, checks that it encodes back to `bytes`.
    fn message_decodes_canonically(bytes: &ByteSeq) -> Result<(), Error> {
        let ratchet = decode_ratchet_message(bytes);
        let prekey = decode_prekey_message(bytes);
        let message = decode_message(bytes)?;
        let encoded = encode_message(&message);
        assert_eq!(encoded, *bytes);
        match message {
            Message::PreKey(_) => {
                assert!(ratchet.is_err());
                assert_eq!(encode_prekey_message(&prekey?), *bytes);
            }
            Message::Ratchet(_) => {
                assert!(prekey.is_err());
                assert_eq!(encode_ratchet_message(&ratchet?), *bytes);
            }
        }
        Ok(())
    }

    fn bundle_decodes_canonically(bytes: &ByteSeq) -> Result<(), Error> {
        let bundle = decode_bundle(bytes)?;
        assert_eq!(encode_bundle(&bundle), *bytes);
        Ok(())
    }

    fn set(bytes: &ByteSeq, offset: usize, value: u8) -> ByteSeq {
        let mut changed = bytes.clone();
        changed[offset] = U8(value);
        changed
    }

    #[test]
    fn spec_2_encode_ec_and_encode_kem() {
        let pk = point(0x33);
        let ec = encode_ec(&pk);
        assert_eq!(ec.len(), 33);
        assert_eq!(ec, ByteSeq::from_hex("05").concat(&pk));
        let ek = EncapsulationKey::from_seq(&counting(0x05, ENCAPSULATION_KEY_LEN));
        let kem = encode_kem(&ek);
        assert_eq!(kem.len(), 1569);
        assert_eq!(kem, ByteSeq::from_hex("0a").concat(&ek));
    }

    #[test]
    fn spec_5_1_ratchet_message_layout() {
        let message = ratchet_message(20);
        let header = encode_ratchet_header(&message.header);
        assert_eq!(header.len(), RATCHET_HEADER_LEN);
        assert_eq!(
            header.to_hex(),
            format!("0102{}01020304a0b0c0d0", point(0x20).to_hex())
        );
        let encoded = encode_ratchet_message(&message);
        assert_eq!(encoded, header.concat(&counting(0x77, 20)));
        let decoded = decode_ratchet_message(&encoded).expect("valid");
        assert_eq!(decoded.header.dh.to_hex(), point(0x20).to_hex());
        assert_eq!(decoded.header.pn, 0x0102_0304);
        assert_eq!(decoded.header.n, 0xA0B0_C0D0);
        assert_eq!(decoded.ciphertext, counting(0x77, 20));
    }

    #[test]
    fn spec_5_2_prekey_message_layout() {
        for opk_id in [None, Some(0x4142_4344)] {
            let header = prekey_header(opk_id);
            let encoded_header = encode_prekey_header(&header);
            assert_eq!(encoded_header.len(), PREKEY_HEADER_LEN);
            let (flag, id) = match opk_id {
                Some(_) => ("01", "41424344"),
                None => ("00", "00000000"),
            };
            let expected = format!(
                "0101{}{}1112131421222324{flag}{id}{}",
                point(0x40).to_hex(),
                point(0x60).to_hex(),
                counting(0x90, CIPHERTEXT_LEN).to_hex()
            );
            assert_eq!(encoded_header.to_hex(), expected);

            let message = PreKeyMessage {
                header,
                message: ratchet_message(16),
            };
            let encoded = encode_prekey_message(&message);
            assert_eq!(
                encoded,
                encoded_header.concat(&encode_ratchet_message(&ratchet_message(16)))
            );
            let decoded = decode_prekey_message(&encoded).expect("valid");
            assert_eq!(decoded.header.ik_a.to_hex(), point(0x40).to_hex());
            assert_eq!(decoded.header.ek_a.to_hex(), point(0x60).to_hex());
            assert_eq!(decoded.header.spk_id, 0x1112_1314);
            assert_eq!(decoded.header.pqpk_id, 0x2122_2324);
            assert_eq!(decoded.header.opk_id, opk_id);
            assert_eq!(decoded.header.ct.to_hex(), message.header.ct.to_hex());
            assert_eq!(decoded.message.header.n, 0xA0B0_C0D0);
        }
    }

    #[test]
    fn spec_3_2_bundle_layout() {
        let with_opk = bundle(true, Some((0x7172_7374, point(0x50))));
        let encoded = encode_bundle(&with_opk);
        assert_eq!(encoded.len(), BUNDLE_LEN);
        // Each field at the offset of SPEC §3.2's table.
        let fields: Vec<(usize, ByteSeq)> = vec![
            (0, ByteSeq::from_hex("01")),
            (1, ByteSeq::from_seq(&point(0x01))),
            (33, ByteSeq::from_hex("31323334")),
            (37, ByteSeq::from_seq(&point(0x21))),
            (69, counting(0x41, 64)),
            (133, ByteSeq::from_hex("51525354")),
            (137, ByteSeq::from_hex("01")),
            (138, counting(0x81, ENCAPSULATION_KEY_LEN)),
            (1706, counting(0xC1, 64)),
            (1770, ByteSeq::from_hex("01")),
            (1771, ByteSeq::from_hex("71727374")),
            (1775, ByteSeq::from_seq(&point(0x50))),
        ];
        let mut end = 0;
        for (offset, field) in fields {
            assert_eq!(offset, end, "fields are contiguous");
            assert_eq!(encoded.slice(offset, field.len()), field, "offset {offset}");
            end = offset + field.len();
        }
        assert_eq!(end, BUNDLE_LEN);

        // No OPK: flag, id and key are zeros; one-time PQ prekey: pq_kind 0x00.
        let without = encode_bundle(&bundle(false, None));
        assert_eq!(without.slice(137, 1), ByteSeq::from_hex("00"));
        assert_eq!(without.slice(1770, 37), ByteSeq::new(37));

        let decoded = decode_bundle(&encoded).expect("valid");
        assert_eq!(decoded.ik_b.to_hex(), point(0x01).to_hex());
        assert_eq!(decoded.spk_id, 0x3132_3334);
        assert_eq!(decoded.spk_b.to_hex(), point(0x21).to_hex());
        assert_eq!(decoded.spk_sig.to_hex(), counting(0x41, 64).to_hex());
        assert_eq!(decoded.pqpk_id, 0x5152_5354);
        assert!(decoded.pq_last_resort);
        assert_eq!(
            decoded.pqpk_b.to_hex(),
            counting(0x81, ENCAPSULATION_KEY_LEN).to_hex()
        );
        assert_eq!(decoded.pqpk_sig.to_hex(), counting(0xC1, 64).to_hex());
        let (opk_id, opk_b) = decoded.opk.expect("OPK present");
        assert_eq!(opk_id, 0x7172_7374);
        assert_eq!(opk_b.to_hex(), point(0x50).to_hex());
        let decoded = decode_bundle(&without).expect("valid");
        assert!(!decoded.pq_last_resort);
        assert!(decoded.opk.is_none());
    }

    /// Every decoded value encodes back to its bytes; every shorter prefix and every
    /// one-byte extension of a fixed-length encoding is refused.
    #[test]
    fn round_trips_and_truncations_and_extensions() {
        for encoded in message_encodings() {
            message_decodes_canonically(&encoded).expect("valid");
        }
        for encoded in bundle_encodings() {
            bundle_decodes_canonically(&encoded).expect("valid");
        }

        // Ratchet message: every prefix shorter than 58 bytes; the longest message
        // plus one byte.
        let shortest = encode_ratchet_message(&ratchet_message(TAG_LEN));
        for len in 0..shortest.len() {
            let prefix = shortest.slice(0, len);
            assert!(decode_ratchet_message(&prefix).is_err(), "len {len}");
            assert!(decode_message(&prefix).is_err(), "len {len}");
        }
        assert_eq!(
            decode_ratchet_message(&shortest.slice(0, 57)).err(),
            Some(Error::InvalidMessage)
        );
        let longest = encode_ratchet_message(&ratchet_message(MAX_PLAINTEXT_LEN + TAG_LEN));
        assert_eq!(longest.len(), 58 + 65536);
        for extra in [0x00, 0x01, 0xFF] {
            let longer = longest.push(&U8(extra));
            assert_eq!(
                decode_ratchet_message(&longer).err(),
                Some(Error::MessageTooLarge)
            );
            assert_eq!(decode_message(&longer).err(), Some(Error::MessageTooLarge));
        }

        // PreKey message: every prefix shorter than 1647 + 58 bytes, and the
        // longest plus one byte.
        let shortest = encode_prekey_message(&PreKeyMessage {
            header: prekey_header(Some(7)),
            message: ratchet_message(TAG_LEN),
        });
        assert_eq!(shortest.len(), PREKEY_HEADER_LEN + 58);
        for len in 0..shortest.len() {
            let prefix = shortest.slice(0, len);
            assert!(decode_prekey_message(&prefix).is_err(), "len {len}");
            assert!(decode_message(&prefix).is_err(), "len {len}");
        }
        let longest = encode_prekey_message(&PreKeyMessage {
            header: prekey_header(None),
            message: ratchet_message(MAX_PLAINTEXT_LEN + TAG_LEN),
        });
        message_decodes_canonically(&longest).expect("valid");
        assert_eq!(
            decode_message(&longest.push(&U8(0))).err(),
            Some(Error::MessageTooLarge)
        );

        // Bundle: every other length.
        for encoded in bundle_encodings() {
            for len in 0..encoded.len() {
                let prefix = encoded.slice(0, len);
                assert!(decode_bundle(&prefix).is_err(), "len {len}");
            }
            for extra in [0x00, 0x01, 0xFF] {
                assert_eq!(
                    decode_bundle(&encoded.push(&U8(extra))).err(),
                    Some(Error::InvalidMessage)
                );
            }
        }
    }

    /// SPEC §7: a first byte other than 0x01 is `UnknownVersion`, for every decoder.
    #[test]
    fn unknown_version_is_refused() {
        for version in [0x00, 0x02, 0xFF] {
            for encoded in message_encodings() {
                let bad = set(&encoded, 0, version);
                assert_eq!(decode_message(&bad).err(), Some(Error::UnknownVersion));
                assert_eq!(
                    decode_ratchet_message(&bad).err(),
                    Some(Error::UnknownVersion)
                );
                assert_eq!(
                    decode_prekey_message(&bad).err(),
                    Some(Error::UnknownVersion)
                );
            }
            for encoded in bundle_encodings() {
                let bad = set(&encoded, 0, version);
                assert_eq!(decode_bundle(&bad).err(), Some(Error::UnknownVersion));
            }
            // A lone version byte.
            let lone = ByteSeq::from_public_slice(&[version]);
            assert_eq!(decode_message(&lone).err(), Some(Error::UnknownVersion));
            assert_eq!(decode_bundle(&lone).err(), Some(Error::UnknownVersion));
        }
        // The ratchet message inside a PreKey message is checked as strictly.
        let prekey = encode_prekey_message(&PreKeyMessage {
            header: prekey_header(None),
            message: ratchet_message(TAG_LEN),
        });
        let bad = set(&prekey, PREKEY_HEADER_LEN, 0x02);
        assert_eq!(decode_message(&bad).err(), Some(Error::UnknownVersion));
    }

    /// SPEC §5: an unknown type byte, or the other message's type byte, is
    /// `InvalidMessage`.
    #[test]
    fn wrong_type_byte_is_refused() {
        let ratchet = encode_ratchet_message(&ratchet_message(TAG_LEN));
        let prekey = encode_prekey_message(&PreKeyMessage {
            header: prekey_header(None),
            message: ratchet_message(TAG_LEN),
        });
        for message_type in [0x00, 0x03, 0xFF] {
            assert_eq!(
                decode_message(&set(&ratchet, 1, message_type)).err(),
                Some(Error::InvalidMessage)
            );
            assert_eq!(
                decode_message(&set(&prekey, 1, message_type)).err(),
                Some(Error::InvalidMessage)
            );
        }
        assert_eq!(
            decode_prekey_message(&ratchet).err(),
            Some(Error::InvalidMessage)
        );
        assert_eq!(
            decode_ratchet_message(&prekey).err(),
            Some(Error::InvalidMessage)
        );
        // The inner message of a PreKey message must be a ratchet message.
        let inner_prekey = set(&prekey, PREKEY_HEADER_LEN + 1, MSG_PREKEY);
        assert_eq!(
            decode_message(&inner_prekey).err(),
            Some(Error::InvalidMessage)
        );
    }

    /// SPEC §5.2, §7: `opk_flag` must be 0x00 or 0x01, and `opk_id` 0 when it is 0x00.
    #[test]
    fn prekey_opk_flag_and_id_are_canonical() {
        let without = encode_prekey_message(&PreKeyMessage {
            header: prekey_header(None),
            message: ratchet_message(TAG_LEN),
        });
        for flag in [0x02, 0x80, 0xFF] {
            assert_eq!(
                decode_message(&set(&without, 74, flag)).err(),
                Some(Error::InvalidMessage)
            );
        }
        for offset in 75..79 {
            assert_eq!(
                decode_message(&set(&without, offset, 0x01)).err(),
                Some(Error::InvalidMessage),
                "offset {offset}"
            );
        }
        // Flag 0x01 with id 0 names the OPK whose id is 0.
        let with_zero_id = set(&without, 74, 0x01);
        let decoded = decode_prekey_message(&with_zero_id).expect("valid");
        assert_eq!(decoded.header.opk_id, Some(0));
        message_decodes_canonically(&with_zero_id).expect("valid");
    }

    /// SPEC §3.2: `pq_kind` and `opk_flag` must be 0x00 or 0x01, and an absent OPK
    /// has a zero id and key.
    #[test]
    fn bundle_flags_and_absent_opk_are_canonical() {
        let without = encode_bundle(&bundle(false, None));
        for value in [0x02, 0x80, 0xFF] {
            assert_eq!(
                decode_bundle(&set(&without, 137, value)).err(),
                Some(Error::InvalidMessage)
            );
            assert_eq!(
                decode_bundle(&set(&without, 1770, value)).err(),
                Some(Error::InvalidMessage)
            );
        }
        for offset in 1771..BUNDLE_LEN {
            assert_eq!(
                decode_bundle(&set(&without, offset, 0x01)).err(),
                Some(Error::InvalidMessage),
                "offset {offset}"
            );
        }
        // Flag 0x01 with a zero id and key is an OPK (id 0, key 0^32), which
        // verification and DH will judge, not the decoder.
        let zero_opk = set(&without, 1770, 0x01);
        let decoded = decode_bundle(&zero_opk).expect("valid");
        let (opk_id, opk_b) = decoded.opk.expect("OPK present");
        assert_eq!(opk_id, 0);
        assert_eq!(opk_b.to_hex(), X25519SerializedPoint::new().to_hex());
        bundle_decodes_canonically(&zero_opk).expect("valid");
    }

    /// SPEC §2 "Keys on the wire are canonical": every X25519 key field (the
    /// ratchet header's `dh`, the PreKey header's `IK_A` and `EK_A`, the bundle's
    /// `IK_B`, `SPK_B` and `OPK_B`) refuses `p`, `p + 1` and a key with bit 255 set,
    /// and accepts `p - 1`.
    #[test]
    fn non_canonical_keys_are_refused() {
        let mut p_minus_1 = P;
        p_minus_1[0] = 0xec;
        let mut p_plus_1 = P;
        p_plus_1[0] = 0xee;
        let mut bit_255 = point(0x10).to_public_array();
        bit_255[31] |= 0x80;
        let messages = message_encodings();
        let bundles = bundle_encodings();
        let cases = [
            (&messages[1], 2, false),
            (&messages[3], 2, false),
            (&messages[3], 34, false),
            (&messages[3], PREKEY_HEADER_LEN + 2, false),
            (&bundles[1], 1, true),
            (&bundles[1], 37, true),
            (&bundles[1], 1775, true),
        ];
        for (good, offset, is_bundle) in cases {
            for (key, accepted) in [
                (P, false),
                (p_plus_1, false),
                (bit_255, false),
                (p_minus_1, true),
            ] {
                let mut bytes = good.clone();
                for (i, b) in key.iter().enumerate() {
                    bytes[offset + i] = U8(*b);
                }
                let result = if is_bundle {
                    bundle_decodes_canonically(&bytes)
                } else {
                    message_decodes_canonically(&bytes)
                };
                let expected = if accepted {
                    Ok(())
                } else {
                    Err(Error::InvalidMessage)
                };
                assert_eq!(result, expected, "offset {offset}, key {key:02x?}");
            }
        }
    }

    /// A small xorshift generator, so the inputs below are the same on every run.
    fn next(state: u64) -> u64 {
        let mut x = state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }

    fn low_byte(x: u64) -> u8 {
        u8::try_from(x & 0xFF).expect("masked to 8 bits")
    }

    /// Decoders never panic, and anything they accept is canonical: on empty, short
    /// and huge inputs, on random bytes, and on valid encodings with bytes changed,
    /// removed or added at random.
    #[test]
    fn decoders_never_panic_and_accept_only_canonical_bytes() {
        // Empty, one and two bytes.
        let mut inputs = vec![ByteSeq::new(0)];
        for b in [0x00, 0x01, 0x02, 0xFF] {
            inputs.push(ByteSeq::from_public_slice(&[b]));
            inputs.push(ByteSeq::from_public_slice(&[0x01, b]));
        }
        // Huge: far over any length, with valid version and type bytes.
        let huge = ByteSeq::new(1 << 20);
        inputs.push(set(&set(&huge, 0, VERSION), 1, MSG_RATCHET));
        let huge_prekey = set(&set(&huge, 0, VERSION), 1, MSG_PREKEY);
        inputs.push(set(
            &set(&huge_prekey, PREKEY_HEADER_LEN, VERSION),
            PREKEY_HEADER_LEN + 1,
            MSG_RATCHET,
        ));
        inputs.push(set(&huge, 0, VERSION));
        for input in &inputs {
            assert!(message_decodes_canonically(input).is_err());
            assert!(bundle_decodes_canonically(input).is_err());
        }
        assert_eq!(
            decode_message(&inputs[inputs.len() - 3]).err(),
            Some(Error::MessageTooLarge)
        );
        assert_eq!(
            decode_message(&inputs[inputs.len() - 2]).err(),
            Some(Error::MessageTooLarge)
        );

        let mut state: u64 = 0x5EED_1234_ABCD_0001;
        let mut bases = message_encodings();
        bases.truncate(2);
        bases.push(message_encodings()[3].clone());
        bases.push(message_encodings()[4].clone());
        let bundles = bundle_encodings();
        let mut accepted = 0;
        let mut refused = 0;
        for round in 0..3000 {
            state = next(state);
            let pick = usize::try_from(state % 8).expect("< 8");
            let is_bundle = pick > bases.len();
            let base = if pick < bases.len() {
                bases[pick].clone()
            } else if pick == bases.len() {
                // Random bytes behind a valid version and a random type.
                let mut bytes = ByteSeq::new(usize::try_from(state >> 54).expect("< 1024"));
                for i in 0..bytes.len() {
                    state = next(state);
                    bytes[i] = U8(low_byte(state));
                }
                if bytes.len() > 1 {
                    bytes[0] = U8(VERSION);
                }
                bytes
            } else {
                bundles[pick % bundles.len()].clone()
            };
            // Change, remove or add one byte somewhere.
            state = next(state);
            let offset = usize::try_from(state >> 40).expect("< 2^24") % (base.len() + 1);
            state = next(state);
            let value = low_byte(state);
            let mutated = match round % 3 {
                0 if offset < base.len() => set(&base, offset, value),
                1 if offset < base.len() => base
                    .slice(0, offset)
                    .concat(&base.slice(offset + 1, base.len() - offset - 1)),
                _ => base
                    .slice(0, offset)
                    .push(&U8(value))
                    .concat(&base.slice(offset, base.len() - offset)),
            };
            // Every decoder sees every input; the one for its kind decides the count.
            let as_message = message_decodes_canonically(&mutated);
            let as_bundle = bundle_decodes_canonically(&mutated);
            let result = if is_bundle { as_bundle } else { as_message };
            match result {
                Ok(()) => accepted += 1,
                Err(_) => refused += 1,
            }
        }
        // Both outcomes occurred, so the loop tested something.
        assert!(accepted > 100, "accepted {accepted}");
        assert!(refused > 100, "refused {refused}");
    }
}
