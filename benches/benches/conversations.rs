//! Whole conversations: the throughput of the equivalence check, and where the
//! spec's time goes.
//!
//! The conversations are drawn before timing from a fixed seed by
//! `lockstep_harness::strategy::ping_pong(20, 4)`: honest turns of sending and
//! delivering, each conversation at least 20 messages and 4 DH ratchet steps (the
//! set-up counts both, on the implementation's run, and stops if one falls short).
//! Each timed iteration handles the next conversation of the set, round robin, so a
//! mean is a mean over the set.
//!
//! Groups:
//!
//! - `conversation`: `equivalence` (the spec's run, the implementation's run and
//!   their comparison: what `lockstep check` does per scenario, less the
//!   invariants), the same on 2 threads (two conversations at once; the time is
//!   wall time per conversation), and the spec's run and the implementation's run
//!   alone;
//! - `spec set-up`: the spec's part of a conversation before its first message:
//!   the whole set-up (`SpecDriver::set_up`), then its steps: Bob's keys (ML-KEM-1024
//!   key generation, X25519 public keys), signing the bundle (two XEdDSA signatures),
//!   encoding, decoding and verifying it (two XEdDSA verifications), and Alice's
//!   `session::initiate` (PQXDH and the first ratchet key).
//!
//! After criterion's report the benchmark prints conversations per minute and the
//! breakdown: set-up against messages (the spec's run less its set-up).

#![allow(
    clippy::expect_used,
    reason = "set-up that fails leaves nothing to measure: stopping there, loudly, is right"
)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, SamplingMode};
use lockstep_benches::{criterion_home, mean_ns, record};
use lockstep_harness::driver::{
    Driver, ImplDriver, OPK_ID, PQPK_ID, SPK_ID, SetUpInputs, SpecDriver,
};
use lockstep_harness::model::{Event, Party, Scenario};
use lockstep_harness::run::{Run, equivalence, run, set_up_inputs};
use lockstep_harness::strategy::ping_pong;
use lockstep_spec as spec;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base};
use spec::xeddsa::XEdDSARandom;
use std::fmt::Write as _;

/// The fewest messages of a conversation.
const MESSAGES: usize = 20;
/// The fewest DH ratchet steps (changes of sender).
const TURNS: usize = 4;
/// Conversations in the set.
const CONVERSATIONS: usize = 16;
/// The seed of the set (32 bytes, ChaCha).
const SEED: [u8; 32] = *b"lockstep conversations benchmark";

const CONVERSATION: &str = "conversation";
const SET_UP: &str = "spec set-up";

/// The set of conversations, drawn from [`SEED`].
fn conversations() -> Vec<Scenario> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
    );
    let strategy = ping_pong(MESSAGES, TURNS);
    (0..CONVERSATIONS)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("ping_pong draws a conversation")
                .current()
        })
        .collect()
}

/// Messages sent and DH ratchet steps taken in a run: a step is a delivery whose
/// ratchet public key is not the one the recipient last received (the first
/// message of a session, which starts it, is not counted).
fn messages_and_steps(run: &Run) -> (usize, usize) {
    use lockstep::consts::{MSG_PREKEY, PREKEY_HEADER_LEN};
    let mut last: [Option<Vec<u8>>; 2] = [None, None];
    let mut steps = 0;
    for d in &run.deliveries {
        assert!(
            d.result.is_ok(),
            "an honest conversation decrypts everything"
        );
        let offset = if d.bytes.get(1) == Some(&MSG_PREKEY) {
            PREKEY_HEADER_LEN
        } else {
            0
        };
        let key = d.bytes[offset + 2..offset + 34].to_vec();
        let slot = &mut last[usize::from(d.to == Party::Alice)];
        if slot.as_ref().is_some_and(|k| *k != key) {
            steps += 1;
        }
        *slot = Some(key);
    }
    // Alice's first receipt is a step too: she starts with no ratchet key of Bob's.
    if last[1].is_some() {
        steps += 1;
    }
    (run.sent.len(), steps)
}

fn scalar(bytes: &[u8]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

fn seed32(bytes: &[u8]) -> spec::ml_kem::Seed32 {
    spec::ml_kem::Seed32::from_public_slice(bytes)
}

/// Bob's keys: ML-KEM-1024 from its seed, and the X25519 public keys of the signed
/// and one-time prekeys.
fn spec_keys(
    inputs: &SetUpInputs,
) -> (
    spec::ml_kem::EncapsulationKey,
    X25519SerializedPoint,
    Option<X25519SerializedPoint>,
) {
    let (ek, _dk) = spec::ml_kem::keygen(
        &seed32(&inputs.pq_seed[..32]),
        &seed32(&inputs.pq_seed[32..]),
    );
    let spk = X25519SerializedPoint::from_seq(&x25519_base(&scalar(&inputs.spk_b)));
    let opk = inputs
        .set_up
        .opk
        .then(|| X25519SerializedPoint::from_seq(&x25519_base(&scalar(&inputs.opk_b))));
    (ek, spk, opk)
}

/// Bob signs his bundle (as `SpecDriver::set_up` does).
fn spec_sign(
    inputs: &SetUpInputs,
    (ek, spk, opk): &(
        spec::ml_kem::EncapsulationKey,
        X25519SerializedPoint,
        Option<X25519SerializedPoint>,
    ),
) -> spec::wire::PreKeyBundle {
    spec::pqxdh::sign_bundle(
        &scalar(&inputs.ik_b),
        SPK_ID,
        spk,
        PQPK_ID,
        inputs.set_up.pq_last_resort,
        ek,
        opk.map(|opk| (OPK_ID, opk)),
        &XEdDSARandom::from_public_slice(&inputs.z_spk),
        &XEdDSARandom::from_public_slice(&inputs.z_pqpk),
    )
}

/// Alice decodes and verifies the bundle's encoding.
fn spec_verify(bytes: &spec::ByteSeq) -> spec::pqxdh::VerifiedPreKeyBundle {
    spec::pqxdh::verify_bundle(&spec::wire::decode_bundle(bytes).expect("decodes"))
        .expect("verifies")
}

/// Alice initiates.
fn spec_initiate(
    inputs: &SetUpInputs,
    verified: &spec::pqxdh::VerifiedPreKeyBundle,
) -> spec::ratchet::State {
    spec::session::initiate(
        &scalar(&inputs.ik_a),
        verified,
        &scalar(&inputs.ek_a),
        &seed32(&inputs.m),
        &scalar(&inputs.r_a),
    )
    .expect("initiates")
    .0
}

/// Times `iters` conversations of the set, round robin, on one thread.
fn round_robin(set: &[Scenario], iters: u64, mut f: impl FnMut(&Scenario)) -> Duration {
    let started = Instant::now();
    for i in 0..iters {
        f(&set[usize::try_from(i).unwrap_or(0) % set.len()]);
    }
    started.elapsed()
}

fn human(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

fn main() {
    let started = SystemTime::now();
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();

    // The set, checked: equal transcripts, enough messages and DH ratchet steps.
    let set = conversations();
    let mut messages = 0;
    let mut steps = 0;
    for (i, scenario) in set.iter().enumerate() {
        let sends = scenario
            .events
            .iter()
            .filter(|e| matches!(e, Event::Send { .. }))
            .count();
        assert!(sends >= MESSAGES, "conversation {i}: {sends} messages");
        let run = equivalence(scenario).expect("spec and impl agree on an honest conversation");
        let (sent, dh_steps) = messages_and_steps(&run);
        assert_eq!(sent, sends, "conversation {i}: every message is sent");
        assert!(
            dh_steps >= TURNS,
            "conversation {i}: {dh_steps} DH ratchet steps"
        );
        messages += sent;
        steps += dh_steps;
    }
    let per = |n: usize| n as f64 / set.len() as f64;
    println!(
        "{} conversations from strategy::ping_pong({MESSAGES}, {TURNS}): {:.1} messages and {:.1} DH ratchet steps each on average",
        set.len(),
        per(messages),
        per(steps)
    );

    {
        let mut group = c.benchmark_group(CONVERSATION);
        group.sampling_mode(SamplingMode::Flat);
        group.bench_function("equivalence", |b| {
            b.iter_custom(|iters| {
                round_robin(&set, iters, |s| {
                    black_box(equivalence(black_box(s)).is_ok());
                })
            })
        });
        group.bench_function("equivalence, 2 threads", |b| {
            b.iter_custom(|iters| {
                // Two workers take alternate conversations; the time is the wall time
                // of all `iters`, so the mean is wall time per conversation.
                let started = Instant::now();
                std::thread::scope(|scope| {
                    for worker in 0..2u64 {
                        let set = &set;
                        scope.spawn(move || {
                            let mut i = worker;
                            while i < iters {
                                let s = &set[usize::try_from(i).unwrap_or(0) % set.len()];
                                black_box(equivalence(black_box(s)).is_ok());
                                i += 2;
                            }
                        });
                    }
                });
                started.elapsed()
            })
        });
        group.bench_function("spec", |b| {
            b.iter_custom(|iters| {
                round_robin(&set, iters, |s| {
                    black_box(run(&mut SpecDriver::new(), black_box(s)));
                })
            })
        });
        group.bench_function("impl", |b| {
            b.iter_custom(|iters| {
                round_robin(&set, iters, |s| {
                    black_box(run(&mut ImplDriver::new(), black_box(s)));
                })
            })
        });
        group.finish();
    }

    {
        let inputs: Vec<SetUpInputs> = set.iter().map(set_up_inputs).collect();
        let first = &inputs[0];
        let keys = spec_keys(first);
        let bundle = spec::wire::encode_bundle(&spec_sign(first, &keys));
        let verified = spec_verify(&bundle);
        let mut group = c.benchmark_group(SET_UP);
        group.sampling_mode(SamplingMode::Flat);
        group.bench_function("whole", |b| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                for i in 0..iters {
                    let inputs = &inputs[usize::try_from(i).unwrap_or(0) % inputs.len()];
                    black_box(SpecDriver::new().set_up(black_box(inputs)).is_ok());
                }
                started.elapsed()
            })
        });
        group.bench_function("keys", |b| b.iter(|| spec_keys(black_box(first))));
        group.bench_function("sign", |b| b.iter(|| spec_sign(black_box(first), &keys)));
        group.bench_function("verify", |b| b.iter(|| spec_verify(black_box(&bundle))));
        group.bench_function("initiate", |b| {
            b.iter(|| spec_initiate(black_box(first), &verified))
        });
        group.finish();
    }

    c.final_summary();
    report(started, per(messages));
}

/// Conversations per minute and the breakdown, from this run's estimates.
fn report(since: SystemTime, messages: f64) {
    let mut out = String::new();
    let home = criterion_home();
    let mean = |group: &str, function: &str| mean_ns(&home, since, group, function, "");
    println!(
        "\nconversations of strategy::ping_pong({MESSAGES}, {TURNS}) (criterion means from this run, {}):\n",
        home.display()
    );
    let _ = writeln!(
        out,
        "conversations of strategy::ping_pong({MESSAGES}, {TURNS}), {messages:.1} messages each on average\n"
    );
    let _ = writeln!(
        out,
        "{:<48} {:>16} {:>22}",
        "", "per conversation", "conversations/minute"
    );
    for (function, label) in [
        (
            "equivalence",
            "equivalence (spec + impl + compare), 1 thread",
        ),
        (
            "equivalence, 2 threads",
            "equivalence, 2 threads (wall time)",
        ),
        ("spec", "spec run alone"),
        ("impl", "impl run alone"),
    ] {
        if let Some(ns) = mean(CONVERSATION, function) {
            let _ = writeln!(out, "{label:<48} {:>16} {:>22.0}", human(ns), 60e9 / ns);
        }
    }

    let (Some(spec_run), Some(set_up)) = (mean(CONVERSATION, "spec"), mean(SET_UP, "whole")) else {
        return;
    };
    let _ = writeln!(out, "\nwhere the spec's time goes, per conversation:\n");
    let share = |ns: f64| 100.0 * ns / spec_run;
    let _ = writeln!(
        out,
        "  set-up (SpecDriver::set_up)             {:>10}  {:>5.1}%",
        human(set_up),
        share(set_up)
    );
    for (function, label) in [
        ("keys", "Bob's keys (ML-KEM keygen, X25519)"),
        ("sign", "sign the bundle (2 XEdDSA)"),
        ("verify", "decode + verify it (2 XEdDSA)"),
        ("initiate", "Alice's session::initiate"),
    ] {
        if let Some(ns) = mean(SET_UP, function) {
            let _ = writeln!(
                out,
                "    {label:<37} {:>10}  {:>5.1}%",
                human(ns),
                share(ns)
            );
        }
    }
    let rest = spec_run - set_up;
    let _ = writeln!(
        out,
        "  messages (spec run - set-up)            {:>10}  {:>5.1}%  ({:.1} messages: {} each, sent and delivered)",
        human(rest),
        share(rest),
        messages,
        human(rest / messages)
    );
    if let Some(imp) = mean(CONVERSATION, "impl") {
        let _ = writeln!(out, "\n  spec run / impl run: {:.0}x", spec_run / imp);
    }
    print!("{out}");
    record("conversations", &out);
}
