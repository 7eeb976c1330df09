//! The seed corpora of every target (`fuzz/corpus/<target>/seed-*`).

use super::*;

pub(super) fn vectors_failed(error: impl fmt::Debug) -> Finding {
    finding(
        "seed_corpus",
        "protocol vectors do not load",
        format!("{error:?}"),
    )
}

/// The seed corpus of target `name`: file names (`seed-…`) and contents.
///
/// - `decode_messages`: every message of the protocol vectors
///   (`vectors/protocol/ratchet.json`) and every bundle (`pqxdh.json`);
/// - `state_decode`: every state encoding of the protocol vectors, valid and
///   rejected (`state.json`, and the states after each step of `ratchet.json`);
/// - `decrypt_untrusted`: per fixture and recipient, the messages in flight one by
///   one, all in order, all in reverse, and the delivered ones again (replays);
/// - `conversation`, `conversation_impl`: the harness's named scenarios, one per
///   kind of event;
/// - `primitives_differential`: inputs of every operation, with the bundle
///   signatures of the protocol vectors for XEdDSA and real ciphertexts for ML-KEM;
/// - `franking`: the franking world's genuine submissions, deliveries and reports
///   (decoders), its reports (as their recipient and as others) and a few tampered
///   ones, and its deliveries, each still receivable, and a few tampered ones.
///
/// # Errors
/// A [`Finding`] if the target is unknown or the inputs cannot be made.
pub fn seed_corpus(name: &str) -> Result<Vec<(String, Vec<u8>)>, Finding> {
    match name {
        "decode_messages" => decode_corpus(),
        "state_decode" => state_corpus(),
        "decrypt_untrusted" => untrusted_corpus(),
        "conversation" | "conversation_impl" => Ok(conversation_corpus()),
        "primitives_differential" => primitives_corpus(),
        "franking" => franking_corpus(),
        other => Err(finding("seed_corpus", "unknown target", other)),
    }
}

pub(super) fn decode_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
    use lockstep_vectors::protocol as p;
    let mut out = Vec::new();
    for vector in p::pqxdh().map_err(vectors_failed)? {
        out.push((format!("seed-bundle-{}", vector.id), vector.bundle));
    }
    let mut prekey_header = None;
    for conversation in p::ratchet().map_err(vectors_failed)? {
        for (i, step) in conversation.steps.iter().enumerate() {
            if let p::Step::Send(send) = step {
                out.push((
                    format!("seed-{}-{i:02}", conversation.id),
                    send.wire.clone(),
                ));
                if send.wire.get(1) == Some(&lockstep::consts::MSG_PREKEY) {
                    prekey_header = send
                        .wire
                        .get(..lockstep::consts::PREKEY_HEADER_LEN)
                        .map(<[u8]>::to_vec);
                }
            }
        }
    }
    // One byte over the longest ratchet message (SPEC §5.1: MessageTooLarge), bare
    // and carried by a PreKey message: inputs the fuzzer would not grow to itself.
    let mut oversized = out
        .iter()
        .find(|(_, m)| m.get(1) == Some(&lockstep::consts::MSG_RATCHET))
        .and_then(|(_, m)| m.get(..lockstep::consts::RATCHET_HEADER_LEN))
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    oversized.resize(lockstep::wire::MAX_RATCHET_MESSAGE_LEN + 1, 0);
    if let Some(mut header) = prekey_header {
        header.extend_from_slice(&oversized);
        out.push(("seed-prekey-oversized".to_owned(), header));
    }
    out.push(("seed-ratchet-oversized".to_owned(), oversized));
    Ok(out)
}

pub(super) fn state_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
    use lockstep_vectors::protocol as p;
    let mut out = Vec::new();
    let states = p::state().map_err(vectors_failed)?;
    for vector in states.valid {
        out.push((format!("seed-{}", vector.id), vector.encoding));
    }
    for vector in states.rejected {
        out.push((format!("seed-{}", vector.id), vector.encoding));
    }
    for conversation in p::ratchet().map_err(vectors_failed)? {
        out.push((
            format!("seed-{}-alice", conversation.id),
            conversation.alice_state.clone(),
        ));
        for (i, step) in conversation.steps.iter().enumerate() {
            let state = match step {
                p::Step::Send(s) => &s.sender_state,
                p::Step::SendLost(s) => &s.sender_state,
                p::Step::Deliver(d) => &d.receiver_state,
            };
            out.push((format!("seed-{}-{i:02}", conversation.id), state.clone()));
        }
    }
    Ok(out)
}

pub(super) fn untrusted_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
    let mut out = Vec::new();
    for fixture in fixtures()? {
        for to in [Party::Alice, Party::Bob] {
            let head = [fixture.index, u8::from(to == Party::Bob)];
            let mine: Vec<&[u8]> = fixture
                .pending
                .iter()
                .filter(|p| p.to == to)
                .map(|p| p.bytes.as_slice())
                .collect();
            let replays: Vec<&[u8]> = fixture
                .delivered
                .iter()
                .filter(|p| p.to == to)
                .map(|p| p.bytes.as_slice())
                .collect();
            let mut add = |what: String, messages: &[&[u8]]| {
                let mut bytes = head.to_vec();
                bytes.extend(frame(messages));
                out.push((
                    format!("seed-f{}-{}-{what}", fixture.index, to.name()),
                    bytes,
                ));
            };
            for (i, message) in mine.iter().enumerate() {
                add(format!("pending{i}"), &[message]);
            }
            add("in-order".into(), &mine);
            let reversed: Vec<&[u8]> = mine.iter().rev().copied().collect();
            add("reversed".into(), &reversed);
            add("replays".into(), &replays);
        }
    }
    Ok(out)
}

/// The harness's named scenarios, as `conversation` inputs.
#[must_use]
pub fn named_conversations() -> Vec<(&'static str, ConversationInput)> {
    use Event as E;
    use Party::{Alice, Bob};
    let send = |from, len| E::Send { from, len };
    let deliver = |pick| E::Deliver { pick };
    let ping_pong: Vec<Event> = (0..4)
        .flat_map(|i| {
            [
                send(if i % 2 == 0 { Alice } else { Bob }, 20 + i),
                deliver(0),
            ]
        })
        .collect();
    let mut after_compromise = ping_pong.clone();
    after_compromise.insert(3, E::Compromise { party: Alice });
    after_compromise.extend(ping_pong.iter().copied());
    let input = |seed, opk, events: Vec<Event>| ConversationInput {
        seed,
        set_up: SetUp {
            opk,
            pq_last_resort: seed % 2 == 1,
        },
        events,
    };
    let opened = vec![send(Alice, 5), deliver(0), send(Bob, 6)];
    let with = |rest: &[Event]| {
        let mut events = opened.clone();
        events.extend_from_slice(rest);
        events
    };
    vec![
        ("ping-pong", input(0, true, ping_pong)),
        ("compromise-and-heal", input(1, true, after_compromise)),
        (
            "out-of-order",
            input(
                2,
                false,
                vec![
                    send(Alice, 1),
                    send(Alice, 2),
                    send(Alice, 3),
                    deliver(2),
                    deliver(0),
                    deliver(0),
                ],
            ),
        ),
        (
            "burst",
            input(
                3,
                true,
                with(&[
                    E::Burst {
                        from: Bob,
                        count: 40,
                    },
                    deliver(30),
                    deliver(0),
                    deliver(5),
                ]),
            ),
        ),
        (
            "drop-reorder",
            input(
                4,
                false,
                with(&[
                    send(Bob, 9),
                    E::Drop { pick: 0 },
                    E::Reorder { a: 0, b: 1 },
                    deliver(1),
                    deliver(0),
                ]),
            ),
        ),
        (
            "duplicate",
            input(
                5,
                true,
                with(&[
                    deliver(0),
                    E::Duplicate { pick: 0 },
                    E::Duplicate { pick: 1 },
                ]),
            ),
        ),
        (
            "reflect",
            input(
                6,
                false,
                with(&[E::Reflect { pick: 0 }, E::Reflect { pick: 1 }]),
            ),
        ),
        (
            "tamper-fields",
            input(
                7,
                true,
                vec![
                    send(Alice, 8),
                    E::Tamper {
                        pick: 0,
                        how: Tamper::Field {
                            field: Field::PreKeyIdentity,
                            value: 1,
                        },
                    },
                    E::Tamper {
                        pick: 0,
                        how: Tamper::Field {
                            field: Field::PreKeyKemCiphertext,
                            value: 2,
                        },
                    },
                    E::Tamper {
                        pick: 0,
                        how: Tamper::Field {
                            field: Field::PreKeyOpkFlag,
                            value: 0,
                        },
                    },
                    E::Tamper {
                        pick: 0,
                        how: Tamper::Field {
                            field: Field::Number,
                            value: 5,
                        },
                    },
                    deliver(0),
                    send(Bob, 8),
                    E::Tamper {
                        pick: 1,
                        how: Tamper::Field {
                            field: Field::RatchetKey,
                            value: 3,
                        },
                    },
                    E::Tamper {
                        pick: 1,
                        how: Tamper::Field {
                            field: Field::PreviousCount,
                            value: 9,
                        },
                    },
                    E::Tamper {
                        pick: 1,
                        how: Tamper::Flip {
                            offset: 50,
                            mask: 0x80,
                        },
                    },
                    E::Tamper {
                        pick: 1,
                        how: Tamper::Truncate { len: 40 },
                    },
                    E::Tamper {
                        pick: 1,
                        how: Tamper::Extend { byte: 0, count: 3 },
                    },
                    deliver(0),
                ],
            ),
        ),
        (
            "inject",
            input(
                0,
                false,
                with(&[
                    E::Inject { to: Bob, pick: 0 },
                    E::Inject { to: Bob, pick: 1 },
                    E::Inject { to: Alice, pick: 2 },
                ]),
            ),
        ),
        (
            "compromise-bob",
            input(
                1,
                false,
                with(&[
                    E::Compromise { party: Bob },
                    deliver(0),
                    send(Alice, 4),
                    deliver(0),
                ]),
            ),
        ),
    ]
}

pub(super) fn conversation_corpus() -> Vec<(String, Vec<u8>)> {
    named_conversations()
        .into_iter()
        .map(|(name, input)| (format!("seed-{name}"), input.to_fuzz_bytes()))
        .collect()
}

pub(super) fn primitives_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
    use lockstep_vectors::protocol as p;
    let mut out = Vec::new();
    let mut add = |name: &str, op: u8, parts: &[&[u8]]| {
        let mut bytes = vec![op];
        for part in parts {
            bytes.extend_from_slice(part);
        }
        out.push((
            format!("seed-{}-{name}", OPERATIONS[usize::from(op)]),
            bytes,
        ));
    };
    let k = [0x42u8; 32];
    let u9 = {
        let mut u = [0u8; 32];
        u[0] = 9;
        u
    };
    add("base", 0, &[&k, &u9]);
    add("zero", 0, &[&k, &[0u8; 32]]);
    let text = b"lockstep fuzz plaintext";
    add("short", 1, &[&k, &[7u8; 12], &[3], b"aad", &[5], text]);
    let sealed = Impl::aead_seal(&k, &[7u8; 12], b"aad", text).unwrap_or_default();
    add("genuine", 2, &[&k, &[7u8; 12], &[3], b"aad", &sealed]);
    add(
        "short",
        3,
        &[&[4], b"salt", &[3], b"ikm", &[4], b"info", &[42, 0]],
    );
    add("too-long", 3, &[&[0], &[1], &[0], &[0], &[0xe1, 0x1f]]);
    for vector in p::pqxdh().map_err(vectors_failed)? {
        let spk = lockstep::wire::encode_ec(&vector.spk_b);
        add(
            &format!("{}-spk", vector.id),
            4,
            &[&vector.ik_b, &vector.spk_sig, &spk],
        );
        if let Ok(pqpk) = <[u8; 1568]>::try_from(&vector.pqpk_b[..]) {
            let pqpk = lockstep::wire::encode_kem(&pqpk);
            add(
                &format!("{}-pqpk", vector.id),
                4,
                &[&vector.ik_b, &vector.pqpk_sig, &pqpk],
            );
        }
    }
    add("short", 5, &[&k, &[9u8; 64], &[77], text]);
    let keys = ml_kem_keys()?;
    for (i, (ek, _)) in keys.iter().enumerate() {
        if let Ok((c, _)) = Impl::ml_kem_encaps(ek, &[0x17; 32]) {
            let index = u8::try_from(i).unwrap_or(0);
            add(&format!("key{i}"), 6, &[&[index], &[0, 0], &c]);
            add(
                &format!("key{i}-dk-flipped"),
                6,
                &[&[index | 2 | 0x20], &[0x10, 0x0c], &c],
            );
        }
        add(&format!("key{i}"), 7, &[&[0x17; 32], ek]);
    }
    Ok(out)
}
