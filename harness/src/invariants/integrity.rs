//! Integrity invariants: authentication, replay, and transactional decryption.

use super::*;

/// `authentication`: every delivery of bytes the peer did not send, as they were sent,
/// to their addressee, is refused: origin [`Origin::Tampered`] (a changed copy;
/// [`crate::run::tamper`] always changes at least one byte), [`Origin::Injected`] (a
/// message of another session) and [`Origin::Reflected`] (a party's own message).
///
/// No exception.
///
/// The same for Bob's bundle: every forged bundle ([`crate::model::Tamper::Bundle`])
/// that differs from the bundle Bob published in its signed part (SPEC §3.2, bytes
/// 0..1770: `IK_B`, the signed prekey and the post-quantum prekey with their ids and
/// signatures) is refused by Alice's decoding and verification (SPEC §3.3). A change
/// to the one-time prekey alone is not judged: PQXDH §3.2 does not sign it.
///
/// The tampering includes the algebraic adversary's equivalent encodings
/// ([`crate::model::Tamper::SmallOrder`], [`crate::model::Tamper::SwapHeader`], the
/// bundle's re-encoded keys, `s + q` and `R + T` signatures and re-encoded ML-KEM key):
/// an accepted one is a second encoding of something the peer sent, which the
/// protocol must not accept. (This is what found that X25519 keys must be canonical
/// on the wire, SPEC §2, when `EK_A` with bit 255 flipped was accepted; and that
/// `EK_A` must be bound into the key schedule, when `EK_A` replaced by another point
/// of its small-order coset, `1/EK_A` for the order-2 one, gave Bob the same SK and
/// was accepted.)
///
/// # Errors
/// The first such delivery that decrypted, or forged bundle that verified.
pub fn authentication(run: &Run) -> Result<(), Violation> {
    for delivery in &run.deliveries {
        let forged = matches!(
            delivery.origin,
            Origin::Tampered | Origin::Injected | Origin::Reflected
        );
        if forged && delivery.result.is_ok() {
            return Err(violation(AUTHENTICATION, delivery.step, describe(delivery)));
        }
    }
    let signed = |bytes: &[u8]| bytes.get(..SIGNED_BUNDLE_LEN).map(<[u8]>::to_vec);
    let published = run.bundle.as_deref().and_then(signed);
    for forged in &run.forged_bundles {
        if forged.result.is_ok() && signed(&forged.bytes) != published {
            return Err(violation(
                AUTHENTICATION,
                forged.step,
                format!(
                    "a bundle with {:?} re-encoded was accepted by Alice's verification",
                    forged.part
                ),
            ));
        }
    }
    Ok(())
}

/// SPEC §3.2: the bundle's bytes before `opk_flag`, which the signatures and the
/// decoder's checks cover.
pub(super) const SIGNED_BUNDLE_LEN: usize = 1770;

/// `replay`: once a message has been decrypted by its addressee, every later delivery
/// of the same bytes to the addressee (origin [`Origin::Replay`], or any other) is
/// refused. No exception.
///
/// # Errors
/// The first such delivery that decrypted.
pub fn replay(run: &Run) -> Result<(), Violation> {
    let mut decrypted: HashMap<usize, usize> = HashMap::new();
    for delivery in &run.deliveries {
        let Some(sent) = genuine(run, delivery) else {
            continue;
        };
        if let Some(first) = decrypted.get(&sent.id) {
            if delivery.result.is_ok() {
                return Err(violation(
                    REPLAY,
                    delivery.step,
                    format!("{}, already decrypted at step {first}", describe(delivery)),
                ));
            }
        } else if delivery.result.is_ok() {
            decrypted.insert(sent.id, delivery.step);
        }
    }
    Ok(())
}

/// `transactional`: a refused decryption leaves the recipient's state encoding byte
/// for byte as it was (both absent, for Bob refusing a PreKey message before he has a
/// session: SPEC §3.6 "Bob keeps no state"); and so does a refused encryption (a
/// [`crate::model::Event::Send`] whose encryption fails leaves both states as the
/// previous event left them; an event at step 0 has no recorded state before it and
/// is not checked). No exception.
///
/// # Errors
/// The first refusal that changed a state.
pub fn transactional(run: &Run) -> Result<(), Violation> {
    for delivery in &run.deliveries {
        if delivery.result.is_err() && delivery.state_before != delivery.state_after {
            return Err(violation(
                TRANSACTIONAL,
                delivery.step,
                format!("{}, and its state changed", describe(delivery)),
            ));
        }
    }
    // Refused encryptions: an event whose only record, besides the states after it, is
    // one refused `Sent`.
    let mut states: HashMap<usize, [&Option<Vec<u8>>; 2]> = HashMap::new();
    let mut events: HashMap<usize, Vec<&Record>> = HashMap::new();
    for record in &run.records {
        match record {
            Record::States { step, alice, bob } => {
                states.insert(*step, [alice, bob]);
            }
            Record::Sent { step, .. }
            | Record::Delivered { step, .. }
            | Record::OtherSession { step, .. }
            | Record::Compromised { step, .. }
            | Record::Skipped { step, .. }
            | Record::BundleForged { step, .. } => events.entry(*step).or_default().push(record),
            Record::SetUp { .. } => {}
        }
    }
    for (&step, records) in &events {
        let [
            Record::Sent {
                from,
                result: Err(failure),
                ..
            },
        ] = records.as_slice()
        else {
            continue;
        };
        let (Some(before), Some(after)) = (
            step.checked_sub(1)
                .and_then(|previous| states.get(&previous)),
            states.get(&step),
        ) else {
            continue;
        };
        if before != after {
            return Err(violation(
                TRANSACTIONAL,
                step,
                format!(
                    "{} refused to encrypt ({failure:?}), and a state changed",
                    from.name()
                ),
            ));
        }
    }
    Ok(())
}

/// SPEC §4.2: the message key of `KDF_CK(ck)` after `steps` more `KDF_CK`s, none if
/// that is more than 2^16 (far past `MAX_SKIP`; [`bounds`] reports such a decryption).
pub(super) fn derive(ck: &[u8; 32], steps: u32) -> Option<[u8; 32]> {
    if steps > 1 << 16 {
        return None;
    }
    let mut ck = ChainKey::from_public_slice(ck);
    for _ in 0..steps {
        ck = kdf_ck(&ck).0;
    }
    Some(kdf_ck(&ck).1.to_public_array())
}

/// The message key a decryption from `state` uses for `message` by SPEC §4.6's
/// schedule: a stored key; or `CKr` forward from `Nr` on the current chain; or, on a
/// new chain, `KDF_RK(RK, DH(DHs, H.dh))` forward from 0. None if the schedule gives
/// none (a message it refuses).
pub(crate) fn scheduled_key(state: &StateView, message: &MessageView) -> Option<[u8; 32]> {
    if let Some(key) = state.holds(&message.dh, message.n) {
        return Some(key.mk);
    }
    if state.is_current(&message.dh) {
        let steps = message.n.checked_sub(state.nr)?;
        return derive(&state.ckr?, steps);
    }
    let dh_out = x25519_dh(
        &X25519SerializedScalar::from_public_slice(&state.dhs),
        &X25519SerializedPoint::from_public_slice(&message.dh),
    )
    .ok()?;
    let (_, ckr) = kdf_rk(&RootKey::from_public_slice(&state.rk), &dh_out);
    derive(&ckr.to_public_array(), message.n)
}

/// `uniqueness`: no two messages of the run are sealed with the same ChaCha20-Poly1305
/// (key, nonce) pair, nor with the same message key (SPEC §4.2: every message key is
/// used once, so every (key, nonce) pair is), over both parties' messages together
/// (so a fortiori for each party); and no two successful decryptions of the run open
/// with the same (key, nonce) pair, or the same message key.
///
/// The (key, nonce) pairs are the ones the driver observed the AEAD being called with
/// ([`crate::driver::Driver::take_aead_use`]: the implementation's driver records the
/// arguments of its `aead::seal_append` and `aead::open`), so an implementation whose
/// state advances correctly but whose AEAD is given one key and nonce for a whole
/// chain fails here without the spec in the loop. For a driver that reports none, the
/// pair is re-derived with the spec from the message key.
///
/// The message key is re-derived with the spec: for a message, `KDF_CK(CKs)` of its
/// sender's state before encrypting; for a successful decryption, from the
/// recipient's state before it and the header, by SPEC §4.6's schedule (a stored
/// skipped key; `CKr` forward from `Nr`; or `KDF_RK(RK, DH(DHs, H.dh))` forward from
/// 0, with one spec X25519). Two decryptions have no re-derived message key: Bob's
/// acceptance, whose key comes from PQXDH and Bob's prekeys, which no recorded state
/// holds (its key is taken to be the key its ratchet message was sealed with, if the
/// run sent it, which it is if the AEAD verified); and a decryption the schedule
/// refuses (a replay on the current chain that decrypted anyway, which [`replay`] and
/// [`authentication`] report).
///
/// # Errors
/// The first key or pair used twice.
pub fn uniqueness(run: &Run) -> Result<(), Violation> {
    let mut sealing: HashMap<[u8; 32], usize> = HashMap::new();
    let mut pairs: HashMap<AeadUse, usize> = HashMap::new();
    let mut by_ratchet: HashMap<Vec<u8>, [u8; 32]> = HashMap::new();
    for sent in &run.sent {
        let derived = StateView::parse(&sent.state_before)
            .and_then(|state| state.cks.as_ref().and_then(|cks| derive(cks, 0)));
        let pair = sent.aead.or_else(|| derived.as_ref().map(pair_of));
        let mut seen = Vec::new();
        if let Some(mk) = derived {
            seen.push((sealing.insert(mk, sent.id), "message key"));
            if let Some(message) = MessageView::parse(&sent.bytes) {
                by_ratchet.insert(message.ratchet, mk);
            }
        }
        if let Some(pair) = pair {
            let what = if sent.aead.is_some() {
                "ChaCha20-Poly1305 (key, nonce) pair (as observed)"
            } else {
                "ChaCha20-Poly1305 (key, nonce) pair"
            };
            seen.push((pairs.insert(pair, sent.id), what));
        }
        for (seen, what) in seen {
            if let Some(other) = seen {
                return Err(violation(
                    UNIQUENESS,
                    sent.step,
                    format!(
                        "message {} ({} at step {}) is sealed with the {what} of message {other} (step {})",
                        sent.id,
                        sent.from.name(),
                        sent.step,
                        run.sent[other].step
                    ),
                ));
            }
        }
    }
    let mut opening: HashMap<[u8; 32], usize> = HashMap::new();
    let mut opening_pairs: HashMap<AeadUse, usize> = HashMap::new();
    for delivery in &run.deliveries {
        if delivery.result.is_err() {
            continue;
        }
        if let Some(pair) = delivery.aead
            && let Some(first) = opening_pairs.insert(pair, delivery.step)
        {
            return Err(violation(
                UNIQUENESS,
                delivery.step,
                format!(
                    "{} with the (key, nonce) pair (as observed) a decryption at step {first} used",
                    describe(delivery)
                ),
            ));
        }
        let Some(message) = MessageView::parse(&delivery.bytes) else {
            continue;
        };
        let key = match views(delivery).0 {
            Some(state) => scheduled_key(&state, &message),
            None => by_ratchet.get(&message.ratchet).copied(),
        };
        let Some(key) = key else {
            continue;
        };
        if let Some(first) = opening.insert(key, delivery.step) {
            return Err(violation(
                UNIQUENESS,
                delivery.step,
                format!(
                    "{} with the message key a decryption at step {first} used",
                    describe(delivery)
                ),
            ));
        }
    }
    Ok(())
}

/// SPEC §4.2: the (key, nonce) pair of message key `mk`.
pub(super) fn pair_of(mk: &[u8; 32]) -> AeadUse {
    let (key, nonce) = message_key_material(&spec::ratchet::MessageKey::from_public_slice(mk));
    AeadUse {
        key: key.to_public_array(),
        nonce: nonce.to_public_array(),
    }
}
