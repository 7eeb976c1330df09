//! Issue 5's "no heap allocation per message beyond the output buffer", counted.
//!
//! The protocol's own allocations, that is: a DH ratchet step also makes whatever
//! the X25519 backend makes (`x25519::BACKEND`; two Rust blocks per Diffie-Hellman
//! with aws-lc-rs, none with x25519-dalek), counted exactly below.
//!
//! dhat's heap profiler, in testing mode, is this test binary's global allocator
//! (its own binary, so no other test is slowed or counted). Each step below counts
//! the heap blocks allocated by one `encrypt` or `decrypt` call: exactly one, the
//! returned message or plaintext, on every path a message takes once a session
//! exists (PreKey messages while pending, the same chain, a DH ratchet step, a
//! skipped key used later), and at most one on a refused message. Storing skipped
//! keys is the one place a decryption allocates more: the buffer the new keys wait
//! in until the message authenticates, one box per key (issue 12, finding 3: each
//! skipped key sits in its own heap block so that deleting it wipes it, and the
//! store's tables move pointers, never key bytes; see `tests/wipe.rs`), and the
//! store's table and order index when they grow. It is counted below with the
//! store's capacity already there: `2 + k` blocks for `k` keys (before the keys
//! were boxed it was 2).

use lockstep::bundle::{PqPreKeyId, SignedPreKeyId};
use lockstep::ml_kem::keygen;
use lockstep::pqxdh::{IdentityKeyPair, sign_bundle_with_rng};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, Session};
use lockstep::x25519::PrivateKey;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The number of heap blocks `f` allocates, and its result.
fn blocks<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = dhat::HeapStats::get().total_blocks;
    let result = f();
    (dhat::HeapStats::get().total_blocks - before, result)
}

#[test]
fn one_allocation_per_message_the_output() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut rng = ChaCha20Rng::from_seed([5; 32]);

    // X25519's own blocks, which are the backend's, not the protocol's: none for
    // x25519-dalek; for aws-lc-rs, one per key (the `Arc` its key is shared
    // through) and two per Diffie-Hellman (the parsed peer key's wrapper and the
    // `Zeroizing<Vec>` the shared secret is returned in). AWS-LC's
    // own C allocations go through `malloc`, which dhat does not see: it cleanses
    // each block as it frees it, and tests/wipe.rs scans the whole heap for leftovers.
    let (keygen_blocks, probe) = blocks(|| PrivateKey::from_bytes([7; 32]));
    let (dh_blocks, _) = blocks(|| probe.diffie_hellman(&probe.public_key()).unwrap());
    let expected = match lockstep::x25519::BACKEND {
        "aws-lc" => (1, 2),
        _ => (0, 0),
    };
    assert_eq!(
        (keygen_blocks, dh_blocks),
        expected,
        "X25519 blocks (key from bytes, Diffie-Hellman) on {}",
        lockstep::x25519::BACKEND
    );

    let bob_identity = IdentityKeyPair::generate(&mut rng);
    let spk = PrivateKey::generate(&mut rng);
    let (pq_ek, pq_dk) = keygen(&mut rng);
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(1), &spk);
    store.add_pq_prekey(PqPreKeyId(2), &pq_dk, PqPreKeyKind::LastResort);
    let bundle = sign_bundle_with_rng(
        &mut rng,
        &bob_identity,
        1,
        &spk.public_key(),
        2,
        true,
        &pq_ek,
        None,
    );
    let verified = bundle.verify().unwrap();
    let alice_identity = IdentityKeyPair::generate(&mut rng);
    let mut alice = Session::initiate(&mut rng, &alice_identity, &verified).unwrap();
    let kib = vec![0x42u8; 1024];

    // Pending: Alice's PreKey messages (1647-byte header + ratchet message).
    let (n, first) = blocks(|| alice.encrypt(&kib).unwrap());
    assert_eq!(n, 1, "PreKey encrypt");
    let (n, second) = blocks(|| alice.encrypt(&kib).unwrap());
    assert_eq!(n, 1, "PreKey encrypt, second");
    let (mut bob, _) = Session::accept(&mut rng, &bob_identity, &mut store, &first).unwrap();
    // Bob reads her repeated PreKey message: header checked and hashed in place.
    let (n, plaintext) = blocks(|| bob.decrypt(&mut rng, &second).unwrap());
    assert_eq!((n, plaintext.len()), (1, 1024), "PreKey decrypt");

    // Bob's reply starts his sending chain; Alice's decryption is a DH ratchet step.
    let (n, reply) = blocks(|| bob.encrypt(&kib).unwrap());
    assert_eq!(n, 1, "encrypt");
    // A DH ratchet step: two Diffie-Hellmans and a fresh ratchet key.
    let (n, plaintext) = blocks(|| alice.decrypt(&mut rng, &reply).unwrap());
    assert_eq!(
        (n, plaintext.len()),
        (1 + 2 * dh_blocks + keygen_blocks, 1024),
        "decrypt with a DH ratchet step"
    );

    // Alice's next message carries her new ratchet key: a DH ratchet step for Bob.
    let (n, m) = blocks(|| alice.encrypt(&kib).unwrap());
    assert_eq!(n, 1, "encrypt after a DH ratchet step");
    let (n, plaintext) = blocks(|| bob.decrypt(&mut rng, &m).unwrap());
    assert_eq!(
        (n, plaintext.len()),
        (1 + 2 * dh_blocks + keygen_blocks, 1024),
        "decrypt with a DH ratchet step, Bob"
    );

    // The same chain.
    for _ in 0..3 {
        let (n, m) = blocks(|| alice.encrypt(&kib).unwrap());
        assert_eq!(n, 1, "same-chain encrypt");
        let (n, plaintext) = blocks(|| bob.decrypt(&mut rng, &m).unwrap());
        assert_eq!((n, plaintext.len()), (1, 1024), "same-chain decrypt");
    }

    // A skipped key, used later: the late message costs its plaintext only.
    let late = alice.encrypt(&kib).unwrap();
    let on_time = alice.encrypt(&kib).unwrap();
    bob.decrypt(&mut rng, &on_time).unwrap();
    let (n, plaintext) = blocks(|| bob.decrypt(&mut rng, &late).unwrap());
    assert_eq!(
        (n, plaintext.len()),
        (1, 1024),
        "decrypt with a skipped key"
    );

    // Storing k skipped keys (the store's capacity is already there): the plaintext,
    // the staging buffer of the k keys, and one box per key.
    let skipped: Vec<Vec<u8>> = (0..2).map(|_| alice.encrypt(&kib).unwrap()).collect();
    let after = alice.encrypt(&kib).unwrap();
    let (n, plaintext) = blocks(|| bob.decrypt(&mut rng, &after).unwrap());
    assert_eq!(
        (n, plaintext.len()),
        (2 + 2, 1024),
        "decrypt storing 2 skipped keys"
    );
    for late in &skipped {
        let (n, _) = blocks(|| bob.decrypt(&mut rng, late).unwrap());
        assert_eq!(n, 1, "decrypt with a stored skipped key");
    }

    // Refused messages: at most the one buffer the AEAD opens into, then freed.
    let (n, replayed) = blocks(|| bob.decrypt(&mut rng, &late));
    assert!(replayed.is_err());
    assert!(n <= 1, "replay: {n} blocks");
    let mut tampered = alice.encrypt(&kib).unwrap();
    tampered[50] ^= 1;
    let (n, forged) = blocks(|| bob.decrypt(&mut rng, &tampered));
    assert!(forged.is_err());
    assert!(n <= 1, "tampered: {n} blocks");
}
