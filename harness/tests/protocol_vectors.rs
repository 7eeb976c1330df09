//! The protocol vectors in `vectors/protocol/`, checked against the spec.
//!
//! Each file is replayed from its recorded inputs alone, without the generator: every
//! handshake, every conversation step and every state encoding is recomputed by
//! `lockstep-spec` and compared, byte for byte, with every output, intermediate value,
//! wire message, error and state encoding the file records. The last test runs the
//! generator (`lockstep_harness::protocol_vectors`) into a temporary directory and
//! checks that it writes exactly the committed files.
//!
//! `rules.json` is replayed the same way (`rules_json_*`), with Bob's prekey store
//! rebuilt here from `spec::session::check_replay` and `record_accepted`; the values
//! the spec could get wrong the same way as the implementation (`p`, `q`, `s + q`,
//! `1/EK_A mod p`, the altered ML-KEM keys, the identity-nonce signatures) are pinned
//! to values computed outside Rust with plain integers (`rules_json_independent_values`).
//!
//! Each test collects every mismatch (vector id, step, field) before failing, and
//! prints how many vectors and steps it checked (`cargo test -- --nocapture`).

use std::collections::HashSet;
use std::path::PathBuf;

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_vectors::protocol::{
    self, Conversation, Outcome, Party, PqxdhVector, SessionAction, StateVector, Step, Structure,
    Verdict,
};
use spec::consts::PREKEY_HEADER_LEN;
use spec::ml_kem::{DecapsulationKey, EncapsulationKey, Seed32};
use spec::pqxdh::VerifiedPreKeyBundle;
use spec::ratchet::State;
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base};
use spec::xeddsa::XEdDSARandom;

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

fn native(seq: &ByteSeq) -> Vec<u8> {
    seq.to_native()
}

fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

fn point(bytes: &[u8; 32]) -> X25519SerializedPoint {
    X25519SerializedPoint::from_public_slice(bytes)
}

fn encoded(state: &State) -> Vec<u8> {
    native(&spec::state::encode_state(state))
}

fn verdict(result: Result<(), spec::Error>) -> Verdict {
    match result {
        Ok(()) => Verdict::Ok,
        Err(e) => Verdict::Rejected(e.name().to_owned()),
    }
}

fn short_hex(bytes: &[u8]) -> String {
    const SHOWN: usize = 40;
    let mut out = String::new();
    for b in bytes.iter().take(SHOWN) {
        out.push_str(&format!("{b:02x}"));
    }
    if bytes.len() > SHOWN {
        out.push_str(&format!("… ({} bytes)", bytes.len()));
    }
    out
}

/// The mismatches found so far, each naming the vector, step and field.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn same(&mut self, what: &str, field: &str, got: &[u8], want: &[u8]) {
        if got != want {
            // Show the bytes around the first difference, not only the start.
            let at = got
                .iter()
                .zip(want)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(want.len()));
            let from = at.saturating_sub(8);
            self.0.push(format!(
                "{what}: {field}: first difference at byte {at} ({} vs {} bytes): from byte {from}, got {}, want {}",
                got.len(),
                want.len(),
                short_hex(got.get(from..).unwrap_or_default()),
                short_hex(want.get(from..).unwrap_or_default())
            ));
        }
    }

    fn same_value<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        field: &str,
        got: T,
        want: T,
    ) {
        if got != want {
            self.0
                .push(format!("{what}: {field}: got {got:?}, want {want:?}"));
        }
    }

    fn fail(&mut self, what: &str, message: String) {
        self.0.push(format!("{what}: {message}"));
    }

    fn assert_none(self, file: &str) {
        assert!(
            self.0.is_empty(),
            "{file}: {} mismatches:\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

/// The label derivation the files document: SHA-256 (32 bytes) or SHA-512 (64 bytes)
/// of `"lockstep v1 vectors / <id> / <name>"`.
fn derived32(id: &str, name: &str) -> [u8; 32] {
    spec::sha256::hash(&seq(
        format!("lockstep v1 vectors / {id} / {name}").as_bytes()
    ))
    .to_public_array()
}

fn derived64(id: &str, name: &str) -> [u8; 64] {
    spec::sha512::hash(&seq(
        format!("lockstep v1 vectors / {id} / {name}").as_bytes()
    ))
    .to_public_array()
}

/// A handshake replayed: Bob's verified bundle and everyone's private keys.
struct Keys {
    verified: VerifiedPreKeyBundle,
    ik_a: X25519SerializedScalar,
    ek_a: X25519SerializedScalar,
    m: Seed32,
    ik_b: X25519SerializedScalar,
    spk_b: X25519SerializedScalar,
    dk: DecapsulationKey,
    opk: Option<X25519SerializedScalar>,
}

fn keys(v: &PqxdhVector) -> Result<Keys, spec::Error> {
    let bundle = spec::wire::decode_bundle(&seq(&v.bundle))?;
    Ok(Keys {
        verified: spec::pqxdh::verify_bundle(&bundle)?,
        ik_a: scalar(&v.ik_a_private),
        ek_a: scalar(&v.ek_a_private),
        m: Seed32::from_public_slice(&v.m),
        ik_b: scalar(&v.ik_b_private),
        spk_b: scalar(&v.spk_b_private),
        dk: DecapsulationKey::from_public_slice(&v.pqpk_b_private),
        opk: v.opk.as_ref().map(|opk| scalar(&opk.private)),
    })
}

// ---------------------------------------------------------------------------------
// pqxdh.json
// ---------------------------------------------------------------------------------

fn check_handshake(v: &PqxdhVector, f: &mut Failures) {
    let id = v.id.as_str();

    // The inputs are the documented label derivations.
    for (field, got, want) in [
        ("ik_a_private", v.ik_a_private, derived32(id, "ik_a")),
        ("ek_a_private", v.ek_a_private, derived32(id, "ek_a")),
        ("m", v.m, derived32(id, "m")),
        ("ik_b_private", v.ik_b_private, derived32(id, "ik_b")),
        ("spk_b_private", v.spk_b_private, derived32(id, "spk_b")),
        ("pqpk_d", v.pqpk_d, derived32(id, "pqpk_d")),
        ("pqpk_z", v.pqpk_z, derived32(id, "pqpk_z")),
    ] {
        f.same(id, &format!("{field} (label derivation)"), &got, &want);
    }
    f.same(
        id,
        "z_spk (label derivation)",
        &v.z_spk,
        &derived64(id, "z_spk"),
    );
    f.same(
        id,
        "z_pqpk (label derivation)",
        &v.z_pqpk,
        &derived64(id, "z_pqpk"),
    );
    if let Some(opk) = &v.opk {
        f.same(
            id,
            "opk.private (label derivation)",
            &opk.private,
            &derived32(id, "opk"),
        );
    }

    // Public keys and ML-KEM key generation.
    let base = |k: &[u8; 32]| x25519_base(&scalar(k)).to_public_array();
    f.same(id, "ik_a", &base(&v.ik_a_private), &v.ik_a);
    f.same(id, "ek_a", &base(&v.ek_a_private), &v.ek_a);
    f.same(id, "ik_b", &base(&v.ik_b_private), &v.ik_b);
    f.same(id, "spk_b", &base(&v.spk_b_private), &v.spk_b);
    if let Some(opk) = &v.opk {
        f.same(id, "opk.public", &base(&opk.private), &opk.public);
    }
    let (ek, dk) = spec::ml_kem::keygen(
        &Seed32::from_public_slice(&v.pqpk_d),
        &Seed32::from_public_slice(&v.pqpk_z),
    );
    f.same(id, "pqpk_b", &ek.to_public_array(), &v.pqpk_b);
    f.same(
        id,
        "pqpk_b_private",
        &dk.to_public_array(),
        &v.pqpk_b_private,
    );

    // Bob's bundle: signed with Z1, Z2 and encoded.
    let bundle = spec::pqxdh::sign_bundle(
        &scalar(&v.ik_b_private),
        v.spk_id,
        &point(&v.spk_b),
        v.pqpk_id,
        v.pq_last_resort,
        &EncapsulationKey::from_public_slice(&v.pqpk_b),
        v.opk.as_ref().map(|opk| (opk.id, point(&opk.public))),
        &XEdDSARandom::from_public_slice(&v.z_spk),
        &XEdDSARandom::from_public_slice(&v.z_pqpk),
    );
    f.same(id, "spk_sig", &bundle.spk_sig.to_public_array(), &v.spk_sig);
    f.same(
        id,
        "pqpk_sig",
        &bundle.pqpk_sig.to_public_array(),
        &v.pqpk_sig,
    );
    f.same(
        id,
        "bundle",
        &native(&spec::wire::encode_bundle(&bundle)),
        &v.bundle,
    );

    // Alice: decode, verify, initiate.
    let k = match keys(v) {
        Ok(k) => k,
        Err(e) => return f.fail(id, format!("the bundle does not decode and verify: {e:?}")),
    };
    let (alice, header) = match spec::pqxdh::initiate(&k.ik_a, &k.verified, &k.ek_a, &k.m) {
        Ok(out) => out,
        Err(e) => return f.fail(id, format!("pqxdh::initiate refused: {e:?}")),
    };
    f.same(
        id,
        "prekey_header",
        &native(&spec::wire::encode_prekey_header(&header)),
        &v.prekey_header,
    );
    f.same(id, "ct", &header.ct.to_public_array(), &v.ct);
    let th = spec::sha256::hash(&seq(&v.prekey_header)).to_public_array();
    f.same(id, "th (SHA-256 of the recorded prekey_header)", &th, &v.th);
    f.same_value(
        id,
        "prekey header opk_id",
        header.opk_id,
        v.opk.as_ref().map(|o| o.id),
    );

    // Bob: respond to that header. Both sides must give the recorded values.
    let bob = match spec::pqxdh::respond(&k.ik_b, &k.spk_b, &k.dk, k.opk.as_ref(), &header) {
        Ok(out) => out,
        Err(e) => return f.fail(id, format!("pqxdh::respond refused: {e:?}")),
    };
    for (side, keys) in [("alice", &alice), ("bob", &bob)] {
        let what = format!("{id} ({side})");
        f.same(&what, "dh1", &keys.dh1.to_public_array(), &v.dh1);
        f.same(&what, "dh2", &keys.dh2.to_public_array(), &v.dh2);
        f.same(&what, "dh3", &keys.dh3.to_public_array(), &v.dh3);
        f.same_value(&what, "dh4", keys.dh4.map(|d| d.to_public_array()), v.dh4);
        f.same(&what, "ss", &keys.ss.to_public_array(), &v.ss);
        f.same(&what, "sk", &keys.sk.to_public_array(), &v.sk);
        f.same(&what, "ad", &native(&keys.ad), &v.ad);
        f.same(&what, "th", &keys.th.to_public_array(), &v.th);
    }
    // SK from the recorded intermediates, through the KDF alone.
    let sk = spec::pqxdh::kdf(
        &point(&v.dh1),
        &point(&v.dh2),
        &point(&v.dh3),
        v.dh4.map(|d| point(&d)).as_ref(),
        &spec::ml_kem::SharedSecret::from_public_slice(&v.ss),
        // TH = SHA-256(PreKey header), of the recorded header.
        &spec::sha256::hash(&spec::ByteSeq::from_public_slice(&v.prekey_header)),
    );
    f.same(
        id,
        "sk (kdf of the recorded DH outputs, SS and TH)",
        &sk.to_public_array(),
        &v.sk,
    );
}

#[test]
fn pqxdh_json_handshakes_reproduce() {
    let vectors = protocol::pqxdh().unwrap();
    // Three handshakes: with an OPK, without one, with a last-resort PQ prekey.
    assert_eq!(vectors.len(), 3);
    assert!(vectors.iter().any(|v| v.opk.is_some()));
    assert!(vectors.iter().any(|v| v.opk.is_none()));
    assert!(vectors.iter().any(|v| v.pq_last_resort));
    let mut f = Failures::default();
    for v in &vectors {
        check_handshake(v, &mut f);
    }
    println!("pqxdh.json: {} handshakes checked", vectors.len());
    f.assert_none("pqxdh.json");
}

// ---------------------------------------------------------------------------------
// ratchet.json
// ---------------------------------------------------------------------------------

/// Counts of what a conversation replay checked.
#[derive(Default)]
struct Counts {
    sends: usize,
    lost: u64,
    deliveries: usize,
    refusals: usize,
}

struct Replay<'a> {
    keys: &'a Keys,
    alice: State,
    bob: Option<State>,
    /// Per step, the wire bytes it sent (send steps only).
    sent: Vec<Option<Vec<u8>>>,
}

impl Replay<'_> {
    fn state(&self, party: Party) -> Option<&State> {
        match party {
            Party::Alice => Some(&self.alice),
            Party::Bob => self.bob.as_ref(),
        }
    }

    fn set(&mut self, party: Party, state: State) {
        match party {
            Party::Alice => self.alice = state,
            Party::Bob => self.bob = Some(state),
        }
    }
}

fn check_conversation(
    c: &Conversation,
    handshakes: &[PqxdhVector],
    f: &mut Failures,
    counts: &mut Counts,
) {
    let Some(h) = handshakes.iter().find(|h| h.id == c.handshake) else {
        return f.fail(&c.id, format!("no handshake {}", c.handshake));
    };
    let keys = match keys(h) {
        Ok(k) => k,
        Err(e) => return f.fail(&c.id, format!("handshake does not verify: {e:?}")),
    };
    f.same(
        &c.id,
        "alice_r (label derivation)",
        &c.alice_r,
        &derived32(&c.id, "alice_r"),
    );
    let (alice, pqxdh) = match spec::session::initiate(
        &keys.ik_a,
        &keys.verified,
        &keys.ek_a,
        &keys.m,
        &scalar(&c.alice_r),
    ) {
        Ok(out) => out,
        Err(e) => return f.fail(&c.id, format!("session::initiate refused: {e:?}")),
    };
    f.same(
        &c.id,
        "session::initiate sk",
        &pqxdh.sk.to_public_array(),
        &h.sk,
    );
    f.same(&c.id, "alice_state", &encoded(&alice), &c.alice_state);
    let mut replay = Replay {
        keys: &keys,
        alice,
        bob: None,
        sent: Vec::new(),
    };
    for (index, step) in c.steps.iter().enumerate() {
        let what = format!("{} step {index}", c.id);
        let sent = match step {
            Step::Send(s) => check_send(&what, s, &mut replay, f, counts),
            Step::SendLost(s) => {
                check_lost(&what, s, &mut replay, f, counts);
                None
            }
            Step::Deliver(d) => {
                let r = derived32(&c.id, &format!("step {index} / r"));
                f.same(&what, "r (label derivation)", &d.r, &r);
                check_deliver(&what, d, &mut replay, f, counts);
                None
            }
        };
        // A failed step leaves the replay behind the file; stop this conversation.
        let failed = f.0.iter().any(|m| m.starts_with(&what));
        replay.sent.push(sent);
        if failed {
            return;
        }
    }
}

/// A send step: the key schedule, the AEAD, the wire bytes and the state after.
fn check_send(
    what: &str,
    s: &protocol::SendStep,
    replay: &mut Replay<'_>,
    f: &mut Failures,
    counts: &mut Counts,
) -> Option<Vec<u8>> {
    counts.sends += 1;
    let Some(state) = replay.state(s.sender).cloned() else {
        f.fail(what, format!("{:?} has no session", s.sender));
        return None;
    };
    let Some(cks) = state.cks else {
        f.fail(what, "no sending chain".to_owned());
        return None;
    };
    f.same(what, "ck_before", &cks.to_public_array(), &s.ck_before);
    let (ck_after, mk) = spec::ratchet::kdf_ck(&cks);
    f.same(what, "ck_after", &ck_after.to_public_array(), &s.ck_after);
    f.same(what, "mk", &mk.to_public_array(), &s.mk);
    let (key, nonce) = spec::ratchet::message_key_material(&mk);
    f.same(what, "aead_key", &key.to_public_array(), &s.aead_key);
    f.same(what, "aead_nonce", &nonce.to_public_array(), &s.aead_nonce);
    f.same(
        what,
        "dh",
        &x25519_base(&state.dhs).to_public_array(),
        &s.dh,
    );
    f.same_value(what, "pn", state.pn, s.pn);
    f.same_value(what, "n", state.ns, s.n);

    let (new_state, wire) = match spec::session::encrypt(&state, &seq(&s.plaintext)) {
        Ok(out) => out,
        Err(e) => {
            f.fail(what, format!("session::encrypt refused: {e:?}"));
            return None;
        }
    };
    f.same(what, "wire", &native(&wire), &s.wire);
    f.same(what, "sender_state", &encoded(&new_state), &s.sender_state);
    f.same(
        what,
        "ck_after (in the state)",
        &new_state
            .cks
            .map(|k| k.to_public_array())
            .unwrap_or_default(),
        &s.ck_after,
    );

    // The recorded wire bytes, decoded: the header fields, the PreKey header exactly
    // while Alice's is pending, and the AEAD output under the recorded key schedule.
    match spec::wire::decode_message(&seq(&s.wire)) {
        Ok(message) => {
            let (prekey, ratchet) = match message {
                spec::wire::Message::PreKey(m) => (
                    Some(native(&spec::wire::encode_prekey_header(&m.header))),
                    m.message,
                ),
                spec::wire::Message::Ratchet(m) => (None, m),
            };
            f.same_value(
                what,
                "PreKey header",
                prekey,
                state.pending_prekey.as_ref().map(native),
            );
            f.same(
                what,
                "header dh",
                &ratchet.header.dh.to_public_array(),
                &s.dh,
            );
            f.same_value(what, "header pn", ratchet.header.pn, s.pn);
            f.same_value(what, "header n", ratchet.header.n, s.n);
            let ad = spec::ratchet::header_ad(&state.ad, &ratchet.header);
            let (ct, tag) = match spec::aead::chacha20_poly1305_encrypt(
                &spec::chacha20::ChaChaKey::from_public_slice(&s.aead_key),
                &spec::chacha20::ChaChaNonce::from_public_slice(&s.aead_nonce),
                &ad,
                &seq(&s.plaintext),
            ) {
                Ok(out) => out,
                Err(e) => {
                    f.fail(what, format!("AEAD refused: {e:?}"));
                    return None;
                }
            };
            f.same(
                what,
                "ct ‖ tag (AEAD under aead_key, aead_nonce, AD ‖ H)",
                &native(&ct.concat(&tag)),
                &native(&ratchet.ciphertext),
            );
        }
        Err(e) => f.fail(what, format!("wire does not decode: {e:?}")),
    }
    replay.set(s.sender, new_state);
    Some(s.wire.clone())
}

/// A send_lost step: `count` encryptions, only the final state recorded.
fn check_lost(
    what: &str,
    s: &protocol::SendLostStep,
    replay: &mut Replay<'_>,
    f: &mut Failures,
    counts: &mut Counts,
) {
    let Some(mut state) = replay.state(s.sender).cloned() else {
        return f.fail(what, format!("{:?} has no session", s.sender));
    };
    let plaintext = seq(&s.plaintext);
    for i in 0..s.count {
        state = match spec::session::encrypt(&state, &plaintext) {
            Ok((state, _wire)) => state,
            Err(e) => return f.fail(what, format!("encryption {i} refused: {e:?}")),
        };
    }
    counts.lost += u64::from(s.count);
    f.same(what, "sender_state", &encoded(&state), &s.sender_state);
    replay.set(s.sender, state);
}

/// A deliver step: accept or decrypt, the outcome, and the state after.
fn check_deliver(
    what: &str,
    d: &protocol::DeliverStep,
    replay: &mut Replay<'_>,
    f: &mut Failures,
    counts: &mut Counts,
) {
    counts.deliveries += 1;
    // The delivered bytes are the sent ones, or differ from them in one bit.
    let Some(Some(sent)) = replay.sent.get(d.sent_at) else {
        return f.fail(what, format!("step {} sent nothing", d.sent_at));
    };
    let differing_bits: u32 = sent
        .iter()
        .zip(&d.wire)
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    if sent.len() != d.wire.len() || differing_bits > 1 {
        f.fail(
            what,
            "wire is neither the message sent nor it with one bit flipped".to_owned(),
        );
    }

    let wire = seq(&d.wire);
    let r = scalar(&d.r);
    let before = replay.state(d.receiver).map(encoded);
    let result = match (d.receiver, &replay.bob) {
        (Party::Bob, None) => match spec::wire::decode_prekey_message(&wire) {
            Ok(message) => {
                let k = replay.keys;
                spec::session::accept(&k.ik_b, &k.spk_b, &k.dk, k.opk.as_ref(), &message, &r)
                    .map(|(state, pt, _keys)| (state, pt))
            }
            Err(e) => Err(e),
        },
        (receiver, _) => match replay.state(receiver) {
            Some(state) => spec::session::decrypt(state, &wire, &r),
            None => return f.fail(what, "no session".to_owned()),
        },
    };
    match (result, &d.outcome) {
        (Ok((state, pt)), Outcome::Ok(want)) => {
            f.same(what, "plaintext", &native(&pt), want);
            f.same(what, "receiver_state", &encoded(&state), &d.receiver_state);
            replay.set(d.receiver, state);
        }
        (Err(e), Outcome::Rejected(want)) => {
            counts.refusals += 1;
            f.same_value(what, "error", e.name(), want.as_str());
            // Refused: the state the receiver keeps is the one it had.
            match before {
                Some(before) => {
                    f.same(
                        what,
                        "receiver_state (unchanged)",
                        &before,
                        &d.receiver_state,
                    );
                }
                None => f.fail(
                    what,
                    "a refused first message leaves no state to record".to_owned(),
                ),
            }
        }
        (Ok(_), Outcome::Rejected(want)) => f.fail(what, format!("decrypted; want {want}")),
        (Err(e), Outcome::Ok(_)) => f.fail(what, format!("refused with {e:?}; want ok")),
    }
}

#[test]
fn ratchet_json_conversations_reproduce() {
    let handshakes = protocol::pqxdh().unwrap();
    let conversations = protocol::ratchet().unwrap();
    // (a) in order, (b) out of order, (c) tampered, (d) replayed, (e) over MAX_SKIP,
    // (f) the skipped-key store (exactly MAX_SKIP, full store, eviction).
    assert_eq!(conversations.len(), 6);
    let mut f = Failures::default();
    let mut total = Counts::default();
    let mut steps = 0;
    for c in &conversations {
        let mut counts = Counts::default();
        check_conversation(c, &handshakes, &mut f, &mut counts);
        println!(
            "ratchet.json {}: {} steps ({} sends, {} lost sends, {} deliveries of which {} refused)",
            c.id,
            c.steps.len(),
            counts.sends,
            counts.lost,
            counts.deliveries,
            counts.refusals
        );
        steps += c.steps.len();
        total.sends += counts.sends;
        total.lost += counts.lost;
        total.deliveries += counts.deliveries;
        total.refusals += counts.refusals;
    }
    println!(
        "ratchet.json: {} conversations, {steps} steps checked ({} sends, {} lost sends, {} deliveries, {} refused)",
        conversations.len(),
        total.sends,
        total.lost,
        total.deliveries,
        total.refusals
    );
    // Every error the brief of each conversation names was seen.
    let mut errors = HashSet::new();
    for c in &conversations {
        for step in &c.steps {
            if let Step::Deliver(d) = step
                && let Outcome::Rejected(e) = &d.outcome
            {
                errors.insert(e.as_str());
            }
        }
    }
    for e in ["DecryptionFailed", "Duplicate", "TooManySkipped"] {
        assert!(errors.contains(e), "no delivery refused with {e}");
    }
    f.assert_none("ratchet.json");
}

// ---------------------------------------------------------------------------------
// state.json
// ---------------------------------------------------------------------------------

fn check_state(v: &StateVector, f: &mut Failures) {
    let id = v.id.as_str();
    let state = match spec::state::decode_state(&seq(&v.encoding)) {
        Ok(state) => state,
        Err(e) => return f.fail(id, format!("does not decode: {e:?}")),
    };
    let key = |k: Option<[u8; 32]>| k;
    f.same_value(id, "flags", v.encoding[1], v.flags);
    f.same(id, "ad", &native(&state.ad), &v.ad);
    f.same(id, "dhs", &state.dhs.to_public_array(), &v.dhs);
    f.same_value(
        id,
        "dhr",
        state.dhr.map(|k| k.to_public_array()),
        key(v.dhr),
    );
    f.same(id, "rk", &state.rk.to_public_array(), &v.rk);
    f.same_value(
        id,
        "cks",
        state.cks.map(|k| k.to_public_array()),
        key(v.cks),
    );
    f.same_value(
        id,
        "ckr",
        state.ckr.map(|k| k.to_public_array()),
        key(v.ckr),
    );
    f.same_value(id, "ns", state.ns, v.ns);
    f.same_value(id, "nr", state.nr, v.nr);
    f.same_value(id, "pn", state.pn, v.pn);
    f.same_value(
        id,
        "prekey_hash",
        state.prekey_hash.map(|k| k.to_public_array()),
        key(v.prekey_hash),
    );
    let skipped: Vec<protocol::SkippedKey> = state
        .skipped
        .iter()
        .map(|k| protocol::SkippedKey {
            dh: k.dh.to_public_array(),
            n: k.n,
            mk: k.mk.to_public_array(),
        })
        .collect();
    f.same_value(id, "skipped", &skipped, &v.skipped);
    f.same_value(
        id,
        "pending_prekey",
        state.pending_prekey.as_ref().map(native),
        v.pending_prekey.clone(),
    );
    f.same(
        id,
        "encode_state(decode_state(encoding))",
        &encoded(&state),
        &v.encoding,
    );
}

#[test]
fn state_json_encodings_reproduce() {
    let vectors = protocol::state().unwrap();
    assert_eq!(vectors.valid.len(), 4);
    assert_eq!(vectors.rejected.len(), 17);
    let mut f = Failures::default();
    // Every valid state is one a conversation reached.
    let mut reached = HashSet::new();
    for c in protocol::ratchet().unwrap() {
        reached.insert(c.alice_state.clone());
        for step in c.steps {
            reached.insert(match step {
                Step::Send(s) => s.sender_state,
                Step::SendLost(s) => s.sender_state,
                Step::Deliver(d) => d.receiver_state,
            });
        }
    }
    for v in &vectors.valid {
        check_state(v, &mut f);
        if !reached.contains(&v.encoding) {
            f.fail(
                &v.id,
                "no ratchet.json conversation reaches this state".to_owned(),
            );
        }
    }
    for v in &vectors.rejected {
        match spec::state::decode_state(&seq(&v.encoding)) {
            Ok(_) => f.fail(&v.id, format!("decoded; want {}", v.error)),
            Err(e) => f.same_value(&v.id, "error", e.name().to_owned(), v.error.clone()),
        }
    }
    println!(
        "state.json: {} valid encodings and {} rejected encodings checked",
        vectors.valid.len(),
        vectors.rejected.len()
    );
    f.assert_none("state.json");
}

/// The skipped-key store conversation reaches the limits it claims: the decoded
/// states, not only their bytes, show exactly MAX_SKIP keys skipped into a full store,
/// the oldest evicted, and the next oldest used.
#[test]
fn ratchet_json_skipped_key_store_reaches_the_limit() {
    let conversations = protocol::ratchet().unwrap();
    let c = conversations
        .iter()
        .find(|c| c.id == "ratchet_skipped_key_store")
        .unwrap();
    let state = |step: usize| match &c.steps[step] {
        Step::Deliver(d) => spec::state::decode_state(&seq(&d.receiver_state)).unwrap(),
        _ => panic!("step {step} is not a delivery"),
    };
    let ns = |state: &State| state.skipped.iter().map(|k| k.n).collect::<Vec<u32>>();
    let max = spec::consts::MAX_STORED_SKIPPED_KEYS;
    assert_eq!(max, 2000);
    assert_eq!(spec::consts::MAX_SKIP, 2000);
    // Step 6: n = 2000 received from Nr = 0, keys 0..1999 stored: the store is full.
    let full = state(6);
    assert_eq!(ns(&full), (0..2000).collect::<Vec<u32>>());
    assert_eq!(full.nr, 2001);
    // Step 9: n = 2001 skipped, n = 0 evicted.
    let evicted = state(9);
    let mut want: Vec<u32> = (1..2000).collect();
    want.push(2001);
    assert_eq!(ns(&evicted), want);
    assert_eq!(evicted.skipped.len(), max);
    // Step 10: b0 refused, state unchanged; step 11: b1 decrypts, its key deleted.
    match (&c.steps[10], &c.steps[11]) {
        (Step::Deliver(b0), Step::Deliver(b1)) => {
            assert_eq!(b0.outcome, Outcome::Rejected("Duplicate".to_owned()));
            assert!(matches!(b1.outcome, Outcome::Ok(_)));
        }
        _ => panic!("steps 10 and 11 are deliveries"),
    }
    assert_eq!(encoded(&state(10)), encoded(&evicted));
    assert_eq!(ns(&state(11)), want[1..].to_vec());
    println!("ratchet_skipped_key_store: store full at {max}, n = 0 evicted, n = 1 kept");
}

// ---------------------------------------------------------------------------------
// rules.json
// ---------------------------------------------------------------------------------

fn spec_decode(structure: Structure, encoding: &[u8]) -> Result<Vec<u8>, spec::Error> {
    let bytes = seq(encoding);
    Ok(native(&match structure {
        Structure::Message => spec::wire::encode_message(&spec::wire::decode_message(&bytes)?),
        Structure::Bundle => spec::wire::encode_bundle(&spec::wire::decode_bundle(&bytes)?),
    }))
}

#[test]
fn rules_json_decoding_reproduces() {
    let rules = protocol::rules().unwrap();
    assert_eq!(rules.decoding.len(), 57);
    let mut f = Failures::default();
    let mut refused = 0;
    for v in &rules.decoding {
        let result = spec_decode(v.structure, &v.encoding);
        if let Ok(back) = &result {
            f.same(&v.id, "encode(decode(encoding))", back, &v.encoding);
        }
        f.same_value(
            &v.id,
            "outcome",
            verdict(result.map(|_| ())),
            v.outcome.clone(),
        );
        if v.outcome != Verdict::Ok {
            refused += 1;
        }
    }
    println!(
        "rules.json decoding: {} encodings checked, {refused} refused",
        rules.decoding.len()
    );
    f.assert_none("rules.json decoding");
}

#[test]
fn rules_json_verification_reproduces() {
    let rules = protocol::rules().unwrap();
    let handshakes = protocol::pqxdh().unwrap();
    assert_eq!(rules.verification.len(), 8);
    let mut f = Failures::default();
    for v in &rules.verification {
        if !handshakes.iter().any(|h| h.id == v.handshake) {
            f.fail(&v.id, format!("no handshake {}", v.handshake));
        }
        let result = spec::wire::decode_bundle(&seq(&v.bundle))
            .and_then(|b| spec::pqxdh::verify_bundle(&b).map(|_| ()));
        f.same_value(&v.id, "outcome", verdict(result), v.outcome.clone());
    }
    println!(
        "rules.json verification: {} bundles checked",
        rules.verification.len()
    );
    f.assert_none("rules.json verification");
}

#[test]
fn rules_json_decapsulation_keys_reproduce() {
    let rules = protocol::rules().unwrap();
    let handshakes = protocol::pqxdh().unwrap();
    assert_eq!(rules.decapsulation_keys.len(), 3);
    let ct = spec::ml_kem::Ciphertext::from_public_slice(&handshakes[0].ct);
    let mut f = Failures::default();
    for v in &rules.decapsulation_keys {
        let dk = DecapsulationKey::from_public_slice(&v.dk);
        let result = spec::ml_kem::decaps(&dk, &ct).map(|_| ());
        f.same_value(&v.id, "outcome", verdict(result), v.outcome.clone());
    }
    f.assert_none("rules.json decapsulation_keys");
}

#[test]
fn rules_json_sessions_reproduce() {
    let rules = protocol::rules().unwrap();
    assert_eq!(rules.sessions.len(), 14);
    let mut f = Failures::default();
    let mut errors = HashSet::new();
    for v in &rules.sessions {
        let id = v.id.as_str();
        if let Some(r) = v.r {
            f.same(id, "r (label derivation)", &r, &derived32(id, "r"));
        }
        let state = match spec::state::decode_state(&seq(&v.state)) {
            Ok(state) => state,
            Err(e) => {
                f.fail(id, format!("state does not decode: {e:?}"));
                continue;
            }
        };
        let result = match (v.action, v.r) {
            (SessionAction::Encrypt, None) => spec::session::encrypt(&state, &seq(&v.input)),
            (SessionAction::Decrypt, Some(r)) => {
                spec::session::decrypt(&state, &seq(&v.input), &scalar(&r))
            }
            _ => {
                f.fail(id, "r present exactly for decrypt".to_owned());
                continue;
            }
        };
        match (result, &v.outcome) {
            (Ok((new_state, out)), Outcome::Ok(want)) => {
                f.same(id, "output", &native(&out), want);
                f.same(id, "state_after", &encoded(&new_state), &v.state_after);
            }
            (Err(e), Outcome::Rejected(want)) => {
                errors.insert(want.clone());
                f.same_value(id, "error", e.name().to_owned(), want.clone());
                f.same(id, "state_after (unchanged)", &v.state, &v.state_after);
            }
            (Ok(_), Outcome::Rejected(want)) => f.fail(id, format!("succeeded; want {want}")),
            (Err(e), Outcome::Ok(_)) => f.fail(id, format!("refused with {e:?}; want ok")),
        }
    }
    for e in [
        "PreKeyMismatch",
        "InvalidMessage",
        "DecryptionFailed",
        "ChainExhausted",
        "TooManySkipped",
    ] {
        if !errors.contains(e) {
            f.fail("sessions", format!("no vector refused with {e}"));
        }
    }
    println!(
        "rules.json sessions: {} operations checked",
        rules.sessions.len()
    );
    f.assert_none("rules.json sessions");
}

#[test]
fn rules_json_accepts_reproduce() {
    let rules = protocol::rules().unwrap();
    let handshakes = protocol::pqxdh().unwrap();
    assert_eq!(rules.accepts.len(), 2);
    let mut f = Failures::default();
    let mut errors = HashSet::new();
    let mut count = 0;
    for v in &rules.accepts {
        let Some(h) = handshakes.iter().find(|h| h.id == v.handshake) else {
            f.fail(&v.id, format!("no handshake {}", v.handshake));
            continue;
        };
        let k = match keys(h) {
            Ok(k) => k,
            Err(e) => {
                f.fail(&v.id, format!("handshake does not verify: {e:?}"));
                continue;
            }
        };
        // Bob's store as SPEC §3.5 has it: the record of EK_A values accepted under
        // a last-resort PQPK_B, checked before any DH and extended on success.
        let mut record: Vec<X25519SerializedPoint> = Vec::new();
        for (index, d) in v.deliveries.iter().enumerate() {
            count += 1;
            let what = format!("{} delivery {index}", v.id);
            f.same(
                &what,
                "r (label derivation)",
                &d.r,
                &derived32(&v.id, &format!("{index} / r")),
            );
            let result = spec::wire::decode_prekey_message(&seq(&d.wire)).and_then(|message| {
                if h.pq_last_resort {
                    spec::session::check_replay(&record, &message.header)?;
                }
                let (state, pt, _keys) = spec::session::accept(
                    &k.ik_b,
                    &k.spk_b,
                    &k.dk,
                    k.opk.as_ref(),
                    &message,
                    &scalar(&d.r),
                )?;
                if h.pq_last_resort {
                    record = spec::session::record_accepted(&record, &message.header);
                }
                Ok((state, pt))
            });
            match (result, &d.outcome) {
                (Ok((state, pt)), Outcome::Ok(want)) => {
                    f.same(&what, "plaintext", &native(&pt), want);
                    f.same_value(&what, "state", Some(encoded(&state)), d.state.clone());
                }
                (Err(e), Outcome::Rejected(want)) => {
                    errors.insert(want.clone());
                    f.same_value(&what, "error", e.name().to_owned(), want.clone());
                }
                (Ok(_), Outcome::Rejected(want)) => f.fail(&what, format!("accepted; want {want}")),
                (Err(e), Outcome::Ok(_)) => f.fail(&what, format!("refused with {e:?}; want ok")),
            }
        }
    }
    for e in ["InvalidMessage", "DecryptionFailed", "PreKeyReplay"] {
        if !errors.contains(e) {
            f.fail("accepts", format!("no delivery refused with {e}"));
        }
    }
    println!(
        "rules.json accepts: {} sequences, {count} deliveries checked",
        rules.accepts.len()
    );
    f.assert_none("rules.json accepts");
}

/// Values the spec and the implementation could both get wrong, computed outside
/// Rust with plain Python integers (`hashlib` for SHA-3 and SHA-512, Edwards25519
/// in affine coordinates), from the committed files, and pinned here:
///
/// - `q = 2**252 + 27742317777372353535851937790883648493`, `p = 2**255 - 19`,
///   `x.to_bytes(32, 'little').hex()`;
/// - `s + q` for both signatures of pqxdh_with_opk's bundle (`s` read at offsets 101
///   and 1738; `s < q` and `s + q < 2**253` asserted);
/// - `pow(u, p - 2, p)` for `EK_A` of pqxdh_with_opk and pqxdh_last_resort;
/// - the altered decapsulation key: first coefficient `ek[0] | (ek[1] & 15) << 8`
///   and `hashlib.sha3_256(ek)`;
/// - the identity-nonce signatures: `a` from the clamped identity key (negated if
///   `aB` has odd x), `s = SHA-512(R ‖ A ‖ M) a mod q` for each encoding `R`, and
///   `sB - hA` checked to be the identity point.
#[test]
fn rules_json_independent_values() {
    const P_HEX: &str = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
    const Q_HEX: &str = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
    let rules = protocol::rules().unwrap();
    let handshakes = protocol::pqxdh().unwrap();
    let verification = |id: &str| {
        rules
            .verification
            .iter()
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .bundle
            .clone()
    };
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // p and q as the spec has them.
    assert_eq!(hex(&spec::field25519::P), P_HEX);
    let genuine = &handshakes[0];
    assert_eq!(genuine.id, "pqxdh_with_opk");
    // s + q, and nothing else changed.
    for (id, offset, want) in [
        (
            "verify_spk_sig_s_plus_q",
            101,
            "ca7c4265f93826ec3d9a5107795649a10397910f1358d4d158b79d6908985a16",
        ),
        (
            "verify_pqpk_sig_s_plus_q",
            1738,
            "5c68250ffb7299f7a3382de141c73b5470ae7e1cc7ed24c3b2caf4055f54ee18",
        ),
    ] {
        let bundle = verification(id);
        assert_eq!(hex(&bundle[offset..offset + 32]), want, "{id}");
        assert_eq!(bundle[..offset], genuine.bundle[..offset], "{id}");
        assert_eq!(bundle[offset + 32..], genuine.bundle[offset + 32..], "{id}");
        // (s + q) - s = q, byte by byte with borrows; and s + q < 2^253.
        let mut difference = [0u8; 32];
        let mut borrow = 0i16;
        for i in 0..32 {
            let d = i16::from(bundle[offset + i]) - i16::from(genuine.bundle[offset + i]) - borrow;
            borrow = i16::from(d < 0);
            difference[i] = u8::try_from(d.rem_euclid(256)).unwrap();
        }
        assert_eq!(borrow, 0, "{id}");
        assert_eq!(hex(&difference), Q_HEX, "{id}");
        assert!(bundle[offset + 31] < 0x20, "{id}: s + q < 2^253");
    }
    // The identity-nonce signatures (R ‖ s) of SPK_sig, at offset 69.
    for (id, want) in [
        (
            "verify_spk_sig_r_identity",
            "0100000000000000000000000000000000000000000000000000000000000000925b83ceac60abb184fafe5a90c3c913a422a81472364c6f8ca26d8a92fd720a",
        ),
        (
            "verify_spk_sig_r_identity_y_plus_p",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f35d3a7d56b5e05e3bcb6b8c6307e0751325c1d856b5681d667ffb54e10c2b70d",
        ),
        (
            "verify_spk_sig_r_identity_negative_zero",
            "01000000000000000000000000000000000000000000000000000000000000807818158de9f72f806d2a18bb5e0b50dec073d0fe46d864d58ae90099245fab02",
        ),
    ] {
        assert_eq!(hex(&verification(id)[69..133]), want, "{id}");
    }
    // 1/EK_A mod p in the first re-encoded delivery of each accept sequence.
    for (id, delivery, handshake, want) in [
        (
            "accept_reencoded_ek_a",
            1,
            "pqxdh_with_opk",
            "dfe44a0739c7ba8780a5a852a409cbeea8aadddd55f3a54b7012a21522fe9b5e",
        ),
        (
            "accept_last_resort_replay",
            0,
            "pqxdh_last_resort",
            "61c1ae90c7c6202ad3af1d8034a71feac5ec6915a374d79d9ddabdb80905a44c",
        ),
    ] {
        let v = rules.accepts.iter().find(|v| v.id == id).unwrap();
        let h = handshakes.iter().find(|h| h.id == handshake).unwrap();
        let wire = &v.deliveries[delivery].wire;
        assert_eq!(hex(&wire[34..66]), want, "{id}");
        // The rest of the PreKey message is Alice's genuine one.
        assert_eq!(wire[..34], h.prekey_header[..34], "{id}");
        assert_eq!(wire[66..PREKEY_HEADER_LEN], h.prekey_header[66..], "{id}");
    }
    // The decapsulation key whose stored ek is not reduced.
    let dk = &rules
        .decapsulation_keys
        .iter()
        .find(|v| v.id == "dk_stored_ek_not_reduced")
        .unwrap()
        .dk;
    assert_eq!(
        u16::from(dk[1536]) | (u16::from(dk[1537] & 0x0f) << 8),
        4095
    );
    assert_eq!(
        hex(&dk[3104..3136]),
        "c68cef9181c327949b7c3a84b0d784c6f4c14c004042ab6048c33552450bfc11"
    );
    // Non-canonical keys: p, p + 1 and p - 1 where the descriptions say.
    let p_plus_1 = "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
    let p_minus_1 = "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
    for (id, offset, want) in [
        ("ratchet_dh_p", 2, P_HEX),
        ("ratchet_dh_p_plus_1", 2, p_plus_1),
        ("ratchet_dh_p_minus_1", 2, p_minus_1),
        ("prekey_ek_a_p_plus_1", 34, p_plus_1),
        ("prekey_ik_a_p", 2, P_HEX),
        ("bundle_ik_b_p", 1, P_HEX),
        ("bundle_spk_b_p_plus_1", 37, p_plus_1),
        ("bundle_opk_b_p", 1775, P_HEX),
    ] {
        let v = rules.decoding.iter().find(|v| v.id == id).unwrap();
        assert_eq!(hex(&v.encoding[offset..offset + 32]), want, "{id}");
    }
}

// ---------------------------------------------------------------------------------
// Regeneration
// ---------------------------------------------------------------------------------

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn protocol_vectors_regenerate_byte_identical() {
    let dir = TempDir(
        std::env::temp_dir().join(format!("lockstep-protocol-vectors-{}", std::process::id())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    let written = lockstep_harness::protocol_vectors::write_all(&dir.0).unwrap();
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/protocol");
    assert_eq!(written.len(), protocol::FILES.len());
    for path in &written {
        let name = path.file_name().unwrap();
        let fresh = std::fs::read(path).unwrap();
        let stored = std::fs::read(committed.join(name)).unwrap();
        if fresh != stored {
            let line = fresh
                .split(|&b| b == b'\n')
                .zip(stored.split(|&b| b == b'\n'))
                .position(|(a, b)| a != b)
                .map_or(0, |i| i + 1);
            panic!(
                "vectors/protocol/{} differs from what the generator writes ({} vs {} bytes; first differing line {line}); regenerate with cargo run --release -p lockstep-harness --example protocol_vectors -- vectors/protocol",
                name.to_string_lossy(),
                stored.len(),
                fresh.len()
            );
        }
        println!(
            "{}: {} bytes, regenerated byte for byte",
            name.to_string_lossy(),
            stored.len()
        );
    }
}
