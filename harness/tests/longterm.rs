//! The long-term-compromise and harvest-now-decrypt-later checks
//! (`lockstep_harness::longterm`): they hold on the spec and the implementation over
//! fixed scenarios of every set-up and a small property test; and each adversary
//! does open messages, or get a forgery accepted, when handed what the claim
//! excludes (so a pass is not the adversary doing nothing). The shared flaws each
//! check catches are in `tests/flaws.rs`.

use lockstep_harness::driver::{Driver, ImplDriver, SpecDriver};
use lockstep_harness::longterm::{
    self, Exposed, KciExposure, equivalent_encodings, hndl_attack, kci_attack, long_term_attack,
};
use lockstep_harness::model::{Event, Party, Scenario, SetUp};
use lockstep_harness::run::run;
use lockstep_harness::strategy;
use proptest::prelude::*;

use Event::{Compromise, Deliver, Send};
use Party::{Alice, Bob};

fn impl_driver() -> Box<dyn Driver> {
    Box::new(ImplDriver::new())
}

fn spec_driver() -> Box<dyn Driver> {
    Box::new(SpecDriver::new())
}

fn set_ups() -> [SetUp; 4] {
    [
        SetUp {
            opk: true,
            pq_last_resort: false,
        },
        SetUp {
            opk: true,
            pq_last_resort: true,
        },
        SetUp {
            opk: false,
            pq_last_resort: false,
        },
        SetUp {
            opk: false,
            pq_last_resort: true,
        },
    ]
}

/// Alice opens with two messages, then five turns, with Bob compromised in the
/// middle.
fn conversation(seed: u8, set_up: SetUp) -> Scenario {
    let mut events = vec![
        Send {
            from: Alice,
            len: 9,
        },
        Send {
            from: Alice,
            len: 30,
        },
        Deliver { pick: 1 },
        Deliver { pick: 0 },
    ];
    for turn in 0u32..5 {
        events.push(Send {
            from: if turn.is_multiple_of(2) { Bob } else { Alice },
            len: 17,
        });
        events.push(Deliver { pick: 0 });
        if turn == 2 {
            events.push(Compromise { party: Bob });
        }
    }
    Scenario {
        seed: [seed; 32],
        set_up,
        events,
    }
}

fn passes(scenario: &Scenario, make: &dyn Fn() -> Box<dyn Driver>) -> Result<(), String> {
    longterm::check_all(scenario, make).map_err(|violation| violation.to_string())
}

#[test]
fn the_implementation_passes_on_every_set_up() -> Result<(), String> {
    for (seed, set_up) in (0x30u8..).zip(set_ups()) {
        passes(&conversation(seed, set_up), &impl_driver)?;
    }
    Ok(())
}

#[test]
fn the_spec_passes_on_every_set_up() -> Result<(), String> {
    for (seed, set_up) in (0x40u8..).zip(set_ups()) {
        passes(&conversation(seed, set_up), &spec_driver)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn the_implementation_passes_on_compromised_conversations(
        scenario in strategy::compromised_conversation()
    ) {
        if let Err(why) = passes(&scenario, &impl_driver) {
            prop_assert!(false, "{why}");
        }
    }
}

/// With Bob's deleted one-time keys handed back, the long-term adversary derives SK
/// and opens Alice's first chain: the attack works, the deletion is what stops it.
#[test]
fn long_term_adversary_opens_messages_with_the_deleted_keys() {
    for set_up in set_ups() {
        let scenario = conversation(0x51, set_up);
        let run = run(&mut ImplDriver::new(), &scenario);
        let all = Exposed {
            deleted_opk: true,
            deleted_pqpk: true,
        };
        let opened = long_term_attack(&scenario, &run, all);
        println!("{set_up:?}, deleted keys given back: {opened:?}");
        assert!(opened.is_some_and(|(_, ids)| ids == vec![0, 1]));
        let claimed = set_up.opk || !set_up.pq_last_resort;
        let without = long_term_attack(&scenario, &run, Exposed::default());
        println!("{set_up:?}, store as the protocol leaves it: {without:?}");
        // Without a one-time key, PQXDH claims nothing: the adversary reads Alice's
        // first chain from Bob's identity key, signed prekey and last-resort PQ key.
        assert_eq!(without.is_some(), !claimed);
    }
}

/// With Bob's signed prekey too, KCI succeeds, by PQXDH's design (DH1 needs `ik_a`
/// or `spk_b`); without it, it fails.
#[test]
fn kci_adversary_succeeds_with_the_signed_prekey() -> Result<(), String> {
    let scenario = conversation(0x52, set_ups()[0]);
    let with = kci_attack(
        &scenario,
        &impl_driver,
        KciExposure {
            signed_prekey: true,
        },
    )?;
    let without = kci_attack(&scenario, &impl_driver, KciExposure::default())?;
    println!("forgery accepted with SPK_B: {with:?}; without: {without:?}");
    assert!(with.is_some());
    assert!(without.is_none());
    Ok(())
}

/// Given Bob's ML-KEM decapsulation key as well, the quantum adversary opens Alice's
/// first chain: SS is all that stands in its way.
#[test]
fn quantum_adversary_opens_messages_with_the_decapsulation_key() {
    for set_up in set_ups() {
        let scenario = conversation(0x53, set_up);
        let run = run(&mut ImplDriver::new(), &scenario);
        let with = hndl_attack(&scenario, &run, true);
        let without = hndl_attack(&scenario, &run, false);
        println!("{set_up:?}: with dk {with:?}, without {without:?}");
        assert!(with.is_some_and(|(_, ids)| ids == vec![0, 1]));
        assert!(without.is_none());
    }
}

/// The equivalent encoding (`1/u`, the order-2 coset) has the same X25519 results and
/// differs as bytes.
#[test]
fn equivalent_encodings_are_dh_equivalent() {
    let u = x25519_dalek::x25519([7; 32], x25519_dalek::X25519_BASEPOINT_BYTES);
    let others = equivalent_encodings(&u);
    assert_eq!(others.len(), 1, "{others:?}");
    for other in others {
        assert_ne!(other, u);
        assert_eq!(
            x25519_dalek::x25519([0x33; 32], other),
            x25519_dalek::x25519([0x33; 32], u)
        );
    }
}
