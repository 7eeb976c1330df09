//! The generator of the protocol vectors in `vectors/protocol/`, run by
//!
//! ```text
//! cargo run --release -p lockstep-harness --example protocol_vectors -- vectors/protocol
//! ```
//!
//! and by `harness/tests/protocol_vectors.rs`, which checks that the committed files
//! are exactly what it writes.
//!
//! Everything here is computed by `lockstep-spec` alone, from inputs derived from
//! labels (`lockstep_vectors::protocol` documents the derivation and the format). The
//! generator also checks what it records, and refuses to write a file when the spec
//! does something the conversation does not expect: Bob's PQXDH keys must equal
//! Alice's, a delivery must end as planned, a refused message must leave the state
//! unchanged, every state must round-trip through its encoding.
//!
//! `rules.json` (the `rules` submodule) is made from the values of the other three
//! files: each vector changes a genuine bundle, message, key or state in one or two
//! places, and the generator refuses to write it unless the spec gives the outcome
//! planned for it.
//!
//! The output is byte-identical on every run: the inputs are fixed, the spec is
//! deterministic, and the files are written by `lockstep_vectors::protocol`'s
//! writers, which fix field order and layout.

use std::fmt;
use std::path::{Path, PathBuf};

mod rules;

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_vectors::protocol::{
    Conversation, DeliverStep, OneTimePreKey, Outcome, Party, PqxdhVector, RejectedState,
    SendLostStep, SendStep, SkippedKey, StateVector, StateVectors, Step,
};
use spec::consts::{
    MAX_SKIP, MSG_PREKEY, PREKEY_HEADER_LEN, RATCHET_HEADER_LEN, STATE_OFFSET_COUNT,
};
use spec::ml_kem::{DecapsulationKey, Seed32};
use spec::pqxdh::VerifiedPreKeyBundle;
use spec::ratchet::State;
use spec::x25519::{X25519SerializedScalar, x25519_base};
use spec::xeddsa::XEdDSARandom;

/// Why the vectors could not be generated.
#[derive(Debug)]
pub enum GenerateError {
    /// A spec function refused where the vectors need it to succeed.
    Spec {
        /// The vector and step.
        what: String,
        /// The spec's error.
        error: spec::Error,
    },
    /// The spec did something the vectors do not expect (a mismatch between Alice's
    /// and Bob's keys, an unplanned outcome, a state changed by a refused message).
    Unexpected(String),
    /// The vectors could not be written as JSON.
    Vectors(lockstep_vectors::Error),
    /// A file could not be written.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spec { what, error } => write!(f, "{what}: the spec refused with {error:?}"),
            Self::Unexpected(what) => write!(f, "{what}"),
            Self::Vectors(error) => write!(f, "{error}"),
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for GenerateError {}

impl From<lockstep_vectors::Error> for GenerateError {
    fn from(error: lockstep_vectors::Error) -> Self {
        Self::Vectors(error)
    }
}

fn spec_error(what: impl Into<String>) -> impl FnOnce(spec::Error) -> GenerateError {
    let what = what.into();
    move |error| GenerateError::Spec { what, error }
}

fn unexpected(what: impl Into<String>) -> GenerateError {
    GenerateError::Unexpected(what.into())
}

/// The generated files: each name (in `vectors/protocol/`) and its text.
///
/// # Errors
/// [`GenerateError`] if the spec does not behave as the vectors expect.
pub fn generate() -> Result<Vec<(&'static str, String)>, GenerateError> {
    let handshakes = vec![
        handshake(&HandshakeSpec {
            id: "pqxdh_with_opk",
            description: "A handshake with a one-time prekey: four DH outputs and the ML-KEM shared secret go into SK.",
            spk_id: 0x0000_1001,
            pqpk_id: 0x0002_0001,
            pq_last_resort: false,
            opk_id: Some(0x0003_0001),
        })?,
        handshake(&HandshakeSpec {
            id: "pqxdh_without_opk",
            description: "A handshake without a one-time prekey: DH4 is absent, the bundle's opk_flag, opk_id and OPK_B are zero, and so are the PreKey header's opk_flag and opk_id.",
            spk_id: 0x0000_1002,
            pqpk_id: 0x0002_0002,
            pq_last_resort: false,
            opk_id: None,
        })?,
        handshake(&HandshakeSpec {
            id: "pqxdh_last_resort",
            description: "A handshake with a last-resort post-quantum prekey (pq_kind 0x01) and no one-time prekey, as when Bob's server has run out of one-time prekeys of both kinds.",
            spk_id: 0x0000_1003,
            pqpk_id: 0x0002_0003,
            pq_last_resort: true,
            opk_id: None,
        })?,
    ];
    let conversations = vec![
        in_order(&handshakes[0])?,
        out_of_order(&handshakes[1])?,
        tampered(&handshakes[2])?,
        replayed(&handshakes[0])?,
        over_max_skip(&handshakes[1])?,
        skipped_key_store(&handshakes[0])?,
    ];
    let states = states(&conversations)?;
    let rules = rules::rules(&handshakes, &conversations)?;

    let mut pqxdh = Vec::new();
    for h in handshakes {
        pqxdh.push(h.vector);
    }
    Ok(vec![
        (
            "pqxdh.json",
            lockstep_vectors::protocol::pqxdh_json(&pqxdh)?,
        ),
        (
            "ratchet.json",
            lockstep_vectors::protocol::ratchet_json(&conversations)?,
        ),
        (
            "state.json",
            lockstep_vectors::protocol::state_json(&states)?,
        ),
        (
            "rules.json",
            lockstep_vectors::protocol::rules_json(&rules)?,
        ),
    ])
}

/// Generates the files and writes them into `dir` (created if need be), returning
/// their paths. Nothing is written unless every file was generated.
///
/// # Errors
/// [`GenerateError`] if generation fails or a file cannot be written.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    let files = generate()?;
    std::fs::create_dir_all(dir).map_err(|source| GenerateError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| GenerateError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

// ---------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------

/// The label every input is derived from.
fn label(id: &str, name: &str) -> ByteSeq {
    ByteSeq::from_public_slice(format!("lockstep v1 vectors / {id} / {name}").as_bytes())
}

/// A 32-byte input: SHA-256 of its label.
fn derive32(id: &str, name: &str) -> [u8; 32] {
    spec::sha256::hash(&label(id, name)).to_public_array()
}

/// A 64-byte input: SHA-512 of its label.
fn derive64(id: &str, name: &str) -> [u8; 64] {
    spec::sha512::hash(&label(id, name)).to_public_array()
}

fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

fn native(seq: &ByteSeq) -> Vec<u8> {
    seq.to_native()
}

fn text(s: &str) -> ByteSeq {
    ByteSeq::from_public_slice(s.as_bytes())
}

// ---------------------------------------------------------------------------------
// pqxdh.json
// ---------------------------------------------------------------------------------

struct HandshakeSpec {
    id: &'static str,
    description: &'static str,
    spk_id: u32,
    pqpk_id: u32,
    pq_last_resort: bool,
    opk_id: Option<u32>,
}

/// A handshake's vector, with the spec values the conversations built on it need.
struct Handshake {
    vector: PqxdhVector,
    verified: VerifiedPreKeyBundle,
    ik_a: X25519SerializedScalar,
    ek_a: X25519SerializedScalar,
    m: Seed32,
    ik_b: X25519SerializedScalar,
    spk_b: X25519SerializedScalar,
    dk: DecapsulationKey,
    opk: Option<X25519SerializedScalar>,
}

fn handshake(h: &HandshakeSpec) -> Result<Handshake, GenerateError> {
    let id = h.id;
    let ik_a_private = derive32(id, "ik_a");
    let ek_a_private = derive32(id, "ek_a");
    let m = derive32(id, "m");
    let ik_b_private = derive32(id, "ik_b");
    let spk_b_private = derive32(id, "spk_b");
    let pqpk_d = derive32(id, "pqpk_d");
    let pqpk_z = derive32(id, "pqpk_z");
    let z_spk = derive64(id, "z_spk");
    let z_pqpk = derive64(id, "z_pqpk");

    let (ik_a, ek_a, ik_b, spk_b) = (
        scalar(&ik_a_private),
        scalar(&ek_a_private),
        scalar(&ik_b_private),
        scalar(&spk_b_private),
    );
    let (ek, dk) = spec::ml_kem::keygen(
        &Seed32::from_public_slice(&pqpk_d),
        &Seed32::from_public_slice(&pqpk_z),
    );
    let opk = h.opk_id.map(|opk_id| {
        let private = derive32(id, "opk");
        let public = x25519_base(&scalar(&private)).to_public_array();
        OneTimePreKey {
            id: opk_id,
            private,
            public,
        }
    });
    let opk_b = opk.as_ref().map(|opk| scalar(&opk.private));

    // Bob signs and encodes his bundle; Alice decodes and verifies it.
    let bundle = spec::pqxdh::sign_bundle(
        &ik_b,
        h.spk_id,
        &x25519_base(&spk_b),
        h.pqpk_id,
        h.pq_last_resort,
        &ek,
        opk.as_ref().map(|opk| {
            (
                opk.id,
                spec::x25519::X25519SerializedPoint::from_public_slice(&opk.public),
            )
        }),
        &XEdDSARandom::from_public_slice(&z_spk),
        &XEdDSARandom::from_public_slice(&z_pqpk),
    );
    let bundle_bytes = spec::wire::encode_bundle(&bundle);
    let decoded =
        spec::wire::decode_bundle(&bundle_bytes).map_err(spec_error(format!("{id}: decode")))?;
    let verified =
        spec::pqxdh::verify_bundle(&decoded).map_err(spec_error(format!("{id}: verify")))?;

    // Alice's side, then Bob's, which must agree.
    let m_seed = Seed32::from_public_slice(&m);
    let (keys, header) = spec::pqxdh::initiate(&ik_a, &verified, &ek_a, &m_seed)
        .map_err(spec_error(format!("{id}: initiate")))?;
    let bob = spec::pqxdh::respond(&ik_b, &spk_b, &dk, opk_b.as_ref(), &header)
        .map_err(spec_error(format!("{id}: respond")))?;
    let same = bob.sk.declassify_eq(&keys.sk)
        && bob.ss.declassify_eq(&keys.ss)
        && native(&bob.ad) == native(&keys.ad)
        && bob.dh1.declassify_eq(&keys.dh1)
        && bob.dh2.declassify_eq(&keys.dh2)
        && bob.dh3.declassify_eq(&keys.dh3)
        && bob.dh4.map(|d| d.to_public_array()) == keys.dh4.map(|d| d.to_public_array())
        && bob.th.declassify_eq(&keys.th);
    if !same {
        return Err(unexpected(format!("{id}: Bob's keys differ from Alice's")));
    }

    let vector = PqxdhVector {
        id: id.to_owned(),
        source: "docs/SPEC.md §3.2-§3.5, §5.2; PQXDH rev 2 §3.2-§3.4".to_owned(),
        description: h.description.to_owned(),
        ik_a_private,
        ik_a: x25519_base(&ik_a).to_public_array(),
        ek_a_private,
        ek_a: header.ek_a.to_public_array(),
        m,
        ik_b_private,
        ik_b: bundle.ik_b.to_public_array(),
        spk_id: h.spk_id,
        spk_b_private,
        spk_b: bundle.spk_b.to_public_array(),
        pqpk_id: h.pqpk_id,
        pq_last_resort: h.pq_last_resort,
        pqpk_d,
        pqpk_z,
        pqpk_b: ek.to_public_array().to_vec(),
        pqpk_b_private: dk.to_public_array().to_vec(),
        opk,
        z_spk,
        z_pqpk,
        spk_sig: bundle.spk_sig.to_public_array(),
        pqpk_sig: bundle.pqpk_sig.to_public_array(),
        bundle: native(&bundle_bytes),
        dh1: keys.dh1.to_public_array(),
        dh2: keys.dh2.to_public_array(),
        dh3: keys.dh3.to_public_array(),
        dh4: keys.dh4.map(|d| d.to_public_array()),
        ss: keys.ss.to_public_array(),
        ct: header.ct.to_public_array().to_vec(),
        sk: keys.sk.to_public_array(),
        ad: native(&keys.ad)
            .try_into()
            .map_err(|_| unexpected(format!("{id}: AD is not 66 bytes")))?,
        prekey_header: native(&spec::wire::encode_prekey_header(&header)),
        th: keys.th.to_public_array(),
    };
    if spec::sha256::hash(&spec::wire::encode_prekey_header(&header)).to_public_array() != vector.th
    {
        return Err(unexpected(format!(
            "{id}: TH is not SHA-256(PreKey header)"
        )));
    }
    Ok(Handshake {
        vector,
        verified,
        ik_a,
        ek_a,
        m: m_seed,
        ik_b,
        spk_b,
        dk,
        opk: opk_b,
    })
}

// ---------------------------------------------------------------------------------
// ratchet.json
// ---------------------------------------------------------------------------------

/// What a delivery must give.
enum Expect {
    /// The plaintext that was sent.
    Ok,
    /// This error, and the receiver's state unchanged.
    Refused(spec::Error),
}

/// What is done to a message before it is delivered.
enum Change {
    /// Nothing.
    None,
    /// One bit of the AEAD ciphertext flipped: `mask` xored into ciphertext byte
    /// `index` (counted from the start of `ct ‖ tag`).
    FlipCiphertextBit { index: usize, mask: u8 },
}

/// A conversation being generated: both parties' states and the steps so far.
struct Builder<'a> {
    id: &'static str,
    handshake: &'a Handshake,
    alice: State,
    bob: Option<State>,
    alice_r: [u8; 32],
    alice_state: Vec<u8>,
    steps: Vec<Step>,
    /// Per step: the plaintext and wire bytes it sent, for send steps.
    sent: Vec<Option<(ByteSeq, ByteSeq)>>,
}

fn encoded(state: &State) -> Vec<u8> {
    native(&spec::state::encode_state(state))
}

impl<'a> Builder<'a> {
    fn new(id: &'static str, handshake: &'a Handshake) -> Result<Self, GenerateError> {
        let alice_r = derive32(id, "alice_r");
        let (alice, _keys) = spec::session::initiate(
            &handshake.ik_a,
            &handshake.verified,
            &handshake.ek_a,
            &handshake.m,
            &scalar(&alice_r),
        )
        .map_err(spec_error(format!("{id}: session::initiate")))?;
        Ok(Builder {
            id,
            handshake,
            alice_state: encoded(&alice),
            alice,
            bob: None,
            alice_r,
            steps: Vec::new(),
            sent: Vec::new(),
        })
    }

    fn what(&self) -> String {
        format!("{} step {}", self.id, self.steps.len())
    }

    fn state_of(&self, party: Party) -> Result<&State, GenerateError> {
        match party {
            Party::Alice => Ok(&self.alice),
            Party::Bob => self
                .bob
                .as_ref()
                .ok_or_else(|| unexpected(format!("{}: Bob has no session yet", self.what()))),
        }
    }

    fn set_state(&mut self, party: Party, state: State) {
        match party {
            Party::Alice => self.alice = state,
            Party::Bob => self.bob = Some(state),
        }
    }

    /// One `session::encrypt`, with the key schedule recorded.
    fn send(&mut self, sender: Party, plaintext: &str, note: &str) -> Result<usize, GenerateError> {
        let what = self.what();
        let state = self.state_of(sender)?.clone();
        let ck_before = state
            .cks
            .ok_or_else(|| unexpected(format!("{what}: no sending chain")))?;
        // KDF_CK and the message key material, as the sender computes them.
        let (ck_after, mk) = spec::ratchet::kdf_ck(&ck_before);
        let (aead_key, aead_nonce) = spec::ratchet::message_key_material(&mk);
        let pt = text(plaintext);
        let (new_state, wire) =
            spec::session::encrypt(&state, &pt).map_err(spec_error(what.clone()))?;
        let header = match spec::wire::decode_message(&wire).map_err(spec_error(what.clone()))? {
            spec::wire::Message::PreKey(m) => m.message.header,
            spec::wire::Message::Ratchet(m) => m.header,
        };
        if new_state.cks.map(|ck| ck.to_public_array()) != Some(ck_after.to_public_array()) {
            return Err(unexpected(format!("{what}: CKs after is not KDF_CK(CKs)")));
        }
        self.steps.push(Step::Send(SendStep {
            note: note.to_owned(),
            sender,
            plaintext: native(&pt),
            ck_before: ck_before.to_public_array(),
            ck_after: ck_after.to_public_array(),
            mk: mk.to_public_array(),
            aead_key: aead_key.to_public_array(),
            aead_nonce: aead_nonce.to_public_array(),
            dh: header.dh.to_public_array(),
            pn: header.pn,
            n: header.n,
            wire: native(&wire),
            sender_state: encoded(&new_state),
        }));
        self.sent.push(Some((pt, wire)));
        self.set_state(sender, new_state);
        Ok(self.steps.len() - 1)
    }

    /// `count` calls of `session::encrypt` whose messages are lost.
    fn send_lost(
        &mut self,
        sender: Party,
        plaintext: &str,
        count: u32,
        note: &str,
    ) -> Result<(), GenerateError> {
        let what = self.what();
        let mut state = self.state_of(sender)?.clone();
        let pt = text(plaintext);
        for _ in 0..count {
            state = spec::session::encrypt(&state, &pt)
                .map_err(spec_error(what.clone()))?
                .0;
        }
        self.steps.push(Step::SendLost(SendLostStep {
            note: note.to_owned(),
            sender,
            plaintext: native(&pt),
            count,
            sender_state: encoded(&state),
        }));
        self.sent.push(None);
        self.set_state(sender, state);
        Ok(())
    }

    /// Delivers the message of step `sent_at` to `receiver`, changed as `change`
    /// says, and checks that the outcome is `expect`.
    fn deliver(
        &mut self,
        receiver: Party,
        sent_at: usize,
        change: Change,
        expect: Expect,
        note: &str,
    ) -> Result<(), GenerateError> {
        let what = self.what();
        let (plaintext, mut wire) = self
            .sent
            .get(sent_at)
            .cloned()
            .flatten()
            .ok_or_else(|| unexpected(format!("{what}: step {sent_at} sent nothing")))?;
        if let Change::FlipCiphertextBit { index, mask } = change {
            let mut start = RATCHET_HEADER_LEN;
            if spec::U8::declassify(wire[1]) == MSG_PREKEY {
                start += PREKEY_HEADER_LEN;
            }
            wire[start + index] ^= spec::U8(mask);
        }
        let r = derive32(self.id, &format!("step {} / r", self.steps.len()));
        let result = match (receiver, &self.bob) {
            // Bob's first message: PQXDH, then the ratchet.
            (Party::Bob, None) => {
                let message = spec::wire::decode_prekey_message(&wire)
                    .map_err(spec_error(format!("{what}: decode")))?;
                let h = self.handshake;
                spec::session::accept(
                    &h.ik_b,
                    &h.spk_b,
                    &h.dk,
                    h.opk.as_ref(),
                    &message,
                    &scalar(&r),
                )
                .map(|(state, pt, _keys)| (state, pt))
            }
            _ => spec::session::decrypt(self.state_of(receiver)?, &wire, &scalar(&r)),
        };
        let (outcome, receiver_state) = match (result, expect) {
            (Ok((state, pt)), Expect::Ok) => {
                if native(&pt) != native(&plaintext) {
                    return Err(unexpected(format!("{what}: wrong plaintext")));
                }
                let encoding = encoded(&state);
                self.set_state(receiver, state);
                (Outcome::Ok(native(&pt)), encoding)
            }
            (Err(error), Expect::Refused(expected)) if error == expected => {
                // Refused: the receiver keeps the state it had.
                (
                    Outcome::Rejected(error.name().to_owned()),
                    encoded(self.state_of(receiver)?),
                )
            }
            (Ok(_), Expect::Refused(expected)) => {
                return Err(unexpected(format!(
                    "{what}: decrypted, expected {expected:?}"
                )));
            }
            (Err(error), _) => return Err(spec_error(what)(error)),
        };
        self.steps.push(Step::Deliver(DeliverStep {
            note: note.to_owned(),
            receiver,
            sent_at,
            wire: native(&wire),
            r,
            outcome,
            receiver_state,
        }));
        self.sent.push(None);
        Ok(())
    }

    fn finish(self, source: &str, description: &str) -> Conversation {
        Conversation {
            id: self.id.to_owned(),
            source: source.to_owned(),
            description: description.to_owned(),
            handshake: self.handshake.vector.id.clone(),
            alice_r: self.alice_r,
            alice_state: self.alice_state,
            steps: self.steps,
        }
    }
}

use Party::{Alice, Bob};

/// (a) In order, six turns, so six DH ratchet steps.
fn in_order(h: &Handshake) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_in_order", h)?;
    let a0 = c.send(Alice, "a0: hello Bob", "Alice's first message: a PreKey message (her PreKey header, then a ratchet message with n = 0).")?;
    let a1 = c.send(Alice, "a1: are you there?", "Alice has not heard from Bob, so her second message is a PreKey message too, with the same PreKey header.")?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts the PreKey message: PQXDH, RatchetInitBob, then a DH ratchet step on Alice's ratchet key (DH ratchet step 1).")?;
    c.deliver(
        Bob,
        a1,
        Change::None,
        Expect::Ok,
        "A second PreKey message with the same PreKey header is decrypted in the session it made.",
    )?;
    let b0 = c.send(
        Bob,
        "b0: hi Alice",
        "Bob's first message, on the sending chain his DH ratchet step made.",
    )?;
    c.deliver(Alice, b0, Change::None, Expect::Ok, "Alice's first decryption: a DH ratchet step (2), and her pending PreKey header is cleared.")?;
    let a2 = c.send(
        Alice,
        "a2: got it",
        "Now a plain ratchet message: no PreKey header.",
    )?;
    c.deliver(Bob, a2, Change::None, Expect::Ok, "DH ratchet step 3.")?;
    let b1 = c.send(Bob, "b1: two", "Two messages on one chain.")?;
    let b2 = c.send(Bob, "b2: in a row", "n = 1 on the same chain.")?;
    c.deliver(Alice, b1, Change::None, Expect::Ok, "DH ratchet step 4.")?;
    c.deliver(
        Alice,
        b2,
        Change::None,
        Expect::Ok,
        "The next key of the same receiving chain.",
    )?;
    let a3 = c.send(
        Alice,
        "a3: pn is 1",
        "pn = 1: Alice sent one message on her previous chain.",
    )?;
    c.deliver(Bob, a3, Change::None, Expect::Ok, "DH ratchet step 5.")?;
    let b3 = c.send(Bob, "b3: pn is 2", "pn = 2.")?;
    c.deliver(Alice, b3, Change::None, Expect::Ok, "DH ratchet step 6.")?;
    Ok(c.finish(
        "docs/SPEC.md §3, §4.4-§4.6, §5; DR §3.3-§3.5",
        "Alice and Bob take six turns, every message delivered in order: each change of speaker is a DH ratchet step. Alice's first two messages are PreKey messages; after her first decryption she sends ratchet messages.",
    ))
}

/// (b) Out of order, with skipped keys used later, across DH ratchet steps.
fn out_of_order(h: &Handshake) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_out_of_order", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(Bob, "b0", "Bob sends four messages, n = 0 to 3.")?;
    let b1 = c.send(Bob, "b1", "n = 1.")?;
    let b2 = c.send(Bob, "b2", "n = 2.")?;
    let b3 = c.send(Bob, "b3", "n = 3.")?;
    c.deliver(Alice, b2, Change::None, Expect::Ok, "b2 arrives first: Alice's DH ratchet step, and the keys of b0 and b1 are skipped and stored.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Ok,
        "b0 is decrypted with its stored key, which is then deleted.",
    )?;
    let a1 = c.send(Alice, "a1", "Alice's new sending chain: n = 0, pn = 1.")?;
    let a2 = c.send(Alice, "a2", "n = 1.")?;
    let a3 = c.send(Alice, "a3", "n = 2.")?;
    c.deliver(
        Bob,
        a3,
        Change::None,
        Expect::Ok,
        "a3 arrives first: Bob's DH ratchet step; the keys of a1 and a2 are stored.",
    )?;
    let b4 = c.send(Bob, "b4", "Bob's new chain: n = 0, pn = 4.")?;
    c.deliver(Alice, b4, Change::None, Expect::Ok, "Alice stores the key of b3 from the old chain (up to pn = 4), then takes a DH ratchet step. She now holds the keys of b1 and b3.")?;
    c.deliver(
        Alice,
        b1,
        Change::None,
        Expect::Ok,
        "b1, from the chain before the DH ratchet step, decrypts with its stored key.",
    )?;
    c.deliver(
        Alice,
        b3,
        Change::None,
        Expect::Ok,
        "b3 too; Alice holds no skipped keys now.",
    )?;
    c.deliver(Bob, a1, Change::None, Expect::Ok, "a1 with its stored key.")?;
    c.deliver(
        Bob,
        a2,
        Change::None,
        Expect::Ok,
        "a2 with its stored key; Bob holds no skipped keys now.",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §4.6 (MKSKIPPED, SkipMessageKeys, DHRatchet); DR §3.5",
        "Messages arrive out of order within a chain and across DH ratchet steps; every skipped key is stored and later used once.",
    ))
}

/// (c) A ciphertext bit flipped: refused, state unchanged; the genuine message then
/// decrypts.
fn tampered(h: &Handshake) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_tampered", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(Bob, "b0: hello", "Bob answers.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Ok,
        "Alice's DH ratchet step.",
    )?;
    let a1 = c.send(Alice, "a1: do not touch", "A message on Alice's new chain.")?;
    c.deliver(
        Bob,
        a1,
        Change::FlipCiphertextBit { index: 3, mask: 0x04 },
        Expect::Refused(spec::Error::DecryptionFailed),
        "The message with one bit flipped (ciphertext byte 3, the byte at wire offset 45, xor 0x04). It would start a DH ratchet step, but the tag fails, so it is refused and Bob's state is unchanged.",
    )?;
    c.deliver(
        Bob,
        a1,
        Change::None,
        Expect::Ok,
        "The genuine message still decrypts.",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §4.2, §4.6 (transactional decryption), §7 DecryptionFailed",
        "A ciphertext bit is flipped in transit: the message is refused with DecryptionFailed and the receiver's state is exactly as before, so the genuine message decrypts afterwards.",
    ))
}

/// (d) Replays of a ratchet message and of a PreKey message: `Duplicate`, state
/// unchanged.
fn replayed(h: &Handshake) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_replay", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(Bob, "b0: once only", "Bob answers.")?;
    c.deliver(Alice, b0, Change::None, Expect::Ok, "Alice decrypts it.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Refused(spec::Error::Duplicate),
        "The same message again: H.dh = DHr and H.n < Nr, so it is refused as Duplicate before any derivation; Alice's state is unchanged.",
    )?;
    c.deliver(
        Bob,
        a0,
        Change::None,
        Expect::Refused(spec::Error::Duplicate),
        "Alice's PreKey message again: its PreKey header matches Bob's prekey_hash, so its ratchet message is decrypted in the session, where it is a Duplicate; Bob's state is unchanged.",
    )?;
    let a1 = c.send(Alice, "a1: still fine", "The session goes on.")?;
    c.deliver(Bob, a1, Change::None, Expect::Ok, "Bob decrypts it.")?;
    Ok(c.finish(
        "docs/SPEC.md §4.6 (replays), §5.2, §7 Duplicate",
        "Replayed messages, a ratchet message and a PreKey message, are refused with Duplicate and change nothing.",
    ))
}

/// (e) A gap over `MAX_SKIP`: `TooManySkipped`, state unchanged.
fn over_max_skip(h: &Handshake) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_over_max_skip", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    c.send_lost(
        Bob,
        "lost",
        MAX_SKIP + 1,
        "Bob sends MAX_SKIP + 1 = 2001 messages, n = 0 to 2000, and all are lost.",
    )?;
    let last = c.send(
        Bob,
        "b2001: too far",
        "Bob's message n = 2001, the (MAX_SKIP + 2)th on his chain.",
    )?;
    c.deliver(
        Alice,
        last,
        Change::None,
        Expect::Refused(spec::Error::TooManySkipped),
        "Alice would take a DH ratchet step and skip from Nr = 0 to 2001, but Nr + MAX_SKIP = 2000 < 2001: refused as TooManySkipped before any key is derived, and her state is unchanged.",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §1 MAX_SKIP, §4.6 SkipMessageKeys, §7 TooManySkipped",
        "A message that would make the receiver skip MAX_SKIP + 1 message keys is refused with TooManySkipped.",
    ))
}

/// (f) The skipped-key store: exactly `MAX_SKIP` keys skipped in one message, the
/// store full at `MAX_STORED_SKIPPED_KEYS`, then one more key evicting the oldest.
fn skipped_key_store(h: &Handshake) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_skipped_key_store", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(
        Bob,
        "b0: oldest",
        "Bob's message n = 0, delivered only at the end.",
    )?;
    let b1 = c.send(Bob, "b1: next oldest", "n = 1, delivered only at the end.")?;
    c.send_lost(
        Bob,
        "lost",
        MAX_SKIP - 2,
        "Bob sends MAX_SKIP - 2 = 1998 messages, n = 2 to 1999, and all are lost.",
    )?;
    let b2000 = c.send(Bob, "b2000: exactly MAX_SKIP", "Bob's message n = 2000.")?;
    c.deliver(Alice, b2000, Change::None, Expect::Ok, "Alice takes a DH ratchet step and skips from Nr = 0 to 2000: Nr + MAX_SKIP = 2000 is not below 2000, so exactly MAX_SKIP skipped keys are accepted. She stores the keys of n = 0 to 1999: the store holds MAX_STORED_SKIPPED_KEYS = 2000 keys, full.")?;
    c.send_lost(Bob, "lost", 1, "Bob sends n = 2001, and it is lost.")?;
    let b2002 = c.send(Bob, "b2002: one more", "Bob's message n = 2002.")?;
    c.deliver(Alice, b2002, Change::None, Expect::Ok, "Alice skips n = 2001: its key is the 2001st, so the oldest, n = 0, is evicted; she holds n = 1 to 1999 and 2001, still 2000 keys.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Refused(spec::Error::Duplicate),
        "b0, whose key was evicted: no stored key, and n = 0 is below Nr on the current chain, so it is refused as Duplicate and the state is unchanged.",
    )?;
    c.deliver(
        Alice,
        b1,
        Change::None,
        Expect::Ok,
        "b1, the next oldest, was kept: it decrypts with its stored key, which is then deleted (1999 keys left).",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §1 MAX_SKIP and MAX_STORED_SKIPPED_KEYS, §4.3 MKSKIPPED, §4.6 SkipMessageKeys (\"remove the oldest\"), §8 Bounds",
        "A jump of exactly MAX_SKIP message keys is accepted and fills the skipped-key store to MAX_STORED_SKIPPED_KEYS; one more skipped key evicts the oldest (n = 0), whose message is then refused, while the next oldest (n = 1) still decrypts.",
    ))
}

// ---------------------------------------------------------------------------------
// state.json
// ---------------------------------------------------------------------------------

fn find<'a>(
    conversations: &'a [Conversation],
    id: &str,
) -> Result<&'a Conversation, GenerateError> {
    conversations
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| unexpected(format!("no conversation {id}")))
}

/// The state encoding a step left for the party it changed.
fn state_after(c: &Conversation, step: usize) -> Result<Vec<u8>, GenerateError> {
    match c.steps.get(step) {
        Some(Step::Send(s)) => Ok(s.sender_state.clone()),
        Some(Step::SendLost(s)) => Ok(s.sender_state.clone()),
        Some(Step::Deliver(d)) => Ok(d.receiver_state.clone()),
        None => Err(unexpected(format!("{}: no step {step}", c.id))),
    }
}

fn opt32<T>(value: Option<T>, bytes: impl Fn(&T) -> [u8; 32]) -> Option<[u8; 32]> {
    value.as_ref().map(bytes)
}

/// A valid state vector: the encoding, decoded by the spec, which must encode back.
fn state_vector(
    id: &str,
    source: String,
    description: &str,
    encoding: Vec<u8>,
) -> Result<StateVector, GenerateError> {
    let bytes = ByteSeq::from_public_slice(&encoding);
    let state = spec::state::decode_state(&bytes).map_err(spec_error(id))?;
    if encoded(&state) != encoding {
        return Err(unexpected(format!("{id}: does not encode back")));
    }
    let mut skipped = Vec::new();
    for key in &state.skipped {
        skipped.push(SkippedKey {
            dh: key.dh.to_public_array(),
            n: key.n,
            mk: key.mk.to_public_array(),
        });
    }
    Ok(StateVector {
        id: id.to_owned(),
        source,
        description: description.to_owned(),
        flags: encoding[1],
        ad: native(&state.ad)
            .try_into()
            .map_err(|_| unexpected(format!("{id}: AD is not 66 bytes")))?,
        dhs: state.dhs.to_public_array(),
        dhr: opt32(state.dhr, |k| k.to_public_array()),
        rk: state.rk.to_public_array(),
        cks: opt32(state.cks, |k| k.to_public_array()),
        ckr: opt32(state.ckr, |k| k.to_public_array()),
        ns: state.ns,
        nr: state.nr,
        pn: state.pn,
        prekey_hash: opt32(state.prekey_hash, |k| k.to_public_array()),
        skipped,
        pending_prekey: state.pending_prekey.as_ref().map(native),
        encoding,
    })
}

/// A rejected state vector: `decode_state` must refuse it with `error`.
fn rejected(
    id: &str,
    description: &str,
    encoding: Vec<u8>,
    error: spec::Error,
) -> Result<RejectedState, GenerateError> {
    match spec::state::decode_state(&ByteSeq::from_public_slice(&encoding)) {
        Err(e) if e == error => Ok(RejectedState {
            id: id.to_owned(),
            source: "docs/SPEC.md §6 (\"Decoding rejects: ...\"), §7".to_owned(),
            description: description.to_owned(),
            encoding,
            error: error.name().to_owned(),
        }),
        Err(e) => Err(unexpected(format!(
            "{id}: refused with {e:?}, not {error:?}"
        ))),
        Ok(_) => Err(unexpected(format!("{id}: decoded"))),
    }
}

fn with_byte(encoding: &[u8], offset: usize, value: u8) -> Vec<u8> {
    let mut out = encoding.to_vec();
    out[offset] = value;
    out
}

fn states(conversations: &[Conversation]) -> Result<StateVectors, GenerateError> {
    let in_order = find(conversations, "ratchet_in_order")?;
    let out_of_order = find(conversations, "ratchet_out_of_order")?;
    // Alice after session::initiate; Bob after accepting; Alice after her first
    // decryption; Alice holding skipped keys from two chains.
    let alice_initial = in_order.alice_state.clone();
    let bob_accepted = state_after(in_order, 2)?;
    let alice_established = state_after(in_order, 5)?;
    let alice_skipped = state_after(out_of_order, 13)?;
    let valid = vec![
        state_vector(
            "state_alice_initial",
            "docs/SPEC.md §4.3, §4.4, §6; ratchet.json ratchet_in_order, alice_state (after session::initiate)".to_owned(),
            "Alice right after session::initiate: DHr (Bob's SPK_B) and CKs present, no CKr, the 1647-byte pending PreKey header at the end (flags 0x0b).",
            alice_initial.clone(),
        )?,
        state_vector(
            "state_bob_accepted",
            "docs/SPEC.md §4.3, §4.6, §5.2, §6; ratchet.json ratchet_in_order, Bob after step 2 (session::accept)".to_owned(),
            "Bob right after accepting Alice's PreKey message: both chains, prekey_hash present (flags 0x17).",
            bob_accepted.clone(),
        )?,
        state_vector(
            "state_alice_established",
            "docs/SPEC.md §4.3, §4.6, §6; ratchet.json ratchet_in_order, Alice after step 5 (her first decryption)".to_owned(),
            "Alice after her first decryption: pending_prekey cleared, no prekey_hash (flags 0x07), 276 bytes.",
            alice_established.clone(),
        )?,
        state_vector(
            "state_alice_skipped_keys",
            "docs/SPEC.md §4.3, §4.6, §6; ratchet.json ratchet_out_of_order, Alice after step 13".to_owned(),
            "Alice holding two skipped keys (b1 and b3, both of Bob's first chain), oldest first: 276 + 2 × 68 bytes.",
            alice_skipped.clone(),
        )?,
    ];

    let mut bad_count = bob_accepted.clone();
    bad_count[STATE_OFFSET_COUNT..STATE_OFFSET_COUNT + 4].copy_from_slice(&2001u32.to_be_bytes());
    let mut short_count = alice_skipped.clone();
    short_count[STATE_OFFSET_COUNT..STATE_OFFSET_COUNT + 4].copy_from_slice(&1u32.to_be_bytes());
    let mut duplicate = alice_skipped.clone();
    // The second key's (dh, n) made equal to the first's.
    let first = alice_skipped[276..276 + 36].to_vec();
    duplicate[276 + 68..276 + 68 + 36].copy_from_slice(&first);
    let mut trailing = bob_accepted.clone();
    trailing.push(0x00);
    let mut ckr_without_dhr = with_byte(&alice_established, 1, alice_established[1] & !0x01);
    ckr_without_dhr[100..132].fill(0);
    let e = spec::Error::InvalidState;
    let rejected = vec![
        rejected(
            "state_empty",
            "The empty string: no version byte.",
            Vec::new(),
            e,
        )?,
        rejected(
            "state_unknown_version",
            "state_bob_accepted with version byte 0x02.",
            with_byte(&bob_accepted, 0, 0x02),
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_reserved_flag",
            "state_bob_accepted with flag bit 5 (0x20) set.",
            with_byte(&bob_accepted, 1, bob_accepted[1] | 0x20),
            e,
        )?,
        rejected(
            "state_absent_field_not_zero",
            "state_alice_initial (no CKr) with a non-zero byte in the CKr field (offset 196).",
            with_byte(&alice_initial, 196, 0x01),
            e,
        )?,
        rejected(
            "state_pending_prekey_and_prekey_hash",
            "state_alice_initial with flag bit 4 (prekey_hash) set as well as bit 3 (pending_prekey).",
            with_byte(&alice_initial, 1, alice_initial[1] | 0x10),
            e,
        )?,
        rejected(
            "state_count_over_limit",
            "state_bob_accepted with count 2001, over MAX_STORED_SKIPPED_KEYS.",
            bad_count.clone(),
            e,
        )?,
        rejected(
            "state_count_mismatch",
            "state_alice_skipped_keys with count 1 while two keys follow: the length is not the one count gives.",
            short_count,
            e,
        )?,
        rejected(
            "state_duplicate_skipped_key",
            "state_alice_skipped_keys with the second key's dh and n made equal to the first's.",
            duplicate,
            e,
        )?,
        rejected(
            "state_truncated",
            "state_bob_accepted without its last byte.",
            bob_accepted[..bob_accepted.len() - 1].to_vec(),
            e,
        )?,
        rejected(
            "state_trailing_byte",
            "state_bob_accepted with one byte 0x00 appended.",
            trailing,
            e,
        )?,
        rejected(
            "state_truncated_pending_prekey",
            "state_alice_initial without the last byte of its pending PreKey header.",
            alice_initial[..alice_initial.len() - 1].to_vec(),
            e,
        )?,
        rejected(
            "state_ckr_without_dhr",
            "state_alice_established (DHr, CKs, CKr) with the DHr flag (bit 0) cleared and the DHr field (offset 100) zeroed: CKr present without DHr, and nothing else wrong.",
            ckr_without_dhr,
            e,
        )?,
        rejected(
            "state_version_only",
            "The single byte 0x01: the right version and nothing else.",
            vec![0x01],
            e,
        )?,
        rejected(
            "state_unknown_version_one_byte",
            "The single byte 0x02: another version, and too short. The version is checked first: UnknownVersion.",
            vec![0x02],
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_unknown_version_and_reserved_flag",
            "state_bob_accepted with version byte 0x02 and flag bit 5 (0x20) set: the version is checked first, UnknownVersion.",
            with_byte(
                &with_byte(&bob_accepted, 0, 0x02),
                1,
                bob_accepted[1] | 0x20,
            ),
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_unknown_version_and_truncated",
            "The first 100 bytes of state_bob_accepted with version byte 0x02: the version is checked before the length, UnknownVersion.",
            with_byte(&bob_accepted[..100], 0, 0x02),
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_unknown_version_and_count_over_limit",
            "state_count_over_limit with version byte 0x02: UnknownVersion.",
            with_byte(&bad_count, 0, 0x02),
            spec::Error::UnknownVersion,
        )?,
    ];
    Ok(StateVectors { valid, rejected })
}
