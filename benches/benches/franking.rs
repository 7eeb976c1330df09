//! Message franking (SPEC §9): the spec beside the implementation beside a baseline,
//! the same operation without franking, so that impl/baseline is what franking
//! costs.
//!
//! Groups, each with `spec`, `impl` and `baseline`:
//!
//! - `franking message`, 64 B and 1 KiB: a franked message on the current chain (no
//!   DH ratchet step, so the commitment's share is as large as it gets),
//!   from Alice's `FrankEncrypt` through the platform's `Stamp` to Bob's
//!   `FrankDecrypt`; the baseline is the plain `encrypt` and `decrypt` of the same
//!   message (no commitment, no stamp, no copy of the state). Sessions are decoded
//!   afresh for each run, untimed, and dropped untimed (`iter_batched_ref`).
//! - `franking, 2000 keys held`: Bob decrypts one franked message while his session
//!   holds 2,000 skipped message keys (the most it keeps): `decrypt_franked` works
//!   on a copy of the state, and this is where the copy costs most. The baseline is
//!   the plain `decrypt` of the same ratchet message.
//! - `franking verify report`: the platform's `VerifyReport`; the baseline is the two
//!   HMAC-SHA-256 calls it makes (the stamp tag and the commitment), on the same
//!   inputs, with no decoding or checks.
//!
//! Sessions come from the implementation's deterministic API with fixed random
//! bytes; the spec runs on the same states, decoded from their SPEC §6 bytes, and
//! the set-up checks that both sides send the same bytes.

#![allow(
    clippy::expect_used,
    reason = "set-up that fails leaves nothing to measure: stopping there, loudly, is right"
)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, BenchmarkId, Criterion};
use lockstep::Session;
use lockstep::bundle::{PqPreKeyId, SignedPreKeyId};
use lockstep::franking::{FrankingContext, PartyId, PlatformKey};
use lockstep::hmac::hmac_sha256;
use lockstep::ml_kem::keygen_derand;
use lockstep::pqxdh::{IdentityKeyPair, sign_bundle};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind};
use lockstep::wire::PreKeyBundle;
use lockstep::x25519::PrivateKey;
use lockstep_benches::catalogue::{
    FRANKING_KEYS_HELD as SKIPPED, FRANKING_MESSAGE as MESSAGE, FRANKING_ROWS,
    FRANKING_VERIFY as VERIFY,
};
use lockstep_benches::print_baseline_ratios;
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_spec::x25519::X25519SerializedScalar;

const KP: [u8; 32] = [0x4b; 32];
const FK: [u8; 32] = [0x46; 32];
const R: [u8; 32] = [0x41; 32];
const T: u64 = 1_764_892_800;

fn message(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap_or_default())
        .collect()
}

fn ctx() -> FrankingContext {
    FrankingContext::new(
        PartyId::new(b"alice").expect("a valid id"),
        PartyId::new(b"bob").expect("a valid id"),
    )
}

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

/// Alice's and Bob's sessions after a message each way and one more from Alice (so
/// Alice's next message is on the chain Bob is receiving on: no DH ratchet step).
fn sessions() -> (Session, Session) {
    let bob_identity = IdentityKeyPair::from_private_bytes([0x10; 32]);
    let spk = PrivateKey::from_bytes([0x30; 32]);
    let (ek, dk) = keygen_derand(&[0x70; 64]);
    let bundle = sign_bundle(
        &bob_identity,
        1,
        &spk.public_key(),
        2,
        true,
        &ek,
        None,
        &[0x01; 64],
        &[0x02; 64],
    );
    let verified = PreKeyBundle::from_bytes(&bundle.to_bytes())
        .and_then(|b| b.verify())
        .expect("an honest bundle verifies");
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(1), &spk);
    store.add_pq_prekey(PqPreKeyId(2), &dk, PqPreKeyKind::LastResort);
    let alice_identity = IdentityKeyPair::from_private_bytes([0x20; 32]);
    let mut alice = Session::initiate_with(
        &alice_identity,
        &verified,
        &[0x21; 32],
        &[0x22; 32],
        &[0x23; 32],
    )
    .expect("an honest bundle");
    let first = alice.encrypt(b"hello").expect("a sending chain");
    let (mut bob, _) =
        Session::accept_with(&bob_identity, &mut store, &first, &[0x40; 32]).expect("accepted");
    let reply = bob.encrypt(b"hi").expect("a sending chain");
    alice.decrypt_with(&reply, &R).expect("an honest reply");
    // Alice's next message starts her new chain (Bob's DH ratchet step); after it,
    // her messages are on the chain Bob is receiving on.
    let next = alice.encrypt(b"and you").expect("a sending chain");
    bob.decrypt_with(&next, &R).expect("an honest message");
    (alice, bob)
}

fn decode(bytes: &[u8]) -> Session {
    Session::from_bytes(bytes).expect("a state this bench encoded")
}

fn spec_state(session: &Session) -> spec::ratchet::State {
    spec::state::decode_state(&seq(&session.to_bytes())).expect("a canonical state")
}

fn r() -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(&R)
}

/// `franking message`: the franked round trip, spec, impl and plain.
fn bench_message(c: &mut Criterion, alice: &Session, bob: &Session) {
    let kp = PlatformKey::from_bytes(KP);
    let (a, b) = (alice.to_bytes(), bob.to_bytes());
    let (sa, sb) = (spec_state(alice), spec_state(bob));
    let spec_kp = spec::franking::PlatformKey::from_public_slice(&KP);
    let spec_fk = spec::franking::FrankingKey::from_public_slice(&FK);
    let mut group = c.benchmark_group(MESSAGE);
    for len in [64, 1024] {
        let m = message(len);
        // The set-up check: both sides deliver the same bytes, and Bob reads m.
        let mut alice = decode(&a);
        let submitted = alice
            .encrypt_franked_with(&ctx(), &FK, &m)
            .expect("a sending chain");
        let (_, spec_submitted) =
            spec::franking::frank_encrypt(&sa, &seq(b"alice"), &seq(b"bob"), &spec_fk, &seq(&m))
                .expect("a sending chain");
        assert_eq!(spec_submitted.to_native(), submitted, "spec = impl");
        let mut bob = decode(&b);
        let delivered = kp.stamp(&ctx(), T, &submitted).expect("a submission");
        assert_eq!(
            bob.decrypt_franked_with(&ctx(), &delivered, &R)
                .expect("honest")
                .0,
            m
        );
        group.bench_with_input(BenchmarkId::new("impl", len), &m, |bench, m| {
            bench.iter_batched_ref(
                || (decode(&a), decode(&b)),
                |(alice, bob)| {
                    let submitted = alice.encrypt_franked_with(&ctx(), &FK, m).expect("sent");
                    let delivered = kp.stamp(&ctx(), T, &submitted).expect("stamped");
                    black_box(
                        bob.decrypt_franked_with(&ctx(), &delivered, &R)
                            .expect("read"),
                    )
                },
                BatchSize::SmallInput,
            );
        });
        group.bench_with_input(BenchmarkId::new("baseline", len), &m, |bench, m| {
            bench.iter_batched_ref(
                || (decode(&a), decode(&b)),
                |(alice, bob)| {
                    let sent = alice.encrypt(m).expect("sent");
                    black_box(bob.decrypt_with(&sent, &R).expect("read"))
                },
                BatchSize::SmallInput,
            );
        });
        group.bench_with_input(BenchmarkId::new("spec", len), &m, |bench, m| {
            let (sender, recipient, m) = (seq(b"alice"), seq(b"bob"), seq(m));
            bench.iter(|| {
                let (_, submitted) =
                    spec::franking::frank_encrypt(&sa, &sender, &recipient, &spec_fk, &m)
                        .expect("sent");
                let delivered = spec::franking::stamp(&spec_kp, &sender, &recipient, T, &submitted)
                    .expect("stamped");
                black_box(
                    spec::franking::frank_decrypt(&sb, &sender, &recipient, &delivered, &r())
                        .expect("read"),
                )
            });
        });
    }
    group.finish();
}

/// `franking, 2000 keys held`: one franked decryption with 2,000 skipped keys held.
fn bench_skipped(c: &mut Criterion, alice: &Session, bob: &Session) {
    let kp = PlatformKey::from_bytes(KP);
    let (mut alice, mut bob) = (decode(&alice.to_bytes()), decode(&bob.to_bytes()));
    // 2,000 messages Bob never receives, then one he does: he stores 2,000 keys.
    for _ in 0..2000 {
        alice.encrypt(b"lost").expect("a sending chain");
    }
    let last = alice.encrypt(b"the 2001st").expect("a sending chain");
    bob.decrypt_with(&last, &R)
        .expect("2,000 skipped is within MAX_SKIP");
    let m = message(64);
    let submitted = alice.encrypt_franked_with(&ctx(), &FK, &m).expect("sent");
    let delivered = kp.stamp(&ctx(), T, &submitted).expect("stamped");
    let inner = lockstep::franking::decode_delivery(&delivered)
        .expect("a delivery")
        .inner
        .to_vec();
    let b = bob.to_bytes();
    let sb = spec_state(&bob);
    let spec_delivered = seq(&delivered);
    let mut group = c.benchmark_group(SKIPPED);
    group.sample_size(10);
    group.bench_function("impl", |bench| {
        bench.iter_batched_ref(
            || decode(&b),
            |bob| {
                black_box(
                    bob.decrypt_franked_with(&ctx(), &delivered, &R)
                        .expect("read"),
                )
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("baseline", |bench| {
        bench.iter_batched_ref(
            || decode(&b),
            |bob| black_box(bob.decrypt_with(&inner, &R).expect("read")),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("spec", |bench| {
        bench.iter(|| {
            black_box(
                spec::franking::frank_decrypt(
                    &sb,
                    &seq(b"alice"),
                    &seq(b"bob"),
                    &spec_delivered,
                    &r(),
                )
                .expect("read"),
            )
        });
    });
    group.finish();
}

/// `franking verify report`: the platform's check of one report.
fn bench_verify(c: &mut Criterion, alice: &Session, bob: &Session) {
    let kp = PlatformKey::from_bytes(KP);
    let (mut alice, mut bob) = (decode(&alice.to_bytes()), decode(&bob.to_bytes()));
    let m = message(64);
    let submitted = alice.encrypt_franked_with(&ctx(), &FK, &m).expect("sent");
    let delivered = kp.stamp(&ctx(), T, &submitted).expect("stamped");
    let (read, receipt) = bob
        .decrypt_franked_with(&ctx(), &delivered, &R)
        .expect("read");
    let report = receipt.report(&read).expect("its own message");
    let reporter = PartyId::new(b"bob").expect("a valid id");
    let spec_kp = spec::franking::PlatformKey::from_public_slice(&KP);
    let (spec_reporter, spec_report) = (seq(b"bob"), seq(&report));
    // The baseline's inputs: SPEC §9.2's StampTag and Commit, laid out by hand.
    let ids: &[u8] = b"\x05alice\x03bob";
    let c_bytes = receipt.commitment().0;
    let stamp_input = [
        lockstep::consts::FRANKING_STAMP_LABEL,
        &c_bytes,
        ids,
        &T.to_be_bytes(),
    ]
    .concat();
    let commit_input = [lockstep::consts::FRANKING_COMMIT_LABEL, ids, &m].concat();
    assert_eq!(
        *hmac_sha256(&FK, &commit_input),
        c_bytes,
        "the baseline's commitment"
    );
    assert_eq!(
        *hmac_sha256(&KP, &stamp_input),
        receipt.stamp_tag().0,
        "the baseline's stamp tag"
    );
    let mut group = c.benchmark_group(VERIFY);
    group.bench_function("impl", |bench| {
        bench.iter(|| black_box(kp.verify_report(&reporter, &report).expect("genuine")));
    });
    group.bench_function("baseline", |bench| {
        bench.iter(|| {
            black_box((
                hmac_sha256(&KP, &stamp_input),
                hmac_sha256(&FK, &commit_input),
            ))
        });
    });
    group.bench_function("spec", |bench| {
        bench.iter(|| {
            black_box(
                spec::franking::verify_report(&spec_kp, &spec_reporter, &spec_report)
                    .expect("genuine"),
            )
        });
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let (alice, bob) = sessions();
    bench_message(&mut c, &alice, &bob);
    bench_skipped(&mut c, &alice, &bob);
    bench_verify(&mut c, &alice, &bob);
    c.final_summary();
    print_baseline_ratios("franking", started, FRANKING_ROWS);
}
