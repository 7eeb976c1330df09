//! `lockstep replay FILE`: reruns a reproducer written by `lockstep check`, with the
//! driver it names, and says whether it still fails.

use std::path::Path;
use std::process::ExitCode;

use lockstep_harness::broken::Flaw;
use lockstep_harness::flaws::SharedFlaw;
use lockstep_harness::model::Scenario;

use super::check::rerun_vector_check;
use super::repro;
use super::scenarios::{
    ScenarioCheck, driver, driver_name, evaluate_long_term, evaluate_shared_flaw,
};

/// Events listed at most.
const LISTED: usize = 60;

/// Runs `lockstep replay`: exit 0 if the check now passes, 1 if it still fails, 2
/// if the file cannot be replayed.
pub(crate) fn replay(path: &Path) -> ExitCode {
    let r = match repro::read(path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lockstep replay: {e}");
            return ExitCode::from(2);
        }
    };
    let shared = r
        .flaw
        .as_deref()
        .and_then(|name| SharedFlaw::ALL.iter().copied().find(|f| f.name() == name));
    let flaw = match r.flaw.as_deref().map(|name| (name, Flaw::from_name(name))) {
        None => None,
        Some((_, Some(flaw))) => Some(flaw),
        Some(_) if shared.is_some() => None,
        Some((name, None)) => {
            eprintln!(
                "lockstep replay: the reproducer names a flaw this lockstep does not have: {name}"
            );
            return ExitCode::from(2);
        }
    };
    println!("reproducer: {}", path.display());
    println!(
        "check {}, driver {}, from lockstep check --seed {}{}",
        r.check,
        shared.map_or_else(|| driver_name(flaw), SharedFlaw::name),
        r.seed,
        r.case.map_or_else(String::new, |c| format!(" (case {c})"))
    );
    println!("recorded failure: {}", r.failure);

    let outcome = match &r.scenario {
        // `lockstep model-check`'s reproducers: a flaw spec and impl share, or a
        // long-term check.
        Some(scenario) if shared.is_some() || r.check.starts_with("longterm:") => {
            list(scenario, r.events_before_shrinking);
            let outcome = match shared {
                Some(shared) => evaluate_shared_flaw(&r.check, scenario, shared),
                None => evaluate_long_term(&r.check, scenario, &|| driver(flaw)),
            };
            let Some(outcome) = outcome else {
                eprintln!(
                    "lockstep replay: this lockstep has no scenario check {:?}",
                    r.check
                );
                return ExitCode::from(2);
            };
            outcome
        }
        Some(scenario) => {
            let Some(check) = ScenarioCheck::from_id(&r.check) else {
                eprintln!(
                    "lockstep replay: this lockstep has no scenario check {:?}",
                    r.check
                );
                return ExitCode::from(2);
            };
            list(scenario, r.events_before_shrinking);
            check.evaluate(scenario, flaw).map_err(|f| f.text)
        }
        None => match rerun_vector_check(&r.check) {
            None => {
                eprintln!(
                    "lockstep replay: this lockstep has no check {:?} to rerun",
                    r.check
                );
                return ExitCode::from(2);
            }
            Some(outcome) => {
                println!("rerunning the whole check ({} cases)", outcome.cases);
                if outcome.failures.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "{} failures; the first: {}",
                        outcome.failures.len(),
                        outcome.failures.first().map_or("", String::as_str)
                    ))
                }
            }
        },
    };
    match outcome {
        Ok(()) => {
            println!("\npasses now: {} no longer fails", r.check);
            ExitCode::SUCCESS
        }
        Err(text) => {
            println!("\nstill FAILS: {}: {text}", r.check);
            ExitCode::FAILURE
        }
    }
}

/// Prints a reproducer's scenario: its length, set-up and (the first
/// [`LISTED`]) events.
fn list(scenario: &Scenario, events_before_shrinking: Option<usize>) {
    println!(
        "scenario: {} events, set-up {:?}{}",
        scenario.events.len(),
        scenario.set_up,
        events_before_shrinking.map_or_else(String::new, |n| format!(" (shrunk from {n})"))
    );
    for (step, event) in scenario.events.iter().enumerate().take(LISTED) {
        println!("  {step:>3}  {event:?}");
    }
    if scenario.events.len() > LISTED {
        println!("  … and {} more", scenario.events.len() - LISTED);
    }
}
