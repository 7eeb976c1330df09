//! The runner: plays a [`Scenario`] on a [`Driver`] and records what happened.
//!
//! The runner owns the network (the messages in flight, the ones delivered) and
//! every random byte. Randomness comes from the scenario's seed: the set-up's keys
//! from one stream; each plaintext from a stream keyed by its sender and its place
//! among the sender's messages, and each ratchet key from one keyed by its recipient
//! and its place among the recipient's deliveries ([`Conversation`]). Both drivers
//! get the same bytes whatever they answer, and a party's bytes do not move when
//! another party's events are removed or reordered.
//!
//! A [`Run`] keeps two things: the [`Record`]s, which are everything observable
//! (every wire byte, plaintext, refusal and both state encodings after each event)
//! and are what spec and impl must agree on; and the structured log the invariants
//! ([`crate::invariants`]) read: the messages sent, the deliveries with the
//! recipient's state before and after, and the compromises.

use lockstep::consts::{MSG_PREKEY, PREKEY_HEADER_LEN, RATCHET_HEADER_LEN};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use lockstep_spec::edwards25519::{self as ed, EncodedPoint, Point};
use lockstep_spec::field25519::{self as fe, FieldElement, SerializedFieldElement};

use crate::driver::{
    AeadUse, Driver, Exposure, Failure, ImplDriver, OtherSessionInputs, SetUpInputs, SpecDriver,
};
use crate::model::{
    BundlePart, Event, Field, HeaderFields, MAX_BURST, MAX_SEND_LEN, Party, Scenario, Tamper,
    WireKey,
};

/// How a delivered message came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// Sent by the peer, delivered for the first time by [`Event::Deliver`].
    Genuine,
    /// Delivered again by [`Event::Duplicate`].
    Replay,
    /// Delivered to its own sender by [`Event::Reflect`].
    Reflected,
    /// Changed by [`Event::Tamper`].
    Tampered,
    /// From another session, by [`Event::Inject`].
    Injected,
}

/// One observable fact of a run. Spec and impl runs of one scenario must produce
/// equal lists of records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// The bundle's bytes, or why set-up failed.
    SetUp {
        /// The bundle (SPEC §3.2) or the refusal.
        bundle: Result<Vec<u8>, Failure>,
    },
    /// An encryption: the message bytes or the refusal.
    Sent {
        /// The event's position.
        step: usize,
        /// The sender.
        from: Party,
        /// The wire bytes, or the refusal.
        result: Result<Vec<u8>, Failure>,
        /// The ChaCha20-Poly1305 key and nonce the driver reports it sealed with.
        #[serde(default)]
        aead: Option<AeadUse>,
    },
    /// A decryption (or Bob's acceptance).
    Delivered {
        /// The event's position.
        step: usize,
        /// The recipient.
        to: Party,
        /// How the message came to be.
        origin: Origin,
        /// The bytes delivered.
        bytes: Vec<u8>,
        /// The plaintext, or the refusal.
        result: Result<Vec<u8>, Failure>,
        /// The ChaCha20-Poly1305 key and nonce the driver reports it opened with.
        #[serde(default)]
        aead: Option<AeadUse>,
    },
    /// A forged bundle ([`Tamper::Bundle`]) given to Alice to verify.
    BundleForged {
        /// The event's position.
        step: usize,
        /// The forged bundle's bytes.
        bytes: Vec<u8>,
        /// Whether Alice's decoding and verification accepted it, or why not.
        result: Result<(), Failure>,
    },
    /// The other session of [`Event::Inject`] was made: its two messages.
    OtherSession {
        /// The event's position.
        step: usize,
        /// The two PreKey messages, or the refusal.
        result: Result<[Vec<u8>; 2], Failure>,
    },
    /// The adversary copied a party's state.
    Compromised {
        /// The event's position.
        step: usize,
        /// Whose.
        party: Party,
        /// What it got.
        exposure: Exposure,
    },
    /// An event that had nothing to act on.
    Skipped {
        /// The event's position.
        step: usize,
        /// Why.
        why: String,
    },
    /// Both parties' state encodings (SPEC §6) after an event.
    States {
        /// The event's position.
        step: usize,
        /// Alice's.
        alice: Option<Vec<u8>>,
        /// Bob's, once he has accepted.
        bob: Option<Vec<u8>>,
    },
}

/// A message that was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// Its position among the messages sent.
    pub id: usize,
    /// The event that sent it.
    pub step: usize,
    /// The sender.
    pub from: Party,
    /// The wire bytes.
    pub bytes: Vec<u8>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The sender's state encoding just before encrypting.
    pub state_before: Vec<u8>,
    /// The ChaCha20-Poly1305 key and nonce the driver reports it sealed with.
    pub aead: Option<AeadUse>,
}

/// A delivery of bytes to a party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The event.
    pub step: usize,
    /// The recipient.
    pub to: Party,
    /// How the bytes came to be.
    pub origin: Origin,
    /// The sent message the bytes come from (none for an injected one).
    pub message: Option<usize>,
    /// The bytes delivered.
    pub bytes: Vec<u8>,
    /// The ratchet private key the recipient was given.
    pub r: [u8; 32],
    /// The plaintext or the refusal.
    pub result: Result<Vec<u8>, Failure>,
    /// The recipient's state encoding before (none: no session yet).
    pub state_before: Option<Vec<u8>>,
    /// And after.
    pub state_after: Option<Vec<u8>>,
    /// The ChaCha20-Poly1305 key and nonce the driver reports it opened with (a
    /// successful decryption's).
    pub aead: Option<AeadUse>,
}

/// A forged bundle given to Alice ([`Tamper::Bundle`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForgedBundle {
    /// The event.
    pub step: usize,
    /// What was re-encoded.
    pub part: BundlePart,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Alice's verdict.
    pub result: Result<(), Failure>,
}

/// A compromise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compromise {
    /// The event.
    pub step: usize,
    /// Whose state.
    pub party: Party,
    /// What the adversary got.
    pub exposure: Exposure,
}

/// Everything a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// What must be equal between spec and impl.
    pub records: Vec<Record>,
    /// The set-up's bundle bytes, if set-up succeeded.
    pub bundle: Option<Vec<u8>>,
    /// Every message sent, in order.
    pub sent: Vec<SentMessage>,
    /// Every delivery, in order.
    pub deliveries: Vec<Delivery>,
    /// Every compromise, in order.
    pub compromises: Vec<Compromise>,
    /// Every forged bundle given to Alice, in order.
    pub forged_bundles: Vec<ForgedBundle>,
    /// The number of events played.
    pub steps: usize,
}

/// The random stream of one part of a scenario: ChaCha20 keyed by
/// SHA-256(seed ‖ label ‖ index).
fn stream(seed: &[u8; 32], label: &[u8], index: u64) -> ChaCha20Rng {
    let mut hash = Sha256::new();
    hash.update(b"lockstep harness stream\0");
    hash.update(seed);
    hash.update(label);
    hash.update(index.to_be_bytes());
    ChaCha20Rng::from_seed(hash.finalize().into())
}

fn draw<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

fn draw_vec(rng: &mut ChaCha20Rng, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

/// The set-up inputs of a scenario (also what a test needs to redo the set-up).
#[must_use]
pub fn set_up_inputs(scenario: &Scenario) -> SetUpInputs {
    let mut rng = stream(&scenario.seed, b"set-up", 0);
    SetUpInputs {
        set_up: scenario.set_up,
        ik_a: draw(&mut rng),
        ik_b: draw(&mut rng),
        spk_b: draw(&mut rng),
        opk_b: draw(&mut rng),
        pq_seed: draw(&mut rng),
        z_spk: draw(&mut rng),
        z_pqpk: draw(&mut rng),
        ek_a: draw(&mut rng),
        m: draw(&mut rng),
        r_a: draw(&mut rng),
    }
}

/// Where the ratchet message starts in `bytes`: after the PreKey header for a
/// PreKey message, else at 0.
fn ratchet_offset(bytes: &[u8]) -> usize {
    if bytes.len() >= PREKEY_HEADER_LEN && bytes.get(1) == Some(&MSG_PREKEY) {
        PREKEY_HEADER_LEN
    } else {
        0
    }
}

/// `bytes` changed as `how` says; always different from `bytes` (for a non-empty
/// message). [`Tamper::SwapHeader`] has no donor here (see [`forge`]) and flips a
/// bit; [`Tamper::Bundle`] takes `bytes` to be a bundle.
#[must_use]
pub fn tamper(bytes: &[u8], how: Tamper) -> Vec<u8> {
    forge(bytes, how, None)
}

/// `bytes` changed as `how` says, with `donor` the message whose header fields
/// [`Tamper::SwapHeader`] copies; always different from `bytes` (for a non-empty
/// message).
#[must_use]
pub fn forge(bytes: &[u8], how: Tamper, donor: Option<&[u8]>) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.is_empty() {
        out.push(0);
        return out;
    }
    let len = out.len();
    let at = |offset: usize| offset % len;
    match how {
        Tamper::Flip { offset, mask } => out[at(usize::from(offset))] ^= mask.max(1),
        Tamper::Truncate { len: keep } => out.truncate(usize::from(keep) % len),
        Tamper::Extend { byte, count } => {
            out.extend(std::iter::repeat_n(byte, usize::from(count) + 1));
        }
        Tamper::Field { field, value } => {
            let r = ratchet_offset(bytes);
            let be = value.to_be_bytes();
            let prekey = r > 0;
            let (offset, new): (usize, &[u8]) = match field {
                Field::Version => (r, &be[3..]),
                Field::Type => (r + 1, &be[3..]),
                Field::RatchetKey => (r + 2, &be),
                Field::PreviousCount => (r + 34, &be),
                Field::Number => (r + 38, &be),
                Field::Ciphertext => (r + RATCHET_HEADER_LEN, &be[3..]),
                Field::Tag => (len - 1, &be[3..]),
                Field::PreKeyIdentity if prekey => (2, &be),
                Field::PreKeyKemCiphertext if prekey => {
                    (79 + usize::try_from(value % 1568).unwrap_or(0), &be[3..])
                }
                Field::PreKeyOpkFlag if prekey => (74, &be[3..]),
                _ => (0, &[]),
            };
            for (i, b) in new.iter().enumerate() {
                if let Some(slot) = out.get_mut(offset + i) {
                    *slot = *b;
                }
            }
            if out == bytes {
                out[at(offset)] ^= 1;
            }
        }
        Tamper::SmallOrder { key, torsion } => {
            let r = ratchet_offset(bytes);
            let offset = match key {
                WireKey::PreKeyIdentity if r > 0 => Some(2),
                WireKey::PreKeyEphemeral if r > 0 => Some(34),
                WireKey::RatchetKey => Some(r + 2),
                _ => None,
            };
            if let Some(offset) = offset {
                replace_key(&mut out, offset, torsion_index(torsion));
            }
        }
        Tamper::SwapHeader { fields, .. } => {
            let (from, to) = match fields {
                HeaderFields::RatchetKey => (2, 34),
                HeaderFields::Counters => (34, 42),
                HeaderFields::All => (2, 42),
            };
            let r = ratchet_offset(bytes);
            if let Some(donor) = donor {
                let d = ratchet_offset(donor);
                if let (Some(src), Some(dst)) =
                    (donor.get(d + from..d + to), out.get_mut(r + from..r + to))
                {
                    dst.copy_from_slice(src);
                }
            }
        }
        Tamper::Bundle { part, variant } => forge_bundle(&mut out, part, variant),
    }
    if out == bytes {
        out[0] ^= 1;
    }
    out
}

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod encodings;

pub use encodings::*;
