//! The bounded model checker (`lockstep_harness::model_check`): the real code has
//! no counterexample to a small depth, with DH ratchet steps and a compromise
//! reached; the reduction merges paths that differ only in the order of independent
//! events; each broken driver whose shortest counterexample is short is found, at
//! that length, no longer than what proptest's shrinking finds, and its
//! counterexample fails again when played by the runner. (The deeper ones, and the
//! flaws spec and impl share, are run by `.ci/run` through `lockstep model-check`
//! in release; docs/VERIFICATION.md has the table.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure is a panic with the report"
)]

use std::time::Duration;

use lockstep_harness::broken::{BrokenDriver, Flaw};
use lockstep_harness::conformance::{self, check_invariants};
use lockstep_harness::driver::{ImplDriver, SpecDriver};
use lockstep_harness::invariants;
use lockstep_harness::model::{Event, Party, Scenario, SetUp};
use lockstep_harness::model_check::{self, Failure, Settings, explore_spec};
use lockstep_harness::run::{Conversation, run};

fn settings(depth: usize) -> Settings {
    Settings {
        depth,
        threads: 2,
        ..Settings::default()
    }
}

#[test]
fn the_implementation_has_no_counterexample_to_depth_4() {
    let report = explore_spec(&settings(4), ImplDriver::new);
    assert!(
        report.counterexample.is_none(),
        "{:?}",
        report.counterexample
    );
    assert_eq!(report.depth_completed, 4);
    assert!(report.max_dh_steps >= 2, "{}", report.max_dh_steps);
    assert!(report.compromise_reached);
    // Fewer distinct states than transitions: the reduction merged paths.
    assert!(report.distinct_states < report.transitions());
}

/// The state after `events` from the default set-up, and its fingerprint.
fn fingerprint_after(events: &[Event]) -> [u8; 32] {
    let scenario = Scenario {
        seed: Settings::default().seed,
        set_up: Settings::default().set_ups[0],
        events: events.to_vec(),
    };
    let mut driver = SpecDriver::new();
    let mut conversation = Conversation::start(&mut driver, &scenario);
    for event in events {
        conversation.step(&mut driver, event);
    }
    model_check::fingerprint(scenario.set_up, &conversation)
}

#[test]
fn independent_events_in_either_order_reach_one_state_and_dependent_ones_do_not() {
    let send = |from| Event::Send { from, len: 8 };
    let deliver = Event::Deliver { pick: 0 };
    let opening = [send(Party::Alice), deliver];
    let ab = fingerprint_after(&[&opening[..], &[send(Party::Alice), send(Party::Bob)]].concat());
    let ba = fingerprint_after(&[&opening[..], &[send(Party::Bob), send(Party::Alice)]].concat());
    assert_eq!(ab, ba, "Alice's and Bob's sends commute");
    // A refused delivery (a reflected message) changes no state: the same state.
    let reflected = fingerprint_after(&[&opening[..], &[Event::Reflect { pick: 0 }]].concat());
    assert_eq!(reflected, fingerprint_after(&opening));
    // Of two messages, delivering the first or the second leaves Bob with other
    // states (the second makes him store the first's key); delivering both, in
    // either order, leaves him with the same one.
    let two = [send(Party::Alice), send(Party::Alice)];
    let first = fingerprint_after(&[&two[..], &[deliver]].concat());
    let second = fingerprint_after(&[&two[..], &[Event::Deliver { pick: 1 }]].concat());
    assert_ne!(first, second);
    let in_order = fingerprint_after(&[&two[..], &[deliver, deliver]].concat());
    let reversed = fingerprint_after(&[&two[..], &[Event::Deliver { pick: 1 }, deliver]].concat());
    assert_eq!(in_order, reversed);
}

/// The invariant a counterexample names.
fn invariant_of(failure: &Failure) -> &'static str {
    match failure {
        Failure::Invariant { name, .. } => name,
        other => panic!("not an invariant: {other}"),
    }
}

#[test]
fn each_short_broken_driver_is_found_at_its_shortest_and_fails_again_when_replayed() {
    let mut rows = Vec::new();
    for flaw in [
        Flaw::CommitsBeforeAead,
        Flaw::IgnoresTag,
        Flaw::KeepsOldStates,
        Flaw::ReusesMessageKey,
        Flaw::ReusesKeyAndNonce,
        Flaw::DropsSkippedKeys,
    ] {
        let report = explore_spec(
            &Settings {
                equivalence: false,
                ..settings(4)
            },
            move || BrokenDriver::new(flaw),
        );
        let found = report
            .counterexample
            .unwrap_or_else(|| panic!("{flaw:?}: no counterexample to depth 4"));
        let length = found.scenario.events.len();
        // Breadth first: every shorter path passed.
        assert_eq!(report.depth_completed, length - 1, "{flaw:?}");
        // Played again by the runner, the counterexample fails the same invariant.
        let name = invariant_of(&found.failure);
        let invariant = invariants::by_name(name).unwrap();
        let replayed = run(&mut BrokenDriver::new(flaw), &found.scenario);
        assert!((invariant.check)(&replayed).is_err(), "{flaw:?}: {name}");
        // proptest's shrinking, on random scenarios, finds one no shorter.
        let shrunk = check_invariants(
            move || BrokenDriver::new(flaw),
            &conformance::Config {
                cases: 32,
                seed: 1,
                fixed: false,
                shrink_time: Duration::from_secs(10),
                ..conformance::Config::default()
            },
        )
        .failure
        .map(|f| f.shrunk.events.len());
        if let Some(shrunk) = shrunk {
            assert!(length <= shrunk, "{flaw:?}: {length} > {shrunk}");
        }
        rows.push((flaw, name, length, shrunk));
    }
    for (flaw, name, length, shrunk) in rows {
        println!("{flaw:?}: {name}, shortest {length} events; proptest shrank to {shrunk:?}");
    }
}

#[test]
fn the_set_ups_are_roots() {
    let all = [(true, false), (false, false), (true, true), (false, true)].map(
        |(opk, pq_last_resort)| SetUp {
            opk,
            pq_last_resort,
        },
    );
    let report = explore_spec(
        &Settings {
            set_ups: all.to_vec(),
            ..settings(2)
        },
        ImplDriver::new,
    );
    assert!(report.counterexample.is_none());
    // Four roots, and their descendants are not merged across set-ups.
    let one = explore_spec(&settings(2), ImplDriver::new);
    assert_eq!(report.distinct_states, 4 * one.distinct_states);
}
