//! The security invariants (`lockstep_harness::invariants`) as properties, and the
//! evidence that each one has teeth.
//!
//! - Properties: the implementation keeps every invariant over random scenarios
//!   (`strategy::scenario`) and over honest conversations with a compromise somewhere
//!   in them (so that the confidentiality invariants have something to judge); the
//!   spec does too, on a few. `LOCKSTEP_CASES=N` sets the number of cases of the
//!   implementation's properties (default 24; the spec's get a sixth of that, at least
//!   one).
//! - Flaws: for every `broken::Flaw`, a fixed scenario on which the flawed driver
//!   breaks the invariant `caught_by` names, while the implementation, on the same
//!   scenario, keeps every invariant. A vacuous or broken invariant fails its flaw's
//!   test.
//! - The adversary: what it reads after a compromise, and what it no longer reads
//!   after a round trip, on an honest conversation.
//! - What `authentication` found: a PreKey message whose `EK_A` differed in bit 255
//!   was accepted; it is now refused.

use lockstep_harness::adversary::{self, Attack};
use lockstep_harness::broken::{BrokenDriver, Flaw};
use lockstep_harness::driver::{Driver, Failure, ImplDriver, SpecDriver};
use lockstep_harness::invariants::{self, Violation, check_all};
use lockstep_harness::model::{
    BundlePart, Event, Field, HeaderFields, MAX_BURST, Party, Scenario, SetUp, Tamper, WireKey,
};
use lockstep_harness::run::{Origin, Run, run};
use lockstep_harness::strategy;
use lockstep_spec::consts::MAX_SKIP;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn cases() -> u32 {
    std::env::var("LOCKSTEP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

fn spec_cases() -> u32 {
    (cases() / 6).max(1)
}

/// An honest conversation (`strategy::ping_pong`) with a compromise of either party
/// put anywhere in it.
fn keeps_every_invariant(driver: &mut dyn Driver, scenario: &Scenario) -> Result<(), Violation> {
    check_all(&run(driver, scenario))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn the_implementation_keeps_every_invariant(scenario in strategy::scenario(32)) {
        if let Err(violation) = keeps_every_invariant(&mut ImplDriver::new(), &scenario) {
            prop_assert!(false, "{violation}");
        }
    }

    #[test]
    fn the_implementation_heals_after_a_compromise(scenario in strategy::compromised_conversation()) {
        if let Err(violation) = keeps_every_invariant(&mut ImplDriver::new(), &scenario) {
            prop_assert!(false, "{violation}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(spec_cases()))]

    #[test]
    fn the_spec_keeps_every_invariant(scenario in strategy::scenario(16)) {
        if let Err(violation) = keeps_every_invariant(&mut SpecDriver::new(), &scenario) {
            prop_assert!(false, "{violation}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Every flaw is caught by its invariant
// ---------------------------------------------------------------------------------

use Event::{Burst, Compromise, Deliver, Duplicate, Send};
use Party::{Alice, Bob};

fn scenario(events: Vec<Event>) -> Scenario {
    Scenario {
        seed: [0x1c; 32],
        set_up: SetUp {
            opk: true,
            pq_last_resort: false,
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
        let from = if turn % 2 == 0 { Alice } else { Bob };
        events.push(send(from));
        events.push(Deliver { pick: 0 });
    }
    events
}

/// The evidence for one flaw: its invariant's verdict on the flawed driver, and every
/// invariant's on the implementation, for the same scenario.
struct Verdicts {
    flawed: Result<(), Violation>,
    honest: Result<(), Violation>,
    /// The names of every invariant the flawed run breaks.
    caught_by: Vec<&'static str>,
}

fn verdicts(flaw: Flaw, events: Vec<Event>) -> Verdicts {
    let scenario = scenario(events);
    let flawed_run = run(&mut BrokenDriver::new(flaw), &scenario);
    let invariant = invariants::by_name(flaw.caught_by());
    let flawed = match invariant {
        Some(invariant) => (invariant.check)(&flawed_run),
        None => Ok(()),
    };
    let caught_by = invariants::all()
        .iter()
        .filter(|invariant| (invariant.check)(&flawed_run).is_err())
        .map(|invariant| invariant.name)
        .collect();
    Verdicts {
        flawed,
        honest: check_all(&run(&mut ImplDriver::new(), &scenario)),
        caught_by,
    }
}

fn assert_caught(flaw: Flaw, events: Vec<Event>) {
    let verdicts = verdicts(flaw, events);
    let violation = verdicts.flawed.err();
    assert!(
        violation
            .as_ref()
            .is_some_and(|violation| violation.invariant == flaw.caught_by()),
        "{} is not caught by {}",
        flaw.name(),
        flaw.caught_by()
    );
    if let Some(violation) = violation {
        println!(
            "{}: {violation}\n    also broken: {:?}",
            flaw.name(),
            verdicts.caught_by
        );
    }
    assert!(
        verdicts.honest.is_ok(),
        "the implementation breaks an invariant: {}",
        verdicts
            .honest
            .err()
            .map(|violation| violation.to_string())
            .unwrap_or_default()
    );
}

#[test]
fn every_flaw_has_a_test_and_a_known_invariant() {
    assert_eq!(Flaw::ALL.len(), 10);
    for flaw in Flaw::ALL {
        assert_eq!(Flaw::from_name(flaw.name()), Some(*flaw));
        assert!(invariants::by_name(flaw.caught_by()).is_some(), "{flaw:?}");
    }
    let names: BTreeSet<&str> = invariants::all().iter().map(|i| i.name).collect();
    let caught: BTreeSet<&str> = Flaw::ALL.iter().map(|f| f.caught_by()).collect();
    assert_eq!(
        names, caught,
        "every invariant has a flaw that shows it can fail"
    );
}

/// Old states decrypt what the party already sent and received: Alice's first state
/// still holds the sending chain her first message came from.
#[test]
fn forward_secrecy_catches_keeps_old_states() {
    let mut events = ping_pong(4);
    events.push(Compromise { party: Alice });
    assert_caught(Flaw::KeepsOldStates, events);
}

/// The adversary knows Alice's next ratchet keys, so its copy of her state follows
/// every DH ratchet step, round trip or not: it reads messages 6 and 7, sent after
/// her round trip completes (at step 12).
#[test]
fn post_compromise_security_catches_predictable_ratchet_keys() {
    let mut events = ping_pong(2);
    events.push(Compromise { party: Alice });
    events.extend(ping_pong(6));
    assert_caught(Flaw::PredictableRatchetKeys, events);
}

/// A tampered tag on a message that starts a DH ratchet step: the step is kept.
#[test]
fn transactional_catches_commits_before_aead() {
    let mut events = ping_pong(2);
    events.push(send(Alice));
    events.push(Event::Tamper {
        pick: 2,
        how: Tamper::Field {
            field: Field::Tag,
            value: 0,
        },
    });
    events.push(Deliver { pick: 0 });
    assert_caught(Flaw::CommitsBeforeAead, events);
}

/// a1 is decrypted from its stored key after a2; a replay of a1 finds the key still
/// there.
#[test]
fn replay_catches_keeps_used_skipped_keys() {
    let events = vec![
        send(Alice),
        send(Alice),
        send(Alice),
        Deliver { pick: 0 },
        Deliver { pick: 1 },
        Deliver { pick: 0 },
        Duplicate { pick: 2 },
    ];
    assert_caught(Flaw::KeepsUsedSkippedKeys, events);
}

/// A message whose tag was changed decrypts anyway.
#[test]
fn authentication_catches_ignores_tag() {
    let events = vec![
        send(Alice),
        Deliver { pick: 0 },
        send(Alice),
        Event::Tamper {
            pick: 1,
            how: Tamper::Field {
                field: Field::Tag,
                value: 0,
            },
        },
    ];
    assert_caught(Flaw::IgnoresTag, events);
}

/// Bob, at `Nr = 1`, is handed Alice's message `MAX_BURST + 1` (2101): 2100 keys to
/// skip, over `MAX_SKIP` (2000).
#[test]
fn bounds_catches_no_skip_bound() {
    const { assert!(MAX_BURST as u32 > MAX_SKIP) };
    let events = vec![
        send(Alice),
        Deliver { pick: 0 },
        Burst {
            from: Alice,
            count: MAX_BURST,
        },
        Deliver { pick: MAX_BURST },
    ];
    assert_caught(Flaw::NoSkipBound, events);
}

/// a1 arrives after a2, and its skipped key is gone.
#[test]
fn liveness_catches_drops_skipped_keys() {
    let events = vec![
        send(Alice),
        send(Alice),
        send(Alice),
        Deliver { pick: 0 },
        Deliver { pick: 1 },
        Deliver { pick: 0 },
    ];
    assert_caught(Flaw::DropsSkippedKeys, events);
}

/// a0's encryption is forgotten: a1 is sealed with the same message key.
#[test]
fn uniqueness_catches_reuses_message_key() {
    let events = vec![
        send(Alice),
        send(Alice),
        Deliver { pick: 0 },
        Deliver { pick: 0 },
    ];
    assert_caught(Flaw::ReusesMessageKey, events);
}

// ---------------------------------------------------------------------------------
// The adversary and the round trip, on honest runs
// ---------------------------------------------------------------------------------

fn all_messages(run: &Run) -> BTreeSet<usize> {
    run.sent.iter().map(|sent| sent.id).collect()
}

/// After Alice is compromised, the adversary reads her next message (her sending
/// chain) and Bob's reply (a DH ratchet step from her state), both before her round
/// trip, and what she had not yet received; then nothing once she has stepped on a
/// fresh key and Bob has answered it.
#[test]
fn the_adversary_reads_until_the_round_trip_and_no_further() {
    let mut events = ping_pong(2); // a0 (0), b0 (1)
    events.push(send(Bob)); // b1 (2): in flight at the compromise
    events.push(Compromise { party: Alice });
    events.push(Deliver { pick: 0 }); // Alice decrypts b1
    events.extend(ping_pong(6)); // a1 b2 a2 b3 a3 b4 (3 to 8)
    let scenario = scenario(events);
    let run = run(&mut ImplDriver::new(), &scenario);
    assert_eq!(run.sent.len(), 9);
    let compromise = &run.compromises[0];
    let knowledge = adversary::attack(&run, compromise, &all_messages(&run));
    let read: BTreeSet<usize> = knowledge.decrypted.keys().copied().collect();
    assert_eq!(read, BTreeSet::from([2, 3, 4]), "{knowledge:?}");
    assert_eq!(knowledge.decrypted[&2].attack, Attack::Tracking);
    assert_eq!(knowledge.decrypted[&3].attack, Attack::SendingChain);
    assert_eq!(knowledge.decrypted[&4].attack, Attack::Tracking);
    for (&id, decryption) in &knowledge.decrypted {
        assert_eq!(decryption.plaintext, run.sent[id].plaintext);
    }
    // Alice steps on b2 at step 10 (a fresh key), sends a2 under it at step 11; Bob
    // steps on it at step 12 and sends b3 at step 13; Alice steps on b3 at step 14.
    assert_eq!(
        invariants::round_trip_completion(&run, compromise),
        Some(14)
    );
    check_all(&run).expect("the implementation keeps every invariant");
}

/// Bob's compromise exposes Alice's messages in flight to him (his chain holds their
/// keys): the exception of forward secrecy, and no violation.
#[test]
fn messages_in_flight_to_the_compromised_party_are_exposed_and_excepted() {
    let events = vec![
        send(Alice),
        Deliver { pick: 0 },
        send(Alice),
        send(Alice),
        Deliver { pick: 1 }, // a2 first: a1's key is stored
        send(Alice),         // a3, in flight
        Compromise { party: Bob },
    ];
    let run = run(&mut ImplDriver::new(), &scenario(events));
    let knowledge = adversary::attack(&run, &run.compromises[0], &all_messages(&run));
    let read: BTreeSet<usize> = knowledge.decrypted.keys().copied().collect();
    assert_eq!(read, BTreeSet::from([1, 3]));
    assert_eq!(knowledge.decrypted[&1].attack, Attack::SkippedKey);
    assert_eq!(knowledge.decrypted[&3].attack, Attack::ReceivingChain);
    check_all(&run).expect("the implementation keeps every invariant");
}

/// The bounds on an honest run: the far message refused as `TooManySkipped`, the
/// store filled to `MAX_STORED_SKIPPED_KEYS` and one key evicted, whose message is
/// then refused: both excused by liveness, neither by anything else.
#[test]
fn the_bounds_and_their_excuses_on_the_implementation() {
    const { assert!(MAX_BURST > 2004) };
    let events = vec![
        send(Alice),
        Deliver { pick: 0 },
        Burst {
            from: Alice,
            count: MAX_BURST,
        },
        // Messages 1..=2101 in flight, at 0..=2100. 2101 is refused (2100 to skip);
        // 2001 is taken (2000 skipped: the store is full); 2002 skips none; 2004 skips
        // 2003, evicting message 1's key; message 1 is then refused.
        Deliver { pick: MAX_BURST },
        Deliver { pick: 2000 },
        Deliver { pick: 2000 },
        Deliver { pick: 2001 },
        Deliver { pick: 0 },
    ];
    let run = run(&mut ImplDriver::new(), &scenario(events));
    let results: Vec<_> = run
        .deliveries
        .iter()
        .map(|d| d.result.as_ref().map(|_| ()).map_err(Clone::clone))
        .collect();
    use lockstep_harness::driver::Failure::Refused;
    use lockstep_spec::Error::{Duplicate as Dup, TooManySkipped};
    assert_eq!(
        results,
        [
            Ok(()),
            Err(Refused(TooManySkipped)),
            Ok(()),
            Ok(()),
            Ok(()),
            Err(Refused(Dup))
        ]
    );
    check_all(&run).expect("the implementation keeps every invariant");
}

// ---------------------------------------------------------------------------------
// What `authentication` found
// ---------------------------------------------------------------------------------

/// `authentication` found that `EK_A` was not authenticated up to bit 255: SPEC §3.4's
/// `AD` is `EncodeEC(IK_A) ‖ EncodeEC(IK_B)`, and `DH` masks bit 255 of a public key
/// (RFC 7748 §5), so a PreKey message whose `EK_A` had bit 255 flipped (byte 65, mask
/// 0x80) gave Bob the same key agreement and was accepted; Alice's genuine PreKey
/// messages were then refused as `PreKeyMismatch`. Keys on the wire are now canonical
/// (SPEC §2): the changed message is refused as it is decoded, and the genuine one is
/// accepted, on the implementation and the spec.
#[test]
fn ek_a_with_bit_255_flipped_is_refused() {
    let events = vec![
        send(Alice),
        Event::Tamper {
            pick: 0,
            how: Tamper::Flip {
                offset: 65,
                mask: 0x80,
            },
        },
        Deliver { pick: 0 },
    ];
    let scenario = scenario(events);
    for driver in [
        &mut ImplDriver::new() as &mut dyn Driver,
        &mut SpecDriver::new(),
    ] {
        let run = run(driver, &scenario);
        let results: Vec<_> = run
            .deliveries
            .iter()
            .map(|d| {
                (
                    d.origin,
                    d.result.as_ref().map(|_| ()).map_err(Clone::clone),
                )
            })
            .collect();
        assert_eq!(
            results,
            [
                (
                    Origin::Tampered,
                    Err(Failure::Refused(lockstep_spec::Error::InvalidMessage))
                ),
                (Origin::Genuine, Ok(()))
            ]
        );
        check_all(&run).expect("every invariant holds");
    }
}

// ---------------------------------------------------------------------------------
// Post-compromise security from the first fresh key; uniqueness as observed
// ---------------------------------------------------------------------------------

/// Alice's first DH ratchet step after her compromise uses the key her state already
/// held (a pre-generated key pair, copied with it): her next messages are read. The
/// round-trip form of the check, which waits until Bob has answered her next fresh
/// key, sees nothing: by then she has healed.
#[test]
fn post_compromise_security_catches_delays_healing() {
    assert_caught(Flaw::DelaysHealing, ping_pong_with_compromise());
    let flawed_run = run(
        &mut BrokenDriver::new(Flaw::DelaysHealing),
        &scenario(ping_pong_with_compromise()),
    );
    let round_trip = invariants::post_compromise_security_after_round_trip(&flawed_run);
    println!("delays-healing, round-trip form: {round_trip:?}");
    assert!(
        round_trip.is_ok(),
        "the round-trip form catches it too: the scenario shows nothing"
    );
}

fn ping_pong_with_compromise() -> Vec<Event> {
    let mut events = ping_pong(2);
    events.push(Compromise { party: Alice });
    events.extend(ping_pong(6));
    events
}

/// Every message of Alice's first chain is sealed with the chain's first key and
/// nonce, while her state advances as SPEC §4.5 says: the observed pairs repeat; the
/// pairs re-derived from the states (what `uniqueness` used to read) do not.
#[test]
fn uniqueness_catches_reuses_key_and_nonce() {
    let events = vec![send(Alice), send(Alice), send(Alice), Deliver { pick: 0 }];
    assert_caught(Flaw::ReusesKeyAndNonce, events.clone());
    let mut flawed_run = run(
        &mut BrokenDriver::new(Flaw::ReusesKeyAndNonce),
        &scenario(events),
    );
    let observed = invariants::uniqueness(&flawed_run);
    for sent in &mut flawed_run.sent {
        sent.aead = None;
    }
    for delivery in &mut flawed_run.deliveries {
        delivery.aead = None;
    }
    let re_derived = invariants::uniqueness(&flawed_run);
    println!("observed: {observed:?}\n    re-derived: {re_derived:?}");
    assert!(observed.is_err());
    assert!(
        re_derived.is_ok(),
        "re-derivation sees the bug: {re_derived:?}"
    );
}

/// The implementation's driver reports the (key, nonce) its AEAD was called with, for
/// every encryption and successful decryption, and they are SPEC §4.2's.
#[test]
fn the_implementation_reports_the_aead_keys_it_used() {
    let run = run(&mut ImplDriver::new(), &scenario(ping_pong(4)));
    assert!(run.sent.iter().all(|sent| sent.aead.is_some()));
    assert!(
        run.deliveries
            .iter()
            .all(|d| d.aead.is_some() == d.result.is_ok())
    );
    let sealed: Vec<_> = run.sent.iter().map(|sent| sent.aead).collect();
    let opened: Vec<_> = run.deliveries.iter().map(|d| d.aead).collect();
    assert_eq!(
        sealed, opened,
        "each message opened with the pair it was sealed with"
    );
    check_all(&run).expect("every invariant holds");
}

// ---------------------------------------------------------------------------------
// The algebraic adversary
// ---------------------------------------------------------------------------------

fn small_order(key: WireKey, torsion: u8) -> Event {
    Event::Tamper {
        pick: 0,
        how: Tamper::SmallOrder { key, torsion },
    }
}

/// Finding 1 of issue 12: X25519 clamps its scalars to multiples of 8, so `EK_A` and
/// every other point of its small-order coset (`1/EK_A` for the order-2 point; the
/// order-4 and order-8 ones) give Bob the same DH values. With `EK_A` in neither `AD`
/// nor the key schedule, the re-encoded PreKey message gave the same SK and was
/// accepted, and Bob's session then refused Alice's genuine PreKey messages as
/// `PreKeyMismatch`. Every re-encoding of `EK_A` and of `IK_A` must be refused, and
/// the genuine message then accepted, on the implementation and the spec.
#[test]
fn prekey_reencoding_is_refused() {
    // torsion 3 adds the order-2 point (1/u); 1 and 5 the order-4 ones; the others
    // points of order 8.
    let mut tampers: Vec<(WireKey, u8)> = (0..7).map(|t| (WireKey::PreKeyEphemeral, t)).collect();
    tampers.extend([
        (WireKey::PreKeyIdentity, 3),
        (WireKey::PreKeyIdentity, 1),
        (WireKey::PreKeyIdentity, 0),
    ]);
    let mut accepted = Vec::new();
    for (key, torsion) in tampers {
        let events = vec![send(Alice), small_order(key, torsion), Deliver { pick: 0 }];
        let scenario = scenario(events);
        for driver in [
            &mut ImplDriver::new() as &mut dyn Driver,
            &mut SpecDriver::new(),
        ] {
            let name = driver.name();
            let run = run(driver, &scenario);
            let results: Vec<_> = run
                .deliveries
                .iter()
                .map(|d| {
                    (
                        d.origin,
                        d.result.as_ref().map(|_| ()).map_err(Clone::clone),
                    )
                })
                .collect();
            if let Err(violation) = check_all(&run) {
                println!("{name}, {key:?} torsion {torsion}: {results:?}\n    {violation}");
                accepted.push((name, key, torsion));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "re-encoded PreKey messages accepted: {accepted:?}"
    );
}

/// The re-encodings are what they claim: for the first message's `EK_A`, seven other
/// canonical u-coordinates, the order-2 one `1/u`, each giving the same X25519 output
/// for clamped scalars.
#[test]
fn small_order_cosets_give_the_same_dh() {
    use lockstep_harness::run::small_order_coset;
    let run = run(&mut ImplDriver::new(), &scenario(vec![send(Alice)]));
    let bytes = &run.sent[0].bytes;
    let ek_a: [u8; 32] = bytes[34..66].try_into().expect("32 bytes");
    let coset = small_order_coset(&ek_a);
    assert_eq!(
        coset.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    for scalar in [[0x11u8; 32], [0xfe; 32]] {
        let secret = x25519_dalek::StaticSecret::from(scalar);
        let want = secret.diffie_hellman(&x25519_dalek::PublicKey::from(ek_a));
        for (k, other) in &coset {
            assert!(other[31] & 0x80 == 0 && other != &ek_a);
            let got = secret.diffie_hellman(&x25519_dalek::PublicKey::from(*other));
            assert_eq!(got.as_bytes(), want.as_bytes(), "torsion {k}");
        }
    }
    // k = 4 is the point of order 2: u' = 1/u, so u * u' = 1 (mod p).
    let (_, inverse) = coset[3];
    use lockstep_spec::field25519::{SerializedFieldElement, from_le_bytes, to_le_bytes};
    let product = from_le_bytes(&SerializedFieldElement::from_public_slice(&ek_a))
        * from_le_bytes(&SerializedFieldElement::from_public_slice(&inverse));
    let mut one = [0u8; 32];
    one[0] = 1;
    assert_eq!(to_le_bytes(product).to_public_array(), one);
}

/// Re-encoded ratchet keys and header fields of other messages on ratchet messages:
/// all refused (`AD ‖ H` changes), and every invariant holds.
#[test]
fn ratchet_key_reencodings_and_swapped_headers_are_refused() {
    let mut events = ping_pong(3);
    events.extend([send(Alice), send(Alice)]);
    for pick in [1u16, 2, 3] {
        for torsion in [1u8, 3, 6] {
            events.push(Event::Tamper {
                pick,
                how: Tamper::SmallOrder {
                    key: WireKey::RatchetKey,
                    torsion,
                },
            });
        }
    }
    for fields in [
        HeaderFields::RatchetKey,
        HeaderFields::Counters,
        HeaderFields::All,
    ] {
        for (pick, donor) in [(3u16, 4u16), (4, 3), (2, 0), (1, 3)] {
            events.push(Event::Tamper {
                pick,
                how: Tamper::SwapHeader { donor, fields },
            });
        }
    }
    events.extend([Deliver { pick: 0 }, Deliver { pick: 0 }]);
    let run = run(&mut ImplDriver::new(), &scenario(events));
    let tampered = run
        .deliveries
        .iter()
        .filter(|d| d.origin == Origin::Tampered)
        .count();
    assert_eq!(tampered, 21);
    check_all(&run).expect("every invariant holds");
}

/// Every re-encoding of the bundle's signed parts is refused by Alice's verification
/// (`s + q`, `R` plus a small-order point, `IK_B` and `SPK_B` on their cosets, an
/// ML-KEM key coefficient `c + q`); a re-encoded one-time prekey (unsigned) is
/// accepted, and changes nothing (its DH values are the same).
#[test]
fn bundle_reencodings_are_refused() {
    let parts = [
        BundlePart::IdentityKey,
        BundlePart::SignedPreKey,
        BundlePart::SignedPreKeySignature,
        BundlePart::PqPreKeySignature,
        BundlePart::PqPreKey,
        BundlePart::OneTimePreKey,
    ];
    let mut events = Vec::new();
    for part in parts {
        for variant in [0u8, 1, 3, 6] {
            events.push(Event::Tamper {
                pick: 0,
                how: Tamper::Bundle { part, variant },
            });
        }
    }
    for driver in [
        &mut ImplDriver::new() as &mut dyn Driver,
        &mut SpecDriver::new(),
    ] {
        let name = driver.name();
        let run = run(driver, &scenario(events.clone()));
        assert_eq!(run.forged_bundles.len(), 24);
        for forged in &run.forged_bundles {
            let bundle = run.bundle.as_deref().expect("a bundle");
            assert_ne!(forged.bytes.as_slice(), bundle);
            match forged.part {
                BundlePart::OneTimePreKey => assert_eq!(forged.result, Ok(()), "{name}"),
                part => assert_eq!(
                    forged.result,
                    Err(Failure::Refused(lockstep_spec::Error::InvalidSignature)),
                    "{name}: {part:?}"
                ),
            }
        }
        check_all(&run).expect("every invariant holds");
    }
}
