//! Reading one request (docs/CONFORMANCE.md §2): its fields, checked, and the
//! refusals a reply can carry.

use serde_json::{Map, Value};

/// Why a command was refused: a SPEC §7 error of `lockstep`'s, or one of the three
/// names of the shim protocol's own (docs/CONFORMANCE.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A refusal of `lockstep`'s, by its SPEC §7 name.
    Protocol(lockstep::Error),
    /// The party has no session, or is not the party the shim plays.
    NoSession,
    /// A command or capability the shim does not offer.
    Unsupported,
    /// The request is not valid JSON, lacks a field or has a malformed one.
    BadRequest,
}

impl Refusal {
    /// The name the reply carries.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Refusal::Protocol(error) => error.name(),
            Refusal::NoSession => "NoSession",
            Refusal::Unsupported => "Unsupported",
            Refusal::BadRequest => "BadRequest",
        }
    }
}

impl From<lockstep::Error> for Refusal {
    fn from(error: lockstep::Error) -> Self {
        Refusal::Protocol(error)
    }
}

/// One of the two parties of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Party {
    /// The initiator.
    Alice,
    /// The responder, whose bundle and prekeys start the conversation.
    Bob,
}

impl Party {
    /// The index of the party's slot in a pair.
    pub(crate) fn slot(self) -> usize {
        match self {
            Party::Alice => 0,
            Party::Bob => 1,
        }
    }
}

/// A request's fields. Every accessor refuses a missing or malformed field with
/// [`Refusal::BadRequest`]; fields nobody asks for are ignored (§2: later minor
/// versions may add some).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// The field `name`, whatever it holds.
    fn get(self, name: &str) -> Result<&'a Value, Refusal> {
        self.0.get(name).ok_or(Refusal::BadRequest)
    }

    /// A string field.
    pub(crate) fn str(self, name: &str) -> Result<&'a str, Refusal> {
        self.get(name)?.as_str().ok_or(Refusal::BadRequest)
    }

    /// A byte string field (hexadecimal), of any length.
    pub(crate) fn bytes(self, name: &str) -> Result<Vec<u8>, Refusal> {
        hex_value(self.get(name)?)
    }

    /// A byte string field of exactly `N` bytes.
    pub(crate) fn array<const N: usize>(self, name: &str) -> Result<[u8; N], Refusal> {
        <[u8; N]>::try_from(self.bytes(name)?).map_err(|_| Refusal::BadRequest)
    }

    /// A field that is `null` or a byte string of exactly `N` bytes. Missing is
    /// malformed: the request must say which.
    pub(crate) fn optional_array<const N: usize>(
        self,
        name: &str,
    ) -> Result<Option<[u8; N]>, Refusal> {
        match self.get(name)? {
            Value::Null => Ok(None),
            _ => self.array(name).map(Some),
        }
    }

    /// A list of byte string fields of any length.
    pub(crate) fn bytes_list(self, name: &str) -> Result<Vec<Vec<u8>>, Refusal> {
        self.get(name)?
            .as_array()
            .ok_or(Refusal::BadRequest)?
            .iter()
            .map(hex_value)
            .collect()
    }

    /// A boolean field.
    pub(crate) fn bool(self, name: &str) -> Result<bool, Refusal> {
        self.get(name)?.as_bool().ok_or(Refusal::BadRequest)
    }

    /// An unsigned 32-bit integer field.
    pub(crate) fn u32(self, name: &str) -> Result<u32, Refusal> {
        let value = self.get(name)?.as_u64().ok_or(Refusal::BadRequest)?;
        u32::try_from(value).map_err(|_| Refusal::BadRequest)
    }

    /// A list of unsigned integers (`hello`'s `versions`).
    pub(crate) fn u64_list(self, name: &str) -> Result<Vec<u64>, Refusal> {
        self.get(name)?
            .as_array()
            .ok_or(Refusal::BadRequest)?
            .iter()
            .map(|v| v.as_u64().ok_or(Refusal::BadRequest))
            .collect()
    }

    /// The `party` field: `"alice"` or `"bob"`.
    pub(crate) fn party(self) -> Result<Party, Refusal> {
        match self.str("party")? {
            "alice" => Ok(Party::Alice),
            "bob" => Ok(Party::Bob),
            _ => Err(Refusal::BadRequest),
        }
    }
}

/// The bytes of a JSON hexadecimal string.
fn hex_value(value: &Value) -> Result<Vec<u8>, Refusal> {
    value
        .as_str()
        .and_then(|text| hex::decode(text).ok())
        .ok_or(Refusal::BadRequest)
}
