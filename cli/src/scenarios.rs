//! The scenario checks of `lockstep check`: random conversations through the spec
//! and through the implementation (or a deliberately broken driver), compared
//! record for record (equivalence), and every invariant over the implementation's
//! runs.
//!
//! # Determinism
//!
//! Case `i` of seed `s` is drawn by a proptest [`TestRunner`] of its own, whose
//! ChaCha RNG is keyed by SHA-256(`s`, `i`): the same seed gives the same scenarios
//! whatever the number of threads and whichever thread runs which case, and a case
//! can be drawn again, alone, to be shrunk.
//!
//! # Shrinking
//!
//! For each check that fails, the first failing case (the lowest index) is drawn
//! again and handed to [`TestRunner::run_one`] with that check alone as the
//! property: proptest shrinks it, within the time budget, to a scenario that still
//! fails that same check. The scenario's seed does not shrink (see [`strategy`]).

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lockstep_harness::broken::{BrokenDriver, Flaw};
use lockstep_harness::driver::{Driver, ImplDriver, SpecDriver};
use lockstep_harness::invariants::{self, Invariant};
use lockstep_harness::model::Scenario;
use lockstep_harness::run::{Divergence, Run, first_divergence, run};
use lockstep_harness::strategy;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::repro::DivergenceRecord;

/// The scenarios of `lockstep check`: three cases in four are
/// [`strategy::scenario`]'s (whose seed does not shrink: a smaller seed is not a
/// simpler conversation, only another one, and a shrinkable 32-byte seed would
/// spend the whole shrink budget, each step a spec run, before touching the
/// events). One case in four is instead an honest conversation with a compromise in it
/// ([`strategy::compromised_conversation`]), so that forward secrecy and
/// post-compromise security (which needs a DH ratchet round trip after the
/// compromise, rare among random events) are judged on every run.
pub(crate) fn scenarios(max_events: usize) -> impl Strategy<Value = Scenario> {
    prop_oneof![
        3 => strategy::scenario(max_events),
        1 => strategy::compromised_conversation(),
    ]
}

/// The runner that draws (and shrinks) case `case` of seed `seed`: its RNG is
/// ChaCha keyed by SHA-256 of both.
pub(crate) fn case_runner(seed: u64, case: usize, shrink_budget: Duration) -> TestRunner {
    let mut hash = Sha256::new();
    hash.update(b"lockstep check case\0");
    hash.update(seed.to_le_bytes());
    hash.update((case as u64).to_le_bytes());
    let key: [u8; 32] = hash.finalize().into();
    let config = Config {
        cases: 1,
        failure_persistence: None,
        // The time budget is the bound that matters; the count only stops a
        // shrink that makes no progress in time.
        max_shrink_iters: 100_000,
        max_shrink_time: u32::try_from(shrink_budget.as_millis()).unwrap_or(u32::MAX),
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key))
}

/// Case `case` of seed `seed`.
///
/// # Errors
/// proptest's refusal to draw one (not expected: the strategy has no filter).
pub(crate) fn scenario_at(seed: u64, case: usize, max_events: usize) -> Result<Scenario, String> {
    let mut runner = case_runner(seed, case, Duration::ZERO);
    scenarios(max_events)
        .new_tree(&mut runner)
        .map(|tree| tree.current())
        .map_err(|reason| format!("case {case}: no scenario drawn: {reason}"))
}

/// The driver checked against the spec: the implementation, or a broken one.
pub(crate) fn driver(flaw: Option<Flaw>) -> Box<dyn Driver> {
    match flaw {
        None => Box::new(ImplDriver::new()),
        Some(flaw) => Box::new(BrokenDriver::new(flaw)),
    }
}

/// The driver's name in reports: `"impl"` or the flaw's.
pub(crate) fn driver_name(flaw: Option<Flaw>) -> &'static str {
    flaw.map_or("impl", Flaw::name)
}

/// A check failed on one scenario.
#[derive(Clone, Debug)]
pub(crate) struct CheckFailure {
    /// What happened, in one line.
    pub(crate) text: String,
    /// For an equivalence failure, the first differing records.
    pub(crate) divergence: Option<DivergenceRecord>,
}

impl CheckFailure {
    fn text(text: String) -> Self {
        CheckFailure {
            text,
            divergence: None,
        }
    }
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

std::thread_local! {
    /// Whether this thread is inside [`guarded_run`], whose panics are reported as
    /// failures (so the panic hook need not print them too).
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Installs a panic hook that stays quiet about the drivers' panics inside
/// [`guarded_run`] (they become check failures, with their message, and shrinking
/// may repeat them hundreds of times) and hands every other panic to the hook that
/// was there before.
pub(crate) fn quiet_driver_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(Cell::get) {
            previous(info);
        }
    }));
}

/// Plays `scenario` on `driver`; a panic is a failure, with its message.
fn guarded_run(driver: &mut dyn Driver, scenario: &Scenario) -> Result<Run, String> {
    let name = driver.name();
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| run(driver, scenario)));
    GUARDED.with(|g| g.set(false));
    result.map_err(|payload| format!("the {name} driver panicked: {}", panic_text(&*payload)))
}

/// The spec's run and the checked driver's, and their first difference.
fn equivalence(
    scenario: &Scenario,
    flaw: Option<Flaw>,
) -> (Result<(), CheckFailure>, Result<Run, String>) {
    let spec = guarded_run(&mut SpecDriver::new(), scenario);
    let checked = guarded_run(&mut *driver(flaw), scenario);
    let verdict = match (&spec, &checked) {
        (Err(e), _) | (_, Err(e)) => Err(CheckFailure::text(e.clone())),
        (Ok(spec), Ok(checked)) => match first_divergence(spec, checked) {
            None => Ok(()),
            Some(d) => Err(CheckFailure {
                text: describe_divergence(&d, driver_name(flaw)),
                divergence: Some(DivergenceRecord::new(
                    d.index,
                    d.spec.as_ref(),
                    d.implementation.as_ref(),
                )),
            }),
        },
    };
    (verdict, checked)
}

/// One invariant over a run (or over a run that panicked: that fails it).
fn invariant(invariant: &Invariant, checked: &Result<Run, String>) -> Result<(), CheckFailure> {
    match checked {
        Err(e) => Err(CheckFailure::text(format!(
            "{e} (the invariant cannot hold over a run that did not finish)"
        ))),
        Ok(run) => (invariant.check)(run).map_err(|v| CheckFailure::text(v.to_string())),
    }
}

/// The long-term check `id` names (`longterm:<name>`) over a fresh run of
/// `scenario` on `make`'s driver, with `make` as the check's maker; none if `id`
/// names no such check.
pub(crate) fn evaluate_long_term(
    id: &str,
    scenario: &Scenario,
    make: &dyn Fn() -> Box<dyn Driver>,
) -> Option<Result<(), String>> {
    let check = lockstep_harness::longterm::by_name(id.strip_prefix("longterm:")?)?;
    Some(match guarded_run(make().as_mut(), scenario) {
        Err(e) => Err(e),
        Ok(run) => (check.check)(scenario, &run, make).map_err(|v| v.to_string()),
    })
}

/// A check of a reproducer of `lockstep model-check --shared-flaw`: the flawed
/// protocol is the oracle and the driver, so equivalence holds by construction and
/// the invariants and long-term checks judge; none if `id` names no check.
pub(crate) fn evaluate_shared_flaw(
    id: &str,
    scenario: &Scenario,
    flaw: lockstep_harness::flaws::SharedFlaw,
) -> Option<Result<(), String>> {
    use lockstep_harness::flaws::FlawedDriver;
    let make = move || -> Box<dyn Driver> { Box::new(FlawedDriver::new(flaw)) };
    if id.starts_with("longterm:") {
        return evaluate_long_term(id, scenario, &make);
    }
    match ScenarioCheck::from_id(id)? {
        ScenarioCheck::Equivalence => Some(Ok(())),
        ScenarioCheck::Invariant(i) => {
            Some(invariant(i, &guarded_run(make().as_mut(), scenario)).map_err(|f| f.text))
        }
    }
}

/// A scenario check.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ScenarioCheck {
    /// Spec and driver give equal records.
    Equivalence,
    /// An invariant holds over the driver's run.
    Invariant(&'static Invariant),
}

impl ScenarioCheck {
    /// The id in reports and reproducers: `"equivalence"` or `"invariant:<name>"`.
    pub(crate) fn id(self) -> String {
        match self {
            ScenarioCheck::Equivalence => "equivalence".to_owned(),
            ScenarioCheck::Invariant(i) => format!("invariant:{}", i.name),
        }
    }

    /// The check with this id.
    pub(crate) fn from_id(id: &str) -> Option<ScenarioCheck> {
        if id == "equivalence" {
            return Some(ScenarioCheck::Equivalence);
        }
        let name = id.strip_prefix("invariant:")?;
        invariants::all()
            .iter()
            .find(|i| i.name == name)
            .map(ScenarioCheck::Invariant)
    }

    /// The check on one scenario, alone.
    ///
    /// # Errors
    /// The failure.
    pub(crate) fn evaluate(
        self,
        scenario: &Scenario,
        flaw: Option<Flaw>,
    ) -> Result<(), CheckFailure> {
        match self {
            ScenarioCheck::Equivalence => equivalence(scenario, flaw).0,
            ScenarioCheck::Invariant(i) => invariant(i, &guarded_run(&mut *driver(flaw), scenario)),
        }
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// `--seed`.
    pub(crate) seed: u64,
    /// `--cases`.
    pub(crate) cases: usize,
    /// `--max-events`.
    pub(crate) max_events: usize,
    /// Worker threads.
    pub(crate) threads: usize,
    /// `--broken`.
    pub(crate) flaw: Option<Flaw>,
    /// Whether to compare with the spec.
    pub(crate) equivalence: bool,
    /// Whether to check the invariants.
    pub(crate) invariants: bool,
    /// The time proptest may spend shrinking one failure.
    pub(crate) shrink_budget: Duration,
}

/// One case's verdicts.
struct CaseOutcome {
    equivalence: Option<(Result<(), CheckFailure>, Duration)>,
    invariants: Vec<(Result<(), CheckFailure>, Duration)>,
    events: usize,
}

fn run_case(plan: &Plan, scenario: &Scenario) -> CaseOutcome {
    let started = Instant::now();
    let (equivalence, checked) = if plan.equivalence {
        let (verdict, checked) = equivalence(scenario, plan.flaw);
        (Some((verdict, started.elapsed())), checked)
    } else {
        (None, guarded_run(&mut *driver(plan.flaw), scenario))
    };
    let mut outcome = CaseOutcome {
        equivalence,
        invariants: Vec::new(),
        events: scenario.events.len(),
    };
    if plan.invariants {
        for i in invariants::all() {
            let started = Instant::now();
            let verdict = invariant(i, &checked);
            outcome.invariants.push((verdict, started.elapsed()));
        }
    }
    outcome
}

/// A scenario shrunk by proptest.
#[derive(Clone, Debug)]
pub(crate) struct Shrunk {
    /// The smallest scenario found that still fails the check.
    pub(crate) scenario: Scenario,
    /// Its failure.
    pub(crate) failure: CheckFailure,
    /// How many scenarios proptest tried.
    pub(crate) steps: u32,
    /// How long it took.
    pub(crate) time: Duration,
}

/// The first failure of a check, before and after shrinking.
#[derive(Clone, Debug)]
pub(crate) struct FirstFailure {
    /// Its case index.
    pub(crate) case: usize,
    /// Its number of events, before shrinking.
    pub(crate) events: usize,
    /// Its failure, before shrinking.
    pub(crate) failure: CheckFailure,
    /// After shrinking; an error if shrinking went wrong (say, the failure did not
    /// happen again).
    pub(crate) shrunk: Result<Shrunk, String>,
}

/// One scenario check's result.
#[derive(Clone, Debug)]
pub(crate) struct CheckReport {
    /// The check.
    pub(crate) check: ScenarioCheck,
    /// Cases run.
    pub(crate) cases: usize,
    /// Cases that failed.
    pub(crate) failed: usize,
    /// Time spent in the check, summed over the threads.
    pub(crate) time: Duration,
    /// The first failure.
    pub(crate) first: Option<FirstFailure>,
}

/// What the caller is told as the scenarios run.
pub(crate) trait Progress: Sync {
    /// A case finished.
    fn case_done(&self);
    /// Shrinking of `check` started, or made one more step.
    fn shrinking(&self, check: &str, step: u32);
}

/// Runs the plan's cases on its threads, then shrinks the first failure of each
/// check that failed.
///
/// # Errors
/// A case that could not be drawn, or a worker thread that died.
pub(crate) fn run_checks(plan: &Plan, progress: &dyn Progress) -> Result<Vec<CheckReport>, String> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<CaseOutcome, String>>>> =
        Mutex::new((0..plan.cases).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..plan.threads.max(1) {
            scope.spawn(|| {
                loop {
                    let case = next.fetch_add(1, Ordering::Relaxed);
                    if case >= plan.cases {
                        break;
                    }
                    let outcome = scenario_at(plan.seed, case, plan.max_events)
                        .map(|scenario| run_case(plan, &scenario));
                    if let Ok(mut results) = results.lock()
                        && let Some(slot) = results.get_mut(case)
                    {
                        *slot = Some(outcome);
                    }
                    progress.case_done();
                }
            });
        }
    });
    let results = results
        .into_inner()
        .map_err(|_| "a worker thread died while recording a case".to_owned())?;
    let mut outcomes = Vec::with_capacity(plan.cases);
    for (case, result) in results.into_iter().enumerate() {
        match result {
            Some(Ok(outcome)) => outcomes.push(outcome),
            Some(Err(e)) => return Err(e),
            None => return Err(format!("case {case} was not run (a worker thread died)")),
        }
    }

    let mut reports = Vec::new();
    if plan.equivalence {
        let verdicts: Vec<_> = outcomes
            .iter()
            .map(|o| o.equivalence.clone())
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        reports.push(report(
            plan,
            ScenarioCheck::Equivalence,
            &verdicts,
            &outcomes,
            progress,
        ));
    }
    if plan.invariants {
        for (k, i) in invariants::all().iter().enumerate() {
            let verdicts: Vec<_> = outcomes
                .iter()
                .filter_map(|o| o.invariants.get(k).cloned())
                .collect();
            reports.push(report(
                plan,
                ScenarioCheck::Invariant(i),
                &verdicts,
                &outcomes,
                progress,
            ));
        }
    }
    Ok(reports)
}

/// The report of one check from its verdicts (one per case, in case order); the
/// first failure is shrunk.
fn report(
    plan: &Plan,
    check: ScenarioCheck,
    verdicts: &[(Result<(), CheckFailure>, Duration)],
    outcomes: &[CaseOutcome],
    progress: &dyn Progress,
) -> CheckReport {
    let first = verdicts
        .iter()
        .enumerate()
        .find_map(|(case, (verdict, _))| verdict.as_ref().err().map(|f| (case, f.clone())))
        .map(|(case, failure)| FirstFailure {
            case,
            events: outcomes.get(case).map_or(0, |o| o.events),
            failure,
            shrunk: shrink(plan, check, case, progress),
        });
    CheckReport {
        check,
        cases: verdicts.len(),
        failed: verdicts.iter().filter(|(v, _)| v.is_err()).count(),
        time: verdicts.iter().map(|(_, t)| *t).sum(),
        first,
    }
}

/// Draws case `case` again and lets proptest shrink it against `check` alone.
///
/// # Errors
/// The case does not fail again (a nondeterministic failure), or proptest gave up.
pub(crate) fn shrink(
    plan: &Plan,
    check: ScenarioCheck,
    case: usize,
    progress: &dyn Progress,
) -> Result<Shrunk, String> {
    let started = Instant::now();
    let mut runner = case_runner(plan.seed, case, plan.shrink_budget);
    let tree = scenarios(plan.max_events)
        .new_tree(&mut runner)
        .map_err(|reason| format!("case {case}: no scenario drawn: {reason}"))?;
    let steps = Cell::new(0u32);
    let id = check.id();
    let result = runner.run_one(tree, |scenario| {
        steps.set(steps.get() + 1);
        progress.shrinking(&id, steps.get());
        check
            .evaluate(&scenario, plan.flaw)
            .map_err(|failure| TestCaseError::fail(failure.text))
    });
    match result {
        Err(TestError::Fail(_, scenario)) => match check.evaluate(&scenario, plan.flaw) {
            Err(failure) => Ok(Shrunk {
                scenario,
                failure,
                steps: steps.get(),
                time: started.elapsed(),
            }),
            Ok(()) => Err(
                "the shrunk scenario passed when run again: the failure is not deterministic"
                    .to_owned(),
            ),
        },
        Ok(_) => Err(format!(
            "case {case} passed when run again: the failure is not deterministic"
        )),
        Err(TestError::Abort(reason)) => Err(format!("proptest gave up shrinking: {reason}")),
    }
}

// ---------------------------------------------------------------------------------
// Describing a divergence
// ---------------------------------------------------------------------------------

/// At most this many characters of one value in a description.
const SHOWN: usize = 48;

/// The bytes of a JSON array of numbers below 256, if it is one.
fn bytes(value: &Value) -> Option<Vec<u8>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_u64().and_then(|b| u8::try_from(b).ok()))
        .collect()
}

/// `n bytes (0123…)`, with the first 16 in hex.
fn show_bytes(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    match bytes.len() {
        0 => "0 bytes".to_owned(),
        n if n > 16 => format!("{n} bytes ({hex}…)"),
        n => format!("{n} bytes ({hex})"),
    }
}

/// A JSON value in a few words: byte arrays as their length and first bytes in
/// hex, lists by their length and first items.
fn compact(value: &Value) -> String {
    if let Some(b) = bytes(value).filter(|b| !b.is_empty()) {
        return show_bytes(&b);
    }
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let shown: Vec<String> = items.iter().take(3).map(compact).collect();
            let more = if items.len() > 3 { ", …" } else { "" };
            let noun = if items.len() == 1 { "item" } else { "items" };
            format!("[{} {noun}: {}{more}]", items.len(), shown.join(", "))
        }
        Value::Object(map) if map.len() == 1 => {
            let (k, v) = map
                .iter()
                .next()
                .map_or(("", &Value::Null), |(k, v)| (k.as_str(), v));
            format!("{k}({})", compact(v))
        }
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", compact(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => {
            let text = other.to_string();
            if text.chars().count() > SHOWN {
                let cut: String = text.chars().take(SHOWN).collect();
                format!("{cut}…")
            } else {
                text
            }
        }
    }
}

/// The first place where `a` and `b` differ: its path and both values in a few
/// words.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<(String, String, String)> {
    if a == b {
        return None;
    }
    if let (Some(x), Some(y)) = (bytes(a), bytes(b)) {
        let at = x
            .iter()
            .zip(&y)
            .position(|(p, q)| p != q)
            .unwrap_or(x.len().min(y.len()));
        let from = at.saturating_sub(4);
        let tail = |v: &[u8]| show_bytes(v.get(from..).unwrap_or_default());
        return Some((
            format!(
                "{path} (first differing byte {at} of {} / {}; from byte {from})",
                x.len(),
                y.len()
            ),
            tail(&x),
            tail(&y),
        ));
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.keys().eq(y.keys()) => {
            x.iter().zip(y.values()).find_map(|((k, va), vb)| {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                first_difference(va, vb, &sub)
            })
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_difference(va, vb, &format!("{path}[{i}]")))
            .or_else(|| Some((path.to_owned(), compact(a), compact(b)))),
        _ => Some((path.to_owned(), compact(a), compact(b))),
    }
}

/// One line on where two runs first differ.
fn describe_divergence(d: &Divergence, driver: &str) -> String {
    let json = |r: &Option<lockstep_harness::run::Record>| {
        r.as_ref()
            .and_then(|r| serde_json::to_value(r).ok())
            .unwrap_or(Value::Null)
    };
    let (spec, checked) = (json(&d.spec), json(&d.implementation));
    // A record is `{"Variant": {fields}}`.
    let variant = |v: &Value| {
        v.as_object()
            .and_then(|m| m.iter().next())
            .map(|(k, fields)| (k.clone(), fields.clone()))
    };
    match (variant(&spec), variant(&checked)) {
        (Some((a, fa)), Some((b, fb))) if a == b => {
            let step = fa
                .get("step")
                .and_then(Value::as_u64)
                .map_or_else(String::new, |s| format!(", step {s}"));
            match first_difference(&fa, &fb, "") {
                Some((path, x, y)) => format!(
                    "record {} ({a}{step}) differs at {path}: spec {x}, {driver} {y}",
                    d.index
                ),
                None => format!("record {} ({a}{step}) differs", d.index),
            }
        }
        _ => {
            let side = |v: &Value| match v {
                Value::Null => "(the run had ended)".to_owned(),
                v => compact(v),
            };
            format!(
                "record {}: spec {} / {driver} {}",
                d.index,
                side(&spec),
                side(&checked)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_scenarios() {
        for case in 0..8 {
            assert_eq!(
                scenario_at(7, case, 16).unwrap(),
                scenario_at(7, case, 16).unwrap()
            );
        }
        assert_ne!(
            scenario_at(7, 0, 16).unwrap(),
            scenario_at(8, 0, 16).unwrap()
        );
    }

    #[test]
    fn differences_are_located() {
        let a = serde_json::json!({"States": {"step": 3, "alice": [1, 2, 3], "bob": null}});
        let b = serde_json::json!({"States": {"step": 3, "alice": [1, 9, 3], "bob": null}});
        let (path, x, y) = first_difference(&a, &b, "").unwrap();
        assert_eq!(
            path,
            "States.alice (first differing byte 1 of 3 / 3; from byte 0)"
        );
        assert_eq!(
            (x.as_str(), y.as_str()),
            ("3 bytes (010203)", "3 bytes (010903)")
        );
        let a = serde_json::json!({"states": [[1], [2]], "n": 1});
        let b = serde_json::json!({"states": [[1]], "n": 1});
        let (path, x, y) = first_difference(&a, &b, "").unwrap();
        assert_eq!(path, "states");
        assert_eq!(
            (x.as_str(), y.as_str()),
            (
                "[2 items: 1 bytes (01), 1 bytes (02)]",
                "[1 item: 1 bytes (01)]"
            )
        );
    }

    #[test]
    fn check_ids_round_trip() {
        assert!(matches!(
            ScenarioCheck::from_id("equivalence"),
            Some(ScenarioCheck::Equivalence)
        ));
        for i in invariants::all() {
            let id = ScenarioCheck::Invariant(i).id();
            assert_eq!(ScenarioCheck::from_id(&id).map(ScenarioCheck::id), Some(id));
        }
        assert!(ScenarioCheck::from_id("invariant:no-such-thing").is_none());
    }
}
