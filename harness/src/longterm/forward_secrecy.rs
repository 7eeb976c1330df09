//! The `long-term-forward-secrecy` check.

use super::*;

/// `long-term-forward-secrecy` (PQXDH rev 2 §4.4 with X3DH §4.5): Bob's whole
/// long-term state, exposed at the end of the run after he accepted Alice's PreKey
/// message, opens none of the messages sent before.
///
/// The adversary holds `ik_b`, `spk_b` (the signed prekey is also Bob's first ratchet
/// key pair), his prekey store as the protocol leaves it (the one-time prekey deleted
/// once used; the PQ prekey's `dk` if it is last-resort, deleted if one-time) and the
/// transcript. It computes `DH1 = DH(SPK_B, IK_A)`, `DH2 = DH(IK_B, EK_A)`, `DH3 =
/// DH(SPK_B, EK_A)`, `SS = DECAPS(dk, CT)` if it holds `dk`, tries every guess of
/// [`sk_candidates`], and, with `DH(SPK_B, R_A)` for `R_A` Alice's first ratchet
/// public key, Alice's first chain.
///
/// The claim is made only when a one-time key was used: a one-time prekey (DH4 is then
/// out of reach), or a one-time PQ prekey (SS is). Without either (no `OPK_B`, a
/// last-resort `PQPK_B`) the adversary derives `SK` and reads Alice's first chain:
/// PQXDH promises nothing more there (X3DH §4.5: forward secrecy of the first messages
/// rests on the one-time prekey, or on rotating the signed prekey). Nor is the claim
/// made when Bob did not accept: his one-time keys are then still in his store.
///
/// # Errors
/// A guess that opens a message.
pub fn long_term_forward_secrecy(
    scenario: &Scenario,
    run: &Run,
    _make: Maker<'_>,
) -> Result<(), Violation> {
    let set_up = scenario.set_up;
    if !set_up.opk && set_up.pq_last_resort {
        return Ok(());
    }
    let Some(accepted) = bob_accepted(run) else {
        return Ok(());
    };
    let Some(transcript) = Transcript::of(run) else {
        return Ok(());
    };
    match long_term_exposure(scenario, run, &transcript, Exposed::default()) {
        Some((index, opened)) => Err(violation(
            LONG_TERM_FORWARD_SECRECY,
            Some(accepted),
            format!(
                "with Bob's identity key, signed prekey and store (after acceptance at step {accepted}), SK guess {index} opens messages {opened:?} of Alice's first chain"
            ),
        )),
        None => Ok(()),
    }
}

/// What, beyond the protocol's rules, a long-term exposure gives (for tests: to show
/// the attack opens messages when the deleted keys are given back).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exposed {
    /// The one-time prekey, though it was deleted.
    pub deleted_opk: bool,
    /// The PQ prekey, though it was one-time and deleted.
    pub deleted_pqpk: bool,
}

/// The long-term adversary's attack: the guess index and the messages it opens.
#[must_use]
pub(super) fn long_term_exposure(
    scenario: &Scenario,
    run: &Run,
    transcript: &Transcript,
    extra: Exposed,
) -> Option<(usize, Vec<usize>)> {
    let inputs = set_up_inputs(scenario);
    let ik_b = scalar(&inputs.ik_b);
    let spk_b = scalar(&inputs.spk_b);
    let header = &transcript.header;
    let dh1 = x25519_dh(&spk_b, &header.ik_a).ok();
    let dh2 = x25519_dh(&ik_b, &header.ek_a).ok();
    let dh3 = x25519_dh(&spk_b, &header.ek_a).ok();
    let opk_held = scenario.set_up.opk && extra.deleted_opk;
    let dh4 = if opk_held {
        x25519_dh(&scalar(&inputs.opk_b), &header.ek_a).ok()
    } else {
        None
    };
    let dk_held = scenario.set_up.pq_last_resort || extra.deleted_pqpk;
    let ss = if dk_held {
        let (_, dk) = spec::ml_kem::keygen(
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[..32]),
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[32..]),
        );
        spec::ml_kem::decaps(&dk, &header.ct).ok()
    } else {
        None
    };
    let candidates = sk_candidates(&[dh1, dh2, dh3, dh4], ss.as_ref(), &transcript.th());
    let init_dh = x25519_dh(&spk_b, &point(&transcript.alice_first_dh)).ok()?;
    first_opening(run, &candidates, &init_dh, transcript)
}

/// [`long_term_forward_secrecy`]'s attack with keys the protocol deletes given back
/// (`extra`), so that tests can show the attack works when the claim does not apply:
/// the guess index and the messages opened, if any.
#[must_use]
pub fn long_term_attack(
    scenario: &Scenario,
    run: &Run,
    extra: Exposed,
) -> Option<(usize, Vec<usize>)> {
    let transcript = Transcript::of(run)?;
    long_term_exposure(scenario, run, &transcript, extra)
}
