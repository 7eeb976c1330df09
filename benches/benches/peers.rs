//! Lockstep beside its peers: vodozemac (Matrix's Olm, the Double Ratchet with
//! 3DH; crates.io), on the same message flow with the wire round trip.
//!
//! Operations, each at 64 B and 1 KiB where a message is involved:
//!
//! - `set-up`: Alice starts a session from Bob's published keys and encrypts her
//!   first message; Bob makes his session from it and decrypts. Lockstep: PQXDH
//!   with a one-time X25519 prekey and a one-time ML-KEM-1024 prekey (the bundle
//!   verified beforehand, untimed, as a client checks a key's signature before it
//!   starts a session); vodozemac: Olm (version 1, libolm's) with a one-time key.
//! - `ping-pong`: messages in turn, so every decryption is a DH ratchet step.
//! - `same-chain`: messages one way, so no decryption is one.
//!
//! Every message is encoded to bytes and decoded from them (lockstep's wire bytes;
//! vodozemac's `OlmMessage::to_parts` and `from_parts`). Both draw their random
//! bytes as they would in use (vodozemac from the operating system, its own choice;
//! lockstep from a `ChaCha20Rng`), and both run on curve25519-dalek 5.
//!
//! Two measurements. Criterion's groups `peers <operation>` give each contender's
//! mean. Because this machine drifts by up to 70% between benchmarks, the ratio
//! is then measured in rotated rounds: in each round both contenders run the same
//! number of operations back to back, the first one alternating between rounds, and
//! the round's ratio is lockstep's time over vodozemac's. The table gives the median
//! ratio and its range over the rounds, and is recorded in BENCHMARKS.md; the
//! rounds are also saved as JSON, `lockstep-peers-paired.json` in criterion's home
//! (`lockstep_harness::bench_report::paired`), for `lockstep bench report`.
//!
//! libsignal is not on crates.io and does not build from crates.io dependencies
//! alone; its figures (measured once from a trimmed snapshot of signalapp/libsignal)
//! are recorded with their provenance in BENCHMARKS.md's text, not re-measured here.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "set-up that fails leaves nothing to measure: stopping there, loudly, is right"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use lockstep::bundle::{
    OneTimePreKeyId, PqPreKeyId, PqPreKeyKind, SignedPreKeyId, VerifiedPreKeyBundle,
};
use lockstep::keys::{DecapsulationKey, PrivateKey};
use lockstep::session::InMemoryPreKeyStore;
use lockstep::{IdentityKeyPair, PreKeyBundle, Session};
use lockstep_benches::catalogue::{self, LOCKSTEP, PEER_GROUP_PREFIX, VODOZEMAC};
use lockstep_harness::bench_report::paired::{PairedOperation, PairedRun};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use vodozemac::olm::{Account, OlmMessage, SessionConfig};

/// Rounds of the rotated measurement.
const ROUNDS: usize = 9;
/// About how long one contender runs in one round.
const ROUND_TARGET: Duration = Duration::from_millis(150);

fn message(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap_or_default())
        .collect()
}

/// A generator seeded from the clock and the process's hasher keys (a benchmark
/// needs fresh bytes, not secret ones).
fn rng() -> ChaCha20Rng {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    ChaCha20Rng::seed_from_u64(hasher.finish())
}

// ---------------------------------------------------------------------------------
// Lockstep.

/// Bob's identity, his store's keys (to put back after each accept) and his
/// verified bundle as Alice holds it.
struct LockstepBob {
    identity: IdentityKeyPair,
    spk: PrivateKey,
    pqpk: DecapsulationKey,
    opk: PrivateKey,
    verified: VerifiedPreKeyBundle,
}

impl LockstepBob {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let identity = IdentityKeyPair::generate(rng);
        let spk = PrivateKey::generate(rng);
        let pqpk = DecapsulationKey::generate(rng);
        let opk = PrivateKey::generate(rng);
        let published = PreKeyBundle::builder(&identity)
            .signed_prekey(SignedPreKeyId(1), &spk.public_key())
            .pq_prekey(
                PqPreKeyId(2),
                pqpk.encapsulation_key(),
                PqPreKeyKind::OneTime,
            )
            .one_time_prekey(OneTimePreKeyId(3), &opk.public_key())
            .sign(rng)
            .to_bytes();
        let verified = PreKeyBundle::from_bytes(&published)
            .and_then(|bundle| bundle.verify())
            .expect("an honest bundle verifies");
        LockstepBob {
            identity,
            spk,
            pqpk,
            opk,
            verified,
        }
    }

    /// A store holding the bundle's one-time prekeys (accept uses them up).
    fn store(&self) -> InMemoryPreKeyStore {
        let mut store = InMemoryPreKeyStore::new();
        store.add_signed_prekey(SignedPreKeyId(1), &self.spk);
        store.add_pq_prekey(PqPreKeyId(2), &self.pqpk, PqPreKeyKind::OneTime);
        store.add_one_time_prekey(OneTimePreKeyId(3), &self.opk);
        store
    }

    /// The timed set-up: Alice's initiate and first message, Bob's accept.
    fn set_up(
        &self,
        rng: &mut ChaCha20Rng,
        alice: &IdentityKeyPair,
        store: &mut InMemoryPreKeyStore,
        first: &[u8],
    ) -> (Session, Session) {
        let mut a = Session::initiate(rng, alice, &self.verified).expect("a verified bundle");
        let wire = a.encrypt(first).expect("a sending chain");
        let (b, read) =
            Session::accept(rng, &self.identity, store, &wire).expect("an honest first message");
        assert_eq!(read.len(), first.len());
        (a, b)
    }
}

/// An established pair (a message each way), for the message benchmarks.
fn lockstep_pair(rng: &mut ChaCha20Rng) -> (Session, Session) {
    let bob = LockstepBob::new(rng);
    let alice = IdentityKeyPair::generate(rng);
    let (mut a, mut b) = bob.set_up(rng, &alice, &mut bob.store(), b"hello");
    let reply = b.encrypt(b"hi").expect("a sending chain");
    a.decrypt(rng, &reply).expect("an honest reply");
    (a, b)
}

/// One message from `from` to `to`, through the wire bytes.
fn lockstep_send(rng: &mut ChaCha20Rng, from: &mut Session, to: &mut Session, m: &[u8]) {
    let wire = from.encrypt(m).expect("a sending chain");
    black_box(
        to.decrypt(rng, black_box(&wire))
            .expect("an honest message"),
    );
}

// ---------------------------------------------------------------------------------
// vodozemac.

/// One message from `from` to `to`, through `to_parts` and `from_parts`.
fn olm_send(from: &mut vodozemac::olm::Session, to: &mut vodozemac::olm::Session, m: &[u8]) {
    let (kind, bytes) = from.encrypt(m).expect("encrypts").to_parts();
    let message = OlmMessage::from_parts(kind, black_box(&bytes)).expect("decodes");
    black_box(to.decrypt(&message).expect("an honest message"));
}

/// Bob's account with one published one-time key, and the key.
fn olm_bob() -> (Account, vodozemac::Curve25519PublicKey) {
    let mut bob = Account::new();
    bob.generate_one_time_keys(1);
    let otk = *bob
        .one_time_keys()
        .values()
        .next()
        .expect("one one-time key");
    bob.mark_keys_as_published();
    (bob, otk)
}

/// The timed set-up: Alice's outbound session and first message, Bob's inbound
/// session from it.
fn olm_set_up(
    alice: &Account,
    bob: &mut Account,
    otk: vodozemac::Curve25519PublicKey,
    first: &[u8],
) -> (vodozemac::olm::Session, vodozemac::olm::Session) {
    let mut a = alice
        .create_outbound_session(SessionConfig::version_1(), bob.curve25519_key(), otk)
        .expect("a contributory key");
    let (kind, bytes) = a.encrypt(first).expect("encrypts").to_parts();
    let OlmMessage::PreKey(prekey) = OlmMessage::from_parts(kind, &bytes).expect("decodes") else {
        panic!("the first message is a pre-key message");
    };
    let created = bob
        .create_inbound_session(SessionConfig::version_1(), alice.curve25519_key(), &prekey)
        .expect("an honest pre-key message");
    assert_eq!(created.plaintext.len(), first.len());
    (a, created.session)
}

fn olm_pair() -> (vodozemac::olm::Session, vodozemac::olm::Session) {
    let alice = Account::new();
    let (mut bob, otk) = olm_bob();
    let (mut a, mut b) = olm_set_up(&alice, &mut bob, otk, b"hello");
    olm_send(&mut b, &mut a, b"hi");
    (a, b)
}

// ---------------------------------------------------------------------------------
// The operations, as "run n of them and return the time they took" (set-up untimed).

/// An operation of both contenders.
#[derive(Clone, Copy)]
struct Operation {
    name: &'static str,
    size: usize,
    lockstep: fn(u64, usize) -> Duration,
    vodozemac: fn(u64, usize) -> Duration,
}

fn lockstep_set_ups(n: u64, size: usize) -> Duration {
    let mut rng = rng();
    let bob = LockstepBob::new(&mut rng);
    let first = message(size);
    let work: Vec<(IdentityKeyPair, InMemoryPreKeyStore)> = (0..n)
        .map(|_| (IdentityKeyPair::generate(&mut rng), bob.store()))
        .collect();
    let started = Instant::now();
    for (alice, mut store) in work {
        black_box(bob.set_up(&mut rng, &alice, &mut store, &first));
    }
    started.elapsed()
}

fn vodozemac_set_ups(n: u64, size: usize) -> Duration {
    let first = message(size);
    let work: Vec<(Account, Account, vodozemac::Curve25519PublicKey)> = (0..n)
        .map(|_| {
            let (bob, otk) = olm_bob();
            (Account::new(), bob, otk)
        })
        .collect();
    let started = Instant::now();
    for (alice, mut bob, otk) in work {
        black_box(olm_set_up(&alice, &mut bob, otk, &first));
    }
    started.elapsed()
}

fn lockstep_ping_pong(n: u64, size: usize) -> Duration {
    let mut rng = rng();
    let (mut a, mut b) = lockstep_pair(&mut rng);
    let m = message(size);
    let started = Instant::now();
    for i in 0..n {
        if i % 2 == 0 {
            lockstep_send(&mut rng, &mut a, &mut b, &m);
        } else {
            lockstep_send(&mut rng, &mut b, &mut a, &m);
        }
    }
    started.elapsed()
}

fn vodozemac_ping_pong(n: u64, size: usize) -> Duration {
    let (mut a, mut b) = olm_pair();
    let m = message(size);
    let started = Instant::now();
    for i in 0..n {
        if i % 2 == 0 {
            olm_send(&mut a, &mut b, &m);
        } else {
            olm_send(&mut b, &mut a, &m);
        }
    }
    started.elapsed()
}

fn lockstep_same_chain(n: u64, size: usize) -> Duration {
    let mut rng = rng();
    let (mut a, mut b) = lockstep_pair(&mut rng);
    let m = message(size);
    let started = Instant::now();
    for _ in 0..n {
        lockstep_send(&mut rng, &mut a, &mut b, &m);
    }
    started.elapsed()
}

fn vodozemac_same_chain(n: u64, size: usize) -> Duration {
    let (mut a, mut b) = olm_pair();
    let m = message(size);
    let started = Instant::now();
    for _ in 0..n {
        olm_send(&mut a, &mut b, &m);
    }
    started.elapsed()
}

const OPERATIONS: [Operation; 6] = [
    Operation {
        name: "set-up",
        size: 64,
        lockstep: lockstep_set_ups,
        vodozemac: vodozemac_set_ups,
    },
    Operation {
        name: "set-up",
        size: 1024,
        lockstep: lockstep_set_ups,
        vodozemac: vodozemac_set_ups,
    },
    Operation {
        name: "ping-pong",
        size: 64,
        lockstep: lockstep_ping_pong,
        vodozemac: vodozemac_ping_pong,
    },
    Operation {
        name: "ping-pong",
        size: 1024,
        lockstep: lockstep_ping_pong,
        vodozemac: vodozemac_ping_pong,
    },
    Operation {
        name: "same-chain",
        size: 64,
        lockstep: lockstep_same_chain,
        vodozemac: vodozemac_same_chain,
    },
    Operation {
        name: "same-chain",
        size: 1024,
        lockstep: lockstep_same_chain,
        vodozemac: vodozemac_same_chain,
    },
];

// ---------------------------------------------------------------------------------
// Criterion's means.

fn criterion_groups(c: &mut Criterion) {
    for name in catalogue::PEER_OPERATIONS {
        let mut group = c.benchmark_group(format!("{PEER_GROUP_PREFIX}{name}"));
        if name == "set-up" {
            group.sample_size(10);
        }
        for op in OPERATIONS.iter().filter(|op| op.name == name) {
            for (contender, run) in [(LOCKSTEP, op.lockstep), (VODOZEMAC, op.vodozemac)] {
                group.bench_with_input(
                    BenchmarkId::new(contender, op.size),
                    &op.size,
                    |bench, &size| bench.iter_custom(|n| run(n, size)),
                );
            }
        }
        group.finish();
    }
}

// ---------------------------------------------------------------------------------
// Rotated rounds.

/// How many operations take about [`ROUND_TARGET`] for the slower contender.
fn calibrate(op: &Operation) -> u64 {
    let probe = 8;
    let slowest = (op.lockstep)(probe, op.size).max((op.vodozemac)(probe, op.size));
    let per_op = slowest.as_secs_f64() / 8.0;
    let n = (ROUND_TARGET.as_secs_f64() / per_op.max(1e-9)).ceil();
    // Even, so a ping-pong round has as many turns each way.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive count of operations, capped"
    )]
    let n = (n as u64).clamp(8, 1_000_000);
    n + n % 2
}

/// The median and the range of `values`.
fn median_range(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = values.get(values.len() / 2).copied().unwrap_or(f64::NAN);
    let min = values.first().copied().unwrap_or(f64::NAN);
    let max = values.last().copied().unwrap_or(f64::NAN);
    (median, min, max)
}

fn human(seconds: f64) -> String {
    if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.2} µs", seconds * 1e6)
    }
}

/// The rotated rounds of every operation: the table printed and recorded, and the
/// rounds themselves, saved as JSON.
fn rotated_rounds() -> (String, Vec<PairedOperation>) {
    let mut paired = Vec::with_capacity(OPERATIONS.len());
    let mut table = format!(
        "{:<12} {:>6} {:>8} {:>13} {:>13} {:>16} {:>17}\n",
        "operation", "size", "ops", "lockstep", "vodozemac", "lockstep/vodoz.", "range"
    );
    for op in &OPERATIONS {
        let n = calibrate(op);
        let mut ratios = Vec::with_capacity(ROUNDS);
        let (mut lockstep_times, mut vodozemac_times) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let (l, v) = if round % 2 == 0 {
                let l = (op.lockstep)(n, op.size);
                (l, (op.vodozemac)(n, op.size))
            } else {
                let v = (op.vodozemac)(n, op.size);
                ((op.lockstep)(n, op.size), v)
            };
            ratios.push(l.as_secs_f64() / v.as_secs_f64());
            #[allow(clippy::cast_precision_loss, reason = "a count of operations")]
            let per = |d: Duration| d.as_secs_f64() / n as f64;
            lockstep_times.push(per(l));
            vodozemac_times.push(per(v));
        }
        let in_order = ratios.clone();
        let (ratio, low, high) = median_range(&mut ratios);
        let (l, _, _) = median_range(&mut lockstep_times);
        let (v, _, _) = median_range(&mut vodozemac_times);
        table.push_str(&format!(
            "{:<12} {:>4} B {:>8} {:>13} {:>13} {:>16.2} {:>17}\n",
            op.name,
            op.size,
            n,
            human(l),
            human(v),
            ratio,
            format!("{low:.2}-{high:.2}")
        ));
        paired.push(PairedOperation {
            operation: op.name.to_owned(),
            size: u64::try_from(op.size).unwrap_or(u64::MAX),
            rounds: ROUNDS,
            ops_per_round: n,
            ratios: in_order,
            median: ratio,
            min: low,
            max: high,
            lockstep_ns: l * 1e9,
            vodozemac_ns: v * 1e9,
        });
    }
    (table, paired)
}

/// Saves the rotated rounds as JSON in criterion's home, for `lockstep bench
/// report`; a failure to write is reported, not fatal (the table was printed).
fn save_paired(operations: Vec<PairedOperation>) {
    let run = PairedRun {
        utc: lockstep_harness::bench_report::utc_rfc3339(std::time::SystemTime::now()),
        commit: lockstep_harness::bench_report::git_commit(std::path::Path::new(env!(
            "CARGO_MANIFEST_DIR"
        ))),
        operations,
    };
    let path = lockstep_benches::criterion_home().join(catalogue::PAIRED_FILE);
    let written = serde_json::to_string_pretty(&run)
        .map_err(std::io::Error::other)
        .and_then(|json| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, json + "\n")
        });
    match written {
        Ok(()) => println!("paired ratios saved in {}", path.display()),
        Err(error) => println!("paired ratios not saved in {}: {error}", path.display()),
    }
}

/// Stops if [`OPERATIONS`] and the catalogue's rows (what `lockstep bench report`
/// reads) have drifted apart.
fn check_catalogue() {
    let ours: Vec<(String, String)> = OPERATIONS
        .iter()
        .map(|op| {
            (
                format!("{PEER_GROUP_PREFIX}{}", op.name),
                op.size.to_string(),
            )
        })
        .collect();
    let listed: Vec<(String, String)> = catalogue::PEER_ROWS
        .iter()
        .map(|row| (row.group.to_owned(), row.parameter.to_owned()))
        .collect();
    assert_eq!(
        ours, listed,
        "peers.rs's operations and catalogue::PEER_ROWS must list the same rows"
    );
}

/// Session sizes: lockstep's state encoding and its sealed form, vodozemac's pickle
/// (JSON) and its encrypted pickle (base64), after a message each way.
fn session_sizes() -> String {
    let mut rng = rng();
    let (a, _) = lockstep_pair(&mut rng);
    let key = lockstep::storage::StorageKey::generate(&mut rng);
    let plain = a.to_bytes().len();
    let sealed = a.to_encrypted_bytes(&key, &mut rng).expect("seals").len();
    let (o, _) = olm_pair();
    let json = serde_json::to_vec(&o.pickle()).expect("a pickle").len();
    let encrypted = o.pickle().encrypt(&[7; 32]).len();
    format!(
        "session sizes after a message each way: lockstep {plain} B (SPEC §6), {sealed} B sealed; \
         vodozemac {json} B (pickle as JSON), {encrypted} B (encrypted pickle, base64)\n"
    )
}

fn main() {
    check_catalogue();
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    criterion_groups(&mut c);
    c.final_summary();
    println!(
        "\nlockstep beside vodozemac, rotated rounds ({ROUNDS} rounds; per operation, the median of the rounds):\n"
    );
    let (mut table, paired) = rotated_rounds();
    table.push_str(&session_sizes());
    print!("{table}");
    lockstep_benches::record("peers", &table);
    save_paired(paired);
}
