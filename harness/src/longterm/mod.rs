//! Checks against long-term key compromise and against the quantum adversary
//! (issue 12, points 5 and 6), and the `held-values` check (point 9).
//!
//! The invariants of [`crate::invariants`] expose a party's session state (SPEC §6).
//! The harness also knows every long-term secret of a scenario: the set-up's keys are
//! drawn from its seed ([`crate::run::set_up_inputs`]), so these checks hand an
//! adversary any subset of them, and it computes with `lockstep-spec`'s public
//! functions, as the adversary of [`crate::adversary`] does. None of them compares a
//! value with one the honest spec computes: the adversary either opens a ciphertext
//! (AEAD) with keys it derived from what it holds, or gets a party to accept a message
//! it made.
//!
//! | check | adversary holds | claim |
//! |---|---|---|
//! | [`HELD_VALUES`] | one exposed state (as [`crate::invariants::forward_secrecy`]) | no value the state holds, nor `HMAC(v, 0x01)` / `HMAC(v, 0x02)` of one, is the message key of a message its party already sent or decrypted |
//! | [`LONG_TERM_FORWARD_SECRECY`] | after Bob accepted: `IK_B`, `SPK_B` and his prekey store as it stands (a used one-time prekey deleted, a last-resort PQ prekey kept), and the transcript | if a one-time prekey was used (`OPK_B`, or a one-time `PQPK_B`), no message is opened |
//! | [`KEY_COMPROMISE_IMPERSONATION`] | `IK_B`, `OPK_B`, `PQPK_B` (not `SPK_B`), Alice's public keys | no PreKey message it makes is accepted by Bob as from Alice |
//! | [`IDENTITY_MISBINDING`] | Alice's PreKey message for Bob | Carol (her own keys; or Bob's prekeys with her own identity key) refuses it; Bob refuses it with `IK_A` or `EK_A` re-encoded (another identity with the same DH results) |
//! | [`HARVEST_NOW_DECRYPT_LATER`] | the transcript, and every X25519 private key of the run (identity, signed prekey, one-time prekey, `ek_a`, every ratchet key), not the ML-KEM decapsulation key | no message of the conversation is opened |
//!
//! What the adversaries try for `SK` ([`sk_candidates`]): SPEC §3.4's KDF over the
//! DH values they hold, in order, with those they lack left out and, in turn, each
//! one they hold left out; with `SS` if they hold it, else without it or as 32 zero
//! bytes; with `info = INFO_PQXDH ‖ TH` and `INFO_PQXDH` alone. Each guess is tried
//! on Alice's first chain (`KDF_RK(SK, DH(r, SPK_B))`, the chain her first messages
//! are sealed on): every later key of the conversation descends from `SK` through the
//! root chain, so a guess that does not open those opens nothing after them either.

use lockstep_spec as spec;
use sha2::{Digest, Sha256};
use spec::ByteSeq;
use spec::consts::{F, INFO_PQXDH, MSG_PREKEY};
use spec::ml_kem::SharedSecret;
use spec::pqxdh::SharedKey;
use spec::ratchet::{ChainKey, MessageKey, RootKey, State, header_ad, kdf_ck, kdf_rk};
use spec::sha256::Sha256Digest;
use spec::wire::{
    Message, PreKeyBundle, PreKeyHeader, RatchetHeader, RatchetMessage, decode_message,
    encode_prekey_header, encode_ratchet_message,
};
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base, x25519_dh};

use crate::driver::{Driver, OPK_ID, PQPK_ID, SPK_ID, SetUpInputs};
use crate::invariants::{StateView, Violation};
use crate::model::{Party, Scenario};
use crate::run::{Run, set_up_inputs};

/// Makes a fresh driver of the protocol under test (for the checks that deliver
/// forged messages to a fresh Bob, or build a third party, Carol).
pub type Maker<'a> = &'a dyn Fn() -> Box<dyn Driver>;

/// The name of [`held_values`].
pub const HELD_VALUES: &str = "held-values";
/// The name of [`long_term_forward_secrecy`].
pub const LONG_TERM_FORWARD_SECRECY: &str = "long-term-forward-secrecy";
/// The name of [`key_compromise_impersonation`].
pub const KEY_COMPROMISE_IMPERSONATION: &str = "key-compromise-impersonation";
/// The name of [`identity_misbinding`].
pub const IDENTITY_MISBINDING: &str = "identity-misbinding";
/// The name of [`harvest_now_decrypt_later`].
pub const HARVEST_NOW_DECRYPT_LATER: &str = "harvest-now-decrypt-later";

/// One check of this module.
#[derive(Clone, Copy, Debug)]
pub struct LongTermCheck {
    /// Its name.
    pub name: &'static str,
    /// One line saying what it checks.
    pub description: &'static str,
    /// The check, over a scenario, the run of it on a driver made by the maker, and
    /// the maker.
    pub check: fn(&Scenario, &Run, Maker<'_>) -> Result<(), Violation>,
}

static ALL: [LongTermCheck; 5] = [
    LongTermCheck {
        name: HELD_VALUES,
        description: "no value an exposed state holds (nor HMAC of it with 0x01 or 0x02) opens a message its party had sent or decrypted",
        check: |_, run, _| held_values(run),
    },
    LongTermCheck {
        name: LONG_TERM_FORWARD_SECRECY,
        description: "Bob's identity key, signed prekey and prekey store, exposed after a one-time prekey was used and deleted, open no earlier message",
        check: long_term_forward_secrecy,
    },
    LongTermCheck {
        name: KEY_COMPROMISE_IMPERSONATION,
        description: "Bob's identity key and one-time and PQ prekeys do not let the adversary make a PreKey message Bob accepts as from Alice",
        check: key_compromise_impersonation,
    },
    LongTermCheck {
        name: IDENTITY_MISBINDING,
        description: "Alice's PreKey message for Bob is refused by Carol, and by Bob under any other encoding of IK_A or EK_A",
        check: identity_misbinding,
    },
    LongTermCheck {
        name: HARVEST_NOW_DECRYPT_LATER,
        description: "the transcript and every X25519 private key, without the ML-KEM key, open no message",
        check: harvest_now_decrypt_later,
    },
];

/// Every check of this module.
#[must_use]
pub fn all() -> &'static [LongTermCheck] {
    &ALL
}

/// The check named `name`.
#[must_use]
pub fn by_name(name: &str) -> Option<&'static LongTermCheck> {
    ALL.iter().find(|check| check.name == name)
}

/// Plays `scenario` on a driver from `make` and runs every check of this module.
///
/// # Errors
/// The first violation.
pub fn check_all(scenario: &Scenario, make: Maker<'_>) -> Result<(), Violation> {
    let run = crate::run::run(make().as_mut(), scenario);
    check_run(scenario, &run, make)
}

/// Every check of this module over a run of `scenario` made already.
///
/// # Errors
/// The first violation.
pub fn check_run(scenario: &Scenario, run: &Run, make: Maker<'_>) -> Result<(), Violation> {
    for check in all() {
        (check.check)(scenario, run, make)?;
    }
    Ok(())
}

fn violation(name: &'static str, step: Option<usize>, detail: String) -> Violation {
    Violation {
        invariant: name,
        step,
        detail,
    }
}

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod check;
mod forward_secrecy;
mod held_values;
mod hndl;
mod kci;
mod misbinding;
mod reading;

pub use check::*;
pub use forward_secrecy::*;
pub use held_values::*;
pub use hndl::*;
pub use kci::*;
pub use misbinding::*;
pub use reading::*;
