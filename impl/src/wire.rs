//! docs/SPEC.md §2, §3.2 and §5: the key encodings `EncodeEC` and `EncodeKEM`, the
//! prekey bundle, and the two messages of Lockstep v1 on the wire.
//!
//! Mirrors `lockstep_spec::wire`, function for function. Decoding is strict and
//! canonical: every decoder checks, in SPEC §5's order, the version, the type byte,
//! the length and then flags and ids, and accepts exactly the byte strings its
//! encoder produces. Every length is checked before an offset is read, so no input
//! makes a decoder panic.
//!
//! Public keys are kept as the 32 bytes received (SPEC §2 "Keys are bytes"): they are
//! compared and re-encoded as bytes, never normalised.

use crate::Error;
use crate::bundle::{OneTimePreKeyId, PqPreKeyId, PqPreKeyKind, SignedPreKeyId};
use crate::consts::{
    BUNDLE_LEN, EC_PREFIX, KEM_PREFIX, MAX_PLAINTEXT_LEN, MSG_PREKEY, MSG_RATCHET,
    PREKEY_HEADER_LEN, RATCHET_HEADER_LEN, TAG_LEN, VERSION,
};
use crate::ml_kem::{CIPHERTEXT_LEN, Ciphertext, ENCAPSULATION_KEY_LEN};
use crate::x25519::PublicKey;
use crate::xeddsa::{SIGNATURE_LEN, Signature};

/// Length of an X25519 public key on the wire.
const KEY_LEN: usize = 32;

/// SPEC §5.1: the shortest ratchet message, a header and the tag of an empty
/// plaintext.
pub const MIN_RATCHET_MESSAGE_LEN: usize = RATCHET_HEADER_LEN + TAG_LEN;

/// SPEC §5.1: the longest ratchet message, a header and the ciphertext and tag of a
/// plaintext of `MAX_PLAINTEXT_LEN` bytes.
pub const MAX_RATCHET_MESSAGE_LEN: usize = RATCHET_HEADER_LEN + MAX_PLAINTEXT_LEN + TAG_LEN;

/// `p = 2^255 - 19`, little-endian: every X25519 public key on the wire is below it.
const P: [u8; KEY_LEN] = {
    let mut p = [0xff; KEY_LEN];
    p[0] = 0xed;
    p[KEY_LEN - 1] = 0x7f;
    p
};

/// SPEC §2 "Keys on the wire are canonical": `key`, little-endian, is some `u < p`
/// (so bit 255 is clear). X25519 masks bit 255 and reduces `u` (RFC 7748 §5), so
/// without this check two byte strings would name one key. Public data: compared
/// in variable time.
fn is_canonical_key(key: &[u8; KEY_LEN]) -> bool {
    for (k, p) in key.iter().zip(P.iter()).rev() {
        if k != p {
            return k < p;
        }
    }
    false
}

/// SPEC §3.2, §5.2: `opk_flag` when no one-time prekey is named.
const OPK_ABSENT: u8 = 0x00;
/// SPEC §3.2, §5.2: `opk_flag` when a one-time prekey is named.
const OPK_PRESENT: u8 = 0x01;
/// SPEC §3.2: `pq_kind` of a one-time post-quantum prekey.
const PQ_ONE_TIME: u8 = 0x00;
/// SPEC §3.2: `pq_kind` of a last-resort post-quantum prekey.
const PQ_LAST_RESORT: u8 = 0x01;

/// SPEC §5.1; DR §3.2 `HEADER(dh_pair, pn, n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatchetHeader {
    /// `dh`: the sender's current ratchet public key, as received.
    pub dh: [u8; KEY_LEN],
    /// `pn`: the number of messages in the sender's previous sending chain.
    pub pn: u32,
    /// `n`: the message number in the current sending chain.
    pub n: u32,
}

/// SPEC §5.1: a ratchet message, its header and the AEAD output `ct ‖ tag`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatchetMessage {
    /// `H`, bytes 0..42 of the message.
    pub header: RatchetHeader,
    /// `ct ‖ tag`, 16 to `MAX_PLAINTEXT_LEN + 16` bytes.
    pub ciphertext: Vec<u8>,
}

/// SPEC §5.1: a ratchet message borrowed from the bytes it was decoded from (what
/// decryption reads, without copying the ciphertext).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatchetMessageRef<'a> {
    /// `H`, bytes 0..42 of the message.
    pub header: RatchetHeader,
    /// `ct ‖ tag`, bytes 42.. of the message.
    pub ciphertext: &'a [u8],
}

/// SPEC §5: a message borrowed from its bytes, told apart by its type byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageRef<'a> {
    /// `MSG_PREKEY` (SPEC §5.2): the checked 1647-byte PreKey header, as bytes, and
    /// the ratchet message it carries.
    PreKey {
        /// Bytes 0..1647, checked as [`decode_prekey_message`] checks them.
        header: &'a [u8],
        /// Bytes 1647.. .
        message: RatchetMessageRef<'a>,
    },
    /// `MSG_RATCHET` (SPEC §5.1).
    Ratchet(RatchetMessageRef<'a>),
}

/// SPEC §5.2; PQXDH rev 2 §3.3: the PreKey header of Alice's initial messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreKeyHeader {
    /// `IK_A`: Alice's identity public key.
    pub ik_a: [u8; KEY_LEN],
    /// `EK_A`: Alice's ephemeral public key.
    pub ek_a: [u8; KEY_LEN],
    /// `spk_id`: the id of Bob's signed prekey that Alice used.
    pub spk_id: u32,
    /// `pqpk_id`: the id of Bob's post-quantum prekey that Alice used.
    pub pqpk_id: u32,
    /// `opk_id`: the id of Bob's one-time prekey, if she used one.
    pub opk_id: Option<u32>,
    /// `CT`: the ML-KEM-1024 ciphertext encapsulated to `PQPK_B`.
    pub ct: Ciphertext,
}

/// SPEC §5.2: a PreKey message, the PreKey header then a complete ratchet message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreKeyMessage {
    /// Bytes 0..1647: the PreKey header.
    pub header: PreKeyHeader,
    /// Bytes 1647..: the ratchet message it carries.
    pub message: RatchetMessage,
}

/// SPEC §5: a message of Lockstep v1, told apart by its type byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// `MSG_PREKEY` (SPEC §5.2).
    PreKey(Box<PreKeyMessage>),
    /// `MSG_RATCHET` (SPEC §5.1).
    Ratchet(RatchetMessage),
}

/// SPEC §3.2; PQXDH rev 2 §3.2: Bob's prekey bundle, as published, not yet verified.
///
/// Decoding checks the encoding only; [`PreKeyBundle::verify`] (SPEC §3.3) checks the
/// signatures and the ML-KEM key and is the only way to a
/// [`crate::pqxdh::VerifiedPreKeyBundle`], the type session set-up takes.
#[derive(Clone, PartialEq, Eq)]
pub struct PreKeyBundle {
    /// `IK_B`: Bob's identity public key.
    pub(crate) ik_b: [u8; KEY_LEN],
    /// `spk_id`.
    pub(crate) spk_id: u32,
    /// `SPK_B`: the signed prekey.
    pub(crate) spk_b: [u8; KEY_LEN],
    /// `SPK_sig = SIG(IK_B, EncodeEC(SPK_B), Z1)`.
    pub(crate) spk_sig: Signature,
    /// `pqpk_id`.
    pub(crate) pqpk_id: u32,
    /// `pq_kind`: true for last-resort, false for one-time.
    pub(crate) pq_last_resort: bool,
    /// `PQPK_B`, as received: the FIPS 203 §7.2 check is part of verification.
    pub(crate) pqpk_b: Box<[u8; ENCAPSULATION_KEY_LEN]>,
    /// `PQPK_sig = SIG(IK_B, EncodeKEM(PQPK_B), Z2)`.
    pub(crate) pqpk_sig: Signature,
    /// `(opk_id, OPK_B)`, if the bundle has a one-time prekey.
    pub(crate) opk: Option<(u32, [u8; KEY_LEN])>,
}

impl PreKeyBundle {
    /// SPEC §3.2: decodes a bundle (`decode_bundle`).
    ///
    /// # Errors
    /// As `decode_bundle`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        decode_bundle(bytes)
    }

    /// SPEC §3.2: the 1807-byte encoding (`encode_bundle`).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        encode_bundle(self)
    }

    /// `IK_B`, Bob's identity public key.
    #[must_use]
    pub fn identity_key(&self) -> PublicKey {
        PublicKey::from_bytes(self.ik_b)
    }

    /// `spk_id`.
    #[must_use]
    pub fn signed_prekey_id(&self) -> SignedPreKeyId {
        SignedPreKeyId(self.spk_id)
    }

    /// `SPK_B`, the signed prekey.
    #[must_use]
    pub fn signed_prekey(&self) -> PublicKey {
        PublicKey::from_bytes(self.spk_b)
    }

    /// `pqpk_id`.
    #[must_use]
    pub fn pq_prekey_id(&self) -> PqPreKeyId {
        PqPreKeyId(self.pqpk_id)
    }

    /// `pq_kind`: whether the post-quantum prekey is one-time or last-resort.
    #[must_use]
    pub fn pq_prekey_kind(&self) -> PqPreKeyKind {
        if self.pq_last_resort {
            PqPreKeyKind::LastResort
        } else {
            PqPreKeyKind::OneTime
        }
    }

    /// `(opk_id, OPK_B)`, if the bundle has a one-time prekey.
    #[must_use]
    pub fn one_time_prekey(&self) -> Option<(OneTimePreKeyId, PublicKey)> {
        self.opk
            .map(|(id, key)| (OneTimePreKeyId(id), PublicKey::from_bytes(key)))
    }
}

impl core::fmt::Debug for PreKeyBundle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Public values, but long: ids and kind only.
        f.debug_struct("PreKeyBundle")
            .field("spk_id", &self.spk_id)
            .field("pqpk_id", &self.pqpk_id)
            .field("pq_last_resort", &self.pq_last_resort)
            .field("opk_id", &self.opk.map(|(id, _)| id))
            .finish_non_exhaustive()
    }
}

/// `u32be(bytes[offset..offset + 4])`; `None` if the bytes are not there.
fn read_u32be(bytes: &[u8], offset: usize) -> Option<u32> {
    let four = bytes.get(offset..)?.first_chunk::<4>()?;
    Some(u32::from_be_bytes(*four))
}

/// The 32 bytes at `offset`; `None` if they are not there.
fn read_key(bytes: &[u8], offset: usize) -> Option<[u8; KEY_LEN]> {
    bytes.get(offset..)?.first_chunk::<KEY_LEN>().copied()
}

/// SPEC §7: the first byte must be `VERSION`; an empty input is `InvalidMessage`.
fn check_version(bytes: &[u8]) -> Result<(), Error> {
    match bytes.first() {
        None => Err(Error::InvalidMessage),
        Some(&VERSION) => Ok(()),
        Some(_) => Err(Error::UnknownVersion),
    }
}

/// SPEC §5: the version, then the type byte of a message.
fn check_version_and_type(bytes: &[u8], message_type: u8) -> Result<(), Error> {
    check_version(bytes)?;
    if bytes.get(1) != Some(&message_type) {
        return Err(Error::InvalidMessage);
    }
    Ok(())
}

/// SPEC §2; PQXDH rev 2 §2.1 `EncodeEC`: `0x05 ‖ pk`, 33 bytes.
#[must_use]
pub fn encode_ec(pk: &[u8; KEY_LEN]) -> [u8; 1 + KEY_LEN] {
    let mut out = [0u8; 1 + KEY_LEN];
    out[0] = EC_PREFIX;
    out[1..].copy_from_slice(pk);
    out
}

/// SPEC §2; PQXDH rev 2 §2.1 `EncodeKEM`: `0x0A ‖ ek`, 1569 bytes. Disjoint from
/// [`encode_ec`] in first byte and length (PQXDH rev 2 §4.9).
#[must_use]
pub fn encode_kem(ek: &[u8; ENCAPSULATION_KEY_LEN]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + ENCAPSULATION_KEY_LEN);
    out.push(KEM_PREFIX);
    out.extend_from_slice(ek);
    out
}

/// SPEC §5.1: `H = VERSION ‖ MSG_RATCHET ‖ dh ‖ u32be(pn) ‖ u32be(n)`, 42 bytes.
#[must_use]
pub fn encode_ratchet_header(header: &RatchetHeader) -> [u8; RATCHET_HEADER_LEN] {
    let mut out = [0u8; RATCHET_HEADER_LEN];
    out[0] = VERSION;
    out[1] = MSG_RATCHET;
    out[2..34].copy_from_slice(&header.dh);
    out[34..38].copy_from_slice(&header.pn.to_be_bytes());
    out[38..42].copy_from_slice(&header.n.to_be_bytes());
    out
}

/// SPEC §5.1: a ratchet message, `H ‖ ct ‖ tag`.
#[must_use]
pub fn encode_ratchet_message(message: &RatchetMessage) -> Vec<u8> {
    let mut out = Vec::with_capacity(RATCHET_HEADER_LEN + message.ciphertext.len());
    out.extend_from_slice(&encode_ratchet_header(&message.header));
    out.extend_from_slice(&message.ciphertext);
    out
}

/// SPEC §5.1: decodes a ratchet message, strictly.
///
/// # Errors
/// As [`decode_ratchet_message_ref`].
pub fn decode_ratchet_message(bytes: &[u8]) -> Result<RatchetMessage, Error> {
    let message = decode_ratchet_message_ref(bytes)?;
    Ok(RatchetMessage {
        header: message.header,
        ciphertext: message.ciphertext.to_vec(),
    })
}

/// SPEC §5.1: decodes a ratchet message, strictly, borrowing its ciphertext.
///
/// # Errors
/// [`Error::InvalidMessage`] if empty, the type byte is not `MSG_RATCHET`, or shorter
/// than 58 bytes; [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::MessageTooLarge`] if longer than `58 + MAX_PLAINTEXT_LEN` bytes; then
/// [`Error::InvalidMessage`] if `dh` is not a canonical key (SPEC §2).
pub fn decode_ratchet_message_ref(bytes: &[u8]) -> Result<RatchetMessageRef<'_>, Error> {
    check_version_and_type(bytes, MSG_RATCHET)?;
    if bytes.len() < MIN_RATCHET_MESSAGE_LEN {
        return Err(Error::InvalidMessage);
    }
    if bytes.len() > MAX_RATCHET_MESSAGE_LEN {
        return Err(Error::MessageTooLarge);
    }
    let (Some(dh), Some(pn), Some(n), Some(ciphertext)) = (
        read_key(bytes, 2),
        read_u32be(bytes, 34),
        read_u32be(bytes, 38),
        bytes.get(RATCHET_HEADER_LEN..),
    ) else {
        return Err(Error::InvalidMessage);
    };
    if !is_canonical_key(&dh) {
        return Err(Error::InvalidMessage);
    }
    Ok(RatchetMessageRef {
        header: RatchetHeader { dh, pn, n },
        ciphertext,
    })
}

/// SPEC §5.2: the PreKey header, 1647 bytes.
#[must_use]
pub fn encode_prekey_header(header: &PreKeyHeader) -> Vec<u8> {
    let (opk_flag, opk_id) = match header.opk_id {
        Some(id) => (OPK_PRESENT, id),
        None => (OPK_ABSENT, 0),
    };
    let mut out = Vec::with_capacity(PREKEY_HEADER_LEN);
    out.push(VERSION);
    out.push(MSG_PREKEY);
    out.extend_from_slice(&header.ik_a);
    out.extend_from_slice(&header.ek_a);
    out.extend_from_slice(&header.spk_id.to_be_bytes());
    out.extend_from_slice(&header.pqpk_id.to_be_bytes());
    out.push(opk_flag);
    out.extend_from_slice(&opk_id.to_be_bytes());
    out.extend_from_slice(header.ct.as_bytes());
    out
}

/// SPEC §5.2: a PreKey message.
#[must_use]
pub fn encode_prekey_message(message: &PreKeyMessage) -> Vec<u8> {
    let mut out = encode_prekey_header(&message.header);
    out.extend_from_slice(&encode_ratchet_message(&message.message));
    out
}

/// SPEC §5.2: checks a PreKey message's header and splits the message into the
/// 1647 header bytes and the ratchet message bytes after them.
///
/// # Errors
/// [`Error::InvalidMessage`] if empty, the type byte is not `MSG_PREKEY`, shorter
/// than the PreKey header, `opk_flag` not 0x00/0x01, or a non-zero `opk_id` with
/// `opk_flag` 0x00, or `IK_A` or `EK_A` not a canonical key (SPEC §2);
/// [`Error::UnknownVersion`].
fn split_prekey_message(bytes: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    check_version_and_type(bytes, MSG_PREKEY)?;
    if bytes.len() < PREKEY_HEADER_LEN {
        return Err(Error::InvalidMessage);
    }
    match (bytes.get(74), read_u32be(bytes, 75)) {
        (Some(&OPK_PRESENT), Some(_)) | (Some(&OPK_ABSENT), Some(0)) => {}
        _ => return Err(Error::InvalidMessage),
    }
    match (read_key(bytes, 2), read_key(bytes, 34)) {
        (Some(ik_a), Some(ek_a)) if is_canonical_key(&ik_a) && is_canonical_key(&ek_a) => {
            Ok(bytes.split_at(PREKEY_HEADER_LEN))
        }
        _ => Err(Error::InvalidMessage),
    }
}

/// SPEC §5.2: decodes a PreKey message, strictly, with the ratchet message it carries.
///
/// # Errors
/// [`Error::InvalidMessage`] if empty, the type byte is not `MSG_PREKEY`, shorter
/// than the PreKey header, `opk_flag` not 0x00/0x01, or a non-zero `opk_id` with
/// `opk_flag` 0x00, or `IK_A` or `EK_A` not a canonical key (SPEC §2);
/// [`Error::UnknownVersion`]; then any error of [`decode_ratchet_message`] on bytes
/// 1647.. .
pub fn decode_prekey_message(bytes: &[u8]) -> Result<PreKeyMessage, Error> {
    let (header, rest) = split_prekey_message(bytes)?;
    let (Some(ik_a), Some(ek_a), Some(spk_id), Some(pqpk_id), Some(&opk_flag), Some(opk_id)) = (
        read_key(header, 2),
        read_key(header, 34),
        read_u32be(header, 66),
        read_u32be(header, 70),
        header.get(74),
        read_u32be(header, 75),
    ) else {
        return Err(Error::InvalidMessage);
    };
    let opk_id = (opk_flag == OPK_PRESENT).then_some(opk_id);
    let ct = header
        .get(79..)
        .and_then(|ct| Ciphertext::from_bytes(ct).ok())
        .ok_or(Error::InvalidMessage)?;
    let message = decode_ratchet_message(rest)?;
    Ok(PreKeyMessage {
        header: PreKeyHeader {
            ik_a,
            ek_a,
            spk_id,
            pqpk_id,
            opk_id,
            ct,
        },
        message,
    })
}

/// SPEC §5: a message, PreKey or ratchet.
#[must_use]
pub fn encode_message(message: &Message) -> Vec<u8> {
    match message {
        Message::PreKey(prekey) => encode_prekey_message(prekey),
        Message::Ratchet(ratchet) => encode_ratchet_message(ratchet),
    }
}

/// SPEC §5: decodes a message: the version, then dispatch on the type byte.
///
/// # Errors
/// [`Error::InvalidMessage`] if empty or the type byte is missing or unknown;
/// [`Error::UnknownVersion`]; any error of [`decode_prekey_message`] or
/// [`decode_ratchet_message`].
pub fn decode_message(bytes: &[u8]) -> Result<Message, Error> {
    check_version(bytes)?;
    match bytes.get(1) {
        Some(&MSG_PREKEY) => Ok(Message::PreKey(Box::new(decode_prekey_message(bytes)?))),
        Some(&MSG_RATCHET) => Ok(Message::Ratchet(decode_ratchet_message(bytes)?)),
        _ => Err(Error::InvalidMessage),
    }
}

/// SPEC §5: [`decode_message`], borrowing from `bytes` instead of copying: the
/// same checks in the same order, the same errors.
///
/// # Errors
/// As [`decode_message`].
pub fn decode_message_ref(bytes: &[u8]) -> Result<MessageRef<'_>, Error> {
    check_version(bytes)?;
    match bytes.get(1) {
        Some(&MSG_PREKEY) => {
            let (header, rest) = split_prekey_message(bytes)?;
            Ok(MessageRef::PreKey {
                header,
                message: decode_ratchet_message_ref(rest)?,
            })
        }
        Some(&MSG_RATCHET) => Ok(MessageRef::Ratchet(decode_ratchet_message_ref(bytes)?)),
        _ => Err(Error::InvalidMessage),
    }
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
#[must_use]
pub fn encode_bundle(bundle: &PreKeyBundle) -> Vec<u8> {
    let pq_kind = if bundle.pq_last_resort {
        PQ_LAST_RESORT
    } else {
        PQ_ONE_TIME
    };
    let (opk_flag, opk_id, opk_b) = match bundle.opk {
        Some((id, key)) => (OPK_PRESENT, id, key),
        None => (OPK_ABSENT, 0, [0u8; KEY_LEN]),
    };
    let mut out = Vec::with_capacity(BUNDLE_LEN);
    out.push(VERSION);
    out.extend_from_slice(&bundle.ik_b);
    out.extend_from_slice(&bundle.spk_id.to_be_bytes());
    out.extend_from_slice(&bundle.spk_b);
    out.extend_from_slice(&bundle.spk_sig.to_bytes());
    out.extend_from_slice(&bundle.pqpk_id.to_be_bytes());
    out.push(pq_kind);
    out.extend_from_slice(&bundle.pqpk_b[..]);
    out.extend_from_slice(&bundle.pqpk_sig.to_bytes());
    out.push(opk_flag);
    out.extend_from_slice(&opk_id.to_be_bytes());
    out.extend_from_slice(&opk_b);
    out
}

/// SPEC §3.2: decodes a prekey bundle, strictly. The signatures and the ML-KEM key
/// are checked by [`PreKeyBundle::verify`] (SPEC §3.3), not here.
///
/// # Errors
/// [`Error::InvalidMessage`] if empty, not 1807 bytes, `pq_kind` or `opk_flag` not
/// 0x00/0x01, or `opk_flag` 0x00 with a non-zero `opk_id` or `OPK_B`, then if
/// `IK_B`, `SPK_B` or a present `OPK_B` is not a canonical key (SPEC §2);
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`.
pub fn decode_bundle(bytes: &[u8]) -> Result<PreKeyBundle, Error> {
    check_version(bytes)?;
    // Total: 1807 bytes, exactly.
    let bytes: &[u8; BUNDLE_LEN] = bytes.try_into().map_err(|_| Error::InvalidMessage)?;
    decode_bundle_array(bytes)
}

/// [`decode_bundle`] after the version and length checks.
fn decode_bundle_array(bytes: &[u8; BUNDLE_LEN]) -> Result<PreKeyBundle, Error> {
    let pq_last_resort = match bytes[137] {
        PQ_ONE_TIME => false,
        PQ_LAST_RESORT => true,
        _ => return Err(Error::InvalidMessage),
    };
    let (Some(opk_id), Some(opk_b)) = (read_u32be(bytes, 1771), read_key(bytes, 1775)) else {
        return Err(Error::InvalidMessage);
    };
    let opk = match bytes[1770] {
        OPK_PRESENT => Some((opk_id, opk_b)),
        OPK_ABSENT if opk_id == 0 && opk_b == [0u8; KEY_LEN] => None,
        _ => return Err(Error::InvalidMessage),
    };
    let (Some(ik_b), Some(spk_id), Some(spk_b), Some(pqpk_id)) = (
        read_key(bytes, 1),
        read_u32be(bytes, 33),
        read_key(bytes, 37),
        read_u32be(bytes, 133),
    ) else {
        return Err(Error::InvalidMessage);
    };
    let opk_canonical = opk
        .as_ref()
        .is_none_or(|(_, opk_b)| is_canonical_key(opk_b));
    if !is_canonical_key(&ik_b) || !is_canonical_key(&spk_b) || !opk_canonical {
        return Err(Error::InvalidMessage);
    }
    let (Some(spk_sig), Some(pqpk_b), Some(pqpk_sig)) = (
        bytes[69..].first_chunk::<SIGNATURE_LEN>(),
        bytes[138..].first_chunk::<ENCAPSULATION_KEY_LEN>(),
        bytes[1706..].first_chunk::<SIGNATURE_LEN>(),
    ) else {
        return Err(Error::InvalidMessage);
    };
    Ok(PreKeyBundle {
        ik_b,
        spk_id,
        spk_b,
        spk_sig: Signature::from_bytes(*spk_sig),
        pqpk_id,
        pq_last_resort,
        pqpk_b: Box::new(*pqpk_b),
        pqpk_sig: Signature::from_bytes(*pqpk_sig),
        opk,
    })
}

/// Length of the ML-KEM ciphertext field of a PreKey header (for readers: 79..1647).
const _: () = assert!(79 + CIPHERTEXT_LEN == PREKEY_HEADER_LEN);

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle_bytes(opk: bool) -> Vec<u8> {
        let mut b = vec![0u8; BUNDLE_LEN];
        b[0] = VERSION;
        for (i, byte) in b.iter_mut().enumerate().skip(1).take(1769) {
            *byte = u8::try_from(i % 251).unwrap_or(0);
        }
        b[137] = PQ_ONE_TIME;
        if opk {
            b[1770] = OPK_PRESENT;
            b[1771..].fill(0x42);
        } else {
            b[1770..].fill(0);
        }
        b
    }

    #[test]
    fn bundle_decoding_checks_in_spec_order_and_round_trips() {
        for opk in [false, true] {
            let good = bundle_bytes(opk);
            let bundle = decode_bundle(&good).unwrap();
            assert_eq!(encode_bundle(&bundle), good);
        }
        let good = bundle_bytes(false);
        assert_eq!(decode_bundle(&[]), Err(Error::InvalidMessage));
        assert_eq!(decode_bundle(&[0x02]), Err(Error::UnknownVersion));
        let mut v2 = good.clone();
        v2[0] = 0x00;
        assert_eq!(decode_bundle(&v2), Err(Error::UnknownVersion));
        assert_eq!(
            decode_bundle(&good[..BUNDLE_LEN - 1]),
            Err(Error::InvalidMessage)
        );
        let mut long = good.clone();
        long.push(0);
        assert_eq!(decode_bundle(&long), Err(Error::InvalidMessage));
        for (offset, value) in [(137, 0x02), (1770, 0x02), (1774, 0x01), (1806, 0x01)] {
            let mut bad = good.clone();
            bad[offset] = value;
            assert_eq!(decode_bundle(&bad), Err(Error::InvalidMessage), "{offset}");
        }
    }

    #[test]
    fn prekey_message_decoding_is_strict_and_round_trips() {
        let mut m = vec![0u8; PREKEY_HEADER_LEN + MIN_RATCHET_MESSAGE_LEN];
        m[0] = VERSION;
        m[1] = MSG_PREKEY;
        m[PREKEY_HEADER_LEN] = VERSION;
        m[PREKEY_HEADER_LEN + 1] = MSG_RATCHET;
        let decoded = decode_message(&m).unwrap();
        assert_eq!(encode_message(&decoded), m);
        assert_eq!(
            decode_message(&m[..PREKEY_HEADER_LEN - 1]),
            Err(Error::InvalidMessage)
        );
        let mut bad = m.clone();
        bad[74] = 0x02;
        assert_eq!(decode_message(&bad), Err(Error::InvalidMessage));
        let mut bad = m.clone();
        bad[78] = 0x01;
        assert_eq!(decode_message(&bad), Err(Error::InvalidMessage));
        // The inner ratchet message's error is the PreKey message's error.
        let mut bad = m.clone();
        bad[PREKEY_HEADER_LEN] = 0x02;
        assert_eq!(decode_message(&bad), Err(Error::UnknownVersion));
        assert_eq!(
            decode_message(&m[..m.len() - 1]),
            Err(Error::InvalidMessage)
        );
    }

    /// `decode_message_ref` makes the same decisions as `decode_message`: the same
    /// errors in the same order, and on success the same header and ciphertext.
    #[test]
    fn borrowed_decoding_agrees_with_owned_decoding() {
        let mut prekey = vec![0u8; PREKEY_HEADER_LEN + MIN_RATCHET_MESSAGE_LEN + 3];
        prekey[0] = VERSION;
        prekey[1] = MSG_PREKEY;
        prekey[74] = OPK_PRESENT;
        prekey[78] = 9;
        prekey[PREKEY_HEADER_LEN] = VERSION;
        prekey[PREKEY_HEADER_LEN + 1] = MSG_RATCHET;
        let ratchet = prekey[PREKEY_HEADER_LEN..].to_vec();
        let mut inputs = vec![Vec::new(), prekey.clone(), ratchet.clone()];
        // Every byte of both messages set to each value that matters to a check,
        // and every truncation of the ratchet message and of the PreKey header.
        for good in [&prekey, &ratchet] {
            for offset in 0..good.len().min(PREKEY_HEADER_LEN + 60) {
                for value in [0x00, 0x01, 0x02, 0xff] {
                    let mut bad = good.clone();
                    bad[offset] = value;
                    inputs.push(bad);
                }
            }
            for len in 0..good.len().min(PREKEY_HEADER_LEN + 60) {
                inputs.push(good[..len].to_vec());
            }
        }
        let mut accepted = 0;
        for input in &inputs {
            match (decode_message(input), decode_message_ref(input)) {
                (Err(owned), Err(borrowed)) => assert_eq!(owned, borrowed),
                (Ok(Message::Ratchet(owned)), Ok(MessageRef::Ratchet(borrowed))) => {
                    assert_eq!(owned.header, borrowed.header);
                    assert_eq!(owned.ciphertext, borrowed.ciphertext);
                    accepted += 1;
                }
                (Ok(Message::PreKey(owned)), Ok(MessageRef::PreKey { header, message })) => {
                    assert_eq!(encode_prekey_header(&owned.header), header);
                    assert_eq!(owned.message.header, message.header);
                    assert_eq!(owned.message.ciphertext, message.ciphertext);
                    accepted += 1;
                }
                (owned, borrowed) => panic!("{owned:?} vs {borrowed:?}"),
            }
        }
        assert!(
            accepted > 100,
            "the inputs exercise success too: {accepted}"
        );
    }

    /// SPEC §2: every X25519 key field refuses `u >= p` (p, p + 1, bit 255 set) and
    /// accepts `p - 1`, in the bundle, the PreKey header and the ratchet header.
    #[test]
    fn non_canonical_keys_are_refused_everywhere() {
        let mut p_minus_1 = P;
        p_minus_1[0] = 0xec;
        let mut p_plus_1 = P;
        p_plus_1[0] = 0xee;
        let mut bit_255 = [0x09; KEY_LEN];
        bit_255[KEY_LEN - 1] |= 0x80;
        let mut prekey = vec![0u8; PREKEY_HEADER_LEN + MIN_RATCHET_MESSAGE_LEN];
        prekey[0] = VERSION;
        prekey[1] = MSG_PREKEY;
        prekey[PREKEY_HEADER_LEN] = VERSION;
        prekey[PREKEY_HEADER_LEN + 1] = MSG_RATCHET;
        let ratchet = prekey[PREKEY_HEADER_LEN..].to_vec();
        let mut bundle = bundle_bytes(true);
        for offset in [1, 37, 1775] {
            bundle[offset..offset + KEY_LEN].copy_from_slice(&[0x09; KEY_LEN]);
        }
        assert!(decode_message(&prekey).is_ok());
        assert!(decode_message(&ratchet).is_ok());
        assert!(decode_bundle(&bundle).is_ok());
        let cases: [(&[u8], usize); 6] = [
            (&prekey, 2),
            (&prekey, 34),
            (&prekey, PREKEY_HEADER_LEN + 2),
            (&ratchet, 2),
            (&bundle, 1),
            (&bundle, 37),
        ];
        for (good, offset) in cases.iter().copied().chain([(&bundle[..], 1775)]) {
            for (key, ok) in [
                (P, false),
                (p_plus_1, false),
                (bit_255, false),
                (p_minus_1, true),
            ] {
                let mut m = good.to_vec();
                m[offset..offset + KEY_LEN].copy_from_slice(&key);
                let decoded = if m.len() == BUNDLE_LEN && m[1] != MSG_PREKEY && m[1] != MSG_RATCHET
                {
                    decode_bundle(&m).map(|_| ())
                } else {
                    decode_message(&m).map(|_| ())
                };
                let expected = if ok {
                    Ok(())
                } else {
                    Err(Error::InvalidMessage)
                };
                assert_eq!(decoded, expected, "offset {offset}, key {key:02x?}");
                assert_eq!(
                    decode_message_ref(&m).map(|_| ()).is_ok() || m.len() == BUNDLE_LEN,
                    ok || m.len() == BUNDLE_LEN
                );
            }
        }
    }
}
