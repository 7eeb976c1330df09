//! `cargo xtask fuzz run`: each target under libFuzzer, its log read into a table.

use super::*;

/// The toolchain a run uses, once `auto` is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Resolved {
    /// `cargo +nightly`.
    Nightly,
    /// `RUSTC_BOOTSTRAP=1 cargo`.
    Bootstrap,
}

impl Resolved {
    /// Its name in the output.
    pub(super) fn name(self) -> &'static str {
        match self {
            Resolved::Nightly => "nightly",
            Resolved::Bootstrap => "bootstrap (RUSTC_BOOTSTRAP=1)",
        }
    }

    /// The `cargo` command line before `fuzz`, as a person would type it.
    pub(super) fn cargo(self) -> &'static str {
        match self {
            Resolved::Nightly => "cargo +nightly",
            Resolved::Bootstrap => "RUSTC_BOOTSTRAP=1 cargo",
        }
    }
}

/// The first line `cargo ARGS` prints, if it runs and succeeds.
pub(super) fn cargo_says(args: &[&str]) -> Result<String, String> {
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
pub(super) fn resolve_toolchain(asked: Toolchain) -> Result<(Resolved, String), String> {
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
pub(super) enum Outcome {
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
    pub(super) executions: Option<u64>,
    /// Inputs per second (`stat::average_exec_per_sec`, else the last status line).
    pub(super) exec_per_sec: Option<u64>,
    /// Inputs added to the corpus (`stat::new_units_added`).
    pub(super) new_units: Option<u64>,
    /// Peak resident memory in MB (`stat::peak_rss_mb`, else the last status line).
    pub(super) peak_rss_mb: Option<u64>,
    /// Coverage points (`cov:` of the last status line).
    pub(super) cov: Option<u64>,
    /// Features (`ft:` of the last status line).
    pub(super) ft: Option<u64>,
    /// Inputs in the corpus (`corp: N/…`).
    pub(super) corpus_units: Option<u64>,
    /// Their total size, as libFuzzer writes it (`corp: …/45Kb`).
    pub(super) corpus_size: Option<String>,
    /// Seconds of fuzzing (`Done N runs in S second(s)`; absent after a crash).
    pub(super) fuzz_seconds: Option<u64>,
    /// The kind of the failing input written (crash, leak, timeout, oom).
    pub(super) artifact_kind: Option<String>,
    /// Its path (`Test unit written to …`).
    pub(super) artifact: Option<String>,
    /// The first panic's message.
    pub(super) panic: Option<String>,
    /// Where it panicked.
    pub(super) panic_location: Option<String>,
    /// libFuzzer's or a sanitizer's error (`==N== ERROR: …`).
    pub(super) fuzzer_error: Option<String>,
    /// The first error line of cargo or cargo-fuzz.
    pub(super) error: Option<String>,
    /// Whether cargo-fuzz said the build failed.
    #[serde(skip)]
    pub(super) build_failed: bool,
}

/// The fields of a libFuzzer status line (`#N  KIND  cov: … ft: … corp: …`): the
/// execution count and each `key: value` pair.
pub(super) fn status_line(line: &str) -> Option<(u64, Vec<(&str, &str)>)> {
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
pub(super) fn leading_number(text: &str) -> Option<u64> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

/// `text`, cut to about `max` characters.
pub(super) fn clip(text: &str, max: usize) -> String {
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
pub(super) fn classify(succeeded: bool, exit: &str, stats: &LogStats) -> Outcome {
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
pub(super) struct Row {
    /// The target.
    pub(super) target: &'static str,
    /// `ok`, `crash`, `build-failed` or `error`.
    pub(super) result: &'static str,
    /// What went wrong, if anything.
    pub(super) detail: Option<String>,
    /// libFuzzer's output.
    pub(super) log: PathBuf,
    /// Wall time, build included.
    pub(super) wall_seconds: f64,
    /// The exit code of `cargo fuzz run`.
    pub(super) exit_code: Option<i32>,
    /// What the output says.
    #[serde(flatten)]
    pub(super) stats: LogStats,
}

impl Row {
    /// A row for a target that could not even be started.
    pub(super) fn not_run(target: &'static str, log: PathBuf, why: String) -> Row {
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
    pub(super) fn passed(&self) -> bool {
        self.result == "ok"
    }

    /// The table's result column.
    pub(super) fn result_text(&self) -> String {
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
pub(super) struct Spinner {
    pub(super) bar: ProgressBar,
    pub(super) visible: bool,
    pub(super) quiet: bool,
}

impl Spinner {
    pub(super) fn new(json: bool) -> Spinner {
        Spinner {
            bar: ProgressBar::hidden(),
            visible: !json && std::io::stderr().is_terminal(),
            quiet: json,
        }
    }

    /// A new target starts.
    pub(super) fn start(&mut self, message: String) {
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

    pub(super) fn message(&self, message: String) {
        if self.visible {
            self.bar.set_message(message);
        }
    }

    pub(super) fn done(&self) {
        self.bar.finish_and_clear();
    }
}

/// The last status line in the last few KB of the log, for the spinner.
pub(super) fn log_tail_status(path: &Path) -> Option<String> {
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
pub(super) struct Plan<'a> {
    pub(super) args: &'a RunArgs,
    pub(super) toolchain: Resolved,
}

impl Plan<'_> {
    /// The `cargo fuzz run` command for `target`, as a [`Command`] and as text.
    pub(super) fn command(&self, target: &Target) -> (Command, String) {
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
    pub(super) fn run_one(&self, target: &'static Target, spinner: &Spinner, label: &str) -> Row {
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
pub(super) struct RunSummary<'a> {
    /// Always `"fuzz run"`.
    pub(super) lockstep: &'static str,
    /// This lockstep's version.
    pub(super) version: &'static str,
    /// Whether every target ran and found nothing (the exit code is 0 exactly then).
    pub(super) passed: bool,
    /// The fuzzing time asked per target.
    pub(super) seconds_per_target: u64,
    /// The toolchain used.
    pub(super) toolchain: &'static str,
    /// `cargo --version` of it.
    pub(super) cargo: String,
    /// The cargo-fuzz project.
    pub(super) fuzz_dir: &'a Path,
    /// The whole run's wall time.
    pub(super) wall_seconds: f64,
    /// One entry per target.
    pub(super) targets: &'a [Row],
}

/// Runs `cargo xtask fuzz run`.
pub(super) fn run(args: &RunArgs) -> ExitCode {
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
pub(super) fn print_run_table(plan: &Plan<'_>, rows: &[Row], wall: f64) {
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
