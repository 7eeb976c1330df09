//! Decoding helpers shared by the loaders: strict lowercase hex, exact lengths, and
//! errors that name the vector and the field.

use crate::Error;

pub(crate) fn invalid(id: &str, field: &'static str, reason: &'static str) -> Error {
    Error::Invalid {
        id: id.to_owned(),
        field,
        reason,
    }
}

/// Decodes lowercase hex; uppercase is rejected so the files stay in one form.
pub(crate) fn bytes(id: &str, field: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    let hex_error = || Error::Hex {
        id: id.to_owned(),
        field,
    };
    if text.bytes().any(|c| c.is_ascii_uppercase()) {
        return Err(hex_error());
    }
    hex::decode(text).map_err(|_| hex_error())
}

pub(crate) fn sized(
    id: &str,
    field: &'static str,
    text: &str,
    len: usize,
) -> Result<Vec<u8>, Error> {
    let value = bytes(id, field, text)?;
    if value.len() != len {
        return Err(Error::Length {
            id: id.to_owned(),
            field,
            expected: len,
            actual: value.len(),
        });
    }
    Ok(value)
}

pub(crate) fn array<const N: usize>(
    id: &str,
    field: &'static str,
    text: &str,
) -> Result<[u8; N], Error> {
    fixed(id, field, bytes(id, field, text)?)
}

pub(crate) fn fixed<T, const N: usize>(
    id: &str,
    field: &'static str,
    value: Vec<T>,
) -> Result<[T; N], Error> {
    let actual = value.len();
    value.try_into().map_err(|_| Error::Length {
        id: id.to_owned(),
        field,
        expected: N,
        actual,
    })
}

/// A file without its provenance is not a vector file: reject it.
pub(crate) fn check_provenance(
    file: &'static str,
    primitive: &str,
    source: &str,
    notes: &str,
) -> Result<(), Error> {
    for (field, value) in [
        ("primitive", primitive),
        ("source", source),
        ("notes", notes),
    ] {
        if value.trim().is_empty() {
            return Err(invalid(file, field, "the file must say where it came from"));
        }
    }
    Ok(())
}
