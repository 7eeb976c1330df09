//! The conformance runner (the harness's `conformance` module, as `lockstep
//! conformance` uses it) against this shim, as a child process: both modes pass;
//! each flaw is caught, with its shortest scenario; the no-state paths; and shims
//! that hang or crash are reported as such, never waited on for ever.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure is a panic with the report"
)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use lockstep_harness::conformance::shim::{SharedShim, Shim, ShimDriver, ShimPeer};
use lockstep_harness::conformance::{Config, Report, check_equivalence, check_interop};

/// The shim, with `env` (`NAME=value ...`) in front.
fn start(env: &str) -> SharedShim {
    let command = format!("{env} {}", env!("CARGO_BIN_EXE_lockstep-shim"));
    Rc::new(RefCell::new(
        Shim::start(&command, Duration::from_secs(20)).unwrap(),
    ))
}

fn config(cases: usize) -> Config {
    Config {
        cases,
        seed: 16,
        shrink_time: Duration::from_secs(20),
        ..Config::default()
    }
}

fn deterministic(shim: &SharedShim, config: &Config) -> Report {
    let config = Config {
        compare_states: shim.borrow().hello().offers("state"),
        ..config.clone()
    };
    check_equivalence(
        || {
            shim.borrow_mut().revive().unwrap();
            ShimDriver::new(Rc::clone(shim))
        },
        &config,
    )
}

fn interop(shim: &SharedShim, config: &Config) -> Report {
    check_interop(
        |_| {
            shim.borrow_mut().revive().unwrap();
            ShimPeer::new(Rc::clone(shim))
        },
        config,
    )
}

#[test]
fn both_modes_pass() {
    let shim = start("");
    assert_eq!(
        shim.borrow().hello().capabilities,
        ["deterministic", "interop", "state"]
    );
    deterministic(&shim, &config(40)).assert_passed();
    interop(&shim, &config(40)).assert_passed();
    assert_eq!(shim.borrow().deaths(), (0, 0));
}

#[test]
fn both_modes_pass_without_states() {
    let shim = start("LOCKSTEP_SHIM_NO_STATE=1");
    assert!(!shim.borrow().hello().offers("state"));
    let report = deterministic(&shim, &config(24));
    report.assert_passed();
    assert!(report.groups.iter().all(|(g, _)| !g.starts_with("states")));
    interop(&shim, &config(24)).assert_passed();
}

/// A flaw's failure: its group, and the shrunk scenario's length.
fn caught(report: &Report) -> (String, usize) {
    let failure = report.failure.as_ref().expect("the flaw is caught");
    (failure.group.clone(), failure.shrunk.events.len())
}

#[test]
fn accept_replay_is_caught_in_both_modes() {
    let shim = start("LOCKSTEP_SHIM_FLAW=accept-replay");
    // At shortest: Alice sends, Bob decrypts, the message is replayed. Shrinking
    // gets within a few events of it (an honest conversation with a compromise
    // shrinks by its turns, not by single events).
    let (group, events) = caught(&deterministic(&shim, &config(64)));
    assert_eq!(group, "decrypt (refusals)");
    assert!((3..=6).contains(&events), "{events}");
    let (group, events) = caught(&interop(&shim, &config(64)));
    assert!(group.starts_with("replay (peer as"), "{group}");
    assert!((3..=6).contains(&events), "{events}");
}

#[test]
fn wrong_error_is_caught_in_both_modes_with_states_and_only_deterministically_without() {
    let shim = start("LOCKSTEP_SHIM_FLAW=wrong-error");
    let (group, events) = caught(&deterministic(&shim, &config(64)));
    assert_eq!(group, "decrypt (refusals)");
    assert!((3..=6).contains(&events), "{events}");
    let (group, _) = caught(&interop(&shim, &config(64)));
    assert!(group.starts_with("refusals (peer as"), "{group}");
    // Without the state, a wrong refusal name of a message that decodes cannot be
    // predicted: the interop mode cannot see this flaw (docs/CONFORMANCE.md §2.4).
    let shim = start("LOCKSTEP_SHIM_NO_STATE=1 LOCKSTEP_SHIM_FLAW=wrong-error");
    caught(&deterministic(&shim, &config(64)));
    interop(&shim, &config(64)).assert_passed();
}

/// A fake shim: it answers `hello` as a deterministic shim, then runs `then`.
fn fake(then: &str) -> String {
    let hello =
        r#"{"id":0,"ok":{"version":1,"implementation":"fake","capabilities":["deterministic"]}}"#;
    format!("read line; echo '{hello}'; {then}")
}

#[test]
fn a_hanging_shim_times_out_and_a_crashing_one_is_reported() {
    for (then, why, deaths) in [
        (
            "sleep 30",
            "shim timed out: no reply to `set_up` in 1 s",
            (1, 0),
        ),
        (
            "read line; echo 'half a line' >&2; exit 3",
            "shim crashed during `set_up`: it exited (exit status: 3)",
            (0, 1),
        ),
        (
            "read line; echo '{\"id\": 99, \"ok\": {}}'",
            "shim crashed: not the reply to request 1",
            (0, 1),
        ),
    ] {
        let shim = Shim::start(&fake(then), Duration::from_secs(1)).unwrap();
        let shim = Rc::new(RefCell::new(shim));
        let start = Instant::now();
        let report = deterministic(
            &shim,
            &Config {
                cases: 1,
                shrink_time: Duration::ZERO,
                ..Config::default()
            },
        );
        assert!(start.elapsed() < Duration::from_secs(10), "{then}");
        let failure = report.failure.expect("the shim fails");
        assert!(failure.detail.contains(why), "{then}: {}", failure.detail);
        assert_eq!(shim.borrow().deaths(), deaths, "{then}");
        if then.contains("half a line") {
            let shim = shim.borrow();
            let (_, stderr) = shim.fatal().expect("dead");
            assert_eq!(stderr, ["half a line"]);
        }
    }
}

#[test]
fn a_shim_that_is_not_one_does_not_start() {
    for command in ["exit 1", "cat", "echo '{\"id\":0,\"ok\":{\"version\":2}}'"] {
        assert!(
            Shim::start(command, Duration::from_secs(2)).is_err(),
            "{command}"
        );
    }
}
