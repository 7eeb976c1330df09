//! SPEC §3.4, §3.5, §8: the PreKey re-encoding attack and the replay of a first
//! message under a last-resort prekey (issue 12, findings 1 and 2), against the
//! implementation.
//!
//! X25519 clamps every private scalar to a multiple of 8, so `X25519(k, u)` equals
//! `X25519(k, u')` for every `u'` in `u`'s coset of the 8-torsion subgroup. For a
//! point of large order the coset has 8 points with 8 distinct u-coordinates, all
//! canonical. Before SPEC §3.4 bound `TH = SHA-256(PreKey header)` into `SK`, an
//! attacker on the path could replace `EK_A` (or `IK_A`'s bytes nowhere else than in
//! `AD`) in Alice's first message by another point of its coset: Bob accepted it, and
//! his `prekey_hash` then refused Alice's genuine messages (`PreKeyMismatch`).
//!
//! The coset is computed here with curve25519-dalek's Edwards arithmetic (an
//! independent route from the X25519 Montgomery ladder the protocol uses), and each
//! forged point is first shown to give Bob's keys the same DH values.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure is a test failure"
)]

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::montgomery::MontgomeryPoint;
use lockstep::Error;
use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use lockstep::ml_kem::keygen_derand;
use lockstep::pqxdh::{IdentityKeyPair, sign_bundle};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, Session};
use lockstep::wire::PreKeyBundle;
use lockstep::x25519::PrivateKey;

const SPK_ID: u32 = 7;
const PQPK_ID: u32 = 8;
const OPK_ID: u32 = 9;
/// SPEC §5.2: offsets of `IK_A` and `EK_A` in a PreKey message.
const IK_A_AT: usize = 2;
const EK_A_AT: usize = 34;

/// The u-coordinates of `u`'s 8-torsion coset other than `u` itself: the encodings
/// an attacker can substitute without changing any DH output.
fn coset(u: [u8; 32]) -> Vec<[u8; 32]> {
    let point = MontgomeryPoint(u)
        .to_edwards(0)
        .expect("a point on the curve");
    let mut others = Vec::new();
    for t in EIGHT_TORSION.iter().skip(1) {
        let other = (point + t).to_montgomery().to_bytes();
        assert_ne!(
            other, u,
            "a point of large order moves under every torsion point"
        );
        assert!(other[31] & 0x80 == 0, "to_montgomery gives a canonical u");
        others.push(other);
    }
    others.sort_unstable();
    others.dedup();
    assert_eq!(others.len(), 7, "seven other u-coordinates in the coset");
    others
}

struct Bob {
    identity: IdentityKeyPair,
    store: InMemoryPreKeyStore,
    spk: PrivateKey,
}

fn set_up(with_opk: bool) -> (Bob, Session) {
    let identity = IdentityKeyPair::from_private_bytes([0x10; 32]);
    let spk = PrivateKey::from_bytes([0x30; 32]);
    let opk = PrivateKey::from_bytes([0x50; 32]);
    let (ek, dk) = keygen_derand(&[0x70; 64]);
    let bundle = sign_bundle(
        &identity,
        SPK_ID,
        &spk.public_key(),
        PQPK_ID,
        true,
        &ek,
        with_opk.then(|| (OPK_ID, opk.public_key())),
        &[1; 64],
        &[2; 64],
    );
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(SPK_ID), &spk);
    store.add_pq_prekey(PqPreKeyId(PQPK_ID), &dk, PqPreKeyKind::LastResort);
    if with_opk {
        store.add_one_time_prekey(OneTimePreKeyId(OPK_ID), &opk);
    }
    let verified = PreKeyBundle::from_bytes(&bundle.to_bytes())
        .unwrap()
        .verify()
        .unwrap();
    let alice = Session::initiate_with(
        &IdentityKeyPair::from_private_bytes([0x20; 32]),
        &verified,
        &[0x21; 32],
        &[0x22; 32],
        &[0x23; 32],
    )
    .unwrap();
    (
        Bob {
            identity,
            store,
            spk,
        },
        alice,
    )
}

fn key_at(message: &[u8], at: usize) -> [u8; 32] {
    message[at..at + 32].try_into().unwrap()
}

/// Every other point of `EK_A`'s coset gives Bob's signed prekey the same DH value,
/// and every forged first message is refused (`DecryptionFailed`: `TH` differs, so
/// `SK` does) without touching the store; the genuine message is accepted after all
/// of them, and Alice's next PreKey message with it.
#[test]
fn a_reencoded_ek_a_is_refused_in_every_coset() {
    for with_opk in [false, true] {
        let (mut bob, mut alice) = set_up(with_opk);
        let first = alice.encrypt(b"first").unwrap();
        let second = alice.encrypt(b"second").unwrap();
        let ek_a = key_at(&first, EK_A_AT);
        for forged_key in coset(ek_a) {
            let same = bob
                .spk
                .diffie_hellman(&lockstep::x25519::PublicKey::from_bytes(forged_key))
                .unwrap();
            let genuine = bob
                .spk
                .diffie_hellman(&lockstep::x25519::PublicKey::from_bytes(ek_a))
                .unwrap();
            assert_eq!(same.as_bytes(), genuine.as_bytes(), "the same DH3");
            let mut forged = first.clone();
            forged[EK_A_AT..EK_A_AT + 32].copy_from_slice(&forged_key);
            assert_eq!(
                Session::accept_with(&bob.identity, &mut bob.store, &forged, &[0x40; 32]).err(),
                Some(Error::DecryptionFailed),
                "EK_A re-encoded as {forged_key:02x?} (with OPK: {with_opk})"
            );
            if with_opk {
                assert!(
                    bob.store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)),
                    "nothing consumed"
                );
            }
        }
        let (mut session, plaintext) =
            Session::accept_with(&bob.identity, &mut bob.store, &first, &[0x40; 32]).unwrap();
        assert_eq!(plaintext, b"first");
        assert_eq!(
            session.decrypt_with(&second, &[0x41; 32]).unwrap(),
            b"second"
        );
    }
}

/// `IK_A` re-encoded in its coset: the same DH1, but `AD` (and `TH`) differ.
#[test]
fn a_reencoded_ik_a_is_refused_in_every_coset() {
    let (mut bob, mut alice) = set_up(false);
    let first = alice.encrypt(b"first").unwrap();
    for forged_key in coset(key_at(&first, IK_A_AT)) {
        let mut forged = first.clone();
        forged[IK_A_AT..IK_A_AT + 32].copy_from_slice(&forged_key);
        assert_eq!(
            Session::accept_with(&bob.identity, &mut bob.store, &forged, &[0x40; 32]).err(),
            Some(Error::DecryptionFailed),
        );
    }
    assert!(Session::accept_with(&bob.identity, &mut bob.store, &first, &[0x40; 32]).is_ok());
}

/// SPEC §3.5, issue 12 finding 2: a first message under a last-resort PQ prekey
/// and no one-time prekey, replayed to `accept`, is refused as `PreKeyReplay`
/// without touching the store; with a one-time prekey the replay finds no prekey
/// (`UnknownPreKey`). A new PQ prekey under the same id starts a new record.
#[test]
fn a_replayed_first_message_is_refused() {
    for with_opk in [false, true] {
        let (mut bob, mut alice) = set_up(with_opk);
        let first = alice.encrypt(b"first").unwrap();
        let second = alice.encrypt(b"second").unwrap();
        let (_, plaintext) =
            Session::accept_with(&bob.identity, &mut bob.store, &first, &[0x40; 32]).unwrap();
        assert_eq!(plaintext, b"first");
        let expected = if with_opk {
            Error::UnknownPreKey
        } else {
            Error::PreKeyReplay
        };
        for message in [&first, &second] {
            assert_eq!(
                Session::accept_with(&bob.identity, &mut bob.store, message, &[0x41; 32]).err(),
                Some(expected),
                "with OPK: {with_opk}"
            );
        }
        // Another Alice, with another EK_A, is accepted under the same last-resort key.
        if !with_opk {
            assert!(
                bob.store.has_pq_prekey(PqPreKeyId(PQPK_ID)),
                "a last-resort key is kept"
            );
        }
    }
}

/// The record belongs to the key: replacing the last-resort prekey (same id) clears
/// it, and the old message then fails on the new key instead (`DecryptionFailed`).
#[test]
fn a_new_last_resort_key_starts_a_new_record() {
    let (mut bob, mut alice) = set_up(false);
    let first = alice.encrypt(b"first").unwrap();
    Session::accept_with(&bob.identity, &mut bob.store, &first, &[0x40; 32]).unwrap();
    let (_, dk) = keygen_derand(&[0x71; 64]);
    bob.store
        .add_pq_prekey(PqPreKeyId(PQPK_ID), &dk, PqPreKeyKind::LastResort);
    assert_eq!(
        Session::accept_with(&bob.identity, &mut bob.store, &first, &[0x41; 32]).err(),
        Some(Error::DecryptionFailed)
    );
}
