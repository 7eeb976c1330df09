//! Bounded exhaustive model checking: every sequence of events of a small alphabet
//! up to a depth, breadth first, on the spec and a driver under test in lockstep,
//! with every invariant checked at every transition.
//!
//! A state is a [`Conversation`] on the spec after a path of events. Its children
//! are the path extended by each event the alphabet allows there (every message in
//! flight can be delivered or dropped, so every order of delivery is explored).
//! For each child:
//!
//! 1. the spec takes the step (its driver and conversation are values: the parent
//!    is copied, not replayed);
//! 2. the driver under test plays the child's whole path from a fresh start (a
//!    driver need not be a value), and its transcript must equal the spec's record
//!    for record: every output, refusal and state encoding
//!    ([`crate::run::first_divergence`]);
//! 3. every invariant of [`crate::invariants`] holds on the driver's run of the
//!    path so far.
//!
//! The first failure found at the smallest depth is a shortest counterexample: a
//! [`Scenario`] that [`crate::run::run`] plays again (the bytes do not depend on the
//! moment an event is played: [`Conversation`]).
//!
//! **Reduction.** A child whose [`fingerprint`] was already reached is checked (its
//! transition, steps 1-3) but not expanded. The fingerprint holds what decides the
//! future and what the invariants read of the past: both parties' SPEC §6 states,
//! the random streams' counters, the messages in flight (as a multiset: deliveries
//! and drops of every one are children anyway), those sent, delivered and decrypted
//! (as sets), whether the other session exists, and the compromise with what was
//! sent and decrypted before it. Paths that differ only in the order of independent
//! events (Alice's send and Bob's, a delivery and an unrelated drop) or in refused
//! deliveries (which change no state, as the transactional invariant checks on
//! the spot) therefore meet, and the rest of the tree below them is explored once:
//! this is the partial-order reduction, sound for the invariants because they judge
//! each transition on its own path, and the parts of the past they read are in the
//! fingerprint. No symmetry is used: Alice and Bob are not symmetric (she initiates,
//! he holds the prekeys).

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::driver::{Driver, SpecDriver};
use crate::invariants::{self, StateView};
use crate::longterm;
use crate::model::{Event, Field, Party, Scenario, SetUp, Tamper, WireKey};
use crate::run::{Conversation, Divergence, Record, Run, first_divergence_of, run};

/// One kind of event of the alphabet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// Either party sends an 8-byte message.
    Send,
    /// Any message in flight is delivered.
    Deliver,
    /// Any message in flight is lost.
    Drop,
    /// Any delivered message is delivered again.
    Duplicate,
    /// Any sent message is delivered to its sender.
    Reflect,
    /// Any sent message with a bit of its body flipped.
    TamperBit,
    /// Any sent message with its ratchet header's `n` set to 5.
    TamperField,
    /// Any sent message with its ratchet key moved to the order-2 point of its coset
    /// (`u` to `1/u`: the same DH outputs, other bytes).
    TamperKey,
    /// Any message of another session with the same Bob, to either party.
    Inject,
    /// Either party's state is copied by the adversary (once on a path).
    Compromise,
}

impl Kind {
    /// Every kind: the whole alphabet.
    pub const ALL: [Kind; 10] = [
        Kind::Send,
        Kind::Deliver,
        Kind::Drop,
        Kind::Duplicate,
        Kind::Reflect,
        Kind::TamperBit,
        Kind::TamperField,
        Kind::TamperKey,
        Kind::Inject,
        Kind::Compromise,
    ];

    /// Its name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::Send => "send",
            Kind::Deliver => "deliver",
            Kind::Drop => "drop",
            Kind::Duplicate => "duplicate",
            Kind::Reflect => "reflect",
            Kind::TamperBit => "tamper-bit",
            Kind::TamperField => "tamper-field",
            Kind::TamperKey => "tamper-key",
            Kind::Inject => "inject",
            Kind::Compromise => "compromise",
        }
    }

    /// The kind named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What to explore.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The most events on a path.
    pub depth: usize,
    /// The kinds of event.
    pub alphabet: Vec<Kind>,
    /// The session set-ups to start from (each a root).
    pub set_ups: Vec<SetUp>,
    /// The seed of every key and plaintext.
    pub seed: [u8; 32],
    /// Worker threads.
    pub threads: usize,
    /// Start no new depth once this much time has passed (the depth being explored
    /// is finished).
    pub time_limit: Option<Duration>,
    /// Whether the driver's transcript must equal the oracle's (off: the invariants
    /// alone judge, to find the shortest path that breaks a property rather than
    /// the first output that differs).
    pub equivalence: bool,
    /// Whether the long-term and quantum checks of [`crate::longterm`] also judge
    /// every transition (they replay the path on fresh drivers: several times the
    /// cost of a transition).
    pub long_term: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            depth: 4,
            alphabet: Kind::ALL.to_vec(),
            set_ups: vec![SetUp {
                opk: true,
                pq_last_resort: false,
            }],
            seed: [0x4d; 32],
            threads: 1,
            time_limit: None,
            equivalence: true,
            long_term: false,
        }
    }
}

/// Why a transition failed.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The driver's transcript differs from the spec's.
    Divergence(Box<Divergence>),
    /// The driver under test panicked (a refusal must be an error, never a panic).
    Panic(String),
    /// An invariant does not hold on the path.
    Invariant {
        /// Its name.
        name: &'static str,
        /// What broke.
        detail: String,
    },
    /// A long-term or quantum check of [`crate::longterm`] fails on the path.
    LongTerm {
        /// Its name.
        name: &'static str,
        /// What broke.
        detail: String,
    },
}

impl Failure {
    /// The check, as `lockstep check`'s reproducers name it: `equivalence`,
    /// `invariant:<name>` or `longterm:<name>`.
    #[must_use]
    pub fn check(&self) -> String {
        match self {
            Failure::Divergence(_) | Failure::Panic(_) => "equivalence".to_owned(),
            Failure::Invariant { name, .. } => format!("invariant:{name}"),
            Failure::LongTerm { name, .. } => format!("longterm:{name}"),
        }
    }
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Failure::Divergence(d) => write!(
                f,
                "equivalence: {}",
                crate::conformance::transcript::describe_divergence(d)
            ),
            Failure::Panic(text) => write!(f, "the driver panicked: {text}"),
            Failure::Invariant { detail, .. } | Failure::LongTerm { detail, .. } => {
                f.write_str(detail)
            }
        }
    }
}

/// A shortest failing path.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The path, as a scenario [`crate::run::run`] plays.
    pub scenario: Scenario,
    /// What failed at its last event.
    pub failure: Failure,
}

/// One depth's numbers.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Level {
    /// The depth (events on the paths).
    pub depth: usize,
    /// Transitions checked at this depth.
    pub transitions: u64,
    /// States first reached at this depth (the next frontier).
    pub new_states: u64,
    /// Seconds it took.
    pub seconds: f64,
}

/// What an exploration found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Per depth, in order.
    pub levels: Vec<Level>,
    /// Distinct states, roots included.
    pub distinct_states: u64,
    /// The deepest depth whose every transition was checked.
    pub depth_completed: usize,
    /// The most DH ratchet steps (a delivery that changed the recipient's `DHr`)
    /// on any path explored.
    pub max_dh_steps: u32,
    /// Whether any path explored has a compromise.
    pub compromise_reached: bool,
    /// The first counterexample, if any (at `depth_completed + 1`).
    pub counterexample: Option<Counterexample>,
    /// Time taken.
    pub elapsed: Duration,
}

impl Report {
    /// Transitions checked, in all.
    #[must_use]
    pub fn transitions(&self) -> u64 {
        self.levels.iter().map(|l| l.transitions).sum()
    }
}

/// A state of the frontier: its path, and the spec's driver and conversation after
/// it.
#[derive(Clone)]
struct Node<S: Driver + Clone> {
    events: Vec<Event>,
    /// How many records the path's run has: the conversation keeps only the last
    /// step's (the earlier ones were compared when they were made).
    records: usize,
    set_up: SetUp,
    reference: S,
    conversation: Conversation,
    dh_steps: u32,
}

/// The events the alphabet allows after `conversation`.
fn children(alphabet: &[Kind], conversation: &Conversation) -> Vec<Event> {
    let in_flight = conversation.net.in_flight.len();
    let delivered = conversation.net.delivered.len();
    let sent = conversation.run.sent.len();
    let picks = |n: usize| (0..n).filter_map(|i| u16::try_from(i).ok());
    let mut out = Vec::new();
    for kind in alphabet {
        match kind {
            Kind::Send => {
                for from in [Party::Alice, Party::Bob] {
                    out.push(Event::Send { from, len: 8 });
                }
            }
            Kind::Deliver => out.extend(picks(in_flight).map(|pick| Event::Deliver { pick })),
            Kind::Drop => out.extend(picks(in_flight).map(|pick| Event::Drop { pick })),
            Kind::Duplicate => {
                out.extend(picks(delivered).map(|pick| Event::Duplicate { pick }));
            }
            Kind::Reflect => out.extend(picks(sent).map(|pick| Event::Reflect { pick })),
            Kind::TamperBit | Kind::TamperField | Kind::TamperKey => {
                let how = match kind {
                    Kind::TamperBit => Tamper::Flip {
                        offset: 50,
                        mask: 0x01,
                    },
                    Kind::TamperField => Tamper::Field {
                        field: Field::Number,
                        value: 5,
                    },
                    _ => Tamper::SmallOrder {
                        key: WireKey::RatchetKey,
                        torsion: 3,
                    },
                };
                out.extend(picks(sent).map(|pick| Event::Tamper { pick, how }));
            }
            Kind::Inject => {
                for to in [Party::Alice, Party::Bob] {
                    out.extend((0..3).map(|pick| Event::Inject { to, pick }));
                }
            }
            Kind::Compromise => {
                if conversation.run.compromises.is_empty() {
                    for party in [Party::Alice, Party::Bob] {
                        out.push(Event::Compromise { party });
                    }
                }
            }
        }
    }
    out
}

/// The fingerprint of a state (see the module's documentation for what it holds
/// and why).
#[must_use]
pub fn fingerprint(set_up: SetUp, conversation: &Conversation) -> [u8; 32] {
    let run = &conversation.run;
    let mut hash = Sha256::new();
    let mut put = |label: &[u8], bytes: &[u8]| {
        hash.update(label);
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    put(
        b"set-up",
        &[u8::from(set_up.opk), u8::from(set_up.pq_last_resort)],
    );
    if let Some(Record::States { alice, bob, .. }) = run.records.last() {
        put(b"alice", alice.as_deref().unwrap_or(b"none"));
        put(b"bob", bob.as_deref().unwrap_or(b"none"));
    }
    let counters = conversation.counters;
    for n in counters.sends.iter().chain(&counters.deliveries) {
        put(b"counter", &n.to_be_bytes());
    }
    let bytes = |ids: &[usize]| -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = ids.iter().map(|&id| run.sent[id].bytes.clone()).collect();
        out.sort();
        out
    };
    let mut sets: Vec<(&[u8], Vec<Vec<u8>>)> = vec![
        (b"in flight", bytes(&conversation.net.in_flight)),
        (b"delivered", bytes(&conversation.net.delivered)),
        (b"sent", bytes(&(0..run.sent.len()).collect::<Vec<_>>())),
    ];
    let decrypted = |before: usize| -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = run
            .deliveries
            .iter()
            .filter(|d| d.step < before && d.result.is_ok())
            .map(|d| [d.to.name().as_bytes(), &d.bytes].concat())
            .collect();
        out.sort();
        out.dedup();
        out
    };
    sets.push((b"decrypted", decrypted(usize::MAX)));
    if let Some(c) = run.compromises.first() {
        let sent_before: Vec<usize> = (0..run.sent.len())
            .filter(|&id| run.sent[id].step < c.step)
            .collect();
        sets.push((b"compromised", vec![c.party.name().as_bytes().to_vec()]));
        sets.push((b"exposure", c.exposure.states.clone()));
        sets.push((b"sent before", bytes(&sent_before)));
        sets.push((b"decrypted before", decrypted(c.step)));
    }
    if conversation.other.is_some() {
        sets.push((b"other session", Vec::new()));
    }
    for (label, items) in sets {
        put(label, &(items.len() as u64).to_be_bytes());
        for item in items {
            put(label, &item);
        }
    }
    hash.finalize().into()
}

/// Whether the last delivery of `run` was a DH ratchet step: it decrypted and
/// changed the recipient's `DHr`.
fn dh_step(run: &Run, steps_before: usize) -> bool {
    run.deliveries
        .iter()
        .rev()
        .take_while(|d| d.step >= steps_before)
        .filter(|d| d.result.is_ok())
        .any(|d| {
            let dhr = |s: &Option<Vec<u8>>| s.as_deref().and_then(StateView::parse).map(|v| v.dhr);
            dhr(&d.state_before) != dhr(&d.state_after)
        })
}

/// The checks of one transition: the driver's run of `scenario` against the
/// reference's, and every invariant over the driver's run.
fn judge(reference: &[Record], records: usize, theirs: &Run, equivalence: bool) -> Option<Failure> {
    let tail = theirs.records.get(records..).unwrap_or_default();
    if let Some(d) = first_divergence_of(reference, tail, records).filter(|_| equivalence) {
        return Some(Failure::Divergence(Box::new(d)));
    }
    invariants::all().iter().find_map(|invariant| {
        (invariant.check)(theirs).err().map(|v| Failure::Invariant {
            name: invariant.name,
            detail: v.to_string(),
        })
    })
}

/// A panic's message, if it has one.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// One expanded child: its fingerprint, its failure, what it reached, and its node
/// if its state is new (to the earlier depths and to its thread: the rest are
/// dropped at once, so a depth's children are not all held in memory).
struct Child<S: Driver + Clone> {
    fingerprint: [u8; 32],
    failure: Option<Failure>,
    events: Vec<Event>,
    set_up: SetUp,
    dh_steps: u32,
    compromised: bool,
    node: Option<Node<S>>,
}

fn expand<S, D>(
    node: &Node<S>,
    settings: &Settings,
    make: &(impl Fn() -> D + Sync),
    seen: &HashSet<[u8; 32]>,
    local: &mut HashSet<[u8; 32]>,
) -> Vec<Child<S>>
where
    S: Driver + Clone,
    D: Driver + 'static,
{
    children(&settings.alphabet, &node.conversation)
        .into_iter()
        .map(|event| {
            let mut reference = node.reference.clone();
            let mut conversation = node.conversation.clone();
            let steps_before = conversation.run.steps;
            conversation.run.records.clear();
            conversation.step(&mut reference, &event);
            let mut events = node.events.clone();
            events.push(event);
            let scenario = Scenario {
                seed: settings.seed,
                set_up: node.set_up,
                events,
            };
            let played = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let theirs = run(&mut make(), &scenario);
                judge(
                    &conversation.run.records,
                    node.records,
                    &theirs,
                    settings.equivalence,
                )
                .or_else(|| {
                    let maker = || -> Box<dyn Driver> { Box::new(make()) };
                    settings
                        .long_term
                        .then(|| longterm::check_run(&scenario, &theirs, &maker).err())
                        .flatten()
                        .map(|v| Failure::LongTerm {
                            name: v.invariant,
                            detail: v.to_string(),
                        })
                })
            }));
            let failure =
                played.unwrap_or_else(|payload| Some(Failure::Panic(panic_text(&*payload))));
            let fingerprint = fingerprint(node.set_up, &conversation);
            let dh_steps = node.dh_steps + u32::from(dh_step(&conversation.run, steps_before));
            let compromised = !conversation.run.compromises.is_empty();
            let new =
                failure.is_none() && !seen.contains(&fingerprint) && local.insert(fingerprint);
            Child {
                fingerprint,
                failure,
                events: scenario.events.clone(),
                set_up: node.set_up,
                dh_steps,
                compromised,
                node: new.then(|| Node {
                    records: node.records + conversation.run.records.len(),
                    events: scenario.events,
                    set_up: node.set_up,
                    reference,
                    conversation,
                    dh_steps,
                }),
            }
        })
        .collect()
}

/// Explores every path of `settings.alphabet` up to `settings.depth` events,
/// breadth first, with `reference` (the spec: [`SpecDriver::new`]; a
/// [`crate::flaws::FlawedDriver`] for a flaw spec and impl share) as the oracle
/// and `make()`'s driver under test; stops at the first depth with a failure, and
/// returns its first counterexample.
pub fn explore<S, D>(
    settings: &Settings,
    reference: impl Fn() -> S,
    make: impl Fn() -> D + Sync,
) -> Report
where
    S: Driver + Clone + Send + Sync,
    D: Driver + 'static,
{
    explore_with_progress(settings, reference, make, |_| {})
}

/// [`explore`], calling `progress` with each depth's numbers as it completes.
pub fn explore_with_progress<S, D>(
    settings: &Settings,
    reference: impl Fn() -> S,
    make: impl Fn() -> D + Sync,
    progress: impl Fn(&Level),
) -> Report
where
    S: Driver + Clone + Send + Sync,
    D: Driver + 'static,
{
    let start = Instant::now();
    let mut report = Report::default();
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    let mut frontier: Vec<Node<S>> = Vec::new();
    for &set_up in &settings.set_ups {
        let scenario = Scenario {
            seed: settings.seed,
            set_up,
            events: Vec::new(),
        };
        let mut driver = reference();
        let conversation = Conversation::start(&mut driver, &scenario);
        if !conversation.is_set_up() {
            continue;
        }
        let fingerprint = fingerprint(set_up, &conversation);
        if seen.insert(fingerprint) {
            frontier.push(Node {
                records: conversation.run.records.len(),
                events: Vec::new(),
                set_up,
                reference: driver,
                conversation,
                dh_steps: 0,
            });
        }
    }
    for depth in 1..=settings.depth {
        if settings
            .time_limit
            .is_some_and(|limit| start.elapsed() >= limit)
        {
            break;
        }
        let level_start = Instant::now();
        let threads = settings.threads.max(1);
        let chunk = frontier.len().div_ceil(threads).max(1);
        let results: Vec<Vec<Child<S>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = frontier
                .chunks(chunk)
                .map(|nodes| {
                    let make = &make;
                    let seen = &seen;
                    scope.spawn(move || {
                        let mut local = HashSet::new();
                        nodes
                            .iter()
                            .flat_map(|node| expand(node, settings, make, seen, &mut local))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut level = Level {
            depth,
            ..Level::default()
        };
        let mut next = Vec::new();
        for child in results.into_iter().flatten() {
            level.transitions += 1;
            report.max_dh_steps = report.max_dh_steps.max(child.dh_steps);
            report.compromise_reached |= child.compromised;
            if let Some(failure) = child.failure {
                if report.counterexample.is_none() {
                    report.counterexample = Some(Counterexample {
                        scenario: Scenario {
                            seed: settings.seed,
                            set_up: child.set_up,
                            events: child.events,
                        },
                        failure,
                    });
                }
                continue;
            }
            // A state new to its thread may have been reached by another thread's
            // chunk too: the first in order (of the frontier) is kept.
            if let Some(node) = child.node
                && seen.insert(child.fingerprint)
            {
                level.new_states += 1;
                // The last depth's states are counted, not kept: nothing expands them.
                if depth < settings.depth {
                    next.push(node);
                }
            }
        }
        level.seconds = level_start.elapsed().as_secs_f64();
        progress(&level);
        report.levels.push(level);
        if report.counterexample.is_some() {
            break;
        }
        report.depth_completed = depth;
        frontier = next;
    }
    report.distinct_states = seen.len() as u64;
    report.elapsed = start.elapsed();
    report
}

/// [`explore`] with the spec as the oracle.
pub fn explore_spec<D: Driver + 'static>(
    settings: &Settings,
    make: impl Fn() -> D + Sync,
) -> Report {
    explore(settings, SpecDriver::new, make)
}
