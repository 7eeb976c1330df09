//! Confidentiality invariants: forward secrecy, post-compromise security, and what the adversary can decrypt.

use super::*;

/// `forward-secrecy`: a compromise of party P at step t reveals none of the messages P
/// sent before t, and none of the messages P decrypted before t.
///
/// "Reveals" is against [`crate::adversary`]: the adversary of that one compromise
/// (its exposure, and every byte on the network) opens none of those messages with
/// any of its attacks, tracking included. Each compromise is judged alone: what a
/// second compromise adds is that one's business.
///
/// The one exception is a message sent to P that P had not yet decrypted at t,
/// whether it was in flight, dropped or skipped over: P holds its key (a stored
/// skipped key, or its receiving chain), and must, to decrypt it later. Such a message
/// is simply not among those checked.
///
/// # Errors
/// The first compromise whose adversary opens such a message.
pub fn forward_secrecy(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let (party, step) = (compromise.party, compromise.step);
        let mut targets = BTreeSet::new();
        for sent in &run.sent {
            if sent.from == party && sent.step < step {
                targets.insert(sent.id);
            }
        }
        for delivery in &run.deliveries {
            let received = delivery.to == party && delivery.step < step && delivery.result.is_ok();
            if let Some(sent) = genuine(run, delivery).filter(|_| received) {
                targets.insert(sent.id);
            }
        }
        if targets.is_empty() {
            continue;
        }
        let knowledge = adversary::attack(run, compromise, &targets);
        for (&id, decryption) in &knowledge.decrypted {
            if targets.contains(&id) {
                let sent = &run.sent[id];
                let how = if sent.from == party {
                    "sent"
                } else {
                    "decrypted"
                };
                return Err(violation(
                    FORWARD_SECRECY,
                    step,
                    format!(
                        "{} {}, which {} had {how} before it",
                        adversary_name(compromise),
                        opened(id, sent, decryption),
                        party.name()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The step at which the party of `compromise` completes its first DH ratchet round
/// trip after it, as [`post_compromise_security_after_round_trip`] defines it; none if
/// it does not.
#[must_use]
pub fn round_trip_completion(run: &Run, compromise: &Compromise) -> Option<usize> {
    round_trip(run, compromise.party, compromise.step).map(|(step, _)| step)
}

/// The step at which `party`, compromised at step `after`, completes a DH ratchet
/// round trip (see [`post_compromise_security_after_round_trip`]), and its description.
pub(super) fn round_trip(run: &Run, party: Party, after: usize) -> Option<(usize, String)> {
    let steps_of = |to: Party, from_step: usize| {
        run.deliveries
            .iter()
            .filter(move |d| d.to == to && d.step > from_step)
            .filter_map(|d| dh_step(d).map(|(key, dh)| (d.step, key, dh)))
    };
    // The first message `from` sends after `from_step` with ratchet private key `key`:
    // its step and `H.dh`, the key's public half.
    let first_send = |from: Party, from_step: usize, key: [u8; 32]| {
        run.sent.iter().find_map(|sent| {
            let mine = sent.from == from
                && sent.step > from_step
                && StateView::parse(&sent.state_before).is_some_and(|s| s.dhs == key);
            if !mine {
                return None;
            }
            MessageView::parse(&sent.bytes).map(|message| (sent.step, message.dh))
        })
    };
    let peer = party.peer();
    let mut best: Option<(usize, String)> = None;
    for (s1, x1, _) in steps_of(party, after) {
        let Some((s2, x1_public)) = first_send(party, s1, x1) else {
            continue;
        };
        let Some((s3, y2, _)) = steps_of(peer, s2).find(|(_, _, dh)| *dh == x1_public) else {
            continue;
        };
        let Some((s4, y2_public)) = first_send(peer, s3, y2) else {
            continue;
        };
        let Some((h, _, _)) = steps_of(party, s4).find(|(_, _, dh)| *dh == y2_public) else {
            continue;
        };
        if best.as_ref().is_none_or(|(best, _)| h < *best) {
            best = Some((
                h,
                format!(
                    "{p} stepped to a new key at step {s1}, sent under it at step {s2}; \
                     {q} stepped on it at step {s3}, sent under its new key at step {s4}; \
                     {p} stepped on that at step {h}",
                    p = party.name(),
                    q = peer.name()
                ),
            ));
        }
    }
    best
}

/// When the sealing chains of a compromise's messages stop being derivable: the step
/// `s1` of the compromised party P's first DH ratchet step after the compromise, and
/// the step `s3` of the peer Q's first DH ratchet step after `s1` on a ratchet key P
/// sent under after `s1` (none if Q makes none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Healing {
    /// P's first DH ratchet step after the compromise: P's sending chains from here on
    /// come from a fresh ratchet key.
    pub party_steps: usize,
    /// Q's first DH ratchet step on such a fresh key of P's: Q's sending chains from
    /// here on are derived from a root key the adversary cannot compute.
    pub peer_steps: Option<usize>,
}

/// The [`Healing`] of `compromise`, as [`post_compromise_security`] defines it; none
/// if P makes no DH ratchet step after it.
#[must_use]
pub fn healing(run: &Run, compromise: &Compromise) -> Option<Healing> {
    let (party, after) = (compromise.party, compromise.step);
    let steps_of = |to: Party, from_step: usize| {
        run.deliveries
            .iter()
            .filter(move |d| d.to == to && d.step > from_step)
            .filter_map(|d| dh_step(d).map(|(_, dh)| (d.step, dh)))
    };
    let (s1, _) = steps_of(party, after).next()?;
    let fresh: HashSet<[u8; 32]> = run
        .sent
        .iter()
        .filter(|sent| sent.from == party && sent.step > s1)
        .filter_map(|sent| MessageView::parse(&sent.bytes).map(|message| message.dh))
        .collect();
    let s3 = steps_of(party.peer(), s1)
        .find(|(_, dh)| fresh.contains(dh))
        .map(|(step, _)| step);
    Some(Healing {
        party_steps: s1,
        peer_steps: s3,
    })
}

/// `post-compromise-security`: after a compromise of party P at step t, secrecy
/// returns with the first chain sent under a fresh ratchet key: the adversary reveals
/// none of the messages P sends after its first DH ratchet step after t (step `s1`),
/// and none of the messages the peer Q sends after its first DH ratchet step (step
/// `s3 > s1`) on a ratchet key P sent under after `s1`.
///
/// The steps are read from the recorded states and headers (SPEC §4.6: a successful
/// decryption makes a DH ratchet step when its `H.dh` is not the recipient's `DHr`
/// and no stored key answers it; see [`healing`]). At `s1`, SPEC §4.6's `DHRatchet`
/// draws P a new ratchet key pair `x1` from fresh randomness, and P's sending chain
/// from then on is `KDF_RK(RK', DH(x1, Y))`: the adversary, who knows `RK'` from the
/// copied state and `Y` from the wire, knows neither `x1` nor `y`. Q's chains after
/// `s3` come from a root key into which `DH(y, X1)` has been mixed. So a bug that
/// delays healing by a step (the first new key not fresh) is seen at once, where a
/// check that waits for a full round trip
/// ([`post_compromise_security_after_round_trip`]) does not see it. Messages Q sends
/// after `s1` on its current chain, which P's copied state can derive, are not
/// targets.
///
/// "Reveals" is against [`crate::adversary`], whose tracking (d) follows P through
/// every delivery after t, with any ratchet key the exposure names
/// ([`crate::driver::Exposure::future_ratchet_keys`]) or its guess that P reused its
/// key; both directions of traffic are attacked, and each compromise is judged
/// alone. The adversary is passive towards these chains: it forges no message to P
/// under a ratchet key of its own (which, holding P's state, it could, and then no
/// healing follows). A compromise after which P makes no DH ratchet step claims
/// nothing.
///
/// # Errors
/// The first compromise whose adversary opens such a message.
pub fn post_compromise_security(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let Some(healed) = healing(run, compromise) else {
            continue;
        };
        let party = compromise.party;
        let targets: BTreeSet<usize> = run
            .sent
            .iter()
            .filter(|sent| {
                if sent.from == party {
                    sent.step > healed.party_steps
                } else {
                    healed.peer_steps.is_some_and(|s3| sent.step > s3)
                }
            })
            .map(|sent| sent.id)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let knowledge = adversary::attack(run, compromise, &targets);
        for (&id, decryption) in &knowledge.decrypted {
            if targets.contains(&id) {
                let sent = &run.sent[id];
                let after = if sent.from == party {
                    format!(
                        "{}'s first DH ratchet step after it, at step {}",
                        party.name(),
                        healed.party_steps
                    )
                } else {
                    format!(
                        "{}'s DH ratchet step at step {} on a fresh key of {}'s",
                        sent.from.name(),
                        healed.peer_steps.unwrap_or_default(),
                        party.name()
                    )
                };
                return Err(violation(
                    POST_COMPROMISE_SECURITY,
                    sent.step,
                    format!(
                        "{} {}, sent after {after}",
                        adversary_name(compromise),
                        opened(id, sent, decryption),
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The post-compromise check as it was before it started from the first fresh key:
/// once P completes a DH ratchet round trip (see [`round_trip_completion`]), the
/// adversary reveals no message sent after it. Weaker than
/// [`post_compromise_security`] (its targets are a subset); kept to show what the
/// stronger check adds (`harness/tests/invariants.rs`). Not among [`all`].
///
/// The round trip, read from the recorded states and headers: (1) after t, P makes a
/// DH ratchet step, getting a new key pair `x1`; (2) later P sends under `x1`; (3)
/// later Q makes a DH ratchet step on `X1`, getting `y2`; (4) later Q sends under
/// `y2`; (5) later, at step h, P makes a DH ratchet step on `Y2`. The targets are the
/// messages sent after h.
///
/// # Errors
/// The first compromise whose adversary opens a message sent after the round trip.
pub fn post_compromise_security_after_round_trip(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let Some((healed, how)) = round_trip(run, compromise.party, compromise.step) else {
            continue;
        };
        let targets: BTreeSet<usize> = run
            .sent
            .iter()
            .filter(|sent| sent.step > healed)
            .map(|sent| sent.id)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let knowledge = adversary::attack(run, compromise, &targets);
        for (&id, decryption) in &knowledge.decrypted {
            if targets.contains(&id) {
                let sent = &run.sent[id];
                return Err(violation(
                    POST_COMPROMISE_SECURITY,
                    sent.step,
                    format!(
                        "{} {}, sent after the round trip completed at step {healed} ({how})",
                        adversary_name(compromise),
                        opened(id, sent, decryption),
                    ),
                ));
            }
        }
    }
    Ok(())
}
