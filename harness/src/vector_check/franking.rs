//! `franking.json` (SPEC §9): the two HMACs, franked conversations through the
//! platform, `VerifyReport`, and the §9.3 decoders.
//!
//! A flow is replayed as a `ratchet.json` conversation is: the session starts from
//! the handshake it names, and every step is the side's own call on the recorded
//! bytes. Each franked send is also checked against its definition, `Commit` and
//! the session's plain `Encrypt` of `fk ‖ m` on the state the sender had; each
//! franked decryption against the plain `Decrypt` of `inner`, which must give
//! `fk ‖ m` and the same state.

use lockstep_vectors::protocol::{
    CommitVector, FrankDeliverStep, FrankEncryptStep, FrankedStructure, FrankingFlow, FrankingStep,
    FrankingVectors, Outcome, Party, PqxdhVector, ReportStep, ReportVector, SessionAction,
    StampStep, StampTagVector, Verdict, VerifiedReportFields, VerifyReportStep,
};

use super::{
    FrankingIds, PreKeysHeld, Refusal, Report, VectorSide, derived32, expect_count, expect_errors,
    party, verdict,
};
use crate::model;

/// How many vectors each part of `franking.json` has.
const COMMITS: usize = 12;
const STAMP_TAGS: usize = 9;
const FLOWS: usize = 1;
const FLOW_STEPS: usize = 24;
const REPORTS: usize = 21;
const DECODING: usize = 42;

/// The errors the flows, reports and decoders must show between them.
const ERRORS: [&str; 6] = [
    "CommitmentMismatch",
    "InvalidStamp",
    "NotRecipient",
    "InvalidMessage",
    "UnknownVersion",
    "MessageTooLarge",
];

/// The platform key and identifiers with which a refused submission is stamped and
/// a refused report verified: the decoder refuses before either is used, so the
/// consumer must refuse as the decoder does.
const REFUSAL_PROBE_KEY: [u8; 32] = [0x5a; 32];
/// See [`REFUSAL_PROBE_KEY`]: a sender `"a"`, a recipient (and reporter) `"b"`.
const REFUSAL_PROBE_IDS: FrankingIds<'static> = FrankingIds {
    sender: b"a",
    recipient: b"b",
};

/// Offsets of SPEC §9.3: a submission's `c`, a delivery's `t`, `c` and tag, and
/// where each one's `inner` starts.
const SUBMISSION_C: core::ops::Range<usize> = 2..34;
const DELIVERY_T: core::ops::Range<usize> = 2..10;
const DELIVERY_C: core::ops::Range<usize> = 10..42;
const DELIVERY_TAG: core::ops::Range<usize> = 42..74;
const SUBMISSION_INNER: usize = 34;
const DELIVERY_INNER: usize = 74;

/// Every check of `franking.json` on `side`.
pub fn check_franking<S: VectorSide>(
    side: &S,
    handshakes: &[PqxdhVector],
    vectors: &FrankingVectors,
    f: &mut Report,
) {
    let file = "franking.json";
    let mut errors = Vec::new();
    for flow in &vectors.flows {
        for step in &flow.steps {
            match step {
                FrankingStep::FrankDeliver(FrankDeliverStep {
                    outcome: Outcome::Rejected(e),
                    ..
                }) => errors.push(e.clone()),
                FrankingStep::VerifyReport(VerifyReportStep {
                    outcome: Verdict::Rejected(e),
                    ..
                }) => errors.push(e.clone()),
                _ => {}
            }
        }
    }
    for outcome in vectors
        .reports
        .iter()
        .map(|v| &v.outcome)
        .chain(vectors.decoding.iter().map(|v| &v.outcome))
    {
        if let Verdict::Rejected(e) = outcome {
            errors.push(e.clone());
        }
    }
    expect_errors(f, file, &errors, &ERRORS);
    check_franking_commits(side, vectors, f);
    check_franking_stamp_tags(side, vectors, f);
    check_franking_flows(side, handshakes, vectors, f);
    check_franking_reports(side, vectors, f);
    check_franking_decoding(side, vectors, f);
}

/// Optional bytes that must be equal; where both are present, the mismatch shows
/// the bytes around the first difference.
fn same_opt(f: &mut Report, what: &str, field: &str, got: Option<&[u8]>, want: Option<&[u8]>) {
    match (got, want) {
        (Some(got), Some(want)) => f.same(what, field, got, want),
        (got, want) => f.same_value(
            what,
            &format!("{field} present"),
            got.is_some(),
            want.is_some(),
        ),
    }
}

/// A 32-byte output and its verdict, as the file records them.
fn split32(result: Result<[u8; 32], Refusal>) -> (Verdict, Option<[u8; 32]>) {
    match result {
        Ok(out) => (Verdict::Ok, Some(out)),
        Err(e) => (Verdict::Rejected(e.to_owned()), None),
    }
}

/// `franking.json` commits: `Commit(fk, sender, recipient, m)`.
pub fn check_franking_commits<S: VectorSide>(side: &S, vectors: &FrankingVectors, f: &mut Report) {
    expect_count(
        f,
        "franking.json",
        "commits",
        vectors.commits.len(),
        COMMITS,
    );
    for v in &vectors.commits {
        f.counts.franking_commits += 1;
        let CommitVector {
            fk,
            sender,
            recipient,
            m,
            ..
        } = v;
        let ids = FrankingIds { sender, recipient };
        let (outcome, c) = split32(side.commit(fk, ids, m));
        f.same_value(&v.id, "outcome", outcome, v.outcome.clone());
        same_opt(
            f,
            &v.id,
            "c",
            c.as_ref().map(|c| &c[..]),
            v.c.as_ref().map(|c| &c[..]),
        );
    }
}

/// `franking.json` stamp tags: `StampTag(K_P, c, sender, recipient, t)`.
pub fn check_franking_stamp_tags<S: VectorSide>(
    side: &S,
    vectors: &FrankingVectors,
    f: &mut Report,
) {
    expect_count(
        f,
        "franking.json",
        "stamp_tags",
        vectors.stamp_tags.len(),
        STAMP_TAGS,
    );
    for v in &vectors.stamp_tags {
        f.counts.franking_stamp_tags += 1;
        let StampTagVector {
            kp,
            c,
            sender,
            recipient,
            t,
            ..
        } = v;
        let ids = FrankingIds { sender, recipient };
        let (outcome, tag) = split32(side.stamp_tag(kp, c, ids, *t));
        f.same_value(&v.id, "outcome", outcome, v.outcome.clone());
        same_opt(
            f,
            &v.id,
            "tag",
            tag.as_ref().map(|t| &t[..]),
            v.tag.as_ref().map(|t| &t[..]),
        );
    }
}

/// `franking.json` reports: `VerifyReport(K_P, reporter, report)`.
pub fn check_franking_reports<S: VectorSide>(side: &S, vectors: &FrankingVectors, f: &mut Report) {
    expect_count(
        f,
        "franking.json",
        "reports",
        vectors.reports.len(),
        REPORTS,
    );
    for v in &vectors.reports {
        f.counts.franking_reports += 1;
        let ReportVector {
            kp,
            reporter,
            report,
            ..
        } = v;
        verified(
            &v.id,
            side.verify_report(kp, reporter, report),
            &v.outcome,
            v.verified.as_ref(),
            f,
        );
    }
}

/// A `VerifyReport` result against the recorded outcome and fields.
fn verified(
    what: &str,
    got: Result<VerifiedReportFields, Refusal>,
    outcome: &Verdict,
    fields: Option<&VerifiedReportFields>,
    f: &mut Report,
) {
    match got {
        Ok(got) => {
            f.same_value(what, "outcome", Verdict::Ok, outcome.clone());
            if let Some(want) = fields {
                f.same(what, "verified.sender", &got.sender, &want.sender);
                f.same(what, "verified.recipient", &got.recipient, &want.recipient);
                f.same_value(what, "verified.t", got.t, want.t);
                f.same(what, "verified.m", &got.m, &want.m);
            }
        }
        Err(e) => f.same_value(
            what,
            "outcome",
            Verdict::Rejected(e.to_owned()),
            outcome.clone(),
        ),
    }
}

/// `franking.json` decoding: the outcome of the §9.3 decoder, an accepted encoding
/// encodes back to itself, and a refused submission or report is refused the same
/// way by the platform's `Stamp` or `VerifyReport`, which decode first.
pub fn check_franking_decoding<S: VectorSide>(side: &S, vectors: &FrankingVectors, f: &mut Report) {
    expect_count(
        f,
        "franking.json",
        "decoding vectors",
        vectors.decoding.len(),
        DECODING,
    );
    for v in &vectors.decoding {
        f.counts.franking_decoding += 1;
        let result = side.decode_franked(v.structure, &v.encoding);
        if let Ok(back) = &result {
            f.same(&v.id, "encode(decode(encoding))", back, &v.encoding);
        }
        f.same_value(
            &v.id,
            "outcome",
            verdict(result.map(|_| ())),
            v.outcome.clone(),
        );
        if let Verdict::Rejected(_) = &v.outcome {
            let consumer = match v.structure {
                FrankedStructure::Submission => Some((
                    "outcome (Stamp)",
                    side.stamp(&REFUSAL_PROBE_KEY, REFUSAL_PROBE_IDS, 0, &v.encoding)
                        .map(|_| ()),
                )),
                FrankedStructure::Report => Some((
                    "outcome (VerifyReport)",
                    side.verify_report(
                        &REFUSAL_PROBE_KEY,
                        REFUSAL_PROBE_IDS.recipient,
                        &v.encoding,
                    )
                    .map(|_| ()),
                )),
                FrankedStructure::Delivery => None,
            };
            if let Some((field, result)) = consumer {
                f.same_value(&v.id, field, verdict(result), v.outcome.clone());
            }
        }
    }
}

/// `franking.json` flows, each replayed step by step.
pub fn check_franking_flows<S: VectorSide>(
    side: &S,
    handshakes: &[PqxdhVector],
    vectors: &FrankingVectors,
    f: &mut Report,
) {
    let file = "franking.json";
    expect_count(f, file, "flows", vectors.flows.len(), FLOWS);
    let steps: usize = vectors.flows.iter().map(|c| c.steps.len()).sum();
    expect_count(f, file, "flow steps", steps, FLOW_STEPS);
    for flow in &vectors.flows {
        f.counts.franking_flows += 1;
        f.counts.franking_steps += flow.steps.len();
        replay_flow(side, flow, handshakes, f);
    }
}

/// A flow being replayed.
struct Replay<'a, S: VectorSide> {
    side: &'a S,
    flow: &'a FrankingFlow,
    handshake: &'a PqxdhVector,
    conversation: S::Conversation,
    /// Per step, the receipt of an accepted delivery.
    receipts: Vec<Option<S::Receipt>>,
}

/// The context of a message from `sender` to the other party of `flow`.
fn ids_for(flow: &FrankingFlow, sender: Party) -> FrankingIds<'_> {
    let (alice, bob) = (&flow.alice_id[..], &flow.bob_id[..]);
    match sender {
        Party::Alice => FrankingIds {
            sender: alice,
            recipient: bob,
        },
        Party::Bob => FrankingIds {
            sender: bob,
            recipient: alice,
        },
    }
}

/// The sender of the message stamped at step `stamped_at` of `flow`.
fn stamped_sender(flow: &FrankingFlow, stamped_at: usize) -> Option<Party> {
    let FrankingStep::Stamp(stamp) = flow.steps.get(stamped_at)? else {
        return None;
    };
    match flow.steps.get(stamp.sent_at)? {
        FrankingStep::FrankEncrypt(sent) => Some(sent.sender),
        _ => None,
    }
}

fn replay_flow<S: VectorSide>(
    side: &S,
    flow: &FrankingFlow,
    handshakes: &[PqxdhVector],
    f: &mut Report,
) {
    let Some(h) = handshakes.iter().find(|h| h.id == flow.handshake) else {
        return f.fail(
            &flow.id,
            "handshake",
            format!("no handshake {}", flow.handshake),
        );
    };
    f.same(
        &flow.id,
        "alice_r (label derivation)",
        &flow.alice_r,
        &derived32(side, &flow.id, "alice_r"),
    );
    f.same(
        &flow.id,
        "kp (label derivation)",
        &flow.kp,
        &derived32(side, &flow.id, "kp"),
    );
    let (conversation, sk) = match side.start(h, &flow.alice_r) {
        Ok(out) => out,
        Err(e) => {
            return f.fail(
                &flow.id,
                "session::initiate",
                format!("the session does not start: {e}"),
            );
        }
    };
    f.same_if_observed(&flow.id, "session::initiate sk", sk, h.sk);
    let alice = side.state(&conversation, model::Party::Alice);
    f.same_value(
        &flow.id,
        "alice_state",
        alice.as_deref(),
        Some(&flow.alice_state[..]),
    );
    let mut replay = Replay {
        side,
        flow,
        handshake: h,
        conversation,
        receipts: Vec::new(),
    };
    for (index, step) in flow.steps.iter().enumerate() {
        let what = format!("{} step {index}", flow.id);
        let before = f.mismatches.len();
        let receipt = match step {
            FrankingStep::FrankEncrypt(s) => {
                let fk = derived32(side, &flow.id, &format!("step {index} / fk"));
                f.same(&what, "fk (label derivation)", &s.fk, &fk);
                frank_encrypt(&what, s, &mut replay, f);
                None
            }
            FrankingStep::Stamp(s) => {
                stamp(&what, s, &replay, f);
                None
            }
            FrankingStep::FrankDeliver(d) => {
                let r = derived32(side, &flow.id, &format!("step {index} / r"));
                f.same(&what, "r (label derivation)", &d.r, &r);
                frank_deliver(&what, d, &mut replay, f)
            }
            FrankingStep::Report(s) => {
                report(&what, s, &replay, f);
                None
            }
            FrankingStep::VerifyReport(s) => {
                verify_report(&what, s, &replay, f);
                None
            }
        };
        replay.receipts.push(receipt);
        // A failed step leaves the replay behind the file; stop this flow.
        if f.mismatches.len() > before {
            f.fail(&what, "replay", "the rest of the flow is not checked");
            return;
        }
    }
}

/// `fk ‖ m`, the ratchet plaintext of a franked message.
fn payload(fk: &[u8; 32], m: &[u8]) -> Vec<u8> {
    let mut out = fk.to_vec();
    out.extend_from_slice(m);
    out
}

/// A frank_encrypt step: the submission, its commitment, the state after, and the
/// same as `Commit` and a plain `Encrypt(fk ‖ m)` on the state before.
fn frank_encrypt<S: VectorSide>(
    what: &str,
    s: &FrankEncryptStep,
    replay: &mut Replay<'_, S>,
    f: &mut Report,
) {
    let side = replay.side;
    let sender = party(s.sender);
    let Some(before) = side.state(&replay.conversation, sender) else {
        return f.fail(what, "sender", format!("{:?} has no session", s.sender));
    };
    let ids = ids_for(replay.flow, s.sender);
    match side.frank_encrypt(&mut replay.conversation, sender, ids, &s.fk, &s.plaintext) {
        Ok(submission) => f.same(what, "submission", &submission, &s.submission),
        Err(e) => return f.fail(what, "submission", format!("FrankEncrypt refused: {e}")),
    }
    let after = side.state(&replay.conversation, sender).unwrap_or_default();
    f.same(what, "sender_state", &after, &s.sender_state);
    // c = Commit(fk, sender, recipient, m), and the submission carries it.
    match side.commit(&s.fk, ids, &s.plaintext) {
        Ok(c) => f.same(what, "c (Commit)", &c, &s.c),
        Err(e) => f.fail(what, "c", format!("Commit refused: {e}")),
    }
    f.same(
        what,
        "c (in the submission)",
        s.submission.get(SUBMISSION_C).unwrap_or_default(),
        &s.c,
    );
    // inner = Encrypt(state, fk ‖ m), on the state the sender had.
    match side.session_operation(
        &before,
        SessionAction::Encrypt,
        &payload(&s.fk, &s.plaintext),
        None,
    ) {
        Ok(op) => {
            match op.result {
                Ok(inner) => f.same(
                    what,
                    "inner (Encrypt(fk ‖ m))",
                    s.submission.get(SUBMISSION_INNER..).unwrap_or_default(),
                    &inner,
                ),
                Err(e) => f.fail(what, "inner", format!("Encrypt(fk ‖ m) refused: {e}")),
            }
            f.same(
                what,
                "sender_state (Encrypt(fk ‖ m))",
                &op.state_after,
                &s.sender_state,
            );
        }
        Err(e) => f.fail(what, "state before", format!("does not decode: {e}")),
    }
}

/// Whether `got` is `want` with at most the bytes of `range` changed.
fn same_outside(got: &[u8], want: &[u8], range: core::ops::Range<usize>) -> bool {
    got.len() == want.len()
        && got.len() >= range.end
        && got[..range.start] == want[..range.start]
        && got[range.end..] == want[range.end..]
}

/// A stamp step: the delivery and tag, from the submission given.
fn stamp<S: VectorSide>(what: &str, s: &StampStep, replay: &Replay<'_, S>, f: &mut Report) {
    let side = replay.side;
    let Some(FrankingStep::FrankEncrypt(sent)) = replay.flow.steps.get(s.sent_at) else {
        return f.fail(what, "sent_at", format!("step {} sent nothing", s.sent_at));
    };
    // The submission given is the one sent, or it with c changed.
    if !same_outside(&s.submission, &sent.submission, SUBMISSION_C) {
        f.fail(
            what,
            "submission",
            "neither the submission sent nor it with c changed",
        );
    }
    let ids = ids_for(replay.flow, sent.sender);
    match side.stamp(&replay.flow.kp, ids, s.t, &s.submission) {
        Ok(delivery) => f.same(what, "delivery", &delivery, &s.delivery),
        Err(e) => return f.fail(what, "delivery", format!("Stamp refused: {e}")),
    }
    f.same(
        what,
        "tag (in the delivery)",
        s.delivery.get(DELIVERY_TAG).unwrap_or_default(),
        &s.tag,
    );
    let mut c = [0u8; 32];
    c.copy_from_slice(s.submission.get(SUBMISSION_C).unwrap_or(&[0; 32]));
    match side.stamp_tag(&replay.flow.kp, &c, ids, s.t) {
        Ok(tag) => f.same(what, "tag (StampTag)", &tag, &s.tag),
        Err(e) => f.fail(what, "tag", format!("StampTag refused: {e}")),
    }
}

/// A frank_deliver step: `FrankAccept` or `FrankDecrypt`, the outcome, the receipt
/// and the state after; on success through `Decrypt`, the same as a plain
/// `Decrypt(inner)`.
fn frank_deliver<S: VectorSide>(
    what: &str,
    d: &FrankDeliverStep,
    replay: &mut Replay<'_, S>,
    f: &mut Report,
) -> Option<S::Receipt> {
    let side = replay.side;
    let Some(sender) = stamped_sender(replay.flow, d.stamped_at) else {
        f.fail(
            what,
            "stamped_at",
            format!("step {} stamped nothing", d.stamped_at),
        );
        return None;
    };
    if let Some(FrankingStep::Stamp(stamped)) = replay.flow.steps.get(d.stamped_at)
        && !same_outside(&d.delivery, &stamped.delivery, DELIVERY_C)
    {
        f.fail(
            what,
            "delivery",
            "neither the delivery stamped nor it with c changed",
        );
    }
    let receiver = party(d.receiver);
    let before = side.state(&replay.conversation, receiver);
    let accepting = before.is_none() && d.receiver == Party::Bob;
    let ids = ids_for(replay.flow, sender);
    let result = side.frank_deliver(&mut replay.conversation, receiver, ids, &d.delivery, &d.r);
    let after = side.state(&replay.conversation, receiver);
    same_opt(
        f,
        what,
        "receiver_state",
        after.as_deref(),
        d.receiver_state.as_deref(),
    );
    match (result, &d.outcome) {
        (Ok((m, receipt)), Outcome::Ok(want)) => {
            f.same(what, "plaintext", &m, want);
            let fields = side.receipt_fields(&receipt);
            match &d.receipt {
                Some(want) => {
                    f.same_value(what, "receipt.t", fields.t, want.t);
                    f.same(what, "receipt.c", &fields.c, &want.c);
                    f.same(what, "receipt.tag", &fields.tag, &want.tag);
                    f.same(what, "receipt.fk", &fields.fk, &want.fk);
                }
                None => f.fail(what, "receipt", "an accepted delivery records its receipt"),
            }
            // The receipt holds what the delivery carried.
            f.same_value(
                what,
                "receipt.t (the delivery's)",
                d.delivery.get(DELIVERY_T).map(<[u8]>::to_vec),
                Some(fields.t.to_be_bytes().to_vec()),
            );
            f.same(
                what,
                "receipt.c (the delivery's)",
                d.delivery.get(DELIVERY_C).unwrap_or_default(),
                &fields.c,
            );
            f.same(
                what,
                "receipt.tag (the delivery's)",
                d.delivery.get(DELIVERY_TAG).unwrap_or_default(),
                &fields.tag,
            );
            if accepting {
                prekeys_used(what, replay, f);
            }
            if let Some(before) = &before {
                plain_decrypt(what, d, before, &payload(&fields.fk, &m), side, f);
            }
            Some(receipt)
        }
        (Err(e), Outcome::Rejected(want)) => {
            f.same_value(what, "error", e, want.as_str());
            // Refused: the receiver keeps the state it had (none, for Bob's first).
            same_opt(
                f,
                what,
                "receiver_state (unchanged)",
                before.as_deref(),
                d.receiver_state.as_deref(),
            );
            None
        }
        (Ok(_), Outcome::Rejected(want)) => {
            f.fail(what, "outcome", format!("accepted; want {want}"));
            None
        }
        (Err(e), Outcome::Ok(_)) => {
            f.fail(what, "outcome", format!("refused with {e}; want ok"));
            None
        }
    }
}

/// Bob's store after `FrankAccept`: the one-time prekey consumed, the post-quantum
/// one consumed unless it is last-resort (where the side observes the store).
fn prekeys_used<S: VectorSide>(what: &str, replay: &Replay<'_, S>, f: &mut Report) {
    let side = replay.side;
    let h = replay.handshake;
    let store = side.conversation_store(&replay.conversation);
    if let Some(held) = side.prekeys_held(store, h) {
        f.same_value(
            what,
            "prekeys after FrankAccept",
            held,
            PreKeysHeld {
                one_time: false,
                post_quantum: h.pq_last_resort,
            },
        );
    }
}

/// `Decrypt(state, inner, r)` gives `fk ‖ m` and the state the step recorded.
fn plain_decrypt<S: VectorSide>(
    what: &str,
    d: &FrankDeliverStep,
    before: &[u8],
    payload: &[u8],
    side: &S,
    f: &mut Report,
) {
    let inner = d.delivery.get(DELIVERY_INNER..).unwrap_or_default();
    match side.session_operation(before, SessionAction::Decrypt, inner, Some(&d.r)) {
        Ok(op) => {
            match op.result {
                Ok(pt) => f.same(what, "fk ‖ m (Decrypt(inner))", &pt, payload),
                Err(e) => f.fail(what, "inner", format!("Decrypt(inner) refused: {e}")),
            }
            same_opt(
                f,
                what,
                "receiver_state (Decrypt(inner))",
                Some(&op.state_after),
                d.receiver_state.as_deref(),
            );
        }
        Err(e) => f.fail(what, "state before", format!("does not decode: {e}")),
    }
}

/// A report step: `Report` of the receipt of step `delivered_at`.
fn report<S: VectorSide>(what: &str, s: &ReportStep, replay: &Replay<'_, S>, f: &mut Report) {
    let Some(Some(receipt)) = replay.receipts.get(s.delivered_at) else {
        return f.fail(
            what,
            "delivered_at",
            format!("step {} left no receipt", s.delivered_at),
        );
    };
    match replay.side.report(receipt, &s.plaintext) {
        Ok(report) => f.same(what, "report", &report, &s.report),
        Err(e) => f.fail(what, "report", format!("Report refused: {e}")),
    }
}

/// A verify_report step: `VerifyReport` of the report of step `reported_at`.
fn verify_report<S: VectorSide>(
    what: &str,
    s: &VerifyReportStep,
    replay: &Replay<'_, S>,
    f: &mut Report,
) {
    let Some(FrankingStep::Report(reported)) = replay.flow.steps.get(s.reported_at) else {
        return f.fail(
            what,
            "reported_at",
            format!("step {} reported nothing", s.reported_at),
        );
    };
    let got = replay.side.verify_report(
        &replay.flow.kp,
        ids_for(replay.flow, s.reporter).sender,
        &reported.report,
    );
    verified(what, got, &s.outcome, s.verified.as_ref(), f);
}
