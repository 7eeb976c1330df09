//! Results and the lock: ProVerif's `RESULT` lines parsed, `proofs/results.json` read and written, differences found.

use super::*;

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
    pub(super) fn as_str(self) -> &'static str {
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
    pub(super) query: String,
    /// What ProVerif said.
    pub(super) got: Verdict,
}

/// What one ProVerif run printed, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// The `RESULT` lines, in the order printed.
    pub(super) results: Vec<QueryResult>,
    /// The first `Error` line (with the `File …` line before it, if any).
    pub(super) error: Option<String>,
}

/// The lock file, `proofs/results.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Lock {
    /// The ProVerif version the results were recorded with.
    pub(super) proverif: String,
    /// One entry per model, sorted by name.
    pub(super) models: Vec<LockModel>,
}

/// One model's entry in the lock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LockModel {
    /// Its name: the path under `proofs/` without `.pv`.
    pub(super) name: String,
    /// Whether `--ci` runs it.
    pub(super) ci: bool,
    /// Seconds the last `--update` took on it, to 0.1 s; informational, never
    /// compared.
    pub(super) seconds: f64,
    /// Its queries, in the order ProVerif prints them.
    pub(super) queries: Vec<LockQuery>,
}

/// One query of a model and the result it must have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LockQuery {
    /// The query, whitespace collapsed, as ProVerif prints it.
    pub(super) query: String,
    /// Its expected result.
    pub(super) expected: Verdict,
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
    pub(super) fn model(&self) -> Option<&str> {
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
    pub(super) fn describe(&self) -> String {
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
pub(super) fn indent(text: &str) -> String {
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
pub(super) struct Pair<'a> {
    /// The position.
    pub(super) index: usize,
    /// The locked query there.
    pub(super) expected: Option<&'a LockQuery>,
    /// The result there.
    pub(super) got: Option<&'a QueryResult>,
}

/// The locked queries and the results side by side, position by position.
pub(super) fn pairs<'a>(expected: &'a [LockQuery], got: &'a [QueryResult]) -> Vec<Pair<'a>> {
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
pub(super) fn read_lock(path: &Path) -> Result<Option<Lock>, String> {
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
pub(super) fn write_lock(path: &Path, lock: &Lock) -> Result<(), String> {
    let mut lock = lock.clone();
    lock.models.sort_by(|a, b| a.name.cmp(&b.name));
    let mut text =
        serde_json::to_string_pretty(&lock).map_err(|e| format!("cannot encode the lock: {e}"))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Seconds to 0.1 s, as the lock keeps them.
pub(super) fn tenths(seconds: f64) -> f64 {
    (seconds * 10.0).round() / 10.0
}
