//! `lockstep proofs`: runs ProVerif on the models of `proofs/` and compares every
//! `RESULT` line with the lock file `proofs/results.json`, after checking the
//! models' link to the spec.
//!
//! Before ProVerif runs (with `--update` too), every model's constants and one-line
//! KDF, encoding and AD `letfun`s are checked against the executable spec
//! ([`lockstep_harness::proofs_link::check_dir`], the check `tests/proofs_link.rs`
//! runs): a label changed in a model and not in the spec, or in the spec and not
//! in the models, is caught there without ProVerif. Each failure (naming the file,
//! the line and the constant or function) is printed at once on stderr and is a
//! difference; with `--update` the lock is not written. On success the table ends
//! with `link to the spec: N constants, M functions checked`, and the `--json`
//! document has the result under `link`.
//!
//! The models are the `*.pv` files directly in `proofs/` and in `proofs/controls/`; a
//! model's name is its path under `proofs/` without `.pv` (`pqxdh_fs`,
//! `controls/no_ss`). Each runs as its own `proverif FILE` process, a few at a time
//! (ProVerif is single-threaded), under a timeout. Every line
//! `RESULT <query> is true.` / `is false.` / `cannot be proved.` is one result; the
//! query text is kept with its whitespace collapsed, in the order printed; the line
//! `RESULT (even <query> is false.)` (or `(but … is true.)`) that follows a false
//! injective query is the result of query `even <query>`. Any other
//! `RESULT` line is kept verbatim as an `unparsed` result, so a new form of output
//! shows up as a difference rather than vanishing.
//!
//! The lock lists, per model, its queries and the result each must have; a run passes
//! when every model gives exactly its locked list (same queries, same order, same
//! results). A model that times out, fails (non-zero exit, an `Error` line, no
//! `RESULT` line), has no lock entry, or whose lock entry has lost its file is a
//! difference, and so is a stale derived model (`python3 proofs/gen.py --check`
//! fails) and a failure of the link to the spec. A locked model whose file is gone is a difference whatever the
//! selection; under `--ci` (without `--only`) so is any model file the lock lacks,
//! though it is not run, so that CI notices a model nobody locked. `--update`
//! rewrites the lock entries of the models run instead.
//!
//! Exit codes: 0 every model as locked (or, with `--update`, the lock rewritten);
//! 1 a difference (with `--update`: a model errored or timed out, the derived
//! models are stale, or the link to the spec fails); 2 the command could not run (bad arguments, an unreadable
//! lock, ProVerif or python3 missing).
//!
//! The parsing and the comparison ([`parse_output`], [`compare`]) are pure functions,
//! tested below on ProVerif's output without ProVerif.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use lockstep_harness::proofs_link;
use lockstep_harness::report::{self, Table, clip, count};
use serde::{Deserialize, Serialize};

/// The ProVerif release the lock was made with and the models are written for.
const PROVERIF_VERSION: &str = "2.05";
/// How a missing ProVerif is installed (issue 13, item 6).
const INSTALL_HINT: &str = "install ProVerif 2.05 with ../shared/tools/proverif/install.sh PREFIX \
     and add PREFIX/bin to PATH, or `opam install proverif`, or the release archive from \
     https://bblanche.gitlabpages.inria.fr/proverif/";
/// The lock file, in the proofs directory.
const LOCK_FILE: &str = "results.json";
/// The folder of negative controls, in the proofs directory.
const CONTROLS: &str = "controls";
/// Query texts longer than this are shortened in the table (and printed in full
/// below it when they differ).
const QUERY_WIDTH: usize = 70;
/// How often a running ProVerif is looked at for its end or its timeout.
const POLL: Duration = Duration::from_millis(50);

/// The flags of `lockstep proofs`.
#[derive(Debug, Args)]
pub(crate) struct ProofsArgs {
    /// Run only these models (their names: path under proofs/ without .pv, e.g.
    /// pqxdh_fs or controls/no_ss; comma-separated or repeated).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    only: Vec<String>,
    /// Run only the models whose lock entry has "ci": true.
    #[arg(long)]
    ci: bool,
    /// Print one JSON document (every model's results and the differences) on
    /// stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Rewrite the lock entries of the models run with what ProVerif says now
    /// (keeping their "ci" flags; entries whose file is gone are removed).
    #[arg(long)]
    update: bool,
    /// Seconds one model may run before it is killed and recorded as a timeout.
    #[arg(long, value_name = "SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// ProVerif processes at once (ProVerif is single-threaded).
    #[arg(long, value_name = "N", default_value = "2")]
    jobs: NonZeroUsize,
    /// The proverif binary (default: $LOCKSTEP_PROVERIF, else `proverif` on PATH).
    #[arg(long, value_name = "PATH")]
    proverif: Option<PathBuf>,
    /// The proofs directory (default: proofs/ of the workspace, found from the
    /// current directory upward).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod command;
mod find;
mod lock;
mod run;

pub(crate) use command::main;
use find::*;
use lock::*;
use run::*;

#[cfg(test)]
mod tests {
    use super::*;

    /// ProVerif 2.05's output on a model with a true and a false secrecy query
    /// (abridged: the derivation is cut).
    const SAMPLE: &str = "Process 0 (that is, the initial process):
{1}out(c, p)

-- Query not attacker(s[]) in process 0.
Translating the process into Horn clauses...
Completing...
Starting query not attacker(s[])
RESULT not attacker(s[]) is true.
-- Query not attacker(p[]) in process 0.
Starting query not attacker(p[])
goal reachable: attacker(p[])
A trace has been found.
RESULT not attacker(p[]) is false.
RESULT inj-event(Recv(a1,a2)) ==> inj-event(Send(a1,a2)) is false.
RESULT (even event(Recv(a1,a2)) ==> event(Send(a1,a2)) is false.)
RESULT Observational equivalence is true.

--------------------------------------------------------------
Verification summary:

Query not attacker(s[]) is true.

Query not attacker(p[]) is false.
";

    fn lock_model(queries: &[(&str, Verdict)]) -> LockModel {
        LockModel {
            name: "m".to_owned(),
            ci: true,
            seconds: 1.0,
            queries: queries
                .iter()
                .map(|(q, v)| LockQuery {
                    query: (*q).to_owned(),
                    expected: *v,
                })
                .collect(),
        }
    }

    fn results(queries: &[(&str, Verdict)]) -> RunStatus {
        RunStatus::Done(
            queries
                .iter()
                .map(|(q, v)| QueryResult {
                    query: (*q).to_owned(),
                    got: *v,
                })
                .collect(),
        )
    }

    #[test]
    fn parses_every_result_line_in_order() {
        let parsed = parse_output(SAMPLE);
        let got: Vec<(&str, Verdict)> = parsed
            .results
            .iter()
            .map(|r| (r.query.as_str(), r.got))
            .collect();
        // ProVerif follows a false injective query with what it found of the
        // non-injective one, "RESULT (even … is false.)": a result of its own.
        assert_eq!(
            got,
            [
                ("not attacker(s[])", Verdict::True),
                ("not attacker(p[])", Verdict::False),
                (
                    "inj-event(Recv(a1,a2)) ==> inj-event(Send(a1,a2))",
                    Verdict::False
                ),
                (
                    "even event(Recv(a1,a2)) ==> event(Send(a1,a2))",
                    Verdict::False
                ),
                ("Observational equivalence", Verdict::True),
            ]
        );
        assert_eq!(parsed.error, None);
    }

    #[test]
    fn an_equivalence_refuted_with_a_trace_is_told_apart() {
        let output = "A trace has been found.\nRESULT Observational equivalence cannot be proved.\n\
                      RESULT Observational equivalence cannot be proved.\n\
                      A trace has been found.\nRESULT not attacker(s[]) cannot be proved.\n";
        let got: Vec<Verdict> = parse_output(output).results.iter().map(|r| r.got).collect();
        assert_eq!(
            got,
            [
                Verdict::CannotBeProvedTraceFound,
                Verdict::CannotBeProved,
                Verdict::CannotBeProved
            ]
        );
    }

    #[test]
    fn collapses_whitespace_and_reads_cannot_be_proved() {
        let parsed =
            parse_output("RESULT  inj-event(A(x))  ==>\tinj-event(B(x)) cannot be proved.\r\n");
        assert_eq!(
            parsed.results,
            [QueryResult {
                query: "inj-event(A(x)) ==> inj-event(B(x))".to_owned(),
                got: Verdict::CannotBeProved
            }]
        );
    }

    #[test]
    fn an_error_line_is_an_error() {
        let output = "File \"/tmp/bad.pv\", line 1, characters 1-7:\nError: Syntax error.\n";
        assert_eq!(
            status_of(false, "exit status: 2", output),
            RunStatus::Error(
                "Error: Syntax error. (File \"/tmp/bad.pv\", line 1, characters 1-7:)".to_owned()
            )
        );
        // An Error line fails the run even with exit status 0 and results.
        let output = "RESULT a is true.\nError: something\n";
        assert!(matches!(
            status_of(true, "exit status: 0", output),
            RunStatus::Error(_)
        ));
        // A non-zero exit without an Error line, and no RESULT line at all.
        assert!(
            matches!(status_of(false, "signal: 9", "RESULT a is true.\n"), RunStatus::Error(e) if e.contains("signal: 9"))
        );
        assert!(matches!(
            status_of(true, "exit status: 0", "nothing\n"),
            RunStatus::Error(_)
        ));
        assert_eq!(
            status_of(
                true,
                "exit status: 0",
                SAMPLE
                    .lines()
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .as_str()
            ),
            results(&[("not attacker(s[])", Verdict::True)])
        );
    }

    #[test]
    fn equal_lists_have_no_difference() {
        let lock = lock_model(&[("a", Verdict::True), ("b", Verdict::False)]);
        let run = results(&[("a", Verdict::True), ("b", Verdict::False)]);
        assert_eq!(compare("m", Some(&lock), &run), []);
    }

    #[test]
    fn every_kind_of_change_is_a_difference() {
        let lock = lock_model(&[("a", Verdict::True), ("b", Verdict::False)]);
        let m = || "m".to_owned();
        // Another result.
        assert_eq!(
            compare(
                "m",
                Some(&lock),
                &results(&[("a", Verdict::True), ("b", Verdict::True)])
            ),
            [Difference::Result {
                model: m(),
                index: 1,
                query: "b".to_owned(),
                expected: Verdict::False,
                got: Verdict::True
            }]
        );
        // Reordered queries.
        assert_eq!(
            compare(
                "m",
                Some(&lock),
                &results(&[("b", Verdict::False), ("a", Verdict::True)])
            )
            .len(),
            2
        );
        // A query missing, a query added.
        assert!(matches!(
            compare("m", Some(&lock), &results(&[("a", Verdict::True)])).as_slice(),
            [Difference::MissingQuery { index: 1, .. }]
        ));
        assert!(matches!(
            compare(
                "m",
                Some(&lock),
                &results(&[
                    ("a", Verdict::True),
                    ("b", Verdict::False),
                    ("c", Verdict::True)
                ])
            )
            .as_slice(),
            [Difference::ExtraQuery { index: 2, .. }]
        ));
        // Timeout, error, no lock entry.
        assert_eq!(
            compare("m", Some(&lock), &RunStatus::Timeout),
            [Difference::Timeout { model: m() }]
        );
        assert!(matches!(
            compare("m", Some(&lock), &RunStatus::Error("x".to_owned())).as_slice(),
            [Difference::Error { .. }]
        ));
        assert_eq!(
            compare("m", None, &results(&[("a", Verdict::True)])),
            [Difference::NotInLock { model: m() }]
        );
        // A model with no lock entry that fails says both.
        assert_eq!(
            compare("m", None, &RunStatus::Timeout),
            [
                Difference::Timeout { model: m() },
                Difference::NotInLock { model: m() }
            ]
        );
    }

    #[test]
    fn the_lock_round_trips_and_refuses_unknown_fields() {
        let lock = Lock {
            proverif: "2.05".to_owned(),
            models: vec![lock_model(&[
                ("a", Verdict::True),
                ("b", Verdict::CannotBeProved),
            ])],
        };
        let text = serde_json::to_string_pretty(&lock).unwrap();
        assert!(text.contains("\"expected\": \"cannot be proved\""));
        assert_eq!(serde_json::from_str::<Lock>(&text).unwrap(), lock);
        let extra = text.replacen("\"ci\"", "\"cii\": 1, \"ci\"", 1);
        assert!(serde_json::from_str::<Lock>(&extra).is_err());
        let bad = text.replacen("\"true\"", "\"maybe\"", 1);
        assert!(serde_json::from_str::<Lock>(&bad).is_err());
    }

    #[test]
    fn reads_the_version_from_the_help() {
        assert_eq!(
            proverif_version(
                "Proverif 2.05. Cryptographic protocol verifier, by Bruno Blanchet\n  -test"
            ),
            Some("2.05".to_owned())
        );
        assert_eq!(proverif_version("usage: something else"), None);
        assert!((tenths(12.345) - 12.3).abs() < 1e-9);
        assert_eq!(clip("abcdef", 5), "ab...");
        assert_eq!(clip("abc", 5), "abc");
    }
}
