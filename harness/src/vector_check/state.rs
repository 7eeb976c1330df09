//! `state.json`: valid encodings decoded and encoded again, malformed ones refused.

use lockstep_vectors::protocol::{Conversation, StateVector, StateVectors, Step};

use super::{Report, VectorSide, expect_count};

/// Valid encodings: Alice initial, Bob accepted, Alice established, Alice with
/// skipped keys.
const VALID: usize = 4;
/// Malformed encodings.
const REJECTED: usize = 17;

/// Checks `state.json` on `side`; every valid state must be one a conversation of
/// `ratchet.json` reached.
pub fn check_state<S: VectorSide>(
    side: &S,
    vectors: &StateVectors,
    conversations: &[Conversation],
    report: &mut Report,
) {
    let file = "state.json";
    expect_count(report, file, "valid encodings", vectors.valid.len(), VALID);
    expect_count(
        report,
        file,
        "rejected encodings",
        vectors.rejected.len(),
        REJECTED,
    );
    let mut reached: Vec<&[u8]> = Vec::new();
    for c in conversations {
        reached.push(&c.alice_state);
        for step in &c.steps {
            reached.push(match step {
                Step::Send(s) => &s.sender_state,
                Step::SendLost(s) => &s.sender_state,
                Step::Deliver(d) => &d.receiver_state,
            });
        }
    }
    for v in &vectors.valid {
        report.counts.states += 1;
        valid(side, v, report);
        if !reached.contains(&&v.encoding[..]) {
            report.fail(
                &v.id,
                "encoding",
                "no ratchet.json conversation reaches this state",
            );
        }
    }
    for v in &vectors.rejected {
        report.counts.rejected_states += 1;
        match side.decode_state(&v.encoding) {
            Ok(_) => report.fail(&v.id, "error", format!("decoded; want {}", v.error)),
            Err(e) => report.same_value(&v.id, "error", e, v.error.as_str()),
        }
    }
}

fn valid<S: VectorSide>(side: &S, v: &StateVector, f: &mut Report) {
    let id = v.id.as_str();
    f.same_value(id, "flags", v.encoding.get(1).copied(), Some(v.flags));
    let decoded = match side.decode_state(&v.encoding) {
        Ok(decoded) => decoded,
        Err(e) => return f.fail(id, "encoding", format!("does not decode: {e}")),
    };
    f.same(
        id,
        "encode_state(decode_state(encoding))",
        &decoded.reencoded,
        &v.encoding,
    );
    let Some(fields) = decoded.fields else {
        return;
    };
    let state = &fields.view;
    f.same(id, "ad", &fields.ad, &v.ad);
    f.same(id, "dhs", &state.dhs, &v.dhs);
    f.same_value(id, "dhr", state.dhr, v.dhr);
    f.same(id, "rk", &state.rk, &v.rk);
    f.same_value(id, "cks", state.cks, v.cks);
    f.same_value(id, "ckr", state.ckr, v.ckr);
    f.same_value(id, "ns", state.ns, v.ns);
    f.same_value(id, "nr", state.nr, v.nr);
    f.same_value(id, "pn", state.pn, v.pn);
    f.same_value(id, "prekey_hash", state.prekey_hash, v.prekey_hash);
    f.same_value(
        id,
        "skipped",
        state
            .skipped
            .iter()
            .map(|k| (k.dh, k.n, k.mk))
            .collect::<Vec<_>>(),
        v.skipped
            .iter()
            .map(|k| (k.dh, k.n, k.mk))
            .collect::<Vec<_>>(),
    );
    f.same_value(
        id,
        "pending_prekey",
        fields.pending_prekey.as_ref(),
        v.pending_prekey.as_ref(),
    );
}
