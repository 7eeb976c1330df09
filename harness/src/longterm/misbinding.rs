//! The `identity-misbinding` check.

use super::*;

/// Another canonical encoding of `u` with the same X25519 results: `1/u`, the
/// u-coordinate of `P + T2` for `T2 = (0, 0)` of order 2, kept when `X25519(k, 1/u) =
/// X25519(k, u)` for a clamped `k` and `1/u != u`. (The order-4 and order-8 points of
/// the coset need a square root and are left to the `authentication` invariant's
/// small-order tampering, `model::Tamper::SmallOrder`.)
#[must_use]
pub fn equivalent_encodings(u: &[u8; 32]) -> Vec<[u8; 32]> {
    use spec::field25519::{SerializedFieldElement, from_le_bytes, inv, to_le_bytes};
    let x = from_le_bytes(&SerializedFieldElement::from_public_slice(u));
    let k = [0x5au8; 32];
    let reference = x25519_dalek::x25519(k, *u);
    let bytes = to_le_bytes(inv(x)).to_public_array();
    let equivalent =
        bytes != *u && reference != [0u8; 32] && x25519_dalek::x25519(k, bytes) == reference;
    if equivalent { vec![bytes] } else { Vec::new() }
}

/// The set-up inputs of Carol: Bob's with his keys replaced by hers (all of them, or
/// only the identity key when `keeps_bobs_prekeys`).
pub(super) fn carol_inputs(scenario: &Scenario, keeps_bobs_prekeys: bool) -> SetUpInputs {
    let mut inputs = set_up_inputs(scenario);
    inputs.ik_b = adversary_bytes(&scenario.seed, b"carol ik");
    if !keeps_bobs_prekeys {
        inputs.spk_b = adversary_bytes(&scenario.seed, b"carol spk");
        inputs.opk_b = adversary_bytes(&scenario.seed, b"carol opk");
        let d = adversary_bytes(&scenario.seed, b"carol pq d");
        let z = adversary_bytes(&scenario.seed, b"carol pq z");
        inputs.pq_seed[..32].copy_from_slice(&d);
        inputs.pq_seed[32..].copy_from_slice(&z);
    }
    inputs
}

/// `identity-misbinding` (unknown key share): a PreKey message Alice made for Bob
/// (a fresh driver set up with the scenario's keys, Alice encrypting one message) is
/// not accepted as from Alice by anyone else, and not by Bob as from anyone else:
///
/// - Carol, a third party with a bundle of her own (the same ids, her own keys),
///   refuses it; so does a Carol who holds Bob's prekeys (signed, one-time and PQ:
///   say, stolen from his store) but her own identity key.
/// - Bob refuses it with `IK_A` replaced by another encoding with the same DH results
///   ([`equivalent_encodings`], `1/u`): the identity of another party, Mallory, who
///   registered that key. The same for `EK_A`.
///
/// # Errors
/// The first such delivery accepted.
pub fn identity_misbinding(
    scenario: &Scenario,
    _run: &Run,
    make: Maker<'_>,
) -> Result<(), Violation> {
    let fail = |detail: String| violation(IDENTITY_MISBINDING, None, detail);
    let inputs = set_up_inputs(scenario);
    let mut alice = make();
    alice
        .set_up(&inputs)
        .map_err(|failure| fail(format!("set-up refused: {failure:?}")))?;
    let message = alice
        .encrypt(Party::Alice, b"for bob only")
        .map_err(|failure| fail(format!("Alice cannot encrypt: {failure:?}")))?;
    let r = adversary_bytes(&scenario.seed, b"misbinding r");
    for (keeps, who) in [
        (false, "Carol, with keys of her own,"),
        (
            true,
            "Carol, holding Bob's prekeys with her own identity key,",
        ),
    ] {
        let mut carol = make();
        if carol.set_up(&carol_inputs(scenario, keeps)).is_err() {
            continue;
        }
        if carol.decrypt(Party::Bob, &message, &r).is_ok() {
            return Err(fail(format!(
                "{who} accepted Alice's PreKey message for Bob as from Alice"
            )));
        }
    }
    let mut bob = make();
    bob.set_up(&inputs)
        .map_err(|failure| fail(format!("set-up refused: {failure:?}")))?;
    for (offset, key) in [(2usize, "IK_A"), (34, "EK_A")] {
        let Some(original) = message
            .get(offset..offset + 32)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        else {
            continue;
        };
        for other in equivalent_encodings(&original) {
            let mut forged = message.clone();
            forged[offset..offset + 32].copy_from_slice(&other);
            if bob.decrypt(Party::Bob, &forged, &r).is_ok() {
                return Err(fail(format!(
                    "Bob accepted Alice's PreKey message with {key} re-encoded (another key with the same DH results)"
                )));
            }
        }
    }
    Ok(())
}
