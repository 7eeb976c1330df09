//! The protocol: the spec's session functions beside lockstep's `Session` beside a
//! baseline, the bare primitive calls the implementation makes for the same
//! operation.
//!
//! One criterion group per operation, each with three functions:
//!
//! - `spec`: `lockstep_spec::session` (plain, not fast: the groups whose spec takes
//!   milliseconds per iteration take 10 samples);
//! - `impl`: `lockstep::session::Session`, on wire bytes;
//! - `baseline`: exactly the primitive calls `impl` makes (counted in each baseline
//!   function's comment, from `impl/src/pqxdh.rs`, `ratchet.rs` and `session.rs`),
//!   made directly on lockstep's primitive modules, with no encoding, decoding,
//!   state, maps or checks around them. impl/baseline is the protocol's own cost.
//!
//! Groups: the handshake (Alice's initiate and first encrypt, Bob's accept); a
//! message on the current chain (encrypt then decrypt, no DH ratchet step) at 64 B
//! and 1 KiB; the same when the decryption makes a DH ratchet step (the senders
//! alternate); and the decryption of a message 1000 ahead (1000 keys skipped).
//! Sessions are made before timing; an operation that changes a session runs on a
//! fresh copy decoded from its saved bytes (`Session::from_bytes`) in
//! `iter_batched`'s untimed set-up. The spec's functions take a state by reference
//! and return a new one, so they need no copy.
//!
//! Spec and impl are fed the same random bytes; the set-up checks that they send the
//! same bytes, and that each baseline decrypts what it encrypts (the handshake
//! baseline's ciphertext is also checked against the implementation's).

#![allow(
    clippy::expect_used,
    reason = "set-up that fails leaves nothing to measure: stopping there, loudly, is right"
)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use lockstep::aead;
use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use lockstep::consts::{
    AD_LEN, CK_CONSTANT, EC_PREFIX, F, INFO_MESSAGE_KEYS, INFO_PQXDH, INFO_RATCHET, MK_CONSTANT,
    PREKEY_HEADER_LEN, RATCHET_HEADER_LEN,
};
use lockstep::hkdf::hkdf;
use lockstep::hmac::hmac_sha256;
use lockstep::ml_kem::{DECAPSULATION_KEY_LEN, DecapsulationKey, EncapsulationKey, keygen_derand};
use lockstep::pqxdh::{IdentityKeyPair, VerifiedPreKeyBundle, sign_bundle};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, Session};
use lockstep::wire::PreKeyBundle;
use lockstep::x25519::{PrivateKey, PublicKey};
use lockstep_benches::catalogue::{
    DECRYPT_AHEAD as SKIP_GROUP, DH_STEP, HANDSHAKE, PROTOCOL_ROWS, SAME_CHAIN,
};
use lockstep_benches::print_baseline_ratios;
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_spec::x25519::X25519SerializedScalar;
use sha2::{Digest, Sha256};

// Every key and random input, as bytes, so spec, impl and baseline see the same.
const IK_A: [u8; 32] = [0x20; 32];
const IK_B: [u8; 32] = [0x10; 32];
const SPK: [u8; 32] = [0x30; 32];
const OPK: [u8; 32] = [0x50; 32];
const PQ_SEED: [u8; 64] = [0x70; 64];
const Z_SPK: [u8; 64] = [0x01; 64];
const Z_PQPK: [u8; 64] = [0x02; 64];
const SPK_ID: u32 = 0x1001;
const PQPK_ID: u32 = 0x2002;
const OPK_ID: u32 = 0x3003;
/// Alice's ephemeral key, encapsulation randomness and first ratchet key.
const EK_A: [u8; 32] = [0x21; 32];
const M: [u8; 32] = [0x22; 32];
const R_A: [u8; 32] = [0x23; 32];
/// Bob's first ratchet key (drawn by `accept`).
const R_B: [u8; 32] = [0x40; 32];
/// The ratchet key of every later decryption.
const R: [u8; 32] = [0x41; 32];

const SIZES: [usize; 2] = [64, 1024];
/// How far ahead the message of the skip group is.
const SKIP: usize = 1000;

fn message(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap_or_default())
        .collect()
}

fn scalar(bytes: [u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(&bytes)
}

// ---------------------------------------------------------------------------------
// The implementation's side.

/// Bob's keys and published bundle, and Alice's identity and verified copy of it.
struct ImplParties {
    alice: IdentityKeyPair,
    bob: IdentityKeyPair,
    dk: DecapsulationKey,
    bundle: PreKeyBundle,
    verified: VerifiedPreKeyBundle,
}

fn impl_parties() -> ImplParties {
    let bob = IdentityKeyPair::from_private_bytes(IK_B);
    let (ek, dk) = keygen_derand(&PQ_SEED);
    let bundle = sign_bundle(
        &bob,
        SPK_ID,
        &PrivateKey::from_bytes(SPK).public_key(),
        PQPK_ID,
        false,
        &ek,
        Some((OPK_ID, PrivateKey::from_bytes(OPK).public_key())),
        &Z_SPK,
        &Z_PQPK,
    );
    let verified = PreKeyBundle::from_bytes(&bundle.to_bytes())
        .and_then(|b| b.verify())
        .expect("an honest bundle verifies");
    ImplParties {
        alice: IdentityKeyPair::from_private_bytes(IK_A),
        bob,
        dk,
        bundle,
        verified,
    }
}

/// A fresh store of Bob's private prekeys (`accept` consumes the one-time ones).
fn impl_store(parties: &ImplParties) -> InMemoryPreKeyStore {
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(SPK_ID), &PrivateKey::from_bytes(SPK));
    store.add_pq_prekey(PqPreKeyId(PQPK_ID), &parties.dk, PqPreKeyKind::OneTime);
    store.add_one_time_prekey(OneTimePreKeyId(OPK_ID), &PrivateKey::from_bytes(OPK));
    store
}

/// Alice's initiate and first encrypt, then Bob's accept: the timed handshake.
fn impl_handshake(
    parties: &ImplParties,
    store: &mut InMemoryPreKeyStore,
    plaintext: &[u8],
) -> Result<(Session, Vec<u8>, Session, Vec<u8>), lockstep::Error> {
    let mut alice = Session::initiate_with(&parties.alice, &parties.verified, &EK_A, &M, &R_A)?;
    let first = alice.encrypt(plaintext)?;
    let (bob, received) = Session::accept_with(&parties.bob, store, &first, &R_B)?;
    Ok((alice, first, bob, received))
}

/// One message from `from` to `to`.
fn impl_send(from: &mut Session, to: &mut Session, plaintext: &[u8]) -> Vec<u8> {
    let bytes = from.encrypt(plaintext).expect("a sending chain");
    let received = to.decrypt_with(&bytes, &R).expect("an honest message");
    assert_eq!(received, plaintext);
    bytes
}

fn decode(bytes: &[u8]) -> Session {
    Session::from_bytes(bytes).expect("a state this bench encoded")
}

// ---------------------------------------------------------------------------------
// The spec's side.

struct SpecParties {
    verified: spec::pqxdh::VerifiedPreKeyBundle,
    dk: spec::ml_kem::DecapsulationKey,
}

/// Bob's ML-KEM key pair from the same seed, and Alice's verified copy of the
/// implementation's bundle (decoded by the spec: the same bytes).
fn spec_parties(bundle: &PreKeyBundle) -> SpecParties {
    let (_, dk) = spec::ml_kem::keygen(
        &spec::ml_kem::Seed32::from_public_slice(&PQ_SEED[..32]),
        &spec::ml_kem::Seed32::from_public_slice(&PQ_SEED[32..]),
    );
    let decoded = spec::wire::decode_bundle(&ByteSeq::from_public_slice(&bundle.to_bytes()))
        .expect("a canonical bundle");
    let verified = spec::pqxdh::verify_bundle(&decoded).expect("an honest bundle verifies");
    SpecParties { verified, dk }
}

type SpecState = spec::ratchet::State;

fn spec_handshake(
    parties: &SpecParties,
    plaintext: &ByteSeq,
) -> Result<(SpecState, ByteSeq, SpecState, ByteSeq), spec::Error> {
    let (alice, _) = spec::session::initiate(
        &scalar(IK_A),
        &parties.verified,
        &scalar(EK_A),
        &spec::ml_kem::Seed32::from_public_slice(&M),
        &scalar(R_A),
    )?;
    let (alice, first) = spec::session::encrypt(&alice, plaintext)?;
    // The implementation's accept decodes the message; so does this.
    let prekey_message = spec::wire::decode_prekey_message(&first)?;
    let (bob, received, _) = spec::session::accept(
        &scalar(IK_B),
        &scalar(SPK),
        &parties.dk,
        Some(&scalar(OPK)),
        &prekey_message,
        &scalar(R_B),
    )?;
    Ok((alice, first, bob, received))
}

/// One message from `from` to `to`: the new states and the bytes sent.
fn spec_send(
    from: &SpecState,
    to: &SpecState,
    plaintext: &[u8],
) -> Result<(SpecState, SpecState, ByteSeq), spec::Error> {
    let (from, bytes) = spec::session::encrypt(from, &ByteSeq::from_public_slice(plaintext))?;
    let (to, received) = spec::session::decrypt(to, &bytes, &scalar(R))?;
    assert_eq!(received.to_native(), plaintext);
    Ok((from, to, bytes))
}

// ---------------------------------------------------------------------------------
// The baseline: the implementation's primitive calls and nothing else.

/// `KDF_CK` and the message keys, as `ratchet::kdf_ck` and
/// `ratchet::message_key_material` make them: 2 HMAC-SHA-256, 1 HKDF (44 B out).
fn chain_step(ck: &[u8]) -> (zeroize::Zeroizing<[u8; 32]>, aead::Key, aead::Nonce) {
    let next = hmac_sha256(ck, &[CK_CONSTANT]);
    let mk = hmac_sha256(ck, &[MK_CONSTANT]);
    let okm = hkdf::<44>(&[0u8; 32], &*mk, INFO_MESSAGE_KEYS);
    let mut key = [0u8; aead::KEY_LEN];
    let mut nonce = [0u8; aead::NONCE_LEN];
    key.copy_from_slice(&okm[..aead::KEY_LEN]);
    nonce.copy_from_slice(&okm[aead::KEY_LEN..]);
    (next, aead::Key::from_bytes(key), aead::Nonce(nonce))
}

/// One ratchet encryption: 2 HMAC, 1 HKDF, 1 AEAD seal.
fn seal_next(ck: &[u8], ad_h: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let (next, key, nonce) = chain_step(ck);
    black_box(next);
    aead::seal(&key, &nonce, ad_h, plaintext).ok()
}

/// One ratchet decryption on a chain: 2 HMAC, 1 HKDF, 1 AEAD open.
fn open_next(ck: &[u8], ad_h: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let (next, key, nonce) = chain_step(ck);
    black_box(next);
    aead::open(&key, &nonce, ad_h, sealed).ok()
}

/// PQXDH's `KDF`: 1 HKDF (32 B out) over `F ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4 ‖ SS`, info
/// `INFO_PQXDH ‖ TH`.
fn pqxdh_kdf(dhs: [&[u8; 32]; 4], ss: &[u8; 32], th: &[u8]) -> zeroize::Zeroizing<[u8; 32]> {
    let mut ikm = [0u8; 32 * 6];
    ikm[..32].copy_from_slice(&F);
    for (i, dh) in dhs.iter().enumerate() {
        ikm[32 * (i + 1)..32 * (i + 2)].copy_from_slice(*dh);
    }
    ikm[32 * 5..].copy_from_slice(ss);
    let mut info = [0u8; INFO_PQXDH.len() + 32];
    info[..INFO_PQXDH.len()].copy_from_slice(INFO_PQXDH);
    info[INFO_PQXDH.len()..].copy_from_slice(th);
    hkdf::<32>(&[0u8; 32], &ikm, &info)
}

/// What the handshake baseline starts from: the keys as the sessions and the store
/// hold them, Bob's key pair bytes as `InMemoryPreKeyStore` keeps them.
struct HandshakeInputs {
    ik_a: PrivateKey,
    ik_a_pub: PublicKey,
    ik_b: PrivateKey,
    ik_b_pub: PublicKey,
    spk_pub: PublicKey,
    opk_pub: PublicKey,
    pqpk: EncapsulationKey,
    dk_bytes: zeroize::Zeroizing<[u8; DECAPSULATION_KEY_LEN]>,
    /// Alice's PreKey header, which Bob hashes (`prekey_hash`).
    prekey_header: Vec<u8>,
    /// `AD ‖ H` of the first message.
    ad_h: [u8; AD_LEN + RATCHET_HEADER_LEN],
}

/// The handshake's primitive calls, in the implementation's order. Alice:
/// `pqxdh::initiate` 4 X25519 DH, 1 ML-KEM encaps, 1 SHA-256 (`TH`, 1647 B), 1 HKDF,
/// 1 X25519 base (`EK_A`);
/// `ratchet_init_alice` 1 DH, 1 HKDF, 1 base; `ratchet_encrypt` 2 HMAC, 1 HKDF, 1
/// seal. Bob: the store's `DecapsulationKey::from_bytes` (FIPS 203 §7.3 hash check,
/// §7.2 modulus check); `pqxdh::respond` 4 DH, 1 ML-KEM decaps, 1 HKDF;
/// `ratchet_init_bob` 1 base (`SPK_B`); `TH` (also `prekey_hash`) 1 SHA-256 (1647 B);
/// `ratchet_decrypt`'s DH ratchet step 2 DH, 2 HKDF, 1 base, then 2 HMAC, 1 HKDF, 1
/// open. In all: 11 DH, 4 base, 1 encaps, 1 decaps, 1 dk check, 7 HKDF, 4 HMAC,
/// 2 SHA-256, 1 seal, 1 open.
fn baseline_handshake(k: &HandshakeInputs, plaintext: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    // Alice: PQXDH.
    let ek_a = PrivateKey::from_bytes(EK_A);
    let dh1 = k.ik_a.diffie_hellman(&k.spk_pub).ok()?;
    let dh2 = ek_a.diffie_hellman(&k.ik_b_pub).ok()?;
    let dh3 = ek_a.diffie_hellman(&k.spk_pub).ok()?;
    let dh4 = ek_a.diffie_hellman(&k.opk_pub).ok()?;
    let (ss, ct) = k.pqpk.encaps(&M);
    let th = Sha256::digest(&k.prekey_header);
    let sk = pqxdh_kdf(
        [
            dh1.as_bytes(),
            dh2.as_bytes(),
            dh3.as_bytes(),
            dh4.as_bytes(),
        ],
        ss.as_bytes(),
        &th,
    );
    let ek_a_pub = ek_a.public_key();
    // Alice: RatchetInitAlice.
    let dhs = PrivateKey::from_bytes(R_A);
    let okm = hkdf::<64>(
        &*sk,
        dhs.diffie_hellman(&k.spk_pub).ok()?.as_bytes(),
        INFO_RATCHET,
    );
    let dhs_pub = dhs.public_key();
    // Alice: RatchetEncrypt.
    let sealed = seal_next(&okm[32..], &k.ad_h, plaintext)?;

    // Bob: the store's keys.
    let dk = DecapsulationKey::from_bytes(&*k.dk_bytes).ok()?;
    let spk = PrivateKey::from_bytes(SPK);
    let opk = PrivateKey::from_bytes(OPK);
    // Bob: PQXDH.
    let dh1 = spk.diffie_hellman(&k.ik_a_pub).ok()?;
    let dh2 = k.ik_b.diffie_hellman(&ek_a_pub).ok()?;
    let dh3 = spk.diffie_hellman(&ek_a_pub).ok()?;
    let dh4 = opk.diffie_hellman(&ek_a_pub).ok()?;
    let ss = dk.decaps(&ct);
    let th = Sha256::digest(&k.prekey_header);
    let sk = pqxdh_kdf(
        [
            dh1.as_bytes(),
            dh2.as_bytes(),
            dh3.as_bytes(),
            dh4.as_bytes(),
        ],
        ss.as_bytes(),
        &th,
    );
    // Bob: RatchetInitBob, prekey_hash.
    black_box(spk.public_key());
    // Bob: RatchetDecrypt (DH ratchet step, then the message).
    let okm = hkdf::<64>(
        &*sk,
        spk.diffie_hellman(&dhs_pub).ok()?.as_bytes(),
        INFO_RATCHET,
    );
    let next = PrivateKey::from_bytes(R_B);
    let okm2 = hkdf::<64>(
        &okm[..32],
        next.diffie_hellman(&dhs_pub).ok()?.as_bytes(),
        INFO_RATCHET,
    );
    black_box((okm2, next.public_key()));
    let received = open_next(&okm[32..], &k.ad_h, &sealed)?;
    Some((sealed, received))
}

/// A message on the current chain: encrypt (2 HMAC, 1 HKDF, 1 seal), decrypt (2
/// HMAC, 1 HKDF, 1 open). In all 4 HMAC, 2 HKDF, 1 seal, 1 open. Alice's sending
/// chain key is Bob's receiving chain key.
fn baseline_same_chain(ck: &[u8; 32], ad_h: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let sealed = seal_next(ck, ad_h, plaintext)?;
    open_next(ck, ad_h, &sealed)
}

/// What the DH-step baseline starts from: the root key, Bob's ratchet key, Alice's
/// ratchet public key, and Alice's sending chain (derived from the same root and
/// DH, as her own DH ratchet step made it).
struct DhStepInputs {
    rk: [u8; 32],
    bob_dhs: PrivateKey,
    alice_pub: PublicKey,
    alice_cks: [u8; 32],
    ad_h: [u8; AD_LEN + RATCHET_HEADER_LEN],
}

/// A message that makes Bob take a DH ratchet step: Alice's encrypt (2 HMAC, 1
/// HKDF, 1 seal); Bob's `dh_ratchet` (2 DH, 2 HKDF, 1 X25519 base) and decryption
/// (2 HMAC, 1 HKDF, 1 open). In all 2 DH, 1 base, 4 HKDF, 4 HMAC, 1 seal, 1 open.
fn baseline_dh_step(k: &DhStepInputs, plaintext: &[u8]) -> Option<Vec<u8>> {
    let sealed = seal_next(&k.alice_cks, &k.ad_h, plaintext)?;
    let okm = hkdf::<64>(
        &k.rk,
        k.bob_dhs.diffie_hellman(&k.alice_pub).ok()?.as_bytes(),
        INFO_RATCHET,
    );
    let next = PrivateKey::from_bytes(R);
    let okm2 = hkdf::<64>(
        &okm[..32],
        next.diffie_hellman(&k.alice_pub).ok()?.as_bytes(),
        INFO_RATCHET,
    );
    black_box((okm2, next.public_key()));
    open_next(&okm[32..], &k.ad_h, &sealed)
}

/// A message `SKIP` ahead on the current chain: 1000 `KDF_CK` (2000 HMAC) for the
/// skipped keys, then 2 HMAC, 1 HKDF, 1 open. The implementation also stores the
/// 1000 keys; the baseline drops them.
fn baseline_skip(ck: &[u8; 32], ad_h: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let mut ck = zeroize::Zeroizing::new(*ck);
    for _ in 0..SKIP {
        let next = hmac_sha256(&*ck, &[CK_CONSTANT]);
        black_box(hmac_sha256(&*ck, &[MK_CONSTANT]));
        ck = next;
    }
    open_next(&*ck, ad_h, sealed)
}

/// `ck` after `SKIP` steps, and the message sealed there (set-up of the skip group).
fn sealed_far(ck: &[u8; 32], ad_h: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let mut ck = zeroize::Zeroizing::new(*ck);
    for _ in 0..SKIP {
        ck = hmac_sha256(&*ck, &[CK_CONSTANT]);
    }
    seal_next(&*ck, ad_h, plaintext)
}

// ---------------------------------------------------------------------------------
// The groups: their names and rows are in `lockstep_benches::catalogue`.

fn main() {
    let started = SystemTime::now();
    // Short runs by default, as in primitives.rs; the groups whose spec takes tens of
    // milliseconds per iteration take 10 samples.
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();

    let parties = impl_parties();
    let spec_parties = spec_parties(&parties.bundle);
    let first_plaintext = message(64);

    // The sessions, made once; saved as bytes, decoded afresh for each timed run.
    let mut store = impl_store(&parties);
    let (mut alice, first, mut bob, received) =
        impl_handshake(&parties, &mut store, &first_plaintext).expect("an honest handshake");
    assert_eq!(received, first_plaintext);
    let (s_alice, s_first, s_bob, _) =
        spec_handshake(&spec_parties, &ByteSeq::from_public_slice(&first_plaintext))
            .expect("an honest handshake");
    assert_eq!(
        s_first.to_native(),
        first,
        "spec and impl send the same bytes"
    );
    impl_send(&mut bob, &mut alice, b"reply");
    let (s_bob, s_alice, _) = spec_send(&s_bob, &s_alice, b"reply").expect("honest");
    // Bob's next decryption from Alice is a DH ratchet step.
    let dh_step = (alice.to_bytes(), bob.to_bytes());
    let s_dh_step = (s_alice.clone(), s_bob.clone());
    let sent = impl_send(&mut alice, &mut bob, b"on a new chain");
    let (s_alice, s_bob, s_sent) = spec_send(&s_alice, &s_bob, b"on a new chain").expect("honest");
    assert_eq!(
        s_sent.to_native(),
        sent,
        "spec and impl send the same bytes"
    );
    // Bob now holds Alice's sending chain: her next message is on the same chain.
    let same_chain = (alice.to_bytes(), bob.to_bytes());
    let s_same_chain = (s_alice.clone(), s_bob.clone());

    // (a) The handshake.
    {
        let header = &first[PREKEY_HEADER_LEN..PREKEY_HEADER_LEN + RATCHET_HEADER_LEN];
        let ik_a = PrivateKey::from_bytes(IK_A);
        let ik_b = PrivateKey::from_bytes(IK_B);
        let mut ad_h = [0u8; AD_LEN + RATCHET_HEADER_LEN];
        ad_h[0] = EC_PREFIX;
        ad_h[1..33].copy_from_slice(ik_a.public_key().as_bytes());
        ad_h[33] = EC_PREFIX;
        ad_h[34..66].copy_from_slice(ik_b.public_key().as_bytes());
        ad_h[AD_LEN..].copy_from_slice(header);
        let inputs = HandshakeInputs {
            ik_a_pub: ik_a.public_key(),
            ik_a,
            ik_b_pub: ik_b.public_key(),
            ik_b,
            spk_pub: PrivateKey::from_bytes(SPK).public_key(),
            opk_pub: PrivateKey::from_bytes(OPK).public_key(),
            pqpk: parties.dk.encapsulation_key().clone(),
            dk_bytes: parties.dk.to_bytes(),
            prekey_header: first[..PREKEY_HEADER_LEN].to_vec(),
            ad_h,
        };
        let (sealed, opened) =
            baseline_handshake(&inputs, &first_plaintext).expect("the baseline handshake runs");
        assert!(
            first.ends_with(&sealed),
            "the baseline's ciphertext is the implementation's"
        );
        assert_eq!(opened, first_plaintext);

        let spec_plaintext = ByteSeq::from_public_slice(&first_plaintext);
        let mut group = c.benchmark_group(HANDSHAKE);
        group.sample_size(10);
        group.bench_function("spec", |b| {
            b.iter(|| spec_handshake(&spec_parties, black_box(&spec_plaintext)))
        });
        group.bench_function("impl", |b| {
            b.iter_batched(
                || impl_store(&parties),
                |mut store| {
                    let out = impl_handshake(&parties, &mut store, black_box(&first_plaintext));
                    (out, store)
                },
                BatchSize::SmallInput,
            )
        });
        group.bench_function("baseline", |b| {
            b.iter(|| baseline_handshake(&inputs, black_box(&first_plaintext)))
        });
        group.finish();
    }

    // (b) A message on the current chain; (c) one that makes a DH ratchet step.
    let ad_h = [0x5a_u8; AD_LEN + RATCHET_HEADER_LEN];
    let chain_key = [0x17_u8; 32];
    let dh_inputs = {
        let alice_dhs = PrivateKey::from_bytes([0x61; 32]);
        let bob_dhs = PrivateKey::from_bytes([0x62; 32]);
        let rk = [0x63_u8; 32];
        let dh = alice_dhs
            .diffie_hellman(&bob_dhs.public_key())
            .expect("contributory");
        let okm = hkdf::<64>(&rk, dh.as_bytes(), INFO_RATCHET);
        let mut alice_cks = [0u8; 32];
        alice_cks.copy_from_slice(&okm[32..]);
        DhStepInputs {
            rk,
            alice_pub: alice_dhs.public_key(),
            bob_dhs,
            alice_cks,
            ad_h,
        }
    };
    for (name, (alice_bytes, bob_bytes), (s_alice, s_bob)) in [
        (SAME_CHAIN, &same_chain, &s_same_chain),
        (DH_STEP, &dh_step, &s_dh_step),
    ] {
        let mut group = c.benchmark_group(name);
        if name == DH_STEP {
            group.sample_size(10);
        }
        for size in SIZES {
            let msg = message(size);
            let seq = ByteSeq::from_public_slice(&msg);
            let baseline = |m: &[u8]| {
                if name == DH_STEP {
                    baseline_dh_step(&dh_inputs, m)
                } else {
                    baseline_same_chain(&chain_key, &ad_h, m)
                }
            };
            assert_eq!(
                baseline(&msg).as_deref(),
                Some(&msg[..]),
                "baseline round trip"
            );
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::new("spec", size), &seq, |b, m| {
                b.iter(|| {
                    spec::session::encrypt(s_alice, black_box(m))
                        .and_then(|(_, bytes)| spec::session::decrypt(s_bob, &bytes, &scalar(R)))
                })
            });
            group.bench_with_input(BenchmarkId::new("impl", size), &msg, |b, m| {
                b.iter_batched(
                    || (decode(alice_bytes), decode(bob_bytes)),
                    |(mut alice, mut bob)| {
                        let out = alice
                            .encrypt(black_box(m))
                            .and_then(|bytes| bob.decrypt_with(&bytes, &R));
                        (out, alice, bob)
                    },
                    BatchSize::SmallInput,
                )
            });
            group.bench_with_input(BenchmarkId::new("baseline", size), &msg, |b, m| {
                b.iter(|| baseline(black_box(m)))
            });
        }
        group.finish();
    }

    // (d) A message 1000 ahead: Bob stores 1000 skipped keys.
    {
        let msg = message(64);
        let mut alice = decode(&same_chain.0);
        let mut far = Vec::new();
        for _ in 0..=SKIP {
            far = alice.encrypt(&msg).expect("a sending chain");
        }
        let mut s_alice = s_same_chain.0.clone();
        let mut s_far = ByteSeq::new(0);
        for _ in 0..=SKIP {
            let (next, bytes) = spec::session::encrypt(&s_alice, &ByteSeq::from_public_slice(&msg))
                .expect("a sending chain");
            s_alice = next;
            s_far = bytes;
        }
        assert_eq!(s_far.to_native(), far, "spec and impl send the same bytes");
        let b_far = sealed_far(&chain_key, &ad_h, &msg).expect("seals");
        assert_eq!(
            baseline_skip(&chain_key, &ad_h, &b_far).as_deref(),
            Some(&msg[..]),
            "baseline round trip"
        );
        let s_bob = &s_same_chain.1;
        let mut group = c.benchmark_group(SKIP_GROUP);
        group.sample_size(10);
        group.bench_function("spec", |b| {
            b.iter(|| spec::session::decrypt(s_bob, black_box(&s_far), &scalar(R)))
        });
        group.bench_function("impl", |b| {
            b.iter_batched(
                || decode(&same_chain.1),
                |mut bob| {
                    let out = bob.decrypt_with(black_box(&far), &R);
                    (out, bob)
                },
                BatchSize::SmallInput,
            )
        });
        group.bench_function("baseline", |b| {
            b.iter(|| baseline_skip(&chain_key, &ad_h, black_box(&b_far)))
        });
        group.finish();
    }

    c.final_summary();
    print_baseline_ratios("protocol", started, PROTOCOL_ROWS);
    print_session_sizes(&same_chain);
}

/// `Session::to_bytes().len()` of an established session (after a message each
/// way and one more from Alice), with no skipped key and with 10.
fn print_session_sizes((alice_bytes, bob_bytes): &SavedPair) {
    let mut alice = decode(alice_bytes);
    let mut bob = decode(bob_bytes);
    let alice_len = alice.to_bytes().len();
    let zero = bob.to_bytes().len();
    let mut last = Vec::new();
    for _ in 0..=10 {
        last = alice.encrypt(b"x").expect("a sending chain");
    }
    bob.decrypt_with(&last, &R).expect("10 ahead decrypts");
    let ten = bob.to_bytes().len();
    println!("\nserialized session (Session::to_bytes().len()), established:\n");
    println!("  Alice, 0 skipped keys: {alice_len} B");
    println!("  Bob, 0 skipped keys:   {zero} B");
    println!("  Bob, 10 skipped keys:  {ten} B");
}

type SavedPair = (zeroize::Zeroizing<Vec<u8>>, zeroize::Zeroizing<Vec<u8>>);
