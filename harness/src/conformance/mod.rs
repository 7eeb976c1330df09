//! The spec as an oracle for other implementations (docs/CONFORMANCE.md).
//!
//! Three checks, each over random scenarios drawn from a seed, each failure shrunk
//! to a shortest scenario that still fails:
//!
//! - [`check_equivalence`]: a [`Driver`] (the deterministic mode: every random value
//!   is an input) must give the spec's transcript record for record: bundles,
//!   messages, plaintexts, refusals by their SPEC §7 names, states;
//! - [`check_invariants`]: every invariant of [`crate::invariants`] over the
//!   driver's own runs;
//! - [`check_interop`]: a [`Peer`] (the interop mode: its own randomness) plays one
//!   party against the spec's other, under the scenario's adversary, and each side
//!   must decrypt exactly what the other sent, once, and refuse what SPEC.md says to
//!   refuse, by name.
//!
//! A Rust implementation implements [`Driver`] or [`Peer`] and calls these from its
//! own `cargo test` (`conformance/example/` does, for a wrapper around `lockstep`),
//! or uses [`scenarios`] in a `proptest!` of its own. Any other language speaks the
//! JSON-lines protocol of docs/CONFORMANCE.md through a shim, which [`shim`] puts
//! behind the same two traits; `lockstep conformance` runs it.
//!
//! ```
//! use lockstep_harness::conformance::{Config, check_equivalence};
//! use lockstep_harness::driver::ImplDriver;
//!
//! let config = Config { cases: 2, ..Config::default() };
//! let report = check_equivalence(ImplDriver::new, &config);
//! report.assert_passed();
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::driver::{Driver, Exposure, SpecDriver};
use crate::invariants::{self, Violation};
use crate::model::{Party, Scenario};
use crate::run::{Divergence, Record, Run, first_divergence, run};
use crate::strategy;

pub mod interop;
pub mod shim;
pub mod transcript;

pub use interop::{DriverPeer, InteropDriver, Peer};

/// How many cases, from which seed, and how long a failure may shrink.
#[derive(Clone, Debug)]
pub struct Config {
    /// Scenarios to run.
    pub cases: usize,
    /// The seed they are drawn from: the same seed draws the same scenarios.
    pub seed: u64,
    /// The most events in one scenario.
    pub max_events: usize,
    /// How long a failing scenario may be shrunk.
    pub shrink_time: Duration,
    /// Whether [`check_equivalence`] compares the SPEC §6 state encodings (and what
    /// a compromise exposes); off for an implementation that does not offer them.
    pub compare_states: bool,
    /// Whether the named scenarios of [`invariants::fixed_scenarios`] (every
    /// small-order re-encoding of a PreKey message's keys, of ratchet keys and of
    /// the bundle's parts; swapped headers; a compromise in an honest conversation)
    /// are played first, before the random cases: random scenarios reach them only
    /// by chance. In the interop mode each is played in both roles.
    pub fixed: bool,
    /// Run only this case, with this scenario, and do not shrink it (a reproducer
    /// played again): the case index fixes the interop role.
    pub replay: Option<(usize, Scenario)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cases: 64,
            seed: 0,
            max_events: 32,
            shrink_time: Duration::from_secs(30),
            compare_states: true,
            fixed: true,
            replay: None,
        }
    }
}

/// The scenarios the checks draw: those of `lockstep check`, three of any events
/// (up to `max_events`) to one honest conversation with a compromise in it.
pub fn scenarios(max_events: usize) -> impl Strategy<Value = Scenario> {
    prop_oneof![
        3 => strategy::scenario(max_events),
        1 => strategy::compromised_conversation(),
    ]
}

/// One group of a report: how many comparisons or checks were made, and how many
/// held.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Made.
    pub checked: usize,
    /// Held.
    pub held: usize,
}

/// A case that failed, shrunk.
#[derive(Clone, Debug)]
pub struct CaseFailure {
    /// The case's index (the fixed scenarios come first).
    pub case: usize,
    /// The fixed scenario's name, if it was one.
    pub name: Option<String>,
    /// The group that failed (a record kind, or an invariant's name).
    pub group: String,
    /// What failed, in one line.
    pub detail: String,
    /// The scenario as drawn.
    pub original: Scenario,
    /// The shortest failing scenario shrinking found.
    pub shrunk: Scenario,
    /// Scenarios tried while shrinking.
    pub shrink_steps: usize,
    /// The spec's run of the shrunk scenario (equivalence only).
    pub spec: Option<Run>,
    /// The run of the implementation under test (in interop, both parties').
    pub run: Run,
    /// Where the transcripts first differ (equivalence only).
    pub divergence: Option<Divergence>,
}

/// What a check found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Which check: `equivalence`, `invariants` or `interop`.
    pub check: &'static str,
    /// Cases run (up to and including the failing one), fixed and random.
    pub cases: usize,
    /// How many of them were fixed scenarios ([`Config::fixed`]).
    pub fixed: usize,
    /// Per group, in order of first appearance.
    pub groups: Vec<(String, Tally)>,
    /// The first failing case, if any.
    pub failure: Option<Box<CaseFailure>>,
    /// Time taken, shrinking included.
    pub elapsed: Duration,
}

impl Report {
    /// Whether every case passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// Panics with the failure, its transcript and the shrunk scenario (for a
    /// `#[test]`).
    ///
    /// # Panics
    /// If a case failed.
    #[allow(
        clippy::panic,
        reason = "an assertion for tests: the failure, explained, is the panic's message"
    )]
    pub fn assert_passed(&self) {
        if let Some(failure) = &self.failure {
            panic!("{}", transcript::explain(failure));
        }
    }

    fn add(&mut self, group: &str, held: bool) {
        let i = self
            .groups
            .iter()
            .position(|(g, _)| g == group)
            .unwrap_or_else(|| {
                self.groups.push((group.to_owned(), Tally::default()));
                self.groups.len() - 1
            });
        let tally = &mut self.groups[i].1;
        tally.checked += 1;
        tally.held += usize::from(held);
    }
}

/// What one case gave: the groups it checked (and whether each held), and the
/// failure, if any.
struct Outcome {
    checked: Vec<(String, bool)>,
    failure: Option<Failed>,
}

/// A failure of one case, before shrinking.
struct Failed {
    group: String,
    detail: String,
    spec: Option<Run>,
    run: Run,
    divergence: Option<Divergence>,
}

impl Failed {
    fn into_case(
        self,
        case: usize,
        original: Scenario,
        shrunk: Scenario,
        shrink_steps: usize,
    ) -> Box<CaseFailure> {
        Box::new(CaseFailure {
            case,
            name: None,
            group: self.group,
            detail: self.detail,
            original,
            shrunk,
            shrink_steps,
            spec: self.spec,
            run: self.run,
            divergence: self.divergence,
        })
    }
}

/// The runner that draws (and shrinks) case `case` of seed `seed`.
fn case_runner(seed: u64, case: usize) -> TestRunner {
    let mut hash = Sha256::new();
    hash.update(b"lockstep conformance case\0");
    hash.update(seed.to_le_bytes());
    hash.update((case as u64).to_le_bytes());
    let key: [u8; 32] = hash.finalize().into();
    let config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key))
}

/// Runs the fixed scenarios (`copies` times each, in a row) and `config.cases`
/// random cases of `check`, stops at the first failure and shrinks it
/// (proptest's value tree: fewer events, simpler events, for at most
/// `config.shrink_time`).
fn run_cases(
    name: &'static str,
    copies: usize,
    config: &Config,
    mut check: impl FnMut(usize, &Scenario) -> Outcome,
) -> Report {
    let start = Instant::now();
    let mut report = Report {
        check: name,
        ..Report::default()
    };
    if let Some((case, scenario)) = &config.replay {
        let outcome = check(*case, scenario);
        report.cases = 1;
        for (group, held) in &outcome.checked {
            report.add(group, *held);
        }
        report.failure = outcome
            .failure
            .map(|failed| failed.into_case(*case, scenario.clone(), scenario.clone(), 0));
        report.elapsed = start.elapsed();
        return report;
    }
    let fixed: Vec<(String, Scenario)> = if config.fixed {
        invariants::fixed_scenarios()
            .into_iter()
            .flat_map(|named| std::iter::repeat_n(named, copies))
            .collect()
    } else {
        Vec::new()
    };
    for (case, (scenario_name, scenario)) in fixed.iter().enumerate() {
        let outcome = check(case, scenario);
        report.cases = case + 1;
        report.fixed = case + 1;
        for (group, held) in &outcome.checked {
            report.add(group, *held);
        }
        if let Some(failed) = outcome.failure {
            let deadline = Instant::now() + config.shrink_time;
            let (failed, shrunk, steps) = drop_events(case, scenario, failed, deadline, &mut check);
            let mut failure = failed.into_case(case, scenario.clone(), shrunk, steps);
            failure.name = Some(scenario_name.clone());
            report.failure = Some(failure);
            report.elapsed = start.elapsed();
            return report;
        }
    }
    let strategy = scenarios(config.max_events);
    for random in 0..config.cases {
        let case = fixed.len() + random;
        let mut runner = case_runner(config.seed, random);
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let original = tree.current();
        let outcome = check(case, &original);
        report.cases = case + 1;
        for (group, held) in &outcome.checked {
            report.add(group, *held);
        }
        let Some(mut failed) = outcome.failure else {
            continue;
        };
        let mut shrunk = original.clone();
        let mut steps = 0;
        let deadline = Instant::now() + config.shrink_time;
        'shrink: while Instant::now() < deadline && tree.simplify() {
            loop {
                steps += 1;
                let candidate = tree.current();
                if let Some(again) = check(case, &candidate).failure {
                    failed = again;
                    shrunk = candidate;
                    break;
                }
                if Instant::now() >= deadline || !tree.complicate() {
                    break 'shrink;
                }
            }
        }
        report.failure = Some(failed.into_case(case, original, shrunk, steps));
        break;
    }
    report.elapsed = start.elapsed();
    report
}

/// Shrinks a failing fixed scenario (which has no value tree) by deleting events
/// one at a time while it still fails, until no single deletion fails or the
/// deadline passes; returns the last failure, its scenario and the runs tried.
fn drop_events(
    case: usize,
    scenario: &Scenario,
    mut failed: Failed,
    deadline: Instant,
    check: &mut impl FnMut(usize, &Scenario) -> Outcome,
) -> (Failed, Scenario, usize) {
    let mut shrunk = scenario.clone();
    let mut steps = 0;
    // Passes until one deletes nothing (a deletion can make an earlier event
    // deletable).
    let mut changed = true;
    while changed {
        changed = false;
        let mut i = 0;
        while i < shrunk.events.len() {
            if Instant::now() >= deadline {
                return (failed, shrunk, steps);
            }
            let mut candidate = shrunk.clone();
            candidate.events.remove(i);
            steps += 1;
            match check(case, &candidate).failure {
                Some(again) => {
                    failed = again;
                    shrunk = candidate;
                    changed = true;
                }
                None => i += 1,
            }
        }
    }
    (failed, shrunk, steps)
}

/// The group a record is compared in.
#[must_use]
pub fn record_group(record: &Record) -> &'static str {
    match record {
        Record::SetUp { .. } => "set-up (bundle)",
        Record::Sent { result: Ok(_), .. } => "encrypt (wire bytes)",
        Record::Sent { result: Err(_), .. } => "encrypt (refusals)",
        Record::Delivered { result: Ok(_), .. } => "decrypt (plaintexts)",
        Record::Delivered { result: Err(_), .. } => "decrypt (refusals)",
        Record::BundleForged { .. } => "forged bundles (verdicts)",
        Record::OtherSession { .. } => "other session (injection)",
        Record::Compromised { .. } => "compromise (exposure)",
        Record::Skipped { .. } => "events with nothing to act on",
        Record::States { .. } => "states (SPEC §6)",
    }
}

/// `run` without what is not compared when states are not: the state records go,
/// and a compromise exposes nothing.
fn without_states(mut run: Run) -> Run {
    run.records.retain(|r| !matches!(r, Record::States { .. }));
    for record in &mut run.records {
        if let Record::Compromised { exposure, .. } = record {
            *exposure = Exposure::default();
        }
    }
    run
}

/// The deterministic mode: every scenario is played on the spec and on a fresh
/// driver from `make`, and the transcripts must be equal record for record (see
/// [`record_group`] for the groups). The first difference is the failure.
pub fn check_equivalence<D: Driver, F: FnMut() -> D>(mut make: F, config: &Config) -> Report {
    run_cases("equivalence", 1, config, |_, scenario| {
        let mut spec = run(&mut SpecDriver::new(), scenario);
        let mut driver = make();
        let mut theirs = run(&mut driver, scenario);
        if !config.compare_states {
            spec = without_states(spec);
            theirs = without_states(theirs);
        }
        let divergence = first_divergence(&spec, &theirs);
        let end = divergence.as_ref().map_or(spec.records.len(), |d| d.index);
        let mut checked: Vec<(String, bool)> = spec.records[..end]
            .iter()
            .map(|r| (record_group(r).to_owned(), true))
            .collect();
        let failure = divergence.map(|d| {
            let at = d.spec.as_ref().or(d.implementation.as_ref());
            let group = at.map_or("transcript length", record_group).to_owned();
            checked.push((group.clone(), false));
            Failed {
                detail: transcript::describe_divergence(&d),
                group,
                spec: Some(spec),
                run: theirs,
                divergence: Some(d),
            }
        });
        Outcome { checked, failure }
    })
}

/// Every invariant of [`crate::invariants`] over the runs of a fresh driver from
/// `make` on each scenario; each invariant is a group.
pub fn check_invariants<D: Driver, F: FnMut() -> D>(mut make: F, config: &Config) -> Report {
    let all: Vec<&'static str> = invariants::all().iter().map(|i| i.name).collect();
    run_cases("invariants", 1, config, |_, scenario| {
        let run = run(&mut make(), scenario);
        judge(&all, run, &[])
    })
}

/// The invariants [`check_interop`] checks: these always, and [`STATE_CHECKS`]
/// when the peer offers its SPEC §6 state.
pub const STATELESS_CHECKS: [&str; 5] = [
    interop::SET_UP,
    invariants::LIVENESS,
    invariants::AUTHENTICATION,
    invariants::REPLAY,
    interop::REFUSALS,
];

/// The checks of [`check_interop`] that read the peer's states.
pub const STATE_CHECKS: [&str; 5] = [
    invariants::TRANSACTIONAL,
    invariants::BOUNDS,
    invariants::UNIQUENESS,
    invariants::FORWARD_SECRECY,
    invariants::POST_COMPROMISE_SECURITY,
];

/// The interop mode: on case `i` the peer from `make(role)` plays Alice (`i`
/// even) or Bob (`i` odd) and the spec plays the other party; the checks are
/// [`STATELESS_CHECKS`], and [`STATE_CHECKS`] if the peer offers its state. Each
/// check is a group, per role (`liveness (peer as alice)`).
pub fn check_interop<P: Peer, F: FnMut(Party) -> P>(make: F, config: &Config) -> Report {
    check_interop_as(&[Party::Alice, Party::Bob], make, config)
}

/// [`check_interop`] with the peer in `roles` only, in turn (case `i` in
/// `roles[i % roles.len()]`): for a peer that can play one role.
pub fn check_interop_as<P: Peer, F: FnMut(Party) -> P>(
    roles: &[Party],
    mut make: F,
    config: &Config,
) -> Report {
    let roles = if roles.is_empty() {
        &[Party::Alice, Party::Bob][..]
    } else {
        roles
    };
    run_cases("interop", roles.len(), config, |case, scenario| {
        let role = roles[case % roles.len()];
        let mut driver = InteropDriver::new(make(role), role);
        let run = run(&mut driver, scenario);
        let mut names: Vec<&'static str> = STATELESS_CHECKS.to_vec();
        if driver.peer().offers_state() {
            names.extend(STATE_CHECKS);
        }
        let predictions = driver.into_predictions();
        let mut outcome = judge(&names, run, &predictions);
        // Counts of what the spec could predict, not checks: they hold.
        for prediction in &predictions {
            let kind = match prediction {
                interop::Prediction::Spec => continue,
                interop::Prediction::Exactly(_) => "deliveries to the peer, result predicted",
                interop::Prediction::Decoding(_) => "deliveries to the peer, refusal decoded",
                interop::Prediction::Open => "deliveries to the peer, not predicted",
            };
            outcome.checked.push((kind.to_owned(), true));
        }
        for (group, _) in &mut outcome.checked {
            *group = format!("{group} (peer as {})", role.name());
        }
        if let Some(failed) = &mut outcome.failure {
            failed.group = format!("{} (peer as {})", failed.group, role.name());
        }
        outcome
    })
}

/// Checks `names` over `run`: the invariants of [`crate::invariants`] and the
/// interop checks of [`interop`].
fn judge(names: &[&'static str], run: Run, predictions: &[interop::Prediction]) -> Outcome {
    let mut checked = Vec::new();
    let mut failure = None;
    for &name in names {
        let result: Result<(), Violation> = match name {
            interop::SET_UP => interop::set_up(&run),
            interop::REFUSALS => interop::refusals(&run, predictions),
            _ => invariants::by_name(name).map_or(Ok(()), |i| (i.check)(&run)),
        };
        checked.push((name.to_owned(), result.is_ok()));
        if let (Err(violation), None) = (result, &failure) {
            failure = Some(Failed {
                group: name.to_owned(),
                detail: violation.to_string(),
                spec: None,
                run: run.clone(),
                divergence: None,
            });
        }
    }
    Outcome { checked, failure }
}

/// The per-group counts of a report, ordered by group name, for JSON.
#[must_use]
pub fn groups_by_name(report: &Report) -> BTreeMap<String, Tally> {
    report.groups.iter().cloned().collect()
}
