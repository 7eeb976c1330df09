//! Message franking (SPEC §9): every franking invariant holds for the
//! implementation on random conversations, and each broken variant is caught by
//! the invariant meant to catch it; the composed scheme the variants are built
//! from is the implementation byte for byte.

use lockstep_harness::franking::invariants::{self, Invariant};
use lockstep_harness::franking::scheme::{Composed, Flaw, Real};

/// Conversations per invariant for the implementation.
const CASES: u64 = 12;

#[test]
fn every_invariant_holds_for_the_implementation() {
    let outcome = invariants::check_all(&Real, 0..CASES).unwrap_or_else(|v| panic!("{v}"));
    assert!(outcome.messages >= 4 * 6 * usize::try_from(CASES).unwrap());
    assert!(outcome.reported > 0);
    assert!(outcome.attempts > 1000, "{outcome:?}");
}

#[test]
fn every_invariant_holds_for_the_composed_scheme_without_a_flaw() {
    invariants::check_all(&Composed::new(None), 0..4).unwrap_or_else(|v| panic!("{v}"));
}

#[test]
fn the_composed_scheme_is_the_implementation_byte_for_byte() {
    for seed in 0..6 {
        let real = invariants::transcript(&Real, seed).unwrap();
        let composed = invariants::transcript(&Composed::new(None), seed).unwrap();
        assert!(!real.is_empty());
        assert_eq!(real, composed, "seed {seed}");
    }
}

#[test]
fn each_broken_variant_is_caught_by_its_invariant() {
    for flaw in Flaw::ALL {
        let invariant = Invariant::catching(flaw);
        let scheme = Composed::new(Some(flaw));
        let violation = (0..4)
            .find_map(|seed| invariants::check(&scheme, invariant, seed).err())
            .unwrap_or_else(|| panic!("{} not caught by {}", flaw.name(), invariant.name()));
        assert_eq!(
            violation.invariant,
            Some(invariant),
            "{}: {violation}",
            flaw.name()
        );
        println!("{:<28} {violation}", flaw.name());
    }
}

#[test]
fn the_naive_scheme_is_broken_by_the_two_key_ciphertext() {
    let violation = invariants::check(
        &Composed::new(Some(Flaw::AeadCommitment)),
        Invariant::ReceiverBinding,
        0,
    )
    .unwrap_err();
    assert!(
        violation.detail.contains("two openings"),
        "the naive scheme must fall to the collision itself, not to a simpler forgery: {violation}"
    );
}
