//! `rules.json`: wire decoding, bundle verification, decapsulation key checks, single
//! session operations and `accept` sequences on one prekey store.

use lockstep_vectors::protocol::{
    Outcome, PqxdhVector, RuleVectors, SessionAction, Structure, Verdict,
};

use super::{Refusal, Report, VectorSide, derived32, expect_count, expect_errors};

/// How many vectors each part of `rules.json` has.
const DECODING: usize = 57;
const VERIFICATION: usize = 8;
const DECAPSULATION_KEYS: usize = 3;
const SESSIONS: usize = 14;
const ACCEPTS: usize = 2;
const ACCEPT_DELIVERIES: usize = 9;

/// The errors the session operations must show between them.
const SESSION_ERRORS: [&str; 5] = [
    "PreKeyMismatch",
    "InvalidMessage",
    "DecryptionFailed",
    "ChainExhausted",
    "TooManySkipped",
];
/// The errors the accept sequences must show between them.
const ACCEPT_ERRORS: [&str; 3] = ["InvalidMessage", "DecryptionFailed", "PreKeyReplay"];

/// The verdict a `rules.json` vector records for a side's result.
pub(crate) fn verdict(result: Result<(), Refusal>) -> Verdict {
    match result {
        Ok(()) => Verdict::Ok,
        Err(e) => Verdict::Rejected(e.to_owned()),
    }
}

/// A `rules.json` decoding vector's encoding, decoded by `side`'s decoder of its
/// structure and encoded again, or the refusal: what the checker compares and the
/// generator (`crate::protocol_vectors`) records.
pub(crate) fn decoded<S: VectorSide>(
    side: &S,
    structure: Structure,
    encoding: &[u8],
) -> Result<Vec<u8>, Refusal> {
    match structure {
        Structure::Message => side.decode_message(encoding).map(|m| m.reencoded),
        Structure::Bundle => side.decode_bundle(encoding),
    }
}

/// `rules.json` decoding: the outcome of the decoder, and an accepted encoding
/// encodes back to itself.
pub fn check_rules_decoding<S: VectorSide>(side: &S, rules: &RuleVectors, f: &mut Report) {
    expect_count(
        f,
        "rules.json",
        "decoding vectors",
        rules.decoding.len(),
        DECODING,
    );
    for v in &rules.decoding {
        f.counts.decoding += 1;
        let result = decoded(side, v.structure, &v.encoding);
        if let Ok(back) = &result {
            f.same(&v.id, "encode(decode(encoding))", back, &v.encoding);
        }
        f.same_value(
            &v.id,
            "outcome",
            verdict(result.map(|_| ())),
            v.outcome.clone(),
        );
        // A second decoder the side has must agree.
        if v.structure == Structure::Message
            && let Some(again) = side.decode_message_again(&v.encoding)
        {
            f.same_value(
                &v.id,
                "outcome (the second decoder)",
                verdict(again),
                v.outcome.clone(),
            );
        }
    }
}

/// `rules.json` verification: every bundle decodes (verification is what refuses),
/// and the outcome of decoding and verifying it.
pub fn check_rules_verification<S: VectorSide>(
    side: &S,
    rules: &RuleVectors,
    handshakes: &[PqxdhVector],
    f: &mut Report,
) {
    expect_count(
        f,
        "rules.json",
        "verification vectors",
        rules.verification.len(),
        VERIFICATION,
    );
    for v in &rules.verification {
        f.counts.verification += 1;
        if !handshakes.iter().any(|h| h.id == v.handshake) {
            f.fail(&v.id, "handshake", format!("no handshake {}", v.handshake));
        }
        if let Err(e) = side.decode_bundle(&v.bundle) {
            f.fail(
                &v.id,
                "decode_bundle",
                format!("refused with {e}; want it decoded"),
            );
        }
        f.same_value(
            &v.id,
            "outcome",
            verdict(side.verify_bundle(&v.bundle)),
            v.outcome.clone(),
        );
    }
}

/// `rules.json` decapsulation keys: the outcome of the key checks, as decapsulation
/// of the first handshake's `ct` runs them.
pub fn check_rules_decapsulation_keys<S: VectorSide>(
    side: &S,
    rules: &RuleVectors,
    handshakes: &[PqxdhVector],
    f: &mut Report,
) {
    expect_count(
        f,
        "rules.json",
        "decapsulation key vectors",
        rules.decapsulation_keys.len(),
        DECAPSULATION_KEYS,
    );
    let Some(ct) = handshakes.first().map(|h| &h.ct) else {
        return f.fail("rules.json", "decapsulation_keys", "no handshake for a ct");
    };
    for v in &rules.decapsulation_keys {
        f.counts.decapsulation_keys += 1;
        let result = side.decapsulate(&v.dk, ct).map(|_| ());
        f.same_value(&v.id, "outcome", verdict(result), v.outcome.clone());
    }
}

/// `rules.json` sessions: one operation on a given state, its output or error and
/// the state after.
pub fn check_rules_sessions<S: VectorSide>(side: &S, rules: &RuleVectors, f: &mut Report) {
    expect_count(
        f,
        "rules.json",
        "session vectors",
        rules.sessions.len(),
        SESSIONS,
    );
    let mut errors = Vec::new();
    for v in &rules.sessions {
        f.counts.sessions += 1;
        let id = v.id.as_str();
        if let Some(r) = v.r {
            f.same(id, "r (label derivation)", &r, &derived32(side, id, "r"));
        }
        if (v.action == SessionAction::Decrypt) != v.r.is_some() {
            f.fail(id, "r", "r present exactly for decrypt");
            continue;
        }
        let operated = match side.session_operation(&v.state, v.action, &v.input, v.r.as_ref()) {
            Ok(operated) => operated,
            Err(e) => {
                f.fail(id, "state", format!("does not decode: {e}"));
                continue;
            }
        };
        match (operated.result, &v.outcome) {
            (Ok(out), Outcome::Ok(want)) => f.same(id, "output", &out, want),
            (Err(e), Outcome::Rejected(want)) => {
                errors.push(want.clone());
                f.same_value(id, "error", e, want.as_str());
                f.same(id, "state_after (unchanged)", &v.state, &v.state_after);
            }
            (Ok(_), Outcome::Rejected(want)) => {
                f.fail(id, "outcome", format!("succeeded; want {want}"));
            }
            (Err(e), Outcome::Ok(_)) => f.fail(id, "outcome", format!("refused with {e}; want ok")),
        }
        f.same(id, "state_after", &operated.state_after, &v.state_after);
    }
    expect_errors(f, "rules.json sessions", &errors, &SESSION_ERRORS);
}

/// `rules.json` accepts: PreKey messages given in order to `accept` with one store.
pub fn check_rules_accepts<S: VectorSide>(
    side: &S,
    rules: &RuleVectors,
    handshakes: &[PqxdhVector],
    f: &mut Report,
) {
    expect_count(
        f,
        "rules.json",
        "accept sequences",
        rules.accepts.len(),
        ACCEPTS,
    );
    expect_count(
        f,
        "rules.json",
        "accept deliveries",
        rules.accepts.iter().map(|v| v.deliveries.len()).sum(),
        ACCEPT_DELIVERIES,
    );
    let mut errors = Vec::new();
    for v in &rules.accepts {
        f.counts.accepts += 1;
        let Some(h) = handshakes.iter().find(|h| h.id == v.handshake) else {
            f.fail(&v.id, "handshake", format!("no handshake {}", v.handshake));
            continue;
        };
        let mut store = match side.store(h) {
            Ok(store) => store,
            Err(e) => {
                f.fail(
                    &v.id,
                    "store",
                    format!("the prekey store does not build: {e}"),
                );
                continue;
            }
        };
        for (index, d) in v.deliveries.iter().enumerate() {
            f.counts.accept_deliveries += 1;
            let what = format!("{} delivery {index}", v.id);
            f.same(
                &what,
                "r (label derivation)",
                &d.r,
                &derived32(side, &v.id, &format!("{index} / r")),
            );
            match (side.accept(&mut store, &d.wire, &d.r), &d.outcome) {
                (Ok((pt, state)), Outcome::Ok(want)) => {
                    f.same(&what, "plaintext", &pt, want);
                    f.same_value(&what, "state", Some(&state), d.state.as_ref());
                }
                (Err(e), Outcome::Rejected(want)) => {
                    errors.push(want.clone());
                    f.same_value(&what, "error", e, want.as_str());
                }
                (Ok(_), Outcome::Rejected(want)) => {
                    f.fail(&what, "outcome", format!("accepted; want {want}"));
                }
                (Err(e), Outcome::Ok(_)) => {
                    f.fail(&what, "outcome", format!("refused with {e}; want ok"));
                }
            }
        }
    }
    expect_errors(f, "rules.json accepts", &errors, &ACCEPT_ERRORS);
}
