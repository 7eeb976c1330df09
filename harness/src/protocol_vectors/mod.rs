//! The generator of the protocol vectors in `vectors/protocol/`, run by
//!
//! ```text
//! cargo run --release -p lockstep-cli -- vectors --out vectors/protocol
//! ```
//!
//! and by `harness/tests/protocol_vectors.rs`, which checks that the committed files
//! are exactly what it writes.
//!
//! Everything here is computed by `lockstep-spec` alone, from inputs derived from
//! labels (`lockstep_vectors::protocol` documents the derivation and the format).
//! The handshakes, conversations and states run on the checker's own driver of the
//! spec, [`SpecSide`] (the [`VectorSide`] that `crate::vector_check` replays the
//! files on, with `sign_bundle`, `pqxdh`, `start`, `encrypt`, `deliver`, `state`,
//! `decode_state`): the generator records what those calls give, and the checker
//! replays the same calls on the spec and on the implementation. The generator
//! also checks what it records, and refuses to write a file when the spec does
//! something the conversation does not expect: Bob's PQXDH keys must equal
//! Alice's, a send's chain step must be `KDF_CK`, a delivery must end as planned, a
//! refused message must leave the state unchanged, every state must round-trip
//! through its encoding.
//!
//! `franking.json` (the `franking` submodule, SPEC §9) runs a franked conversation
//! from a handshake's inputs on [`SpecSide`] as the conversations run, and makes its
//! report and decoding vectors from that conversation's bytes.
//!
//! `rules.json` (the `rules` submodule) is made from the values of the other three
//! files: each vector changes a genuine bundle, message, key or state in one or two
//! places (with the spec's own arithmetic where a change needs it, a re-signed key
//! or a recomputed hash), and the generator refuses to write it unless [`SpecSide`]
//! gives the outcome planned for it.
//!
//! The output is byte-identical on every run: the inputs are fixed, the spec is
//! deterministic, and the files are written by `lockstep_vectors::protocol`'s
//! writers, which fix field order and layout.

use std::fmt;
use std::path::{Path, PathBuf};

mod franking;
mod rules;

use lockstep_spec as spec;
use lockstep_vectors::protocol::{
    Conversation, DeliverStep, OneTimePreKey, Outcome, Party, PqxdhVector, RejectedState,
    SendLostStep, SendStep, SkippedKey, StateVector, StateVectors, Step,
};
use spec::consts::{
    MAX_SKIP, MSG_PREKEY, PREKEY_HEADER_LEN, RATCHET_HEADER_LEN, STATE_OFFSET_COUNT,
};
use spec::x25519::X25519SerializedScalar;

use crate::model;
use crate::vector_check::{
    Refusal, SpecSide, VectorSide, derived32, derived64, party as model_party,
};

/// Why the vectors could not be generated.
#[derive(Debug)]
pub enum GenerateError {
    /// A [`SpecSide`] call refused where the vectors need it to succeed.
    Refused {
        /// The vector and step.
        what: String,
        /// The refusal, by its SPEC §7 name.
        refusal: Refusal,
    },
    /// The spec did something the vectors do not expect (a mismatch between Alice's
    /// and Bob's keys, an unplanned outcome, a state changed by a refused message).
    Unexpected(String),
    /// The vectors could not be written as JSON.
    Vectors(lockstep_vectors::Error),
    /// A file could not be written.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused { what, refusal } => write!(f, "{what}: the spec refused with {refusal}"),
            Self::Unexpected(what) => write!(f, "{what}"),
            Self::Vectors(error) => write!(f, "{error}"),
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for GenerateError {}

impl From<lockstep_vectors::Error> for GenerateError {
    fn from(error: lockstep_vectors::Error) -> Self {
        Self::Vectors(error)
    }
}

fn refused(what: impl Into<String>) -> impl FnOnce(Refusal) -> GenerateError {
    let what = what.into();
    move |refusal| GenerateError::Refused { what, refusal }
}

fn unexpected(what: impl Into<String>) -> GenerateError {
    GenerateError::Unexpected(what.into())
}

/// The generated files: each name (in `vectors/protocol/`) and its text.
///
/// # Errors
/// [`GenerateError`] if the spec does not behave as the vectors expect.
pub fn generate() -> Result<Vec<(&'static str, String)>, GenerateError> {
    let handshakes = vec![
        handshake(&HandshakeSpec {
            id: "pqxdh_with_opk",
            description: "A handshake with a one-time prekey: four DH outputs and the ML-KEM shared secret go into SK.",
            spk_id: 0x0000_1001,
            pqpk_id: 0x0002_0001,
            pq_last_resort: false,
            opk_id: Some(0x0003_0001),
        })?,
        handshake(&HandshakeSpec {
            id: "pqxdh_without_opk",
            description: "A handshake without a one-time prekey: DH4 is absent, the bundle's opk_flag, opk_id and OPK_B are zero, and so are the PreKey header's opk_flag and opk_id.",
            spk_id: 0x0000_1002,
            pqpk_id: 0x0002_0002,
            pq_last_resort: false,
            opk_id: None,
        })?,
        handshake(&HandshakeSpec {
            id: "pqxdh_last_resort",
            description: "A handshake with a last-resort post-quantum prekey (pq_kind 0x01) and no one-time prekey, as when Bob's server has run out of one-time prekeys of both kinds.",
            spk_id: 0x0000_1003,
            pqpk_id: 0x0002_0003,
            pq_last_resort: true,
            opk_id: None,
        })?,
    ];
    let conversations = vec![
        in_order(&handshakes[0])?,
        out_of_order(&handshakes[1])?,
        tampered(&handshakes[2])?,
        replayed(&handshakes[0])?,
        over_max_skip(&handshakes[1])?,
        skipped_key_store(&handshakes[0])?,
    ];
    let states = states(&conversations)?;
    let rules = rules::rules(&handshakes, &conversations)?;
    let franking = franking::franking(&handshakes)?;

    Ok(vec![
        (
            "pqxdh.json",
            lockstep_vectors::protocol::pqxdh_json(&handshakes)?,
        ),
        (
            "ratchet.json",
            lockstep_vectors::protocol::ratchet_json(&conversations)?,
        ),
        (
            "state.json",
            lockstep_vectors::protocol::state_json(&states)?,
        ),
        (
            "rules.json",
            lockstep_vectors::protocol::rules_json(&rules)?,
        ),
        (
            "franking.json",
            lockstep_vectors::protocol::franking_json(&franking)?,
        ),
    ])
}

/// Generates the files and writes them into `dir` (created if need be), returning
/// their paths. Nothing is written unless every file was generated.
///
/// # Errors
/// [`GenerateError`] if generation fails or a file cannot be written.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    let files = generate()?;
    std::fs::create_dir_all(dir).map_err(|source| GenerateError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| GenerateError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod inputs;
mod pqxdh;
mod ratchet;
mod state;

use inputs::*;
use pqxdh::*;
use ratchet::*;
use state::*;
