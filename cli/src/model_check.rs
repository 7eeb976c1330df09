//! `lockstep model-check`: every path of a small alphabet of events up to a depth,
//! breadth first, on the spec and the implementation (or a broken driver) in
//! lockstep, every invariant at every transition (`lockstep_harness::model_check`).
//!
//! It prints each depth's transitions, new states and rate, then the distinct
//! states, the depth completed, the most DH ratchet steps on a path and whether a
//! compromise was reached. A counterexample (a shortest one: the search is breadth
//! first) is printed and written as a reproducer that `lockstep replay` runs. Exit
//! 0: no counterexample; 1: one; 2: bad arguments.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use lockstep_harness::broken::{BrokenDriver, Flaw};
use lockstep_harness::driver::{ImplDriver, SpecDriver};
use lockstep_harness::flaws::{FlawedDriver, SharedFlaw};
use lockstep_harness::model::SetUp;
use lockstep_harness::model_check::{self, Kind, Level, Report, Settings};
use lockstep_harness::report;
use serde_json::json;

use super::repro::{self, DivergenceRecord, Reproducer};

/// The flags of `lockstep model-check`.
#[derive(Debug, clap::Args)]
pub(crate) struct ModelCheckArgs {
    /// The most events on a path.
    #[arg(long, default_value_t = 4)]
    depth: usize,
    /// The kinds of event, comma-separated (default: all of send, deliver, drop,
    /// duplicate, reflect, tamper-bit, tamper-field, tamper-key, inject,
    /// compromise).
    #[arg(long, value_delimiter = ',', value_parser = parse_kind)]
    alphabet: Vec<Kind>,
    /// Worker threads (default: the number of cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Start from all four session set-ups (with and without a one-time prekey; a
    /// one-time or last-resort PQ prekey), not only the first.
    #[arg(long)]
    all_set_ups: bool,
    /// Start no new depth once this many seconds have passed (the depth being
    /// explored is finished).
    #[arg(long)]
    time_limit: Option<u64>,
    /// Where to write a counterexample's reproducer.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Print a JSON summary on standard output instead.
    #[arg(long)]
    json: bool,
    /// Check a deliberately broken driver (a `lockstep check --broken` flaw)
    /// against the spec.
    #[arg(long, value_parser = parse_flaw, conflicts_with = "shared_flaw")]
    broken: Option<Flaw>,
    /// Judge by the invariants alone, not by equality with the spec's transcript
    /// (to find the shortest path that breaks a property).
    #[arg(long)]
    invariants_only: bool,
    /// Also run the long-term and quantum checks (held values, long-term forward
    /// secrecy, KCI, identity misbinding, harvest-now-decrypt-later) at every
    /// transition: each replays the path on fresh drivers, so this is slower.
    #[arg(long)]
    long_term: bool,
    /// Check a flaw spec and implementation share (`harness::flaws`): the flawed
    /// protocol is both the oracle and the driver, and the invariants judge it.
    #[arg(long, value_parser = parse_shared_flaw)]
    shared_flaw: Option<SharedFlaw>,
}

fn parse_kind(name: &str) -> Result<Kind, String> {
    Kind::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("no event kind {name:?}; the kinds: {}", names.join(", "))
    })
}

fn parse_flaw(name: &str) -> Result<Flaw, String> {
    Flaw::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Flaw::ALL.iter().map(|f| f.name()).collect();
        format!("no flaw {name:?}; the flaws: {}", names.join(", "))
    })
}

fn parse_shared_flaw(name: &str) -> Result<SharedFlaw, String> {
    SharedFlaw::ALL
        .iter()
        .copied()
        .find(|f| f.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = SharedFlaw::ALL.iter().map(|f| f.name()).collect();
            format!("no shared flaw {name:?}; the flaws: {}", names.join(", "))
        })
}

/// Runs `lockstep model-check`.
pub(crate) fn main(args: &ModelCheckArgs) -> ExitCode {
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .max(1);
    let set_ups = if args.all_set_ups {
        [(true, false), (false, false), (true, true), (false, true)]
            .map(|(opk, pq_last_resort)| SetUp {
                opk,
                pq_last_resort,
            })
            .to_vec()
    } else {
        Settings::default().set_ups
    };
    let settings = Settings {
        depth: args.depth,
        alphabet: if args.alphabet.is_empty() {
            Kind::ALL.to_vec()
        } else {
            args.alphabet.clone()
        },
        set_ups,
        threads,
        time_limit: args.time_limit.map(Duration::from_secs),
        equivalence: !args.invariants_only,
        long_term: args.long_term,
        ..Settings::default()
    };
    let driver_name = match (args.broken, args.shared_flaw) {
        (Some(flaw), _) => flaw.name(),
        (None, Some(flaw)) => flaw.name(),
        (None, None) => "impl",
    };
    if !args.json {
        let kinds: Vec<&str> = settings.alphabet.iter().map(|k| k.name()).collect();
        println!(
            "model-check: {driver_name} against {}, depth {}, alphabet {}, {} set-up(s), {threads} thread(s)",
            if args.shared_flaw.is_some() {
                "the same flawed protocol"
            } else {
                "the spec"
            },
            settings.depth,
            kinds.join(","),
            settings.set_ups.len()
        );
    }
    let json = args.json;
    let progress = move |level: &Level| {
        if !json {
            print_level(level);
        }
    };
    let report = match (args.broken, args.shared_flaw) {
        (Some(flaw), _) => model_check::explore_with_progress(
            &settings,
            SpecDriver::new,
            || BrokenDriver::new(flaw),
            progress,
        ),
        (None, Some(flaw)) => model_check::explore_with_progress(
            &settings,
            || FlawedDriver::new(flaw),
            || FlawedDriver::new(flaw),
            progress,
        ),
        (None, None) => model_check::explore_with_progress(
            &settings,
            SpecDriver::new,
            ImplDriver::new,
            progress,
        ),
    };
    let reproducer = report
        .counterexample
        .as_ref()
        .map(|c| write_reproducer(args, driver_name, c));
    if args.json {
        print_json(&settings, &report, driver_name, reproducer.as_ref());
    } else {
        print_report(&settings, &report, reproducer.as_ref());
    }
    match (&report.counterexample, reproducer) {
        (None, _) => ExitCode::SUCCESS,
        (Some(_), Some(Err(_))) => ExitCode::from(2),
        (Some(_), _) => ExitCode::FAILURE,
    }
}

fn write_reproducer(
    args: &ModelCheckArgs,
    driver_name: &str,
    counterexample: &model_check::Counterexample,
) -> Result<PathBuf, String> {
    let divergence = match &counterexample.failure {
        model_check::Failure::Divergence(d) => Some(DivergenceRecord::new(
            d.index,
            d.spec.as_ref(),
            d.implementation.as_ref(),
        )),
        _ => None,
    };
    let reproducer = Reproducer {
        format: repro::FORMAT.to_owned(),
        check: counterexample.failure.check(),
        driver: driver_name.to_owned(),
        flaw: args
            .broken
            .map(|f| f.name().to_owned())
            .or_else(|| args.shared_flaw.map(|f| f.name().to_owned())),
        seed: 0,
        case: None,
        max_events: Some(args.depth),
        events_before_shrinking: None,
        failure: format!("model-check: {}", counterexample.failure),
        divergence,
        scenario: Some(counterexample.scenario.clone()),
    };
    repro::write_named(
        &args.out,
        &format!(
            "lockstep-model-check-{driver_name}-depth-{}.json",
            counterexample.scenario.events.len()
        ),
        &reproducer,
    )
}

/// One depth's line, printed as it completes.
fn print_level(level: &Level) {
    let rate = if level.seconds > 0.0 {
        level.transitions as f64 / level.seconds
    } else {
        0.0
    };
    println!(
        "depth {:>2}: {:>11} transitions, {:>9} new states, {:>8} ({rate:.0} transitions/s)",
        level.depth,
        report::group(level.transitions),
        report::group(level.new_states),
        report::duration(level.seconds, 1),
    );
}

fn print_report(
    settings: &Settings,
    report: &Report,
    reproducer: Option<&Result<PathBuf, String>>,
) {
    println!(
        "explored: {} transitions, {} distinct states, depth {} of {} completed in {}",
        report::group(report.transitions()),
        report::group(report.distinct_states),
        report.depth_completed,
        settings.depth,
        report::duration(report.elapsed.as_secs_f64(), 1)
    );
    println!(
        "reached: at most {} DH ratchet steps on a path; compromise {}",
        report.max_dh_steps,
        if report.compromise_reached {
            "reached"
        } else {
            "not reached"
        }
    );
    match &report.counterexample {
        None => println!("no counterexample"),
        Some(c) => {
            println!(
                "COUNTEREXAMPLE of {} events (shortest: every shorter path passed), set-up {:?}:",
                c.scenario.events.len(),
                c.scenario.set_up
            );
            for (step, event) in c.scenario.events.iter().enumerate() {
                println!("  {step:>3}  {event:?}");
            }
            println!("{}: {}", c.failure.check(), c.failure);
            match reproducer {
                Some(Ok(path)) => println!("reproducer: {} (lockstep replay {0})", path.display()),
                Some(Err(e)) => println!("the reproducer could not be written: {e}"),
                None => {}
            }
        }
    }
}

fn print_json(
    settings: &Settings,
    report: &Report,
    driver_name: &str,
    reproducer: Option<&Result<PathBuf, String>>,
) {
    let kinds: Vec<&str> = settings.alphabet.iter().map(|k| k.name()).collect();
    let out = json!({
        "driver": driver_name,
        "depth": settings.depth,
        "alphabet": kinds,
        "set_ups": settings.set_ups.len(),
        "threads": settings.threads,
        "levels": report.levels,
        "transitions": report.transitions(),
        "distinct_states": report.distinct_states,
        "depth_completed": report.depth_completed,
        "max_dh_steps": report.max_dh_steps,
        "compromise_reached": report.compromise_reached,
        "seconds": report.elapsed.as_secs_f64(),
        "counterexample": report.counterexample.as_ref().map(|c| json!({
            "events": c.scenario.events.len(),
            "scenario": c.scenario,
            "check": c.failure.check(),
            "failure": c.failure.to_string(),
            "reproducer": reproducer.and_then(|r| r.as_ref().ok()).map(|p| p.display().to_string()),
        })),
    });
    println!("{out:#}");
}
