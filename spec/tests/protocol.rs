//! Protocol tests of the spec as a whole: Alice and Bob set up a session through
//! `pqxdh` and `session`, and talk, in order and out of order; every refusal the
//! protocol promises is provoked (over `MAX_SKIP`, replays, tampering with every
//! header field and ciphertext byte, keys of one kind offered as the other, bad
//! signatures, low-order points, PreKey messages for another session) and must leave
//! the receiver's state encoding exactly as it was.
//!
//! The spec's X25519 takes milliseconds and XEdDSA tens of milliseconds, so each test
//! sets up one session and reuses it.

#![allow(
    clippy::expect_used,
    reason = "the helpers below are test code; clippy.toml's allow-expect-in-tests covers #[test] functions only"
)]

use lockstep_spec::consts::{
    MAX_SKIP, MAX_STORED_SKIPPED_KEYS, MSG_PREKEY, MSG_RATCHET, PREKEY_HEADER_LEN,
    RATCHET_HEADER_LEN, SKIPPED_KEY_LEN, STATE_FIXED_LEN, TAG_LEN, VERSION,
};
use lockstep_spec::ml_kem::{
    DecapsulationKey, ENCAPSULATION_KEY_LEN, EncapsulationKey, Seed32, keygen,
};
use lockstep_spec::pqxdh::{VerifiedPreKeyBundle, sign_bundle, verify_bundle};
use lockstep_spec::ratchet::{State, kdf_ck};
use lockstep_spec::state::{decode_state, encode_state};
use lockstep_spec::wire::{
    Message, PreKeyBundle, decode_bundle, decode_message, decode_prekey_message, encode_bundle,
    encode_ec, encode_kem, encode_prekey_message,
};
use lockstep_spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base};
use lockstep_spec::xeddsa::XEdDSARandom;
use lockstep_spec::{ByteSeq, Error, U8, pqxdh, session, sha256, sha512};

// ---------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------

/// 32 bytes derived from a label (SHA-256), so every input is fixed and named.
fn bytes32(label: &str) -> ByteSeq {
    ByteSeq::from_seq(&sha256::hash(&ByteSeq::from_public_slice(
        format!("lockstep spec protocol test / {label}").as_bytes(),
    )))
}

fn scalar(label: &str) -> X25519SerializedScalar {
    X25519SerializedScalar::from_seq(&bytes32(label))
}

fn seed(label: &str) -> Seed32 {
    Seed32::from_seq(&bytes32(label))
}

fn random64(label: &str) -> XEdDSARandom {
    XEdDSARandom::from_seq(&sha512::hash(&ByteSeq::from_public_slice(
        format!("lockstep spec protocol test / {label}").as_bytes(),
    )))
}

fn text(s: &str) -> ByteSeq {
    ByteSeq::from_public_slice(s.as_bytes())
}

fn hex(bytes: &ByteSeq) -> String {
    bytes.to_hex()
}

/// Bob's private keys and his signed bundle.
struct Bob {
    ik: X25519SerializedScalar,
    spk: X25519SerializedScalar,
    opk: Option<X25519SerializedScalar>,
    ek: EncapsulationKey,
    dk: DecapsulationKey,
    bundle: PreKeyBundle,
}

fn bob(label: &str, with_opk: bool) -> Bob {
    let ik = scalar(&format!("{label} / ik_b"));
    let spk = scalar(&format!("{label} / spk_b"));
    let opk = with_opk.then(|| scalar(&format!("{label} / opk_b")));
    let (ek, dk) = keygen(
        &seed(&format!("{label} / d")),
        &seed(&format!("{label} / z")),
    );
    let bundle = sign_bundle(
        &ik,
        7,
        &x25519_base(&spk),
        8,
        false,
        &ek,
        opk.as_ref().map(|opk| (9, x25519_base(opk))),
        &random64(&format!("{label} / z1")),
        &random64(&format!("{label} / z2")),
    );
    Bob {
        ik,
        spk,
        opk,
        ek,
        dk,
        bundle,
    }
}

/// The bundle as Alice gets it: encoded, decoded, verified.
fn verified(bundle: &PreKeyBundle) -> Result<VerifiedPreKeyBundle, Error> {
    verify_bundle(&decode_bundle(&encode_bundle(bundle))?)
}

/// A session right after Bob accepted Alice's first message, `"a0"`.
struct Session {
    bob_keys: Bob,
    alice: State,
    bob: State,
    /// Alice's first message, a PreKey message.
    a0: ByteSeq,
}

fn start(label: &str) -> Session {
    let bob_keys = bob(label, true);
    let bundle = verified(&bob_keys.bundle).expect("Bob's bundle verifies");
    let (alice, _) = session::initiate(
        &scalar(&format!("{label} / ik_a")),
        &bundle,
        &scalar(&format!("{label} / ek_a")),
        &seed(&format!("{label} / m")),
        &scalar(&format!("{label} / alice r")),
    )
    .expect("Alice initiates");
    let (alice, a0) = send(&alice, "a0");
    let message = decode_prekey_message(&a0).expect("a PreKey message");
    let (bob, plaintext, _) = session::accept(
        &bob_keys.ik,
        &bob_keys.spk,
        &bob_keys.dk,
        bob_keys.opk.as_ref(),
        &message,
        &scalar(&format!("{label} / bob r")),
    )
    .expect("Bob accepts");
    assert_eq!(plaintext, text("a0"));
    Session {
        bob_keys,
        alice,
        bob,
        a0,
    }
}

fn send(state: &State, plaintext: &str) -> (State, ByteSeq) {
    session::encrypt(state, &text(plaintext)).expect("a sending chain")
}

/// Decrypts `wire`, which must give `plaintext`.
fn receive(state: &State, wire: &ByteSeq, r: &str, plaintext: &str) -> State {
    let (state, received) = session::decrypt(state, wire, &scalar(r)).expect("decrypts");
    assert_eq!(received, text(plaintext));
    state
}

/// `wire` must be refused with `error`, and the receiver's state encoding must be
/// what it was.
fn refuse(state: &State, wire: &ByteSeq, error: Error, what: &str) {
    let before = hex(&encode_state(state));
    let result = session::decrypt(state, wire, &scalar(what));
    assert_eq!(result.err(), Some(error), "{what}");
    assert_eq!(hex(&encode_state(state)), before, "{what}: state changed");
}

fn with_byte(wire: &ByteSeq, offset: usize, mask: u8) -> ByteSeq {
    let mut out = wire.clone();
    out[offset] ^= U8(mask);
    out
}

fn message_type(wire: &ByteSeq) -> u8 {
    U8::declassify(wire[1usize])
}

/// The header `n` of a ratchet message.
fn header_n(wire: &ByteSeq) -> u32 {
    match decode_message(wire).expect("decodes") {
        Message::Ratchet(m) => m.header.n,
        Message::PreKey(m) => m.message.header.n,
    }
}

// ---------------------------------------------------------------------------------
// Conversations
// ---------------------------------------------------------------------------------

#[test]
fn session_in_order_through_dh_ratchet_steps() {
    let Session {
        mut alice, mut bob, ..
    } = start("in order");
    let mut ratchet_keys = vec![
        x25519_base(&alice.dhs).to_hex(),
        x25519_base(&bob.dhs).to_hex(),
    ];
    // Six turns; each change of speaker is a DH ratchet step with a fresh key.
    for turn in 0..3 {
        let (b, m1) = send(&bob, &format!("b{turn} one"));
        let (b, m2) = send(&b, &format!("b{turn} two"));
        bob = b;
        alice = receive(
            &alice,
            &m1,
            &format!("alice r {turn}"),
            &format!("b{turn} one"),
        );
        alice = receive(&alice, &m2, "unused", &format!("b{turn} two"));
        let (a, m3) = send(&alice, &format!("a{turn}"));
        alice = a;
        assert_eq!(message_type(&m3), MSG_RATCHET);
        assert_eq!(header_n(&m3), 0, "a new sending chain");
        bob = receive(&bob, &m3, &format!("bob r {turn}"), &format!("a{turn}"));
        for key in [
            x25519_base(&alice.dhs).to_hex(),
            x25519_base(&bob.dhs).to_hex(),
        ] {
            if !ratchet_keys.contains(&key) {
                ratchet_keys.push(key);
            }
        }
        assert!(alice.skipped.is_empty() && bob.skipped.is_empty());
    }
    // Two initial keys, then a new one per DH ratchet step.
    assert_eq!(ratchet_keys.len(), 2 + 6);
    // Both sides' states round-trip through the encoding.
    for state in [&alice, &bob] {
        let encoding = encode_state(state);
        assert_eq!(encoding.len(), STATE_FIXED_LEN);
        assert_eq!(
            hex(&encode_state(&decode_state(&encoding).unwrap())),
            hex(&encoding)
        );
    }
}

#[test]
fn session_out_of_order_with_skipped_keys_used_later() {
    let Session { alice, bob, .. } = start("out of order");
    let (bob, b0) = send(&bob, "b0");
    let (bob, b1) = send(&bob, "b1");
    let (bob, b2) = send(&bob, "b2");
    let (bob, b3) = send(&bob, "b3");
    // b2 first: b0 and b1 are skipped and stored.
    let alice = receive(&alice, &b2, "alice r 1", "b2");
    assert_eq!(alice.skipped.len(), 2);
    let alice = receive(&alice, &b0, "unused", "b0");
    assert_eq!(alice.skipped.len(), 1);
    // Alice answers (a DH ratchet step on Bob's side) and Bob starts a new chain.
    let (alice, a1) = send(&alice, "a1");
    let (alice, a2) = send(&alice, "a2");
    let bob = receive(&bob, &a2, "bob r 1", "a2");
    assert_eq!(bob.skipped.len(), 1);
    let (bob, b4) = send(&bob, "b4");
    // b4 is on a new chain with pn = 4: b3 is stored from the old one.
    let alice = receive(&alice, &b4, "alice r 2", "b4");
    assert_eq!(alice.skipped.len(), 2);
    assert_eq!(
        encode_state(&alice).len(),
        STATE_FIXED_LEN + 2 * SKIPPED_KEY_LEN
    );
    // Old-chain messages after the DH ratchet step, with their stored keys.
    let alice = receive(&alice, &b3, "unused", "b3");
    let alice = receive(&alice, &b1, "unused", "b1");
    let bob = receive(&bob, &a1, "unused", "a1");
    assert!(alice.skipped.is_empty() && bob.skipped.is_empty());
}

// ---------------------------------------------------------------------------------
// Bounds, replays, tampering
// ---------------------------------------------------------------------------------

/// What `k` calls of `session::encrypt` do to a state whose `pending_prekey` is
/// unset, without computing the ratchet public key each time: the messages are lost.
fn lose_messages(state: &State, k: u32) -> State {
    let mut state = state.clone();
    for _ in 0..k {
        state.cks = Some(kdf_ck(&state.cks.expect("a sending chain")).0);
        state.ns += 1;
    }
    state
}

#[test]
fn ratchet_rejects_gap_over_max_skip_and_accepts_gap_at_it() {
    let Session { alice, bob, .. } = start("max skip");
    // The shortcut is what encrypting does.
    let mut encrypted = bob.clone();
    for _ in 0..3 {
        encrypted = send(&encrypted, "lost").0;
    }
    assert_eq!(
        hex(&encode_state(&lose_messages(&bob, 3))),
        hex(&encode_state(&encrypted))
    );

    // n = MAX_SKIP + 1 on a new chain: Nr + MAX_SKIP = 2000 < 2001.
    let (_, over) = send(&lose_messages(&bob, MAX_SKIP + 1), "over");
    assert_eq!(header_n(&over), MAX_SKIP + 1);
    refuse(&alice, &over, Error::TooManySkipped, "over MAX_SKIP");

    // n = MAX_SKIP: accepted, every skipped key stored, up to the storage bound.
    let (_, at) = send(&lose_messages(&bob, MAX_SKIP), "at the limit");
    let alice = receive(&alice, &at, "alice r", "at the limit");
    assert_eq!(alice.skipped.len(), MAX_STORED_SKIPPED_KEYS);
    assert_eq!(alice.nr, MAX_SKIP + 1);
    assert_eq!(
        encode_state(&alice).len(),
        STATE_FIXED_LEN + MAX_STORED_SKIPPED_KEYS * SKIPPED_KEY_LEN
    );
    // And now the over-the-limit message is on the current chain, within reach.
    let alice = receive(&alice, &over, "unused", "over");
    // The next key was not skipped, so storage stays at its bound.
    assert_eq!(alice.skipped.len(), MAX_STORED_SKIPPED_KEYS);
}

#[test]
fn replays_are_rejected_and_change_nothing() {
    let Session { alice, bob, a0, .. } = start("replay");
    let (bob, b0) = send(&bob, "b0");
    let (bob, b1) = send(&bob, "b1");
    let alice = receive(&alice, &b1, "alice r 1", "b1");
    let alice = receive(&alice, &b0, "unused", "b0");
    // Both keys were used: the current chain is past them.
    refuse(
        &alice,
        &b0,
        Error::Duplicate,
        "b0 again (its skipped key is deleted)",
    );
    refuse(&alice, &b1, Error::Duplicate, "b1 again");
    // Alice's PreKey message again: Bob's session, a used key.
    refuse(&bob, &a0, Error::Duplicate, "a0 again");

    // On an older chain, a replay finds no key and fails to decrypt.
    let (alice, a1) = send(&alice, "a1");
    let bob = receive(&bob, &a1, "bob r 1", "a1");
    let (_bob, b2) = send(&bob, "b2");
    let alice = receive(&alice, &b2, "alice r 2", "b2");
    refuse(&alice, &b0, Error::DecryptionFailed, "b0 on an older chain");
    refuse(&alice, &b1, Error::DecryptionFailed, "b1 on an older chain");
}

#[test]
fn every_tampered_header_field_and_ciphertext_byte_is_rejected() {
    let Session { alice, bob, .. } = start("tamper");
    let (bob, b0) = send(&bob, "b0");
    let (_bob, b1) = send(&bob, "b1: the target");
    let alice = receive(&alice, &b0, "alice r", "b0");
    // b1 is on Alice's current receiving chain, n = 1, Nr = 1.
    assert_eq!(alice.nr, 1);
    assert_eq!(
        b1.len(),
        RATCHET_HEADER_LEN + "b1: the target".len() + TAG_LEN
    );

    let mut refused = 0;
    for offset in 0..b1.len() {
        for mask in [0x01, 0x80] {
            let tampered = with_byte(&b1, offset, mask);
            let expected = match offset {
                // version
                0 => Error::UnknownVersion,
                // type: 0x03 or 0x82, neither a known type
                1 => Error::InvalidMessage,
                // n: below Nr is a replay, beyond Nr + MAX_SKIP too far; otherwise
                // the keys are derived and the tag (over AD ‖ H) fails
                38..=41 => {
                    let n = header_n(&tampered);
                    if n < alice.nr {
                        Error::Duplicate
                    } else if n > alice.nr + MAX_SKIP {
                        Error::TooManySkipped
                    } else {
                        Error::DecryptionFailed
                    }
                }
                // bit 255 of dh: not a canonical key (SPEC §2), refused on decoding
                33 if mask == 0x80 => Error::InvalidMessage,
                // dh (a new chain, whose key cannot open it), pn, ct and tag
                _ => Error::DecryptionFailed,
            };
            refuse(
                &alice,
                &tampered,
                expected,
                &format!("byte {offset} ^ {mask:#04x}"),
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 2 * b1.len());
    // The type byte set to each other value, PreKey included.
    for value in [0x00, MSG_PREKEY, 0x03, 0xFF] {
        let mut tampered = b1.clone();
        tampered[1usize] = U8(value);
        refuse(
            &alice,
            &tampered,
            Error::InvalidMessage,
            &format!("type {value:#04x}"),
        );
    }
    // Cut short or extended.
    refuse(
        &alice,
        &b1.slice(0, b1.len() - 1),
        Error::DecryptionFailed,
        "one byte short",
    );
    refuse(
        &alice,
        &b1.push(&U8(0)),
        Error::DecryptionFailed,
        "one byte more",
    );
    // After all that, the genuine message decrypts.
    receive(&alice, &b1, "unused", "b1: the target");
}

// ---------------------------------------------------------------------------------
// Bundles
// ---------------------------------------------------------------------------------

#[test]
fn kem_key_in_ec_slot_and_ec_key_in_kem_slot_are_rejected() {
    let b = bob("key kinds", false);
    assert!(verified(&b.bundle).is_ok());
    // The two encodings cannot collide: different first byte, different length.
    let ec = encode_ec(&b.bundle.spk_b);
    let kem = encode_kem(&b.ek);
    assert_eq!((ec.len(), U8::declassify(ec[0usize])), (33, 0x05));
    assert_eq!((kem.len(), U8::declassify(kem[0usize])), (1569, 0x0A));

    // The signatures swapped.
    let mut swapped = b.bundle.clone();
    swapped.spk_sig = b.bundle.pqpk_sig;
    swapped.pqpk_sig = b.bundle.spk_sig;
    assert_eq!(verified(&swapped).err(), Some(Error::InvalidSignature));

    // A KEM key where the EC key belongs: its first 32 bytes as SPK_B, with the
    // signature Bob made over EncodeKEM of it.
    let mut kem_as_ec = b.bundle.clone();
    kem_as_ec.spk_b = X25519SerializedPoint::from_slice(&b.ek, 0, 32);
    kem_as_ec.spk_sig = b.bundle.pqpk_sig;
    assert_eq!(verified(&kem_as_ec).err(), Some(Error::InvalidSignature));

    // An EC key where the KEM key belongs: SPK_B padded to a KEM key's length, with
    // the signature Bob made over EncodeEC of it.
    let mut ec_as_kem = b.bundle.clone();
    let mut padded = ByteSeq::new(ENCAPSULATION_KEY_LEN);
    for i in 0..32 {
        padded[i] = b.bundle.spk_b[i];
    }
    ec_as_kem.pqpk_b = EncapsulationKey::from_seq(&padded);
    ec_as_kem.pqpk_sig = b.bundle.spk_sig;
    assert_eq!(verified(&ec_as_kem).err(), Some(Error::InvalidSignature));
}

#[test]
fn invalid_prekey_signatures_are_rejected() {
    let b = bob("signatures", true);
    let encoded = encode_bundle(&b.bundle);
    // SPEC §3.2 offsets: SPK_sig at 69, PQPK_sig at 1706, SPK_B at 37, PQPK_B at 138.
    for (offset, what) in [
        (69, "SPK_sig R"),
        (69 + 63, "SPK_sig s"),
        (1706, "PQPK_sig R"),
        (1706 + 63, "PQPK_sig s"),
        (37, "SPK_B"),
        (138, "PQPK_B"),
        (138 + 1567, "PQPK_B, last byte"),
    ] {
        let tampered = decode_bundle(&with_byte(&encoded, offset, 0x01)).expect("decodes");
        assert_eq!(
            verify_bundle(&tampered).err(),
            Some(Error::InvalidSignature),
            "{what}"
        );
    }
    // Signed by another identity key.
    let mut other = b.bundle.clone();
    other.ik_b = x25519_base(&scalar("signatures / someone else"));
    assert_eq!(verified(&other).err(), Some(Error::InvalidSignature));
    // The one-time prekey is not signed (PQXDH §3.2): changing it is not a
    // signature failure, and the DH with it will differ instead.
    let mut new_opk = b.bundle.clone();
    new_opk.opk = Some((9, x25519_base(&scalar("signatures / other opk"))));
    assert!(verified(&new_opk).is_ok());
}

// ---------------------------------------------------------------------------------
// Low-order points
// ---------------------------------------------------------------------------------

/// Points whose X25519 product with any clamped scalar is zero: 0, 1, a point of
/// order 8, and p - 1 (order 2).
fn low_order_points() -> Vec<X25519SerializedPoint> {
    [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]
    .iter()
    .map(|h| X25519SerializedPoint::from_hex(h))
    .collect()
}

#[test]
fn low_order_points_give_non_contributory_dh_and_are_rejected() {
    let points = low_order_points();
    let ik_a = scalar("low order / ik_a");
    let ek_a = scalar("low order / ek_a");
    let m = seed("low order / m");

    // Alice: a signed low-order SPK_B (DH1 = 0), an unsigned low-order OPK_B (DH4 = 0).
    let b = bob("low order", true);
    let mut low_spk = b.bundle.clone();
    low_spk.spk_b = points[2];
    low_spk.spk_sig = lockstep_spec::xeddsa::xeddsa_sign(
        &b.ik,
        &encode_ec(&points[2]),
        &random64("low order / z"),
    );
    let low_spk = verified(&low_spk).expect("the signature is good");
    assert_eq!(
        pqxdh::initiate(&ik_a, &low_spk, &ek_a, &m).err(),
        Some(Error::NonContributory)
    );
    let mut low_opk = b.bundle.clone();
    low_opk.opk = Some((9, points[0]));
    let low_opk = verified(&low_opk).expect("the OPK is not signed");
    assert_eq!(
        pqxdh::initiate(&ik_a, &low_opk, &ek_a, &m).err(),
        Some(Error::NonContributory)
    );

    // Bob: a PreKey message whose IK_A or EK_A is of low order.
    let s = start("low order");
    let message = decode_prekey_message(&s.a0).expect("a PreKey message");
    for point in &points {
        for field in ["ik_a", "ek_a"] {
            let mut bad = message.clone();
            if field == "ik_a" {
                bad.header.ik_a = *point;
            } else {
                bad.header.ek_a = *point;
            }
            let k = &s.bob_keys;
            let result = session::accept(&k.ik, &k.spk, &k.dk, k.opk.as_ref(), &bad, &scalar("r"));
            assert_eq!(result.err(), Some(Error::NonContributory), "{field}");
        }
    }

    // The ratchet: a message whose ratchet key is of low order, refused at the DH
    // ratchet step with the state unchanged.
    let (_, b0) = send(&s.bob, "b0");
    for (i, point) in points.iter().enumerate() {
        let mut bad = b0.clone();
        for j in 0..32 {
            bad[2 + j] = point[j];
        }
        refuse(
            &s.alice,
            &bad,
            Error::NonContributory,
            &format!("low-order dh {i}"),
        );
    }
    receive(&s.alice, &b0, "alice r", "b0");
}

// ---------------------------------------------------------------------------------
// PreKey messages
// ---------------------------------------------------------------------------------

#[test]
fn bob_accepts_a_second_prekey_message_and_refuses_another_prekey_header() {
    let s = start("second prekey");
    // Alice has not heard from Bob: a1 carries the same PreKey header as a0.
    let (_alice, a1) = send(&s.alice, "a1");
    assert_eq!(message_type(&a1), MSG_PREKEY);
    assert_eq!(
        hex(&a1.slice(0, PREKEY_HEADER_LEN)),
        hex(&s.a0.slice(0, PREKEY_HEADER_LEN))
    );
    let bob = receive(&s.bob, &a1, "bob r", "a1");

    // The same ratchet message behind a PreKey header changed anywhere: IK_A, EK_A,
    // spk_id, pqpk_id, opk_id, CT.
    for offset in [2, 34, 66, 70, 75, 79, PREKEY_HEADER_LEN - 1] {
        let tampered = with_byte(&a1, offset, 0x01);
        refuse(
            &s.bob,
            &tampered,
            Error::PreKeyMismatch,
            &format!("header byte {offset}"),
        );
    }
    // A PreKey message from another session with the same bundle.
    let other = session::initiate(
        &scalar("another alice / ik_a"),
        &verified(&s.bob_keys.bundle).unwrap(),
        &scalar("another alice / ek_a"),
        &seed("another alice / m"),
        &scalar("another alice / r"),
    )
    .unwrap()
    .0;
    let (_, other_a0) = send(&other, "hello from someone else");
    refuse(
        &bob,
        &other_a0,
        Error::PreKeyMismatch,
        "another session's PreKey message",
    );
    // Alice never accepts a PreKey message: her session was not made from one.
    refuse(
        &s.alice,
        &other_a0,
        Error::PreKeyMismatch,
        "a PreKey message to Alice",
    );
    // Re-encoded, the decoded message is the same bytes.
    let decoded = decode_prekey_message(&a1).unwrap();
    assert_eq!(hex(&encode_prekey_message(&decoded)), hex(&a1));
}

#[test]
fn alice_prekey_wrapping_stops_after_first_decryption() {
    let s = start("wrapping");
    let pending = s
        .alice
        .pending_prekey
        .clone()
        .expect("pending before any reply");
    assert_eq!(pending.len(), PREKEY_HEADER_LEN);
    assert_eq!(hex(&s.a0.slice(0, PREKEY_HEADER_LEN)), hex(&pending));

    let (bob, b0) = send(&s.bob, "b0");
    // A failed decryption does not clear it.
    let tampered = with_byte(&b0, b0.len() - 1, 0x01);
    refuse(&s.alice, &tampered, Error::DecryptionFailed, "tampered b0");
    let (_, still) = send(&s.alice, "still wrapped");
    assert_eq!(message_type(&still), MSG_PREKEY);
    assert_eq!(hex(&still.slice(0, PREKEY_HEADER_LEN)), hex(&pending));

    // The first successful decryption does.
    let alice = receive(&s.alice, &b0, "alice r", "b0");
    assert!(alice.pending_prekey.is_none());
    let encoding = encode_state(&alice);
    assert_eq!(
        U8::declassify(encoding[1usize]) & 0x08,
        0,
        "flag bit 3 clear"
    );
    assert_eq!(encoding.len(), STATE_FIXED_LEN);
    let (alice, a1) = send(&alice, "a1");
    assert_eq!(message_type(&a1), MSG_RATCHET);
    assert_eq!(U8::declassify(a1[0usize]), VERSION);
    assert_eq!(a1.len(), RATCHET_HEADER_LEN + 2 + TAG_LEN);
    let (_, a2) = send(&alice, "a2");
    assert_eq!(message_type(&a2), MSG_RATCHET);
    let bob = receive(&bob, &a1, "bob r", "a1");
    receive(&bob, &a2, "unused", "a2");
}
