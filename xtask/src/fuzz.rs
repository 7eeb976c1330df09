//! `cargo xtask fuzz`: the fuzz targets of `fuzz/`, run and seeded from one command.
//! Developer tooling: it drives cargo-fuzz and reads libFuzzer's logs, so it lives
//! here and not in the `lockstep` command (`lockstep fuzz repro` reruns a target's
//! body on files, on stable, without any of this).
//!
//! - `cargo xtask fuzz run` runs each target under libFuzzer (`cargo fuzz run`) for
//!   a while, one after the other, writes each run's output to
//!   `target/fuzz-logs/<target>.log`, and prints a table of what libFuzzer reported
//!   (executions, coverage, corpus, peak memory) and whether the target crashed.
//!   It needs cargo-fuzz and a nightly toolchain (or stable with
//!   `RUSTC_BOOTSTRAP=1`).
//! - `cargo xtask fuzz corpus` writes every target's seed corpus
//!   ([`fuzz::seed_corpus`]) into `fuzz/corpus/<target>/`, in place of the seeds
//!   already there (files named `seed-*`); the inputs libFuzzer added stay.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::File;
use std::io::{IsTerminal as _, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_harness::fuzz::{self, Target};
use lockstep_harness::report::{self, Align, Table, count, group};
use serde::Serialize;

/// The subcommands of `cargo xtask fuzz`.
#[derive(Debug, Subcommand)]
pub(crate) enum FuzzCommand {
    /// Run each target under libFuzzer (cargo fuzz run) for a while, one after
    /// another, and print what libFuzzer reported. Exit 1 if a target crashed or
    /// did not run.
    Run(RunArgs),
    /// Write every target's seed corpus into DIR/TARGET/, in place of the seed-*
    /// files there (inputs libFuzzer added are kept).
    Corpus {
        /// The corpus directory (one directory per target is made in it).
        #[arg(long, value_name = "DIR", default_value = "fuzz/corpus")]
        out: PathBuf,
    },
}

/// The flags of `cargo xtask fuzz run`.
#[derive(Debug, Args)]
#[command(after_help = fuzz::target_list())]
pub(crate) struct RunArgs {
    /// Seconds of fuzzing per target (libFuzzer's -max_total_time; the build
    /// comes on top).
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    time: u64,
    /// A target to run (repeat the flag, or separate names with commas;
    /// default: every target).
    #[arg(long = "target", value_name = "NAME", value_delimiter = ',', value_parser = parse_target)]
    targets: Vec<&'static Target>,
    /// The cargo-fuzz project (its corpus/, artifacts/, dicts/ are used).
    #[arg(long, value_name = "DIR", default_value = "fuzz")]
    fuzz_dir: PathBuf,
    /// Where the libFuzzer output of each target goes (TARGET.log).
    #[arg(long, value_name = "DIR", default_value = "target/fuzz-logs")]
    log_dir: PathBuf,
    /// The toolchain cargo fuzz builds with: nightly (`cargo +nightly`), bootstrap
    /// (the default toolchain with RUSTC_BOOTSTRAP=1), or auto (nightly if
    /// `cargo +nightly --version` works, else bootstrap).
    #[arg(long, value_enum, default_value_t = Toolchain::Auto)]
    toolchain: Toolchain,
    /// cargo fuzz's sanitizer: none (the default) or address. Lockstep has no
    /// `unsafe`, and AddressSanitizer slows the spec-heavy targets some twentyfold
    /// (state_decode: 4 against 81 executions per second, measured); ClusterFuzzLite
    /// and OSS-Fuzz run the targets under it.
    #[arg(long, value_enum, default_value_t = Sanitizer::None)]
    sanitizer: Sanitizer,
    /// Print a JSON summary on stdout instead of the table.
    #[arg(long)]
    json: bool,
}

/// The sanitizer `cargo fuzz` builds with (its `--sanitizer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Sanitizer {
    /// No sanitizer: coverage instrumentation only.
    None,
    /// AddressSanitizer (cargo fuzz's own default).
    Address,
}

impl Sanitizer {
    /// Its name for `cargo fuzz --sanitizer`.
    fn flag(self) -> &'static str {
        match self {
            Sanitizer::None => "none",
            Sanitizer::Address => "address",
        }
    }
}

/// The toolchain `cargo fuzz` runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Toolchain {
    /// Nightly if `cargo +nightly --version` works, else bootstrap.
    Auto,
    /// `cargo +nightly fuzz …`.
    Nightly,
    /// `RUSTC_BOOTSTRAP=1 cargo fuzz …` on the default toolchain.
    Bootstrap,
}

/// A target by name.
fn parse_target(name: &str) -> Result<&'static Target, String> {
    fuzz::target(name).ok_or_else(|| format!("no fuzz target {name:?}; {}", fuzz::target_list()))
}

/// Runs `cargo xtask fuzz …`.
pub(crate) fn main(command: FuzzCommand) -> ExitCode {
    match command {
        FuzzCommand::Run(args) => run(&args),
        FuzzCommand::Corpus { out } => corpus(&out),
    }
}

// ---------------------------------------------------------------------------------
// xtask fuzz run

/// The toolchain a run uses, once `auto` is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resolved {
    /// `cargo +nightly`.
    Nightly,
    /// `RUSTC_BOOTSTRAP=1 cargo`.
    Bootstrap,
}

impl Resolved {
    /// Its name in the output.
    fn name(self) -> &'static str {
        match self {
            Resolved::Nightly => "nightly",
            Resolved::Bootstrap => "bootstrap (RUSTC_BOOTSTRAP=1)",
        }
    }

    /// The `cargo` command line before `fuzz`, as a person would type it.
    fn cargo(self) -> &'static str {
        match self {
            Resolved::Nightly => "cargo +nightly",
            Resolved::Bootstrap => "RUSTC_BOOTSTRAP=1 cargo",
        }
    }
}

/// The first line `cargo ARGS` prints, if it runs and succeeds.
fn cargo_says(args: &[&str]) -> Result<String, String> {
    let output = Command::new("cargo")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "`cargo {}` failed ({}): {}",
            args.join(" "),
            output.status,
            stderr.lines().next().unwrap_or("").trim()
        ))
    }
}

/// The toolchain `asked` stands for here.
fn resolve_toolchain(asked: Toolchain) -> Result<(Resolved, String), String> {
    match asked {
        Toolchain::Nightly => cargo_says(&["+nightly", "--version"])
            .map(|v| (Resolved::Nightly, v))
            .map_err(|e| {
                format!(
                    "{e}; install a nightly toolchain (rustup toolchain install nightly) or use --toolchain bootstrap"
                )
            }),
        Toolchain::Bootstrap => Ok((
            Resolved::Bootstrap,
            cargo_says(&["--version"]).unwrap_or_default(),
        )),
        Toolchain::Auto => match cargo_says(&["+nightly", "--version"]) {
            Ok(v) => Ok((Resolved::Nightly, v)),
            Err(_) => Ok((
                Resolved::Bootstrap,
                cargo_says(&["--version"]).unwrap_or_default(),
            )),
        },
    }
}

/// How a target's run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// libFuzzer ran for its time and found nothing.
    Clean,
    /// libFuzzer found an input that fails (`kind`: crash, leak, timeout, oom) and
    /// wrote it to `artifact`.
    Crash {
        /// The kind of artifact.
        kind: String,
        /// Its path, as libFuzzer printed it.
        artifact: String,
    },
    /// The target did not build.
    BuildFailed(String),
    /// The run failed otherwise.
    Error(String),
}

/// What libFuzzer's output (and cargo-fuzz's around it) says about a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct LogStats {
    /// Inputs run (`stat::number_of_executed_units`, else the last status line).
    executions: Option<u64>,
    /// Inputs per second (`stat::average_exec_per_sec`, else the last status line).
    exec_per_sec: Option<u64>,
    /// Inputs added to the corpus (`stat::new_units_added`).
    new_units: Option<u64>,
    /// Peak resident memory in MB (`stat::peak_rss_mb`, else the last status line).
    peak_rss_mb: Option<u64>,
    /// Coverage points (`cov:` of the last status line).
    cov: Option<u64>,
    /// Features (`ft:` of the last status line).
    ft: Option<u64>,
    /// Inputs in the corpus (`corp: N/…`).
    corpus_units: Option<u64>,
    /// Their total size, as libFuzzer writes it (`corp: …/45Kb`).
    corpus_size: Option<String>,
    /// Seconds of fuzzing (`Done N runs in S second(s)`; absent after a crash).
    fuzz_seconds: Option<u64>,
    /// The kind of the failing input written (crash, leak, timeout, oom).
    artifact_kind: Option<String>,
    /// Its path (`Test unit written to …`).
    artifact: Option<String>,
    /// The first panic's message.
    panic: Option<String>,
    /// Where it panicked.
    panic_location: Option<String>,
    /// libFuzzer's or a sanitizer's error (`==N== ERROR: …`).
    fuzzer_error: Option<String>,
    /// The first error line of cargo or cargo-fuzz.
    error: Option<String>,
    /// Whether cargo-fuzz said the build failed.
    #[serde(skip)]
    build_failed: bool,
}

/// The fields of a libFuzzer status line (`#N  KIND  cov: … ft: … corp: …`): the
/// execution count and each `key: value` pair.
fn status_line(line: &str) -> Option<(u64, Vec<(&str, &str)>)> {
    let mut words = line.split_whitespace();
    let count = words.next()?.strip_prefix('#')?.parse().ok()?;
    let words: Vec<&str> = words.collect();
    let fields: Vec<(&str, &str)> = words
        .windows(2)
        .filter_map(|pair| Some((pair[0].strip_suffix(':')?, pair[1])))
        .collect();
    fields
        .iter()
        .any(|(key, _)| *key == "cov")
        .then_some((count, fields))
}

/// The leading digits of `text` as a number (`"512Mb"` is 512).
fn leading_number(text: &str) -> Option<u64> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

/// `text`, cut to about `max` characters.
fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Reads a libFuzzer run's output (`cargo fuzz run … -- -print_final_stats=1`,
/// stdout and stderr together).
pub(crate) fn parse_log(text: &str) -> LogStats {
    let mut stats = LogStats::default();
    let mut last_status: Option<(u64, Vec<(&str, &str)>)> = None;
    let mut lines = text.lines();
    while let Some(raw) = lines.next() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("stat::") {
            let (key, value) = rest.split_once(':').unwrap_or((rest, ""));
            let value = value.trim().parse().ok();
            match key {
                "number_of_executed_units" => stats.executions = value,
                "average_exec_per_sec" => stats.exec_per_sec = value,
                "new_units_added" => stats.new_units = value,
                "peak_rss_mb" => stats.peak_rss_mb = value,
                _ => {}
            }
        } else if raw.starts_with('#') {
            if let Some(status) = status_line(raw) {
                last_status = Some(status);
            }
        } else if let Some(rest) = line.strip_prefix("Done ") {
            // "Done 1131003 runs in 4 second(s)"
            let words: Vec<&str> = rest.split_whitespace().collect();
            if let [_, "runs", "in", seconds, ..] = words.as_slice() {
                stats.fuzz_seconds = seconds.parse().ok();
            }
        } else if let Some((_, path)) = line.split_once("Test unit written to ") {
            let path = path.trim();
            let file = path.rsplit('/').next().unwrap_or(path);
            let kind = ["crash", "leak", "timeout", "oom"]
                .into_iter()
                .find(|kind| file.starts_with(&format!("{kind}-")));
            // Slow units (slow-unit-*) are written too, but are no failure.
            if let (Some(kind), None) = (kind, &stats.artifact) {
                stats.artifact_kind = Some(kind.to_owned());
                stats.artifact = Some(path.to_owned());
            }
        } else if let Some((_, location)) = line.split_once(" panicked at ") {
            if stats.panic.is_none() {
                // Rust 1.73 on: "thread '…' panicked at src/x.rs:5:9:" and the
                // message on the next line; before: "panicked at 'msg', src/x.rs".
                match location.strip_suffix(':') {
                    Some(location) => {
                        stats.panic_location = Some(location.to_owned());
                        stats.panic = lines.next().map(|m| clip(m, 300));
                    }
                    None => stats.panic = Some(clip(location, 300)),
                }
            }
        } else if let Some((_, error)) = line.split_once("== ERROR: ") {
            if stats.fuzzer_error.is_none() {
                stats.fuzzer_error = Some(clip(error, 200));
            }
        } else if line.starts_with("error") || line.starts_with("Error: ") {
            if line.contains("failed to build fuzz script") || line.contains("could not compile") {
                stats.build_failed = true;
            }
            // Cargo's own errors (`error: …`, `error[E…]: …`) say more than
            // cargo-fuzz's `Error: …` that follows them.
            let better = stats
                .error
                .as_deref()
                .is_none_or(|e| e.starts_with("Error: ") && line.starts_with("error"));
            if better {
                stats.error = Some(clip(line, 200));
            }
        }
    }
    if let Some((count, fields)) = last_status {
        let field = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        stats.cov = field("cov").and_then(leading_number);
        stats.ft = field("ft").and_then(leading_number);
        if let Some(corp) = field("corp") {
            let (units, size) = corp.split_once('/').unwrap_or((corp, ""));
            stats.corpus_units = units.parse().ok();
            stats.corpus_size = (!size.is_empty()).then(|| size.to_owned());
        }
        stats.executions = stats.executions.or(Some(count));
        stats.exec_per_sec = stats
            .exec_per_sec
            .or_else(|| field("exec/s").and_then(leading_number));
        stats.peak_rss_mb = stats
            .peak_rss_mb
            .or_else(|| field("rss").and_then(leading_number));
    }
    stats
}

/// How a run ended, from its exit status and its output.
fn classify(succeeded: bool, exit: &str, stats: &LogStats) -> Outcome {
    if let (Some(kind), Some(artifact)) = (&stats.artifact_kind, &stats.artifact) {
        return Outcome::Crash {
            kind: kind.clone(),
            artifact: artifact.clone(),
        };
    }
    if succeeded {
        return Outcome::Clean;
    }
    let error = stats.error.clone().unwrap_or_else(|| exit.to_owned());
    if stats.build_failed {
        Outcome::BuildFailed(error)
    } else if let Some(failure) = stats.panic.as_ref().or(stats.fuzzer_error.as_ref()) {
        Outcome::Error(format!("failed without writing an input: {failure}"))
    } else {
        Outcome::Error(error)
    }
}

/// One target's run: a row of the table and an entry of the JSON summary.
#[derive(Clone, Debug, Serialize)]
struct Row {
    /// The target.
    target: &'static str,
    /// `ok`, `crash`, `build-failed` or `error`.
    result: &'static str,
    /// What went wrong, if anything.
    detail: Option<String>,
    /// libFuzzer's output.
    log: PathBuf,
    /// Wall time, build included.
    wall_seconds: f64,
    /// The exit code of `cargo fuzz run`.
    exit_code: Option<i32>,
    /// What the output says.
    #[serde(flatten)]
    stats: LogStats,
}

impl Row {
    /// A row for a target that could not even be started.
    fn not_run(target: &'static str, log: PathBuf, why: String) -> Row {
        Row {
            target,
            result: "error",
            detail: Some(why),
            log,
            wall_seconds: 0.0,
            exit_code: None,
            stats: LogStats::default(),
        }
    }

    /// Whether the target ran and found nothing.
    fn passed(&self) -> bool {
        self.result == "ok"
    }

    /// The table's result column.
    fn result_text(&self) -> String {
        let log = self.log.display();
        match self.result {
            "ok" => "ok".to_owned(),
            "crash" => format!(
                "{} {}",
                self.stats
                    .artifact_kind
                    .as_deref()
                    .unwrap_or("crash")
                    .to_uppercase(),
                self.stats.artifact.as_deref().unwrap_or("")
            ),
            "build-failed" => format!("build failed (log: {log})"),
            _ => format!(
                "error: {} (log: {log})",
                self.detail.as_deref().unwrap_or("")
            ),
        }
    }
}

/// The spinner of a run (stderr, only on a terminal), or a line per target.
struct Spinner {
    bar: ProgressBar,
    visible: bool,
    quiet: bool,
}

impl Spinner {
    fn new(json: bool) -> Spinner {
        Spinner {
            bar: ProgressBar::hidden(),
            visible: !json && std::io::stderr().is_terminal(),
            quiet: json,
        }
    }

    /// A new target starts.
    fn start(&mut self, message: String) {
        self.bar.finish_and_clear();
        if !self.visible {
            if !self.quiet {
                eprintln!("xtask fuzz run: {message}");
            }
            return;
        }
        self.bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_msg}")
        {
            self.bar.set_style(style);
        }
        self.bar.set_draw_target(ProgressDrawTarget::stderr());
        self.bar.enable_steady_tick(Duration::from_millis(120));
        self.bar.set_message(message);
    }

    fn message(&self, message: String) {
        if self.visible {
            self.bar.set_message(message);
        }
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

/// The last status line in the last few KB of the log, for the spinner.
fn log_tail_status(path: &Path) -> Option<String> {
    const TAIL: u64 = 16 * 1024;
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL))).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let (count, fields) = text.lines().rev().find_map(status_line)?;
    let field = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("-", |(_, v)| *v)
    };
    Some(format!(
        "#{} cov {} ft {} corp {} exec/s {} rss {}",
        group(count),
        field("cov"),
        field("ft"),
        field("corp"),
        field("exec/s"),
        field("rss")
    ))
}

/// What `cargo xtask fuzz run` needs to run one target.
struct Plan<'a> {
    args: &'a RunArgs,
    toolchain: Resolved,
}

impl Plan<'_> {
    /// The `cargo fuzz run` command for `target`, as a [`Command`] and as text.
    fn command(&self, target: &Target) -> (Command, String) {
        let dir = &self.args.fuzz_dir;
        let mut command = Command::new("cargo");
        let mut words: Vec<OsString> = Vec::new();
        if self.toolchain == Resolved::Nightly {
            words.push("+nightly".into());
        }
        words.extend(["fuzz", "run", target.name, "--sanitizer"].map(OsString::from));
        words.push(self.args.sanitizer.flag().into());
        words.push("--fuzz-dir".into());
        words.push(dir.into());
        words.push("--".into());
        words.push(format!("-max_total_time={}", self.args.time).into());
        words.push(format!("-max_len={}", target.max_len).into());
        words.push("-print_final_stats=1".into());
        let dict = dir.join("dicts").join(format!("{}.dict", target.name));
        if dict.is_file() {
            let mut flag = OsString::from("-dict=");
            flag.push(&dict);
            words.push(flag);
        }
        if self.toolchain == Resolved::Bootstrap {
            command.env("RUSTC_BOOTSTRAP", "1");
        }
        command.args(&words);
        let text = words
            .iter()
            .map(|w| w.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        let prefix = if self.toolchain == Resolved::Bootstrap {
            "RUSTC_BOOTSTRAP=1 cargo"
        } else {
            "cargo"
        };
        (command, format!("{prefix} {text}"))
    }

    /// Runs `target`, its output into its log, with `spinner` showing progress.
    fn run_one(&self, target: &'static Target, spinner: &Spinner, label: &str) -> Row {
        let log = self.args.log_dir.join(format!("{}.log", target.name));
        if self.toolchain == Resolved::Bootstrap {
            // Cargo caches what `rustc -vV` said; a cache written without
            // RUSTC_BOOTSTRAP would make it believe the toolchain is not nightly.
            let info = self.args.fuzz_dir.join("target").join(".rustc_info.json");
            if let Err(e) = std::fs::remove_file(&info)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Row::not_run(
                    target.name,
                    log,
                    format!("cannot remove {}: {e}", info.display()),
                );
            }
        }
        let (mut command, text) = self.command(target);
        let opened = File::create(&log).and_then(|mut file| {
            writeln!(file, "# xtask fuzz run: {text}")?;
            let stderr = file.try_clone()?;
            Ok((file, stderr))
        });
        let (stdout, stderr) = match opened {
            Ok(files) => files,
            Err(e) => {
                return Row::not_run(
                    target.name,
                    log.clone(),
                    format!("cannot write {}: {e}", log.display()),
                );
            }
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::from(stderr));
        let started = Instant::now();
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                return Row::not_run(target.name, log, format!("cannot run `{text}`: {e}"));
            }
        };
        let mut last_look = Instant::now();
        let waited: std::io::Result<ExitStatus> = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(e) => {
                    let _ = child.kill();
                    break child.wait().map_err(|_| e);
                }
            }
            if last_look.elapsed() >= Duration::from_secs(1) {
                last_look = Instant::now();
                let progress = log_tail_status(&log)
                    .unwrap_or_else(|| "building (cargo fuzz build)".to_owned());
                spinner.message(format!("{label}: {progress}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let wall = started.elapsed().as_secs_f64();
        let status = match waited {
            Ok(status) => status,
            Err(e) => {
                return Row::not_run(target.name, log, format!("waiting for cargo fuzz: {e}"));
            }
        };
        let text = match std::fs::read(&log) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                return Row::not_run(
                    target.name,
                    log.clone(),
                    format!("cannot read {}: {e}", log.display()),
                );
            }
        };
        let stats = parse_log(&text);
        let outcome = classify(status.success(), &status.to_string(), &stats);
        let (result, detail) = match outcome {
            Outcome::Clean => ("ok", None),
            Outcome::Crash { .. } => (
                "crash",
                stats.panic.clone().or_else(|| stats.fuzzer_error.clone()),
            ),
            Outcome::BuildFailed(e) => ("build-failed", Some(e)),
            Outcome::Error(e) => ("error", Some(e)),
        };
        Row {
            target: target.name,
            result,
            detail,
            log,
            wall_seconds: wall,
            exit_code: status.code(),
            stats,
        }
    }
}

/// The JSON summary of `cargo xtask fuzz run --json`.
#[derive(Serialize)]
struct RunSummary<'a> {
    /// Always `"fuzz run"`.
    lockstep: &'static str,
    /// This lockstep's version.
    version: &'static str,
    /// Whether every target ran and found nothing (the exit code is 0 exactly then).
    passed: bool,
    /// The fuzzing time asked per target.
    seconds_per_target: u64,
    /// The toolchain used.
    toolchain: &'static str,
    /// `cargo --version` of it.
    cargo: String,
    /// The cargo-fuzz project.
    fuzz_dir: &'a Path,
    /// The whole run's wall time.
    wall_seconds: f64,
    /// One entry per target.
    targets: &'a [Row],
}

/// Runs `cargo xtask fuzz run`.
fn run(args: &RunArgs) -> ExitCode {
    let started = Instant::now();
    let cargo_fuzz = match cargo_says(&["fuzz", "--version"]) {
        Ok(version) => version,
        Err(e) => {
            eprintln!(
                "xtask fuzz run: cargo-fuzz does not run ({e}); install it with: cargo install cargo-fuzz --locked"
            );
            return ExitCode::FAILURE;
        }
    };
    if !args.fuzz_dir.join("Cargo.toml").is_file() {
        eprintln!(
            "xtask fuzz run: {} is not a cargo-fuzz project (no Cargo.toml); see --fuzz-dir",
            args.fuzz_dir.display()
        );
        return ExitCode::FAILURE;
    }
    let (toolchain, cargo) = match resolve_toolchain(args.toolchain) {
        Ok(resolved) => resolved,
        Err(e) => {
            eprintln!("xtask fuzz run: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut targets: Vec<&'static Target> = Vec::new();
    let asked: Vec<&'static Target> = if args.targets.is_empty() {
        fuzz::targets().iter().collect()
    } else {
        args.targets.clone()
    };
    for target in asked {
        if !targets.iter().any(|t| t.name == target.name) {
            targets.push(target);
        }
    }
    if let Err(e) = std::fs::create_dir_all(&args.log_dir) {
        eprintln!(
            "xtask fuzz run: cannot create {}: {e}",
            args.log_dir.display()
        );
        return ExitCode::FAILURE;
    }
    if !args.json {
        println!(
            "xtask fuzz run: {}, {} s of fuzzing each, {cargo_fuzz} on {} ({cargo})",
            count(targets.len(), "target"),
            args.time,
            toolchain.name(),
        );
        println!(
            "  corpora in {}, crash inputs in {}, logs in {}",
            args.fuzz_dir.join("corpus").display(),
            args.fuzz_dir.join("artifacts").display(),
            args.log_dir.display()
        );
    }

    let plan = Plan { args, toolchain };
    let mut spinner = Spinner::new(args.json);
    let mut rows = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        let label = format!("[{}/{}] {}", index + 1, targets.len(), target.name);
        spinner.start(format!(
            "{label}: building, then fuzzing for {} s (log {})",
            args.time,
            args.log_dir.join(format!("{}.log", target.name)).display()
        ));
        rows.push(plan.run_one(target, &spinner, &label));
    }
    spinner.done();

    let passed = rows.iter().all(Row::passed);
    let wall = started.elapsed().as_secs_f64();
    if args.json {
        let summary = RunSummary {
            lockstep: "fuzz run",
            version: env!("CARGO_PKG_VERSION"),
            passed,
            seconds_per_target: args.time,
            toolchain: match toolchain {
                Resolved::Nightly => "nightly",
                Resolved::Bootstrap => "bootstrap",
            },
            cargo,
            fuzz_dir: &args.fuzz_dir,
            wall_seconds: wall,
            targets: &rows,
        };
        match serde_json::to_string_pretty(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("xtask fuzz run: cannot encode the summary: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print_run_table(&plan, &rows, wall);
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the table of `cargo xtask fuzz run`, then what to do about each failure.
fn print_run_table(plan: &Plan<'_>, rows: &[Row], wall: f64) {
    let number = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), group);
    // Names and results to the left, numbers to the right.
    let mut table = Table::new(&[
        "target",
        "time",
        "executions",
        "exec/s",
        "cov",
        "ft",
        "corpus",
        "peak RSS",
        "result",
    ]);
    for column in 1..8 {
        table = table.align(column, Align::Right);
    }
    for r in rows {
        let s = &r.stats;
        table.row([
            r.target.to_owned(),
            report::duration(r.wall_seconds, 1),
            number(s.executions),
            number(s.exec_per_sec),
            number(s.cov),
            number(s.ft),
            match (s.corpus_units, &s.corpus_size) {
                (Some(units), Some(size)) => format!("{units}/{size}"),
                (Some(units), None) => units.to_string(),
                _ => "-".to_owned(),
            },
            s.peak_rss_mb
                .map_or_else(|| "-".to_owned(), |mb| format!("{mb} MB")),
            r.result_text(),
        ]);
    }
    println!();
    print!("{}", table.render());
    if rows.is_empty() {
        println!("(no fuzz targets: lockstep_harness::fuzz::targets() is empty)");
    }

    let failed: Vec<&Row> = rows.iter().filter(|r| !r.passed()).collect();
    for r in &failed {
        println!();
        match (r.result, &r.stats.artifact) {
            ("crash", Some(artifact)) => {
                println!(
                    "{} {}: {}",
                    r.stats
                        .artifact_kind
                        .as_deref()
                        .unwrap_or("crash")
                        .to_uppercase(),
                    r.target,
                    r.stats.fuzzer_error.as_deref().unwrap_or("a failing input")
                );
                if let Some(panic) = &r.stats.panic {
                    let at = r
                        .stats
                        .panic_location
                        .as_deref()
                        .map_or_else(String::new, |l| format!(" (at {l})"));
                    println!("  panicked{at}: {panic}");
                }
                println!("  input:     {artifact}");
                println!("  reproduce: lockstep fuzz repro {} {artifact}", r.target);
                println!(
                    "         or: {} fuzz run {} --fuzz-dir {} {artifact}",
                    plan.toolchain.cargo(),
                    r.target,
                    plan.args.fuzz_dir.display()
                );
                println!(
                    "  minimise:  {} fuzz tmin {} --fuzz-dir {} {artifact}",
                    plan.toolchain.cargo(),
                    r.target,
                    plan.args.fuzz_dir.display()
                );
            }
            _ => {
                println!(
                    "FAILED {}: {}",
                    r.target,
                    r.detail.as_deref().unwrap_or(r.result)
                );
            }
        }
        println!("  log:       {}", r.log.display());
    }
    println!();
    if failed.is_empty() {
        println!(
            "all {} ran clean in {} (wall)",
            count(rows.len(), "target"),
            report::duration(wall, 1)
        );
    } else {
        println!(
            "{} of {} FAILED in {} (wall)",
            failed.len(),
            count(rows.len(), "target"),
            report::duration(wall, 1)
        );
    }
}

// ---------------------------------------------------------------------------------
// xtask fuzz corpus

/// What `write_seeds` did for one target.
struct Written {
    /// The target's corpus directory.
    dir: PathBuf,
    /// Seed files written.
    files: usize,
    /// Their bytes.
    bytes: usize,
    /// Old seed files removed first.
    removed: usize,
}

/// Replaces the seed files of target `name` in `out/<name>/` with its seed corpus.
fn write_seeds(out: &Path, name: &str) -> Result<Written, String> {
    let seeds = fuzz::seed_corpus(name).map_err(|f| f.to_string())?;
    // Check every name before touching the directory.
    let mut names = BTreeSet::new();
    for (file, _) in &seeds {
        let plain = !file.contains(['/', '\\', '\0']) && file != "." && file != "..";
        if !file.starts_with("seed-") || !plain {
            return Err(format!(
                "the seed corpus names a file {file:?}: seed files must be plain names starting with \"seed-\""
            ));
        }
        if !names.insert(file.as_str()) {
            return Err(format!("the seed corpus names {file:?} twice"));
        }
    }
    let dir = out.join(name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut removed = 0;
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let is_seed = entry.file_name().to_string_lossy().starts_with("seed-");
        if is_seed && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
            removed += 1;
        }
    }
    let mut bytes = 0;
    for (file, data) in &seeds {
        let path = dir.join(file);
        std::fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        bytes += data.len();
    }
    Ok(Written {
        dir,
        files: seeds.len(),
        bytes,
        removed,
    })
}

/// Runs `cargo xtask fuzz corpus`.
fn corpus(out: &Path) -> ExitCode {
    let targets = fuzz::targets();
    println!("xtask fuzz corpus: seed corpora into {}", out.display());
    let width = targets.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let mut failed = 0;
    let mut total = 0;
    for target in targets {
        match write_seeds(out, target.name) {
            Ok(w) => {
                total += w.files;
                println!(
                    "  {:<width$}  {:>11}  {:>11} bytes  -> {} (replaced {} old seed files)",
                    target.name,
                    count(w.files, "file"),
                    group(w.bytes as u64),
                    w.dir.display(),
                    w.removed
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("xtask fuzz corpus: {}: {e}", target.name);
            }
        }
    }
    if targets.is_empty() {
        println!("(no fuzz targets: lockstep_harness::fuzz::targets() is empty)");
    }
    if failed == 0 {
        println!(
            "wrote {} for {}",
            count(total, "seed file"),
            count(targets.len(), "target")
        );
        ExitCode::SUCCESS
    } else {
        println!("{failed} of {} seed corpora FAILED", targets.len());
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The end of a clean run (cargo-fuzz 0.13.2, libFuzzer of libfuzzer-sys
    /// 0.4.13), as written to the log: NEW and REDUCE lines shortened.
    const CLEAN: &str = "\
# xtask fuzz run: cargo +nightly fuzz run clean --fuzz-dir fuzz -- -max_total_time=3 -max_len=64 -print_final_stats=1
    Finished `release` profile [optimized + debuginfo] target(s) in 0.01s
     Running `fuzz/target/x86_64-unknown-linux-gnu/release/clean -artifact_prefix=fuzz/artifacts/clean/ -max_total_time=3 -max_len=64 -print_final_stats=1 fuzz/corpus/clean`
INFO: Running with entropic power schedule (0xFF, 100).
INFO: Seed: 3273910946
INFO: Loaded 1 modules   (304 inline 8-bit counters): 304 [0x563c74774590, 0x563c747746c0), 
INFO: Loaded 1 PC tables (304 PCs): 304 [0x563c747746c0,0x563c747759c0), 
INFO:        0 files found in fuzz/corpus/clean
INFO: A corpus is not provided, starting from an empty corpus
#2\tINITED cov: 17 ft: 17 corp: 1/1b exec/s: 0 rss: 33Mb
#3\tNEW    cov: 18 ft: 18 corp: 2/2b lim: 4 exec/s: 0 rss: 33Mb L: 1/1 MS: 1 ChangeBit-
#1048576\tpulse  cov: 19 ft: 30 corp: 9/82b lim: 64 exec/s: 349525 rss: 104Mb
#1131003\tDONE   cov: 19 ft: 30 corp: 9/82b lim: 64 exec/s: 282750 rss: 109Mb
###### Recommended dictionary. ######
\"\\000\\000\" # Uses: 53130
###### End of recommended dictionary. ######
Done 1131003 runs in 4 second(s)
stat::number_of_executed_units: 1131003
stat::average_exec_per_sec:     282750
stat::new_units_added:          9
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              109
";

    /// A run that found a panicking input (same versions), stack traces cut.
    const CRASH: &str = "\
    Finished `release` profile [optimized + debuginfo] target(s) in 0.02s
     Running `fuzz/target/x86_64-unknown-linux-gnu/release/fuzz_target_1 -artifact_prefix=fuzz/artifacts/fuzz_target_1/ -max_total_time=60 -max_len=64 -print_final_stats=1 fuzz/corpus/fuzz_target_1`
INFO: Seed: 3231357285
INFO:        0 files found in fuzz/corpus/fuzz_target_1
#2\tINITED cov: 19 ft: 19 corp: 1/1b exec/s: 0 rss: 33Mb
#42300\tREDUCE cov: 24 ft: 25 corp: 12/40b lim: 64 exec/s: 0 rss: 138Mb L: 5/6 MS: 1 EraseBytes-

thread '<unnamed>' (17183) panicked at fuzz_targets/fuzz_target_1.rs:5:9:
demo finding: [70, 85, 90, 90, 0, 227]
stack backtrace:
   0: __rustc::rust_begin_unwind
==17183== ERROR: libFuzzer: deadly signal
    #0 0x5618a7db18e1 in __sanitizer_print_stack_trace /rustc/llvm/src/llvm-project/compiler-rt/lib/asan/asan_stack.cpp:87:3
    #33 0x5618a7d1c2a0 in _start (/tmp/fuzzdemo/fuzz/target/x86_64-unknown-linux-gnu/release/fuzz_target_1+0x862a0)

NOTE: libFuzzer has rudimentary signal handlers.
      Combine libFuzzer with AddressSanitizer or similar for better crash reports.
SUMMARY: libFuzzer: deadly signal
MS: 1 CopyPart-; base unit: d79bdc800686efee09347bb51255c6a8d9e40de1
0x46,0x55,0x5a,0x5a,0x0,0xe3,
FUZZ\\000\\343
artifact_prefix='fuzz/artifacts/fuzz_target_1/'; Test unit written to fuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626
Base64: RlVaWgDj
stat::number_of_executed_units: 42577
stat::average_exec_per_sec:     0
stat::new_units_added:          18
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              139

Failing input:

\tfuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626

Reproduce with:

\tcargo fuzz run fuzz_target_1 fuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626

Error: Fuzz target exited with exit status: 77

Stack backtrace:
   0: anyhow::error::<impl anyhow::Error>::msg
";

    /// A target that does not compile (same versions).
    const BUILD_FAILED: &str = "\
   Compiling fuzzdemo-fuzz v0.0.0 (/tmp/fuzzdemo/fuzz)
error[E0308]: mismatched types
 --> fuzz_targets/clean.rs:6:21
  |
6 | fn broken() -> u8 { \"x\" }
  |                --   ^^^ expected `u8`, found `&str`

For more information about this error, try `rustc --explain E0308`.
error: could not compile `fuzzdemo-fuzz` (bin \"clean\") due to 1 previous error
Error: failed to build fuzz script: ASAN_OPTIONS=\"detect_odr_violation=0\" RUSTFLAGS=\" -Cpasses=sancov-module --cfg fuzzing\" \"cargo\" \"build\" \"--manifest-path\" \"fuzz/Cargo.toml\" \"--bin\" \"clean\"

Stack backtrace:
   0: anyhow::error::<impl anyhow::Error>::msg
";

    /// A timeout, as libFuzzer reports it (written by hand from its format).
    const TIMEOUT: &str = "\
#2\tINITED cov: 40 ft: 41 corp: 3/9b exec/s: 0 rss: 40Mb
ALARM: working on the last Unit for 1201 seconds
       and the timeout value is 1200 (use -timeout=N to change)
MS: 2 InsertByte-ChangeBit-; base unit: 0000000000000000000000000000000000000000
artifact_prefix='fuzz/artifacts/conversation/'; Test unit written to fuzz/artifacts/conversation/timeout-0123456789abcdef0123456789abcdef01234567
Base64: AAE=
==4242== ERROR: libFuzzer: timeout after 1201 seconds
SUMMARY: libFuzzer: timeout
";

    #[test]
    fn a_clean_run_gives_its_final_stats() {
        let stats = parse_log(CLEAN);
        assert_eq!(
            stats,
            LogStats {
                executions: Some(1_131_003),
                exec_per_sec: Some(282_750),
                new_units: Some(9),
                peak_rss_mb: Some(109),
                cov: Some(19),
                ft: Some(30),
                corpus_units: Some(9),
                corpus_size: Some("82b".to_owned()),
                fuzz_seconds: Some(4),
                ..LogStats::default()
            }
        );
        assert_eq!(classify(true, "exit status: 0", &stats), Outcome::Clean);
    }

    #[test]
    fn a_crash_gives_its_input_and_panic() {
        let stats = parse_log(CRASH);
        assert_eq!(stats.executions, Some(42_577));
        assert_eq!(stats.exec_per_sec, Some(0));
        assert_eq!(stats.new_units, Some(18));
        assert_eq!(stats.peak_rss_mb, Some(139));
        // The last status line before the crash: the stack trace's `    #0 …`
        // lines are not status lines.
        assert_eq!((stats.cov, stats.ft), (Some(24), Some(25)));
        assert_eq!(stats.corpus_units, Some(12));
        assert_eq!(stats.corpus_size.as_deref(), Some("40b"));
        assert_eq!(stats.fuzz_seconds, None);
        let artifact =
            "fuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626";
        assert_eq!(stats.artifact.as_deref(), Some(artifact));
        assert_eq!(stats.artifact_kind.as_deref(), Some("crash"));
        assert_eq!(
            stats.panic.as_deref(),
            Some("demo finding: [70, 85, 90, 90, 0, 227]")
        );
        assert_eq!(
            stats.panic_location.as_deref(),
            Some("fuzz_targets/fuzz_target_1.rs:5:9")
        );
        assert_eq!(
            stats.fuzzer_error.as_deref(),
            Some("libFuzzer: deadly signal")
        );
        assert_eq!(
            stats.error.as_deref(),
            Some("Error: Fuzz target exited with exit status: 77")
        );
        assert!(!stats.build_failed);
        assert_eq!(
            classify(false, "exit status: 1", &stats),
            Outcome::Crash {
                kind: "crash".to_owned(),
                artifact: artifact.to_owned()
            }
        );
    }

    #[test]
    fn a_build_failure_is_told_apart() {
        let stats = parse_log(BUILD_FAILED);
        assert!(stats.build_failed);
        assert_eq!(stats.executions, None);
        assert_eq!(stats.cov, None);
        assert_eq!(
            classify(false, "exit status: 1", &stats),
            Outcome::BuildFailed("error[E0308]: mismatched types".to_owned())
        );
    }

    #[test]
    fn a_timeout_is_a_crash_without_final_stats() {
        let stats = parse_log(TIMEOUT);
        assert_eq!(stats.artifact_kind.as_deref(), Some("timeout"));
        assert_eq!(stats.executions, Some(2), "from the last status line");
        assert_eq!(stats.peak_rss_mb, Some(40), "from the last status line");
        assert_eq!(
            stats.fuzzer_error.as_deref(),
            Some("libFuzzer: timeout after 1201 seconds")
        );
        assert!(matches!(
            classify(false, "exit status: 1", &stats),
            Outcome::Crash { kind, .. } if kind == "timeout"
        ));
    }

    #[test]
    fn slow_units_and_plain_failures_are_not_crashes() {
        let log = "\
#10\tNEW    cov: 5 ft: 5 corp: 2/2b lim: 4 exec/s: 0 rss: 30Mb
Slowest unit: 11 s:
artifact_prefix='fuzz/artifacts/x/'; Test unit written to fuzz/artifacts/x/slow-unit-abc
Done 10 runs in 60 second(s)
";
        let stats = parse_log(log);
        assert_eq!(stats.artifact, None);
        assert_eq!(classify(true, "exit status: 0", &stats), Outcome::Clean);
        assert_eq!(
            classify(false, "signal: 9 (SIGKILL)", &stats),
            Outcome::Error("signal: 9 (SIGKILL)".to_owned())
        );
        assert_eq!(parse_log(""), LogStats::default());
    }

    #[test]
    fn status_lines_and_numbers() {
        assert_eq!(status_line("    #0 0x5618a7db18e1 in foo"), None);
        assert_eq!(status_line("#12 INITED ft: 3"), None, "no cov");
        let (count, fields) =
            status_line("#7\tNEW    cov: 3 ft: 4 corp: 2/9b lim: 4 exec/s: 0 rss: 30Mb").unwrap();
        assert_eq!(count, 7);
        assert!(fields.contains(&("corp", "2/9b")));
        assert_eq!(leading_number("512Mb"), Some(512));
        assert_eq!(leading_number("Mb"), None);
    }
}
