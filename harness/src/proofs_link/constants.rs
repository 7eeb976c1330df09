//! The constants of a model (`const NAME: bitstring. (* SPEC §n: ... *)`) against the spec's bytes.

use super::*;

/// A `const` line of a model with its SPEC value.
#[derive(Debug)]
pub(super) struct Constant {
    /// 1-based line number.
    pub(super) line: usize,
    /// Its name.
    pub(super) name: String,
    /// Its bytes, from the `ascii` or `hex` text.
    pub(super) bytes: Vec<u8>,
}

/// Parses `const NAME: bitstring. (* SPEC §n: ascii "TEXT" *)` (or `: G.`, or
/// `hex "HEX"`): `Ok(None)` for a line that is not a `const` with a `SPEC §`
/// comment, `Err` for one that is but does not follow the form.
pub(super) fn parse_constant(line: &str) -> Result<Option<(String, Vec<u8>)>, String> {
    let line = line.trim_end();
    if !(line.starts_with("const ") && line.contains("SPEC §")) {
        return Ok(None);
    }
    let bad = || {
        format!("not of the form `const NAME: bitstring|G. (* SPEC §n: ascii|hex \"…\" *)`: {line}")
    };
    let rest = line.strip_prefix("const ").ok_or_else(bad)?;
    let (name, rest) = rest.split_once(": ").ok_or_else(bad)?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(bad());
    }
    let rest = rest
        .strip_prefix("bitstring. (* SPEC §")
        .or_else(|| rest.strip_prefix("G. (* SPEC §"))
        .ok_or_else(bad)?;
    let (clause, rest) = rest.split_once(": ").ok_or_else(bad)?;
    if clause.is_empty() || !clause.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let (kind, rest) = rest.split_once(" \"").ok_or_else(bad)?;
    let value = rest.strip_suffix("\" *)").ok_or_else(bad)?;
    if value.contains('"') {
        return Err(bad());
    }
    let bytes = match kind {
        "ascii" => value.as_bytes().to_vec(),
        "hex" => from_hex(value).map_err(|e| format!("{}: {e}", bad()))?,
        _ => return Err(bad()),
    };
    Ok(Some((name.to_owned(), bytes)))
}

/// `text` without its `(* … *)` comments.
pub(super) fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("(*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*)") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The identifiers of `text`.
pub(super) fn identifiers(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Check 1 on one model: its constants. Returns the constants (for the
/// interpreter), the failures, and how many `const` lines were compared with the
/// spec.
pub(super) fn check_constants(
    file: &str,
    text: &str,
) -> (BTreeMap<String, Vec<u8>>, Vec<String>, usize) {
    let spec = spec_constants();
    let mut failures = Vec::new();
    let mut found: Vec<Constant> = Vec::new();
    let mut other_lines = String::new();
    for (index, line) in text.lines().enumerate() {
        match parse_constant(line) {
            Ok(Some((name, bytes))) => found.push(Constant {
                line: index + 1,
                name,
                bytes,
            }),
            Ok(None) => {
                other_lines.push_str(line);
                other_lines.push('\n');
            }
            Err(e) => failures.push(format!("{file}:{}: {e}", index + 1)),
        }
    }
    let mut constants = BTreeMap::new();
    for c in &found {
        match spec.get(c.name.as_str()) {
            None => failures.push(format!(
                "{file}:{}: constant {} has a SPEC comment but the link check does not know it \
                 (add it to spec_constants in harness/src/proofs_link/bytes.rs)",
                c.line, c.name
            )),
            Some(want) if *want != c.bytes => failures.push(format!(
                "{file}:{}: constant {} is {} in the model, {} in the spec",
                c.line,
                c.name,
                show(&c.bytes),
                show(want)
            )),
            Some(_) => {}
        }
        if constants.insert(c.name.clone(), c.bytes.clone()).is_some() {
            failures.push(format!(
                "{file}:{}: constant {} defined twice",
                c.line, c.name
            ));
        }
    }
    let used = identifiers(&strip_comments(&other_lines));
    for name in SECTION_1 {
        if used.contains(*name) && !constants.contains_key(*name) {
            failures.push(format!(
                "{file}: uses the SPEC §1 constant {name} without defining it as \
                 `const {name}: bitstring. (* SPEC §1: … *)`"
            ));
        }
    }
    if !SECTION_1.iter().any(|n| constants.contains_key(*n)) {
        failures.push(format!("{file}: defines no SPEC §1 constant"));
    }
    (constants, failures, found.len())
}
