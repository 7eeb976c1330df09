//! proptest strategies for scenarios, shared by the property tests and by
//! `lockstep check` (which uses proptest's runner, so a failure shrinks to a minimal
//! event list before it is written to a reproducer file).
//!
//! Two shapes:
//!
//! - [`scenario`]: any event, weighted towards sending and delivering so that
//!   conversations progress and DH ratchet steps happen, with the adversary's
//!   events (drop, reorder, replay, reflect, tamper, inject, compromise) mixed in.
//! - [`ping_pong`]: the throughput benchmark's conversations: honest turns of
//!   sending and delivering, at least `messages` messages and `turns` changes of
//!   sender (each one a DH ratchet step at the recipient).

use proptest::prelude::*;

use crate::model::{
    BundlePart, Event, Field, HeaderFields, Party, Scenario, SetUp, Tamper, WireKey,
};

/// Either party.
pub fn party() -> impl Strategy<Value = Party> {
    prop_oneof![Just(Party::Alice), Just(Party::Bob)]
}

/// Any set-up.
pub fn set_up() -> impl Strategy<Value = SetUp> {
    (any::<bool>(), any::<bool>()).prop_map(|(opk, pq_last_resort)| SetUp {
        opk,
        pq_last_resort,
    })
}

/// Any field.
pub fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        Just(Field::Version),
        Just(Field::Type),
        Just(Field::RatchetKey),
        Just(Field::PreviousCount),
        Just(Field::Number),
        Just(Field::Ciphertext),
        Just(Field::Tag),
        Just(Field::PreKeyIdentity),
        Just(Field::PreKeyKemCiphertext),
        Just(Field::PreKeyOpkFlag),
    ]
}

/// Any X25519 key a message carries.
pub fn wire_key() -> impl Strategy<Value = WireKey> {
    prop_oneof![
        Just(WireKey::PreKeyIdentity),
        Just(WireKey::PreKeyEphemeral),
        Just(WireKey::RatchetKey),
    ]
}

/// Any header fields to swap.
pub fn header_fields() -> impl Strategy<Value = HeaderFields> {
    prop_oneof![
        Just(HeaderFields::RatchetKey),
        Just(HeaderFields::Counters),
        Just(HeaderFields::All),
    ]
}

/// Any part of the bundle.
pub fn bundle_part() -> impl Strategy<Value = BundlePart> {
    prop_oneof![
        Just(BundlePart::IdentityKey),
        Just(BundlePart::SignedPreKey),
        Just(BundlePart::OneTimePreKey),
        Just(BundlePart::SignedPreKeySignature),
        Just(BundlePart::PqPreKeySignature),
        Just(BundlePart::PqPreKey),
    ]
}

/// The algebraic adversary's tampering: a key replaced by another point of its
/// small-order coset, header fields from another message, a re-encoded bundle.
pub fn algebraic_tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        3 => (wire_key(), any::<u8>()).prop_map(|(key, torsion)| Tamper::SmallOrder { key, torsion }),
        2 => (any::<u16>(), header_fields()).prop_map(|(donor, fields)| Tamper::SwapHeader { donor, fields }),
        1 => (bundle_part(), any::<u8>()).prop_map(|(part, variant)| Tamper::Bundle { part, variant }),
    ]
}

/// Any tampering; field values favour the edges (0, 1, `MAX_SKIP`, `u32::MAX`).
pub fn tamper() -> impl Strategy<Value = Tamper> {
    let value = prop_oneof![
        Just(0u32),
        Just(1),
        Just(1000),
        Just(1001),
        Just(u32::MAX),
        any::<u32>()
    ];
    prop_oneof![
        (any::<u16>(), any::<u8>()).prop_map(|(offset, mask)| Tamper::Flip { offset, mask }),
        (field(), value).prop_map(|(field, value)| Tamper::Field { field, value }),
        any::<u16>().prop_map(|len| Tamper::Truncate { len }),
        (any::<u8>(), 0u8..8).prop_map(|(byte, count)| Tamper::Extend { byte, count }),
        algebraic_tamper(),
    ]
}

/// A plaintext length: mostly short, sometimes up to `MAX_SEND_LEN`.
fn length() -> impl Strategy<Value = u16> {
    prop_oneof![8 => 0u16..64, 1 => 0u16..=1024]
}

/// Any event, weighted so conversations progress.
pub fn event() -> impl Strategy<Value = Event> {
    let pick = 0u16..8;
    prop_oneof![
        30 => (party(), length()).prop_map(|(from, len)| Event::Send { from, len }),
        30 => pick.clone().prop_map(|pick| Event::Deliver { pick }),
        3 => pick.clone().prop_map(|pick| Event::Drop { pick }),
        4 => (pick.clone(), pick.clone()).prop_map(|(a, b)| Event::Reorder { a, b }),
        4 => any::<u16>().prop_map(|pick| Event::Duplicate { pick }),
        2 => any::<u16>().prop_map(|pick| Event::Reflect { pick }),
        6 => (any::<u16>(), tamper()).prop_map(|(pick, how)| Event::Tamper { pick, how }),
        2 => (party(), 0u16..3).prop_map(|(to, pick)| Event::Inject { to, pick }),
        4 => party().prop_map(|party| Event::Compromise { party }),
        1 => (party(), prop_oneof![0u16..16, 1990u16..=2010, Just(crate::model::MAX_BURST)])
            .prop_map(|(from, count)| Event::Burst { from, count }),
    ]
}

/// A scenario of up to `max_events` events of any kind.
///
/// The seed does not shrink: a smaller seed is not a simpler conversation, only
/// another one, and shrinking it first would spend the budget (each step a spec
/// run) before the events are touched.
pub fn scenario(max_events: usize) -> impl Strategy<Value = Scenario> {
    (
        any::<[u8; 32]>().no_shrink(),
        set_up(),
        proptest::collection::vec(event(), 0..=max_events),
    )
        .prop_map(|(seed, set_up, events)| Scenario {
            seed,
            set_up,
            events,
        })
}

/// An honest conversation of [`ping_pong`]`(8, 6)` with one compromise of either
/// party inserted anywhere: what the confidentiality invariants (forward secrecy,
/// and post-compromise security, which needs a DH ratchet round trip after the
/// compromise) have the most to judge on.
pub fn compromised_conversation() -> impl Strategy<Value = Scenario> {
    (ping_pong(8, 6), party(), any::<prop::sample::Index>()).prop_map(
        |(mut scenario, party, at)| {
            let at = at.index(scenario.events.len() + 1);
            scenario.events.insert(at, Event::Compromise { party });
            scenario
        },
    )
}

/// An honest conversation: Alice opens, then the parties take `turns` more turns,
/// each sending 1 to 3 messages that are all delivered (in order, or the turn's
/// messages in reverse), until at least `messages` messages are sent. Every change
/// of sender is a DH ratchet step at the recipient.
pub fn ping_pong(messages: usize, turns: usize) -> impl Strategy<Value = Scenario> {
    let per_turn = messages.div_ceil(turns + 1).max(1);
    (
        any::<[u8; 32]>(),
        set_up(),
        proptest::collection::vec(
            (1..=per_turn.max(1) + 1, any::<bool>(), length()),
            turns + 1,
        ),
    )
        .prop_map(move |(seed, set_up, plan)| {
            let mut events = Vec::new();
            let mut from = Party::Alice;
            let mut sent = 0;
            let last = plan.len() - 1;
            for (turn, (count, reverse, len)) in plan.into_iter().enumerate() {
                // The last turn sends whatever is still missing.
                let count = if turn == last {
                    count.max(messages.saturating_sub(sent))
                } else {
                    count
                };
                for _ in 0..count {
                    events.push(Event::Send { from, len });
                }
                for i in 0..count {
                    let pick = if reverse { count - 1 - i } else { 0 };
                    events.push(Event::Deliver {
                        pick: u16::try_from(pick).unwrap_or(0),
                    });
                }
                sent += count;
                from = from.peer();
            }
            Scenario {
                seed,
                set_up,
                events,
            }
        })
}
