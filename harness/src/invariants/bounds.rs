//! Bounds and liveness invariants: key and nonce uniqueness, the skipped-key bounds, and delivery.

use super::*;

/// A clamped scalar, to ask whether a public key is of small order: for every clamped
/// scalar `k` (a multiple of 8 in [2^254, 2^255)), `X25519(k, u)` is all zeros exactly
/// when `u` has order dividing 8 on the curve or 4 on its twist, because `k` is smaller
/// than every large prime-order multiple that could divide it.
pub(super) const ANY_SCALAR: [u8; 32] = [0x5a; 32];

/// Whether `DH(private, dh)` is all zeros (SPEC §2: `NonContributory`).
pub(super) fn non_contributory(private: &[u8; 32], dh: &[u8; 32]) -> bool {
    x25519_dh(
        &X25519SerializedScalar::from_public_slice(private),
        &X25519SerializedPoint::from_public_slice(dh),
    )
    .is_err()
}

/// Why SPEC §4.6 must refuse `message`, delivered to a party in `state` (none: Bob
/// without a session), as `TooManySkipped`, if it must: a `SkipMessageKeys` it reaches
/// would skip more than `MAX_SKIP` keys, and no check SPEC §4.6 makes earlier fails
/// (decoding, the PreKey hash, a stored key, `Duplicate`, and for the new chain's skip,
/// the DH ratchet step's `NonContributory`). Bob without a session is held to it only
/// for a PreKey message whose PreKey header Alice sent (whose key agreement succeeds:
/// he holds all his prekeys, having accepted nothing).
pub(super) fn skip_over_bound(
    run: &Run,
    state: Option<&StateView>,
    message: &MessageView,
) -> Option<String> {
    let over = |nr: u32, until: u32| u64::from(nr) + u64::from(MAX_SKIP) < u64::from(until);
    let Some(state) = state else {
        let header = message.prekey_header.as_ref()?;
        let sent_by_alice = run.sent.iter().any(|sent| {
            sent.from == Party::Alice
                && sent.bytes.get(..PREKEY_HEADER_LEN) == Some(header.as_slice())
        });
        return (sent_by_alice
            && over(0, message.n)
            && !non_contributory(&ANY_SCALAR, &message.dh))
        .then(|| format!("H.n = {} on Bob's first chain", message.n));
    };
    if let Some(header) = &message.prekey_header {
        let hash = spec::sha256::hash(&ByteSeq::from_public_slice(header)).to_public_array();
        if state.prekey_hash != Some(hash) {
            return None;
        }
    }
    if state.holds(&message.dh, message.n).is_some() {
        return None;
    }
    let chain = state.ckr.is_some() && state.dhr.is_some();
    if state.is_current(&message.dh) {
        return (chain && over(state.nr, message.n)).then(|| {
            format!(
                "H.n = {} is more than MAX_SKIP past Nr = {} on the current chain",
                message.n, state.nr
            )
        });
    }
    if chain && over(state.nr, message.pn) {
        return Some(format!(
            "H.pn = {} is more than MAX_SKIP past Nr = {} on the old chain",
            message.pn, state.nr
        ));
    }
    (over(0, message.n) && !non_contributory(&state.dhs, &message.dh))
        .then(|| format!("H.n = {} on a new chain", message.n))
}

/// `bounds`: (1) every state recorded in the run (before every encryption, before and
/// after every delivery, after every event, and every exposed one) is a SPEC §6
/// encoding holding at most `MAX_STORED_SKIPPED_KEYS` skipped keys; (2) every delivery
/// that SPEC §4.6 makes skip more than `MAX_SKIP` message keys in one chain (the old
/// chain up to `H.pn`, or the current or new one up to `H.n`, computed from the
/// recipient's state before and the header; see `skip_over_bound` for the checks that
/// come first) is refused as `TooManySkipped` and leaves the state as it was. No
/// exception.
///
/// # Errors
/// The first state over the limit, or the first such delivery not so refused.
pub fn bounds(run: &Run) -> Result<(), Violation> {
    let mut recorded: Vec<(usize, &str, &[u8])> = Vec::new();
    for sent in &run.sent {
        recorded.push((sent.step, "before an encryption", &sent.state_before));
    }
    for delivery in &run.deliveries {
        for (state, when) in [
            (&delivery.state_before, "before a delivery"),
            (&delivery.state_after, "after a delivery"),
        ] {
            if let Some(state) = state {
                recorded.push((delivery.step, when, state));
            }
        }
    }
    for compromise in &run.compromises {
        for state in &compromise.exposure.states {
            recorded.push((compromise.step, "exposed", state));
        }
    }
    for record in &run.records {
        if let Record::States { step, alice, bob } = record {
            for state in [alice, bob].into_iter().flatten() {
                recorded.push((*step, "after an event", state));
            }
        }
    }
    for (step, when, bytes) in recorded {
        match StateView::parse(bytes) {
            None => {
                return Err(violation(
                    BOUNDS,
                    step,
                    format!("a state {when} is not a SPEC §6 encoding"),
                ));
            }
            Some(state) if state.skipped.len() > MAX_STORED_SKIPPED_KEYS => {
                return Err(violation(
                    BOUNDS,
                    step,
                    format!("a state {when} holds {} skipped keys", state.skipped.len()),
                ));
            }
            Some(_) => {}
        }
    }
    for delivery in &run.deliveries {
        let Some(message) = MessageView::parse(&delivery.bytes) else {
            continue;
        };
        let Some(why) = skip_over_bound(run, views(delivery).0.as_ref(), &message) else {
            continue;
        };
        let refused =
            delivery.result == Err(Failure::Refused(lockstep_spec::Error::TooManySkipped));
        if !refused || delivery.state_before != delivery.state_after {
            return Err(violation(
                BOUNDS,
                delivery.step,
                format!(
                    "{} ({why}){}",
                    describe(delivery),
                    if refused { ", changing its state" } else { "" }
                ),
            ));
        }
    }
    Ok(())
}

/// What became of the key of position `(dh, n)` at `party`, by the deliveries before
/// the one at index `upto`.
pub(super) enum Fate {
    /// No decryption stored it (by SPEC §4.6's schedule).
    NeverStored,
    /// Stored, then evicted: removed by a decryption whose state after holds exactly
    /// `MAX_STORED_SKIPPED_KEYS` keys, with every key stored before it.
    Evicted(usize),
    /// Stored, then gone otherwise.
    Lost(String),
}

/// Whether the successful decryption of `message` from `state` (none: Bob's
/// acceptance) stores the key of `(dh, n)`, by SPEC §4.6's schedule: the positions it
/// skips in the old chain (`Nr..H.pn`, if it makes a DH ratchet step) and in the
/// message's chain (up to `H.n`).
pub(super) fn stores(
    state: Option<&StateView>,
    message: &MessageView,
    dh: &[u8; 32],
    n: u32,
) -> bool {
    let Some(state) = state else {
        return message.dh == *dh && n < message.n;
    };
    if state.holds(&message.dh, message.n).is_some() {
        return false;
    }
    let chain = state.ckr.is_some() && state.dhr.is_some();
    if state.is_current(&message.dh) {
        return chain && message.dh == *dh && state.nr <= n && n < message.n;
    }
    let old = chain && state.is_current(dh) && state.nr <= n && n < message.pn;
    old || (message.dh == *dh && n < message.n)
}

pub(super) fn fate(run: &Run, party: Party, upto: usize, dh: &[u8; 32], n: u32) -> Fate {
    let mut stored = None;
    for delivery in &run.deliveries[..upto] {
        if delivery.to != party || delivery.result.is_err() {
            continue;
        }
        let (Some(message), (before, Some(after))) =
            (MessageView::parse(&delivery.bytes), views(delivery))
        else {
            continue;
        };
        let held_before = before.as_ref().is_some_and(|b| b.holds(dh, n).is_some());
        match stored {
            None if stores(before.as_ref(), &message, dh, n) => stored = Some(delivery.step),
            None => continue,
            Some(at) if !held_before => {
                return Fate::Lost(format!(
                    "stored at step {at}, gone before the delivery at step {} with no decryption removing it",
                    delivery.step
                ));
            }
            Some(_) => {}
        }
        if after.holds(dh, n).is_some() {
            continue;
        }
        if held_before && message.dh == *dh && message.n == n {
            return Fate::Lost(format!(
                "used by the decryption at step {} (of other bytes at the same position)",
                delivery.step
            ));
        }
        // Evicted: the store is full, and every key older than this one is gone.
        let kept: HashSet<&SkippedView> = after.skipped.iter().collect();
        let older = before.as_ref().map_or(&[][..], |b| {
            let at = b.skipped.iter().position(|k| k.dh == *dh && k.n == n);
            &b.skipped[..at.unwrap_or(b.skipped.len())]
        });
        let full = after.skipped.len() == MAX_STORED_SKIPPED_KEYS;
        return if full && older.iter().all(|key| !kept.contains(key)) {
            Fate::Evicted(delivery.step)
        } else {
            Fate::Lost(format!(
                "removed by the decryption at step {}, which leaves {} keys stored",
                delivery.step,
                after.skipped.len()
            ))
        };
    }
    match stored {
        None => Fate::NeverStored,
        Some(at) => Fate::Lost(format!(
            "stored at step {at}, gone with no decryption removing it"
        )),
    }
}

/// Why the genuine first delivery at index `index` of `sent` may be refused, if it
/// may (see [`liveness`]); `Err` when the refusal is the protocol's fault with a reason.
pub(super) fn excuse(
    run: &Run,
    index: usize,
    sent: &SentMessage,
) -> Result<Option<String>, String> {
    let delivery = &run.deliveries[index];
    let Some(message) = MessageView::parse(&sent.bytes) else {
        return Err("the message sent does not decode".to_owned());
    };
    let before = views(delivery).0;
    if let Some(why) = skip_over_bound(run, before.as_ref(), &message) {
        return Ok(Some(why));
    }
    let Some(state) = before else {
        return Ok(None);
    };
    if state.holds(&message.dh, message.n).is_some() {
        return Ok(None);
    }
    match fate(run, delivery.to, index, &message.dh, message.n) {
        Fate::Evicted(step) => Ok(Some(format!("its skipped key was evicted at step {step}"))),
        Fate::Lost(why) => Err(format!("its skipped key was {why}")),
        Fate::NeverStored if state.is_current(&message.dh) && message.n < state.nr => Err(format!(
            "Nr = {} passed H.n = {} without storing its key",
            state.nr, message.n
        )),
        Fate::NeverStored => Ok(None),
    }
}

/// `liveness`: every genuine first delivery of a message to its addressee decrypts to
/// exactly the plaintext sent, if the addressee has a session, or is Bob accepting a
/// PreKey message.
///
/// Exceptions, each read from the recipient's recorded states and the header:
/// - the message is over a bound: SPEC §4.6 must refuse it as `TooManySkipped`
///   ([`bounds`] checks that it does), its old chain (`H.pn`) or its own (`H.n`)
///   needing more than `MAX_SKIP` keys skipped;
/// - its key was evicted: an earlier decryption stored its key (by SPEC §4.6's
///   schedule) and a later one (or the same) removed it while filling the store to
///   exactly `MAX_STORED_SKIPPED_KEYS`, with every key older than it.
///
/// Nothing else is excused. In particular these do not arise in a correct run, and are
/// violations if they do: a key stored and then lost otherwise, or never stored though
/// `Nr` passed its position; a PreKey message Bob's session refuses as
/// `PreKeyMismatch` (Alice's PreKey messages all carry the PreKey header Bob's session
/// was made from; Bob accepts at most once, with every prekey still his); a ratchet
/// message to Bob before he has a session (Alice sends none before she has heard from
/// him); a message from a chain the recipient never reached (the peer makes a new
/// ratchet key only on receiving one from the recipient, which the recipient makes
/// only on reaching the peer's previous chain).
///
/// # Errors
/// The first such delivery refused, or decrypted to another plaintext.
pub fn liveness(run: &Run) -> Result<(), Violation> {
    let mut delivered: HashSet<usize> = HashSet::new();
    for (index, delivery) in run.deliveries.iter().enumerate() {
        let Some(sent) = genuine(run, delivery) else {
            continue;
        };
        if !delivered.insert(sent.id) || delivery.origin != Origin::Genuine {
            continue;
        }
        let reason = match excuse(run, index, sent) {
            Ok(Some(_)) => continue,
            Ok(None) => String::new(),
            Err(why) => format!(" ({why})"),
        };
        match &delivery.result {
            Ok(plaintext) if *plaintext == sent.plaintext => {}
            Ok(_) => {
                return Err(violation(
                    LIVENESS,
                    delivery.step,
                    format!("{}, not to the plaintext sent", describe(delivery)),
                ));
            }
            Err(_) => {
                return Err(violation(
                    LIVENESS,
                    delivery.step,
                    format!("{}{reason}", describe(delivery)),
                ));
            }
        }
    }
    Ok(())
}
