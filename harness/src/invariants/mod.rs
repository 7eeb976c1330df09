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
    MAX_SKIP, MAX_STORED_SKIPPED_KEYS, PREKEY_HEADER_LEN, SKIPPED_KEY_LEN, STATE_FIXED_LEN, VERSION,
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
/// - `one-chain`: three messages on one chain ([`uniqueness`] as observed);
/// - `skip-bounds`: Bob, at `Nr = 1`, is handed Alice's message `MAX_SKIP + 2` (a
///   skip of `MAX_SKIP + 1`: refused), then `MAX_SKIP + 1` (a skip of exactly
///   `MAX_SKIP`: accepted, storing `MAX_STORED_SKIPPED_KEYS` keys), then message 1
///   (from a stored key) ([`bounds`], [`liveness`]).
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
    let max_skip = u16::try_from(MAX_SKIP).unwrap_or(u16::MAX);
    out.push((
        "skip-bounds".to_owned(),
        scenario(
            true,
            vec![
                send(Party::Alice),
                deliver,
                Event::Burst {
                    from: Party::Alice,
                    count: max_skip + 1,
                },
                Event::Deliver { pick: max_skip + 1 },
                Event::Deliver { pick: max_skip },
                deliver,
            ],
        ),
    ));
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

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod bounds;
mod confidentiality;
mod integrity;
mod view;

pub use bounds::*;
pub use confidentiality::*;
pub use integrity::*;
pub use view::*;
