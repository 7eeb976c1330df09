//! The protocol vectors of `lockstep check`: the spec regenerates
//! `vectors/protocol/*.json` byte for byte, and the implementation reproduces every
//! vector in them.
//!
//! The committed files are compiled into the binary (as `lockstep-vectors` does),
//! so the check needs no checkout. The implementation's side is the check of
//! `impl/tests/protocol_vectors.rs`, made to collect mismatches instead of
//! panicking: the handshakes (public keys, ML-KEM keys, the signed bundle, `SK`,
//! `AD` and the PreKey header on both sides), every step of every conversation
//! (wire bytes, plaintexts, refusals, both parties' state encodings) and the state
//! encodings, valid and malformed, and the rule vectors of `rules.json` (wire decoding,
//! bundle verification, decapsulation key checks, single session operations and
//! `accept` sequences on one prekey store). (The key-schedule intermediates the test also
//! compares are not repeated here: every one of them feeds the wire bytes and
//! states that are.)

use lockstep::Error;
use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use lockstep::ml_kem;
use lockstep::pqxdh::{self, IdentityKeyPair};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, Session};
use lockstep::wire::{self, PreKeyBundle, encode_prekey_header};
use lockstep::x25519::PrivateKey;
use lockstep_vectors::protocol::{
    self, Outcome, Party, PqxdhVector, RuleVectors, SessionAction, Step, Structure, Verdict,
};

/// The committed files, by the names the generator gives them.
const COMMITTED: [(&str, &str); 4] = [
    (
        "pqxdh.json",
        include_str!("../../vectors/protocol/pqxdh.json"),
    ),
    (
        "ratchet.json",
        include_str!("../../vectors/protocol/ratchet.json"),
    ),
    (
        "state.json",
        include_str!("../../vectors/protocol/state.json"),
    ),
    (
        "rules.json",
        include_str!("../../vectors/protocol/rules.json"),
    ),
];

/// What one of the two checks found.
#[derive(Clone, Debug, Default)]
pub(crate) struct VectorOutcome {
    /// Vectors (or files) checked.
    pub(crate) cases: usize,
    /// One line per mismatch.
    pub(crate) failures: Vec<String>,
    /// One line per group of vectors not run, with the reason.
    pub(crate) skipped: Vec<(usize, String)>,
}

/// The spec's generator writes exactly the committed files.
pub(crate) fn spec_regenerates() -> VectorOutcome {
    let mut out = VectorOutcome::default();
    let generated = match lockstep_harness::protocol_vectors::generate() {
        Ok(files) => files,
        Err(e) => {
            out.failures.push(format!("the generator failed: {e}"));
            return out;
        }
    };
    for (name, committed) in COMMITTED {
        out.cases += 1;
        match generated.iter().find(|(n, _)| *n == name) {
            None => out
                .failures
                .push(format!("{name}: the generator no longer writes it")),
            Some((_, fresh)) if fresh == committed => {}
            Some((_, fresh)) => {
                let line = fresh
                    .lines()
                    .zip(committed.lines())
                    .position(|(a, b)| a != b)
                    .map_or_else(
                        || fresh.lines().count().min(committed.lines().count()) + 1,
                        |i| i + 1,
                    );
                out.failures.push(format!(
                    "vectors/protocol/{name} differs from what the spec generates ({} vs {} bytes; first differing line {line})",
                    committed.len(),
                    fresh.len()
                ));
            }
        }
    }
    for (name, _) in &generated {
        if !COMMITTED.iter().any(|(n, _)| n == name) {
            out.failures
                .push(format!("{name}: generated but not committed"));
        }
    }
    out
}

fn verdict(result: Result<(), Error>) -> Verdict {
    match result {
        Ok(()) => Verdict::Ok,
        Err(e) => Verdict::Rejected(e.name().to_owned()),
    }
}

/// Collects mismatches.
struct Mismatches<'a>(&'a mut Vec<String>);

impl Mismatches<'_> {
    fn same(&mut self, what: &str, field: &str, got: &[u8], want: &[u8]) {
        if got != want {
            let at = got
                .iter()
                .zip(want)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(want.len()));
            self.0.push(format!(
                "{what}: {field}: first difference at byte {at} ({} vs {} bytes)",
                got.len(),
                want.len()
            ));
        }
    }

    fn fail(&mut self, what: &str, message: String) {
        self.0.push(format!("{what}: {message}"));
    }
}

/// Bob's prekey store for a handshake.
fn bob_store(v: &PqxdhVector) -> Result<InMemoryPreKeyStore, Error> {
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(
        SignedPreKeyId(v.spk_id),
        &PrivateKey::from_bytes(v.spk_b_private),
    );
    let dk = ml_kem::DecapsulationKey::from_bytes(&v.pqpk_b_private)?;
    let kind = if v.pq_last_resort {
        PqPreKeyKind::LastResort
    } else {
        PqPreKeyKind::OneTime
    };
    store.add_pq_prekey(PqPreKeyId(v.pqpk_id), &dk, kind);
    if let Some(opk) = &v.opk {
        store.add_one_time_prekey(
            OneTimePreKeyId(opk.id),
            &PrivateKey::from_bytes(opk.private),
        );
    }
    Ok(store)
}

fn verified(v: &PqxdhVector) -> Result<pqxdh::VerifiedPreKeyBundle, Error> {
    PreKeyBundle::from_bytes(&v.bundle)?.verify()
}

/// One handshake of `pqxdh.json`.
fn handshake(v: &PqxdhVector, m: &mut Mismatches<'_>) {
    let id = v.id.as_str();
    let ik_a = IdentityKeyPair::from_private_bytes(v.ik_a_private);
    let ik_b = IdentityKeyPair::from_private_bytes(v.ik_b_private);
    let spk_b = PrivateKey::from_bytes(v.spk_b_private);
    m.same(id, "ik_a", ik_a.public_key().as_bytes(), &v.ik_a);
    m.same(id, "ik_b", ik_b.public_key().as_bytes(), &v.ik_b);
    m.same(
        id,
        "ek_a",
        PrivateKey::from_bytes(v.ek_a_private)
            .public_key()
            .as_bytes(),
        &v.ek_a,
    );
    m.same(id, "spk_b", spk_b.public_key().as_bytes(), &v.spk_b);
    let opk = v
        .opk
        .as_ref()
        .map(|o| (o.id, PrivateKey::from_bytes(o.private)));
    if let (Some(o), Some((_, private))) = (&v.opk, &opk) {
        m.same(id, "opk.public", private.public_key().as_bytes(), &o.public);
    }
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(&v.pqpk_d);
    seed[32..].copy_from_slice(&v.pqpk_z);
    let (ek, dk) = ml_kem::keygen_derand(&seed);
    m.same(id, "pqpk_b", &ek.as_bytes()[..], &v.pqpk_b);
    m.same(id, "pqpk_b_private", &dk.to_bytes()[..], &v.pqpk_b_private);
    let bundle = pqxdh::sign_bundle(
        &ik_b,
        v.spk_id,
        &spk_b.public_key(),
        v.pqpk_id,
        v.pq_last_resort,
        &ek,
        opk.as_ref().map(|(i, k)| (*i, k.public_key())),
        &v.z_spk,
        &v.z_pqpk,
    );
    m.same(id, "bundle", &bundle.to_bytes(), &v.bundle);
    let verified = match verified(v) {
        Ok(b) => b,
        Err(e) => return m.fail(id, format!("the bundle does not decode and verify: {e:?}")),
    };
    let (keys, header) = match pqxdh::initiate(&ik_a, &verified, &v.ek_a_private, &v.m) {
        Ok(out) => out,
        Err(e) => return m.fail(id, format!("initiate refused: {e:?}")),
    };
    m.same(id, "sk (Alice)", keys.sk.expose_secret(), &v.sk);
    m.same(id, "ad (Alice)", &keys.ad, &v.ad);
    m.same(id, "th (Alice)", &keys.th, &v.th);
    m.same(
        id,
        "prekey_header",
        &encode_prekey_header(&header),
        &v.prekey_header,
    );
    match pqxdh::respond(&ik_b, &spk_b, &dk, opk.as_ref().map(|(_, k)| k), &header) {
        Ok(bob) => {
            m.same(id, "sk (Bob)", bob.sk.expose_secret(), &v.sk);
            m.same(id, "ad (Bob)", &bob.ad, &v.ad);
            m.same(id, "th (Bob)", &bob.th, &v.th);
        }
        Err(e) => m.fail(id, format!("respond refused: {e:?}")),
    }
}

/// Both parties of a conversation being replayed.
struct Replay {
    alice: Session,
    bob: Option<Session>,
    store: InMemoryPreKeyStore,
}

impl Replay {
    fn session(&mut self, party: Party) -> Option<&mut Session> {
        match party {
            Party::Alice => Some(&mut self.alice),
            Party::Bob => self.bob.as_mut(),
        }
    }
}

/// One step of a conversation; an error when the conversation cannot go on.
fn step(
    replay: &mut Replay,
    ik_b: &IdentityKeyPair,
    step: &Step,
    what: &str,
    m: &mut Mismatches<'_>,
) -> Result<(), String> {
    match step {
        Step::Send(s) => {
            let session = replay
                .session(s.sender)
                .ok_or("the sender has no session")?;
            match session.encrypt(&s.plaintext) {
                Ok(wire) => m.same(what, "wire", &wire, &s.wire),
                Err(e) => m.fail(what, format!("encrypt refused: {e:?}")),
            }
            m.same(what, "sender_state", &session.to_bytes(), &s.sender_state);
        }
        Step::SendLost(s) => {
            let session = replay
                .session(s.sender)
                .ok_or("the sender has no session")?;
            for _ in 0..s.count {
                session
                    .encrypt(&s.plaintext)
                    .map_err(|e| format!("encrypt refused: {e:?}"))?;
            }
            m.same(what, "sender_state", &session.to_bytes(), &s.sender_state);
        }
        Step::Deliver(d) => {
            let result = if d.receiver == Party::Bob && replay.bob.is_none() {
                Session::accept_with(ik_b, &mut replay.store, &d.wire, &d.r).map(
                    |(session, plaintext)| {
                        replay.bob = Some(session);
                        plaintext
                    },
                )
            } else {
                replay
                    .session(d.receiver)
                    .ok_or("the receiver has no session")?
                    .decrypt_with(&d.wire, &d.r)
            };
            match (&result, &d.outcome) {
                (Ok(pt), Outcome::Ok(want)) => m.same(what, "plaintext", pt, want),
                (Err(e), Outcome::Rejected(want)) if e.name() == *want => {}
                (got, want) => m.fail(what, format!("got {got:?}, want {want:?}")),
            }
            if let Some(session) = replay.session(d.receiver) {
                m.same(
                    what,
                    "receiver_state",
                    &session.to_bytes(),
                    &d.receiver_state,
                );
            }
        }
    }
    Ok(())
}

/// The implementation reproduces every vector: one case per handshake, per
/// conversation step and per state encoding.
pub(crate) fn impl_reproduces() -> VectorOutcome {
    let mut out = VectorOutcome::default();
    let (handshakes, conversations, states, rules) = match (
        protocol::pqxdh(),
        protocol::ratchet(),
        protocol::state(),
        protocol::rules(),
    ) {
        (Ok(h), Ok(c), Ok(s), Ok(r)) => (h, c, s, r),
        (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
            out.failures
                .push(format!("the protocol vectors do not load: {e}"));
            return out;
        }
    };
    let mut m = Mismatches(&mut out.failures);
    for v in &handshakes {
        handshake(v, &mut m);
    }
    let mut cases = handshakes.len();
    for c in &conversations {
        let id = c.id.as_str();
        let Some(h) = handshakes.iter().find(|h| h.id == c.handshake) else {
            m.fail(id, format!("no handshake {}", c.handshake));
            continue;
        };
        let ik_a = IdentityKeyPair::from_private_bytes(h.ik_a_private);
        let ik_b = IdentityKeyPair::from_private_bytes(h.ik_b_private);
        let start = verified(h).and_then(|bundle| {
            let alice = Session::initiate_with(&ik_a, &bundle, &h.ek_a_private, &h.m, &c.alice_r)?;
            Ok((alice, bob_store(h)?))
        });
        let (alice, store) = match start {
            Ok(start) => start,
            Err(e) => {
                m.fail(id, format!("the session does not start: {e:?}"));
                continue;
            }
        };
        m.same(id, "alice_state", &alice.to_bytes(), &c.alice_state);
        let mut replay = Replay {
            alice,
            bob: None,
            store,
        };
        for (index, s) in c.steps.iter().enumerate() {
            cases += 1;
            let what = format!("{id} step {index}");
            if let Err(e) = step(&mut replay, &ik_b, s, &what, &mut m) {
                m.fail(
                    &what,
                    format!("{e}; the rest of the conversation is not checked"),
                );
                break;
            }
        }
    }
    for v in &states.valid {
        cases += 1;
        match Session::from_bytes(&v.encoding) {
            Ok(session) => m.same(&v.id, "round trip", &session.to_bytes(), &v.encoding),
            Err(e) => m.fail(&v.id, format!("does not decode: {e:?}")),
        }
    }
    for v in &states.rejected {
        cases += 1;
        match Session::from_bytes(&v.encoding) {
            Ok(_) => m.fail(&v.id, format!("decoded; want {}", v.error)),
            Err(e) if e.name() == v.error => {}
            Err(e) => m.fail(
                &v.id,
                format!("refused with {}; want {}", e.name().to_owned(), v.error),
            ),
        }
    }
    cases += rule_vectors(&rules, &handshakes, &mut m);
    out.cases = cases;
    out
}

/// The verdict a vector records against the one the implementation gives.
fn same_verdict(m: &mut Mismatches<'_>, id: &str, got: Verdict, want: &Verdict) {
    if got != *want {
        m.fail(id, format!("got {got:?}, want {want:?}"));
    }
}

/// The implementation on every `rules.json` vector; returns how many it checked.
fn rule_vectors(rules: &RuleVectors, handshakes: &[PqxdhVector], m: &mut Mismatches<'_>) -> usize {
    let mut cases = 0;
    for v in &rules.decoding {
        cases += 1;
        let got = match v.structure {
            Structure::Message => {
                wire::decode_message(&v.encoding).map(|d| wire::encode_message(&d))
            }
            Structure::Bundle => PreKeyBundle::from_bytes(&v.encoding).map(|b| b.to_bytes()),
        };
        if let Ok(back) = &got {
            m.same(&v.id, "round trip", back, &v.encoding);
        }
        same_verdict(m, &v.id, verdict(got.map(|_| ())), &v.outcome);
    }
    for v in &rules.verification {
        cases += 1;
        let got = PreKeyBundle::from_bytes(&v.bundle).and_then(|b| b.verify().map(|_| ()));
        same_verdict(m, &v.id, verdict(got), &v.outcome);
    }
    for v in &rules.decapsulation_keys {
        cases += 1;
        let got = ml_kem::DecapsulationKey::from_bytes(&v.dk).map(|_| ());
        same_verdict(m, &v.id, verdict(got), &v.outcome);
    }
    for v in &rules.sessions {
        cases += 1;
        let mut session = match Session::from_bytes(&v.state) {
            Ok(session) => session,
            Err(e) => {
                m.fail(&v.id, format!("state does not decode: {e:?}"));
                continue;
            }
        };
        let result = match (v.action, v.r) {
            (SessionAction::Encrypt, _) => session.encrypt(&v.input),
            (SessionAction::Decrypt, Some(r)) => session.decrypt_with(&v.input, &r),
            (SessionAction::Decrypt, None) => {
                m.fail(&v.id, "decrypt without r".to_owned());
                continue;
            }
        };
        match (&result, &v.outcome) {
            (Ok(out), Outcome::Ok(want)) => m.same(&v.id, "output", out, want),
            (Err(e), Outcome::Rejected(want)) if e.name() == *want => {}
            (got, want) => m.fail(&v.id, format!("got {got:?}, want {want:?}")),
        }
        m.same(&v.id, "state_after", &session.to_bytes(), &v.state_after);
    }
    for v in &rules.accepts {
        let Some(h) = handshakes.iter().find(|h| h.id == v.handshake) else {
            m.fail(&v.id, format!("no handshake {}", v.handshake));
            continue;
        };
        let ik_b = IdentityKeyPair::from_private_bytes(h.ik_b_private);
        let mut store = match bob_store(h) {
            Ok(store) => store,
            Err(e) => {
                m.fail(&v.id, format!("the prekey store does not build: {e:?}"));
                continue;
            }
        };
        for (index, d) in v.deliveries.iter().enumerate() {
            cases += 1;
            let what = format!("{} delivery {index}", v.id);
            match (
                Session::accept_with(&ik_b, &mut store, &d.wire, &d.r),
                &d.outcome,
            ) {
                (Ok((session, pt)), Outcome::Ok(want)) => {
                    m.same(&what, "plaintext", &pt, want);
                    match &d.state {
                        Some(state) => m.same(&what, "state", &session.to_bytes(), state),
                        None => m.fail(&what, "no state recorded".to_owned()),
                    }
                }
                (Err(e), Outcome::Rejected(want)) if e.name() == want.as_str() => {}
                (got, want) => m.fail(
                    &what,
                    format!("got {:?}, want {want:?}", got.map(|(_, pt)| pt)),
                ),
            }
        }
    }
    cases
}
