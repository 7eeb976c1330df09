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

// ---------------------------------------------------------------------------------
// Results and the lock

/// What ProVerif said of one query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Verdict {
    /// `RESULT … is true.`
    #[serde(rename = "true")]
    True,
    /// `RESULT … is false.`: an attack was found.
    #[serde(rename = "false")]
    False,
    /// `RESULT … cannot be proved.`
    #[serde(rename = "cannot be proved")]
    CannotBeProved,
    /// `RESULT Observational equivalence cannot be proved.` after `A trace has been
    /// found.`: ProVerif's words for a diff-equivalence it refuted with a trace in
    /// which one side passes a test the other fails.
    #[serde(rename = "cannot be proved, trace found")]
    CannotBeProvedTraceFound,
    /// A `RESULT` line of another form, kept verbatim as the query text.
    #[serde(rename = "unparsed")]
    Unparsed,
}

impl Verdict {
    /// Its name in the lock and the table.
    fn as_str(self) -> &'static str {
        match self {
            Verdict::True => "true",
            Verdict::False => "false",
            Verdict::CannotBeProved => "cannot be proved",
            Verdict::CannotBeProvedTraceFound => "cannot be proved, trace found",
            Verdict::Unparsed => "unparsed",
        }
    }
}

/// One `RESULT` line: the query (whitespace collapsed) and its verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct QueryResult {
    /// The query as ProVerif prints it, whitespace collapsed.
    query: String,
    /// What ProVerif said.
    got: Verdict,
}

/// What one ProVerif run printed, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// The `RESULT` lines, in the order printed.
    results: Vec<QueryResult>,
    /// The first `Error` line (with the `File …` line before it, if any).
    error: Option<String>,
}

/// The lock file, `proofs/results.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Lock {
    /// The ProVerif version the results were recorded with.
    proverif: String,
    /// One entry per model, sorted by name.
    models: Vec<LockModel>,
}

/// One model's entry in the lock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LockModel {
    /// Its name: the path under `proofs/` without `.pv`.
    name: String,
    /// Whether `--ci` runs it.
    ci: bool,
    /// Seconds the last `--update` took on it, to 0.1 s; informational, never
    /// compared.
    seconds: f64,
    /// Its queries, in the order ProVerif prints them.
    queries: Vec<LockQuery>,
}

/// One query of a model and the result it must have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LockQuery {
    /// The query, whitespace collapsed, as ProVerif prints it.
    query: String,
    /// Its expected result.
    expected: Verdict,
}

/// How one model's run ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RunStatus {
    /// ProVerif finished and printed these results.
    Done(Vec<QueryResult>),
    /// Killed after the timeout.
    Timeout,
    /// ProVerif failed: the first error line, or what went wrong.
    Error(String),
}

/// One difference between a run and the lock.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Difference {
    /// `python3 proofs/gen.py --check` failed: a derived model is stale.
    GenStale {
        /// What gen.py printed.
        output: String,
    },
    /// A model does not match the spec (`proofs_link`): a constant, or a KDF,
    /// encoding or AD function.
    Link {
        /// The failure: file, line, constant or function, model and spec values.
        failure: String,
    },
    /// A model file with no lock entry.
    NotInLock {
        /// The model.
        model: String,
    },
    /// A lock entry whose model file is gone.
    FileMissing {
        /// The model.
        model: String,
    },
    /// The model did not finish in time.
    Timeout {
        /// The model.
        model: String,
    },
    /// ProVerif failed on the model.
    Error {
        /// The model.
        model: String,
        /// The first error line.
        message: String,
    },
    /// The same query, another result.
    Result {
        /// The model.
        model: String,
        /// The query's position (0-based) among the model's results.
        index: usize,
        /// The query.
        query: String,
        /// The locked result.
        expected: Verdict,
        /// The result now.
        got: Verdict,
    },
    /// Another query at this position.
    QueryChanged {
        /// The model.
        model: String,
        /// The position (0-based).
        index: usize,
        /// The locked query.
        expected_query: String,
        /// Its locked result.
        expected: Verdict,
        /// The query printed now.
        got_query: String,
        /// Its result now.
        got: Verdict,
    },
    /// A locked query ProVerif no longer prints.
    MissingQuery {
        /// The model.
        model: String,
        /// The position (0-based).
        index: usize,
        /// The locked query.
        query: String,
        /// Its locked result.
        expected: Verdict,
    },
    /// A query ProVerif prints that the lock does not have.
    ExtraQuery {
        /// The model.
        model: String,
        /// The position (0-based).
        index: usize,
        /// The query.
        query: String,
        /// Its result.
        got: Verdict,
    },
}

impl Difference {
    /// The model it is about, if any.
    fn model(&self) -> Option<&str> {
        match self {
            Difference::GenStale { .. } | Difference::Link { .. } => None,
            Difference::NotInLock { model }
            | Difference::FileMissing { model }
            | Difference::Timeout { model }
            | Difference::Error { model, .. }
            | Difference::Result { model, .. }
            | Difference::QueryChanged { model, .. }
            | Difference::MissingQuery { model, .. }
            | Difference::ExtraQuery { model, .. } => Some(model),
        }
    }

    /// The difference in words, with full query texts.
    fn describe(&self) -> String {
        match self {
            Difference::GenStale { output } => format!(
                "derived models are stale: `python3 proofs/gen.py --check` failed \
                 (run `python3 proofs/gen.py` and commit the result):\n{}",
                indent(output)
            ),
            Difference::Link { failure } => format!("link to the spec: {failure}"),
            Difference::NotInLock { model } => {
                format!("{model}: not in the lock (run `lockstep proofs --update --only {model}`)")
            }
            Difference::FileMissing { model } => format!(
                "{model}: in the lock but its file is gone (`lockstep proofs --update` removes it)"
            ),
            Difference::Timeout { model } => format!("{model}: timed out"),
            Difference::Error { model, message } => format!("{model}: ProVerif failed: {message}"),
            Difference::Result {
                model,
                index,
                query,
                expected,
                got,
            } => format!(
                "{model}, query {}: expected {}, got {}:\n    {query}",
                index + 1,
                expected.as_str(),
                got.as_str()
            ),
            Difference::QueryChanged {
                model,
                index,
                expected_query,
                expected,
                got_query,
                got,
            } => format!(
                "{model}, query {}: another query than the lock's:\n    locked ({}): {expected_query}\n    now    ({}): {got_query}",
                index + 1,
                expected.as_str(),
                got.as_str()
            ),
            Difference::MissingQuery {
                model,
                index,
                query,
                expected,
            } => format!(
                "{model}, query {}: locked ({}) but not printed now:\n    {query}",
                index + 1,
                expected.as_str()
            ),
            Difference::ExtraQuery {
                model,
                index,
                query,
                got,
            } => format!(
                "{model}, query {}: printed now ({}) but not in the lock:\n    {query}",
                index + 1,
                got.as_str()
            ),
        }
    }
}

/// `text` with every line indented by four spaces.
fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
    lines.join("\n")
}

/// `text` with every run of whitespace made one space, and no space at either end.
pub(crate) fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses ProVerif's output: every `RESULT` line, in order, and the first `Error`
/// line.
pub(crate) fn parse_output(output: &str) -> Parsed {
    let mut results = Vec::new();
    let mut error = None;
    let mut previous = "";
    // An equivalence ProVerif refutes with a trace: "A trace has been found." and
    // then "RESULT Observational equivalence cannot be proved." (it never says
    // "false" of an equivalence).
    let mut trace_found = false;
    for line in output.lines() {
        let line = line.trim();
        if line == "A trace has been found." {
            trace_found = true;
        }
        if let Some(rest) = line.strip_prefix("RESULT ") {
            // After a false injective query ProVerif says what it found of the
            // non-injective one: "RESULT (even Q is false.)" or "(but Q is true.)".
            // The query is then "even Q" or "but Q", with its own verdict.
            let rest = rest
                .strip_prefix('(')
                .and_then(|inner| inner.strip_suffix(')'))
                .unwrap_or(rest);
            let forms = [
                (" is true.", Verdict::True),
                (" is false.", Verdict::False),
                (" cannot be proved.", Verdict::CannotBeProved),
            ];
            let parsed = forms.iter().find_map(|(suffix, verdict)| {
                rest.strip_suffix(suffix).map(|query| QueryResult {
                    query: normalize(query),
                    got: *verdict,
                })
            });
            let mut result = parsed.unwrap_or_else(|| QueryResult {
                query: normalize(rest),
                got: Verdict::Unparsed,
            });
            if trace_found
                && result.got == Verdict::CannotBeProved
                && result.query == "Observational equivalence"
            {
                result.got = Verdict::CannotBeProvedTraceFound;
            }
            trace_found = false;
            results.push(result);
        } else if error.is_none() && line.starts_with("Error") {
            error = Some(if previous.starts_with("File \"") {
                format!("{line} ({previous})")
            } else {
                line.to_owned()
            });
        }
        previous = line;
    }
    Parsed { results, error }
}

/// What a finished ProVerif process amounts to: its results, or an error if it
/// exited non-zero, printed an `Error` line, or printed no `RESULT` line.
pub(crate) fn status_of(success: bool, exit: &str, output: &str) -> RunStatus {
    let parsed = parse_output(output);
    if let Some(error) = parsed.error {
        return RunStatus::Error(error);
    }
    if !success {
        let last = output
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no output");
        return RunStatus::Error(format!("proverif exited with {exit}: {last}"));
    }
    if parsed.results.is_empty() {
        return RunStatus::Error("no RESULT line (a model without queries?)".to_owned());
    }
    RunStatus::Done(parsed.results)
}

/// One row of the comparison of a model's results with its lock entry: the
/// `index`-th locked query and the `index`-th result, either possibly absent.
struct Pair<'a> {
    /// The position.
    index: usize,
    /// The locked query there.
    expected: Option<&'a LockQuery>,
    /// The result there.
    got: Option<&'a QueryResult>,
}

/// The locked queries and the results side by side, position by position.
fn pairs<'a>(expected: &'a [LockQuery], got: &'a [QueryResult]) -> Vec<Pair<'a>> {
    (0..expected.len().max(got.len()))
        .map(|index| Pair {
            index,
            expected: expected.get(index),
            got: got.get(index),
        })
        .collect()
}

/// Compares one model's run with its lock entry (`None`: it has none).
pub(crate) fn compare(model: &str, lock: Option<&LockModel>, run: &RunStatus) -> Vec<Difference> {
    let model = model.to_owned();
    let mut differences = Vec::new();
    let got = match run {
        RunStatus::Done(got) => Some(got),
        RunStatus::Timeout => {
            differences.push(Difference::Timeout {
                model: model.clone(),
            });
            None
        }
        RunStatus::Error(message) => {
            differences.push(Difference::Error {
                model: model.clone(),
                message: message.clone(),
            });
            None
        }
    };
    let Some(lock) = lock else {
        differences.push(Difference::NotInLock { model });
        return differences;
    };
    let Some(got) = got else {
        return differences;
    };
    for pair in pairs(&lock.queries, got) {
        let model = model.clone();
        let index = pair.index;
        match (pair.expected, pair.got) {
            (Some(e), Some(g)) if e.query == g.query => {
                if e.expected != g.got {
                    differences.push(Difference::Result {
                        model,
                        index,
                        query: g.query.clone(),
                        expected: e.expected,
                        got: g.got,
                    });
                }
            }
            (Some(e), Some(g)) => differences.push(Difference::QueryChanged {
                model,
                index,
                expected_query: e.query.clone(),
                expected: e.expected,
                got_query: g.query.clone(),
                got: g.got,
            }),
            (Some(e), None) => differences.push(Difference::MissingQuery {
                model,
                index,
                query: e.query.clone(),
                expected: e.expected,
            }),
            (None, Some(g)) => differences.push(Difference::ExtraQuery {
                model,
                index,
                query: g.query.clone(),
                got: g.got,
            }),
            (None, None) => {}
        }
    }
    differences
}

/// Reads the lock: `Ok(None)` if there is no lock file yet.
fn read_lock(path: &Path) -> Result<Option<Lock>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let lock: Lock = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a lock: {e}", path.display()))?;
    let mut seen = BTreeSet::new();
    for model in &lock.models {
        if !seen.insert(model.name.as_str()) {
            return Err(format!(
                "{}: model {:?} is listed twice",
                path.display(),
                model.name
            ));
        }
    }
    Ok(Some(lock))
}

/// Writes the lock, pretty-printed, models sorted by name.
fn write_lock(path: &Path, lock: &Lock) -> Result<(), String> {
    let mut lock = lock.clone();
    lock.models.sort_by(|a, b| a.name.cmp(&b.name));
    let mut text =
        serde_json::to_string_pretty(&lock).map_err(|e| format!("cannot encode the lock: {e}"))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Seconds to 0.1 s, as the lock keeps them.
fn tenths(seconds: f64) -> f64 {
    (seconds * 10.0).round() / 10.0
}

// ---------------------------------------------------------------------------------
// Finding things

/// The proofs directory: `--dir`, else `proofs/` of the first ancestor of the
/// current directory that holds a `Cargo.toml` and a `proofs/` folder, else the one
/// beside this crate's sources.
fn proofs_dir(asked: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(dir) = asked {
        return if dir.is_dir() {
            Ok(dir.to_path_buf())
        } else {
            Err(format!("{} is not a directory", dir.display()))
        };
    }
    if let Ok(current) = std::env::current_dir() {
        for dir in current.ancestors() {
            if dir.join("Cargo.toml").is_file() && dir.join("proofs").is_dir() {
                return Ok(dir.join("proofs"));
            }
        }
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("proofs");
    if beside.is_dir() {
        return Ok(beside);
    }
    Err("no proofs/ directory in the current directory or above it; give one with --dir".to_owned())
}

/// The models in `dir`: name → file, for every `*.pv` in `dir` and `dir/controls`.
fn models_in(dir: &Path) -> Result<BTreeMap<String, PathBuf>, String> {
    let mut models = BTreeMap::new();
    for (folder, prefix) in [(dir.to_path_buf(), ""), (dir.join(CONTROLS), "controls/")] {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !prefix.is_empty() => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", folder.display())),
        };
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot list {}: {e}", folder.display()))?
                .path();
            if path.is_file()
                && path.extension().is_some_and(|x| x == "pv")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            {
                models.insert(format!("{prefix}{stem}"), path);
            }
        }
    }
    Ok(models)
}

/// The proverif binary: `--proverif`, else `$LOCKSTEP_PROVERIF`, else `proverif`.
fn proverif_binary(asked: Option<&Path>) -> PathBuf {
    asked.map_or_else(
        || {
            std::env::var_os("LOCKSTEP_PROVERIF")
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from("proverif"), PathBuf::from)
        },
        Path::to_path_buf,
    )
}

/// ProVerif's version from the first line of `proverif -help`
/// ("Proverif 2.05. Cryptographic protocol verifier, …").
pub(crate) fn proverif_version(help: &str) -> Option<String> {
    let first = help.lines().find(|l| !l.trim().is_empty())?;
    let rest = first.trim().strip_prefix("Proverif ")?;
    let version = rest.split_whitespace().next()?.trim_end_matches('.');
    (!version.is_empty()).then(|| version.to_owned())
}

/// Runs `proverif -help`: its version, or why it cannot run.
fn probe_proverif(binary: &Path) -> Result<String, String> {
    let output = Command::new(binary)
        .arg("-help")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "proverif not found on PATH (or --proverif / $LOCKSTEP_PROVERIF) [{}: {e}]: {INSTALL_HINT}",
                binary.display()
            )
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(proverif_version(&text).unwrap_or_else(|| "unknown".to_owned()))
}

/// Runs `python3 DIR/gen.py --check` if `gen.py` is there: `Ok(None)` if it passed
/// or is absent, `Ok(Some(output))` if it failed, `Err` if python3 cannot run.
fn check_generated(dir: &Path) -> Result<Option<String>, String> {
    let gen_py = dir.join("gen.py");
    if !gen_py.is_file() {
        return Ok(None);
    }
    let output = Command::new("python3")
        .arg(&gen_py)
        .arg("--check")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "cannot run `python3 {} --check` ({e}); python3 is needed to check the derived models",
                gen_py.display()
            )
        })?;
    if output.status.success() {
        return Ok(None);
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = text.trim();
    Ok(Some(if text.is_empty() {
        format!("exited with {}", output.status)
    } else {
        text.to_owned()
    }))
}

// ---------------------------------------------------------------------------------
// Running ProVerif

/// One model's run.
#[derive(Clone, Debug)]
struct Run {
    /// The model.
    name: String,
    /// Wall-clock seconds.
    seconds: f64,
    /// How it ended.
    status: RunStatus,
}

/// Reads a pipe to its end on a thread of its own (so a chatty ProVerif never
/// blocks on a full pipe).
fn drain<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // A read error leaves what was read; the exit status tells the rest.
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Waits for `child` for at most `timeout`: `Ok(Some(exit))` if it finished,
/// `Ok(None)` if it was killed at the timeout.
fn wait_with_timeout(
    child: &mut Child,
    timeout: Duration,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if started.elapsed() >= timeout {
            // It may have finished just now; either way, reap it.
            let _ = child.kill();
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(POLL);
    }
}

/// Runs `proverif FILE` with a timeout.
fn run_model(binary: &Path, name: &str, file: &Path, timeout: Duration) -> Run {
    let started = Instant::now();
    let spawned = Command::new(binary)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return Run {
                name: name.to_owned(),
                seconds: 0.0,
                status: RunStatus::Error(format!("cannot run {}: {e}", binary.display())),
            };
        }
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let waited = wait_with_timeout(&mut child, timeout);
    let seconds = started.elapsed().as_secs_f64();
    let status = match waited {
        Ok(Some(exit)) => {
            let mut output =
                String::from_utf8_lossy(&stdout.join().unwrap_or_default()).into_owned();
            output.push('\n');
            output.push_str(&String::from_utf8_lossy(&stderr.join().unwrap_or_default()));
            status_of(exit.success(), &exit.to_string(), &output)
        }
        // The readers are left to finish on their own: a process the killed one
        // started (a wrapper script's child) may hold the pipes open for a while,
        // and a timed-out run's output is not read.
        Ok(None) => RunStatus::Timeout,
        Err(e) => RunStatus::Error(format!("waiting for proverif: {e}")),
    };
    Run {
        name: name.to_owned(),
        seconds,
        status,
    }
}

/// Runs every model of `todo`, `jobs` at a time, in the order given; says on stderr
/// when each ends.
fn run_all(binary: &Path, todo: &[(String, PathBuf)], jobs: usize, timeout: Duration) -> Vec<Run> {
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let runs: Mutex<Vec<Run>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(todo.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some((name, file)) = todo.get(index) else {
                        break;
                    };
                    let run = run_model(binary, name, file, timeout);
                    let done = finished.fetch_add(1, Ordering::SeqCst) + 1;
                    let said = match &run.status {
                        RunStatus::Done(results) => {
                            let verdicts: Vec<&str> =
                                results.iter().map(|r| r.got.as_str()).collect();
                            verdicts.join(", ")
                        }
                        RunStatus::Timeout => "TIMEOUT".to_owned(),
                        RunStatus::Error(e) => format!("ERROR: {e}"),
                    };
                    eprintln!(
                        "lockstep proofs: [{done}/{}] {name}: {said} ({})",
                        todo.len(),
                        report::duration(run.seconds, 1)
                    );
                    if let Ok(mut runs) = runs.lock() {
                        runs.push(run);
                    }
                }
            });
        }
    });
    let mut runs = runs
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    runs.sort_by(|a, b| a.name.cmp(&b.name));
    runs
}

// ---------------------------------------------------------------------------------
// The command

/// The JSON document of `lockstep proofs --json`.
#[derive(Serialize)]
struct Summary<'a> {
    /// Always `"proofs"`.
    lockstep: &'static str,
    /// This lockstep's version.
    version: &'static str,
    /// Whether every model is as locked (the exit code is 0 exactly then).
    passed: bool,
    /// Whether the lock was rewritten (`--update`).
    updated: bool,
    /// The proverif binary.
    proverif: String,
    /// Its version.
    proverif_version: &'a str,
    /// The lock file.
    lock: String,
    /// The whole run's wall time.
    wall_seconds: f64,
    /// One entry per model run.
    models: Vec<ModelSummary<'a>>,
    /// The link to the spec (`proofs_link`), checked before ProVerif runs.
    link: LinkSummary<'a>,
    /// Every difference (a link failure is one too, of kind `link`).
    differences: &'a [Difference],
}

/// The link to the spec in the JSON document; the counts are those of a passing
/// check (`null` when it fails).
#[derive(Serialize)]
struct LinkSummary<'a> {
    /// Whether every model matches the spec.
    passed: bool,
    /// Models checked (`*.pv` in the proofs directory).
    models: Option<usize>,
    /// Controls checked (`controls/*.pv`; their constants only).
    controls: Option<usize>,
    /// `const` lines compared with the spec, over every file.
    constants: Option<usize>,
    /// Function definitions interpreted and compared with the spec, over every model.
    functions: Option<usize>,
    /// Every failure (file, line, constant or function).
    failures: &'a [String],
}

/// The link to the spec for the JSON document.
fn link_summary(link: &Result<proofs_link::Summary, Vec<String>>) -> LinkSummary<'_> {
    match link {
        Ok(s) => LinkSummary {
            passed: true,
            models: Some(s.models),
            controls: Some(s.controls),
            constants: Some(s.constants),
            functions: Some(s.functions),
            failures: &[],
        },
        Err(failures) => LinkSummary {
            passed: false,
            models: None,
            controls: None,
            constants: None,
            functions: None,
            failures,
        },
    }
}

/// The link to the spec in one line, for the table.
fn link_line(link: &Result<proofs_link::Summary, Vec<String>>) -> String {
    match link {
        Ok(s) => format!(
            "link to the spec: {}, {} checked ({} and {})",
            count(s.constants, "constant"),
            count(s.functions, "function"),
            count(s.models, "model"),
            count(s.controls, "control")
        ),
        Err(failures) => format!(
            "link to the spec: FAILED, {} (listed under Differences)",
            count(failures.len(), "failure")
        ),
    }
}

/// One model in the JSON document.
#[derive(Serialize)]
struct ModelSummary<'a> {
    /// The model.
    name: &'a str,
    /// Its lock entry's `ci` flag (false if it has none).
    ci: bool,
    /// `ok`, `timeout` or `error`.
    status: &'static str,
    /// The error, if any.
    error: Option<&'a str>,
    /// Wall-clock seconds.
    seconds: f64,
    /// Its queries, locked and got, position by position.
    queries: Vec<QuerySummary<'a>>,
}

/// One query in the JSON document.
#[derive(Serialize)]
struct QuerySummary<'a> {
    /// The query printed now (or, if not printed, the locked one).
    query: &'a str,
    /// The locked result, if the lock has this query here.
    expected: Option<Verdict>,
    /// The result now, if ProVerif printed one here.
    got: Option<Verdict>,
}

/// Exit code 2: the command could not run.
fn cannot_run(message: &str) -> ExitCode {
    eprintln!("lockstep proofs: {message}");
    ExitCode::from(2)
}

/// Runs `lockstep proofs`.
#[allow(
    clippy::too_many_lines,
    reason = "one linear sequence of steps (find, check, run, compare, report), each short"
)]
pub(crate) fn main(args: &ProofsArgs) -> ExitCode {
    let started = Instant::now();
    let binary = proverif_binary(args.proverif.as_deref());
    let version = match probe_proverif(&binary) {
        Ok(version) => version,
        Err(e) => return cannot_run(&e),
    };
    if version != PROVERIF_VERSION {
        eprintln!(
            "lockstep proofs: warning: {} is ProVerif {version}, the models and the lock are \
             for {PROVERIF_VERSION}; results may differ",
            binary.display()
        );
    }
    let dir = match proofs_dir(args.dir.as_deref()) {
        Ok(dir) => dir,
        Err(e) => return cannot_run(&e),
    };
    let lock_path = dir.join(LOCK_FILE);
    let lock = match read_lock(&lock_path) {
        Ok(lock) => lock,
        Err(e) => return cannot_run(&e),
    };
    let lock_exists = lock.is_some();
    let lock = lock.unwrap_or_else(|| Lock {
        proverif: version.clone(),
        models: Vec::new(),
    });
    if lock_exists && lock.proverif != version {
        eprintln!(
            "lockstep proofs: warning: the lock was recorded with ProVerif {}, this is {version}",
            lock.proverif
        );
    }
    let files = match models_in(&dir) {
        Ok(files) => files,
        Err(e) => return cannot_run(&e),
    };
    let locked: BTreeMap<&str, &LockModel> =
        lock.models.iter().map(|m| (m.name.as_str(), m)).collect();

    // The selection.
    for name in &args.only {
        if !files.contains_key(name) && !locked.contains_key(name.as_str()) {
            let known: Vec<&str> = files.keys().map(String::as_str).collect();
            return cannot_run(&format!(
                "no model {name:?} in {} (the models: {})",
                dir.display(),
                known.join(", ")
            ));
        }
    }
    let mut candidates: BTreeSet<&str> = if args.only.is_empty() {
        files
            .keys()
            .map(String::as_str)
            .chain(locked.keys().copied())
            .collect()
    } else {
        args.only.iter().map(String::as_str).collect()
    };
    if args.ci {
        candidates.retain(|name| locked.get(name).is_some_and(|m| m.ci));
    }
    if candidates.is_empty() {
        return cannot_run(&format!(
            "no model selected in {}{}",
            dir.display(),
            if args.ci {
                " (--ci: no lock entry has \"ci\": true)"
            } else {
                ""
            }
        ));
    }
    let todo: Vec<(String, PathBuf)> = candidates
        .iter()
        .filter_map(|name| files.get(*name).map(|f| ((*name).to_owned(), f.clone())))
        .collect();

    // Derived models and the link to the spec first: a stale derived model or a
    // model that does not match the spec is a difference (and blocks --update).
    let mut differences = Vec::new();
    match check_generated(&dir) {
        Ok(None) => {}
        Ok(Some(output)) => differences.push(Difference::GenStale { output }),
        Err(e) => return cannot_run(&e),
    }
    let link = proofs_link::check_dir(&dir);
    if let Err(failures) = &link {
        eprintln!(
            "lockstep proofs: the models do not match the spec ({}):",
            count(failures.len(), "link failure")
        );
        for failure in failures {
            eprintln!("lockstep proofs:   {failure}");
            differences.push(Difference::Link {
                failure: failure.clone(),
            });
        }
    }
    if args.update && !differences.is_empty() {
        for d in &differences {
            if !matches!(d, Difference::Link { .. }) {
                eprintln!("lockstep proofs: not updating the lock: {}", d.describe());
            }
        }
        if let Err(failures) = &link {
            eprintln!(
                "lockstep proofs: not updating the lock: the models do not match the spec \
                 ({}, above)",
                count(failures.len(), "link failure")
            );
        }
        return ExitCode::FAILURE;
    }

    if !args.json {
        println!(
            "lockstep proofs: {} of {} ({} at a time, timeout {} s), ProVerif {version} ({}), lock {}",
            todo.len(),
            count(files.len(), "model"),
            args.jobs,
            args.timeout,
            binary.display(),
            lock_path.display()
        );
        println!("lockstep proofs: {}", link_line(&link));
    }
    let runs = run_all(
        &binary,
        &todo,
        args.jobs.get(),
        Duration::from_secs(args.timeout),
    );

    // Lock entries whose file is gone, and (whole-tree runs) files the lock lacks.
    let mut updated = false;
    if args.update {
        let mut new_lock = lock.clone();
        new_lock.proverif.clone_from(&version);
        let removed: Vec<&str> = locked
            .keys()
            .copied()
            .filter(|name| !files.contains_key(*name))
            .collect();
        new_lock.models.retain(|m| files.contains_key(&m.name));
        for run in &runs {
            // A model that failed keeps its old entry, and the run exits 1.
            let results = match &run.status {
                RunStatus::Done(results) => results,
                RunStatus::Timeout => {
                    differences.push(Difference::Timeout {
                        model: run.name.clone(),
                    });
                    continue;
                }
                RunStatus::Error(message) => {
                    differences.push(Difference::Error {
                        model: run.name.clone(),
                        message: message.clone(),
                    });
                    continue;
                }
            };
            let entry = LockModel {
                name: run.name.clone(),
                ci: locked.get(run.name.as_str()).is_some_and(|m| m.ci),
                seconds: tenths(run.seconds),
                queries: results
                    .iter()
                    .map(|r| LockQuery {
                        query: r.query.clone(),
                        expected: r.got,
                    })
                    .collect(),
            };
            new_lock.models.retain(|m| m.name != run.name);
            new_lock.models.push(entry);
        }
        if let Err(e) = write_lock(&lock_path, &new_lock) {
            return cannot_run(&e);
        }
        updated = true;
        if !args.json {
            let rewritten = runs
                .iter()
                .filter(|r| matches!(r.status, RunStatus::Done(_)))
                .count();
            println!(
                "updated {}: {} rewritten, {} removed (file gone){}",
                lock_path.display(),
                count(rewritten, "model"),
                removed.len(),
                if removed.is_empty() {
                    String::new()
                } else {
                    format!(": {}", removed.join(", "))
                }
            );
        }
    } else {
        for name in locked.keys() {
            if !files.contains_key(*name) {
                differences.push(Difference::FileMissing {
                    model: (*name).to_owned(),
                });
            }
        }
        if args.only.is_empty() && args.ci {
            for name in files.keys() {
                if !locked.contains_key(name.as_str()) {
                    differences.push(Difference::NotInLock {
                        model: name.clone(),
                    });
                }
            }
        }
        for run in &runs {
            differences.extend(compare(
                &run.name,
                locked.get(run.name.as_str()).copied(),
                &run.status,
            ));
        }
    }

    let wall = started.elapsed().as_secs_f64();
    let passed = differences.is_empty();
    if args.json {
        let summary = Summary {
            lockstep: "proofs",
            version: env!("CARGO_PKG_VERSION"),
            passed,
            updated,
            proverif: binary.display().to_string(),
            proverif_version: &version,
            lock: lock_path.display().to_string(),
            wall_seconds: wall,
            models: runs
                .iter()
                .map(|run| model_summary(run, locked.get(run.name.as_str()).copied()))
                .collect(),
            link: link_summary(&link),
            differences: &differences,
        };
        match serde_json::to_string_pretty(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => return cannot_run(&format!("cannot encode the summary: {e}")),
        }
    } else {
        print_table(&runs, &locked, &differences, &link, wall, args.update);
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One model for the JSON document.
fn model_summary<'a>(run: &'a Run, lock: Option<&'a LockModel>) -> ModelSummary<'a> {
    let expected: &[LockQuery] = lock.map_or(&[], |m| m.queries.as_slice());
    let (status, error, got): (&str, Option<&str>, &[QueryResult]) = match &run.status {
        RunStatus::Done(results) => ("ok", None, results.as_slice()),
        RunStatus::Timeout => ("timeout", None, &[]),
        RunStatus::Error(e) => ("error", Some(e.as_str()), &[]),
    };
    ModelSummary {
        name: &run.name,
        ci: lock.is_some_and(|m| m.ci),
        status,
        error,
        seconds: tenths(run.seconds),
        queries: pairs(expected, got)
            .into_iter()
            .map(|p| QuerySummary {
                query: p
                    .got
                    .map(|g| g.query.as_str())
                    .or(p.expected.map(|e| e.query.as_str()))
                    .unwrap_or(""),
                expected: p.expected.map(|e| e.expected),
                got: p.got.map(|g| g.got),
            })
            .collect(),
    }
}

/// Prints the table (model, query, expected, got, time), the differences in full,
/// the link to the spec and the summary line.
fn print_table(
    runs: &[Run],
    locked: &BTreeMap<&str, &LockModel>,
    differences: &[Difference],
    link: &Result<proofs_link::Summary, Vec<String>>,
    wall: f64,
    update: bool,
) {
    let mut table = Table::new(&["model", "query", "expected", "got", "time", ""]);
    for run in runs {
        let lock = locked.get(run.name.as_str()).copied();
        let expected: &[LockQuery] = lock.map_or(&[], |m| m.queries.as_slice());
        let time = report::duration(run.seconds, 1);
        let mut first = true;
        let mut row = |query: &str, expected: &str, got: &str, differs: bool| {
            table.row([
                if first {
                    run.name.clone()
                } else {
                    String::new()
                },
                clip(query, QUERY_WIDTH),
                expected.to_owned(),
                got.to_owned(),
                if first { time.clone() } else { String::new() },
                if differs && !update {
                    "DIFFERS".to_owned()
                } else {
                    String::new()
                },
            ]);
            first = false;
        };
        match &run.status {
            RunStatus::Done(got) => {
                for p in pairs(expected, got) {
                    let query = p
                        .got
                        .map(|g| g.query.as_str())
                        .or(p.expected.map(|e| e.query.as_str()))
                        .unwrap_or("");
                    let e = p.expected.map_or("-", |e| e.expected.as_str());
                    let g = p.got.map_or("-", |g| g.got.as_str());
                    let same = matches!((p.expected, p.got),
                        (Some(e), Some(g)) if e.query == g.query && e.expected == g.got);
                    row(query, e, g, !same);
                }
            }
            RunStatus::Timeout | RunStatus::Error(_) => {
                let got = if run.status == RunStatus::Timeout {
                    "timeout"
                } else {
                    "error"
                };
                if expected.is_empty() {
                    row("-", "-", got, true);
                }
                for e in expected {
                    row(&e.query, e.expected.as_str(), got, true);
                }
            }
        }
    }
    println!();
    print!("{}", table.render());
    if runs.is_empty() {
        println!("(no model run)");
    }
    if !differences.is_empty() {
        println!();
        println!("Differences:");
        for d in differences {
            println!("- {}", d.describe());
        }
    }
    println!();
    println!("{}", link_line(link));
    let queries: usize = runs
        .iter()
        .map(|r| match &r.status {
            RunStatus::Done(results) => results.len(),
            _ => 0,
        })
        .sum();
    let models_with: BTreeSet<&str> = differences.iter().filter_map(Difference::model).collect();
    if differences.is_empty() {
        let what = if update { "recorded" } else { "as locked" };
        println!(
            "all {} {what}: {} in {} (wall)",
            count(runs.len(), "model"),
            count(queries, "query result"),
            report::duration(wall, 1)
        );
    } else {
        println!(
            "{} ({} of {} run affected) in {} (wall)",
            count(differences.len(), "difference"),
            models_with.len(),
            count(runs.len(), "model"),
            report::duration(wall, 1)
        );
    }
}

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
