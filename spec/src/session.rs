//! docs/SPEC.md §3 with §4, §4.5 and §5.2: a session, PQXDH followed by the Double
//! Ratchet, and the messages on the wire. These are the functions a user calls.
//!
//! - Alice: [`initiate`] runs PQXDH (SPEC §3.4) on Bob's verified bundle and starts
//!   the ratchet (SPEC §4.4); until her first successful decryption, each message she
//!   sends with [`encrypt`] is a PreKey message (SPEC §4.5, §5.2).
//! - Bob: [`accept`] takes Alice's first PreKey message, runs PQXDH (SPEC §3.5),
//!   starts the ratchet and decrypts it; [`accept_from_store`] does the same from
//!   his prekey store, a [`PreKeyStore`] value, looking the prekeys up and using
//!   them up as SPEC §3.5 says ([`look_up_prekeys`], [`use_prekeys`]).
//! - Both: [`encrypt`] and [`decrypt`] on wire bytes. A later PreKey message is
//!   accepted only into the session its PreKey header made (SPEC §5.2).
//!
//! As in [`crate::ratchet`], a state goes in by reference and the new one comes back;
//! on an error the caller keeps the state it had.

use crate::Error;
use crate::ml_kem::{DecapsulationKey, Seed32};
use crate::pqxdh::{self, PqxdhKeys, VerifiedPreKeyBundle};
use crate::ratchet::{
    State, ratchet_decrypt, ratchet_encrypt, ratchet_init_alice, ratchet_init_bob,
};
use crate::sha256;
use crate::wire::PreKeyHeader;
use crate::wire::{
    Message, PreKeyMessage, decode_message, encode_prekey_header, encode_ratchet_message,
};
use crate::x25519::{X25519SerializedPoint, X25519SerializedScalar};
use hacspec_lib::*;

/// SPEC §3.4 then §4.4: Alice starts a session with Bob from his verified bundle.
///
/// ```text
/// (SK, AD), header = PQXDH-Alice(IK_A, bundle, ek_a, m)      SPEC §3.4
/// state = RatchetInitAlice(SK, SPK_B, r)                     SPEC §4.4
/// state.pending_prekey = header                              SPEC §4.3, 1647 bytes
/// ```
///
/// `ek_a` (her ephemeral private key), `m` (the encapsulation randomness) and `r`
/// (her first ratchet private key) are 32 random bytes each. Returns her state and
/// the PQXDH keys, every intermediate value shown (for the vectors).
///
/// # Errors
///
/// Any error of [`pqxdh::initiate`] ([`Error::NonContributory`], an ML-KEM
/// key error) or of [`ratchet_init_alice`] ([`Error::NonContributory`]).
pub fn initiate(
    ik_a: &X25519SerializedScalar,
    bundle: &VerifiedPreKeyBundle,
    ek_a: &X25519SerializedScalar,
    m: &Seed32,
    r: &X25519SerializedScalar,
) -> Result<(State, PqxdhKeys), Error> {
    // (SK, AD), header = PQXDH-Alice(IK_A, bundle, ek_a, m)
    let (keys, header) = pqxdh::initiate(ik_a, bundle, ek_a, m)?;
    // state = RatchetInitAlice(SK, SPK_B, r)
    let mut state = ratchet_init_alice(&keys.sk, &keys.ad, &bundle.bundle().spk_b, r)?;
    // state.pending_prekey = header
    state.pending_prekey = Some(encode_prekey_header(&header));
    Ok((state, keys))
}

/// SPEC §4.5, §5: encrypt a plaintext and encode the message for the wire.
///
/// ```text
/// H ‖ ct = RatchetEncrypt(state, pt)
/// if pending_prekey is set: send pending_prekey ‖ (H ‖ ct)     PreKey message, §5.2
/// else:                     send H ‖ ct                        ratchet message, §5.1
/// ```
///
/// # Errors
///
/// Any error of [`ratchet_encrypt`]: [`Error::NoSendingChain`] (Bob before his first
/// decryption), [`Error::ChainExhausted`], [`Error::MessageTooLarge`].
pub fn encrypt(state: &State, plaintext: &ByteSeq) -> Result<(State, ByteSeq), Error> {
    // H ‖ ct = RatchetEncrypt(state, pt)
    let (new_state, message) = ratchet_encrypt(state, plaintext)?;
    let ratchet_message = encode_ratchet_message(&message);
    let bytes = match &state.pending_prekey {
        // pending_prekey ‖ (H ‖ ct)
        Some(pending_prekey) => pending_prekey.concat(&ratchet_message),
        // H ‖ ct
        None => ratchet_message,
    };
    Ok((new_state, bytes))
}

/// SPEC §3.5 then §4.4 and §4.6: Bob accepts Alice's first PreKey message, making a
/// session from it, and decrypts the ratchet message it carries.
///
/// ```text
/// (SK, AD) = PQXDH-Bob(IK_B, SPK_B, PQPK_B, OPK_B, header)    SPEC §3.5
/// state = RatchetInitBob(SK, SPK_B key pair)                  SPEC §4.4
/// state.prekey_hash = SHA-256(header)                         SPEC §4.3, §5.2
/// state, pt = RatchetDecrypt(state, H, ct, r)                 SPEC §4.6
/// ```
///
/// The caller has decoded the message and looked up the private keys its ids name
/// (`opk_b` exactly when it names a one-time prekey). `r` is 32 random bytes, Bob's
/// next ratchet private key. Returns the state, the plaintext, and the PQXDH keys.
/// Deleting the one-time prekeys used is the caller's business (SPEC §3.5), once
/// this has succeeded.
///
/// # Errors
///
/// Any error of [`pqxdh::respond`] or of [`ratchet_decrypt`]; nothing is returned
/// but the error.
pub fn accept(
    ik_b: &X25519SerializedScalar,
    spk_b: &X25519SerializedScalar,
    pqpk_b: &DecapsulationKey,
    opk_b: Option<&X25519SerializedScalar>,
    message: &PreKeyMessage,
    r: &X25519SerializedScalar,
) -> Result<(State, ByteSeq, PqxdhKeys), Error> {
    // (SK, AD) = PQXDH-Bob(IK_B, SPK_B, PQPK_B, OPK_B, header)
    let keys = pqxdh::respond(ik_b, spk_b, pqpk_b, opk_b, &message.header)?;
    // state = RatchetInitBob(SK, SPK_B key pair)
    let mut state = ratchet_init_bob(&keys.sk, &keys.ad, spk_b);
    // state.prekey_hash = SHA-256(header), the TH that PQXDH bound into SK
    state.prekey_hash = Some(keys.th);
    // state, pt = RatchetDecrypt(state, H, ct, r)
    let (state, plaintext) = ratchet_decrypt(&state, &message.message, r)?;
    Ok((state, plaintext, keys))
}

/// SPEC §3.5: the replay rule for a last-resort post-quantum prekey. `record` is
/// the `EK_A` of every PreKey message Bob accepted under the prekey the header names;
/// a header whose `EK_A` is in it is a replayed first message.
///
/// ```text
/// if pq_kind of PQPK_B is last-resort and EK_A is in its record: error PreKeyReplay
/// ```
///
/// Bob's store applies this only to a last-resort `PQPK_B` (a one-time prekey is
/// deleted after use, so its replay finds no key), after looking the prekeys up and
/// before [`accept`] runs any DH.
///
/// # Errors
///
/// [`Error::PreKeyReplay`] if `header.ek_a` is in `record`.
pub fn check_replay(record: &[X25519SerializedPoint], header: &PreKeyHeader) -> Result<(), Error> {
    for ek_a in record {
        // EK_A is public: the comparison may branch.
        if ek_a.declassify_eq(&header.ek_a) {
            return Err(Error::PreKeyReplay);
        }
    }
    Ok(())
}

/// SPEC §3.5: the record of a last-resort post-quantum prekey after [`accept`]
/// succeeded on `header`: `record ‖ EK_A`. It lives as long as the prekey does.
pub fn record_accepted(
    record: &[X25519SerializedPoint],
    header: &PreKeyHeader,
) -> Vec<X25519SerializedPoint> {
    let mut out = record.to_vec();
    out.push(header.ek_a);
    out
}

/// SPEC §3.5: one post-quantum prekey Bob holds, with its replay record.
#[derive(Clone)]
pub struct PqPreKey {
    /// `pqpk_id`.
    pub id: u32,
    /// The ML-KEM-1024 decapsulation key.
    pub dk: DecapsulationKey,
    /// Last-resort (kept after use, with a replay record) rather than one-time
    /// (deleted after use).
    pub last_resort: bool,
    /// SPEC §3.5: the `EK_A` of every PreKey message accepted under this prekey
    /// (only ever non-empty for a last-resort prekey).
    pub record: Vec<X25519SerializedPoint>,
}

/// SPEC §3.5: Bob's prekey store as a value: his identity key and the private
/// prekeys he still holds, by id. [`accept_from_store`] takes one and returns the
/// next; nothing is changed in place.
#[derive(Clone)]
pub struct PreKeyStore {
    /// `IK_B`: Bob's identity private key.
    pub ik: X25519SerializedScalar,
    /// Signed prekeys (`SPK_B`) by `spk_id`.
    pub signed: Vec<(u32, X25519SerializedScalar)>,
    /// Post-quantum prekeys (`PQPK_B`) by `pqpk_id`.
    pub post_quantum: Vec<PqPreKey>,
    /// One-time prekeys (`OPK_B`) by `opk_id`.
    pub one_time: Vec<(u32, X25519SerializedScalar)>,
}

/// SPEC §3.5: the private prekeys a PreKey header names, looked up in a store.
#[derive(Clone)]
pub struct NamedPreKeys {
    /// `SPK_B`.
    pub spk: X25519SerializedScalar,
    /// `PQPK_B`, with its kind and record.
    pub pq: PqPreKey,
    /// `OPK_B`, when the header names one.
    pub opk: Option<X25519SerializedScalar>,
}

/// SPEC §3.5: Bob's store looks up the prekeys a PreKey header names, in the order
/// `spk_id`, `pqpk_id`, `opk_id`, then applies the replay rule.
///
/// ```text
/// SPK_B  = the signed prekey with id spk_id          error UnknownPreKey
/// PQPK_B = the post-quantum prekey with id pqpk_id   error UnknownPreKey
/// OPK_B  = the one-time prekey with id opk_id,
///          if the header names one                   error UnknownPreKey
/// if PQPK_B is last-resort and EK_A is in its record: error PreKeyReplay
/// ```
///
/// # Errors
///
/// [`Error::UnknownPreKey`] for an id the store does not hold (never issued, or a
/// one-time prekey already used); [`Error::PreKeyReplay`] from [`check_replay`].
pub fn look_up_prekeys(store: &PreKeyStore, header: &PreKeyHeader) -> Result<NamedPreKeys, Error> {
    let mut spk = None;
    for (id, key) in &store.signed {
        if *id == header.spk_id {
            spk = Some(*key);
        }
    }
    let spk = spk.ok_or(Error::UnknownPreKey)?;
    let mut pq = None;
    for key in &store.post_quantum {
        if key.id == header.pqpk_id {
            pq = Some(key.clone());
        }
    }
    let pq = pq.ok_or(Error::UnknownPreKey)?;
    let opk = match header.opk_id {
        None => None,
        Some(opk_id) => {
            let mut opk = None;
            for (id, key) in &store.one_time {
                if *id == opk_id {
                    opk = Some(*key);
                }
            }
            Some(opk.ok_or(Error::UnknownPreKey)?)
        }
    };
    if pq.last_resort {
        check_replay(&pq.record, header)?;
    }
    Ok(NamedPreKeys { spk, pq, opk })
}

/// SPEC §3.5: the store after a PreKey message with `header` was accepted: the
/// one-time prekeys it used are deleted (`OPK_B`, and `PQPK_B` if one-time), and a
/// last-resort `PQPK_B` records `EK_A` ([`record_accepted`]).
///
/// ```text
/// delete OPK_B (opk_id), if the header names one
/// if PQPK_B is one-time: delete it
/// else: add EK_A to PQPK_B's record
/// ```
pub fn use_prekeys(store: &PreKeyStore, header: &PreKeyHeader) -> PreKeyStore {
    let mut post_quantum = Vec::new();
    for key in &store.post_quantum {
        if key.id != header.pqpk_id {
            post_quantum.push(key.clone());
        } else if key.last_resort {
            let mut kept = key.clone();
            kept.record = record_accepted(&key.record, header);
            post_quantum.push(kept);
        }
    }
    let mut one_time = Vec::new();
    for (id, key) in &store.one_time {
        if header.opk_id != Some(*id) {
            one_time.push((*id, *key));
        }
    }
    PreKeyStore {
        ik: store.ik,
        signed: store.signed.clone(),
        post_quantum,
        one_time,
    }
}

/// SPEC §3.5 with §4.4 and §4.6: Bob accepts Alice's first PreKey message from his
/// prekey store, and the store is used up as §3.5 says.
///
/// ```text
/// keys = look up the prekeys the header names        SPEC §3.5
/// state, pt = accept(IK_B, keys, message, r)
/// store' = the store with those prekeys used          SPEC §3.5
/// ```
///
/// Returns the store after the acceptance, the state, the plaintext and the PQXDH
/// keys. On an error nothing is returned but the error: the caller keeps its store.
///
/// # Errors
///
/// Any error of [`look_up_prekeys`] or of [`accept`].
pub fn accept_from_store(
    store: &PreKeyStore,
    message: &PreKeyMessage,
    r: &X25519SerializedScalar,
) -> Result<(PreKeyStore, State, ByteSeq, PqxdhKeys), Error> {
    let keys = look_up_prekeys(store, &message.header)?;
    let (state, plaintext, pqxdh_keys) = accept(
        &store.ik,
        &keys.spk,
        &keys.pq.dk,
        keys.opk.as_ref(),
        message,
        r,
    )?;
    Ok((
        use_prekeys(store, &message.header),
        state,
        plaintext,
        pqxdh_keys,
    ))
}

/// SPEC §5, §5.2, §4.6: decode a message from the wire and decrypt it in this
/// session.
///
/// ```text
/// decode the message                                     §5
/// if it is a PreKey message:
///     if prekey_hash is none or SHA-256(PreKey header) != prekey_hash:
///         error PreKeyMismatch                           §5.2
///     decrypt its ratchet message
/// else: decrypt the ratchet message
/// ```
///
/// A PreKey message is accepted only into the session its PreKey header made: Bob
/// gets one again while Alice has not yet heard from him. The ratchet clears Alice's
/// `pending_prekey` on success (SPEC §4.6), so her next message is a ratchet
/// message.
///
/// # Errors
///
/// Any error of [`decode_message`]; [`Error::PreKeyMismatch`]; any error of
/// [`ratchet_decrypt`].
pub fn decrypt(
    state: &State,
    bytes: &ByteSeq,
    r: &X25519SerializedScalar,
) -> Result<(State, ByteSeq), Error> {
    // decode the message
    match decode_message(bytes)? {
        // if it is a PreKey message:
        Message::PreKey(prekey) => {
            // if prekey_hash is none or SHA-256(PreKey header) != prekey_hash
            let hash = sha256::hash(&encode_prekey_header(&prekey.header));
            let matches = match &state.prekey_hash {
                Some(prekey_hash) => prekey_hash.declassify_eq(&hash),
                None => false,
            };
            if !matches {
                // error PreKeyMismatch
                return Err(Error::PreKeyMismatch);
            }
            // decrypt its ratchet message
            ratchet_decrypt(state, &prekey.message, r)
        }
        // else: decrypt the ratchet message
        Message::Ratchet(message) => ratchet_decrypt(state, &message, r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{MSG_PREKEY, MSG_RATCHET, PREKEY_HEADER_LEN, STATE_FIXED_LEN};
    use crate::ml_kem::{EncapsulationKey, keygen};
    use crate::pqxdh::{sign_bundle, verify_bundle};
    use crate::state::{decode_state, encode_state};
    use crate::testing::{counting, scalar, seed, text};
    use crate::wire::{PreKeyBundle, decode_bundle, encode_bundle};
    use crate::x25519::x25519_base;
    use crate::xeddsa::XEdDSARandom;

    /// A store of one signed prekey (id 1), a one-time and a last-resort PQ prekey
    /// (ids 2, 3) and one one-time prekey (id 4). No key is used: the look-up and
    /// the consumption read only ids and `EK_A`.
    fn store() -> PreKeyStore {
        let pq = |id, last_resort| PqPreKey {
            id,
            dk: DecapsulationKey::new(),
            last_resort,
            record: Vec::new(),
        };
        PreKeyStore {
            ik: scalar(1),
            signed: vec![(1, scalar(2))],
            post_quantum: vec![pq(2, false), pq(3, true)],
            one_time: vec![(4, scalar(3))],
        }
    }

    fn header(pqpk_id: u32, opk_id: Option<u32>, ek_a: u8) -> PreKeyHeader {
        PreKeyHeader {
            ik_a: X25519SerializedPoint::from_seq(&counting(9, 32)),
            ek_a: X25519SerializedPoint::from_seq(&counting(ek_a, 32)),
            spk_id: 1,
            pqpk_id,
            opk_id,
            ct: crate::ml_kem::Ciphertext::new(),
        }
    }

    /// SPEC §3.5: ids the store does not hold are `UnknownPreKey`, in the order
    /// `spk_id`, `pqpk_id`, `opk_id`; one-time prekeys go after use, a last-resort
    /// one stays and refuses the same `EK_A` again (`PreKeyReplay`), not another.
    #[test]
    fn the_prekey_store_looks_up_uses_up_and_records() {
        let store = store();
        let mut wrong_spk = header(2, Some(4), 20);
        wrong_spk.spk_id = 7;
        let unknown = |h: &PreKeyHeader| look_up_prekeys(&store, h).err();
        assert_eq!(unknown(&wrong_spk), Some(Error::UnknownPreKey));
        assert_eq!(unknown(&header(5, None, 20)), Some(Error::UnknownPreKey));
        assert_eq!(unknown(&header(2, Some(5), 20)), Some(Error::UnknownPreKey));

        // One-time PQPK_B and OPK_B: both deleted once used.
        let first = header(2, Some(4), 20);
        let keys = look_up_prekeys(&store, &first).expect("held");
        assert!(keys.opk.is_some() && !keys.pq.last_resort);
        let used = use_prekeys(&store, &first);
        assert_eq!(
            look_up_prekeys(&used, &first).err(),
            Some(Error::UnknownPreKey)
        );
        assert_eq!(used.post_quantum.len(), 1);
        assert!(used.one_time.is_empty());

        // Last-resort PQPK_B: kept, with EK_A recorded; the same EK_A is a replay.
        let last_resort = header(3, None, 30);
        let used = use_prekeys(&used, &last_resort);
        assert_eq!(used.post_quantum.len(), 1);
        assert_eq!(used.post_quantum[0].record.len(), 1);
        assert_eq!(
            look_up_prekeys(&used, &last_resort).err(),
            Some(Error::PreKeyReplay)
        );
        assert!(look_up_prekeys(&used, &header(3, None, 31)).is_ok());
        // The store it was made from is unchanged (a value, not a place).
        assert_eq!(store.post_quantum.len(), 2);
        assert_eq!(store.one_time.len(), 1);
    }

    /// Bob's private keys: identity, signed prekey, one-time prekey, ML-KEM pair.
    struct Bob {
        ik: X25519SerializedScalar,
        spk: X25519SerializedScalar,
        opk: X25519SerializedScalar,
        pq_ek: EncapsulationKey,
        pq_dk: DecapsulationKey,
    }

    fn bob() -> Bob {
        let (pq_ek, pq_dk) = keygen(&seed(0xD0), &seed(0xE0));
        Bob {
            ik: scalar(0x10),
            spk: scalar(0x30),
            opk: scalar(0x50),
            pq_ek,
            pq_dk,
        }
    }

    /// Bob's bundle, with his one-time prekey, as Alice receives it: through the wire
    /// encoding, then verified.
    fn verified_bundle(bob: &Bob) -> VerifiedPreKeyBundle {
        let bundle: PreKeyBundle = sign_bundle(
            &bob.ik,
            0x5B,
            &x25519_base(&bob.spk),
            0xA0A1_A2A3,
            false,
            &bob.pq_ek,
            Some((0x0BAD_CAFE, x25519_base(&bob.opk))),
            &XEdDSARandom::from_seq(&counting(0x01, 64)),
            &XEdDSARandom::from_seq(&counting(0x02, 64)),
        );
        verify_bundle(&decode_bundle(&encode_bundle(&bundle)).expect("canonical"))
            .expect("honest bundle")
    }

    fn prekey_message(bytes: &ByteSeq) -> PreKeyMessage {
        match decode_message(bytes).expect("canonical") {
            Message::PreKey(message) => message,
            Message::Ratchet(_) => panic!("a PreKey message was expected"),
        }
    }

    fn type_byte(bytes: &ByteSeq) -> u8 {
        U8::declassify(bytes[1])
    }

    /// SPEC §3, §4.5, §5.2: a whole conversation through the session functions.
    /// Alice's first two messages are PreKey messages with the same header; Bob
    /// accepts the second first (the first's key is skipped) and then the first into
    /// the session it made; after Alice's first decryption her messages are ratchet
    /// messages. Both states survive their encoding.
    #[test]
    fn spec_5_2_conversation_through_the_session_functions() {
        let bob_keys = bob();
        let bundle = verified_bundle(&bob_keys);
        let (alice, alice_pqxdh) = initiate(
            &scalar(0x70),
            &bundle,
            &scalar(0x90),
            &seed(0xB0),
            &scalar(0x21),
        )
        .expect("honest");
        let pending = alice.pending_prekey.clone().expect("pending PreKey header");
        assert_eq!(pending.len(), PREKEY_HEADER_LEN);
        assert_eq!(
            encode_state(&alice).len(),
            STATE_FIXED_LEN + PREKEY_HEADER_LEN
        );

        let (alice, m0) = encrypt(&alice, &text("m0")).expect("sending chain");
        let (alice, m1) = encrypt(&alice, &text("m1")).expect("sending chain");
        for m in [&m0, &m1] {
            assert_eq!(type_byte(m), MSG_PREKEY);
            assert_eq!(m.len(), PREKEY_HEADER_LEN + 58 + 2);
            assert_eq!(m.slice(0, PREKEY_HEADER_LEN), pending);
        }

        // Bob accepts m1 (m0 is late), with the one-time prekey it names.
        let first = prekey_message(&m1);
        assert_eq!(first.header.opk_id, Some(0x0BAD_CAFE));
        let (bob, plaintext, bob_pqxdh) = accept(
            &bob_keys.ik,
            &bob_keys.spk,
            &bob_keys.pq_dk,
            Some(&bob_keys.opk),
            &first,
            &scalar(0x31),
        )
        .expect("honest");
        assert_eq!(plaintext, text("m1"));
        assert_eq!(bob_pqxdh.sk.to_hex(), alice_pqxdh.sk.to_hex());
        assert_eq!(
            bob.prekey_hash.expect("from a PreKey message").to_hex(),
            sha256::hash(&pending).to_hex()
        );
        assert_eq!(bob.skipped.len(), 1);
        // m0, a PreKey message with the same header, into the session it made.
        let (bob, plaintext) = decrypt(&bob, &m0, &scalar(0x32)).expect("same header");
        assert_eq!(plaintext, text("m0"));
        assert!(bob.skipped.is_empty());
        // A replay of it: the header matches, the key is used.
        assert_eq!(
            decrypt(&bob, &m0, &scalar(0x33)).err(),
            Some(Error::Duplicate)
        );

        // Bob answers with a ratchet message; Alice's pending header is then cleared.
        let (bob, b0) = encrypt(&bob, &text("b0")).expect("sending chain");
        assert_eq!(type_byte(&b0), MSG_RATCHET);
        assert_eq!(b0.len(), 58 + 2);
        let (alice, plaintext) = decrypt(&alice, &b0, &scalar(0x41)).expect("decrypts");
        assert_eq!(plaintext, text("b0"));
        assert!(alice.pending_prekey.is_none());
        let (alice, m2) = encrypt(&alice, &text("m2")).expect("sending chain");
        assert_eq!(type_byte(&m2), MSG_RATCHET);

        // Both states survive their encoding, and carry on.
        let alice = decode_state(&encode_state(&alice)).expect("valid");
        let bob = decode_state(&encode_state(&bob)).expect("valid");
        assert_eq!(encode_state(&bob).len(), STATE_FIXED_LEN);
        let (bob, plaintext) = decrypt(&bob, &m2, &scalar(0x34)).expect("decrypts");
        assert_eq!(plaintext, text("m2"));
        let (_, b1) = encrypt(&bob, &text("b1")).expect("sending chain");
        let (_, plaintext) = decrypt(&alice, &b1, &scalar(0x42)).expect("decrypts");
        assert_eq!(plaintext, text("b1"));
    }

    /// SPEC §5.2: a PreKey message from another key agreement is refused as
    /// `PreKeyMismatch`, in Bob's session and in Alice's (which has no
    /// `prekey_hash`); Bob still holds his session, and Bob's own first encryption
    /// before a decryption is `NoSendingChain`.
    #[test]
    fn spec_5_2_prekey_message_of_another_session_is_refused() {
        let bob_keys = bob();
        let bundle = verified_bundle(&bob_keys);
        let (alice, _) = initiate(
            &scalar(0x70),
            &bundle,
            &scalar(0x90),
            &seed(0xB0),
            &scalar(0x21),
        )
        .expect("honest");
        let (_, m0) = encrypt(&alice, &text("m0")).expect("sending chain");
        // Another session: another ephemeral key, so another PreKey header.
        let (other, _) = initiate(
            &scalar(0x70),
            &bundle,
            &scalar(0x91),
            &seed(0xB0),
            &scalar(0x22),
        )
        .expect("honest");
        let (_, other_m0) = encrypt(&other, &text("other")).expect("sending chain");

        let (bob, plaintext, _) = accept(
            &bob_keys.ik,
            &bob_keys.spk,
            &bob_keys.pq_dk,
            Some(&bob_keys.opk),
            &prekey_message(&m0),
            &scalar(0x31),
        )
        .expect("honest");
        assert_eq!(plaintext, text("m0"));
        let before = encode_state(&bob);
        assert_eq!(
            decrypt(&bob, &other_m0, &scalar(0x32)).err(),
            Some(Error::PreKeyMismatch)
        );
        assert_eq!(encode_state(&bob), before);
        // Alice holds no prekey_hash: any PreKey message is refused.
        assert_eq!(
            decrypt(&alice, &m0, &scalar(0x41)).err(),
            Some(Error::PreKeyMismatch)
        );
        // Wire errors come through as they are.
        let mut unknown = m0.clone();
        unknown[0] = U8(0x02);
        assert_eq!(
            decrypt(&bob, &unknown, &scalar(0x32)).err(),
            Some(Error::UnknownVersion)
        );

        // Bob without a sending chain yet: a session made by ratchet_init_bob alone.
        let fresh = ratchet_init_bob(&fixed_sk(), &counting(0, 66), &bob_keys.spk);
        assert_eq!(
            encrypt(&fresh, &text("early")).err(),
            Some(Error::NoSendingChain)
        );
    }

    /// A shared key as PQXDH would give, for a session made without it.
    fn fixed_sk() -> crate::pqxdh::SharedKey {
        crate::pqxdh::SharedKey::from_seq(&counting(0x80, 32))
    }

    /// SPEC §3.5, §4.6: a PreKey message whose ratchet message was tampered with is
    /// refused as `DecryptionFailed` by `accept`: no session comes out of it.
    #[test]
    fn spec_4_6_accept_refuses_a_tampered_first_message() {
        let bob_keys = bob();
        let bundle = verified_bundle(&bob_keys);
        let (alice, _) = initiate(
            &scalar(0x70),
            &bundle,
            &scalar(0x90),
            &seed(0xB0),
            &scalar(0x21),
        )
        .expect("honest");
        let (_, m0) = encrypt(&alice, &text("m0")).expect("sending chain");
        let mut tampered = prekey_message(&m0);
        tampered.message.ciphertext[0] ^= U8(0x01);
        assert_eq!(
            accept(
                &bob_keys.ik,
                &bob_keys.spk,
                &bob_keys.pq_dk,
                Some(&bob_keys.opk),
                &tampered,
                &scalar(0x31),
            )
            .err(),
            Some(Error::DecryptionFailed)
        );
    }

    /// SPEC §3.4, §8: the PreKey re-encoding attack. X25519 clamps its scalar to a
    /// multiple of 8, so `EK_A` and `1/EK_A` (the point plus the order-2 point
    /// `(0, 0)`, which is canonical) give Bob the same DH values. Before `TH` was bound
    /// into `SK`, Bob accepted the re-encoded message, its `prekey_hash` then covered
    /// the forged header, and Alice's genuine messages were refused as
    /// `PreKeyMismatch`. Now the forged header gives another `SK`: `accept` refuses
    /// it, and the genuine message is still accepted afterwards.
    #[test]
    fn spec_3_4_a_reencoded_ek_a_is_refused() {
        use crate::field25519::{SerializedFieldElement, from_le_bytes, inv, to_le_bytes};
        use crate::x25519::X25519SerializedPoint;
        let bob_keys = bob();
        let bundle = verified_bundle(&bob_keys);
        let (alice, _) = initiate(
            &scalar(0x70),
            &bundle,
            &scalar(0x90),
            &seed(0xB0),
            &scalar(0x21),
        )
        .expect("honest");
        let (_, m0) = encrypt(&alice, &text("m0")).expect("sending chain");
        let genuine = prekey_message(&m0);
        let accept_it = |message: &PreKeyMessage| {
            accept(
                &bob_keys.ik,
                &bob_keys.spk,
                &bob_keys.pq_dk,
                Some(&bob_keys.opk),
                message,
                &scalar(0x31),
            )
        };

        // EK_A' = 1 / EK_A mod p: the same DH outputs with every clamped scalar.
        let ek_a = from_le_bytes(&SerializedFieldElement::from_seq(&genuine.header.ek_a));
        let reencoded = X25519SerializedPoint::from_seq(&to_le_bytes(inv(ek_a)));
        assert_ne!(reencoded.to_hex(), genuine.header.ek_a.to_hex());
        let dh = |point: &X25519SerializedPoint| {
            crate::x25519::x25519_dh(&bob_keys.spk, point)
                .expect("contributory")
                .to_hex()
        };
        assert_eq!(dh(&reencoded), dh(&genuine.header.ek_a), "same DH value");

        let mut forged = genuine.clone();
        forged.header.ek_a = reencoded;
        // The forged header decodes (the key is canonical) ...
        let forged_bytes = crate::wire::encode_prekey_message(&forged);
        assert!(decode_message(&forged_bytes).is_ok());
        // ... but binds another SK, so the first message does not decrypt.
        assert_eq!(accept_it(&forged).err(), Some(Error::DecryptionFailed));
        // The genuine message still makes Bob's session, whose prekey_hash is TH.
        let (_, plaintext, keys) = accept_it(&genuine).expect("genuine");
        assert_eq!(plaintext.to_native(), b"m0".to_vec());
        assert_eq!(
            keys.th.to_hex(),
            sha256::hash(&encode_prekey_header(&genuine.header)).to_hex()
        );
    }

    /// SPEC §3.5: the replay record of a last-resort prekey refuses the `EK_A` it
    /// holds and nothing else; recording appends.
    #[test]
    fn spec_3_5_replay_record() {
        let bob_keys = bob();
        let bundle = verified_bundle(&bob_keys);
        let header = |ek: u8| {
            let (alice, _) = initiate(
                &scalar(0x70),
                &bundle,
                &scalar(ek),
                &seed(0xB0),
                &scalar(0x21),
            )
            .expect("honest");
            let (_, m0) = encrypt(&alice, &text("m0")).expect("sending chain");
            prekey_message(&m0).header
        };
        let (first, other) = (header(0x90), header(0x91));
        assert_eq!(check_replay(&[], &first), Ok(()));
        let record = record_accepted(&[], &first);
        assert_eq!(record.len(), 1);
        assert_eq!(check_replay(&record, &first), Err(Error::PreKeyReplay));
        assert_eq!(check_replay(&record, &other), Ok(()));
        let record = record_accepted(&record, &other);
        assert_eq!(check_replay(&record, &other), Err(Error::PreKeyReplay));
    }
}
