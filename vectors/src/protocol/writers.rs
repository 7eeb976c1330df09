//! Writers: the loaders' inverses, used by the generator.

use super::*;

/// The text of `protocol/pqxdh.json` holding these vectors.
///
/// # Errors
/// [`Error::Json`] if serialisation fails (it does not for these types).
pub fn pqxdh_json(vectors: &[PqxdhVector]) -> Result<String, Error> {
    let mut raw = Vec::with_capacity(vectors.len());
    for v in vectors {
        raw.push(RawPqxdh::from(v));
    }
    write(
        PQXDH_FILE,
        &RawFile {
            primitive: PQXDH_PRIMITIVE.to_owned(),
            source: FILE_SOURCE.to_owned(),
            notes: PQXDH_NOTES.to_owned(),
            vectors: raw,
        },
    )
}

/// The text of `protocol/ratchet.json` holding these conversations.
///
/// # Errors
/// [`Error::Json`] if serialisation fails (it does not for these types).
pub fn ratchet_json(conversations: &[Conversation]) -> Result<String, Error> {
    let mut raw = Vec::with_capacity(conversations.len());
    for c in conversations {
        raw.push(RawConversation::from(c));
    }
    write(
        RATCHET_FILE,
        &RawRatchetFile {
            primitive: RATCHET_PRIMITIVE.to_owned(),
            source: FILE_SOURCE.to_owned(),
            notes: RATCHET_NOTES.to_owned(),
            conversations: raw,
        },
    )
}

/// The text of `protocol/state.json` holding these vectors.
///
/// # Errors
/// [`Error::Json`] if serialisation fails (it does not for these types).
pub fn state_json(vectors: &StateVectors) -> Result<String, Error> {
    let mut valid = Vec::with_capacity(vectors.valid.len());
    for v in &vectors.valid {
        valid.push(RawState::from(v));
    }
    let mut rejected = Vec::with_capacity(vectors.rejected.len());
    for v in &vectors.rejected {
        rejected.push(RawRejectedState {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            encoding: hex::encode(&v.encoding),
            error: v.error.clone(),
        });
    }
    write(
        STATE_FILE,
        &RawStateFile {
            primitive: STATE_PRIMITIVE.to_owned(),
            source: FILE_SOURCE.to_owned(),
            notes: STATE_NOTES.to_owned(),
            vectors: valid,
            rejected,
        },
    )
}

/// The text of `protocol/rules.json` holding these vectors.
///
/// # Errors
/// [`Error::Json`] if serialisation fails (it does not for these types).
pub fn rules_json(vectors: &RuleVectors) -> Result<String, Error> {
    write(
        RULES_FILE,
        &RawRulesFile {
            primitive: RULES_PRIMITIVE.to_owned(),
            source: FILE_SOURCE.to_owned(),
            notes: RULES_NOTES.to_owned(),
            decoding: vectors.decoding.iter().map(RawDecoding::from).collect(),
            verification: vectors
                .verification
                .iter()
                .map(RawVerification::from)
                .collect(),
            decapsulation_keys: vectors
                .decapsulation_keys
                .iter()
                .map(RawDecapsulationKey::from)
                .collect(),
            sessions: vectors.sessions.iter().map(RawSession::from).collect(),
            accepts: vectors.accepts.iter().map(RawAccept::from).collect(),
        },
    )
}

pub(super) fn write<T: Serialize>(file: &'static str, value: &T) -> Result<String, Error> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|source| Error::Json { file, source })?;
    text.push('\n');
    Ok(text)
}

/// The text of `protocol/franking.json` holding these vectors.
///
/// # Errors
/// [`Error::Json`] if serialisation fails (it does not for these types).
pub fn franking_json(vectors: &FrankingVectors) -> Result<String, Error> {
    write(
        FRANKING_FILE,
        &RawFrankingFile {
            primitive: FRANKING_PRIMITIVE.to_owned(),
            source: FILE_SOURCE.to_owned(),
            notes: FRANKING_NOTES.to_owned(),
            commits: vectors.commits.iter().map(RawCommit::from).collect(),
            stamp_tags: vectors.stamp_tags.iter().map(RawStampTag::from).collect(),
            flows: vectors.flows.iter().map(RawFrankingFlow::from).collect(),
            reports: vectors.reports.iter().map(RawReport::from).collect(),
            decoding: vectors
                .decoding
                .iter()
                .map(RawFrankedDecoding::from)
                .collect(),
        },
    )
}
