//! SPEC §9: message franking, against the implementation: a conversation through a
//! platform both ways, every refusal with its SPEC §7 error, the session and the
//! prekey store unchanged by a franked message that does not open its commitment,
//! the byte layouts of SPEC §9.3, and `Commit` and `StampTag` recomputed from
//! SPEC §9.2's text with the `hmac` and `sha2` crates directly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure is a test failure"
)]

use hmac::{KeyInit, Mac};
use lockstep::Error;
use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use lockstep::consts::{
    MAX_FRANKED_PLAINTEXT_LEN, MAX_INNER_LEN, MAX_PLAINTEXT_LEN, MSG_FRANKED, PREKEY_HEADER_LEN,
    VERSION,
};
use lockstep::franking::{
    Commitment, Delivery, FrankingContext, FrankingKey, PartyId, PlatformKey, Report, StampTag,
    Submission, commit, decode_delivery, decode_report, decode_submission, encode_delivery,
    encode_report, encode_submission, stamp_tag,
};
use lockstep::ml_kem::keygen_derand;
use lockstep::pqxdh::{IdentityKeyPair, sign_bundle};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, PreKeyStore, Session};
use lockstep::wire::PreKeyBundle;
use lockstep::x25519::PrivateKey;

const SPK_ID: u32 = 7;
const PQPK_ID: u32 = 8;
const OPK_ID: u32 = 9;
const T0: u64 = 1_700_000_000;

/// Alice, Bob and the platform, before Alice's first message.
struct World {
    bob_identity: IdentityKeyPair,
    store: InMemoryPreKeyStore,
    alice: Session,
    platform: PlatformKey,
    alice_id: PartyId,
    bob_id: PartyId,
    /// Alice to Bob.
    to_bob: FrankingContext,
    /// Bob to Alice.
    to_alice: FrankingContext,
}

fn world(pq_kind: PqPreKeyKind) -> World {
    let bob_identity = IdentityKeyPair::from_private_bytes([0x10; 32]);
    let spk = PrivateKey::from_bytes([0x30; 32]);
    let opk = PrivateKey::from_bytes([0x50; 32]);
    let (ek, dk) = keygen_derand(&[0x70; 64]);
    let bundle = sign_bundle(
        &bob_identity,
        SPK_ID,
        &spk.public_key(),
        PQPK_ID,
        pq_kind == PqPreKeyKind::LastResort,
        &ek,
        Some((OPK_ID, opk.public_key())),
        &[1; 64],
        &[2; 64],
    );
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(SPK_ID), &spk);
    store.add_pq_prekey(PqPreKeyId(PQPK_ID), &dk, pq_kind);
    store.add_one_time_prekey(OneTimePreKeyId(OPK_ID), &opk);
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
    let alice_id = PartyId::new(b"alice").unwrap();
    let bob_id = PartyId::new(b"bob").unwrap();
    World {
        bob_identity,
        store,
        alice,
        platform: PlatformKey::from_bytes([0x77; 32]),
        to_bob: FrankingContext::new(alice_id.clone(), bob_id.clone()),
        to_alice: FrankingContext::new(bob_id.clone(), alice_id.clone()),
        alice_id,
        bob_id,
    }
}

/// Bob's session after Alice's franked first message (accepted) and the platform's
/// world; Alice has not heard from Bob yet.
fn established() -> (World, Session) {
    let mut w = world(PqPreKeyKind::OneTime);
    let sent = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xA1; 32], b"first")
        .unwrap();
    let delivered = w.platform.stamp(&w.to_bob, T0, &sent).unwrap();
    let (bob, m, _) = Session::accept_franked_with(
        &w.bob_identity,
        &mut w.store,
        &w.to_bob,
        &delivered,
        &[0x40; 32],
        |_| true,
    )
    .unwrap();
    assert_eq!(m, b"first");
    (w, bob)
}

/// `decrypt_franked_with` refuses `delivered` with `error` and leaves the session
/// byte for byte as it was.
fn refused(session: &mut Session, ctx: &FrankingContext, delivered: &[u8], error: Error) {
    let before = session.to_bytes();
    assert_eq!(
        session
            .decrypt_franked_with(ctx, delivered, &[0x99; 32])
            .map(|_| ()),
        Err(error)
    );
    assert_eq!(
        *session.to_bytes(),
        *before,
        "a refused delivery changes nothing"
    );
}

/// HMAC-SHA-256 with the `hmac` crate, keyed with the bytes as given.
fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// SPEC §9.1 `Id(x)`, by hand.
fn id(x: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(x.len()).unwrap()];
    out.extend_from_slice(x);
    out
}

/// A conversation through the platform: Alice's first two messages (both PreKey
/// messages inside), the first accepted with `accept_franked`, the second decrypted
/// in Bob's session; then both ways, with plain messages between the franked ones.
/// Every franked message can be reported by its recipient, and the platform's
/// verdict names its sender, recipient, time and message.
#[test]
fn a_franked_conversation_through_a_platform_both_ways_and_every_message_reports() {
    let mut w = world(PqPreKeyKind::OneTime);
    let first = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xA1; 32], b"first")
        .unwrap();
    let second = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xA2; 32], b"second")
        .unwrap();
    assert_eq!(&first[..2], &[VERSION, MSG_FRANKED]);
    assert_eq!(
        first[35],
        lockstep::consts::MSG_PREKEY,
        "inner is a PreKey message"
    );
    let d1 = w.platform.stamp(&w.to_bob, T0, &first).unwrap();
    let d2 = w.platform.stamp(&w.to_bob, T0 + 1, &second).unwrap();

    let (mut bob, m1, r1) = Session::accept_franked_with(
        &w.bob_identity,
        &mut w.store,
        &w.to_bob,
        &d1,
        &[0x40; 32],
        |_| true,
    )
    .unwrap();
    assert_eq!(m1, b"first");
    assert!(!w.store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)));
    assert!(!w.store.has_pq_prekey(PqPreKeyId(PQPK_ID)));
    let (m2, r2) = bob
        .decrypt_franked_with(&w.to_bob, &d2, &[0x41; 32])
        .unwrap();
    assert_eq!(m2, b"second");

    // The receipts hold what was stamped.
    assert_eq!(r1.context(), &w.to_bob);
    assert_eq!(r1.time(), T0);
    assert_eq!(r2.time(), T0 + 1);
    assert_eq!(r1.commitment().0, first[2..34]);
    assert_eq!(
        r1.stamp_tag(),
        stamp_tag(&w.platform, &r1.commitment(), &w.to_bob, T0)
    );
    assert_eq!(*r1.franking_key(), FrankingKey::from_bytes([0xA1; 32]));

    // Both ways, franked and plain interleaved.
    let mut reports = vec![
        (
            w.bob_id.clone(),
            r1.report(&m1).unwrap(),
            w.to_bob.clone(),
            T0,
            m1,
        ),
        (
            w.bob_id.clone(),
            r2.report(&m2).unwrap(),
            w.to_bob.clone(),
            T0 + 1,
            m2,
        ),
    ];
    for round in 0..3u8 {
        let t = T0 + 10 * (u64::from(round) + 1);
        let text = format!("bob {round}").into_bytes();
        let sent = bob
            .encrypt_franked_with(&w.to_alice, &[0xB0 + round; 32], &text)
            .unwrap();
        let delivered = w.platform.stamp(&w.to_alice, t, &sent).unwrap();
        let (m, receipt) = w
            .alice
            .decrypt_franked_with(&w.to_alice, &delivered, &[0x50 + round; 32])
            .unwrap();
        assert_eq!(m, text);
        reports.push((
            w.alice_id.clone(),
            receipt.report(&m).unwrap(),
            w.to_alice.clone(),
            t,
            m,
        ));

        let plain = w.alice.encrypt(b"unfranked").unwrap();
        assert_eq!(
            bob.decrypt_with(&plain, &[0x60 + round; 32]).unwrap(),
            b"unfranked"
        );

        let text = format!("alice {round}").into_bytes();
        let sent = w
            .alice
            .encrypt_franked_with(&w.to_bob, &[0xC0 + round; 32], &text)
            .unwrap();
        assert_eq!(sent[34], VERSION);
        assert_eq!(
            sent[35],
            lockstep::consts::MSG_RATCHET,
            "a ratchet message now"
        );
        let delivered = w.platform.stamp(&w.to_bob, t + 1, &sent).unwrap();
        let (m, receipt) = bob
            .decrypt_franked_with(&w.to_bob, &delivered, &[0x70 + round; 32])
            .unwrap();
        assert_eq!(m, text);
        reports.push((
            w.bob_id.clone(),
            receipt.report(&m).unwrap(),
            w.to_bob.clone(),
            t + 1,
            m,
        ));
    }

    for (reporter, report, context, t, message) in reports {
        let verdict = w.platform.verify_report(&reporter, &report).unwrap();
        assert_eq!(verdict.context, context);
        assert_eq!(verdict.t, t);
        assert_eq!(verdict.message, message);
    }
}

/// The `rng` entry points make a franked conversation too, with a fresh franking
/// key per message (the same message twice has two commitments).
#[test]
fn the_rng_entry_points_frank_with_fresh_keys() {
    use rand_chacha::ChaCha20Rng;
    use rand_chacha::rand_core::SeedableRng;
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let mut w = world(PqPreKeyKind::LastResort);
    let platform = PlatformKey::generate(&mut rng);
    let a = w
        .alice
        .encrypt_franked(&mut rng, &w.to_bob, b"same")
        .unwrap();
    let b = w
        .alice
        .encrypt_franked(&mut rng, &w.to_bob, b"same")
        .unwrap();
    assert_ne!(a[2..34], b[2..34]);
    let (mut bob, m, receipt) = Session::accept_franked(
        &mut rng,
        &w.bob_identity,
        &mut w.store,
        &w.to_bob,
        &platform.stamp(&w.to_bob, T0, &a).unwrap(),
        |_| true,
    )
    .unwrap();
    assert_eq!(m, b"same");
    let (m, _) = bob
        .decrypt_franked(
            &mut rng,
            &w.to_bob,
            &platform.stamp(&w.to_bob, T0, &b).unwrap(),
        )
        .unwrap();
    assert_eq!(m, b"same");
    let reply = bob.encrypt_franked(&mut rng, &w.to_alice, b"back").unwrap();
    let (m, _) = w
        .alice
        .decrypt_franked(
            &mut rng,
            &w.to_alice,
            &platform.stamp(&w.to_alice, T0, &reply).unwrap(),
        )
        .unwrap();
    assert_eq!(m, b"back");
    assert!(
        platform
            .verify_report(&w.bob_id, &receipt.report(b"same").unwrap())
            .is_ok()
    );
}

/// A report for `message` from Bob, the fields of which the tamper test moves.
fn a_report(message: &[u8]) -> (World, Vec<u8>) {
    let (mut w, mut bob) = established();
    let sent = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xAB; 32], message)
        .unwrap();
    let delivered = w.platform.stamp(&w.to_bob, T0 + 5, &sent).unwrap();
    let (m, receipt) = bob
        .decrypt_franked_with(&w.to_bob, &delivered, &[0x42; 32])
        .unwrap();
    assert_eq!(m, message);
    let report = receipt.report(&m).unwrap();
    (w, report)
}

/// SPEC §9.2 `VerifyReport`: every byte of a report changed is refused, each
/// field with its error; cut, extended, moved to another time or conversation, or
/// judged under another platform key, it is refused too.
#[test]
fn every_tampered_report_is_refused_with_its_error() {
    let (w, report) = a_report(b"something abusive");
    let verify = |bytes: &[u8]| w.platform.verify_report(&w.bob_id, bytes).map(|_| ());
    assert_eq!(verify(&report), Ok(()));
    // VERSION ‖ MSG_REPORT ‖ 05 "alice" ‖ 03 "bob" ‖ t ‖ c ‖ tag ‖ fk ‖ m
    let (sender_len, recipient_len) = (2, 8);
    let (t_at, c_at, tag_at, fk_at, m_at) = (12, 20, 52, 84, 116);
    assert_eq!(report[sender_len], 5);
    assert_eq!(report[recipient_len], 3);
    assert_eq!(&report[m_at..], b"something abusive");
    for i in 0..report.len() {
        let mut bad = report.clone();
        bad[i] ^= 0x01;
        let expected = match i {
            0 => Some(Error::UnknownVersion),
            1 => Some(Error::InvalidMessage),
            i if i == sender_len || i == recipient_len => None,
            i if i < recipient_len => Some(Error::InvalidStamp),
            i if i < t_at => Some(Error::NotRecipient),
            i if i < fk_at => Some(Error::InvalidStamp),
            _ => Some(Error::CommitmentMismatch),
        };
        let got = verify(&bad);
        match expected {
            Some(error) => assert_eq!(got, Err(error), "byte {i}"),
            None => assert!(got.is_err(), "byte {i}"),
        }
    }
    for (i, field) in [(t_at, "t"), (c_at, "c"), (tag_at, "tag")] {
        let mut bad = report.clone();
        bad[i + 7] ^= 0x80;
        assert_eq!(verify(&bad), Err(Error::InvalidStamp), "{field}");
    }
    // Cut or extended: the message changes, or the fixed fields are cut short.
    assert_eq!(
        verify(&report[..report.len() - 1]),
        Err(Error::CommitmentMismatch)
    );
    assert_eq!(verify(&report[..m_at]), Err(Error::CommitmentMismatch));
    assert_eq!(verify(&report[..m_at - 1]), Err(Error::InvalidMessage));
    assert_eq!(verify(&report[..1]), Err(Error::InvalidMessage));
    assert_eq!(verify(&[]), Err(Error::InvalidMessage));
    let mut longer = report.clone();
    longer.push(0);
    assert_eq!(verify(&longer), Err(Error::CommitmentMismatch));

    // The stamp moved to another time, or to another conversation.
    let decoded = decode_report(&report).unwrap();
    let mut later = decoded.clone();
    later.t += 1;
    assert_eq!(verify(&encode_report(&later)), Err(Error::InvalidStamp));
    let mut other = decoded.clone();
    other.context.sender = PartyId::new(b"carol").unwrap();
    assert_eq!(verify(&encode_report(&other)), Err(Error::InvalidStamp));
    // Receiver binding: another message under the same stamp and key.
    let mut swapped = decoded.clone();
    swapped.message = b"something harmless".to_vec();
    assert_eq!(
        verify(&encode_report(&swapped)),
        Err(Error::CommitmentMismatch)
    );
    // Another platform's key.
    let other_platform = PlatformKey::from_bytes([0x78; 32]);
    assert_eq!(
        other_platform.verify_report(&w.bob_id, &report).map(|_| ()),
        Err(Error::InvalidStamp)
    );
    // The order: the stamp before the commitment.
    let mut both = decoded;
    both.tag.0[0] ^= 1;
    both.message.push(b'!');
    assert_eq!(verify(&encode_report(&both)), Err(Error::InvalidStamp));
}

/// A receipt reports only the message it came with.
#[test]
fn a_receipt_reports_only_its_own_message() {
    let (mut w, mut bob) = established();
    let sent = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xAB; 32], b"the message")
        .unwrap();
    let delivered = w.platform.stamp(&w.to_bob, T0, &sent).unwrap();
    let (m, receipt) = bob
        .decrypt_franked_with(&w.to_bob, &delivered, &[0x42; 32])
        .unwrap();
    assert_eq!(
        receipt.report(b"another message"),
        Err(Error::CommitmentMismatch)
    );
    assert_eq!(
        receipt.report(&vec![0; MAX_FRANKED_PLAINTEXT_LEN + 1]),
        Err(Error::MessageTooLarge)
    );
    assert!(receipt.report(&m).is_ok());
}

/// SPEC §9.2 `VerifyReport`: only the recipient the report names may send it, and
/// that is checked first.
#[test]
fn only_the_recipient_may_report() {
    let (w, report) = a_report(b"abuse");
    assert_eq!(
        w.platform.verify_report(&w.alice_id, &report).map(|_| ()),
        Err(Error::NotRecipient)
    );
    let carol = PartyId::new(b"carol").unwrap();
    assert_eq!(
        w.platform.verify_report(&carol, &report).map(|_| ()),
        Err(Error::NotRecipient)
    );
    let mut bad_stamp = decode_report(&report).unwrap();
    bad_stamp.tag.0[0] ^= 1;
    assert_eq!(
        w.platform
            .verify_report(&carol, &encode_report(&bad_stamp))
            .map(|_| ()),
        Err(Error::NotRecipient)
    );
    // Bob's own report is accepted.
    assert!(w.platform.verify_report(&w.bob_id, &report).is_ok());
}

/// SPEC §9.2 `FrankDecrypt`, `Open`: a delivery whose stamped commitment the
/// payload does not open is refused (`CommitmentMismatch`) and the session is byte
/// for byte unchanged, again on a replay; the genuine delivery is then accepted.
/// The same for a wrong context, a sender that committed to another message, a
/// payload too short to hold a franking key, and Alice before her first decryption.
#[test]
fn a_delivery_that_does_not_open_its_commitment_changes_nothing() {
    let (mut w, mut bob) = established();
    let a = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xA3; 32], b"message a")
        .unwrap();
    let b = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xA4; 32], b"message b")
        .unwrap();
    let sub_a = decode_submission(&a).unwrap();
    let sub_b = decode_submission(&b).unwrap();
    // The commitment of b beside the ciphertext of a, stamped by the platform.
    let swapped = encode_submission(&Submission {
        c: sub_b.c,
        inner: sub_a.inner,
    });
    let delivered_swapped = w.platform.stamp(&w.to_bob, T0, &swapped).unwrap();
    refused(
        &mut bob,
        &w.to_bob,
        &delivered_swapped,
        Error::CommitmentMismatch,
    );
    refused(
        &mut bob,
        &w.to_bob,
        &delivered_swapped,
        Error::CommitmentMismatch,
    );
    // The genuine delivery in the wrong context.
    let delivered_a = w.platform.stamp(&w.to_bob, T0, &a).unwrap();
    let carol_to_bob = FrankingContext::new(PartyId::new(b"carol").unwrap(), w.bob_id.clone());
    refused(
        &mut bob,
        &carol_to_bob,
        &delivered_a,
        Error::CommitmentMismatch,
    );
    refused(
        &mut bob,
        &w.to_alice,
        &delivered_a,
        Error::CommitmentMismatch,
    );
    // Then the genuine deliveries are accepted, b first (a's key is then skipped).
    let delivered_b = w.platform.stamp(&w.to_bob, T0, &b).unwrap();
    let (m, _) = bob
        .decrypt_franked_with(&w.to_bob, &delivered_b, &[1; 32])
        .unwrap();
    assert_eq!(m, b"message b");
    let (m, _) = bob
        .decrypt_franked_with(&w.to_bob, &delivered_a, &[1; 32])
        .unwrap();
    assert_eq!(m, b"message a");
    // Now a replay, refused as the ratchet refuses it.
    refused(&mut bob, &w.to_bob, &delivered_a, Error::Duplicate);
    refused(&mut bob, &w.to_bob, &delivered_swapped, Error::Duplicate);

    // A sender who commits to one message and encrypts another.
    let fk = [0xAC; 32];
    let c = commit(&FrankingKey::from_bytes(fk), &w.to_bob, b"innocent");
    let mut payload = fk.to_vec();
    payload.extend_from_slice(b"abusive");
    let inner = w.alice.encrypt(&payload).unwrap();
    let lying = encode_submission(&Submission { c, inner: &inner });
    let delivered = w.platform.stamp(&w.to_bob, T0, &lying).unwrap();
    refused(&mut bob, &w.to_bob, &delivered, Error::CommitmentMismatch);
    // A payload shorter than a franking key.
    let inner = w.alice.encrypt(&[0xAC; 31]).unwrap();
    let short = encode_submission(&Submission { c, inner: &inner });
    let delivered = w.platform.stamp(&w.to_bob, T0, &short).unwrap();
    refused(&mut bob, &w.to_bob, &delivered, Error::CommitmentMismatch);
    // Exactly a franking key: the empty message, committed to, is accepted.
    let inner = w.alice.encrypt(&fk).unwrap();
    let c = commit(&FrankingKey::from_bytes(fk), &w.to_bob, b"");
    let empty = encode_submission(&Submission { c, inner: &inner });
    let delivered = w.platform.stamp(&w.to_bob, T0, &empty).unwrap();
    let (m, _) = bob
        .decrypt_franked_with(&w.to_bob, &delivered, &[1; 32])
        .unwrap();
    assert!(m.is_empty());
    // Not a delivery at all: a plain message, a submission.
    let plain = w.alice.encrypt(b"plain").unwrap();
    refused(&mut bob, &w.to_bob, &plain, Error::InvalidMessage);
    let submission = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xAD; 32], b"x")
        .unwrap();
    refused(&mut bob, &w.to_bob, &submission, Error::InvalidMessage);

    // Alice before her first decryption (her pending PreKey header is copied and
    // kept): a swapped reply is refused, and she still sends PreKey messages.
    let reply_1 = bob
        .encrypt_franked_with(&w.to_alice, &[0xB1; 32], b"reply 1")
        .unwrap();
    let reply_2 = bob
        .encrypt_franked_with(&w.to_alice, &[0xB2; 32], b"reply 2")
        .unwrap();
    let swapped = encode_submission(&Submission {
        c: decode_submission(&reply_2).unwrap().c,
        inner: decode_submission(&reply_1).unwrap().inner,
    });
    let delivered = w.platform.stamp(&w.to_alice, T0, &swapped).unwrap();
    refused(
        &mut w.alice,
        &w.to_alice,
        &delivered,
        Error::CommitmentMismatch,
    );
    let next = w.alice.encrypt(b"still pending").unwrap();
    assert_eq!(next[1], lockstep::consts::MSG_PREKEY);
    let delivered = w.platform.stamp(&w.to_alice, T0, &reply_1).unwrap();
    let (m, _) = w
        .alice
        .decrypt_franked_with(&w.to_alice, &delivered, &[2; 32])
        .unwrap();
    assert_eq!(m, b"reply 1");
    assert_eq!(
        w.alice.encrypt(b"now").unwrap()[1],
        lockstep::consts::MSG_RATCHET
    );
}

/// SPEC §9.2 `FrankAccept`: a first message that does not open its commitment, or
/// whose sender Bob does not trust, leaves the store as it was (the one-time
/// prekeys stay, no last-resort replay record is made); the genuine one is then
/// accepted and uses them up.
#[test]
fn accept_franked_keeps_the_store_when_the_commitment_does_not_open() {
    for kind in [PqPreKeyKind::OneTime, PqPreKeyKind::LastResort] {
        let mut w = world(kind);
        let a = w
            .alice
            .encrypt_franked_with(&w.to_bob, &[0xA1; 32], b"first")
            .unwrap();
        let b = w
            .alice
            .encrypt_franked_with(&w.to_bob, &[0xA2; 32], b"second")
            .unwrap();
        let inner_a = decode_submission(&a).unwrap().inner;
        let ek_a: [u8; 32] = inner_a[34..66].try_into().unwrap();
        let swapped = encode_submission(&Submission {
            c: decode_submission(&b).unwrap().c,
            inner: inner_a,
        });
        let delivered_swapped = w.platform.stamp(&w.to_bob, T0, &swapped).unwrap();
        let delivered_a = w.platform.stamp(&w.to_bob, T0, &a).unwrap();
        let carol_to_bob = FrankingContext::new(PartyId::new(b"carol").unwrap(), w.bob_id.clone());
        let untouched = |store: &InMemoryPreKeyStore| {
            assert!(store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)));
            assert!(store.has_pq_prekey(PqPreKeyId(PQPK_ID)));
            assert!(!store.accepted_under_last_resort(PqPreKeyId(PQPK_ID), &ek_a));
        };
        for (ctx, delivered) in [
            (&w.to_bob, &delivered_swapped),
            (&carol_to_bob, &delivered_a),
        ] {
            let mut asked = false;
            let result = Session::accept_franked_with(
                &w.bob_identity,
                &mut w.store,
                ctx,
                delivered,
                &[0x40; 32],
                |_| {
                    asked = true;
                    true
                },
            );
            assert_eq!(result.map(|_| ()), Err(Error::CommitmentMismatch));
            assert!(asked, "the identity is asked first");
            untouched(&w.store);
        }
        // A declined identity: UntrustedIdentity, before the commitment is looked at.
        let result = Session::accept_franked_with(
            &w.bob_identity,
            &mut w.store,
            &w.to_bob,
            &delivered_swapped,
            &[0x40; 32],
            |_| false,
        );
        assert_eq!(result.map(|_| ()), Err(Error::UntrustedIdentity));
        untouched(&w.store);
        // A tampered inner does not decrypt; a plain PreKey message is no delivery.
        let mut tampered = delivered_a.clone();
        *tampered.last_mut().unwrap() ^= 1;
        let result = Session::accept_franked_with(
            &w.bob_identity,
            &mut w.store,
            &w.to_bob,
            &tampered,
            &[0x40; 32],
            |_| panic!("asked about an unauthenticated identity"),
        );
        assert_eq!(result.map(|_| ()), Err(Error::DecryptionFailed));
        let result = Session::accept_franked_with(
            &w.bob_identity,
            &mut w.store,
            &w.to_bob,
            inner_a,
            &[0x40; 32],
            |_| true,
        );
        assert_eq!(result.map(|_| ()), Err(Error::InvalidMessage));
        untouched(&w.store);
        // The genuine first message.
        let (_, m, receipt) = Session::accept_franked_with(
            &w.bob_identity,
            &mut w.store,
            &w.to_bob,
            &delivered_a,
            &[0x40; 32],
            |_| true,
        )
        .unwrap();
        assert_eq!(m, b"first");
        assert!(!w.store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)));
        match kind {
            PqPreKeyKind::OneTime => assert!(!w.store.has_pq_prekey(PqPreKeyId(PQPK_ID))),
            PqPreKeyKind::LastResort => {
                assert!(
                    w.store
                        .accepted_under_last_resort(PqPreKeyId(PQPK_ID), &ek_a)
                );
            }
        }
        assert!(
            w.platform
                .verify_report(&w.bob_id, &receipt.report(&m).unwrap())
                .is_ok()
        );
    }
}

/// SPEC §9.2 `FrankEncrypt`: a message over `MAX_FRANKED_PLAINTEXT_LEN` is refused
/// before the session changes; one of exactly that length, in a PreKey message,
/// makes an `inner` of exactly `MAX_INNER_LEN` bytes, which the platform stamps and
/// Bob accepts.
#[test]
fn franked_messages_are_bounded_and_the_largest_goes_through() {
    let mut w = world(PqPreKeyKind::OneTime);
    let before = w.alice.to_bytes();
    assert_eq!(
        w.alice
            .encrypt_franked_with(&w.to_bob, &[1; 32], &vec![0; MAX_FRANKED_PLAINTEXT_LEN + 1]),
        Err(Error::MessageTooLarge)
    );
    assert_eq!(*w.alice.to_bytes(), *before);
    assert_eq!(MAX_INNER_LEN, 1647 + 58 + 65536);
    assert_eq!(MAX_FRANKED_PLAINTEXT_LEN + 32, MAX_PLAINTEXT_LEN);
    let largest = vec![0x5A; MAX_FRANKED_PLAINTEXT_LEN];
    let sent = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[1; 32], &largest)
        .unwrap();
    assert_eq!(sent.len(), 2 + 32 + MAX_INNER_LEN);
    let delivered = w.platform.stamp(&w.to_bob, T0, &sent).unwrap();
    let (_, m, receipt) = Session::accept_franked_with(
        &w.bob_identity,
        &mut w.store,
        &w.to_bob,
        &delivered,
        &[0x40; 32],
        |_| true,
    )
    .unwrap();
    assert_eq!(m, largest);
    let report = receipt.report(&m).unwrap();
    assert_eq!(
        w.platform
            .verify_report(&w.bob_id, &report)
            .unwrap()
            .message,
        largest
    );
}

/// SPEC §9.1: identifiers of 1 to 64 bytes.
#[test]
fn party_ids_are_1_to_64_bytes() {
    assert_eq!(PartyId::new(b""), Err(Error::InvalidMessage));
    assert_eq!(PartyId::new(&[7; 65]), Err(Error::InvalidMessage));
    assert_eq!(PartyId::new(&[7; 256]), Err(Error::InvalidMessage));
    assert_eq!(PartyId::new(&[7; 64]).unwrap().as_bytes(), &[7; 64]);
    assert_eq!(PartyId::new(&[0]).unwrap().as_bytes(), &[0]);
    assert_ne!(PartyId::new(&[0]).unwrap(), PartyId::new(&[0, 0]).unwrap());
}

/// SPEC §9.3 and §5's order: each decoder's refusals, at and over each bound, and
/// every input that decodes re-encodes to itself.
#[test]
fn the_decoders_refuse_in_spec_order_and_round_trip() {
    let c = [0x11; 32];
    let tag = [0x22; 32];
    let submission = |inner_len: usize| {
        let mut out = vec![VERSION, MSG_FRANKED];
        out.extend_from_slice(&c);
        out.resize(34 + inner_len, 0x33);
        out
    };
    let delivery = |inner_len: usize| {
        let mut out = vec![VERSION, 0x12];
        out.extend_from_slice(&T0.to_be_bytes());
        out.extend_from_slice(&c);
        out.extend_from_slice(&tag);
        out.resize(74 + inner_len, 0x33);
        out
    };
    for (name, make, header) in [
        ("submission", &submission as &dyn Fn(usize) -> Vec<u8>, 34),
        ("delivery", &delivery, 74),
    ] {
        let decode = |bytes: &[u8]| -> Result<Vec<u8>, Error> {
            if header == 34 {
                decode_submission(bytes).map(|s| encode_submission(&s))
            } else {
                decode_delivery(bytes).map(|d| encode_delivery(&d))
            }
        };
        assert_eq!(decode(&[]), Err(Error::InvalidMessage), "{name}");
        assert_eq!(decode(&[0x02]), Err(Error::UnknownVersion), "{name}");
        let mut v2 = make(1);
        v2[0] = 0x02;
        assert_eq!(decode(&v2), Err(Error::UnknownVersion), "{name}");
        let mut v2 = make(MAX_INNER_LEN + 1);
        v2[0] = 0x00;
        assert_eq!(decode(&v2), Err(Error::UnknownVersion), "{name}");
        assert_eq!(decode(&[VERSION]), Err(Error::InvalidMessage), "{name}");
        for wrong in [0x01, 0x02, 0x10, 0x11, 0x12, 0x13, 0x14] {
            let mut bytes = make(1);
            if bytes[1] == wrong {
                continue;
            }
            bytes[1] = wrong;
            assert_eq!(
                decode(&bytes),
                Err(Error::InvalidMessage),
                "{name} type {wrong:#x}"
            );
        }
        for len in [2, header - 1, header] {
            assert_eq!(
                decode(&make(1)[..len]),
                Err(Error::InvalidMessage),
                "{name} {len}"
            );
        }
        for inner_len in [1, 58, MAX_INNER_LEN] {
            let bytes = make(inner_len);
            assert_eq!(decode(&bytes), Ok(bytes), "{name} {inner_len}");
        }
        assert_eq!(
            decode(&make(MAX_INNER_LEN + 1)),
            Err(Error::MessageTooLarge),
            "{name}"
        );
    }
    let five = delivery(5);
    let d = decode_delivery(&five).unwrap();
    assert_eq!(
        d,
        Delivery {
            t: T0,
            c: Commitment(c),
            tag: StampTag(tag),
            inner: &[0x33; 5],
        }
    );

    // The report: identifiers, fixed fields, then the message's length.
    let report = |sender: &[u8], recipient: &[u8], m_len: usize| {
        let mut out = vec![VERSION, 0x13];
        out.extend_from_slice(&id(sender));
        out.extend_from_slice(&id(recipient));
        out.extend_from_slice(&T0.to_be_bytes());
        out.extend_from_slice(&c);
        out.extend_from_slice(&tag);
        out.extend_from_slice(&[0x44; 32]);
        out.resize(out.len() + m_len, 0x55);
        out
    };
    let round_trip = |bytes: &[u8]| decode_report(bytes).map(|r| encode_report(&r));
    for bytes in [
        report(b"a", b"b", 0),
        report(&[1; 64], &[2; 64], 10),
        report(b"alice", b"bob", MAX_FRANKED_PLAINTEXT_LEN),
    ] {
        assert_eq!(round_trip(&bytes), Ok(bytes.clone()));
    }
    assert_eq!(
        round_trip(&report(b"alice", b"bob", MAX_FRANKED_PLAINTEXT_LEN + 1)),
        Err(Error::MessageTooLarge)
    );
    let good = report(b"alice", b"bob", 3);
    assert_eq!(round_trip(&[]), Err(Error::InvalidMessage));
    let mut v = good.clone();
    v[0] = 0xFF;
    assert_eq!(round_trip(&v), Err(Error::UnknownVersion));
    let mut t = good.clone();
    t[1] = MSG_FRANKED;
    assert_eq!(round_trip(&t), Err(Error::InvalidMessage));
    // Identifier lengths 0 and 65, at either identifier.
    for (at, len) in [(2, 0), (2, 65), (8, 0), (8, 65)] {
        let mut bad = good.clone();
        bad[at] = len;
        assert_eq!(round_trip(&bad), Err(Error::InvalidMessage), "{at} {len}");
    }
    // An identifier of 64 bytes announced with only 10 there: cut short.
    let mut cut = vec![VERSION, 0x13, 64];
    cut.extend_from_slice(&[1; 10]);
    assert_eq!(round_trip(&cut), Err(Error::InvalidMessage));
    // Ends before fk does (12 bytes of ids, then t, c, tag: fk is at 84..116).
    for len in [2, 3, 8, 12, 20, 84, 115] {
        assert_eq!(
            round_trip(&good[..len]),
            Err(Error::InvalidMessage),
            "{len}"
        );
    }
    assert!(round_trip(&good[..116]).is_ok(), "the empty message");
    // A huge report with a zero-length identifier is malformed before it is large.
    let mut huge = report(b"alice", b"bob", MAX_FRANKED_PLAINTEXT_LEN + 1);
    huge[2] = 0;
    assert_eq!(round_trip(&huge), Err(Error::InvalidMessage));

    // The platform stamps only what decodes as a submission.
    let platform = PlatformKey::from_bytes([0x77; 32]);
    let ctx = FrankingContext::new(PartyId::new(b"a").unwrap(), PartyId::new(b"b").unwrap());
    assert_eq!(platform.stamp(&ctx, T0, &[]), Err(Error::InvalidMessage));
    assert_eq!(
        platform.stamp(&ctx, T0, &delivery(1)),
        Err(Error::InvalidMessage)
    );
    assert_eq!(
        platform.stamp(&ctx, T0, &submission(MAX_INNER_LEN + 1)),
        Err(Error::MessageTooLarge)
    );
}

/// No key byte in the `Debug` of a franking key, a platform key, a receipt or a
/// report, nor the reported message in a report's.
#[test]
fn debug_prints_no_key_bytes() {
    let fk = FrankingKey::from_bytes([0xAB; 32]);
    let kp = PlatformKey::from_bytes([0xCD; 32]);
    assert_eq!(format!("{fk:?}"), "FrankingKey(<redacted>)");
    assert_eq!(format!("{kp:?}"), "PlatformKey(<redacted>)");
    let (mut w, mut bob) = established();
    let sent = w
        .alice
        .encrypt_franked_with(&w.to_bob, &[0xAB; 32], b"secret words")
        .unwrap();
    let delivered = w.platform.stamp(&w.to_bob, T0, &sent).unwrap();
    let (m, receipt) = bob
        .decrypt_franked_with(&w.to_bob, &delivered, &[0x42; 32])
        .unwrap();
    let report = decode_report(&receipt.report(&m).unwrap()).unwrap();
    let printed = format!("{receipt:?} {report:?} {:?}", w.platform);
    for needle in [
        "171, 171",
        "abab",
        "ABAB",
        "119, 119",
        "7777",
        "secret words",
    ] {
        assert!(!printed.contains(needle), "{needle} in {printed}");
    }
    assert!(printed.contains("<redacted>"));
    assert!(printed.contains("PartyId(\"alice\")"), "{printed}");
}

/// SPEC §9.2 and §9.3 from the text alone: `Commit` and `StampTag` are HMAC-SHA-256
/// (the `hmac` crate, keyed with the 32 bytes) over the hand-concatenated labels,
/// identifiers and fields; the submission, the delivery and the report are the
/// hand-concatenated layouts, and the ratchet plaintext inside is `fk ‖ m`.
#[test]
fn spec_9_2_definitions_computed_from_the_text() {
    let (mut w, mut bob) = established();
    let fk = [0x3C; 32];
    let m = b"the spec, by hand";
    let sent = w.alice.encrypt_franked_with(&w.to_bob, &fk, m).unwrap();

    // Commit(fk, sender, recipient, m)
    let mut data = b"Lockstep_Franking_Commitment".to_vec();
    data.extend_from_slice(&[5]);
    data.extend_from_slice(b"alice");
    data.extend_from_slice(&[3]);
    data.extend_from_slice(b"bob");
    data.extend_from_slice(m);
    let c = hmac_sha256(&fk, &data);
    assert_eq!(
        commit(&FrankingKey::from_bytes(fk), &w.to_bob, m),
        Commitment(c)
    );

    // Submission: 01 11 ‖ c ‖ inner, and inner carries fk ‖ m.
    assert_eq!(&sent[..2], &[0x01, 0x11]);
    assert_eq!(sent[2..34], c);
    let inner = &sent[34..];
    assert_eq!(inner[1], lockstep::consts::MSG_PREKEY);
    let mut shadow = Session::from_bytes(&bob.to_bytes()).unwrap();
    let payload = shadow.decrypt_with(inner, &[0x43; 32]).unwrap();
    assert_eq!(&payload[..32], &fk);
    assert_eq!(&payload[32..], m);
    assert_eq!(inner.len(), PREKEY_HEADER_LEN + 42 + 32 + m.len() + 16);

    // StampTag(K_P, c, sender, recipient, t) and the delivery.
    let t: u64 = 0x0102_0304_0506_0708;
    let mut data = b"Lockstep_Franking_Stamp".to_vec();
    data.extend_from_slice(&c);
    data.extend_from_slice(&[5]);
    data.extend_from_slice(b"alice");
    data.extend_from_slice(&[3]);
    data.extend_from_slice(b"bob");
    data.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    let tag = hmac_sha256(&[0x77; 32], &data);
    assert_eq!(
        stamp_tag(&w.platform, &Commitment(c), &w.to_bob, t),
        StampTag(tag)
    );
    let delivered = w.platform.stamp(&w.to_bob, t, &sent).unwrap();
    let mut expected = vec![0x01, 0x12, 1, 2, 3, 4, 5, 6, 7, 8];
    expected.extend_from_slice(&c);
    expected.extend_from_slice(&tag);
    expected.extend_from_slice(inner);
    assert_eq!(delivered, expected);

    // Report: 01 13 ‖ Id(sender) ‖ Id(recipient) ‖ u64be(t) ‖ c ‖ tag ‖ fk ‖ m.
    let (got, receipt) = bob
        .decrypt_franked_with(&w.to_bob, &delivered, &[0x43; 32])
        .unwrap();
    assert_eq!(got, m);
    let mut expected = vec![0x01, 0x13, 5];
    expected.extend_from_slice(b"alice");
    expected.push(3);
    expected.extend_from_slice(b"bob");
    expected.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    expected.extend_from_slice(&c);
    expected.extend_from_slice(&tag);
    expected.extend_from_slice(&fk);
    expected.extend_from_slice(m);
    assert_eq!(receipt.report(m).unwrap(), expected);
    assert_eq!(
        decode_report(&expected).unwrap(),
        Report {
            context: w.to_bob.clone(),
            t,
            c: Commitment(c),
            tag: StampTag(tag),
            fk: FrankingKey::from_bytes(fk),
            message: m.to_vec(),
        }
    );
    // The platform's delivery from the library's parts is the same bytes.
    assert_eq!(
        encode_delivery(&Delivery {
            t,
            c: Commitment(c),
            tag: StampTag(tag),
            inner,
        }),
        delivered
    );
}
