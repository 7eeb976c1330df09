//! The `harvest-now-decrypt-later` check.

use super::*;

/// `harvest-now-decrypt-later` (PQXDH rev 2, security considerations on passive quantum adversaries): an
/// adversary that recorded the conversation and later holds every X25519 private key
/// of the run (Alice's and Bob's identity keys, the signed prekey, the one-time
/// prekey, `ek_a`, and every ratchet private key: `r` of the set-up and of every
/// delivery) but not Bob's ML-KEM decapsulation key opens no message.
///
/// The claim, exactly: `SK` depends on `SS`, and every root key, chain key and
/// message key of the session descends from `SK` through `KDF_RK`'s salt, so the
/// adversary derives none of them: not the messages before the first DH ratchet step
/// only, but the whole conversation. It computes DH1 to DH4 with the private keys,
/// tries every guess of [`sk_candidates`] (no `SS`, or a zero one) on Alice's first
/// chain (`KDF_RK(SK, DH(r_a, SPK_B))`), from which every later key descends.
///
/// Not claimed: against an adversary that also copies a session state (a root key),
/// healing is X25519 only: with every ratchet private key, it follows the root chain
/// forward from the copy for ever. Post-compromise security is classical.
///
/// # Errors
/// A guess that opens a message.
pub fn harvest_now_decrypt_later(
    scenario: &Scenario,
    run: &Run,
    _make: Maker<'_>,
) -> Result<(), Violation> {
    match hndl_attack(scenario, run, false) {
        Some((index, opened)) => Err(violation(
            HARVEST_NOW_DECRYPT_LATER,
            None,
            format!(
                "without the ML-KEM key, SK guess {index} (from the X25519 private keys) opens messages {opened:?} of Alice's first chain"
            ),
        )),
        None => Ok(()),
    }
}

/// The quantum adversary's attack (with `with_dk`, also given Bob's decapsulation
/// key, for tests: then it must succeed): the guess index and the messages opened.
#[must_use]
pub fn hndl_attack(scenario: &Scenario, run: &Run, with_dk: bool) -> Option<(usize, Vec<usize>)> {
    let transcript = Transcript::of(run)?;
    let inputs = set_up_inputs(scenario);
    let bundle = &transcript.bundle;
    let ik_a = scalar(&inputs.ik_a);
    let ek_a = scalar(&inputs.ek_a);
    let dh1 = x25519_dh(&ik_a, &bundle.spk_b).ok();
    let dh2 = x25519_dh(&ek_a, &bundle.ik_b).ok();
    let dh3 = x25519_dh(&ek_a, &bundle.spk_b).ok();
    let dh4 = bundle
        .opk
        .and_then(|(id, opk)| (id == OPK_ID).then_some(opk))
        .and_then(|opk| x25519_dh(&ek_a, &opk).ok());
    let ss = if with_dk {
        let (_, dk) = spec::ml_kem::keygen(
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[..32]),
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[32..]),
        );
        spec::ml_kem::decaps(&dk, &transcript.header.ct).ok()
    } else {
        None
    };
    let candidates = sk_candidates(&[dh1, dh2, dh3, dh4], ss.as_ref(), &transcript.th());
    let init_dh = x25519_dh(&scalar(&inputs.r_a), &bundle.spk_b).ok()?;
    first_opening(run, &candidates, &init_dh, &transcript)
}
