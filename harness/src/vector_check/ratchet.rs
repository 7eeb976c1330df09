//! `ratchet.json`: every conversation replayed step by step.

use lockstep_vectors::protocol::{
    Conversation, DeliverStep, Outcome, Party, PqxdhVector, SendLostStep, SendStep, Step,
};

use super::{
    NO_SESSION, PreKeysHeld, Refusal, Report, StateFields, VectorSide, derived32, expect_count,
    expect_errors,
};
use crate::model;

/// (a) in order, (b) out of order, (c) tampered, (d) replayed, (e) over MAX_SKIP,
/// (f) the skipped-key store (exactly MAX_SKIP, full store, eviction).
const CONVERSATIONS: usize = 6;
/// Their steps, all told.
const STEPS: usize = 66;
/// The errors the conversations' briefs name.
const ERRORS: [&str; 3] = ["DecryptionFailed", "Duplicate", "TooManySkipped"];

/// The harness's party of a vector's party.
pub(crate) fn party(p: Party) -> model::Party {
    match p {
        Party::Alice => model::Party::Alice,
        Party::Bob => model::Party::Bob,
    }
}

/// Checks every conversation of `ratchet.json` on `side`, with the handshakes of
/// `pqxdh.json` they start from.
pub fn check_ratchet<S: VectorSide>(
    side: &S,
    handshakes: &[PqxdhVector],
    conversations: &[Conversation],
    report: &mut Report,
) {
    let file = "ratchet.json";
    expect_count(
        report,
        file,
        "conversations",
        conversations.len(),
        CONVERSATIONS,
    );
    let steps: usize = conversations.iter().map(|c| c.steps.len()).sum();
    expect_count(report, file, "steps", steps, STEPS);
    let mut errors = Vec::new();
    for c in conversations {
        for step in &c.steps {
            if let Step::Deliver(d) = step
                && let Outcome::Rejected(e) = &d.outcome
            {
                errors.push(e.clone());
            }
        }
    }
    expect_errors(report, file, &errors, &ERRORS);
    for c in conversations {
        report.counts.conversations += 1;
        report.counts.steps += c.steps.len();
        conversation(side, c, handshakes, report);
    }
}

/// A conversation being replayed.
struct Replay<'a, S: VectorSide> {
    side: &'a S,
    handshake: &'a PqxdhVector,
    conversation: S::Conversation,
    /// Per step, the wire bytes it sent (send steps only).
    sent: Vec<Option<Vec<u8>>>,
}

fn conversation<S: VectorSide>(
    side: &S,
    c: &Conversation,
    handshakes: &[PqxdhVector],
    f: &mut Report,
) {
    let Some(h) = handshakes.iter().find(|h| h.id == c.handshake) else {
        return f.fail(&c.id, "handshake", format!("no handshake {}", c.handshake));
    };
    f.same(
        &c.id,
        "alice_r (label derivation)",
        &c.alice_r,
        &derived32(side, &c.id, "alice_r"),
    );
    let (conversation, sk) = match side.start(h, &c.alice_r) {
        Ok(out) => out,
        Err(e) => {
            return f.fail(
                &c.id,
                "session::initiate",
                format!("the session does not start: {e}"),
            );
        }
    };
    f.same_if_observed(&c.id, "session::initiate sk", sk, h.sk);
    let alice = side.state(&conversation, model::Party::Alice);
    f.same_value(
        &c.id,
        "alice_state",
        alice.as_deref(),
        Some(&c.alice_state[..]),
    );
    let mut replay = Replay {
        side,
        handshake: h,
        conversation,
        sent: Vec::new(),
    };
    for (index, step) in c.steps.iter().enumerate() {
        let what = format!("{} step {index}", c.id);
        let before = f.mismatches.len();
        let sent = match step {
            Step::Send(s) => send(&what, s, &mut replay, f),
            Step::SendLost(s) => {
                lost(&what, s, &mut replay, f);
                None
            }
            Step::Deliver(d) => {
                let r = derived32(side, &c.id, &format!("step {index} / r"));
                f.same(&what, "r (label derivation)", &d.r, &r);
                deliver(&what, d, &mut replay, f);
                None
            }
        };
        replay.sent.push(sent);
        // A failed step leaves the replay behind the file; stop this conversation.
        if f.mismatches.len() > before {
            f.fail(
                &what,
                "replay",
                "the rest of the conversation is not checked",
            );
            return;
        }
    }
}

/// A send step: the key schedule, the AEAD, the wire bytes and the state after.
fn send<S: VectorSide>(
    what: &str,
    s: &SendStep,
    replay: &mut Replay<'_, S>,
    f: &mut Report,
) -> Option<Vec<u8>> {
    f.counts.sends += 1;
    let side = replay.side;
    let sender = party(s.sender);
    let Some(before) = side.state(&replay.conversation, sender) else {
        f.fail(what, "sender", format!("{:?} has no session", s.sender));
        return None;
    };
    // The sender's state before, as the side decodes it (or, if it does not expose
    // the fields, as the harness reads the encoding).
    let fields = match side.decode_state(&before) {
        Ok(decoded) => decoded.fields.or_else(|| StateFields::read(&before)),
        Err(e) => {
            f.fail(
                what,
                "state before",
                format!("the sender's state does not decode: {e}"),
            );
            return None;
        }
    };
    let Some(fields) = fields else {
        f.fail(what, "state before", "unreadable");
        return None;
    };
    let Some(cks) = fields.view.cks else {
        f.fail(what, "ck_before", "no sending chain");
        return None;
    };
    f.same(what, "ck_before", &cks, &s.ck_before);
    let (ck_after, mk) = side.kdf_ck(&s.ck_before);
    f.same(what, "ck_after", &ck_after, &s.ck_after);
    f.same(what, "mk", &mk, &s.mk);
    let (key, nonce) = side.message_key_material(&s.mk);
    f.same(what, "aead_key", &key, &s.aead_key);
    f.same(what, "aead_nonce", &nonce, &s.aead_nonce);
    f.same(what, "dh", &side.public_key(&fields.view.dhs), &s.dh);
    f.same_value(what, "pn", fields.view.pn, s.pn);
    f.same_value(what, "n", fields.view.ns, s.n);

    let sent = match side.encrypt(&mut replay.conversation, sender, &s.plaintext) {
        Ok(sent) => sent,
        Err(e) => {
            f.fail(what, "wire", format!("session::encrypt refused: {e}"));
            return None;
        }
    };
    f.same(what, "wire", &sent.wire, &s.wire);
    // The key schedule the send took, where the side observes it.
    if let Some(chain) = sent.chain {
        f.same(
            what,
            "ck_before (the chain key the send stepped)",
            &chain.ck_before,
            &s.ck_before,
        );
        f.same(
            what,
            "ck_after (the chain key the send left)",
            &chain.ck_after,
            &s.ck_after,
        );
        f.same(what, "mk (the message key the send used)", &chain.mk, &s.mk);
    }
    if let Some((key, nonce)) = sent.aead {
        f.same(
            what,
            "aead_key (the key the send sealed with)",
            &key,
            &s.aead_key,
        );
        f.same(
            what,
            "aead_nonce (the nonce the send sealed with)",
            &nonce,
            &s.aead_nonce,
        );
    }
    let after = side.state(&replay.conversation, sender).unwrap_or_default();
    f.same(what, "sender_state", &after, &s.sender_state);
    match side
        .decode_state(&after)
        .ok()
        .and_then(|d| d.fields.or_else(|| StateFields::read(&after)))
    {
        Some(after) => f.same(
            what,
            "ck_after (in the state)",
            &after.view.cks.unwrap_or_default(),
            &s.ck_after,
        ),
        None => f.fail(what, "sender_state", "unreadable"),
    }

    // The recorded wire bytes, decoded: the header fields, the PreKey header exactly
    // while the sender's is pending, and the AEAD output under the recorded key
    // schedule.
    match side.decode_message(&s.wire) {
        Ok(message) => {
            match (&message.prekey_header, &fields.pending_prekey) {
                (Some(got), Some(want)) => f.same(what, "PreKey header", got, want),
                (got, want) => f.same_value(
                    what,
                    "PreKey header present (exactly while one is pending)",
                    got.is_some(),
                    want.is_some(),
                ),
            }
            f.same(what, "header dh", &message.dh, &s.dh);
            f.same_value(what, "header pn", message.pn, s.pn);
            f.same_value(what, "header n", message.n, s.n);
            match side.seal_message(
                &s.aead_key,
                &s.aead_nonce,
                &fields.ad,
                &s.wire,
                &s.plaintext,
            ) {
                Some(Ok(sealed)) => f.same(
                    what,
                    "ct ‖ tag (AEAD under aead_key, aead_nonce, AD ‖ H)",
                    &sealed,
                    &message.ciphertext,
                ),
                Some(Err(e)) => f.fail(what, "ct ‖ tag", format!("AEAD refused: {e}")),
                None => {}
            }
        }
        Err(e) => f.fail(what, "wire", format!("does not decode: {e}")),
    }
    Some(s.wire.clone())
}

/// A send_lost step: `count` encryptions, only the final state recorded.
fn lost<S: VectorSide>(what: &str, s: &SendLostStep, replay: &mut Replay<'_, S>, f: &mut Report) {
    let sender = party(s.sender);
    for i in 0..s.count {
        if let Err(e) = replay
            .side
            .encrypt(&mut replay.conversation, sender, &s.plaintext)
        {
            return f.fail(what, "send_lost", format!("encryption {i} refused: {e}"));
        }
    }
    f.counts.lost_sends += u64::from(s.count);
    let after = replay.side.state(&replay.conversation, sender);
    f.same(
        what,
        "sender_state",
        &after.unwrap_or_default(),
        &s.sender_state,
    );
}

/// A deliver step: accept or decrypt, the outcome, and the state after.
fn deliver<S: VectorSide>(what: &str, d: &DeliverStep, replay: &mut Replay<'_, S>, f: &mut Report) {
    f.counts.deliveries += 1;
    let side = replay.side;
    // The delivered bytes are the sent ones, or differ from them in one bit.
    let Some(Some(sent)) = replay.sent.get(d.sent_at) else {
        return f.fail(what, "sent_at", format!("step {} sent nothing", d.sent_at));
    };
    let differing_bits: u32 = sent
        .iter()
        .zip(&d.wire)
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    if sent.len() != d.wire.len() || differing_bits > 1 {
        f.fail(
            what,
            "wire",
            "neither the message sent nor it with one bit flipped",
        );
    }

    let receiver = party(d.receiver);
    let before = side.state(&replay.conversation, receiver);
    let accepting = before.is_none() && d.receiver == Party::Bob;
    let result: Result<Vec<u8>, Refusal> =
        side.deliver(&mut replay.conversation, receiver, &d.wire, &d.r);
    let after = side.state(&replay.conversation, receiver);
    match (&result, &d.outcome) {
        (Ok(pt), Outcome::Ok(want)) => {
            f.same(what, "plaintext", pt, want);
            if accepting {
                // Bob's store: the one-time prekey consumed, the post-quantum one
                // consumed unless it is last-resort.
                let h = replay.handshake;
                let store = side.conversation_store(&replay.conversation);
                if let Some(held) = side.prekeys_held(store, h) {
                    if h.opk.is_some() {
                        f.same_value(what, "OPK consumed", held.one_time, false);
                    }
                    f.same_value(
                        what,
                        "one-time PQ prekey consumed, last-resort kept",
                        held,
                        PreKeysHeld {
                            one_time: held.one_time,
                            post_quantum: h.pq_last_resort,
                        },
                    );
                }
            }
        }
        (Err(e), Outcome::Rejected(want)) => {
            f.counts.refusals += 1;
            f.same_value(what, "error", *e, want.as_str());
            // Refused: the state the receiver keeps is the one it had.
            match &before {
                Some(before) => f.same(
                    what,
                    "receiver_state (unchanged)",
                    before,
                    &d.receiver_state,
                ),
                None => f.fail(
                    what,
                    "receiver_state",
                    "a refused first message leaves no state to record",
                ),
            }
        }
        (Ok(_), Outcome::Rejected(want)) => {
            f.fail(what, "outcome", format!("decrypted; want {want}"));
        }
        (Err(e), Outcome::Ok(_)) => f.fail(what, "outcome", format!("refused with {e}; want ok")),
    }
    match after {
        Some(after) => f.same(what, "receiver_state", &after, &d.receiver_state),
        None => f.fail(what, "receiver_state", NO_SESSION),
    }
}
