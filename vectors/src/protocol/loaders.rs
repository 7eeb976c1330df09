//! Loaders: the committed files, parsed and checked.

use super::*;

/// The PQXDH handshakes of `protocol/pqxdh.json`.
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn pqxdh() -> Result<Vec<PqxdhVector>, Error> {
    parse_pqxdh(include_str!("../../protocol/pqxdh.json"))
}

/// The conversations of `protocol/ratchet.json`.
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn ratchet() -> Result<Vec<Conversation>, Error> {
    parse_ratchet(include_str!("../../protocol/ratchet.json"))
}

/// The state encodings of `protocol/state.json`.
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn state() -> Result<StateVectors, Error> {
    parse_state(include_str!("../../protocol/state.json"))
}

/// The rule vectors of `protocol/rules.json`.
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn rules() -> Result<RuleVectors, Error> {
    parse_rules(include_str!("../../protocol/rules.json"))
}

/// The franking vectors of `protocol/franking.json` (SPEC §9).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn franking() -> Result<FrankingVectors, Error> {
    parse_franking(include_str!("../../protocol/franking.json"))
}
