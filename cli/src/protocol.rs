//! The protocol vectors of `lockstep check`: the spec regenerates
//! `vectors/protocol/*.json` byte for byte, and the implementation reproduces every
//! vector in them.
//!
//! The committed files are compiled into the binary (as `lockstep-vectors` does),
//! so the check needs no checkout. The implementation's side is
//! `lockstep_harness::vector_check::check_all` on the implementation, the checker
//! the harness tests run on both sides (`harness/tests/protocol_vectors.rs`): the
//! handshakes, every step of every conversation (wire bytes, plaintexts, refusals,
//! both parties' state encodings, the key schedule and the AEAD key and nonce of
//! each send), the state encodings, valid and malformed, and the rule vectors of
//! `rules.json` (wire decoding, bundle verification, decapsulation key checks,
//! single session operations and `accept` sequences on one prekey store), and the
//! franking vectors of `franking.json` (SPEC §9: commitments, stamp tags, a franked
//! conversation through the platform, reports, the §9.3 decoders). Each
//! mismatch is one failure line; each handshake, conversation step, state encoding,
//! rule vector, franking vector and franking flow step is one case.

use lockstep_harness::vector_check::{ImplSide, ProtocolVectors, check_all};

/// The committed files, by the names the generator gives them.
const COMMITTED: [(&str, &str); 5] = [
    (
        "pqxdh.json",
        include_str!("../../vectors/protocol/pqxdh.json"),
    ),
    (
        "ratchet.json",
        include_str!("../../vectors/protocol/ratchet.json"),
    ),
    (
        "state.json",
        include_str!("../../vectors/protocol/state.json"),
    ),
    (
        "rules.json",
        include_str!("../../vectors/protocol/rules.json"),
    ),
    (
        "franking.json",
        include_str!("../../vectors/protocol/franking.json"),
    ),
];

/// What one of the two checks found.
#[derive(Clone, Debug, Default)]
pub(crate) struct VectorOutcome {
    /// Vectors (or files) checked.
    pub(crate) cases: usize,
    /// One line per mismatch.
    pub(crate) failures: Vec<String>,
    /// One line per group of vectors not run, with the reason.
    pub(crate) skipped: Vec<(usize, String)>,
}

/// The spec's generator writes exactly the committed files.
pub(crate) fn spec_regenerates() -> VectorOutcome {
    let mut out = VectorOutcome::default();
    let generated = match lockstep_harness::protocol_vectors::generate() {
        Ok(files) => files,
        Err(e) => {
            out.failures.push(format!("the generator failed: {e}"));
            return out;
        }
    };
    for (name, committed) in COMMITTED {
        out.cases += 1;
        match generated.iter().find(|(n, _)| *n == name) {
            None => out
                .failures
                .push(format!("{name}: the generator no longer writes it")),
            Some((_, fresh)) if fresh == committed => {}
            Some((_, fresh)) => {
                let line = fresh
                    .lines()
                    .zip(committed.lines())
                    .position(|(a, b)| a != b)
                    .map_or_else(
                        || fresh.lines().count().min(committed.lines().count()) + 1,
                        |i| i + 1,
                    );
                out.failures.push(format!(
                    "vectors/protocol/{name} differs from what the spec generates ({} vs {} bytes; first differing line {line})",
                    committed.len(),
                    fresh.len()
                ));
            }
        }
    }
    for (name, _) in &generated {
        if !COMMITTED.iter().any(|(n, _)| n == name) {
            out.failures
                .push(format!("{name}: generated but not committed"));
        }
    }
    out
}

/// The implementation reproduces every vector: one case per handshake, per
/// conversation step, per state encoding and per rule vector.
pub(crate) fn impl_reproduces() -> VectorOutcome {
    let vectors = match ProtocolVectors::load() {
        Ok(vectors) => vectors,
        Err(e) => {
            return VectorOutcome {
                failures: vec![format!("the protocol vectors do not load: {e}")],
                ..VectorOutcome::default()
            };
        }
    };
    let report = check_all(&ImplSide, &vectors);
    VectorOutcome {
        cases: report.counts.cases(),
        failures: report.mismatches.iter().map(ToString::to_string).collect(),
        skipped: Vec::new(),
    }
}
