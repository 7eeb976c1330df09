//! SPEC §6.1, sealed storage: the implementation's sealed sessions and keys are
//! byte for byte what §6.1's two lines give when computed with the spec's HKDF and
//! ChaCha20-Poly1305 (`lockstep_harness::sides::Spec`), for every kind; and what the
//! spec's primitives seal, the implementation opens.
//!
//! The spec has no storage function (storage is local, not protocol): this test is
//! the independent computation of the format.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure is a panic with the case"
)]

use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, PqPreKeyKind, SignedPreKeyId};
use lockstep::keys::{DecapsulationKey, IdentityKeyPair, PrivateKey};
use lockstep::session::{InMemoryPreKeyStore, Session};
use lockstep::storage::StorageKey;
use lockstep::{Error, PreKeyBundle};
use lockstep_harness::sides::{Primitives, Spec};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// SPEC §6.1, computed with the spec's primitives from the text alone.
fn seal_by_the_text(
    storage_key: &[u8; 32],
    kind: u8,
    salt: &[u8; 32],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut info = b"Lockstep_Storage".to_vec();
    info.push(kind);
    let okm = Spec::hkdf(salt, storage_key, &info, 44).unwrap();
    let (k, n) = okm.split_at(32);
    let mut header = vec![0x01, kind];
    header.extend_from_slice(salt);
    let sealed = Spec::aead_seal(k, n, &header, plaintext).unwrap();
    [header, sealed].concat()
}

/// The salt a sealing drew: the next 32 bytes of a copy of its RNG.
fn next_salt(rng: &ChaCha20Rng) -> [u8; 32] {
    let mut copy = rng.clone();
    let mut salt = [0u8; 32];
    copy.fill_bytes(&mut salt);
    salt
}

#[test]
fn sealed_storage_is_spec_6_1_computed_by_the_spec() {
    let mut rng = ChaCha20Rng::from_seed([61; 32]);
    let raw_key = [0x5a; 32];
    let key = StorageKey::from_bytes(raw_key);

    // A real session: Alice's, straight after `initiate` (with her pending header).
    let bob = IdentityKeyPair::generate(&mut rng);
    let spk = PrivateKey::generate(&mut rng);
    let pqpk = DecapsulationKey::generate(&mut rng);
    let opk = PrivateKey::generate(&mut rng);
    let bundle = PreKeyBundle::builder(&bob)
        .signed_prekey(SignedPreKeyId(7), &spk.public_key())
        .pq_prekey(
            PqPreKeyId(8),
            pqpk.encapsulation_key(),
            PqPreKeyKind::OneTime,
        )
        .one_time_prekey(OneTimePreKeyId(9), &opk.public_key())
        .sign(&mut rng);
    let alice_identity = IdentityKeyPair::generate(&mut rng);
    let mut alice =
        Session::initiate(&mut rng, &alice_identity, &bundle.verify().unwrap()).unwrap();
    let first = alice.encrypt(b"hi").unwrap();
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(7), &spk);
    store.add_pq_prekey(PqPreKeyId(8), &pqpk, PqPreKeyKind::OneTime);
    store.add_one_time_prekey(OneTimePreKeyId(9), &opk);
    let (bob_session, _) = Session::accept(&mut rng, &bob, &mut store, &first).unwrap();

    for (name, session) in [("alice", &alice), ("bob", &bob_session)] {
        let salt = next_salt(&rng);
        let sealed = session.to_encrypted_bytes(&key, &mut rng).unwrap();
        let want = seal_by_the_text(&raw_key, 0x01, &salt, &session.to_bytes());
        assert_eq!(sealed, want, "{name}'s session");
        let opened = Session::from_encrypted_bytes(&want, &key).unwrap();
        assert_eq!(*opened.to_bytes(), *session.to_bytes(), "{name}");
    }

    // Keys of known bytes (`hazmat` makes them), sealed as the text says.
    let identity = IdentityKeyPair::from_private_bytes([0x32; 32]);
    let salt = next_salt(&rng);
    let sealed = identity.to_encrypted_bytes(&key, &mut rng).unwrap();
    assert_eq!(
        sealed,
        seal_by_the_text(&raw_key, 0x02, &salt, &[0x32; 32]),
        "identity key"
    );

    let prekey = PrivateKey::from_bytes([0x31; 32]);
    let salt = next_salt(&rng);
    let sealed = prekey.to_encrypted_bytes(&key, &mut rng).unwrap();
    assert_eq!(
        sealed,
        seal_by_the_text(&raw_key, 0x03, &salt, &[0x31; 32]),
        "prekey"
    );

    let salt = next_salt(&rng);
    let sealed = pqpk.to_encrypted_bytes(&key, &mut rng).unwrap();
    assert_eq!(
        sealed,
        seal_by_the_text(&raw_key, 0x04, &salt, &*pqpk.to_bytes()),
        "PQ prekey"
    );

    // What the text seals, the implementation opens; another kind byte it refuses.
    let text = seal_by_the_text(&raw_key, 0x03, &[3; 32], &[0x42; 32]);
    let key42 = PrivateKey::from_encrypted_bytes(&text, &key).unwrap();
    assert_eq!(
        key42.public_key(),
        PrivateKey::from_bytes([0x42; 32]).public_key()
    );
    let wrong_kind = seal_by_the_text(&raw_key, 0x02, &[3; 32], &[0x42; 32]);
    assert_eq!(
        PrivateKey::from_encrypted_bytes(&wrong_kind, &key).map(|_| ()),
        Err(Error::SealedDataInvalid)
    );
}
