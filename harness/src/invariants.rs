//! The security invariants: properties every run of a correct driver has, each a
//! check over a [`Run`] that names the event where it broke.
//!
//! | invariant | property |
//! |---|---|
//! | [`FORWARD_SECRECY`] | a compromise reveals no message its party had already sent or decrypted |
//! | [`POST_COMPROMISE_SECURITY`] | after its party completes a DH ratchet round trip, a compromise reveals no message sent later |
//! | [`AUTHENTICATION`] | every tampered, injected and reflected message is refused |
//! | [`REPLAY`] | a message is decrypted at most once |
//! | [`TRANSACTIONAL`] | a refusal changes no state |
//! | [`UNIQUENESS`] | no message key, and no (AEAD key, nonce) pair, is used twice |
//! | [`BOUNDS`] | no state holds more than `MAX_STORED_SKIPPED_KEYS` skipped keys; a skip over `MAX_SKIP` is refused |
//! | [`LIVENESS`] | every genuine message within the bounds decrypts, to the plaintext sent |
//!
//! The two confidentiality invariants are stated against a concrete adversary,
//! [`crate::adversary`], which holds what one compromise exposed and every byte on the
//! network, and computes with `lockstep-spec` alone. The others read the recorded
//! states (SPEC §6 encodings, through [`StateView`]) and messages (SPEC §5, through
//! [`MessageView`]) and recompute with the spec what the protocol says must have
//! happened.
//!
//! Each invariant is shown to catch a deliberately broken driver
//! ([`crate::broken`]), and to hold on the implementation and the spec, by
//! `harness/tests/invariants.rs`.

use std::collections::{BTreeSet, HashMap, HashSet};

use lockstep_spec as spec;
use spec::ByteSeq;
use spec::consts::{
    AD_LEN, MAX_SKIP, MAX_STORED_SKIPPED_KEYS, PREKEY_HEADER_LEN, SKIPPED_KEY_LEN, STATE_FIXED_LEN,
    VERSION,
};
use spec::ratchet::{ChainKey, RootKey, kdf_ck, kdf_rk, message_key_material};
use spec::wire::{Message, decode_message, encode_ratchet_message};
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_dh};

use crate::adversary::{self, Decryption};
use crate::driver::{AeadUse, Failure};
use crate::model::{BundlePart, Event, HeaderFields, Party, Scenario, SetUp, Tamper, WireKey};
use crate::run::{Compromise, Delivery, Origin, Record, Run, SentMessage};

/// An invariant that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's name.
    pub invariant: &'static str,
    /// The event where it broke, if one.
    pub step: Option<usize>,
    /// What broke.
    pub detail: String,
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.step {
            Some(step) => write!(f, "{} at step {}: {}", self.invariant, step, self.detail),
            None => write!(f, "{}: {}", self.invariant, self.detail),
        }
    }
}

/// One invariant.
#[derive(Clone, Copy, Debug)]
pub struct Invariant {
    /// Its name, e.g. `"forward-secrecy"`.
    pub name: &'static str,
    /// One line saying what it checks.
    pub description: &'static str,
    /// The check.
    pub check: fn(&Run) -> Result<(), Violation>,
}

/// The name of [`forward_secrecy`].
pub const FORWARD_SECRECY: &str = "forward-secrecy";
/// The name of [`post_compromise_security`].
pub const POST_COMPROMISE_SECURITY: &str = "post-compromise-security";
/// The name of [`authentication`].
pub const AUTHENTICATION: &str = "authentication";
/// The name of [`replay`].
pub const REPLAY: &str = "replay";
/// The name of [`transactional`].
pub const TRANSACTIONAL: &str = "transactional";
/// The name of [`uniqueness`].
pub const UNIQUENESS: &str = "uniqueness";
/// The name of [`bounds`].
pub const BOUNDS: &str = "bounds";
/// The name of [`liveness`].
pub const LIVENESS: &str = "liveness";

/// Every invariant, cheapest first.
static ALL: [Invariant; 8] = [
    Invariant {
        name: AUTHENTICATION,
        description: "every tampered (re-encoded keys, swapped headers included), injected or reflected message, and every forged bundle, is refused",
        check: authentication,
    },
    Invariant {
        name: REPLAY,
        description: "a message already decrypted is refused when delivered again",
        check: replay,
    },
    Invariant {
        name: TRANSACTIONAL,
        description: "a refused decryption or encryption leaves the state byte for byte as it was",
        check: transactional,
    },
    Invariant {
        name: BOUNDS,
        description: "at most MAX_STORED_SKIPPED_KEYS skipped keys in any state; a skip over MAX_SKIP is refused as TooManySkipped, changing nothing",
        check: bounds,
    },
    Invariant {
        name: LIVENESS,
        description: "every genuine first delivery within the bounds decrypts to the plaintext sent",
        check: liveness,
    },
    Invariant {
        name: UNIQUENESS,
        description: "no message key or (AEAD key, nonce) pair seals two messages or opens two decryptions",
        check: uniqueness,
    },
    Invariant {
        name: FORWARD_SECRECY,
        description: "a compromise reveals no message its party had sent or decrypted before it",
        check: forward_secrecy,
    },
    Invariant {
        name: POST_COMPROMISE_SECURITY,
        description: "from the compromised party's first fresh ratchet key on, its messages (and the peer's, once it steps on such a key) are not revealed",
        check: post_compromise_security,
    },
];

/// Every invariant.
#[must_use]
pub fn all() -> &'static [Invariant] {
    &ALL
}

/// The invariant named `name`.
#[must_use]
pub fn by_name(name: &str) -> Option<&'static Invariant> {
    ALL.iter().find(|invariant| invariant.name == name)
}

/// Every invariant over `run`: the first violation, if any.
///
/// # Errors
/// The first violation.
pub fn check_all(run: &Run) -> Result<(), Violation> {
    for invariant in all() {
        (invariant.check)(run)?;
    }
    Ok(())
}

/// Fixed scenarios for the checks random scenarios reach only by chance, so that
/// every run of `lockstep check` makes them (issue 12, points 4, 7 and 8), each
/// named:
///
/// - `prekey-*`: for both bundle shapes, Alice's first PreKey message with `EK_A`
///   moved to each of the seven other points of its small-order coset (the order-2
///   one, `1/EK_A`, among them), and with `IK_A` moved, then the genuine message
///   ([`authentication`]; before `EK_A` was bound into the key schedule, every
///   `EK_A` one was accepted);
/// - `ratchet-reencodings`: ratchet keys moved in their cosets and header fields
///   swapped between messages ([`authentication`]);
/// - `bundle-reencodings`: every part of the bundle re-encoded ([`authentication`]);
/// - `compromise-ping-pong`: a compromise of Alice in an honest conversation
///   ([`post_compromise_security`] from her first fresh key);
/// - `one-chain`: three messages on one chain ([`uniqueness`] as observed).
#[must_use]
pub fn fixed_scenarios() -> Vec<(String, Scenario)> {
    let send = |from| Event::Send { from, len: 24 };
    let deliver = Event::Deliver { pick: 0 };
    let tamper = |pick, how| Event::Tamper { pick, how };
    let scenario = |opk, events| Scenario {
        seed: [0x12; 32],
        set_up: SetUp {
            opk,
            pq_last_resort: false,
        },
        events,
    };
    let ping_pong = |turns: usize| {
        let mut events = Vec::new();
        for turn in 0..turns {
            let from = if turn % 2 == 0 {
                Party::Alice
            } else {
                Party::Bob
            };
            events.extend([send(from), deliver]);
        }
        events
    };
    let mut out = Vec::new();
    for opk in [true, false] {
        let keys = (0..7)
            .map(|t| (WireKey::PreKeyEphemeral, t))
            .chain([0, 1, 3].map(|t| (WireKey::PreKeyIdentity, t)));
        for (key, torsion) in keys {
            let how = Tamper::SmallOrder { key, torsion };
            out.push((
                format!("prekey-{key:?}-torsion-{torsion}-opk-{opk}"),
                scenario(opk, vec![send(Party::Alice), tamper(0, how), deliver]),
            ));
        }
    }
    let mut events = ping_pong(3);
    events.extend([send(Party::Alice), send(Party::Alice)]);
    for pick in [1, 2, 3] {
        for torsion in [1, 3, 6] {
            let key = WireKey::RatchetKey;
            events.push(tamper(pick, Tamper::SmallOrder { key, torsion }));
        }
    }
    for fields in [
        HeaderFields::RatchetKey,
        HeaderFields::Counters,
        HeaderFields::All,
    ] {
        for (pick, donor) in [(3, 4), (4, 3), (2, 0), (1, 3)] {
            events.push(tamper(pick, Tamper::SwapHeader { donor, fields }));
        }
    }
    events.extend([deliver, deliver]);
    out.push(("ratchet-reencodings".to_owned(), scenario(true, events)));
    let mut events = Vec::new();
    for part in [
        BundlePart::IdentityKey,
        BundlePart::SignedPreKey,
        BundlePart::OneTimePreKey,
        BundlePart::SignedPreKeySignature,
        BundlePart::PqPreKeySignature,
        BundlePart::PqPreKey,
    ] {
        for variant in [0, 1, 3, 6] {
            events.push(tamper(0, Tamper::Bundle { part, variant }));
        }
    }
    out.push(("bundle-reencodings".to_owned(), scenario(true, events)));
    let mut events = ping_pong(2);
    events.push(Event::Compromise {
        party: Party::Alice,
    });
    events.extend(ping_pong(6));
    out.push(("compromise-ping-pong".to_owned(), scenario(true, events)));
    out.push((
        "one-chain".to_owned(),
        scenario(
            true,
            vec![
                send(Party::Alice),
                send(Party::Alice),
                send(Party::Alice),
                deliver,
            ],
        ),
    ));
    out
}

fn violation(invariant: &'static str, step: usize, detail: String) -> Violation {
    Violation {
        invariant,
        step: Some(step),
        detail,
    }
}

// ---------------------------------------------------------------------------------
// Reading states and messages
// ---------------------------------------------------------------------------------

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
/// `X25519(DHs, 9)` (about 10 ms), and the invariants read every recorded state; the
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

fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at + N)?.try_into().ok()
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    array::<4>(bytes, at).map(u32::from_be_bytes)
}

impl StateView {
    /// Reads a SPEC §6 encoding; none if its version or length is wrong.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<StateView> {
        if bytes.first() != Some(&VERSION) {
            return None;
        }
        let flags = *bytes.get(1)?;
        let present = |bit: u8, value: [u8; 32]| (flags & bit != 0).then_some(value);
        let count = usize::try_from(u32_at(bytes, 272)?).ok()?;
        let pending = flags & 0x08 != 0;
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
            dhs: array(bytes, 2 + AD_LEN)?,
            dhr: present(0x01, array(bytes, 100)?),
            rk: array(bytes, 132)?,
            cks: present(0x02, array(bytes, 164)?),
            ckr: present(0x04, array(bytes, 196)?),
            ns: u32_at(bytes, 228)?,
            nr: u32_at(bytes, 232)?,
            pn: u32_at(bytes, 236)?,
            prekey_hash: present(0x10, array(bytes, 240)?),
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
fn views(delivery: &Delivery) -> (Option<StateView>, Option<StateView>) {
    (
        delivery.state_before.as_deref().and_then(StateView::parse),
        delivery.state_after.as_deref().and_then(StateView::parse),
    )
}

/// The sent message a delivery carries unchanged to its addressee, if it does.
fn genuine<'a>(run: &'a Run, delivery: &Delivery) -> Option<&'a SentMessage> {
    let sent = run.sent.get(delivery.message?)?;
    (sent.bytes == delivery.bytes && delivery.to == sent.from.peer()).then_some(sent)
}

/// Whether the successful `delivery` made a DH ratchet step (SPEC §4.6: `H.dh` is not
/// `DHr` and no stored key answers it; Bob's acceptance is one): the recipient's new
/// ratchet private key, and the `H.dh` it stepped to.
fn dh_step(delivery: &Delivery) -> Option<([u8; 32], [u8; 32])> {
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

fn describe(delivery: &Delivery) -> String {
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

fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Genuine => "genuine",
        Origin::Replay => "replayed",
        Origin::Reflected => "reflected",
        Origin::Tampered => "tampered",
        Origin::Injected => "injected",
    }
}

fn adversary_name(compromise: &Compromise) -> String {
    format!(
        "the adversary of the compromise of {} at step {}",
        compromise.party.name(),
        compromise.step
    )
}

fn opened(id: usize, sent: &SentMessage, decryption: &Decryption) -> String {
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

// ---------------------------------------------------------------------------------
// Confidentiality
// ---------------------------------------------------------------------------------

/// `forward-secrecy`: a compromise of party P at step t reveals none of the messages P
/// sent before t, and none of the messages P decrypted before t.
///
/// "Reveals" is against [`crate::adversary`]: the adversary of that one compromise
/// (its exposure, and every byte on the network) opens none of those messages with
/// any of its attacks, tracking included. Each compromise is judged alone: what a
/// second compromise adds is that one's business.
///
/// The one exception is a message sent to P that P had not yet decrypted at t,
/// whether it was in flight, dropped or skipped over: P holds its key (a stored
/// skipped key, or its receiving chain), and must, to decrypt it later. Such a message
/// is simply not among those checked.
///
/// # Errors
/// The first compromise whose adversary opens such a message.
pub fn forward_secrecy(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let (party, step) = (compromise.party, compromise.step);
        let mut targets = BTreeSet::new();
        for sent in &run.sent {
            if sent.from == party && sent.step < step {
                targets.insert(sent.id);
            }
        }
        for delivery in &run.deliveries {
            let received = delivery.to == party && delivery.step < step && delivery.result.is_ok();
            if let Some(sent) = genuine(run, delivery).filter(|_| received) {
                targets.insert(sent.id);
            }
        }
        if targets.is_empty() {
            continue;
        }
        let knowledge = adversary::attack(run, compromise, &targets);
        for (&id, decryption) in &knowledge.decrypted {
            if targets.contains(&id) {
                let sent = &run.sent[id];
                let how = if sent.from == party {
                    "sent"
                } else {
                    "decrypted"
                };
                return Err(violation(
                    FORWARD_SECRECY,
                    step,
                    format!(
                        "{} {}, which {} had {how} before it",
                        adversary_name(compromise),
                        opened(id, sent, decryption),
                        party.name()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The step at which the party of `compromise` completes its first DH ratchet round
/// trip after it, as [`post_compromise_security_after_round_trip`] defines it; none if
/// it does not.
#[must_use]
pub fn round_trip_completion(run: &Run, compromise: &Compromise) -> Option<usize> {
    round_trip(run, compromise.party, compromise.step).map(|(step, _)| step)
}

/// The step at which `party`, compromised at step `after`, completes a DH ratchet
/// round trip (see [`post_compromise_security_after_round_trip`]), and its description.
fn round_trip(run: &Run, party: Party, after: usize) -> Option<(usize, String)> {
    let steps_of = |to: Party, from_step: usize| {
        run.deliveries
            .iter()
            .filter(move |d| d.to == to && d.step > from_step)
            .filter_map(|d| dh_step(d).map(|(key, dh)| (d.step, key, dh)))
    };
    // The first message `from` sends after `from_step` with ratchet private key `key`:
    // its step and `H.dh`, the key's public half.
    let first_send = |from: Party, from_step: usize, key: [u8; 32]| {
        run.sent.iter().find_map(|sent| {
            let mine = sent.from == from
                && sent.step > from_step
                && StateView::parse(&sent.state_before).is_some_and(|s| s.dhs == key);
            if !mine {
                return None;
            }
            MessageView::parse(&sent.bytes).map(|message| (sent.step, message.dh))
        })
    };
    let peer = party.peer();
    let mut best: Option<(usize, String)> = None;
    for (s1, x1, _) in steps_of(party, after) {
        let Some((s2, x1_public)) = first_send(party, s1, x1) else {
            continue;
        };
        let Some((s3, y2, _)) = steps_of(peer, s2).find(|(_, _, dh)| *dh == x1_public) else {
            continue;
        };
        let Some((s4, y2_public)) = first_send(peer, s3, y2) else {
            continue;
        };
        let Some((h, _, _)) = steps_of(party, s4).find(|(_, _, dh)| *dh == y2_public) else {
            continue;
        };
        if best.as_ref().is_none_or(|(best, _)| h < *best) {
            best = Some((
                h,
                format!(
                    "{p} stepped to a new key at step {s1}, sent under it at step {s2}; \
                     {q} stepped on it at step {s3}, sent under its new key at step {s4}; \
                     {p} stepped on that at step {h}",
                    p = party.name(),
                    q = peer.name()
                ),
            ));
        }
    }
    best
}

/// When the sealing chains of a compromise's messages stop being derivable: the step
/// `s1` of the compromised party P's first DH ratchet step after the compromise, and
/// the step `s3` of the peer Q's first DH ratchet step after `s1` on a ratchet key P
/// sent under after `s1` (none if Q makes none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Healing {
    /// P's first DH ratchet step after the compromise: P's sending chains from here on
    /// come from a fresh ratchet key.
    pub party_steps: usize,
    /// Q's first DH ratchet step on such a fresh key of P's: Q's sending chains from
    /// here on are derived from a root key the adversary cannot compute.
    pub peer_steps: Option<usize>,
}

/// The [`Healing`] of `compromise`, as [`post_compromise_security`] defines it; none
/// if P makes no DH ratchet step after it.
#[must_use]
pub fn healing(run: &Run, compromise: &Compromise) -> Option<Healing> {
    let (party, after) = (compromise.party, compromise.step);
    let steps_of = |to: Party, from_step: usize| {
        run.deliveries
            .iter()
            .filter(move |d| d.to == to && d.step > from_step)
            .filter_map(|d| dh_step(d).map(|(_, dh)| (d.step, dh)))
    };
    let (s1, _) = steps_of(party, after).next()?;
    let fresh: HashSet<[u8; 32]> = run
        .sent
        .iter()
        .filter(|sent| sent.from == party && sent.step > s1)
        .filter_map(|sent| MessageView::parse(&sent.bytes).map(|message| message.dh))
        .collect();
    let s3 = steps_of(party.peer(), s1)
        .find(|(_, dh)| fresh.contains(dh))
        .map(|(step, _)| step);
    Some(Healing {
        party_steps: s1,
        peer_steps: s3,
    })
}

/// `post-compromise-security`: after a compromise of party P at step t, secrecy
/// returns with the first chain sent under a fresh ratchet key: the adversary reveals
/// none of the messages P sends after its first DH ratchet step after t (step `s1`),
/// and none of the messages the peer Q sends after its first DH ratchet step (step
/// `s3 > s1`) on a ratchet key P sent under after `s1`.
///
/// The steps are read from the recorded states and headers (SPEC §4.6: a successful
/// decryption makes a DH ratchet step when its `H.dh` is not the recipient's `DHr`
/// and no stored key answers it; see [`healing`]). At `s1`, SPEC §4.6's `DHRatchet`
/// draws P a new ratchet key pair `x1` from fresh randomness, and P's sending chain
/// from then on is `KDF_RK(RK', DH(x1, Y))`: the adversary, who knows `RK'` from the
/// copied state and `Y` from the wire, knows neither `x1` nor `y`. Q's chains after
/// `s3` come from a root key into which `DH(y, X1)` has been mixed. So a bug that
/// delays healing by a step (the first new key not fresh) is seen at once, where a
/// check that waits for a full round trip
/// ([`post_compromise_security_after_round_trip`]) does not see it. Messages Q sends
/// after `s1` on its current chain, which P's copied state can derive, are not
/// targets.
///
/// "Reveals" is against [`crate::adversary`], whose tracking (d) follows P through
/// every delivery after t, with any ratchet key the exposure names
/// ([`crate::driver::Exposure::future_ratchet_keys`]) or its guess that P reused its
/// key; both directions of traffic are attacked, and each compromise is judged
/// alone. The adversary is passive towards these chains: it forges no message to P
/// under a ratchet key of its own (which, holding P's state, it could, and then no
/// healing follows). A compromise after which P makes no DH ratchet step claims
/// nothing.
///
/// # Errors
/// The first compromise whose adversary opens such a message.
pub fn post_compromise_security(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let Some(healed) = healing(run, compromise) else {
            continue;
        };
        let party = compromise.party;
        let targets: BTreeSet<usize> = run
            .sent
            .iter()
            .filter(|sent| {
                if sent.from == party {
                    sent.step > healed.party_steps
                } else {
                    healed.peer_steps.is_some_and(|s3| sent.step > s3)
                }
            })
            .map(|sent| sent.id)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let knowledge = adversary::attack(run, compromise, &targets);
        for (&id, decryption) in &knowledge.decrypted {
            if targets.contains(&id) {
                let sent = &run.sent[id];
                let after = if sent.from == party {
                    format!(
                        "{}'s first DH ratchet step after it, at step {}",
                        party.name(),
                        healed.party_steps
                    )
                } else {
                    format!(
                        "{}'s DH ratchet step at step {} on a fresh key of {}'s",
                        sent.from.name(),
                        healed.peer_steps.unwrap_or_default(),
                        party.name()
                    )
                };
                return Err(violation(
                    POST_COMPROMISE_SECURITY,
                    sent.step,
                    format!(
                        "{} {}, sent after {after}",
                        adversary_name(compromise),
                        opened(id, sent, decryption),
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The post-compromise check as it was before it started from the first fresh key:
/// once P completes a DH ratchet round trip (see [`round_trip_completion`]), the
/// adversary reveals no message sent after it. Weaker than
/// [`post_compromise_security`] (its targets are a subset); kept to show what the
/// stronger check adds (`harness/tests/invariants.rs`). Not among [`all`].
///
/// The round trip, read from the recorded states and headers: (1) after t, P makes a
/// DH ratchet step, getting a new key pair `x1`; (2) later P sends under `x1`; (3)
/// later Q makes a DH ratchet step on `X1`, getting `y2`; (4) later Q sends under
/// `y2`; (5) later, at step h, P makes a DH ratchet step on `Y2`. The targets are the
/// messages sent after h.
///
/// # Errors
/// The first compromise whose adversary opens a message sent after the round trip.
pub fn post_compromise_security_after_round_trip(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let Some((healed, how)) = round_trip(run, compromise.party, compromise.step) else {
            continue;
        };
        let targets: BTreeSet<usize> = run
            .sent
            .iter()
            .filter(|sent| sent.step > healed)
            .map(|sent| sent.id)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let knowledge = adversary::attack(run, compromise, &targets);
        for (&id, decryption) in &knowledge.decrypted {
            if targets.contains(&id) {
                let sent = &run.sent[id];
                return Err(violation(
                    POST_COMPROMISE_SECURITY,
                    sent.step,
                    format!(
                        "{} {}, sent after the round trip completed at step {healed} ({how})",
                        adversary_name(compromise),
                        opened(id, sent, decryption),
                    ),
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Integrity
// ---------------------------------------------------------------------------------

/// `authentication`: every delivery of bytes the peer did not send, as they were sent,
/// to their addressee, is refused: origin [`Origin::Tampered`] (a changed copy;
/// [`crate::run::tamper`] always changes at least one byte), [`Origin::Injected`] (a
/// message of another session) and [`Origin::Reflected`] (a party's own message).
///
/// No exception.
///
/// The same for Bob's bundle: every forged bundle ([`crate::model::Tamper::Bundle`])
/// that differs from the bundle Bob published in its signed part (SPEC §3.2, bytes
/// 0..1770: `IK_B`, the signed prekey and the post-quantum prekey with their ids and
/// signatures) is refused by Alice's decoding and verification (SPEC §3.3). A change
/// to the one-time prekey alone is not judged: PQXDH §3.2 does not sign it.
///
/// The tampering includes the algebraic adversary's equivalent encodings
/// ([`crate::model::Tamper::SmallOrder`], [`crate::model::Tamper::SwapHeader`], the
/// bundle's re-encoded keys, `s + q` and `R + T` signatures and re-encoded ML-KEM key):
/// an accepted one is a second encoding of something the peer sent, which the
/// protocol must not accept. (This is what found that X25519 keys must be canonical
/// on the wire, SPEC §2, when `EK_A` with bit 255 flipped was accepted; and that
/// `EK_A` must be bound into the key schedule, when `EK_A` replaced by another point
/// of its small-order coset, `1/EK_A` for the order-2 one, gave Bob the same SK and
/// was accepted.)
///
/// # Errors
/// The first such delivery that decrypted, or forged bundle that verified.
pub fn authentication(run: &Run) -> Result<(), Violation> {
    for delivery in &run.deliveries {
        let forged = matches!(
            delivery.origin,
            Origin::Tampered | Origin::Injected | Origin::Reflected
        );
        if forged && delivery.result.is_ok() {
            return Err(violation(AUTHENTICATION, delivery.step, describe(delivery)));
        }
    }
    let signed = |bytes: &[u8]| bytes.get(..SIGNED_BUNDLE_LEN).map(<[u8]>::to_vec);
    let published = run.bundle.as_deref().and_then(signed);
    for forged in &run.forged_bundles {
        if forged.result.is_ok() && signed(&forged.bytes) != published {
            return Err(violation(
                AUTHENTICATION,
                forged.step,
                format!(
                    "a bundle with {:?} re-encoded was accepted by Alice's verification",
                    forged.part
                ),
            ));
        }
    }
    Ok(())
}

/// SPEC §3.2: the bundle's bytes before `opk_flag`, which the signatures and the
/// decoder's checks cover.
const SIGNED_BUNDLE_LEN: usize = 1770;

/// `replay`: once a message has been decrypted by its addressee, every later delivery
/// of the same bytes to the addressee (origin [`Origin::Replay`], or any other) is
/// refused. No exception.
///
/// # Errors
/// The first such delivery that decrypted.
pub fn replay(run: &Run) -> Result<(), Violation> {
    let mut decrypted: HashMap<usize, usize> = HashMap::new();
    for delivery in &run.deliveries {
        let Some(sent) = genuine(run, delivery) else {
            continue;
        };
        if let Some(first) = decrypted.get(&sent.id) {
            if delivery.result.is_ok() {
                return Err(violation(
                    REPLAY,
                    delivery.step,
                    format!("{}, already decrypted at step {first}", describe(delivery)),
                ));
            }
        } else if delivery.result.is_ok() {
            decrypted.insert(sent.id, delivery.step);
        }
    }
    Ok(())
}

/// `transactional`: a refused decryption leaves the recipient's state encoding byte
/// for byte as it was (both absent, for Bob refusing a PreKey message before he has a
/// session: SPEC §3.6 "Bob keeps no state"); and so does a refused encryption (a
/// [`crate::model::Event::Send`] whose encryption fails leaves both states as the
/// previous event left them; an event at step 0 has no recorded state before it and
/// is not checked). No exception.
///
/// # Errors
/// The first refusal that changed a state.
pub fn transactional(run: &Run) -> Result<(), Violation> {
    for delivery in &run.deliveries {
        if delivery.result.is_err() && delivery.state_before != delivery.state_after {
            return Err(violation(
                TRANSACTIONAL,
                delivery.step,
                format!("{}, and its state changed", describe(delivery)),
            ));
        }
    }
    // Refused encryptions: an event whose only record, besides the states after it, is
    // one refused `Sent`.
    let mut states: HashMap<usize, [&Option<Vec<u8>>; 2]> = HashMap::new();
    let mut events: HashMap<usize, Vec<&Record>> = HashMap::new();
    for record in &run.records {
        match record {
            Record::States { step, alice, bob } => {
                states.insert(*step, [alice, bob]);
            }
            Record::Sent { step, .. }
            | Record::Delivered { step, .. }
            | Record::OtherSession { step, .. }
            | Record::Compromised { step, .. }
            | Record::Skipped { step, .. }
            | Record::BundleForged { step, .. } => events.entry(*step).or_default().push(record),
            Record::SetUp { .. } => {}
        }
    }
    for (&step, records) in &events {
        let [
            Record::Sent {
                from,
                result: Err(failure),
                ..
            },
        ] = records.as_slice()
        else {
            continue;
        };
        let (Some(before), Some(after)) = (
            step.checked_sub(1)
                .and_then(|previous| states.get(&previous)),
            states.get(&step),
        ) else {
            continue;
        };
        if before != after {
            return Err(violation(
                TRANSACTIONAL,
                step,
                format!(
                    "{} refused to encrypt ({failure:?}), and a state changed",
                    from.name()
                ),
            ));
        }
    }
    Ok(())
}

/// SPEC §4.2: the message key of `KDF_CK(ck)` after `steps` more `KDF_CK`s, none if
/// that is more than 2^16 (far past `MAX_SKIP`; [`bounds`] reports such a decryption).
fn derive(ck: &[u8; 32], steps: u32) -> Option<[u8; 32]> {
    if steps > 1 << 16 {
        return None;
    }
    let mut ck = ChainKey::from_public_slice(ck);
    for _ in 0..steps {
        ck = kdf_ck(&ck).0;
    }
    Some(kdf_ck(&ck).1.to_public_array())
}

/// The message key a decryption from `state` uses for `message` by SPEC §4.6's
/// schedule: a stored key; or `CKr` forward from `Nr` on the current chain; or, on a
/// new chain, `KDF_RK(RK, DH(DHs, H.dh))` forward from 0. None if the schedule gives
/// none (a message it refuses).
pub(crate) fn scheduled_key(state: &StateView, message: &MessageView) -> Option<[u8; 32]> {
    if let Some(key) = state.holds(&message.dh, message.n) {
        return Some(key.mk);
    }
    if state.is_current(&message.dh) {
        let steps = message.n.checked_sub(state.nr)?;
        return derive(&state.ckr?, steps);
    }
    let dh_out = x25519_dh(
        &X25519SerializedScalar::from_public_slice(&state.dhs),
        &X25519SerializedPoint::from_public_slice(&message.dh),
    )
    .ok()?;
    let (_, ckr) = kdf_rk(&RootKey::from_public_slice(&state.rk), &dh_out);
    derive(&ckr.to_public_array(), message.n)
}

/// `uniqueness`: no two messages of the run are sealed with the same ChaCha20-Poly1305
/// (key, nonce) pair, nor with the same message key (SPEC §4.2: every message key is
/// used once, so every (key, nonce) pair is), over both parties' messages together
/// (so a fortiori for each party); and no two successful decryptions of the run open
/// with the same (key, nonce) pair, or the same message key.
///
/// The (key, nonce) pairs are the ones the driver observed the AEAD being called with
/// ([`crate::driver::Driver::take_aead_use`]: the implementation's driver records the
/// arguments of its `aead::seal_append` and `aead::open`), so an implementation whose
/// state advances correctly but whose AEAD is given one key and nonce for a whole
/// chain fails here without the spec in the loop. For a driver that reports none, the
/// pair is re-derived with the spec from the message key.
///
/// The message key is re-derived with the spec: for a message, `KDF_CK(CKs)` of its
/// sender's state before encrypting; for a successful decryption, from the
/// recipient's state before it and the header, by SPEC §4.6's schedule (a stored
/// skipped key; `CKr` forward from `Nr`; or `KDF_RK(RK, DH(DHs, H.dh))` forward from
/// 0, with one spec X25519). Two decryptions have no re-derived message key: Bob's
/// acceptance, whose key comes from PQXDH and Bob's prekeys, which no recorded state
/// holds (its key is taken to be the key its ratchet message was sealed with, if the
/// run sent it, which it is if the AEAD verified); and a decryption the schedule
/// refuses (a replay on the current chain that decrypted anyway, which [`replay`] and
/// [`authentication`] report).
///
/// # Errors
/// The first key or pair used twice.
pub fn uniqueness(run: &Run) -> Result<(), Violation> {
    let mut sealing: HashMap<[u8; 32], usize> = HashMap::new();
    let mut pairs: HashMap<AeadUse, usize> = HashMap::new();
    let mut by_ratchet: HashMap<Vec<u8>, [u8; 32]> = HashMap::new();
    for sent in &run.sent {
        let derived = StateView::parse(&sent.state_before)
            .and_then(|state| state.cks.as_ref().and_then(|cks| derive(cks, 0)));
        let pair = sent.aead.or_else(|| derived.as_ref().map(pair_of));
        let mut seen = Vec::new();
        if let Some(mk) = derived {
            seen.push((sealing.insert(mk, sent.id), "message key"));
            if let Some(message) = MessageView::parse(&sent.bytes) {
                by_ratchet.insert(message.ratchet, mk);
            }
        }
        if let Some(pair) = pair {
            let what = if sent.aead.is_some() {
                "ChaCha20-Poly1305 (key, nonce) pair (as observed)"
            } else {
                "ChaCha20-Poly1305 (key, nonce) pair"
            };
            seen.push((pairs.insert(pair, sent.id), what));
        }
        for (seen, what) in seen {
            if let Some(other) = seen {
                return Err(violation(
                    UNIQUENESS,
                    sent.step,
                    format!(
                        "message {} ({} at step {}) is sealed with the {what} of message {other} (step {})",
                        sent.id,
                        sent.from.name(),
                        sent.step,
                        run.sent[other].step
                    ),
                ));
            }
        }
    }
    let mut opening: HashMap<[u8; 32], usize> = HashMap::new();
    let mut opening_pairs: HashMap<AeadUse, usize> = HashMap::new();
    for delivery in &run.deliveries {
        if delivery.result.is_err() {
            continue;
        }
        if let Some(pair) = delivery.aead
            && let Some(first) = opening_pairs.insert(pair, delivery.step)
        {
            return Err(violation(
                UNIQUENESS,
                delivery.step,
                format!(
                    "{} with the (key, nonce) pair (as observed) a decryption at step {first} used",
                    describe(delivery)
                ),
            ));
        }
        let Some(message) = MessageView::parse(&delivery.bytes) else {
            continue;
        };
        let key = match views(delivery).0 {
            Some(state) => scheduled_key(&state, &message),
            None => by_ratchet.get(&message.ratchet).copied(),
        };
        let Some(key) = key else {
            continue;
        };
        if let Some(first) = opening.insert(key, delivery.step) {
            return Err(violation(
                UNIQUENESS,
                delivery.step,
                format!(
                    "{} with the message key a decryption at step {first} used",
                    describe(delivery)
                ),
            ));
        }
    }
    Ok(())
}

/// SPEC §4.2: the (key, nonce) pair of message key `mk`.
fn pair_of(mk: &[u8; 32]) -> AeadUse {
    let (key, nonce) = message_key_material(&spec::ratchet::MessageKey::from_public_slice(mk));
    AeadUse {
        key: key.to_public_array(),
        nonce: nonce.to_public_array(),
    }
}

// ---------------------------------------------------------------------------------
// Bounds and liveness
// ---------------------------------------------------------------------------------

/// A clamped scalar, to ask whether a public key is of small order: for every clamped
/// scalar `k` (a multiple of 8 in [2^254, 2^255)), `X25519(k, u)` is all zeros exactly
/// when `u` has order dividing 8 on the curve or 4 on its twist, because `k` is smaller
/// than every large prime-order multiple that could divide it.
const ANY_SCALAR: [u8; 32] = [0x5a; 32];

/// Whether `DH(private, dh)` is all zeros (SPEC §2: `NonContributory`).
fn non_contributory(private: &[u8; 32], dh: &[u8; 32]) -> bool {
    x25519_dh(
        &X25519SerializedScalar::from_public_slice(private),
        &X25519SerializedPoint::from_public_slice(dh),
    )
    .is_err()
}

/// Why SPEC §4.6 must refuse `message`, delivered to a party in `state` (none: Bob
/// without a session), as `TooManySkipped`, if it must: a `SkipMessageKeys` it reaches
/// would skip more than `MAX_SKIP` keys, and no check SPEC §4.6 makes earlier fails
/// (decoding, the PreKey hash, a stored key, `Duplicate`, and for the new chain's skip,
/// the DH ratchet step's `NonContributory`). Bob without a session is held to it only
/// for a PreKey message whose PreKey header Alice sent (whose key agreement succeeds:
/// he holds all his prekeys, having accepted nothing).
fn skip_over_bound(run: &Run, state: Option<&StateView>, message: &MessageView) -> Option<String> {
    let over = |nr: u32, until: u32| u64::from(nr) + u64::from(MAX_SKIP) < u64::from(until);
    let Some(state) = state else {
        let header = message.prekey_header.as_ref()?;
        let sent_by_alice = run.sent.iter().any(|sent| {
            sent.from == Party::Alice
                && sent.bytes.get(..PREKEY_HEADER_LEN) == Some(header.as_slice())
        });
        return (sent_by_alice
            && over(0, message.n)
            && !non_contributory(&ANY_SCALAR, &message.dh))
        .then(|| format!("H.n = {} on Bob's first chain", message.n));
    };
    if let Some(header) = &message.prekey_header {
        let hash = spec::sha256::hash(&ByteSeq::from_public_slice(header)).to_public_array();
        if state.prekey_hash != Some(hash) {
            return None;
        }
    }
    if state.holds(&message.dh, message.n).is_some() {
        return None;
    }
    let chain = state.ckr.is_some() && state.dhr.is_some();
    if state.is_current(&message.dh) {
        return (chain && over(state.nr, message.n)).then(|| {
            format!(
                "H.n = {} is more than MAX_SKIP past Nr = {} on the current chain",
                message.n, state.nr
            )
        });
    }
    if chain && over(state.nr, message.pn) {
        return Some(format!(
            "H.pn = {} is more than MAX_SKIP past Nr = {} on the old chain",
            message.pn, state.nr
        ));
    }
    (over(0, message.n) && !non_contributory(&state.dhs, &message.dh))
        .then(|| format!("H.n = {} on a new chain", message.n))
}

/// `bounds`: (1) every state recorded in the run (before every encryption, before and
/// after every delivery, after every event, and every exposed one) is a SPEC §6
/// encoding holding at most `MAX_STORED_SKIPPED_KEYS` skipped keys; (2) every delivery
/// that SPEC §4.6 makes skip more than `MAX_SKIP` message keys in one chain (the old
/// chain up to `H.pn`, or the current or new one up to `H.n`, computed from the
/// recipient's state before and the header; see `skip_over_bound` for the checks that
/// come first) is refused as `TooManySkipped` and leaves the state as it was. No
/// exception.
///
/// # Errors
/// The first state over the limit, or the first such delivery not so refused.
pub fn bounds(run: &Run) -> Result<(), Violation> {
    let mut recorded: Vec<(usize, &str, &[u8])> = Vec::new();
    for sent in &run.sent {
        recorded.push((sent.step, "before an encryption", &sent.state_before));
    }
    for delivery in &run.deliveries {
        for (state, when) in [
            (&delivery.state_before, "before a delivery"),
            (&delivery.state_after, "after a delivery"),
        ] {
            if let Some(state) = state {
                recorded.push((delivery.step, when, state));
            }
        }
    }
    for compromise in &run.compromises {
        for state in &compromise.exposure.states {
            recorded.push((compromise.step, "exposed", state));
        }
    }
    for record in &run.records {
        if let Record::States { step, alice, bob } = record {
            for state in [alice, bob].into_iter().flatten() {
                recorded.push((*step, "after an event", state));
            }
        }
    }
    for (step, when, bytes) in recorded {
        match StateView::parse(bytes) {
            None => {
                return Err(violation(
                    BOUNDS,
                    step,
                    format!("a state {when} is not a SPEC §6 encoding"),
                ));
            }
            Some(state) if state.skipped.len() > MAX_STORED_SKIPPED_KEYS => {
                return Err(violation(
                    BOUNDS,
                    step,
                    format!("a state {when} holds {} skipped keys", state.skipped.len()),
                ));
            }
            Some(_) => {}
        }
    }
    for delivery in &run.deliveries {
        let Some(message) = MessageView::parse(&delivery.bytes) else {
            continue;
        };
        let Some(why) = skip_over_bound(run, views(delivery).0.as_ref(), &message) else {
            continue;
        };
        let refused = delivery.result == Err(Failure::TooManySkipped);
        if !refused || delivery.state_before != delivery.state_after {
            return Err(violation(
                BOUNDS,
                delivery.step,
                format!(
                    "{} ({why}){}",
                    describe(delivery),
                    if refused { ", changing its state" } else { "" }
                ),
            ));
        }
    }
    Ok(())
}

/// What became of the key of position `(dh, n)` at `party`, by the deliveries before
/// the one at index `upto`.
enum Fate {
    /// No decryption stored it (by SPEC §4.6's schedule).
    NeverStored,
    /// Stored, then evicted: removed by a decryption whose state after holds exactly
    /// `MAX_STORED_SKIPPED_KEYS` keys, with every key stored before it.
    Evicted(usize),
    /// Stored, then gone otherwise.
    Lost(String),
}

/// Whether the successful decryption of `message` from `state` (none: Bob's
/// acceptance) stores the key of `(dh, n)`, by SPEC §4.6's schedule: the positions it
/// skips in the old chain (`Nr..H.pn`, if it makes a DH ratchet step) and in the
/// message's chain (up to `H.n`).
fn stores(state: Option<&StateView>, message: &MessageView, dh: &[u8; 32], n: u32) -> bool {
    let Some(state) = state else {
        return message.dh == *dh && n < message.n;
    };
    if state.holds(&message.dh, message.n).is_some() {
        return false;
    }
    let chain = state.ckr.is_some() && state.dhr.is_some();
    if state.is_current(&message.dh) {
        return chain && message.dh == *dh && state.nr <= n && n < message.n;
    }
    let old = chain && state.is_current(dh) && state.nr <= n && n < message.pn;
    old || (message.dh == *dh && n < message.n)
}

fn fate(run: &Run, party: Party, upto: usize, dh: &[u8; 32], n: u32) -> Fate {
    let mut stored = None;
    for delivery in &run.deliveries[..upto] {
        if delivery.to != party || delivery.result.is_err() {
            continue;
        }
        let (Some(message), (before, Some(after))) =
            (MessageView::parse(&delivery.bytes), views(delivery))
        else {
            continue;
        };
        let held_before = before.as_ref().is_some_and(|b| b.holds(dh, n).is_some());
        match stored {
            None if stores(before.as_ref(), &message, dh, n) => stored = Some(delivery.step),
            None => continue,
            Some(at) if !held_before => {
                return Fate::Lost(format!(
                    "stored at step {at}, gone before the delivery at step {} with no decryption removing it",
                    delivery.step
                ));
            }
            Some(_) => {}
        }
        if after.holds(dh, n).is_some() {
            continue;
        }
        if held_before && message.dh == *dh && message.n == n {
            return Fate::Lost(format!(
                "used by the decryption at step {} (of other bytes at the same position)",
                delivery.step
            ));
        }
        // Evicted: the store is full, and every key older than this one is gone.
        let kept: HashSet<&SkippedView> = after.skipped.iter().collect();
        let older = before.as_ref().map_or(&[][..], |b| {
            let at = b.skipped.iter().position(|k| k.dh == *dh && k.n == n);
            &b.skipped[..at.unwrap_or(b.skipped.len())]
        });
        let full = after.skipped.len() == MAX_STORED_SKIPPED_KEYS;
        return if full && older.iter().all(|key| !kept.contains(key)) {
            Fate::Evicted(delivery.step)
        } else {
            Fate::Lost(format!(
                "removed by the decryption at step {}, which leaves {} keys stored",
                delivery.step,
                after.skipped.len()
            ))
        };
    }
    match stored {
        None => Fate::NeverStored,
        Some(at) => Fate::Lost(format!(
            "stored at step {at}, gone with no decryption removing it"
        )),
    }
}

/// Why the genuine first delivery at index `index` of `sent` may be refused, if it
/// may (see [`liveness`]); `Err` when the refusal is the protocol's fault with a reason.
fn excuse(run: &Run, index: usize, sent: &SentMessage) -> Result<Option<String>, String> {
    let delivery = &run.deliveries[index];
    let Some(message) = MessageView::parse(&sent.bytes) else {
        return Err("the message sent does not decode".to_owned());
    };
    let before = views(delivery).0;
    if let Some(why) = skip_over_bound(run, before.as_ref(), &message) {
        return Ok(Some(why));
    }
    let Some(state) = before else {
        return Ok(None);
    };
    if state.holds(&message.dh, message.n).is_some() {
        return Ok(None);
    }
    match fate(run, delivery.to, index, &message.dh, message.n) {
        Fate::Evicted(step) => Ok(Some(format!("its skipped key was evicted at step {step}"))),
        Fate::Lost(why) => Err(format!("its skipped key was {why}")),
        Fate::NeverStored if state.is_current(&message.dh) && message.n < state.nr => Err(format!(
            "Nr = {} passed H.n = {} without storing its key",
            state.nr, message.n
        )),
        Fate::NeverStored => Ok(None),
    }
}

/// `liveness`: every genuine first delivery of a message to its addressee decrypts to
/// exactly the plaintext sent, if the addressee has a session, or is Bob accepting a
/// PreKey message.
///
/// Exceptions, each read from the recipient's recorded states and the header:
/// - the message is over a bound: SPEC §4.6 must refuse it as `TooManySkipped`
///   ([`bounds`] checks that it does), its old chain (`H.pn`) or its own (`H.n`)
///   needing more than `MAX_SKIP` keys skipped;
/// - its key was evicted: an earlier decryption stored its key (by SPEC §4.6's
///   schedule) and a later one (or the same) removed it while filling the store to
///   exactly `MAX_STORED_SKIPPED_KEYS`, with every key older than it.
///
/// Nothing else is excused. In particular these do not arise in a correct run, and are
/// violations if they do: a key stored and then lost otherwise, or never stored though
/// `Nr` passed its position; a PreKey message Bob's session refuses as
/// `PreKeyMismatch` (Alice's PreKey messages all carry the PreKey header Bob's session
/// was made from; Bob accepts at most once, with every prekey still his); a ratchet
/// message to Bob before he has a session (Alice sends none before she has heard from
/// him); a message from a chain the recipient never reached (the peer makes a new
/// ratchet key only on receiving one from the recipient, which the recipient makes
/// only on reaching the peer's previous chain).
///
/// # Errors
/// The first such delivery refused, or decrypted to another plaintext.
pub fn liveness(run: &Run) -> Result<(), Violation> {
    let mut delivered: HashSet<usize> = HashSet::new();
    for (index, delivery) in run.deliveries.iter().enumerate() {
        let Some(sent) = genuine(run, delivery) else {
            continue;
        };
        if !delivered.insert(sent.id) || delivery.origin != Origin::Genuine {
            continue;
        }
        let reason = match excuse(run, index, sent) {
            Ok(Some(_)) => continue,
            Ok(None) => String::new(),
            Err(why) => format!(" ({why})"),
        };
        match &delivery.result {
            Ok(plaintext) if *plaintext == sent.plaintext => {}
            Ok(_) => {
                return Err(violation(
                    LIVENESS,
                    delivery.step,
                    format!("{}, not to the plaintext sent", describe(delivery)),
                ));
            }
            Err(_) => {
                return Err(violation(
                    LIVENESS,
                    delivery.step,
                    format!("{}{reason}", describe(delivery)),
                ));
            }
        }
    }
    Ok(())
}
