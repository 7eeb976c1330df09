//! The runner: plays a [`Scenario`] on a [`Driver`] and records what happened.
//!
//! The runner owns the network (the messages in flight, the ones delivered) and
//! every random byte. Randomness comes from the scenario's seed: the set-up's keys
//! from one stream, each event's bytes (a plaintext, the ratchet key of a
//! decryption) from a stream of its own, keyed by the event's position, so both
//! drivers get the same bytes whatever they answer.
//!
//! A [`Run`] keeps two things: the [`Record`]s, which are everything observable
//! (every wire byte, plaintext, refusal and both state encodings after each event)
//! and are what spec and impl must agree on; and the structured log the invariants
//! ([`crate::invariants`]) read: the messages sent, the deliveries with the
//! recipient's state before and after, and the compromises.

use lockstep::consts::{MSG_PREKEY, PREKEY_HEADER_LEN, RATCHET_HEADER_LEN};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::driver::{
    Driver, Exposure, Failure, ImplDriver, OtherSessionInputs, SetUpInputs, SpecDriver,
};
use crate::model::{Event, Field, MAX_BURST, MAX_SEND_LEN, Party, Scenario, Tamper};

/// How a delivered message came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// Sent by the peer, delivered for the first time by [`Event::Deliver`].
    Genuine,
    /// Delivered again by [`Event::Duplicate`].
    Replay,
    /// Delivered to its own sender by [`Event::Reflect`].
    Reflected,
    /// Changed by [`Event::Tamper`].
    Tampered,
    /// From another session, by [`Event::Inject`].
    Injected,
}

/// One observable fact of a run. Spec and impl runs of one scenario must produce
/// equal lists of records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// The bundle's bytes, or why set-up failed.
    SetUp {
        /// The bundle (SPEC §3.2) or the refusal.
        bundle: Result<Vec<u8>, Failure>,
    },
    /// An encryption: the message bytes or the refusal.
    Sent {
        /// The event's position.
        step: usize,
        /// The sender.
        from: Party,
        /// The wire bytes, or the refusal.
        result: Result<Vec<u8>, Failure>,
    },
    /// A decryption (or Bob's acceptance).
    Delivered {
        /// The event's position.
        step: usize,
        /// The recipient.
        to: Party,
        /// How the message came to be.
        origin: Origin,
        /// The bytes delivered.
        bytes: Vec<u8>,
        /// The plaintext, or the refusal.
        result: Result<Vec<u8>, Failure>,
    },
    /// The other session of [`Event::Inject`] was made: its two messages.
    OtherSession {
        /// The event's position.
        step: usize,
        /// The two PreKey messages, or the refusal.
        result: Result<[Vec<u8>; 2], Failure>,
    },
    /// The adversary copied a party's state.
    Compromised {
        /// The event's position.
        step: usize,
        /// Whose.
        party: Party,
        /// What it got.
        exposure: Exposure,
    },
    /// An event that had nothing to act on.
    Skipped {
        /// The event's position.
        step: usize,
        /// Why.
        why: String,
    },
    /// Both parties' state encodings (SPEC §6) after an event.
    States {
        /// The event's position.
        step: usize,
        /// Alice's.
        alice: Option<Vec<u8>>,
        /// Bob's, once he has accepted.
        bob: Option<Vec<u8>>,
    },
}

/// A message that was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// Its position among the messages sent.
    pub id: usize,
    /// The event that sent it.
    pub step: usize,
    /// The sender.
    pub from: Party,
    /// The wire bytes.
    pub bytes: Vec<u8>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The sender's state encoding just before encrypting.
    pub state_before: Vec<u8>,
}

/// A delivery of bytes to a party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The event.
    pub step: usize,
    /// The recipient.
    pub to: Party,
    /// How the bytes came to be.
    pub origin: Origin,
    /// The sent message the bytes come from (none for an injected one).
    pub message: Option<usize>,
    /// The bytes delivered.
    pub bytes: Vec<u8>,
    /// The ratchet private key the recipient was given.
    pub r: [u8; 32],
    /// The plaintext or the refusal.
    pub result: Result<Vec<u8>, Failure>,
    /// The recipient's state encoding before (none: no session yet).
    pub state_before: Option<Vec<u8>>,
    /// And after.
    pub state_after: Option<Vec<u8>>,
}

/// A compromise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compromise {
    /// The event.
    pub step: usize,
    /// Whose state.
    pub party: Party,
    /// What the adversary got.
    pub exposure: Exposure,
}

/// Everything a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// What must be equal between spec and impl.
    pub records: Vec<Record>,
    /// The set-up's bundle bytes, if set-up succeeded.
    pub bundle: Option<Vec<u8>>,
    /// Every message sent, in order.
    pub sent: Vec<SentMessage>,
    /// Every delivery, in order.
    pub deliveries: Vec<Delivery>,
    /// Every compromise, in order.
    pub compromises: Vec<Compromise>,
    /// The number of events played.
    pub steps: usize,
}

/// The random stream of one part of a scenario: ChaCha20 keyed by
/// SHA-256(seed ‖ label ‖ index).
fn stream(seed: &[u8; 32], label: &[u8], index: u64) -> ChaCha20Rng {
    let mut hash = Sha256::new();
    hash.update(b"lockstep harness stream\0");
    hash.update(seed);
    hash.update(label);
    hash.update(index.to_be_bytes());
    ChaCha20Rng::from_seed(hash.finalize().into())
}

fn draw<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

fn draw_vec(rng: &mut ChaCha20Rng, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

/// The set-up inputs of a scenario (also what a test needs to redo the set-up).
#[must_use]
pub fn set_up_inputs(scenario: &Scenario) -> SetUpInputs {
    let mut rng = stream(&scenario.seed, b"set-up", 0);
    SetUpInputs {
        set_up: scenario.set_up,
        ik_a: draw(&mut rng),
        ik_b: draw(&mut rng),
        spk_b: draw(&mut rng),
        opk_b: draw(&mut rng),
        pq_seed: draw(&mut rng),
        z_spk: draw(&mut rng),
        z_pqpk: draw(&mut rng),
        ek_a: draw(&mut rng),
        m: draw(&mut rng),
        r_a: draw(&mut rng),
    }
}

/// Where the ratchet message starts in `bytes`: after the PreKey header for a
/// PreKey message, else at 0.
fn ratchet_offset(bytes: &[u8]) -> usize {
    if bytes.len() >= PREKEY_HEADER_LEN && bytes.get(1) == Some(&MSG_PREKEY) {
        PREKEY_HEADER_LEN
    } else {
        0
    }
}

/// `bytes` changed as `how` says; always different from `bytes` (for a non-empty
/// message).
#[must_use]
pub fn tamper(bytes: &[u8], how: Tamper) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.is_empty() {
        out.push(0);
        return out;
    }
    let len = out.len();
    let at = |offset: usize| offset % len;
    match how {
        Tamper::Flip { offset, mask } => out[at(usize::from(offset))] ^= mask.max(1),
        Tamper::Truncate { len: keep } => out.truncate(usize::from(keep) % len),
        Tamper::Extend { byte, count } => {
            out.extend(std::iter::repeat_n(byte, usize::from(count) + 1));
        }
        Tamper::Field { field, value } => {
            let r = ratchet_offset(bytes);
            let be = value.to_be_bytes();
            let prekey = r > 0;
            let (offset, new): (usize, &[u8]) = match field {
                Field::Version => (r, &be[3..]),
                Field::Type => (r + 1, &be[3..]),
                Field::RatchetKey => (r + 2, &be),
                Field::PreviousCount => (r + 34, &be),
                Field::Number => (r + 38, &be),
                Field::Ciphertext => (r + RATCHET_HEADER_LEN, &be[3..]),
                Field::Tag => (len - 1, &be[3..]),
                Field::PreKeyIdentity if prekey => (2, &be),
                Field::PreKeyKemCiphertext if prekey => {
                    (79 + usize::try_from(value % 1568).unwrap_or(0), &be[3..])
                }
                Field::PreKeyOpkFlag if prekey => (74, &be[3..]),
                _ => (0, &[]),
            };
            for (i, b) in new.iter().enumerate() {
                if let Some(slot) = out.get_mut(offset + i) {
                    *slot = *b;
                }
            }
            if out == bytes {
                out[at(offset)] ^= 1;
            }
        }
    }
    if out == bytes {
        out[0] ^= 1;
    }
    out
}

/// The network between the parties: messages in flight (by id, in the order they
/// would arrive) and the messages delivered, in order of first delivery.
#[derive(Default)]
struct Network {
    in_flight: Vec<usize>,
    delivered: Vec<usize>,
}

/// Plays `scenario` on `driver`.
pub fn run<D: Driver + ?Sized>(driver: &mut D, scenario: &Scenario) -> Run {
    let mut run = Run::default();
    let bundle = driver.set_up(&set_up_inputs(scenario));
    run.bundle = bundle.as_ref().ok().cloned();
    run.records.push(Record::SetUp { bundle });
    if run.bundle.is_none() {
        return run;
    }
    let mut net = Network::default();
    let mut other: Option<Result<[Vec<u8>; 2], Failure>> = None;
    for (step, event) in scenario.events.iter().enumerate() {
        let mut rng = stream(&scenario.seed, b"event", step as u64);
        let mut player = Player {
            driver: &mut *driver,
            run: &mut run,
            step,
        };
        match *event {
            Event::Send { from, len } => {
                let plaintext = draw_vec(&mut rng, usize::from(len % (MAX_SEND_LEN + 1)));
                if let Some(id) = player.send(from, plaintext) {
                    net.in_flight.push(id);
                }
            }
            Event::Burst { from, count } => {
                for _ in 0..=(count % (MAX_BURST + 1)) {
                    let plaintext = draw_vec(&mut rng, 1);
                    match player.send(from, plaintext) {
                        Some(id) => net.in_flight.push(id),
                        None => break,
                    }
                }
            }
            Event::Deliver { pick } => match pick_from(&net.in_flight, pick) {
                Some(index) => {
                    let id = net.in_flight.remove(index);
                    let to = player.run.sent[id].from.peer();
                    let bytes = player.run.sent[id].bytes.clone();
                    player.deliver(to, Origin::Genuine, Some(id), bytes, &mut rng);
                    if !net.delivered.contains(&id) {
                        net.delivered.push(id);
                    }
                }
                None => player.skip("nothing in flight"),
            },
            Event::Drop { pick } => match pick_from(&net.in_flight, pick) {
                Some(index) => {
                    net.in_flight.remove(index);
                }
                None => player.skip("nothing in flight"),
            },
            Event::Reorder { a, b } => {
                match (pick_from(&net.in_flight, a), pick_from(&net.in_flight, b)) {
                    (Some(a), Some(b)) => net.in_flight.swap(a, b),
                    _ => player.skip("nothing in flight"),
                }
            }
            Event::Duplicate { pick } => match pick_from(&net.delivered, pick) {
                Some(index) => {
                    let id = net.delivered[index];
                    let to = player.run.sent[id].from.peer();
                    let bytes = player.run.sent[id].bytes.clone();
                    player.deliver(to, Origin::Replay, Some(id), bytes, &mut rng);
                }
                None => player.skip("nothing delivered yet"),
            },
            Event::Reflect { pick } => match pick_from(&player.run.sent, pick) {
                Some(id) => {
                    let to = player.run.sent[id].from;
                    let bytes = player.run.sent[id].bytes.clone();
                    player.deliver(to, Origin::Reflected, Some(id), bytes, &mut rng);
                }
                None => player.skip("nothing sent yet"),
            },
            Event::Tamper { pick, how } => match pick_from(&player.run.sent, pick) {
                Some(id) => {
                    let to = player.run.sent[id].from.peer();
                    let bytes = tamper(&player.run.sent[id].bytes, how);
                    player.deliver(to, Origin::Tampered, Some(id), bytes, &mut rng);
                }
                None => player.skip("nothing sent yet"),
            },
            Event::Inject { to, pick } => {
                if player.driver.state(to).is_none() {
                    player.skip("no session to inject into");
                } else {
                    let messages = other.get_or_insert_with(|| {
                        let inputs = other_session_inputs(&scenario.seed);
                        let result = player.driver.other_session(&inputs);
                        player.run.records.push(Record::OtherSession {
                            step,
                            result: result.clone(),
                        });
                        result
                    });
                    match messages {
                        Ok([first, second]) => {
                            let bytes = match pick % 3 {
                                0 => first.clone(),
                                1 => first.get(PREKEY_HEADER_LEN..).unwrap_or_default().to_vec(),
                                _ => second.get(PREKEY_HEADER_LEN..).unwrap_or_default().to_vec(),
                            };
                            player.deliver(to, Origin::Injected, None, bytes, &mut rng);
                        }
                        Err(_) => player.skip("the other session failed"),
                    }
                }
            }
            Event::Compromise { party } => {
                let exposure = player.driver.compromise(party);
                player.run.records.push(Record::Compromised {
                    step,
                    party,
                    exposure: exposure.clone(),
                });
                player.run.compromises.push(Compromise {
                    step,
                    party,
                    exposure,
                });
            }
        }
        run.records.push(Record::States {
            step,
            alice: driver.state(Party::Alice),
            bob: driver.state(Party::Bob),
        });
        run.steps = step + 1;
    }
    run
}

/// The inputs of the other session of [`Event::Inject`].
fn other_session_inputs(seed: &[u8; 32]) -> OtherSessionInputs {
    let mut rng = stream(seed, b"other session", 0);
    OtherSessionInputs {
        ik: draw(&mut rng),
        ek: draw(&mut rng),
        m: draw(&mut rng),
        r: draw(&mut rng),
        plaintexts: [draw_vec(&mut rng, 16), draw_vec(&mut rng, 16)],
    }
}

/// `pick` modulo the number of items, if there are any.
fn pick_from<T>(items: &[T], pick: u16) -> Option<usize> {
    (!items.is_empty()).then(|| usize::from(pick) % items.len())
}

/// One event being played.
struct Player<'a, D: Driver + ?Sized> {
    driver: &'a mut D,
    run: &'a mut Run,
    step: usize,
}

impl<D: Driver + ?Sized> Player<'_, D> {
    /// `from` encrypts `plaintext`; the new message's id if it was sent.
    fn send(&mut self, from: Party, plaintext: Vec<u8>) -> Option<usize> {
        let state_before = self.driver.state(from);
        let result = self.driver.encrypt(from, &plaintext);
        self.run.records.push(Record::Sent {
            step: self.step,
            from,
            result: result.clone(),
        });
        let (Ok(bytes), Some(state_before)) = (result, state_before) else {
            return None;
        };
        let id = self.run.sent.len();
        self.run.sent.push(SentMessage {
            id,
            step: self.step,
            from,
            bytes,
            plaintext,
            state_before,
        });
        Some(id)
    }

    /// Delivers `bytes` to `to`, with a fresh ratchet key from `rng`.
    fn deliver(
        &mut self,
        to: Party,
        origin: Origin,
        message: Option<usize>,
        bytes: Vec<u8>,
        rng: &mut ChaCha20Rng,
    ) {
        let r: [u8; 32] = draw(rng);
        let state_before = self.driver.state(to);
        let result = self.driver.decrypt(to, &bytes, &r);
        let state_after = self.driver.state(to);
        self.run.records.push(Record::Delivered {
            step: self.step,
            to,
            origin,
            bytes: bytes.clone(),
            result: result.clone(),
        });
        self.run.deliveries.push(Delivery {
            step: self.step,
            to,
            origin,
            message,
            bytes,
            r,
            result,
            state_before,
            state_after,
        });
    }

    fn skip(&mut self, why: &str) {
        self.run.records.push(Record::Skipped {
            step: self.step,
            why: why.to_owned(),
        });
    }
}

/// Where two runs first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The index of the first differing record.
    pub index: usize,
    /// The spec's record there (none: its run ended).
    pub spec: Option<Record>,
    /// The implementation's.
    pub implementation: Option<Record>,
}

impl core::fmt::Display for Divergence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "record {}: spec {:?} / impl {:?}",
            self.index, self.spec, self.implementation
        )
    }
}

/// The first record where `spec` and `implementation` differ, if any.
#[must_use]
pub fn first_divergence(spec: &Run, implementation: &Run) -> Option<Divergence> {
    let n = spec.records.len().max(implementation.records.len());
    (0..n)
        .find(|&i| spec.records.get(i) != implementation.records.get(i))
        .map(|index| Divergence {
            index,
            spec: spec.records.get(index).cloned(),
            implementation: implementation.records.get(index).cloned(),
        })
}

/// Plays `scenario` through the spec and the implementation.
///
/// # Errors
/// The first record where the two differ.
pub fn equivalence(scenario: &Scenario) -> Result<Run, Box<Divergence>> {
    let spec = run(&mut SpecDriver::new(), scenario);
    let implementation = run(&mut ImplDriver::new(), scenario);
    match first_divergence(&spec, &implementation) {
        None => Ok(implementation),
        Some(divergence) => Err(Box::new(divergence)),
    }
}
