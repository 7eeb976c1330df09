//! The interop mode's checks catch the harness's deliberately broken drivers
//! ([`Flaw`]) when one plays Bob against the spec's Alice with randomness of its
//! own, except the flaws that hide their secret outside the SPEC §6 state or
//! misuse the AEAD without a trace in the state: a peer is seen only through its
//! messages and its state, so those are out of the interop mode's reach (the
//! deterministic mode and `lockstep check` catch them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure is a panic with the report"
)]

use std::time::Duration;

use lockstep_harness::broken::{BrokenDriver, Flaw};
use lockstep_harness::conformance::{
    Config, DriverPeer, Report, check_equivalence, check_interop_as,
};
use lockstep_harness::driver::{Driver, ImplDriver};
use lockstep_harness::model::Party;

fn config(cases: usize) -> Config {
    Config {
        cases,
        seed: 5,
        shrink_time: Duration::from_secs(5),
        ..Config::default()
    }
}

/// Interop with `make()`'s driver as Bob, with randomness of its own.
fn interop_as_bob<D: Driver>(make: impl Fn() -> D, cases: usize) -> Report {
    let mut n = 0u8;
    check_interop_as(
        &[Party::Bob],
        |_| {
            n = n.wrapping_add(1);
            DriverPeer::new(make(), [n; 32])
        },
        &config(cases),
    )
}

/// [`interop_as_bob`] with the broken driver of `flaw`.
fn broken_as_bob(flaw: Flaw, cases: usize) -> Report {
    interop_as_bob(|| BrokenDriver::new(flaw), cases)
}

#[test]
fn the_implementation_as_a_peer_passes() {
    interop_as_bob(ImplDriver::new, 48).assert_passed();
}

#[test]
fn each_flaw_with_a_trace_in_messages_or_state_is_caught_in_interop() {
    use lockstep_harness::invariants::{
        AUTHENTICATION, BOUNDS, FORWARD_SECRECY, LIVENESS, REPLAY, TRANSACTIONAL, UNIQUENESS,
    };
    // The flaw, and the checks of which one must catch it (the first case that
    // fails ends the run, and the first consequence it shows may be another than
    // the one the flaw is named for). A used skipped key kept is also exposed by a
    // compromise; a key and nonce reused by Bob alone show at the spec's Alice, whose
    // decryptions of his messages then fail.
    for (flaw, by) in [
        (Flaw::CommitsBeforeAead, &[TRANSACTIONAL][..]),
        (Flaw::KeepsUsedSkippedKeys, &[REPLAY, FORWARD_SECRECY][..]),
        (Flaw::IgnoresTag, &[AUTHENTICATION][..]),
        (Flaw::NoSkipBound, &[BOUNDS][..]),
        (Flaw::DropsSkippedKeys, &[LIVENESS][..]),
        (Flaw::ReusesMessageKey, &[UNIQUENESS][..]),
        (Flaw::ReusesKeyAndNonce, &[LIVENESS][..]),
    ] {
        let report = broken_as_bob(flaw, 200);
        let failure = report
            .failure
            .as_ref()
            .unwrap_or_else(|| panic!("{flaw:?} not caught"));
        let failed: Vec<&str> = report
            .groups
            .iter()
            .filter(|(_, tally)| tally.held < tally.checked)
            .map(|(group, _)| group.as_str())
            .collect();
        println!(
            "{flaw:?}: case {}, shrunk to {} events, failed {failed:?}",
            failure.case,
            failure.shrunk.events.len()
        );
        assert!(
            failed
                .iter()
                .any(|group| by.iter().any(|by| group.starts_with(by))),
            "{flaw:?}: none of {by:?} among {failed:?}"
        );
    }
}

#[test]
fn flaws_outside_the_state_are_out_of_interop_reach_but_not_of_the_deterministic_mode() {
    for flaw in [
        Flaw::KeepsOldStates,
        Flaw::PredictableRatchetKeys,
        Flaw::DelaysHealing,
    ] {
        assert!(broken_as_bob(flaw, 24).passed(), "{flaw:?}");
        let report = check_equivalence(|| BrokenDriver::new(flaw), &config(64));
        assert!(!report.passed(), "{flaw:?} passes the deterministic mode");
    }
}
