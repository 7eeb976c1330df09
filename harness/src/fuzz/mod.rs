//! The bodies of the fuzz targets in `fuzz/`, as plain functions over bytes.
//!
//! Each target of `fuzz/fuzz_targets/` is a few lines: it hands libFuzzer's input
//! to one of these functions and panics with the [`Finding`] if there is one. The
//! checks live here, not in the fuzz crate, so that they build and run on stable:
//! `lockstep fuzz repro` replays a crash file through them without libFuzzer, and
//! `harness/tests/fuzz.rs` runs every committed corpus and regression file through
//! them on every `cargo test`.
//!
//! | target | input | checks |
//! |---|---|---|
//! | [`decode_messages`] | bytes | every wire decoder of spec and impl gives the same answer; what decodes re-encodes to the input |
//! | [`decrypt_untrusted`] | a session number, a recipient, framed messages | an established session given anything: no panic; a refusal leaves the state encoding unchanged; only messages the peer sent decrypt, to what was sent, once |
//! | [`state_decode`] | bytes | `Session::from_bytes` and the spec's `decode_state` agree; what decodes re-encodes to the input; an encryption from it is the same on both sides |
//! | [`conversation`] | a scenario, via `arbitrary` | spec and impl transcripts are equal; every invariant of [`crate::invariants`] holds |
//! | [`conversation_impl`] | the same | the implementation alone keeps every invariant (faster: no spec) |
//! | [`primitives_differential`] | an operation byte and its inputs | spec ≡ impl for X25519, the AEAD, HKDF/HMAC/SHA-2, XEdDSA and ML-KEM |
//! | [`franking`] | a mode byte, then a franked message, report or delivery | SPEC §9: decoders and `Stamp` spec ≡ impl; report verification spec ≡ impl and accepts only stamped messages; franked decryption spec ≡ impl, transactional, and what it accepts reports |
//!
//! The spec is slow (an X25519 takes milliseconds in it, SPEC's set-up a quarter of
//! a second), so the targets that run it keep their inputs small: `conversation`
//! draws its seed from [`CONVERSATION_SEEDS`] values, so the spec's set-ups can be
//! remembered, and bounds its events and bursts ([`MAX_CONVERSATION_EVENTS`],
//! [`MAX_CONVERSATION_BURST`]). `decrypt_untrusted` is the implementation alone, at
//! full speed.

use core::fmt;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use lockstep::session::Session;
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use sha2::{Digest, Sha256};

use crate::driver::{
    Driver, Exposure, Failure, ImplDriver, OtherSessionInputs, SetUpInputs, SpecDriver,
};
use crate::model::{
    BundlePart, Event, Field, HeaderFields, Party, Scenario, SetUp, Tamper, WireKey,
};
use crate::run::{Run, first_divergence, run};
use crate::sides::{Impl, Primitives, Refusal, Spec};

// One file per target, split along the section banners this file had; each child
// sees what this module sees (`use super::*`) and its items keep their old reach.
mod conversations;
mod decode;
mod franking;
mod primitives;
mod seeds;
mod state;
mod untrusted;

pub use conversations::*;
pub use decode::*;
pub use franking::*;
pub use primitives::*;
pub use seeds::*;
pub use state::*;
pub use untrusted::*;

/// A property a fuzz target checks that failed on an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The target that found it.
    pub target: &'static str,
    /// The property that failed, in a few words.
    pub property: &'static str,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.target, self.property, self.detail)
    }
}

/// One fuzz target: its name (the file `fuzz/fuzz_targets/<name>.rs`), what it
/// checks, and its body.
#[derive(Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// What it checks, in one line.
    pub about: &'static str,
    /// The longest input worth trying (libFuzzer's `-max_len`).
    pub max_len: usize,
    /// The body: `Err` is a finding (the fuzz target panics with it).
    pub check: fn(&[u8]) -> Result<(), Finding>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

const TARGETS: &[Target] = &[
    Target {
        name: "decode_messages",
        about: "every wire decoder, spec against impl; what decodes re-encodes identically",
        // A PreKey message carrying the longest ratchet message, and one byte more.
        max_len: lockstep::consts::PREKEY_HEADER_LEN + lockstep::wire::MAX_RATCHET_MESSAGE_LEN + 1,
        check: decode_messages,
    },
    Target {
        name: "decrypt_untrusted",
        about: "an established session receives anything: refusals leave its state unchanged",
        max_len: 8192,
        check: decrypt_untrusted,
    },
    Target {
        name: "state_decode",
        about: "Session::from_bytes against the spec's decode_state; re-encodes identically",
        max_len: 8192,
        check: state_decode,
    },
    Target {
        name: "conversation",
        about: "a whole scenario: spec and impl transcripts equal, every invariant holds",
        max_len: 1024,
        check: conversation,
    },
    Target {
        name: "conversation_impl",
        about: "a whole scenario through the implementation alone: every invariant holds",
        max_len: 1024,
        check: conversation_impl,
    },
    Target {
        name: "primitives_differential",
        about: "X25519, AEAD, HKDF, XEdDSA and ML-KEM: spec against impl",
        max_len: 4096,
        check: primitives_differential,
    },
    Target {
        name: "franking",
        about: "franking (SPEC §9): decoders, report verification and franked decryption, spec against impl",
        max_len: 8192,
        check: franking,
    },
];

/// Every fuzz target, in the order `lockstep fuzz` runs them.
#[must_use]
pub fn targets() -> &'static [Target] {
    TARGETS
}

/// The target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<&'static Target> {
    targets().iter().find(|t| t.name == name)
}

/// "the targets: a, b, c" (or "there are no fuzz targets"), for messages and
/// `--help` texts.
#[must_use]
pub fn target_list() -> String {
    let names: Vec<&str> = targets().iter().map(|t| t.name).collect();
    if names.is_empty() {
        "there are no fuzz targets".to_owned()
    } else {
        format!("the targets: {}", names.join(", "))
    }
}

fn finding(target: &'static str, property: &'static str, detail: impl Into<String>) -> Finding {
    Finding {
        target,
        property,
        detail: detail.into(),
    }
}

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}
