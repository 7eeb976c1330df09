//! Flaws that spec and implementation would share (issue 12, point 9): each is
//! caught on its fixed scenario by an invariant or a check of
//! `lockstep_harness::longterm`, on the flawed run alone, with no vector and no
//! comparison with the honest spec; the spec, the implementation and the honest
//! assembly of `FlawedDriver` pass every check on the same scenarios.

use lockstep_harness::driver::{Driver, ImplDriver, SpecDriver};
use lockstep_harness::flaws::{FlawedDriver, SharedFlaw};
use lockstep_harness::invariants::{self, Violation};
use lockstep_harness::longterm::{self, Maker};
use lockstep_harness::model::{Event, Party, Scenario, SetUp};
use lockstep_harness::run::{first_divergence, run};

use Event::{Compromise, Deliver, Duplicate, Send};
use Party::{Alice, Bob};

fn scenario(opk: bool, pq_last_resort: bool, events: Vec<Event>) -> Scenario {
    Scenario {
        seed: [0x5f; 32],
        set_up: SetUp {
            opk,
            pq_last_resort,
        },
        events,
    }
}

fn send(from: Party) -> Event {
    Send { from, len: 24 }
}

/// `turns` messages, alternating from Alice, each delivered at once.
fn ping_pong(turns: usize) -> Vec<Event> {
    let mut events = Vec::new();
    for turn in 0..turns {
        events.push(send(if turn.is_multiple_of(2) { Alice } else { Bob }));
        events.push(Deliver { pick: 0 });
    }
    events
}

/// Alice and Bob exchange three messages, Alice sends a fourth (in flight), and
/// Alice is compromised.
fn alice_sends_then_is_compromised() -> Scenario {
    let mut events = ping_pong(3);
    events.push(send(Alice));
    events.push(Compromise { party: Alice });
    scenario(true, false, events)
}

/// Four turns, with a one-time prekey and a one-time PQ prekey.
fn ping_pong_one_time_keys() -> Scenario {
    scenario(true, false, ping_pong(4))
}

/// Four turns, with a one-time prekey and a last-resort PQ prekey.
fn ping_pong_opk_last_resort() -> Scenario {
    scenario(true, true, ping_pong(4))
}

/// Two turns, Alice compromised, six more turns.
fn compromise_then_ping_pong() -> Scenario {
    let mut events = ping_pong(2);
    events.push(Compromise { party: Alice });
    events.extend(ping_pong(6));
    scenario(true, false, events)
}

/// Alice sends three; the third arrives first (keys 0 and 1 are stored), then the
/// first; the first is replayed; Bob is compromised.
fn reordered_then_replayed() -> Scenario {
    let events = vec![
        send(Alice),
        send(Alice),
        send(Alice),
        Deliver { pick: 2 },
        Deliver { pick: 0 },
        Duplicate { pick: 1 },
        Compromise { party: Bob },
    ];
    scenario(true, false, events)
}

/// Every invariant and every long-term check over a run of `scenario` on `driver`
/// (with `make` for the checks that need fresh drivers of the same protocol): the
/// names of those that fail, with the first violation of each.
fn verdicts(
    driver: &mut dyn Driver,
    make: Maker<'_>,
    scenario: &Scenario,
) -> Vec<(&'static str, Violation)> {
    let run = run(driver, scenario);
    let mut failed = Vec::new();
    for invariant in invariants::all() {
        if let Err(violation) = (invariant.check)(&run) {
            failed.push((invariant.name, violation));
        }
    }
    for check in longterm::all() {
        if let Err(violation) = (check.check)(scenario, &run, make) {
            failed.push((check.name, violation));
        }
    }
    failed
}

/// Every fixed scenario.
fn fixed_scenarios() -> [(&'static str, Scenario); 5] {
    [
        (
            "alice_sends_then_is_compromised",
            alice_sends_then_is_compromised(),
        ),
        ("ping_pong_one_time_keys", ping_pong_one_time_keys()),
        ("ping_pong_opk_last_resort", ping_pong_opk_last_resort()),
        ("compromise_then_ping_pong", compromise_then_ping_pong()),
        ("reordered_then_replayed", reordered_then_replayed()),
    ]
}

/// The spec, the implementation and the honest assembly pass every invariant and
/// every long-term check on every fixed scenario.
#[test]
fn the_honest_drivers_pass_every_check_on_every_fixed_scenario() {
    for (name, scenario) in fixed_scenarios() {
        let implementation = verdicts(
            &mut ImplDriver::new(),
            &|| Box::new(ImplDriver::new()),
            &scenario,
        );
        assert!(
            implementation.is_empty(),
            "{name}: the implementation fails: {implementation:?}"
        );
        let spec = verdicts(
            &mut SpecDriver::new(),
            &|| Box::new(SpecDriver::new()),
            &scenario,
        );
        assert!(spec.is_empty(), "{name}: the spec fails: {spec:?}");
        let assembled = verdicts(
            &mut FlawedDriver::with(&[]),
            &|| Box::new(FlawedDriver::with(&[])),
            &scenario,
        );
        assert!(
            assembled.is_empty(),
            "{name}: the honest assembly fails: {assembled:?}"
        );
    }
}

/// `flaws` on `scenario` break the check (or invariant) `by`, on the flawed run alone.
#[allow(clippy::panic, reason = "a test's failure, with what was expected")]
fn assert_caught(flaws: &[SharedFlaw], scenario: &Scenario, by: &str) -> Violation {
    let owned = flaws.to_vec();
    let make = move || -> Box<dyn Driver> { Box::new(FlawedDriver::with(&owned)) };
    let run = run(&mut FlawedDriver::with(flaws), scenario);
    let result = match (invariants::by_name(by), longterm::by_name(by)) {
        (Some(invariant), _) => (invariant.check)(&run),
        (None, Some(check)) => (check.check)(scenario, &run, &make),
        (None, None) => panic!("no check named {by}"),
    };
    match result {
        Err(violation) => {
            println!("{flaws:?}: {violation}");
            violation
        }
        Ok(()) => panic!("{flaws:?} is not caught by {by}"),
    }
}

/// The honest assembly is the spec: equal transcripts on every fixed scenario (so
/// that what a flaw changes is the flaw alone).
#[test]
fn the_honest_assembly_is_the_spec() {
    for scenario in [
        alice_sends_then_is_compromised(),
        ping_pong_opk_last_resort(),
        reordered_then_replayed(),
    ] {
        let spec = run(&mut SpecDriver::new(), &scenario);
        let assembled = run(&mut FlawedDriver::with(&[]), &scenario);
        assert_eq!(first_divergence(&spec, &assembled), None);
    }
}

/// Alice's state holds `CKs`, which is the key of the message she just sent.
#[test]
fn held_values_catches_message_key_is_next_chain_key() {
    assert_caught(
        &[SharedFlaw::MessageKeyIsNextChainKey],
        &alice_sends_then_is_compromised(),
        longterm::HELD_VALUES,
    );
}

/// Without SS, the X25519 private keys give SK: Alice's first messages open.
#[test]
fn harvest_now_decrypt_later_catches_ss_left_out() {
    assert_caught(
        &[SharedFlaw::SsLeftOut],
        &ping_pong_one_time_keys(),
        longterm::HARVEST_NOW_DECRYPT_LATER,
    );
}

/// Without DH4, Bob's identity key, signed prekey and last-resort PQ prekey give SK
/// once the one-time prekey is deleted.
#[test]
fn long_term_forward_secrecy_catches_dh4_left_out() {
    assert_caught(
        &[SharedFlaw::Dh4LeftOut],
        &ping_pong_opk_last_resort(),
        longterm::LONG_TERM_FORWARD_SECRECY,
    );
}

/// A party that keeps its ratchet key pair: Bob's first reply carries `SPK_B`
/// again, Alice's initial `DHr`, on which she has no receiving chain, so the
/// conversation stalls there.
#[test]
fn liveness_catches_ratchet_reuses_key_pair() {
    assert_caught(
        &[SharedFlaw::RatchetReusesKeyPair],
        &compromise_then_ping_pong(),
        invariants::LIVENESS,
    );
}

/// A used skipped key kept: the replay decrypts; and Bob's exposed state opens the
/// message it decrypted.
#[test]
fn replay_and_held_values_catch_skipped_keys_not_deleted() {
    let scenario = reordered_then_replayed();
    assert_caught(
        &[SharedFlaw::SkippedKeysNotDeleted],
        &scenario,
        invariants::REPLAY,
    );
    assert_caught(
        &[SharedFlaw::SkippedKeysNotDeleted],
        &scenario,
        longterm::HELD_VALUES,
    );
}

/// DH1 = DH(IK_A, IK_B): Bob's identity key lets anyone pose as Alice.
#[test]
fn key_compromise_impersonation_catches_static_static_dh1() {
    assert_caught(
        &[SharedFlaw::StaticStaticDh1],
        &ping_pong_one_time_keys(),
        longterm::KEY_COMPROMISE_IMPERSONATION,
    );
}

/// SPEC rev 1's KDF: a re-encoded EK_A gives the same SK, and Bob accepts it.
#[test]
fn identity_misbinding_catches_prekey_header_unbound() {
    let violation = assert_caught(
        &[SharedFlaw::PreKeyHeaderUnbound],
        &ping_pong_one_time_keys(),
        longterm::IDENTITY_MISBINDING,
    );
    assert!(violation.detail.contains("EK_A"), "{violation}");
}

/// `AD` without `IK_A` is caught once the KDF does not bind the PreKey header: a
/// re-encoded `IK_A` (Mallory's identity, with Alice's DH results) is then accepted.
/// With the header unbound alone, only `EK_A`'s re-encoding is accepted (above), so
/// the `IK_A` case is the AD flaw's.
#[test]
fn identity_misbinding_catches_ad_without_initiator_identity_under_the_old_kdf() {
    let scenario = ping_pong_one_time_keys();
    let flaws = [
        SharedFlaw::PreKeyHeaderUnbound,
        SharedFlaw::AdWithoutInitiatorIdentity,
    ];
    let violation = assert_caught(&flaws, &scenario, longterm::IDENTITY_MISBINDING);
    assert!(violation.detail.contains("IK_A"), "{violation}");
}

/// With SPEC §3.4's KDF (the PreKey header bound into SK, and DH1, DH2 binding both
/// identity keys' DH classes), `AD` without `IK_A` has no effect any adversary of the
/// harness can observe: this pins that fact, so that a check that comes to catch it
/// updates docs/VERIFICATION.md's table.
#[test]
fn ad_without_initiator_identity_alone_is_not_observable() {
    let flaws = [SharedFlaw::AdWithoutInitiatorIdentity];
    let make = || -> Box<dyn Driver> { Box::new(FlawedDriver::with(&flaws)) };
    let scenario = alice_sends_then_is_compromised();
    let failed = verdicts(&mut FlawedDriver::with(&flaws), &make, &scenario);
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn every_flaw_has_a_name() {
    assert_eq!(SharedFlaw::ISSUE.len(), 6);
    let mut names: Vec<&str> = SharedFlaw::ALL.iter().map(|flaw| flaw.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), SharedFlaw::ALL.len());
}
