//! `lockstep conformance --shim CMD`: another implementation, behind a shim that
//! speaks docs/CONFORMANCE.md's JSON lines, checked against the spec in the
//! deterministic mode (transcripts equal to the spec's) and the interop mode (one
//! party of its own against the spec's, under the adversary).
//!
//! One table per mode, a group a row; a failure is shown as the diff of the two
//! transcripts at their first divergence (or the run, for an interop check), shrunk,
//! and written to a reproducer that `--replay` plays again. Exit 0: every case
//! passed; 1: a check failed; 2: the shim could not be run.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use lockstep_harness::conformance::shim::{SharedShim, Shim, ShimDriver, ShimPeer};
use lockstep_harness::conformance::{self, Config, Report, transcript};
use lockstep_harness::model::Scenario;
use lockstep_harness::report::{self, Align, Table};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::repro::DivergenceRecord;

/// The `format` of conformance reproducers.
const FORMAT: &str = "lockstep-conformance/1";

/// A mode of docs/CONFORMANCE.md §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Mode {
    /// Every random value injected; transcripts equal to the spec's byte for byte.
    Deterministic,
    /// The shim's own randomness, one party against the spec's other.
    Interop,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Deterministic => "deterministic",
            Mode::Interop => "interop",
        }
    }
}

/// The flags of `lockstep conformance`.
#[derive(Debug, clap::Args)]
pub(crate) struct ConformanceArgs {
    /// The command that starts the shim (run with `sh -c`).
    #[arg(long)]
    shim: String,
    /// The mode (repeatable, or comma-separated; default: every mode the shim
    /// offers).
    #[arg(long, value_enum, value_delimiter = ',')]
    mode: Vec<Mode>,
    /// Scenarios per mode.
    #[arg(long, default_value_t = 100)]
    cases: usize,
    /// The seed the scenarios are drawn from (default: drawn at random and printed).
    #[arg(long)]
    seed: Option<u64>,
    /// The most events in one scenario.
    #[arg(long, default_value_t = 32)]
    max_events: usize,
    /// Seconds the shim has for each reply.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Seconds a failing scenario may be shrunk.
    #[arg(long, default_value_t = 60)]
    shrink_time: u64,
    /// Where to write reproducers.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Print a JSON summary on standard output instead of the tables.
    #[arg(long)]
    json: bool,
    /// Play a reproducer written by an earlier run again (its mode, case and
    /// scenario) instead of drawing scenarios.
    #[arg(long)]
    replay: Option<PathBuf>,
}

/// A conformance reproducer: enough to play the failing case again.
#[derive(Debug, Serialize, Deserialize)]
struct Reproducer {
    format: String,
    mode: Mode,
    shim: String,
    implementation: String,
    seed: u64,
    case: usize,
    group: String,
    detail: String,
    events_before_shrinking: usize,
    scenario: Scenario,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    divergence: Option<DivergenceRecord>,
}

/// Runs `lockstep conformance`.
pub(crate) fn main(args: &ConformanceArgs, seed: u64) -> ExitCode {
    let timeout = Duration::from_secs_f64(args.timeout.max(0.001));
    let shim = match Shim::start(&args.shim, timeout) {
        Ok(shim) => Rc::new(RefCell::new(shim)),
        Err(e) => {
            eprintln!("lockstep conformance: the shim could not be started: {e}");
            return ExitCode::from(2);
        }
    };
    let hello = shim.borrow().hello().clone();
    let replay = match args.replay.as_deref().map(read).transpose() {
        Ok(replay) => replay,
        Err(e) => {
            eprintln!("lockstep conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let modes: Vec<Mode> = match (&replay, args.mode.is_empty()) {
        (Some(r), _) => vec![r.mode],
        (None, false) => args.mode.clone(),
        (None, true) => [Mode::Deterministic, Mode::Interop]
            .into_iter()
            .filter(|m| hello.offers(m.name()))
            .collect(),
    };
    if let Some(missing) = modes.iter().find(|m| !hello.offers(m.name())) {
        eprintln!(
            "lockstep conformance: the shim does not offer the {} mode (capabilities: {})",
            missing.name(),
            hello.capabilities.join(", ")
        );
        return ExitCode::from(2);
    }
    if modes.is_empty() {
        eprintln!("lockstep conformance: the shim offers neither mode");
        return ExitCode::from(2);
    }
    let seed = replay
        .as_ref()
        .map_or(args.seed.unwrap_or(seed), |r| r.seed);
    if !args.json {
        println!(
            "shim: {} ({}; protocol version {}; capabilities: {})",
            args.shim,
            hello.implementation,
            hello.version,
            hello.capabilities.join(", ")
        );
        match &replay {
            Some(r) => println!(
                "replaying case {} of seed {seed} ({})",
                r.case,
                r.mode.name()
            ),
            None => println!(
                "per mode: the fixed scenarios (every re-encoding of keys; both roles in \
                 interop), then {} random cases of seed {seed} (--seed {seed} draws them again)",
                args.cases
            ),
        }
    }
    let mut summaries = Vec::new();
    let mut passed = true;
    for mode in modes {
        let config = Config {
            cases: args.cases,
            seed,
            max_events: args.max_events,
            shrink_time: Duration::from_secs(args.shrink_time),
            compare_states: hello.offers("state"),
            fixed: true,
            replay: replay.as_ref().map(|r| (r.case, r.scenario.clone())),
        };
        let report = run_mode(&shim, mode, &config);
        let reproducer = match (&report.failure, &replay) {
            (Some(_), None) => write_reproducer(args, &hello.implementation, mode, seed, &report),
            _ => None,
        };
        if !args.json {
            print_report(mode, &report, &shim, reproducer.as_deref());
        }
        passed &= report.passed();
        summaries.push(summary(mode, &report, reproducer.as_deref()));
    }
    let (timeouts, crashes) = shim.borrow().deaths();
    if args.json {
        let out = json!({
            "shim": args.shim,
            "implementation": hello.implementation,
            "capabilities": hello.capabilities,
            "seed": seed,
            "modes": summaries,
            "timeouts": timeouts,
            "crashes": crashes,
            "passed": passed,
        });
        println!("{out:#}");
    } else {
        println!(
            "conformance: {} (shim timed out {timeouts} times, crashed {crashes} times)",
            if passed { "PASSED" } else { "FAILED" }
        );
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One mode's cases on the shim; a shim that died is started again before each
/// case.
fn run_mode(shim: &SharedShim, mode: Mode, config: &Config) -> Report {
    let revive = || {
        if let Err(e) = shim.borrow_mut().revive() {
            eprintln!("lockstep conformance: the shim could not be restarted: {e}");
        }
    };
    match mode {
        Mode::Deterministic => conformance::check_equivalence(
            || {
                revive();
                ShimDriver::new(Rc::clone(shim))
            },
            config,
        ),
        Mode::Interop => conformance::check_interop(
            |_| {
                revive();
                ShimPeer::new(Rc::clone(shim))
            },
            config,
        ),
    }
}

fn print_report(mode: Mode, report: &Report, shim: &SharedShim, reproducer: Option<&Path>) {
    println!();
    println!(
        "{} mode: {} ({} fixed, then random) in {}",
        mode.name(),
        report::count(report.cases, "case"),
        report.fixed,
        report::duration(report.elapsed.as_secs_f64(), 1)
    );
    let mut table = Table::new(&["group", "checked", "held", "result"])
        .align(1, Align::Right)
        .align(2, Align::Right);
    for (group, tally) in &report.groups {
        let result = if tally.held == tally.checked {
            "ok".to_owned()
        } else {
            format!("FAILED ({})", tally.checked - tally.held)
        };
        table.row([
            group.clone(),
            report::group(tally.checked as u64),
            report::group(tally.held as u64),
            result,
        ]);
    }
    print!("{}", table.render());
    let Some(failure) = &report.failure else {
        return;
    };
    println!();
    println!("FAILED: {}", transcript::headline(failure));
    if let Some((why, stderr)) = shim.borrow().fatal() {
        println!("the shim died: {why}");
        if !stderr.is_empty() {
            println!("the end of its standard error:");
            for line in stderr {
                println!("  | {line}");
            }
        }
    }
    println!(
        "shrunk from {} to {} events in {} steps; the transcript of the shrunk case:",
        failure.original.events.len(),
        failure.shrunk.events.len(),
        failure.shrink_steps
    );
    print!("{}", transcript::body(failure, "shim"));
    println!(
        "the events: {}",
        serde_json::to_string(&failure.shrunk.events).unwrap_or_default()
    );
    if let Some(path) = reproducer {
        println!(
            "reproducer: {} (lockstep conformance --shim ... --replay {0})",
            path.display()
        );
    }
}

fn summary(mode: Mode, report: &Report, reproducer: Option<&Path>) -> Value {
    json!({
        "mode": mode.name(),
        "cases": report.cases,
        "fixed_cases": report.fixed,
        "passed": report.passed(),
        "seconds": report.elapsed.as_secs_f64(),
        "groups": conformance::groups_by_name(report),
        "failure": report.failure.as_ref().map(|f| json!({
            "case": f.case,
            "fixed_scenario": f.name,
            "group": f.group,
            "detail": f.detail,
            "events_before_shrinking": f.original.events.len(),
            "events_after_shrinking": f.shrunk.events.len(),
            "shrink_steps": f.shrink_steps,
            "reproducer": reproducer.map(|p| p.display().to_string()),
        })),
    })
}

fn write_reproducer(
    args: &ConformanceArgs,
    implementation: &str,
    mode: Mode,
    seed: u64,
    report: &Report,
) -> Option<PathBuf> {
    let failure = report.failure.as_ref()?;
    let reproducer = Reproducer {
        format: FORMAT.to_owned(),
        mode,
        shim: args.shim.clone(),
        implementation: implementation.to_owned(),
        seed,
        case: failure.case,
        group: failure.group.clone(),
        detail: failure.detail.clone(),
        events_before_shrinking: failure.original.events.len(),
        scenario: failure.shrunk.clone(),
        divergence: failure
            .divergence
            .as_ref()
            .map(|d| DivergenceRecord::new(d.index, d.spec.as_ref(), d.implementation.as_ref())),
    };
    let path = args.out.join(format!(
        "lockstep-conformance-{}-{seed}-{}.json",
        mode.name(),
        failure.case
    ));
    let text = serde_json::to_string_pretty(&reproducer).ok()?;
    let written = std::fs::create_dir_all(&args.out).and_then(|()| std::fs::write(&path, text));
    match written {
        Ok(()) => Some(path),
        Err(e) => {
            eprintln!("lockstep conformance: cannot write {}: {e}", path.display());
            None
        }
    }
}

fn read(path: &Path) -> Result<Reproducer, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reproducer: Reproducer =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if reproducer.format != FORMAT {
        return Err(format!(
            "{}: format {:?}, expected {FORMAT:?}",
            path.display(),
            reproducer.format
        ));
    }
    Ok(reproducer)
}
