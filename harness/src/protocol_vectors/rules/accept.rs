//! `rules.json`, accept: sequences of `accept` on one prekey store, and the file's assembly.

use super::*;
use crate::model::Party;

pub(super) fn accept_vector(
    id: &str,
    description: &str,
    h: &PqxdhVector,
    plan: Vec<(&str, Vec<u8>, Result<(), spec::Error>)>,
) -> Result<AcceptVector, GenerateError> {
    // Bob's store, as far as the spec has one: the keys of the handshake and the
    // replay record of its post-quantum prekey if that is last-resort (SPEC §3.5),
    // as the checker replays it.
    let side = SpecSide;
    let mut store = side
        .store(h)
        .map_err(|e| unexpected(format!("{id}: Bob's store: {e}")))?;
    let mut deliveries = Vec::new();
    for (index, (note, wire, want)) in plan.into_iter().enumerate() {
        let r = derive32(id, &format!("{index} / r"));
        let (outcome, state) = match (side.accept(&mut store, &wire, &r), want) {
            (Ok((pt, state)), Ok(())) => (Outcome::Ok(pt), Some(state)),
            (Err(e), Err(want)) if e == want.name() => (Outcome::Rejected(e.to_owned()), None),
            (Ok(_), Err(want)) => {
                return Err(unexpected(format!(
                    "{id} delivery {index}: accepted; want {want:?}"
                )));
            }
            (Err(e), _) => {
                return Err(unexpected(format!(
                    "{id} delivery {index}: refused with {e}"
                )));
            }
        };
        deliveries.push(AcceptDelivery {
            note: note.to_owned(),
            wire,
            r,
            outcome,
            state,
        });
    }
    Ok(AcceptVector {
        id: id.to_owned(),
        source: "docs/SPEC.md §3.4 (TH), §3.5 (accept takes a PreKey message; the replay record of a last-resort PQPK_B), §3.6, §7 InvalidMessage, DecryptionFailed, PreKeyReplay, §8".to_owned(),
        description: description.to_owned(),
        handshake: h.id.clone(),
        deliveries,
    })
}

/// Alice's session on handshake `h` (with `ek_a_private` in place of the
/// handshake's) started with ratchet key `alice_r` on the checker's [`SpecSide`],
/// and the messages it sends with `plaintexts`.
fn alice_sends(
    h: &PqxdhVector,
    ek_a_private: [u8; 32],
    alice_r: &[u8; 32],
    plaintexts: &[&[u8]],
    what: &str,
) -> Result<Vec<Vec<u8>>, GenerateError> {
    let side = SpecSide;
    let h = PqxdhVector {
        ek_a_private,
        ..h.clone()
    };
    let (mut alice, _sk) = side
        .start(&h, alice_r)
        .map_err(refused(format!("{what}: initiate")))?;
    let mut sent = Vec::new();
    for plaintext in plaintexts {
        let message = side
            .encrypt(&mut alice, Party::Alice, plaintext)
            .map_err(refused(format!("{what}: encrypt")))?;
        sent.push(message.wire);
    }
    Ok(sent)
}

/// A genuine first message of a new Alice session on handshake `h`, with `ek_a` and
/// her ratchet key derived from `id`.
pub(super) fn another_alice(h: &PqxdhVector, id: &str) -> Result<Vec<u8>, GenerateError> {
    let what = format!("{id}: second Alice");
    let sent = alice_sends(
        h,
        derive32(id, "second alice / ek_a"),
        &derive32(id, "second alice / r"),
        &[b"a0: another session"],
        &what,
    )?;
    sent.into_iter()
        .next()
        .ok_or_else(|| unexpected(format!("{what}: sent nothing")))
}

pub(super) fn accept_vectors(
    handshakes: &[PqxdhVector],
    conversations: &[Conversation],
) -> Result<Vec<AcceptVector>, GenerateError> {
    use spec::Error::{DecryptionFailed, InvalidMessage, PreKeyReplay};
    let first = |c: &Conversation| match c.steps.first() {
        Some(Step::Send(s)) => Ok(s.wire.clone()),
        _ => Err(unexpected(format!("{}: step 0 is not a send", c.id))),
    };
    let reencode = |wire: &[u8]| with_bytes(wire, 34, &reencoded(&wire[34..66]));
    // pqxdh_with_opk: ratchet_in_order's a0.
    let one_time = &handshakes[0];
    let in_order = find(conversations, "ratchet_in_order")?;
    let a0 = first(in_order)?;
    let a2 = match in_order.steps.get(6) {
        Some(Step::Send(s)) if s.wire[1] == spec::consts::MSG_RATCHET => s.wire.clone(),
        _ => {
            return Err(unexpected(
                "accepts: ratchet_in_order step 6 is not a ratchet message",
            ));
        }
    };
    // pqxdh_last_resort: ratchet_tampered's a0.
    let last_resort = &handshakes[2];
    if !last_resort.pq_last_resort || one_time.pq_last_resort {
        return Err(unexpected(
            "accepts: handshake 2 is not the last-resort one",
        ));
    }
    let lr_a0 = first(find(conversations, "ratchet_tampered")?)?;
    // Alice's second PreKey message on the last-resort handshake: ratchet_tampered's
    // session replayed by the spec, then one more message (the same PreKey header, so
    // the same EK_A, and another ratchet message).
    let [first_again, lr_a1] = <[Vec<u8>; 2]>::try_from(alice_sends(
        last_resort,
        last_resort.ek_a_private,
        &derive32("ratchet_tampered", "alice_r"),
        &[b"a0: hello", b"a1: again"],
        "accepts",
    )?)
    .map_err(|_| unexpected("accepts: Alice did not send two messages"))?;
    if first_again != lr_a0 {
        return Err(unexpected("accepts: ratchet_tampered's a0 does not replay"));
    }
    let id_lr = "accept_last_resort_replay";
    let other_alice = another_alice(last_resort, id_lr)?;
    Ok(vec![
        accept_vector(
            "accept_reencoded_ek_a",
            "Bob's store with pqxdh_with_opk's keys (one-time PQPK_B and OPK_B) is given a ratchet message, refused, then Alice's first message with EK_A replaced by 1/EK_A mod p: every DH output is the same, but TH, and so SK, is not, and it is refused. The genuine message is then accepted (the refusal consumed nothing).",
            one_time,
            vec![
                (
                    "ratchet_in_order's a2 (step 6), a ratchet message: accept takes PreKey messages only, and the PreKey decoder's type check refuses it (InvalidMessage).",
                    a2,
                    Err(InvalidMessage),
                ),
                (
                    "ratchet_in_order's a0 with EK_A (offset 34) replaced by 1/EK_A mod p (canonical): DecryptionFailed, no session, no prekey deleted.",
                    reencode(&a0),
                    Err(DecryptionFailed),
                ),
                (
                    "ratchet_in_order's a0, unchanged: accepted, as at ratchet_in_order step 2 with another r.",
                    a0.clone(),
                    Ok(()),
                ),
            ],
        )?,
        accept_vector(
            id_lr,
            "Bob's store with pqxdh_last_resort's keys (a last-resort PQPK_B, no OPK): the store records the EK_A of every PreKey message accepted under the last-resort key, and refuses a PreKey message with a recorded EK_A as PreKeyReplay, before any DH.",
            last_resort,
            vec![
                (
                    "ratchet_tampered's a0 with EK_A replaced by 1/EK_A mod p: DecryptionFailed (TH), nothing recorded.",
                    reencode(&lr_a0),
                    Err(DecryptionFailed),
                ),
                (
                    "ratchet_tampered's a0: accepted, and its EK_A recorded.",
                    lr_a0.clone(),
                    Ok(()),
                ),
                (
                    "ratchet_tampered's a0 again (to a new session: the replay of a first message): PreKeyReplay.",
                    lr_a0.clone(),
                    Err(PreKeyReplay),
                ),
                (
                    "Alice's second PreKey message of that session (same PreKey header, so the same EK_A, another ratchet message) as a first message: PreKeyReplay.",
                    lr_a1,
                    Err(PreKeyReplay),
                ),
                (
                    "The re-encoded a0 again: its EK_A bytes are not recorded, so it reaches accept, where TH refuses it: DecryptionFailed.",
                    reencode(&lr_a0),
                    Err(DecryptionFailed),
                ),
                (
                    "The first message of another Alice session (another ek_a: SHA-256(\"lockstep v1 vectors / accept_last_resort_replay / second alice / ek_a\"), ratchet key .../second alice / r, plaintext \"a0: another session\") under the same last-resort key: accepted.",
                    other_alice,
                    Ok(()),
                ),
            ],
        )?,
    ])
}

/// Every `rules.json` vector.
pub(in crate::protocol_vectors) fn rules(
    handshakes: &[PqxdhVector],
    conversations: &[Conversation],
) -> Result<RuleVectors, GenerateError> {
    if handshakes.len() < 3 {
        return Err(unexpected("rules: three handshakes needed"));
    }
    Ok(RuleVectors {
        decoding: decoding_vectors(handshakes, conversations)?,
        verification: verification_vectors(handshakes)?,
        decapsulation_keys: decapsulation_key_vectors(handshakes)?,
        sessions: session_vectors(handshakes, conversations)?,
        accepts: accept_vectors(handshakes, conversations)?,
    })
}
