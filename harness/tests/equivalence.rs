//! Spec ≡ impl over whole conversations: the same scenario, played through
//! `lockstep-spec` and through `lockstep`, gives equal transcripts (every wire
//! byte, plaintext, refusal and both state encodings after every event).
//!
//! - `random_conversations_agree`: proptest over `strategy::scenario`, shrinking a
//!   failure to a minimal event list (failures found are kept in
//!   `equivalence.proptest-regressions` and replayed first on every run). 12 cases
//!   by default (the spec's set-up dominates: BENCHMARKS.md, `conversations`);
//!   `LOCKSTEP_CASES=N` for more.
//! - Fixed scenarios that reach every event kind and the protocol's bounds, so each
//!   path is compared on every run whatever proptest draws.
//! - `a_difference_is_found`: the comparison itself can fail.

use lockstep_harness::driver::{
    Driver, Exposure, Failure, ImplDriver, OtherSessionInputs, SetUpInputs, SpecDriver,
};
use lockstep_harness::model::{
    BundlePart, Event, Field, HeaderFields, MAX_BURST, Party, Scenario, SetUp, Tamper, WireKey,
};
use lockstep_harness::run::{Origin, Record, equivalence, first_divergence, run};
use lockstep_harness::strategy;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("LOCKSTEP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_conversations_agree(scenario in strategy::scenario(32)) {
        if let Err(divergence) = equivalence(&scenario) {
            prop_assert!(false, "{divergence}");
        }
    }
}

use Event::{Burst, Compromise, Deliver, Drop, Duplicate, Inject, Reflect, Reorder, Send};
use Party::{Alice, Bob};

fn scenario(opk: bool, pq_last_resort: bool, events: Vec<Event>) -> Scenario {
    Scenario {
        seed: [0x5a; 32],
        set_up: SetUp {
            opk,
            pq_last_resort,
        },
        events,
    }
}

/// A delivery's recipient, origin, and plaintext length or refusal.
type Outcome = (Party, Origin, Result<usize, Failure>);

/// Plays `scenario` on both sides, requires equal transcripts, and returns the
/// results of its deliveries, in order.
fn agree(scenario: &Scenario) -> Result<Vec<Outcome>, String> {
    let run = equivalence(scenario).map_err(|d| d.to_string())?;
    Ok(run
        .deliveries
        .iter()
        .map(|d| {
            (
                d.to,
                d.origin,
                d.result.as_ref().map(Vec::len).map_err(Clone::clone),
            )
        })
        .collect())
}

#[test]
fn every_event_kind_agrees() -> Result<(), String> {
    let tamper = |pick, how| Event::Tamper { pick, how };
    let events = vec![
        Send {
            from: Alice,
            len: 10,
        },
        Send {
            from: Alice,
            len: 20,
        },
        Send { from: Bob, len: 1 },
        Reorder { a: 0, b: 1 },
        Deliver { pick: 0 },
        Deliver { pick: 0 },
        Send { from: Bob, len: 5 },
        Drop { pick: 0 },
        Send { from: Bob, len: 6 },
        Deliver { pick: 0 },
        Duplicate { pick: 0 },
        tamper(
            1,
            Tamper::Flip {
                offset: 3000,
                mask: 0x10,
            },
        ),
        tamper(
            2,
            Tamper::Field {
                field: Field::Number,
                value: 7,
            },
        ),
        tamper(
            2,
            Tamper::Field {
                field: Field::PreviousCount,
                value: 1,
            },
        ),
        tamper(
            2,
            Tamper::Field {
                field: Field::RatchetKey,
                value: 1,
            },
        ),
        tamper(
            2,
            Tamper::Field {
                field: Field::Version,
                value: 2,
            },
        ),
        tamper(
            2,
            Tamper::Field {
                field: Field::Type,
                value: 1,
            },
        ),
        tamper(
            2,
            Tamper::Field {
                field: Field::Tag,
                value: 0,
            },
        ),
        tamper(
            0,
            Tamper::Field {
                field: Field::PreKeyIdentity,
                value: 9,
            },
        ),
        tamper(
            0,
            Tamper::Field {
                field: Field::PreKeyKemCiphertext,
                value: 5,
            },
        ),
        tamper(
            0,
            Tamper::Field {
                field: Field::PreKeyOpkFlag,
                value: 0,
            },
        ),
        tamper(2, Tamper::Truncate { len: 57 }),
        tamper(2, Tamper::Extend { byte: 0, count: 3 }),
        Inject { to: Bob, pick: 0 },
        Inject { to: Bob, pick: 1 },
        Inject { to: Alice, pick: 2 },
        Reflect { pick: 2 },
        Compromise { party: Alice },
        Compromise { party: Bob },
        Send {
            from: Alice,
            len: 100,
        },
        Deliver { pick: 0 },
        Send { from: Bob, len: 0 },
        Deliver { pick: 0 },
    ];
    let results = agree(&scenario(true, false, events))?;
    // The honest deliveries succeed and every attack is refused.
    for (to, origin, result) in &results {
        let honest = *origin == Origin::Genuine;
        assert_eq!(honest, result.is_ok(), "{to:?} {origin:?} {result:?}");
    }
    assert!(results.len() >= 20, "{}", results.len());
    Ok(())
}

#[test]
fn bob_before_his_session_and_prekey_resends_agree() {
    let events = vec![
        Send { from: Bob, len: 3 },  // no session: NoSession
        Inject { to: Bob, pick: 0 }, // nothing to inject into: skipped
        Send {
            from: Alice,
            len: 1,
        },
        Send {
            from: Alice,
            len: 2,
        },
        Event::Tamper {
            pick: 0,
            how: Tamper::Flip {
                offset: 40,
                mask: 1,
            },
        }, // a bad PreKey message: accept fails
        Deliver { pick: 1 }, // Bob accepts her second PreKey message
        Deliver { pick: 0 }, // and then her first, a skipped key
        Duplicate { pick: 0 },
        Send {
            from: Alice,
            len: 3,
        }, // still a PreKey message
        Deliver { pick: 0 },
        Send { from: Bob, len: 4 },
        Deliver { pick: 0 }, // Alice's first decryption ends the PreKey wrapping
        Send {
            from: Alice,
            len: 5,
        },
        Deliver { pick: 0 },
    ];
    for (opk, pq_last_resort) in [(false, false), (true, true)] {
        let s = scenario(opk, pq_last_resort, events.clone());
        let run = equivalence(&s).unwrap_or_else(|d| panic!("{d}"));
        assert!(run.records.iter().any(|r| matches!(
            r,
            Record::Sent {
                from: Bob,
                result: Err(Failure::NoSession),
                ..
            }
        )));
        let results: Vec<bool> = run.deliveries.iter().map(|d| d.result.is_ok()).collect();
        assert_eq!(results, [false, true, true, false, true, true, true]);
    }
}

#[test]
fn the_skip_bounds_agree() -> Result<(), String> {
    // Alice sends MAX_BURST + 1 = 2101 messages; Bob gets the last first: a gap
    // over MAX_SKIP (2000), refused; then number 2000 (exactly MAX_SKIP skipped,
    // filling the store to MAX_STORED_SKIPPED_KEYS), accepted; then number 0, from
    // the store.
    let count = MAX_BURST;
    let last = count;
    let events = vec![
        Burst { from: Alice, count },
        Deliver { pick: last },
        Deliver { pick: 2000 },
        Deliver { pick: 0 },
    ];
    let results = agree(&scenario(false, true, events))?;
    assert_eq!(
        results[0].2,
        Err(Failure::Refused(lockstep_spec::Error::TooManySkipped))
    );
    assert!(results[1].2.is_ok() && results[2].2.is_ok(), "{results:?}");
    Ok(())
}

/// Regression (found by the `authentication` invariant): X25519 ignores bit 255, and
/// `EK_A` reaches the session only through the DH values, so before SPEC §2 required
/// canonical keys on the wire, Alice's first PreKey message with bit 255 of `EK_A`
/// flipped (byte 65) was accepted by Bob, as a second encoding of her message; the
/// session it made then refused her real PreKey messages (`PreKeyMismatch`). Now the
/// changed message is refused on decoding, and the real one is accepted.
#[test]
fn a_non_canonical_ephemeral_key_is_refused() -> Result<(), String> {
    let flip = |offset| Event::Tamper {
        pick: 0,
        how: Tamper::Flip { offset, mask: 0x80 },
    };
    let events = vec![
        Send {
            from: Alice,
            len: 8,
        },
        flip(65), // EK_A's last byte
        flip(33), // IK_A's last byte
        Deliver { pick: 0 },
    ];
    let results = agree(&scenario(true, false, events))?;
    assert_eq!(
        results[0].2,
        Err(Failure::Refused(lockstep_spec::Error::InvalidMessage))
    );
    assert_eq!(
        results[1].2,
        Err(Failure::Refused(lockstep_spec::Error::InvalidMessage))
    );
    assert_eq!(results[2].2, Ok(8));
    Ok(())
}

/// The comparison can fail: a driver that changes one byte of the third message it
/// sends differs from the spec at exactly that record.
#[test]
fn a_difference_is_found() {
    struct OneBitOff {
        inner: ImplDriver,
        sent: usize,
    }
    impl Driver for OneBitOff {
        fn name(&self) -> &'static str {
            "one-bit-off"
        }
        fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
            self.inner.set_up(inputs)
        }
        fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
            self.inner.other_session(inputs)
        }
        fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
            let mut bytes = self.inner.encrypt(party, plaintext)?;
            self.sent += 1;
            if self.sent == 3 {
                let last = bytes.len() - 1;
                bytes[last] ^= 1;
            }
            Ok(bytes)
        }
        fn decrypt(
            &mut self,
            party: Party,
            message: &[u8],
            r: &[u8; 32],
        ) -> Result<Vec<u8>, Failure> {
            self.inner.decrypt(party, message, r)
        }
        fn state(&self, party: Party) -> Option<Vec<u8>> {
            self.inner.state(party)
        }
        fn compromise(&self, party: Party) -> Exposure {
            self.inner.compromise(party)
        }
    }
    let s = scenario(
        true,
        false,
        vec![
            Send {
                from: Alice,
                len: 4,
            },
            Deliver { pick: 0 },
            Send { from: Bob, len: 4 },
            Deliver { pick: 0 },
            Send {
                from: Alice,
                len: 4,
            },
            Deliver { pick: 0 },
        ],
    );
    let spec = run(&mut SpecDriver::new(), &s);
    let honest = run(&mut ImplDriver::new(), &s);
    assert_eq!(first_divergence(&spec, &honest), None);
    let broken = run(
        &mut OneBitOff {
            inner: ImplDriver::new(),
            sent: 0,
        },
        &s,
    );
    let divergence = first_divergence(&spec, &broken).expect("a divergence");
    assert!(
        matches!(divergence.spec, Some(Record::Sent { step: 4, .. })),
        "{divergence}"
    );
}

/// The algebraic adversary's tampering, on both sides: every X25519 key of a PreKey
/// and a ratchet message moved in its small-order coset, header fields swapped between
/// messages, and every part of the bundle re-encoded. Spec and impl agree byte for
/// byte (the AEAD keys and nonces they report included), every forged message is
/// refused, the genuine ones decrypt, and a forged bundle is refused unless only its
/// (unsigned) one-time prekey changed.
#[test]
fn algebraic_tampers_agree() -> Result<(), String> {
    let tamper = |pick, how| Event::Tamper { pick, how };
    let mut events = vec![
        Send {
            from: Alice,
            len: 12,
        },
        Send {
            from: Alice,
            len: 3,
        },
    ];
    for (key, torsion) in [
        (WireKey::PreKeyEphemeral, 3),
        (WireKey::PreKeyEphemeral, 1),
        (WireKey::PreKeyEphemeral, 4),
        (WireKey::PreKeyIdentity, 3),
        (WireKey::RatchetKey, 2),
    ] {
        events.push(tamper(0, Tamper::SmallOrder { key, torsion }));
    }
    events.extend([
        tamper(
            0,
            Tamper::SwapHeader {
                donor: 1,
                fields: HeaderFields::Counters,
            },
        ),
        Deliver { pick: 0 },
        Deliver { pick: 0 },
        Send { from: Bob, len: 7 },
        Send { from: Bob, len: 8 },
        tamper(
            2,
            Tamper::SmallOrder {
                key: WireKey::RatchetKey,
                torsion: 6,
            },
        ),
        tamper(
            3,
            Tamper::SwapHeader {
                donor: 2,
                fields: HeaderFields::All,
            },
        ),
        tamper(
            2,
            Tamper::SwapHeader {
                donor: 0,
                fields: HeaderFields::RatchetKey,
            },
        ),
        Deliver { pick: 1 },
        Deliver { pick: 0 },
    ]);
    for part in [
        BundlePart::IdentityKey,
        BundlePart::SignedPreKey,
        BundlePart::OneTimePreKey,
        BundlePart::SignedPreKeySignature,
        BundlePart::PqPreKeySignature,
        BundlePart::PqPreKey,
    ] {
        for variant in [0, 5] {
            events.push(tamper(0, Tamper::Bundle { part, variant }));
        }
    }
    let s = scenario(true, false, events);
    let run = equivalence(&s).map_err(|d| d.to_string())?;
    for d in &run.deliveries {
        assert_eq!(
            d.origin == Origin::Genuine,
            d.result.is_ok(),
            "step {}: {:?} delivery to {:?}: {:?}",
            d.step,
            d.origin,
            d.to,
            d.result.as_ref().map(Vec::len)
        );
    }
    assert_eq!(run.deliveries.len(), 13);
    for forged in &run.forged_bundles {
        let unsigned_only = forged.part == BundlePart::OneTimePreKey;
        assert_eq!(unsigned_only, forged.result.is_ok(), "{:?}", forged.part);
    }
    assert_eq!(run.forged_bundles.len(), 12);
    Ok(())
}
