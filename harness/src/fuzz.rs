//! The bodies of the fuzz targets in `fuzz/`, as plain functions over bytes.
//!
//! Each target of `fuzz/fuzz_targets/` is a few lines: it hands libFuzzer's input
//! to one of these functions and panics with the [`Finding`] if there is one. The
//! checks live here, not in the fuzz crate, so that they build and run on stable:
//! `lockstep fuzz repro` replays a crash file through them without libFuzzer, and
//! `harness/tests/fuzz.rs` runs every committed corpus and regression file through
//! them on every `cargo test`.
//!
//! | target | input | checks |
//! |---|---|---|
//! | [`decode_messages`] | bytes | every wire decoder of spec and impl gives the same answer; what decodes re-encodes to the input |
//! | [`decrypt_untrusted`] | a session number, a recipient, framed messages | an established session given anything: no panic; a refusal leaves the state encoding unchanged; only messages the peer sent decrypt, to what was sent, once |
//! | [`state_decode`] | bytes | `Session::from_bytes` and the spec's `decode_state` agree; what decodes re-encodes to the input; an encryption from it is the same on both sides |
//! | [`conversation`] | a scenario, via `arbitrary` | spec and impl transcripts are equal; every invariant of [`crate::invariants`] holds |
//! | [`conversation_impl`] | the same | the implementation alone keeps every invariant (faster: no spec) |
//! | [`primitives_differential`] | an operation byte and its inputs | spec ≡ impl for X25519, the AEAD, HKDF/HMAC/SHA-2, XEdDSA and ML-KEM |
//!
//! The spec is slow (an X25519 takes milliseconds in it, SPEC's set-up a quarter of
//! a second), so the targets that run it keep their inputs small: `conversation`
//! draws its seed from [`CONVERSATION_SEEDS`] values, so the spec's set-ups can be
//! remembered, and bounds its events and bursts ([`MAX_CONVERSATION_EVENTS`],
//! [`MAX_CONVERSATION_BURST`]). `decrypt_untrusted` is the implementation alone, at
//! full speed.

use core::fmt;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use lockstep::session::Session;
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use sha2::{Digest, Sha256};

use crate::driver::{
    Driver, Exposure, Failure, ImplDriver, OtherSessionInputs, SetUpInputs, SpecDriver,
};
use crate::model::{
    BundlePart, Event, Field, HeaderFields, Party, Scenario, SetUp, Tamper, WireKey,
};
use crate::run::{Run, first_divergence, run};
use crate::sides::{Impl, Primitives, Refusal, Spec};

/// A property a fuzz target checks that failed on an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The target that found it.
    pub target: &'static str,
    /// The property that failed, in a few words.
    pub property: &'static str,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.target, self.property, self.detail)
    }
}

/// One fuzz target: its name (the file `fuzz/fuzz_targets/<name>.rs`), what it
/// checks, and its body.
#[derive(Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// What it checks, in one line.
    pub about: &'static str,
    /// The longest input worth trying (libFuzzer's `-max_len`).
    pub max_len: usize,
    /// The body: `Err` is a finding (the fuzz target panics with it).
    pub check: fn(&[u8]) -> Result<(), Finding>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

const TARGETS: &[Target] = &[
    Target {
        name: "decode_messages",
        about: "every wire decoder, spec against impl; what decodes re-encodes identically",
        // A PreKey message carrying the longest ratchet message, and one byte more.
        max_len: lockstep::consts::PREKEY_HEADER_LEN + lockstep::wire::MAX_RATCHET_MESSAGE_LEN + 1,
        check: decode_messages,
    },
    Target {
        name: "decrypt_untrusted",
        about: "an established session receives anything: refusals leave its state unchanged",
        max_len: 8192,
        check: decrypt_untrusted,
    },
    Target {
        name: "state_decode",
        about: "Session::from_bytes against the spec's decode_state; re-encodes identically",
        max_len: 8192,
        check: state_decode,
    },
    Target {
        name: "conversation",
        about: "a whole scenario: spec and impl transcripts equal, every invariant holds",
        max_len: 1024,
        check: conversation,
    },
    Target {
        name: "conversation_impl",
        about: "a whole scenario through the implementation alone: every invariant holds",
        max_len: 1024,
        check: conversation_impl,
    },
    Target {
        name: "primitives_differential",
        about: "X25519, AEAD, HKDF, XEdDSA and ML-KEM: spec against impl",
        max_len: 4096,
        check: primitives_differential,
    },
];

/// Every fuzz target, in the order `lockstep fuzz` runs them.
#[must_use]
pub fn targets() -> &'static [Target] {
    TARGETS
}

/// The target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<&'static Target> {
    targets().iter().find(|t| t.name == name)
}

/// "the targets: a, b, c" (or "there are no fuzz targets"), for messages and
/// `--help` texts.
#[must_use]
pub fn target_list() -> String {
    let names: Vec<&str> = targets().iter().map(|t| t.name).collect();
    if names.is_empty() {
        "there are no fuzz targets".to_owned()
    } else {
        format!("the targets: {}", names.join(", "))
    }
}

fn finding(target: &'static str, property: &'static str, detail: impl Into<String>) -> Finding {
    Finding {
        target,
        property,
        detail: detail.into(),
    }
}

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

// ---------------------------------------------------------------------------------
// decode_messages
// ---------------------------------------------------------------------------------

const DECODE: &str = "decode_messages";

/// Compares two sides' answers on one input: equal refusals, or both decoded and
/// both re-encoded to the input.
fn same_decoding(
    decoder: &'static str,
    input: &[u8],
    spec: Result<Vec<u8>, Failure>,
    implementation: Result<Vec<u8>, Failure>,
) -> Result<(), Finding> {
    match (spec, implementation) {
        (Err(s), Err(i)) if s == i => Ok(()),
        (Ok(s), Ok(i)) => {
            if s != input {
                return Err(finding(
                    DECODE,
                    "spec re-encodes differently",
                    format!("{decoder}: in {} out {}", hex(input), hex(&s)),
                ));
            }
            if i != input {
                return Err(finding(
                    DECODE,
                    "impl re-encodes differently",
                    format!("{decoder}: in {} out {}", hex(input), hex(&i)),
                ));
            }
            Ok(())
        }
        (s, i) => Err(finding(
            DECODE,
            "spec and impl decode differently",
            format!(
                "{decoder}: spec {:?}, impl {:?}",
                s.map(|_| "decoded"),
                i.map(|_| "decoded")
            ),
        )),
    }
}

/// A finding if the borrowed decoder (`<decoder>_ref`) did not `agree` with the
/// owned one.
fn borrowed_agrees(
    decoder: &str,
    agree: bool,
    owned: &impl fmt::Debug,
    borrowed: &impl fmt::Debug,
) -> Result<(), Finding> {
    if agree {
        return Ok(());
    }
    Err(finding(
        DECODE,
        "borrowed and owned decoding differ",
        format!("{decoder} {owned:?} / {decoder}_ref {borrowed:?}"),
    ))
}

/// Does the borrowed decoding agree with the owned one?
fn same_ratchet_ref(
    owned: &lockstep::wire::RatchetMessage,
    borrowed: &lockstep::wire::RatchetMessageRef<'_>,
) -> bool {
    owned.header == borrowed.header && owned.ciphertext == borrowed.ciphertext
}

/// Arbitrary bytes into every wire decoder (SPEC §3.2, §5, §5.1, §5.2) of the spec
/// and of the implementation, owned and borrowed: the same refusal everywhere, or
/// the same message, which re-encodes to exactly the input (the encoding is
/// canonical: no two byte strings decode to one message).
///
/// # Errors
/// A [`Finding`] naming the decoder that disagreed.
pub fn decode_messages(data: &[u8]) -> Result<(), Finding> {
    use lockstep::wire as w;
    let bytes = seq(data);

    // Any message (SPEC §5), owned and borrowed.
    let owned = w::decode_message(data);
    let borrowed = w::decode_message_ref(data);
    let agree = match (&owned, &borrowed) {
        (Ok(w::Message::Ratchet(o)), Ok(w::MessageRef::Ratchet(b))) => same_ratchet_ref(o, b),
        (Ok(w::Message::PreKey(o)), Ok(w::MessageRef::PreKey { header, message })) => {
            data.get(..lockstep::consts::PREKEY_HEADER_LEN) == Some(*header)
                && same_ratchet_ref(&o.message, message)
        }
        (Err(o), Err(b)) => o == b,
        _ => false,
    };
    borrowed_agrees("decode_message", agree, &owned, &borrowed)?;
    same_decoding(
        "decode_message",
        data,
        spec::wire::decode_message(&bytes)
            .map(|m| spec::wire::encode_message(&m).to_native())
            .map_err(Failure::from),
        owned.map(|m| w::encode_message(&m)).map_err(Failure::from),
    )?;

    // A ratchet message (SPEC §5.1), owned and borrowed.
    let owned = w::decode_ratchet_message(data);
    let borrowed = w::decode_ratchet_message_ref(data);
    let agree = match (&owned, &borrowed) {
        (Ok(o), Ok(b)) => same_ratchet_ref(o, b),
        (Err(o), Err(b)) => o == b,
        _ => false,
    };
    borrowed_agrees("decode_ratchet_message", agree, &owned, &borrowed)?;
    same_decoding(
        "decode_ratchet_message",
        data,
        spec::wire::decode_ratchet_message(&bytes)
            .map(|m| spec::wire::encode_ratchet_message(&m).to_native())
            .map_err(Failure::from),
        owned
            .map(|m| w::encode_ratchet_message(&m))
            .map_err(Failure::from),
    )?;

    // A PreKey message (SPEC §5.2).
    same_decoding(
        "decode_prekey_message",
        data,
        spec::wire::decode_prekey_message(&bytes)
            .map(|m| spec::wire::encode_prekey_message(&m).to_native())
            .map_err(Failure::from),
        w::decode_prekey_message(data)
            .map(|m| w::encode_prekey_message(&m))
            .map_err(Failure::from),
    )?;

    // A bundle (SPEC §3.2), by both of the implementation's entry points.
    let via_method = w::PreKeyBundle::from_bytes(data).map(|b| b.to_bytes());
    let via_function = w::decode_bundle(data).map(|b| w::encode_bundle(&b));
    if via_method != via_function {
        return Err(finding(
            DECODE,
            "PreKeyBundle::from_bytes and decode_bundle differ",
            format!(
                "{:?} / {:?}",
                via_method.map(|_| ()),
                via_function.map(|_| ())
            ),
        ));
    }
    same_decoding(
        "decode_bundle",
        data,
        spec::wire::decode_bundle(&bytes)
            .map(|b| spec::wire::encode_bundle(&b).to_native())
            .map_err(Failure::from),
        via_function.map_err(Failure::from),
    )
}

// ---------------------------------------------------------------------------------
// decrypt_untrusted
// ---------------------------------------------------------------------------------

const UNTRUSTED: &str = "decrypt_untrusted";

/// How many established sessions `decrypt_untrusted` chooses from (the first input
/// byte, modulo this). Each is made once per process, by the implementation.
pub const FIXTURES: u8 = 8;

/// The most messages one `decrypt_untrusted` input delivers.
pub const MAX_UNTRUSTED_MESSAGES: usize = 16;

/// A message one party sent and the other has not received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The addressee.
    pub to: Party,
    /// The wire bytes.
    pub bytes: Vec<u8>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
}

/// An established conversation, made by the implementation from a fixed scenario
/// (see [`fixture_scenario`]), where both parties hold a session with skipped keys
/// and messages are still in flight.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// Which one (`0..FIXTURES`).
    pub index: u8,
    /// Alice's state encoding (SPEC §6).
    pub alice: Vec<u8>,
    /// Bob's.
    pub bob: Vec<u8>,
    /// The messages in flight: the only ones that may decrypt.
    pub pending: Vec<Pending>,
    /// The messages delivered already (each a replay if delivered again).
    pub delivered: Vec<Pending>,
}

impl Fixture {
    /// `party`'s state encoding.
    #[must_use]
    pub fn state(&self, party: Party) -> &[u8] {
        match party {
            Party::Alice => &self.alice,
            Party::Bob => &self.bob,
        }
    }
}

/// The scenario behind fixture `index`: Alice sends three PreKey messages, Bob
/// receives the first and third (storing a skipped key), sends two, Alice receives
/// his second (a DH ratchet step, storing a skipped key), sends two on her new
/// chain, and Bob sends a third. In flight at the end: Alice's second message (to
/// a skipped key), her two new ones (a DH ratchet step for Bob), Bob's first (to a
/// skipped key) and his third (Alice's current receiving chain).
#[must_use]
pub fn fixture_scenario(index: u8) -> Scenario {
    let mut seed = [0u8; 32];
    seed[..21].copy_from_slice(b"lockstep fuzz fixture");
    seed[31] = index;
    let send = |from: Party, len: u16| Event::Send { from, len };
    Scenario {
        seed,
        set_up: SetUp {
            opk: index & 1 == 0,
            pq_last_resort: index & 2 != 0,
        },
        events: vec![
            send(Party::Alice, 13),
            send(Party::Alice, 0),
            send(Party::Alice, 100),
            Event::Deliver { pick: 0 },
            Event::Deliver { pick: 1 },
            send(Party::Bob, 7),
            send(Party::Bob, 64),
            Event::Deliver { pick: 2 },
            send(Party::Alice, 1),
            send(Party::Alice, 300),
            send(Party::Bob, 2),
        ],
    }
}

/// Makes fixture `index` with the implementation.
///
/// # Errors
/// A [`Finding`] if any step of its scenario failed.
pub fn make_fixture(index: u8) -> Result<Fixture, Finding> {
    let scenario = fixture_scenario(index);
    let mut driver = ImplDriver::new();
    let run = run(&mut driver, &scenario);
    let broken = |detail: String| finding(UNTRUSTED, "fixture", detail);
    if let Some(failed) = run.deliveries.iter().find(|d| d.result.is_err()) {
        return Err(broken(format!(
            "fixture {index}: delivery failed: {failed:?}"
        )));
    }
    let (Some(alice), Some(bob)) = (driver.state(Party::Alice), driver.state(Party::Bob)) else {
        return Err(broken(format!("fixture {index}: a party has no session")));
    };
    let mut pending = Vec::new();
    let mut delivered = Vec::new();
    for message in &run.sent {
        let entry = Pending {
            to: message.from.peer(),
            bytes: message.bytes.clone(),
            plaintext: message.plaintext.clone(),
        };
        if run.deliveries.iter().any(|d| d.message == Some(message.id)) {
            delivered.push(entry);
        } else {
            pending.push(entry);
        }
    }
    Ok(Fixture {
        index,
        alice,
        bob,
        pending,
        delivered,
    })
}

/// The fixtures, made once per process.
///
/// # Errors
/// A [`Finding`] if one could not be made.
pub fn fixtures() -> Result<&'static [Fixture], Finding> {
    static FIXTURES_MADE: OnceLock<Result<Vec<Fixture>, Finding>> = OnceLock::new();
    FIXTURES_MADE
        .get_or_init(|| (0..FIXTURES).map(make_fixture).collect())
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// The ratchet private key a `decrypt_untrusted` recipient is given for its
/// `i`-th delivery (fixed, so a crash replays).
fn untrusted_r(fixture: u8, i: usize) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"lockstep fuzz decrypt_untrusted r\0");
    hash.update([fixture]);
    hash.update((i as u64).to_be_bytes());
    hash.finalize().into()
}

/// Splits the rest of a `decrypt_untrusted` input into messages: each is a 2-byte
/// little-endian length, then that many bytes (fewer if the input ends first).
#[must_use]
pub fn frames(mut rest: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while out.len() < MAX_UNTRUSTED_MESSAGES && rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]]));
        let body = &rest[2..];
        let (message, tail) = body.split_at(len.min(body.len()));
        out.push(message);
        rest = tail;
    }
    out
}

/// The inverse of [`frames`] (for the seed corpus).
#[must_use]
pub fn frame(messages: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for message in messages {
        let len = u16::try_from(message.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&message[..usize::from(len)]);
    }
    out
}

/// The ratchet message a PreKey message carries (bytes 1647.., SPEC §5.2).
fn carried(message: &[u8]) -> Option<&[u8]> {
    match message {
        [_, lockstep::consts::MSG_PREKEY, ..] => message.get(lockstep::consts::PREKEY_HEADER_LEN..),
        _ => None,
    }
}

/// What [`decrypt_untrusted`] delivers to: the implementation's [`Session`], or, in
/// the tests that show the target catching bugs, a deliberately broken one.
pub trait Recipient {
    /// SPEC §4.6, §5.2: decrypt `message` with `r` as the next ratchet private key.
    ///
    /// # Errors
    /// The session's refusal.
    fn decrypt(&mut self, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure>;

    /// SPEC §6: the state encoding.
    fn encoding(&self) -> Vec<u8>;
}

impl Recipient for Session {
    fn decrypt(&mut self, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        self.decrypt_with(message, r).map_err(Failure::from)
    }

    fn encoding(&self) -> Vec<u8> {
        self.to_bytes().to_vec()
    }
}

/// An established session (fixture `data[0] % FIXTURES`, Alice's or Bob's by the
/// low bit of `data[1]`) is given the messages framed in the rest of the input, in
/// order, each with a fresh ratchet key. For every message: decryption never
/// panics; a refusal leaves the state encoding byte for byte as it was (SPEC §4.6:
/// decryption is transactional); a success is one of the messages its peer sent and
/// has not delivered (or the ratchet message such a PreKey message carries: SPEC
/// §5.2), gives that message's plaintext, is not a message accepted before in either
/// form, and the same bytes delivered again are refused, again without a change of
/// state.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn decrypt_untrusted(data: &[u8]) -> Result<(), Finding> {
    deliver_untrusted(data, |state| {
        Session::from_bytes(state).map_err(Failure::from)
    })
}

/// [`decrypt_untrusted`] on the recipient `open` makes from a fixture's state
/// encoding.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn deliver_untrusted<R: Recipient>(
    data: &[u8],
    open: impl Fn(&[u8]) -> Result<R, Failure>,
) -> Result<(), Finding> {
    let [which, whom, rest @ ..] = data else {
        return Ok(());
    };
    let fixtures = fixtures()?;
    let Some(fixture) = fixtures.get(usize::from(which % FIXTURES)) else {
        return Ok(());
    };
    let to = if whom & 1 == 0 {
        Party::Alice
    } else {
        Party::Bob
    };
    let mut session = open(fixture.state(to)).map_err(|e| {
        finding(
            UNTRUSTED,
            "fixture",
            format!("state does not decode: {e:?}"),
        )
    })?;
    let mut accepted: Vec<usize> = Vec::new();
    for (i, message) in frames(rest).into_iter().enumerate() {
        let before = session.encoding();
        let r = untrusted_r(fixture.index, i);
        match session.decrypt(message, &r) {
            Err(error) => {
                if session.encoding() != before {
                    return Err(finding(
                        UNTRUSTED,
                        "a refused message changed the state",
                        format!(
                            "{} refused message {i} ({error:?}) and its state changed",
                            to.name()
                        ),
                    ));
                }
            }
            Ok(plaintext) => {
                // The message, or the ratchet message a PreKey message carries (SPEC
                // §5.2: the same message, which Bob's session decrypts either way).
                let genuine = fixture.pending.iter().enumerate().find(|(_, p)| {
                    p.to == to && (p.bytes == message || carried(&p.bytes) == Some(message))
                });
                let Some((index, genuine)) = genuine else {
                    return Err(finding(
                        UNTRUSTED,
                        "a message no one sent was accepted",
                        format!("{} accepted message {i}: {}", to.name(), hex(message)),
                    ));
                };
                if accepted.contains(&index) {
                    return Err(finding(
                        UNTRUSTED,
                        "a message was accepted twice",
                        format!("{} accepted message {i} again", to.name()),
                    ));
                }
                if plaintext != genuine.plaintext {
                    return Err(finding(
                        UNTRUSTED,
                        "wrong plaintext",
                        format!("{} decrypted message {i} to another plaintext", to.name()),
                    ));
                }
                accepted.push(index);
                let after = session.encoding();
                let again = session.decrypt(message, &untrusted_r(fixture.index, i + 1000));
                if again.is_ok() || session.encoding() != after {
                    return Err(finding(
                        UNTRUSTED,
                        "a replay was accepted or changed the state",
                        format!(
                            "{} given message {i} twice: {:?}",
                            to.name(),
                            again.map(|_| ())
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// state_decode
// ---------------------------------------------------------------------------------

const STATE: &str = "state_decode";

/// The plaintext [`state_decode`] encrypts from a decoded state.
const STATE_PLAINTEXT: &[u8] = b"lockstep fuzz";

/// Arbitrary bytes into `Session::from_bytes` and the spec's `decode_state` (SPEC
/// §6): the same refusal, or both decode, and both re-encode to exactly the input.
/// A decoded state then encrypts a short message on both sides: the same message
/// bytes and the same next state, or the same refusal with the state unchanged.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn state_decode(data: &[u8]) -> Result<(), Finding> {
    let implementation = Session::from_bytes(data).map_err(Failure::from);
    let spec_state = spec::state::decode_state(&seq(data)).map_err(Failure::from);
    let (mut session, state) = match (implementation, spec_state) {
        (Err(i), Err(s)) if i == s => return Ok(()),
        (Ok(session), Ok(state)) => (session, state),
        (i, s) => {
            return Err(finding(
                STATE,
                "spec and impl decode differently",
                format!(
                    "spec {:?}, impl {:?}",
                    s.map(|_| "decoded"),
                    i.map(|_| "decoded")
                ),
            ));
        }
    };
    if session.to_bytes().as_slice() != data {
        return Err(finding(STATE, "impl re-encodes differently", hex(data)));
    }
    if spec::state::encode_state(&state).to_native() != data {
        return Err(finding(STATE, "spec re-encodes differently", hex(data)));
    }
    let sent = session.encrypt(STATE_PLAINTEXT).map_err(Failure::from);
    let spec_sent = spec::session::encrypt(&state, &seq(STATE_PLAINTEXT));
    match (sent, spec_sent) {
        (Ok(message), Ok((next, spec_message))) => {
            if message != spec_message.to_native() {
                return Err(finding(
                    STATE,
                    "spec and impl encrypt differently",
                    hex(data),
                ));
            }
            if session.to_bytes().as_slice() != spec::state::encode_state(&next).to_native() {
                return Err(finding(
                    STATE,
                    "spec and impl states differ after encrypting",
                    hex(data),
                ));
            }
        }
        (Err(i), Err(s)) if i == Failure::from(s) => {
            if session.to_bytes().as_slice() != data {
                return Err(finding(
                    STATE,
                    "a refused encryption changed the state",
                    hex(data),
                ));
            }
        }
        (i, s) => {
            return Err(finding(
                STATE,
                "spec and impl encrypt differently",
                format!("spec {:?}, impl {:?}", s.map(|_| ()), i.map(|_| ())),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// conversation
// ---------------------------------------------------------------------------------

const CONVERSATION: &str = "conversation";

/// How many seeds `conversation` draws from (its seed byte, modulo this), so that
/// the spec's set-ups (a quarter of a second each) are made once per process.
pub const CONVERSATION_SEEDS: u8 = 8;

/// The most events of one `conversation` input (the rest are ignored).
pub const MAX_CONVERSATION_EVENTS: usize = 32;

/// The most messages one burst of a `conversation` input sends (SPEC's skip bounds
/// are reached by `decrypt_untrusted` and by the harness's fixed scenarios, not
/// here: 2,000 messages through the spec take seconds).
pub const MAX_CONVERSATION_BURST: u16 = 64;

/// What the `conversation` target reads from its input with `arbitrary`: a
/// scenario with a one-byte seed, bounded by [`ConversationInput::scenario`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ConversationInput {
    /// Which of [`CONVERSATION_SEEDS`] seeds (modulo).
    pub seed: u8,
    /// Bob's bundle.
    pub set_up: SetUp,
    /// What happens.
    pub events: Vec<Event>,
}

impl ConversationInput {
    /// The scenario played: the seed expanded, at most [`MAX_CONVERSATION_EVENTS`]
    /// events, each burst cut to [`MAX_CONVERSATION_BURST`] messages.
    #[must_use]
    pub fn scenario(&self) -> Scenario {
        let mut seed = [0u8; 32];
        seed[..26].copy_from_slice(b"lockstep fuzz conversation");
        seed[31] = self.seed % CONVERSATION_SEEDS;
        let events = self
            .events
            .iter()
            .take(MAX_CONVERSATION_EVENTS)
            .map(|event| match *event {
                Event::Burst { from, count } => Event::Burst {
                    from,
                    count: count % MAX_CONVERSATION_BURST,
                },
                other => other,
            })
            .collect();
        Scenario {
            seed,
            set_up: self.set_up,
            events,
        }
    }

    /// The bytes that `arbitrary` (1.x, as the `conversation` target calls it) reads
    /// back as this input: the inverse of the derived `Arbitrary`, for the seed
    /// corpus. A test checks the round trip.
    #[must_use]
    pub fn to_fuzz_bytes(&self) -> Vec<u8> {
        let mut out = vec![
            self.seed,
            u8::from(self.set_up.opk),
            u8::from(self.set_up.pq_last_resort),
        ];
        for event in &self.events {
            out.push(1);
            encode_event(&mut out, event);
        }
        out.push(0);
        out
    }
}

/// `arbitrary`'s derived enums read a `u32` and take variant
/// `(u32 * count) >> 32`: the smallest `u32` that gives `index`.
fn variant(out: &mut Vec<u8>, index: u64, count: u64) {
    let tag = (index << 32).div_ceil(count);
    out.extend_from_slice(&u32::try_from(tag).unwrap_or(u32::MAX).to_le_bytes());
}

fn encode_party(out: &mut Vec<u8>, party: Party) {
    variant(out, u64::from(party == Party::Bob), 2);
}

fn encode_event(out: &mut Vec<u8>, event: &Event) {
    const EVENTS: u64 = 10;
    match *event {
        Event::Send { from, len } => {
            variant(out, 0, EVENTS);
            encode_party(out, from);
            out.extend_from_slice(&len.to_le_bytes());
        }
        Event::Burst { from, count } => {
            variant(out, 1, EVENTS);
            encode_party(out, from);
            out.extend_from_slice(&count.to_le_bytes());
        }
        Event::Deliver { pick } => {
            variant(out, 2, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Drop { pick } => {
            variant(out, 3, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Reorder { a, b } => {
            variant(out, 4, EVENTS);
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&b.to_le_bytes());
        }
        Event::Duplicate { pick } => {
            variant(out, 5, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Reflect { pick } => {
            variant(out, 6, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Tamper { pick, how } => {
            variant(out, 7, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
            encode_tamper(out, how);
        }
        Event::Inject { to, pick } => {
            variant(out, 8, EVENTS);
            encode_party(out, to);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Compromise { party } => {
            variant(out, 9, EVENTS);
            encode_party(out, party);
        }
    }
}

fn encode_tamper(out: &mut Vec<u8>, how: Tamper) {
    const TAMPERS: u64 = 7;
    match how {
        Tamper::Flip { offset, mask } => {
            variant(out, 0, TAMPERS);
            out.extend_from_slice(&offset.to_le_bytes());
            out.push(mask);
        }
        Tamper::Field { field, value } => {
            variant(out, 1, TAMPERS);
            let index = match field {
                Field::Version => 0,
                Field::Type => 1,
                Field::RatchetKey => 2,
                Field::PreviousCount => 3,
                Field::Number => 4,
                Field::Ciphertext => 5,
                Field::Tag => 6,
                Field::PreKeyIdentity => 7,
                Field::PreKeyKemCiphertext => 8,
                Field::PreKeyOpkFlag => 9,
            };
            variant(out, index, 10);
            out.extend_from_slice(&value.to_le_bytes());
        }
        Tamper::Truncate { len } => {
            variant(out, 2, TAMPERS);
            out.extend_from_slice(&len.to_le_bytes());
        }
        Tamper::Extend { byte, count } => {
            variant(out, 3, TAMPERS);
            out.push(byte);
            out.push(count);
        }
        Tamper::SmallOrder { key, torsion } => {
            variant(out, 4, TAMPERS);
            let index = match key {
                WireKey::PreKeyIdentity => 0,
                WireKey::PreKeyEphemeral => 1,
                WireKey::RatchetKey => 2,
            };
            variant(out, index, 3);
            out.push(torsion);
        }
        Tamper::SwapHeader { donor, fields } => {
            variant(out, 5, TAMPERS);
            out.extend_from_slice(&donor.to_le_bytes());
            let index = match fields {
                HeaderFields::RatchetKey => 0,
                HeaderFields::Counters => 1,
                HeaderFields::All => 2,
            };
            variant(out, index, 3);
        }
        Tamper::Bundle {
            part,
            variant: which,
        } => {
            variant(out, 6, TAMPERS);
            let index = match part {
                BundlePart::IdentityKey => 0,
                BundlePart::SignedPreKey => 1,
                BundlePart::OneTimePreKey => 2,
                BundlePart::SignedPreKeySignature => 3,
                BundlePart::PqPreKeySignature => 4,
                BundlePart::PqPreKey => 5,
            };
            variant(out, index, 6);
            out.push(which);
        }
    }
}

/// The spec driver, with its set-ups and other sessions remembered across inputs
/// (keyed by every input byte of theirs), so a fuzzing process pays for each once.
#[derive(Default)]
struct RememberingSpec {
    inner: SpecDriver,
    set_up_key: [u8; 32],
}

type SetUpCache = HashMap<[u8; 32], (SpecDriver, Result<Vec<u8>, Failure>)>;
type OtherCache = HashMap<[u8; 32], Result<[Vec<u8>; 2], Failure>>;

/// Beyond this many entries a cache is emptied (inputs with many distinct set-ups
/// do not grow the fuzzer's memory without bound).
const CACHE_LIMIT: usize = 256;

fn set_up_key(inputs: &SetUpInputs) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update([
        u8::from(inputs.set_up.opk),
        u8::from(inputs.set_up.pq_last_resort),
    ]);
    for part in [
        &inputs.ik_a[..],
        &inputs.ik_b,
        &inputs.spk_b,
        &inputs.opk_b,
        &inputs.pq_seed,
        &inputs.z_spk,
        &inputs.z_pqpk,
        &inputs.ek_a,
        &inputs.m,
        &inputs.r_a,
    ] {
        hash.update(part);
    }
    hash.finalize().into()
}

impl Driver for RememberingSpec {
    fn name(&self) -> &'static str {
        "spec"
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        static CACHE: OnceLock<Mutex<SetUpCache>> = OnceLock::new();
        let key = set_up_key(inputs);
        self.set_up_key = key;
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some((driver, result)) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            self.inner = driver;
            return result;
        }
        let result = self.inner.set_up(inputs);
        if let Ok(mut c) = cache.lock() {
            if c.len() >= CACHE_LIMIT {
                c.clear();
            }
            c.insert(key, (self.inner.clone(), result.clone()));
        }
        result
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        static CACHE: OnceLock<Mutex<OtherCache>> = OnceLock::new();
        let mut hash = Sha256::new();
        hash.update(self.set_up_key);
        for part in [&inputs.ik[..], &inputs.ek, &inputs.m, &inputs.r] {
            hash.update(part);
        }
        for plaintext in &inputs.plaintexts {
            hash.update((plaintext.len() as u64).to_be_bytes());
            hash.update(plaintext);
        }
        let key: [u8; 32] = hash.finalize().into();
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some(result) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return result;
        }
        let result = self.inner.other_session(inputs);
        if let Ok(mut c) = cache.lock() {
            if c.len() >= CACHE_LIMIT {
                c.clear();
            }
            c.insert(key, result.clone());
        }
        result
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        self.inner.encrypt(party, plaintext)
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        self.inner.decrypt(party, message, r)
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        self.inner.state(party)
    }

    fn compromise(&self, party: Party) -> Exposure {
        self.inner.compromise(party)
    }

    fn take_aead_use(&mut self) -> Option<crate::driver::AeadUse> {
        self.inner.take_aead_use()
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        self.inner.verify_bundle(bundle)
    }
}

/// Plays `scenario` through the spec (set-ups remembered) and the implementation;
/// the transcripts must be equal and the implementation's run must keep every
/// invariant. Returns the implementation's run.
///
/// # Errors
/// A [`Finding`] with the first divergence or the violation.
pub fn check_scenario(scenario: &Scenario) -> Result<Run, Finding> {
    let spec_run = run(&mut RememberingSpec::default(), scenario);
    let impl_run = run(&mut ImplDriver::new(), scenario);
    if let Some(divergence) = first_divergence(&spec_run, &impl_run) {
        return Err(finding(
            CONVERSATION,
            "spec and impl transcripts differ",
            format!("{divergence:?}"),
        ));
    }
    crate::invariants::check_all(&impl_run).map_err(|violation| {
        finding(
            CONVERSATION,
            "an invariant failed",
            format!("{violation:?}"),
        )
    })?;
    Ok(impl_run)
}

/// The [`ConversationInput`] `arbitrary` reads from `data`, if it can.
#[cfg(feature = "arbitrary")]
fn read_conversation(data: &[u8]) -> Option<ConversationInput> {
    use arbitrary::Arbitrary;
    ConversationInput::arbitrary(&mut arbitrary::Unstructured::new(data)).ok()
}

/// Without the `arbitrary` feature there is no structure-aware reading of the input:
/// no input is a scenario.
#[cfg(not(feature = "arbitrary"))]
fn read_conversation(data: &[u8]) -> Option<ConversationInput> {
    let _ = data;
    None
}

/// A scenario read from the input with `arbitrary` ([`ConversationInput`], bounded
/// by [`ConversationInput::scenario`]) is played through spec and implementation:
/// the transcripts (every wire byte, plaintext, refusal and state encoding) must be
/// equal, and the implementation's run must keep every invariant of
/// [`crate::invariants`]. Inputs `arbitrary` cannot read are ignored.
///
/// # Errors
/// A [`Finding`] with the first divergence or the violation.
pub fn conversation(data: &[u8]) -> Result<(), Finding> {
    match read_conversation(data) {
        Some(input) => check_scenario(&input.scenario()).map(|_| ()),
        None => Ok(()),
    }
}

const CONVERSATION_IMPL: &str = "conversation_impl";

/// [`conversation`] without the spec: the implementation alone plays the scenario
/// and must keep every invariant of [`crate::invariants`]. Without the spec's
/// milliseconds per operation it runs about ten times faster, so the fuzzer
/// explores far more scenarios; equivalence is [`conversation`]'s to check.
///
/// # Errors
/// A [`Finding`] with the violation.
pub fn conversation_impl(data: &[u8]) -> Result<(), Finding> {
    let Some(input) = read_conversation(data) else {
        return Ok(());
    };
    let impl_run = run(&mut ImplDriver::new(), &input.scenario());
    crate::invariants::check_all(&impl_run).map_err(|violation| {
        finding(
            CONVERSATION_IMPL,
            "an invariant failed",
            format!("{violation:?}"),
        )
    })
}

// ---------------------------------------------------------------------------------
// primitives_differential
// ---------------------------------------------------------------------------------

const PRIMITIVES: &str = "primitives_differential";

/// Reads fixed-size and length-prefixed fields from an input, padding with zeros
/// when it runs out (so every input is some operation's input).
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.rest.len());
        out[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        out
    }

    fn byte(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// A field of `len` bytes (fewer if the input ends).
    fn take(&mut self, len: usize) -> &'a [u8] {
        let (head, tail) = self.rest.split_at(len.min(self.rest.len()));
        self.rest = tail;
        head
    }

    /// A field whose length is the next byte.
    fn field(&mut self) -> &'a [u8] {
        let len = usize::from(self.byte());
        self.take(len)
    }

    fn rest(&mut self) -> &'a [u8] {
        self.take(self.rest.len())
    }
}

fn same<T: PartialEq + fmt::Debug>(
    operation: &'static str,
    spec: T,
    implementation: T,
) -> Result<T, Finding> {
    if spec == implementation {
        Ok(spec)
    } else {
        Err(finding(
            PRIMITIVES,
            operation,
            format!("spec {spec:?}, impl {implementation:?}"),
        ))
    }
}

/// The operations of [`primitives_differential`], by the first input byte modulo
/// their number.
pub const OPERATIONS: [&str; 8] = [
    "x25519",
    "aead_seal_open",
    "aead_open",
    "hkdf_hmac_sha2",
    "xeddsa_verify",
    "xeddsa_sign_verify",
    "ml_kem_decaps",
    "ml_kem_encaps",
];

/// An ML-KEM-1024 key pair as bytes: `(ek, dk)`.
pub type KemKeyPair = (Vec<u8>, Vec<u8>);

/// The ML-KEM-1024 key pairs `ml_kem_decaps` decapsulates with: `(ek, dk)` from
/// fixed seeds, the same on both sides (checked when made).
///
/// # Errors
/// A [`Finding`] if spec and impl make different keys.
pub fn ml_kem_keys() -> Result<&'static [KemKeyPair; 2], Finding> {
    static KEYS: OnceLock<Result<[KemKeyPair; 2], Finding>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let make = |byte: u8| {
            let seed = [byte; 64];
            same(
                "ml_kem_keygen",
                Spec::ml_kem_keygen(&seed),
                Impl::ml_kem_keygen(&seed),
            )
        };
        Ok([make(1)?, make(2)?])
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The first input byte (modulo 8) picks an operation of [`OPERATIONS`]; the rest
/// are its inputs, read as fixed-size fields or length-prefixed ones (a byte of
/// length, then the bytes). Spec and implementation must give the same output or
/// the same refusal:
///
/// - `x25519`: scalar (32), u (32): RFC 7748 §5 raw, and §6.1 with its all-zero check;
/// - `aead_seal_open`: key (32), nonce (12), AAD, plaintext (the rest), a byte: the
///   same sealing; both open it; both refuse it with the chosen byte flipped;
/// - `aead_open`: key, nonce, AAD, sealed bytes (the rest): RFC 8439 §2.8 open;
/// - `hkdf_hmac_sha2`: salt, IKM, info, length (2 bytes): HKDF (RFC 5869), HMAC
///   (RFC 2104) of salt and IKM, SHA-256 and SHA-512 (FIPS 180-4) of the IKM;
/// - `xeddsa_verify`: u (32), signature (64), message (the rest): XEdDSA §3;
/// - `xeddsa_sign_verify`: k (32), Z (64), a byte, message: the same signature, which
///   both verify, and both refuse with the chosen bit flipped;
/// - `ml_kem_decaps`: a byte (key pair, and whether to flip a byte of `dk` at a
///   2-byte offset), ciphertext (the rest, any length): FIPS 203 §7.3;
/// - `ml_kem_encaps`: m (32), `ek` (the rest, any length): FIPS 203 §7.2.
///
/// # Errors
/// A [`Finding`] naming the operation where spec and impl differ.
pub fn primitives_differential(data: &[u8]) -> Result<(), Finding> {
    let [op, rest @ ..] = data else {
        return Ok(());
    };
    let mut r = Reader { rest };
    match op % 8 {
        0 => {
            let (k, u) = (r.array::<32>(), r.array::<32>());
            same("x25519", Spec::x25519(&k, &u), Impl::x25519(&k, &u))?;
            let _ = same(
                "x25519_dh",
                Spec::x25519_dh(&k, &u),
                Impl::x25519_dh(&k, &u),
            )?;
        }
        1 => {
            let (key, nonce) = (r.array::<32>(), r.array::<12>());
            let (aad, flip) = (r.field(), r.byte());
            let plaintext = r.rest();
            let sealed = same(
                "aead_seal",
                Spec::aead_seal(&key, &nonce, aad, plaintext),
                Impl::aead_seal(&key, &nonce, aad, plaintext),
            )?;
            if let Ok(mut sealed) = sealed {
                let opened = same(
                    "aead_open",
                    Spec::aead_open(&key, &nonce, aad, &sealed),
                    Impl::aead_open(&key, &nonce, aad, &sealed),
                )?;
                if opened.as_deref() != Ok(plaintext) {
                    return Err(finding(
                        PRIMITIVES,
                        "aead_open of aead_seal",
                        format!("{opened:?}"),
                    ));
                }
                let at = usize::from(flip) % sealed.len();
                sealed[at] ^= 1;
                let tampered = same(
                    "aead_open (tampered)",
                    Spec::aead_open(&key, &nonce, aad, &sealed),
                    Impl::aead_open(&key, &nonce, aad, &sealed),
                )?;
                if tampered != Err(Refusal::Authentication) {
                    return Err(finding(
                        PRIMITIVES,
                        "aead_open (tampered)",
                        format!("{tampered:?}"),
                    ));
                }
            }
        }
        2 => {
            let (key, nonce) = (r.array::<32>(), r.array::<12>());
            let aad = r.field();
            let sealed = r.rest();
            let _ = same(
                "aead_open",
                Spec::aead_open(&key, &nonce, aad, sealed),
                Impl::aead_open(&key, &nonce, aad, sealed),
            )?;
        }
        3 => {
            let (salt, ikm, info) = (r.field(), r.field(), r.field());
            // Up to 8,191 bytes: past 255 * 32 = 8,160, where both must refuse.
            let len = usize::from(u16::from_le_bytes(r.array::<2>()) % 8192);
            let _ = same(
                "hkdf",
                Spec::hkdf(salt, ikm, info, len),
                Impl::hkdf(salt, ikm, info, len),
            )?;
            same(
                "hkdf_extract",
                Spec::hkdf_extract(salt, ikm),
                Impl::hkdf_extract(salt, ikm),
            )?;
            same(
                "hmac_sha256",
                Spec::hmac_sha256(salt, ikm),
                Impl::hmac_sha256(salt, ikm),
            )?;
            same("sha256", Spec::sha256(ikm), Impl::sha256(ikm))?;
            same("sha512", Spec::sha512(ikm), Impl::sha512(ikm))?;
        }
        4 => {
            let (u, signature) = (r.array::<32>(), r.array::<64>());
            let message = r.rest();
            same(
                "xeddsa_verify",
                Spec::xeddsa_verify(&u, message, &signature),
                Impl::xeddsa_verify(&u, message, &signature),
            )?;
        }
        5 => {
            let (k, z, flip) = (r.array::<32>(), r.array::<64>(), r.byte());
            let message = r.rest();
            let mut signature = same(
                "xeddsa_sign",
                Spec::xeddsa_sign(&k, message, &z),
                Impl::xeddsa_sign(&k, message, &z),
            )?;
            let u = Impl::x25519_base(&k);
            if !same(
                "xeddsa_verify (signed)",
                Spec::xeddsa_verify(&u, message, &signature),
                Impl::xeddsa_verify(&u, message, &signature),
            )? {
                return Err(finding(
                    PRIMITIVES,
                    "xeddsa_verify (signed)",
                    "refused its signature",
                ));
            }
            signature[usize::from(flip >> 3) % 64] ^= 1 << (flip & 7);
            if same(
                "xeddsa_verify (flipped)",
                Spec::xeddsa_verify(&u, message, &signature),
                Impl::xeddsa_verify(&u, message, &signature),
            )? {
                return Err(finding(
                    PRIMITIVES,
                    "xeddsa_verify (flipped)",
                    "accepted a changed signature",
                ));
            }
        }
        6 => {
            let how = r.byte();
            let at = usize::from(u16::from_le_bytes(r.array::<2>()));
            let c = r.rest();
            let keys = ml_kem_keys()?;
            let (_, dk) = &keys[usize::from(how & 1)];
            let mut dk = dk.clone();
            if how & 2 != 0 {
                let at = at % dk.len();
                dk[at] ^= 1 << (how >> 5);
            }
            let _ = same(
                "ml_kem_decaps",
                Spec::ml_kem_decaps(&dk, c),
                Impl::ml_kem_decaps(&dk, c),
            )?;
        }
        _ => {
            let m = r.array::<32>();
            let ek = r.rest();
            let _ = same(
                "ml_kem_encaps",
                Spec::ml_kem_encaps(ek, &m),
                Impl::ml_kem_encaps(ek, &m),
            )?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Seed corpora
// ---------------------------------------------------------------------------------

fn vectors_failed(error: impl fmt::Debug) -> Finding {
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
///   signatures of the protocol vectors for XEdDSA and real ciphertexts for ML-KEM.
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
        other => Err(finding("seed_corpus", "unknown target", other)),
    }
}

fn decode_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
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

fn state_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
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

fn untrusted_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
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

fn conversation_corpus() -> Vec<(String, Vec<u8>)> {
    named_conversations()
        .into_iter()
        .map(|(name, input)| (format!("seed-{name}"), input.to_fuzz_bytes()))
        .collect()
}

fn primitives_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
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
