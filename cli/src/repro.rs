//! Reproducer files: what `lockstep check` writes when a check fails, and what
//! `lockstep replay` reads.
//!
//! A reproducer names the check, the driver (the implementation, or a deliberately
//! broken one), the seed and case that found the failure, and the failure as text.
//! For a scenario check it also holds the (shrunk) scenario itself, so the file
//! alone is enough to rerun it: the scenario's own seed fixes every key and
//! plaintext. For an equivalence failure it also holds the two records where the
//! runs first differ, as JSON, for tools.

use std::path::{Path, PathBuf};

use lockstep_harness::model::Scenario;
use lockstep_harness::run::Record;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `format` of the files this version writes and reads.
pub(crate) const FORMAT: &str = "lockstep-reproducer/1";

/// Where two runs first differ, as written into a reproducer: the two records as
/// JSON, byte strings in hex.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct DivergenceRecord {
    /// The index of the first differing record.
    pub(crate) index: usize,
    /// The spec's record there (null: its run had ended).
    pub(crate) spec: Value,
    /// The driver's record there (null: its run had ended).
    pub(crate) driver: Value,
}

impl DivergenceRecord {
    /// The records at `index` of the two runs.
    pub(crate) fn new(index: usize, spec: Option<&Record>, driver: Option<&Record>) -> Self {
        let json = |r: Option<&Record>| {
            r.and_then(|r| serde_json::to_value(r).ok())
                .map_or(Value::Null, hex_bytes)
        };
        DivergenceRecord {
            index,
            spec: json(spec),
            driver: json(driver),
        }
    }
}

/// `value` with every non-empty array of numbers below 256 (a record's byte
/// strings: the only such arrays a record has) written as a hex string.
fn hex_bytes(value: Value) -> Value {
    match value {
        Value::Array(items) => {
            let bytes: Option<Vec<u8>> = items
                .iter()
                .map(|v| v.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect();
            match bytes {
                Some(bytes) if !bytes.is_empty() => {
                    Value::String(bytes.iter().map(|b| format!("{b:02x}")).collect())
                }
                _ => Value::Array(items.into_iter().map(hex_bytes).collect()),
            }
        }
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, hex_bytes(v))).collect())
        }
        other => other,
    }
}

/// What a failed check leaves behind.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Reproducer {
    /// Always [`FORMAT`].
    pub(crate) format: String,
    /// The check's id: `"equivalence"`, `"invariant:<name>"`, `"vectors"` or
    /// `"protocol-vectors"`.
    pub(crate) check: String,
    /// `"impl"`, or the name of the deliberate flaw of the driver that was checked.
    pub(crate) driver: String,
    /// The flaw's name when the driver was broken on purpose (`--broken`).
    pub(crate) flaw: Option<String>,
    /// `lockstep check --seed`.
    pub(crate) seed: u64,
    /// Which of the check's scenarios failed first (none for a vector check).
    pub(crate) case: Option<usize>,
    /// `lockstep check --max-events`.
    pub(crate) max_events: Option<usize>,
    /// How many events the failing scenario had before shrinking.
    pub(crate) events_before_shrinking: Option<usize>,
    /// The failure, as `lockstep check` printed it.
    pub(crate) failure: String,
    /// For an equivalence failure: the first differing records.
    pub(crate) divergence: Option<DivergenceRecord>,
    /// The scenario to rerun (shrunk); none for a vector check, which has no
    /// scenario and is rerun whole.
    pub(crate) scenario: Option<Scenario>,
}

/// The file name of a reproducer: `lockstep-repro-<check>-<seed>.json`, with the
/// check's id made safe for a file name (`invariant:x` becomes `invariant-x`).
pub(crate) fn file_name(check: &str, seed: u64) -> String {
    let safe: String = check
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("lockstep-repro-{safe}-{seed}.json")
}

/// Writes `reproducer` into `dir` (created if need be) as `name`; returns the file's
/// path.
///
/// # Errors
/// What the file system said, with the path.
pub(crate) fn write_named(
    dir: &Path,
    name: &str,
    reproducer: &Reproducer,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(reproducer)
        .map_err(|e| format!("{}: cannot encode the reproducer: {e}", path.display()))?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Writes `reproducer` into `dir` (created if need be); returns the file's path.
///
/// # Errors
/// What the file system said, with the path.
pub(crate) fn write(dir: &Path, reproducer: &Reproducer) -> Result<PathBuf, String> {
    write_named(
        dir,
        &file_name(&reproducer.check, reproducer.seed),
        reproducer,
    )
}

/// Reads a reproducer.
///
/// # Errors
/// A file that cannot be read, is not JSON of this shape, or is of another format.
pub(crate) fn read(path: &Path) -> Result<Reproducer, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reproducer: Reproducer = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a lockstep reproducer: {e}", path.display()))?;
    if reproducer.format != FORMAT {
        return Err(format!(
            "{}: format {:?}; this lockstep reads {FORMAT:?}",
            path.display(),
            reproducer.format
        ));
    }
    Ok(reproducer)
}

#[cfg(test)]
mod tests {
    use super::{file_name, hex_bytes};

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("invariant:forward-secrecy", 7),
            "lockstep-repro-invariant-forward-secrecy-7.json"
        );
        assert_eq!(
            file_name("equivalence", 0),
            "lockstep-repro-equivalence-0.json"
        );
    }

    #[test]
    fn byte_strings_become_hex() {
        let record = serde_json::json!({"Sent": {"step": 2, "result": {"Ok": [0, 255, 16]}, "keys": [[1, 2], []]}});
        assert_eq!(
            hex_bytes(record),
            serde_json::json!({"Sent": {"step": 2, "result": {"Ok": "00ff10"}, "keys": ["0102", []]}})
        );
    }
}
