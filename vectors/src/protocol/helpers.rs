//! Helpers: hex, fixed-size arrays and the errors that name the field.

use super::*;

/// The error names of docs/SPEC.md §7.
pub(super) const ERROR_NAMES: [&str; 17] = [
    "UnknownVersion",
    "InvalidMessage",
    "MessageTooLarge",
    "InvalidSignature",
    "InvalidKey",
    "NonContributory",
    "TooManySkipped",
    "Duplicate",
    "DecryptionFailed",
    "NoSendingChain",
    "ChainExhausted",
    "PreKeyMismatch",
    "InvalidState",
    "PreKeyReplay",
    "CommitmentMismatch",
    "InvalidStamp",
    "NotRecipient",
];

pub(super) fn is_error_name(name: &str) -> bool {
    ERROR_NAMES.contains(&name)
}

pub(super) fn parse_file<T: DeserializeOwned>(file: &'static str, text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|source| Error::Json { file, source })
}

pub(super) fn check_id(id: &str, source: &str, description: &str) -> Result<(), Error> {
    for (field, value) in [("id", id), ("source", source), ("description", description)] {
        if value.trim().is_empty() {
            return Err(invalid(id, field, "must not be empty"));
        }
    }
    Ok(())
}

pub(super) fn note(id: &str, note: String) -> Result<String, Error> {
    if note.trim().is_empty() {
        return Err(invalid(id, "note", "must say what the step shows"));
    }
    Ok(note)
}

pub(super) fn check_unique<'a>(ids: impl Iterator<Item = &'a str>) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(invalid(id, "id", "appears twice in its file"));
        }
    }
    Ok(())
}

/// A message on the wire: at least a ratchet message's header and tag.
pub(super) fn message(id: &str, field: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    let value = bytes(id, field, text)?;
    if value.len() < MIN_RATCHET_MESSAGE_LEN {
        return Err(invalid(id, field, "shorter than any message"));
    }
    Ok(value)
}

/// A state encoding: the fixed part, whole skipped keys, and perhaps a PreKey header.
pub(super) fn state_encoding(id: &str, field: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    let value = bytes(id, field, text)?;
    let mut rest = value.len().checked_sub(STATE_FIXED_LEN);
    if value
        .get(1)
        .is_some_and(|flags| flags & FLAG_PENDING_PREKEY != 0)
    {
        rest = rest.and_then(|rest| rest.checked_sub(PREKEY_HEADER_LEN));
    }
    match rest {
        Some(rest) if rest % SKIPPED_KEY_LEN == 0 => Ok(value),
        _ => Err(invalid(id, field, "not the length of a state encoding")),
    }
}
