//! Reading states and messages: the invariants' view of SPEC §6 state encodings and of wire messages.

use super::*;
use lockstep_spec::consts::{
    STATE_FLAG_CKR, STATE_FLAG_CKS, STATE_FLAG_DHR, STATE_FLAG_PENDING_PREKEY,
    STATE_FLAG_PREKEY_HASH, STATE_OFFSET_CKR, STATE_OFFSET_CKS, STATE_OFFSET_COUNT,
    STATE_OFFSET_DHR, STATE_OFFSET_DHS, STATE_OFFSET_FLAGS, STATE_OFFSET_NR, STATE_OFFSET_NS,
    STATE_OFFSET_PN, STATE_OFFSET_PREKEY_HASH, STATE_OFFSET_RK,
};

/// A skipped message key of a [`StateView`]: `(dh, n, mk)` (SPEC §6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SkippedView {
    /// The ratchet public key of its chain.
    pub dh: [u8; 32],
    /// Its message number.
    pub n: u32,
    /// The message key.
    pub mk: [u8; 32],
}

/// The fields of a SPEC §6 state encoding, read at their offsets.
///
/// This is a reader, not the decoder: it checks the version and the length the flags
/// and `count` give, nothing else (`count` over the limit included: [`bounds`] reports
/// it). It exists because `lockstep_spec::state::decode_state` also computes
/// `X25519(DHs, 9)` (slow in the spec: BENCHMARKS.md, `x25519 public key`), and the
/// invariants read every recorded state; the
/// adversary, which needs whole states, uses the spec's decoder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateView {
    /// `DHs`: the ratchet private key.
    pub dhs: [u8; 32],
    /// `DHr`, if present.
    pub dhr: Option<[u8; 32]>,
    /// `RK`.
    pub rk: [u8; 32],
    /// `CKs`, if present.
    pub cks: Option<[u8; 32]>,
    /// `CKr`, if present.
    pub ckr: Option<[u8; 32]>,
    /// `Ns`.
    pub ns: u32,
    /// `Nr`.
    pub nr: u32,
    /// `PN`.
    pub pn: u32,
    /// `prekey_hash`, if present.
    pub prekey_hash: Option<[u8; 32]>,
    /// `MKSKIPPED`, oldest first.
    pub skipped: Vec<SkippedView>,
    /// Whether `pending_prekey` is present.
    pub pending_prekey: bool,
}

pub(super) fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at + N)?.try_into().ok()
}

pub(super) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    array::<4>(bytes, at).map(u32::from_be_bytes)
}

impl StateView {
    /// Reads a SPEC §6 encoding; none if its version or length is wrong.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<StateView> {
        if bytes.first() != Some(&VERSION) {
            return None;
        }
        let flags = *bytes.get(STATE_OFFSET_FLAGS)?;
        let present = |bit: u8, value: [u8; 32]| (flags & bit != 0).then_some(value);
        let count = usize::try_from(u32_at(bytes, STATE_OFFSET_COUNT)?).ok()?;
        let pending = flags & STATE_FLAG_PENDING_PREKEY != 0;
        let pending_len = if pending { PREKEY_HEADER_LEN } else { 0 };
        let expected = count
            .checked_mul(SKIPPED_KEY_LEN)?
            .checked_add(STATE_FIXED_LEN + pending_len)?;
        if bytes.len() != expected {
            return None;
        }
        let mut skipped = Vec::with_capacity(count);
        for i in 0..count {
            let at = STATE_FIXED_LEN + i * SKIPPED_KEY_LEN;
            skipped.push(SkippedView {
                dh: array(bytes, at)?,
                n: u32_at(bytes, at + 32)?,
                mk: array(bytes, at + 36)?,
            });
        }
        Some(StateView {
            dhs: array(bytes, STATE_OFFSET_DHS)?,
            dhr: present(STATE_FLAG_DHR, array(bytes, STATE_OFFSET_DHR)?),
            rk: array(bytes, STATE_OFFSET_RK)?,
            cks: present(STATE_FLAG_CKS, array(bytes, STATE_OFFSET_CKS)?),
            ckr: present(STATE_FLAG_CKR, array(bytes, STATE_OFFSET_CKR)?),
            ns: u32_at(bytes, STATE_OFFSET_NS)?,
            nr: u32_at(bytes, STATE_OFFSET_NR)?,
            pn: u32_at(bytes, STATE_OFFSET_PN)?,
            prekey_hash: present(
                STATE_FLAG_PREKEY_HASH,
                array(bytes, STATE_OFFSET_PREKEY_HASH)?,
            ),
            skipped,
            pending_prekey: pending,
        })
    }

    /// The key `MKSKIPPED` holds for `(dh, n)`, if it holds one.
    #[must_use]
    pub fn holds(&self, dh: &[u8; 32], n: u32) -> Option<&SkippedView> {
        self.skipped.iter().find(|key| key.n == n && key.dh == *dh)
    }

    /// Whether `dh` is `DHr`, the ratchet key of the current receiving chain.
    #[must_use]
    pub fn is_current(&self, dh: &[u8; 32]) -> bool {
        self.dhr.as_ref() == Some(dh)
    }
}

/// A message as SPEC §5 decodes it (with the spec's decoder): its PreKey header, if it
/// is a PreKey message, and its ratchet message's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    /// Bytes 0..1647 of a PreKey message.
    pub prekey_header: Option<Vec<u8>>,
    /// The ratchet message (all of a ratchet message; the rest of a PreKey message).
    pub ratchet: Vec<u8>,
    /// `H.dh`.
    pub dh: [u8; 32],
    /// `H.pn`.
    pub pn: u32,
    /// `H.n`.
    pub n: u32,
}

impl MessageView {
    /// Decodes `bytes`; none if SPEC §5 refuses them.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<MessageView> {
        let (prekey_header, message) =
            match decode_message(&ByteSeq::from_public_slice(bytes)).ok()? {
                Message::PreKey(prekey) => (
                    Some(bytes.get(..PREKEY_HEADER_LEN)?.to_vec()),
                    prekey.message,
                ),
                Message::Ratchet(message) => (None, message),
            };
        Some(MessageView {
            prekey_header,
            ratchet: encode_ratchet_message(&message).to_native(),
            dh: message.header.dh.to_public_array(),
            pn: message.header.pn,
            n: message.header.n,
        })
    }
}

/// The state encodings of a delivery, read (none: no session, or unreadable).
pub(super) fn views(delivery: &Delivery) -> (Option<StateView>, Option<StateView>) {
    (
        delivery.state_before.as_deref().and_then(StateView::parse),
        delivery.state_after.as_deref().and_then(StateView::parse),
    )
}

/// The sent message a delivery carries unchanged to its addressee, if it does.
pub(super) fn genuine<'a>(run: &'a Run, delivery: &Delivery) -> Option<&'a SentMessage> {
    let sent = run.sent.get(delivery.message?)?;
    (sent.bytes == delivery.bytes && delivery.to == sent.from.peer()).then_some(sent)
}

/// Whether the successful `delivery` made a DH ratchet step (SPEC §4.6: `H.dh` is not
/// `DHr` and no stored key answers it; Bob's acceptance is one): the recipient's new
/// ratchet private key, and the `H.dh` it stepped to.
pub(super) fn dh_step(delivery: &Delivery) -> Option<([u8; 32], [u8; 32])> {
    if delivery.result.is_err() {
        return None;
    }
    let message = MessageView::parse(&delivery.bytes)?;
    let (before, after) = views(delivery);
    let stepped = match &before {
        None => true,
        Some(state) => {
            !state.is_current(&message.dh) && state.holds(&message.dh, message.n).is_none()
        }
    };
    stepped.then_some((after?.dhs, message.dh))
}

pub(super) fn describe(delivery: &Delivery) -> String {
    let result = match &delivery.result {
        Ok(plaintext) => format!("decrypted ({} bytes)", plaintext.len()),
        Err(failure) => format!("refused ({failure:?})"),
    };
    format!(
        "{} delivery of {} to {}: {}",
        origin_name(delivery.origin),
        delivery.message.map_or_else(
            || "another session's message".to_owned(),
            |id| format!("message {id}")
        ),
        delivery.to.name(),
        result
    )
}

pub(super) fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Genuine => "genuine",
        Origin::Replay => "replayed",
        Origin::Reflected => "reflected",
        Origin::Tampered => "tampered",
        Origin::Injected => "injected",
    }
}

pub(super) fn adversary_name(compromise: &Compromise) -> String {
    format!(
        "the adversary of the compromise of {} at step {}",
        compromise.party.name(),
        compromise.step
    )
}

pub(super) fn opened(id: usize, sent: &SentMessage, decryption: &Decryption) -> String {
    format!(
        "opens message {id} ({} at step {}; plaintext {} as sent) by {:?} with {:?}",
        sent.from.name(),
        sent.step,
        if decryption.plaintext == sent.plaintext {
            "the same"
        } else {
            "not the same"
        },
        decryption.attack,
        decryption.source,
    )
}
