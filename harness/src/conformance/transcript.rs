//! Transcripts as text: one line per record, and the first divergence of two runs
//! shown as a diff (`-` the spec's line, `+` the implementation's) with the records
//! before it for context.

use core::fmt::Write as _;

use sha2::{Digest as _, Sha256};

use super::CaseFailure;
use crate::driver::Failure;
use crate::model::Party;
use crate::run::{Divergence, Record, Run};

/// Records of context shown before a divergence.
const CONTEXT: usize = 6;

/// `bytes` in hex, the middle elided past 24 bytes, with the length.
#[must_use]
pub fn short_hex(bytes: &[u8]) -> String {
    let hex = hex::encode;
    if bytes.is_empty() {
        "(empty)".to_owned()
    } else if bytes.len() <= 24 {
        format!("{} ({} B)", hex(bytes), bytes.len())
    } else {
        format!(
            "{}..{} ({} B)",
            hex(&bytes[..12]),
            hex(&bytes[bytes.len() - 8..]),
            bytes.len()
        )
    }
}

/// A state encoding: its length and the start of its SHA-256 (two states differ
/// where their digests do; the diff shows the first differing byte).
fn state_digest(state: Option<&Vec<u8>>) -> String {
    match state {
        None => "none".to_owned(),
        Some(s) if s.is_empty() => "(not offered)".to_owned(),
        Some(s) => {
            let digest = Sha256::digest(s);
            format!("{} B sha256 {}", s.len(), hex::encode(&digest[..6]))
        }
    }
}

fn result<T>(result: &Result<T, Failure>, ok: impl Fn(&T) -> String) -> String {
    match result {
        Ok(value) => ok(value),
        Err(Failure::Refused(e)) => format!("refused {}", e.name()),
        Err(Failure::NoSession) => "refused NoSession".to_owned(),
        Err(Failure::Other(other)) => format!("error {other}"),
    }
}

fn who(party: Party) -> &'static str {
    match party {
        Party::Alice => "alice",
        Party::Bob => "bob  ",
    }
}

/// One record as one line.
#[must_use]
pub fn line(record: &Record) -> String {
    match record {
        Record::SetUp { bundle } => {
            format!("set-up         bundle {}", result(bundle, |b| short_hex(b)))
        }
        Record::Sent {
            step,
            from,
            result: r,
            ..
        } => format!(
            "#{step:<3} {} encrypt  -> {}",
            who(*from),
            result(r, |m| short_hex(m))
        ),
        Record::Delivered {
            step,
            to,
            origin,
            bytes,
            result: r,
            ..
        } => format!(
            "#{step:<3} {} decrypt  {origin:?} {} -> {}",
            who(*to),
            short_hex(bytes),
            result(r, |p| format!("plaintext {}", short_hex(p)))
        ),
        Record::BundleForged {
            step,
            bytes,
            result: r,
        } => format!(
            "#{step:<3} alice verify   forged bundle {} -> {}",
            short_hex(bytes),
            result(r, |()| "accepted".to_owned())
        ),
        Record::OtherSession { step, result: r } => format!(
            "#{step:<3} other session  -> {}",
            result(r, |[a, b]| format!("{} and {}", short_hex(a), short_hex(b)))
        ),
        Record::Compromised {
            step,
            party,
            exposure,
        } => format!(
            "#{step:<3} {} compromised: {} state(s) exposed",
            who(*party),
            exposure.states.len()
        ),
        Record::Skipped { step, why } => format!("#{step:<3} (skipped: {why})"),
        Record::States { step, alice, bob } => format!(
            "#{step:<3} states         alice {} | bob {}",
            state_digest(alice.as_ref()),
            state_digest(bob.as_ref())
        ),
    }
}

/// The byte strings a record carries, in order, for "first differing byte".
fn byte_strings(record: &Record) -> Vec<(&'static str, &[u8])> {
    match record {
        Record::SetUp { bundle: Ok(b) } => vec![("the bundle", b)],
        Record::Sent { result: Ok(m), .. } => vec![("the message", m)],
        Record::Delivered { result: Ok(p), .. } => vec![("the plaintext", p)],
        Record::OtherSession {
            result: Ok([a, b]), ..
        } => vec![("the first message", a), ("the second message", b)],
        Record::States { alice, bob, .. } => {
            let mut out = Vec::new();
            if let Some(a) = alice {
                out.push(("alice's state", a.as_slice()));
            }
            if let Some(b) = bob {
                out.push(("bob's state", b.as_slice()));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// One line saying where two runs first differ: the two records, and for byte
/// strings the first differing offset.
#[must_use]
pub fn describe_divergence(d: &Divergence) -> String {
    let show = |r: Option<&Record>| r.map_or_else(|| "(run ended)".to_owned(), line);
    let mut out = format!(
        "record {}: spec `{}`, implementation `{}`",
        d.index,
        show(d.spec.as_ref()),
        show(d.implementation.as_ref())
    );
    if let (Some(a), Some(b)) = (&d.spec, &d.implementation) {
        for ((name, x), (_, y)) in byte_strings(a).into_iter().zip(byte_strings(b)) {
            if x != y {
                let at = x
                    .iter()
                    .zip(y)
                    .position(|(p, q)| p != q)
                    .unwrap_or(x.len().min(y.len()));
                let _ = write!(
                    out,
                    "; {name} first differs at byte {at} (lengths {} and {})",
                    x.len(),
                    y.len()
                );
                break;
            }
        }
    }
    out
}

/// The two transcripts around their first divergence, as a diff.
#[must_use]
pub fn diff(spec: &Run, d: &Divergence, label: &str) -> String {
    let mut out = String::new();
    let from = d.index.saturating_sub(CONTEXT);
    if from > 0 {
        let _ = writeln!(out, "  ... {from} equal records");
    }
    for record in &spec.records[from..d.index.min(spec.records.len())] {
        let _ = writeln!(out, "  {}", line(record));
    }
    let show = |r: Option<&Record>| r.map_or_else(|| "(run ended)".to_owned(), line);
    let _ = writeln!(out, "- {}    <- spec", show(d.spec.as_ref()));
    let _ = writeln!(out, "+ {}    <- {label}", show(d.implementation.as_ref()));
    out
}

/// A run as text, one line per record (for an invariant's failure, which has no
/// spec run to compare with).
#[must_use]
pub fn listing(run: &Run) -> String {
    run.records
        .iter()
        .filter(|r| !matches!(r, Record::States { .. }))
        .fold(String::new(), |mut out, r| {
            let _ = writeln!(out, "  {}", line(r));
            out
        })
}

/// What failed, in one line: the case (and the fixed scenario's name), the group
/// and the detail.
#[must_use]
pub fn headline(failure: &CaseFailure) -> String {
    format!(
        "case {}{}, {}: {}",
        failure.case,
        failure
            .name
            .as_ref()
            .map_or_else(String::new, |name| format!(" (the fixed scenario {name})")),
        failure.group,
        failure.detail
    )
}

/// The failing case's transcript: the diff at the divergence (the implementation's
/// lines labelled `label`), or the run's listing for an invariant's failure.
#[must_use]
pub fn body(failure: &CaseFailure, label: &str) -> String {
    match (&failure.spec, &failure.divergence) {
        (Some(spec), Some(d)) => diff(spec, d, label),
        _ => listing(&failure.run),
    }
}

/// A failure in full: what failed, the transcript (a diff for a divergence), and
/// the shrunk scenario as JSON.
#[must_use]
pub fn explain(failure: &CaseFailure) -> String {
    format!(
        "FAILED: {}\n{}shrunk from {} to {} events in {} steps:\n{}\n",
        headline(failure),
        body(failure, "implementation"),
        failure.original.events.len(),
        failure.shrunk.events.len(),
        failure.shrink_steps,
        serde_json::to_string(&failure.shrunk).unwrap_or_default()
    )
}
