//! The wrapper of `src/lib.rs` checked against the spec, as a Rust implementation
//! checks itself: one call per check, from `cargo test`.
//!
//! `LOCKSTEP_EXAMPLE_FLAW=accept-every-prekey cargo test -p lockstep-conformance-example`
//! builds the wrappers of the first four tests with the flaw: they fail, with the
//! diff of the transcripts. The last two build it explicitly and pass only if the
//! checks catch it.

use lockstep::consts::MSG_PREKEY;
use lockstep_conformance_example::{Wrapper, WrapperFlaw};
use lockstep_harness::conformance::transcript::describe_divergence;
use lockstep_harness::conformance::{
    Config, check_equivalence, check_interop, check_invariants, scenarios,
};
use lockstep_harness::driver::{Failure, SpecDriver};
use lockstep_harness::model::Party;
use lockstep_harness::run::Record;
use lockstep_harness::run::{first_divergence, run};
use lockstep_spec::Error as SpecError;
use proptest::prelude::*;

fn config(cases: usize) -> Config {
    Config {
        cases,
        seed: 2026,
        ..Config::default()
    }
}

#[test]
fn equivalent_to_the_spec() {
    check_equivalence(Wrapper::from_env, &config(24)).assert_passed();
}

#[test]
fn invariants_hold() {
    check_invariants(Wrapper::from_env, &config(12)).assert_passed();
}

#[test]
fn interoperates_with_the_spec() {
    let mut n = 0u8;
    check_interop(
        |_| {
            n = n.wrapping_add(1);
            Wrapper::from_env().seeded([n; 32])
        },
        &config(24),
    )
    .assert_passed();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// The same, in a `proptest!` of one's own, with the harness's strategy.
    #[test]
    fn equivalent_in_proptest(scenario in scenarios(24)) {
        let spec = run(&mut SpecDriver::new(), &scenario);
        let ours = run(&mut Wrapper::from_env(), &scenario);
        prop_assert_eq!(first_divergence(&spec, &ours), None);
    }
}

#[test]
fn the_broken_wrapper_is_caught_in_the_deterministic_mode() {
    let report = check_equivalence(
        || Wrapper::with_flaw(WrapperFlaw::AcceptEveryPreKeyMessage),
        &config(64),
    );
    let failure = report.failure.expect("the flaw is caught");
    // Where it diverges: a PreKey message of Alice's after Bob's first, which the
    // spec takes to Bob's session (to decrypt it, or to refuse it there) and the
    // broken wrapper refuses as a new session.
    let divergence = failure.divergence.expect("a divergence");
    let shown = describe_divergence(&divergence);
    let Some(Record::Delivered { to, bytes, .. }) = &divergence.spec else {
        panic!("a delivery: {shown}");
    };
    assert_eq!(
        (*to, bytes.get(1)),
        (Party::Bob, Some(&MSG_PREKEY)),
        "{shown}"
    );
    let Some(Record::Delivered {
        result: Err(Failure::Refused(e)),
        ..
    }) = divergence.implementation
    else {
        panic!("the wrapper refuses: {shown}");
    };
    assert!(
        matches!(e, SpecError::UnknownPreKey | SpecError::PreKeyReplay),
        "{shown}"
    );
}

#[test]
fn the_broken_wrapper_is_caught_in_the_interop_mode() {
    let report = check_interop(
        |_| Wrapper::with_flaw(WrapperFlaw::AcceptEveryPreKeyMessage).seeded([9; 32]),
        &config(64),
    );
    let failure = report.failure.expect("the flaw is caught");
    assert!(failure.group.contains("peer as bob"), "{}", failure.group);
}
