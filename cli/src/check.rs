//! `lockstep check`: every check the harness has, in one run, as a table (or JSON)
//! and an exit code.
//!
//! In order: the RFC and Wycheproof vectors on both sides ([`kat::run_side`]); the
//! protocol vectors ([`super::protocol`]); then `--cases` random scenarios, each
//! run through the spec and the implementation and compared (equivalence), with
//! every invariant over the implementation's run ([`super::scenarios`]). Every
//! check that fails leaves a reproducer file ([`super::repro`]).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_harness::broken::Flaw;
use lockstep_harness::franking::invariants::Invariant;
use lockstep_harness::invariants;
use lockstep_harness::kat::{self, Options, SuiteReport};
use lockstep_harness::report;
use lockstep_harness::sides::{Impl, Spec};
use serde::Serialize;

use super::protocol::{self, VectorOutcome};
use super::repro::{self, Reproducer};
use super::scenarios::{self, CheckReport, Plan, Progress};

/// The parts of `lockstep check` that `--only` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Part {
    /// The RFC and Wycheproof vectors, spec and impl.
    Vectors,
    /// The protocol vectors: the spec regenerates them, the impl reproduces them.
    ProtocolVectors,
    /// Random scenarios: spec and impl give equal transcripts.
    Equivalence,
    /// Random scenarios: every invariant over the impl's runs.
    Invariants,
}

/// What `lockstep check` was asked.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// Random scenarios.
    pub(crate) cases: usize,
    /// The seed they are drawn from.
    pub(crate) seed: u64,
    /// Whether `--seed` was given (else it was drawn at random).
    pub(crate) seed_given: bool,
    /// The most events a scenario has.
    pub(crate) max_events: usize,
    /// Print JSON instead of the table.
    pub(crate) json: bool,
    /// Where reproducers go.
    pub(crate) out: PathBuf,
    /// The parts to run.
    pub(crate) parts: Vec<Part>,
    /// Worker threads for the scenarios.
    pub(crate) threads: usize,
    /// The time proptest may spend shrinking one failure.
    pub(crate) shrink_budget: Duration,
    /// RFC 7748's 1,000,000-iteration X25519 vector too.
    pub(crate) slow_vectors: bool,
    /// A deliberately broken driver in place of the implementation.
    pub(crate) flaw: Option<Flaw>,
}

/// A failure, before and after shrinking, as shown and written.
#[derive(Clone, Debug, Serialize)]
struct FailureReport {
    /// The case (scenario checks).
    case: Option<usize>,
    /// The failure as first seen.
    failure: String,
    /// Events in the failing scenario before shrinking.
    events_before: Option<usize>,
    /// Events after shrinking.
    events_after: Option<usize>,
    /// Scenarios proptest tried while shrinking.
    shrink_steps: Option<u32>,
    /// Seconds spent shrinking.
    shrink_seconds: Option<f64>,
    /// Whether shrinking stopped because its time (`--shrink-time`) ran out: a
    /// larger budget may shrink further.
    shrink_out_of_time: Option<bool>,
    /// The failure of the shrunk scenario.
    shrunk_failure: Option<String>,
    /// Why shrinking did not give a scenario, if it did not.
    shrink_error: Option<String>,
    /// Up to [`LISTED`] further failure lines (vector checks).
    more: Vec<String>,
    /// The reproducer written.
    reproducer: Option<PathBuf>,
    /// Why no reproducer could be written.
    reproducer_error: Option<String>,
}

/// One row of the table.
#[derive(Clone, Debug, Serialize)]
struct Row {
    /// The check's id (also in reproducers).
    id: String,
    /// Its label in the table.
    label: String,
    /// Cases (vectors, files, scenarios) checked.
    cases: usize,
    /// Cases that failed.
    failed: usize,
    /// Cases not run.
    skipped: usize,
    /// Why, one line per group.
    skip_reasons: Vec<String>,
    /// Whether it passed.
    passed: bool,
    /// Seconds spent (summed over the worker threads for scenario checks).
    seconds: f64,
    /// The failure, if it failed.
    failure: Option<FailureReport>,
}

/// Vector failures listed at most.
const LISTED: usize = 20;

/// The progress bar, or phase lines on stderr when there is no terminal.
struct Bar {
    bar: ProgressBar,
    visible: bool,
    quiet: bool,
}

impl Bar {
    fn new(json: bool) -> Bar {
        let visible = !json && std::io::stderr().is_terminal();
        Bar {
            bar: ProgressBar::hidden(),
            visible,
            quiet: json,
        }
    }

    /// A new phase: a spinner (`len` none) or a bar of `len` steps.
    fn phase(&mut self, what: &str, len: Option<u64>) {
        self.bar.finish_and_clear();
        if !self.visible {
            if !self.quiet {
                eprintln!("lockstep check: {what}");
            }
            return;
        }
        self.bar = match len {
            None => {
                let bar = ProgressBar::new_spinner();
                if let Ok(style) = ProgressStyle::with_template("{spinner} ({elapsed}) {wide_msg}")
                {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            }
            Some(len) => {
                let bar = ProgressBar::new(len);
                if let Ok(style) = ProgressStyle::with_template(
                    "[{bar:24}] {pos}/{len} ({elapsed}, eta {eta}) {wide_msg}",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            }
        };
        self.bar.set_draw_target(ProgressDrawTarget::stderr());
        self.bar.set_message(what.to_owned());
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn case_done(&self) {
        self.bar.inc(1);
    }

    fn shrinking(&self, check: &str, step: u32) {
        if self.visible {
            self.bar
                .set_message(format!("shrinking {check}: {step} tried"));
        } else if step == 1 && !self.quiet {
            eprintln!("lockstep check: shrinking the first failure of {check}");
        }
    }
}

/// One side of the RFC and Wycheproof suites: vectors run and failure lines.
fn suites(
    side: fn(Options) -> Result<Vec<SuiteReport>, lockstep_vectors::Error>,
    slow: bool,
) -> VectorOutcome {
    match side(Options { slow }) {
        Ok(reports) => VectorOutcome {
            cases: reports.iter().map(|r| r.ran).sum(),
            failures: reports
                .iter()
                .flat_map(|r| {
                    r.failures
                        .iter()
                        .map(move |f| format!("{} ({}): {f}", r.primitive, r.source))
                })
                .collect(),
            skipped: reports
                .iter()
                .filter(|r| r.skipped > 0)
                .map(|r| {
                    // kat's reasons name the tests' switch; this command's is a flag.
                    let how = if r.skip_reason.contains("LOCKSTEP_SLOW_VECTORS") {
                        " (lockstep check: --slow-vectors)"
                    } else {
                        ""
                    };
                    (
                        r.skipped,
                        format!("{} ({}): {}{how}", r.primitive, r.source, r.skip_reason),
                    )
                })
                .collect(),
        },
        Err(e) => VectorOutcome {
            cases: 0,
            failures: vec![format!("the vector files do not load: {e}")],
            skipped: Vec::new(),
        },
    }
}

/// A check of fixed vectors.
struct VectorCheck {
    /// Its id.
    id: &'static str,
    /// Its label in the table.
    label: &'static str,
    /// The check; its argument is `--slow-vectors`.
    run: fn(bool) -> VectorOutcome,
}

/// The vector checks.
const VECTOR_CHECKS: [VectorCheck; 8] = [
    VectorCheck {
        id: "vectors:spec",
        label: "vectors (RFC, Wycheproof): spec",
        run: |slow| suites(kat::run_side::<Spec>, slow),
    },
    VectorCheck {
        id: "vectors:impl",
        label: "vectors (RFC, Wycheproof): impl",
        run: |slow| suites(kat::run_side::<Impl>, slow),
    },
    VectorCheck {
        id: "protocol-vectors:spec",
        label: "protocol vectors: spec regenerates",
        run: |_| protocol::spec_regenerates(),
    },
    VectorCheck {
        id: "protocol-vectors:impl",
        label: "protocol vectors: impl reproduces",
        run: |_| protocol::impl_reproduces(),
    },
    VectorCheck {
        id: "franking:receiver-binding",
        label: "franking (SPEC §9.4): receiver binding, impl",
        run: |_| franking(Invariant::ReceiverBinding),
    },
    VectorCheck {
        id: "franking:sender-binding",
        label: "franking (SPEC §9.4): sender binding, impl",
        run: |_| franking(Invariant::SenderBinding),
    },
    VectorCheck {
        id: "franking:report-soundness",
        label: "franking (SPEC §9.4): report soundness, impl",
        run: |_| franking(Invariant::ReportSoundness),
    },
    VectorCheck {
        id: "franking:confidentiality",
        label: "franking (SPEC §9.4): unreported messages hidden from the platform, impl",
        run: |_| franking(Invariant::Confidentiality),
    },
];

/// Conversations per franking invariant (fixed seeds, so a failure replays).
const FRANKING_CONVERSATIONS: u64 = 64;

/// One franking invariant on the implementation, over conversations of seeds 0 to
/// [`FRANKING_CONVERSATIONS`] (`lockstep franking check` runs others).
fn franking(invariant: Invariant) -> VectorOutcome {
    use lockstep_harness::franking::{invariants, scheme::Real};
    let mut out = VectorOutcome::default();
    for seed in 0..FRANKING_CONVERSATIONS {
        out.cases += 1;
        if let Err(v) = invariants::check(&Real, invariant, seed) {
            out.failures.push(v.to_string());
        }
    }
    out
}

/// Runs the vector check `id` again (for `lockstep replay`): its cases and
/// failures, or none if there is no such check.
pub(crate) fn rerun_vector_check(id: &str) -> Option<VectorOutcome> {
    VECTOR_CHECKS
        .iter()
        .find(|check| check.id == id)
        .map(|check| (check.run)(false))
}

/// The rows of the vector checks whose ids start with `prefix`.
fn vector_rows(prefix: &str, slow: bool) -> Vec<Row> {
    VECTOR_CHECKS
        .iter()
        .filter(|check| check.id.starts_with(prefix))
        .map(|check| {
            let started = Instant::now();
            let outcome = (check.run)(slow);
            let mut row = vector_row(
                check.id.to_owned(),
                check.label.to_owned(),
                outcome.cases,
                outcome.failures,
                started.elapsed(),
            );
            row.skipped = outcome.skipped.iter().map(|(n, _)| n).sum();
            row.skip_reasons = outcome
                .skipped
                .into_iter()
                .map(|(n, why)| format!("{n} skipped: {why}"))
                .collect();
            row
        })
        .collect()
}

fn vector_row(
    id: String,
    label: String,
    cases: usize,
    failures: Vec<String>,
    elapsed: Duration,
) -> Row {
    let failure = failures.first().map(|first| FailureReport {
        case: None,
        failure: first.clone(),
        events_before: None,
        events_after: None,
        shrink_steps: None,
        shrink_seconds: None,
        shrink_out_of_time: None,
        shrunk_failure: None,
        shrink_error: None,
        more: failures.iter().skip(1).take(LISTED).cloned().collect(),
        reproducer: None,
        reproducer_error: None,
    });
    Row {
        id,
        label,
        cases,
        failed: failures.len(),
        skipped: 0,
        skip_reasons: Vec::new(),
        passed: failures.is_empty(),
        seconds: elapsed.as_secs_f64(),
        failure,
    }
}

/// The first fixed scenario that failed, for its reproducer.
struct FixedFailure {
    /// The scenario.
    scenario: lockstep_harness::model::Scenario,
    /// The invariant it broke.
    invariant: &'static str,
    /// How.
    failure: String,
}

/// The row of `invariants::fixed_scenarios`: every invariant over each, on the
/// implementation (or the broken driver); and the first failure.
fn fixed_scenarios_row(flaw: Option<Flaw>) -> (Row, Option<FixedFailure>) {
    let started = Instant::now();
    let scenarios = invariants::fixed_scenarios();
    let mut failures = Vec::new();
    let mut first = None;
    for (name, scenario) in &scenarios {
        let run = lockstep_harness::run::run(scenarios::driver(flaw).as_mut(), scenario);
        if let Err(violation) = invariants::check_all(&run) {
            failures.push(format!("{name}: {violation}"));
            first.get_or_insert_with(|| FixedFailure {
                scenario: scenario.clone(),
                invariant: violation.invariant,
                failure: violation.to_string(),
            });
        }
    }
    let row = vector_row(
        "fixed-scenarios".to_owned(),
        "invariants: fixed scenarios (algebraic, healing, AEAD, skip)".to_owned(),
        scenarios.len(),
        failures,
        started.elapsed(),
    );
    (row, first)
}

/// The reproducer of a failed fixed scenario: a scenario check of the invariant it
/// broke, so `lockstep replay` reruns it.
fn fixed_reproducer(settings: &Settings, fixed: &FixedFailure) -> Reproducer {
    Reproducer {
        format: repro::FORMAT.to_owned(),
        check: format!("invariant:{}", fixed.invariant),
        driver: scenarios::driver_name(settings.flaw).to_owned(),
        flaw: settings.flaw.map(|f| f.name().to_owned()),
        seed: settings.seed,
        case: None,
        max_events: None,
        events_before_shrinking: None,
        failure: fixed.failure.clone(),
        divergence: None,
        scenario: Some(fixed.scenario.clone()),
    }
}

/// A row of a scenario check.
fn scenario_row(report: &CheckReport, settings: &Settings) -> Row {
    let flaw = settings.flaw;
    let driver = scenarios::driver_name(flaw);
    let (id, label) = match report.check {
        scenarios::ScenarioCheck::Equivalence => (
            "equivalence".to_owned(),
            format!("equivalence: spec = {driver}"),
        ),
        scenarios::ScenarioCheck::Invariant(i) => (
            format!("invariant:{}", i.name),
            format!("invariant: {}", i.name),
        ),
    };
    let failure = report.first.as_ref().map(|first| {
        let (events_after, shrink_steps, shrink_seconds, shrunk_failure, shrink_error) =
            match &first.shrunk {
                Ok(s) => (
                    Some(s.scenario.events.len()),
                    Some(s.steps),
                    Some(s.time.as_secs_f64()),
                    Some(s.failure.text.clone()),
                    None,
                ),
                Err(e) => (None, None, None, None, Some(e.clone())),
            };
        FailureReport {
            case: Some(first.case),
            failure: first.failure.text.clone(),
            events_before: Some(first.events),
            events_after,
            shrink_steps,
            shrink_seconds,
            shrink_out_of_time: first
                .shrunk
                .as_ref()
                .ok()
                .map(|s| s.time >= settings.shrink_budget),
            shrunk_failure,
            shrink_error,
            more: Vec::new(),
            reproducer: None,
            reproducer_error: None,
        }
    });
    Row {
        id,
        label,
        cases: report.cases,
        failed: report.failed,
        skipped: 0,
        skip_reasons: Vec::new(),
        passed: report.failed == 0,
        seconds: report.time.as_secs_f64(),
        failure,
    }
}

/// The reproducer of a failed row.
fn reproducer(
    settings: &Settings,
    row: &Row,
    report: Option<&CheckReport>,
) -> Result<Reproducer, String> {
    let first = report.and_then(|r| r.first.as_ref());
    let (scenario, failure, divergence) = match first {
        Some(first) => match &first.shrunk {
            Ok(shrunk) => (
                Some(shrunk.scenario.clone()),
                shrunk.failure.text.clone(),
                shrunk.failure.divergence.clone(),
            ),
            // Not shrunk: the original scenario, drawn again.
            Err(_) => (
                Some(scenarios::scenario_at(
                    settings.seed,
                    first.case,
                    settings.max_events,
                )?),
                first.failure.text.clone(),
                first.failure.divergence.clone(),
            ),
        },
        None => {
            let mut lines = vec![
                row.failure
                    .as_ref()
                    .map_or_else(String::new, |f| f.failure.clone()),
            ];
            lines.extend(row.failure.iter().flat_map(|f| f.more.iter().cloned()));
            (None, lines.join("\n"), None)
        }
    };
    Ok(Reproducer {
        format: repro::FORMAT.to_owned(),
        check: row.id.clone(),
        driver: scenarios::driver_name(settings.flaw).to_owned(),
        flaw: settings.flaw.map(|f| f.name().to_owned()),
        seed: settings.seed,
        case: first.map(|f| f.case),
        max_events: first.map(|_| settings.max_events),
        events_before_shrinking: first.map(|f| f.events),
        failure,
        divergence,
        scenario,
    })
}

/// The JSON summary (`--json`).
#[derive(Serialize)]
struct Summary<'a> {
    /// Always `"check"`.
    lockstep: &'static str,
    /// This lockstep's version.
    version: &'static str,
    /// Whether every check passed (the exit code is 0 exactly then).
    passed: bool,
    /// The seed of the scenarios.
    seed: u64,
    /// Scenarios asked for.
    cases: usize,
    /// The most events of one.
    max_events: usize,
    /// Worker threads.
    threads: usize,
    /// `"impl"` or the flaw's name.
    driver: &'static str,
    /// The flaw, with `--broken`.
    flaw: Option<&'static str>,
    /// The invariant that must catch it.
    flaw_expected_to_be_caught_by: Option<&'static str>,
    /// The whole run's wall time.
    wall_seconds: f64,
    /// One entry per row of the table.
    checks: &'a [Row],
}

/// Runs `lockstep check`.
pub(crate) fn check(settings: &Settings) -> ExitCode {
    let started = Instant::now();
    let runs = |part: Part| settings.parts.contains(&part);
    let driver = scenarios::driver_name(settings.flaw);
    let scenario_parts = runs(Part::Equivalence) || runs(Part::Invariants);
    if !settings.json {
        let seed_note = if settings.seed_given {
            String::new()
        } else {
            format!(
                " (drawn at random; --seed {} draws these again)",
                settings.seed
            )
        };
        println!("lockstep check: seed {}{seed_note}", settings.seed);
        if scenario_parts {
            println!(
                "  {} scenarios of up to {} events, on {} thread{}, driver {driver}",
                settings.cases,
                settings.max_events,
                settings.threads,
                if settings.threads == 1 { "" } else { "s" }
            );
        }
        if let Some(flaw) = settings.flaw {
            println!(
                "  the driver is broken on purpose (--broken {}): this run must fail; invariant {} must catch it",
                flaw.name(),
                flaw.caught_by()
            );
        }
    }

    let mut bar = Bar::new(settings.json);
    let mut rows = Vec::new();
    let mut reports: Vec<(usize, CheckReport)> = Vec::new();
    let mut fixed_failure: Option<FixedFailure> = None;
    if runs(Part::Vectors) {
        bar.phase("RFC and Wycheproof vectors, spec and impl", None);
        rows.extend(vector_rows("vectors:", settings.slow_vectors));
    }
    if runs(Part::ProtocolVectors) {
        bar.phase("protocol vectors, spec and impl", None);
        rows.extend(vector_rows("protocol-vectors:", false));
    }
    if scenario_parts && settings.cases > 0 {
        bar.phase(
            if runs(Part::Equivalence) {
                "scenarios: spec and impl, side by side"
            } else {
                "scenarios: impl runs and invariants"
            },
            Some(settings.cases as u64),
        );
        let plan = Plan {
            seed: settings.seed,
            cases: settings.cases,
            max_events: settings.max_events,
            threads: settings.threads,
            flaw: settings.flaw,
            equivalence: runs(Part::Equivalence),
            invariants: runs(Part::Invariants),
            shrink_budget: settings.shrink_budget,
        };
        scenarios::quiet_driver_panics();
        match scenarios::run_checks(&plan, &bar) {
            Ok(checks) => {
                for report in checks {
                    reports.push((rows.len(), report.clone()));
                    rows.push(scenario_row(&report, settings));
                }
            }
            Err(e) => {
                bar.done();
                eprintln!("lockstep check: the scenarios did not run: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if runs(Part::Invariants) {
        // Issue 12, points 4, 7 and 8: the fixed scenarios random ones reach by chance.
        bar.phase(
            "fixed scenarios: algebraic adversary, healing, observed AEAD",
            None,
        );
        let (row, first) = fixed_scenarios_row(settings.flaw);
        fixed_failure = first;
        rows.push(row);
    }
    if runs(Part::Invariants) {
        // Issue 18: message franking's properties (SPEC §9.4).
        bar.phase("franking: binding, soundness, confidentiality", None);
        rows.extend(vector_rows("franking:", false));
    }
    if runs(Part::Invariants) {
        // Issue 12, points 5, 6 and 9: long-term compromise and quantum checks.
        bar.phase("long-term and harvest-now-decrypt-later checks, impl", None);
        for o in lockstep_harness::longterm::outcomes_on_impl(settings.seed) {
            let (id, label) = (
                format!("longterm:{}", o.name),
                format!("long-term: {}", o.name),
            );
            rows.push(vector_row(id, label, o.cases, o.failures, o.elapsed));
        }
    }
    bar.done();

    // Reproducers.
    for index in 0..rows.len() {
        let Some(row) = rows.get(index) else { continue };
        if row.passed {
            continue;
        }
        let report = reports.iter().find(|(i, _)| *i == index).map(|(_, r)| r);
        let made = match (&fixed_failure, row.id.as_str()) {
            (Some(fixed), "fixed-scenarios") => Ok(fixed_reproducer(settings, fixed)),
            _ => reproducer(settings, row, report),
        };
        let written = made.and_then(|r| repro::write(&settings.out, &r));
        if let Some(failure) = rows.get_mut(index).and_then(|r| r.failure.as_mut()) {
            match written {
                Ok(path) => failure.reproducer = Some(absolute(&path)),
                Err(e) => failure.reproducer_error = Some(e),
            }
        }
    }

    let passed = rows.iter().all(|r| r.passed);
    let wall = started.elapsed().as_secs_f64();
    if settings.json {
        let summary = Summary {
            lockstep: "check",
            version: env!("CARGO_PKG_VERSION"),
            passed,
            seed: settings.seed,
            cases: settings.cases,
            max_events: settings.max_events,
            threads: settings.threads,
            driver,
            flaw: settings.flaw.map(Flaw::name),
            flaw_expected_to_be_caught_by: settings.flaw.map(Flaw::caught_by),
            wall_seconds: wall,
            checks: &rows,
        };
        match serde_json::to_string_pretty(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("lockstep check: cannot encode the summary: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_table(settings, &rows, wall);
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `path`, absolute if it can be made so.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn print_table(settings: &Settings, rows: &[Row], wall: f64) {
    let width = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    println!();
    println!(
        "{:<width$}  {:>7}  {:<6}  {:>10}",
        "check", "cases", "result", "time"
    );
    for r in rows {
        let result = if r.passed { "pass" } else { "FAIL" };
        println!(
            "{:<width$}  {:>7}  {:<6}  {:>10}",
            r.label,
            r.cases,
            result,
            report::duration(r.seconds, 2)
        );
    }
    let skipped: Vec<String> = rows
        .iter()
        .flat_map(|r| {
            r.skip_reasons
                .iter()
                .map(move |why| format!("  {}: {why}", r.label))
        })
        .collect();
    if !skipped.is_empty() {
        println!("\nnot run, and why:");
        for line in skipped {
            println!("{line}");
        }
    }
    if settings.parts.contains(&Part::Invariants) && invariants::all().is_empty() {
        println!("(no invariant is defined: invariants::all() is empty)");
    }

    let failed: Vec<&Row> = rows.iter().filter(|r| !r.passed).collect();
    for r in &failed {
        println!();
        println!("FAIL {}: {} of {} cases", r.label, r.failed, r.cases);
        let Some(f) = &r.failure else { continue };
        match (f.case, f.events_before) {
            (Some(case), Some(events)) => {
                println!("  first failing case: {case} ({events} events)");
                println!("    {}", f.failure);
            }
            _ => {
                println!("  {}", f.failure);
                for line in &f.more {
                    println!("  {line}");
                }
                if r.failed > f.more.len() + 1 {
                    println!("  … and {} more", r.failed - f.more.len() - 1);
                }
            }
        }
        if let (Some(after), Some(steps), Some(seconds)) =
            (f.events_after, f.shrink_steps, f.shrink_seconds)
        {
            let budget = if f.shrink_out_of_time == Some(true) {
                "; stopped by --shrink-time, a larger one may shrink further"
            } else {
                ""
            };
            println!(
                "  shrunk by proptest to {after} events ({steps} scenarios tried, {}{budget}):",
                report::duration(seconds, 2)
            );
            if let Some(text) = &f.shrunk_failure {
                println!("    {text}");
            }
        }
        if let Some(e) = &f.shrink_error {
            println!("  not shrunk: {e}");
        }
        match (&f.reproducer, &f.reproducer_error) {
            (Some(path), _) => {
                println!("  reproducer: {}", path.display());
                println!("  rerun it:   lockstep replay {}", path.display());
            }
            (None, Some(e)) => println!("  no reproducer written: {e}"),
            (None, None) => {}
        }
    }

    println!();
    if let Some(flaw) = settings.flaw {
        let caught: Vec<&str> = failed.iter().map(|r| r.id.as_str()).collect();
        let wanted = format!("invariant:{}", flaw.caught_by());
        println!(
            "flaw {}: caught by {}; invariant {} {}",
            flaw.name(),
            if caught.is_empty() {
                "nothing".to_owned()
            } else {
                caught.join(", ")
            },
            flaw.caught_by(),
            if caught.contains(&wanted.as_str()) {
                "caught it, as it must"
            } else if settings.parts.contains(&Part::Invariants) {
                "did NOT catch it"
            } else {
                "was not run (--only)"
            }
        );
    }
    let scenario_note = if rows
        .iter()
        .any(|r| r.id == "equivalence" || r.id.starts_with("invariant:"))
        && settings.threads > 1
    {
        format!(
            "; scenario check times are summed over {} threads",
            settings.threads
        )
    } else {
        String::new()
    };
    if failed.is_empty() {
        println!(
            "all {} checks passed in {} (wall){scenario_note}",
            rows.len(),
            report::duration(wall, 2)
        );
    } else {
        println!(
            "{} of {} checks FAILED in {} (wall){scenario_note}",
            failed.len(),
            rows.len(),
            report::duration(wall, 2)
        );
    }
}
