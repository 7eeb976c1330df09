//! `rules.json`, decapsulation keys: FIPS 203 §7.3's checks.

use super::*;

pub(super) fn decapsulation_key_vectors(
    handshakes: &[PqxdhVector],
) -> Result<Vec<DecapsulationKeyVector>, GenerateError> {
    use spec::Error::InvalidKey;
    let v = &handshakes[0];
    // The outcome is [`SpecSide`]'s `decapsulate` of the first handshake's `ct`, as
    // the checker runs it.
    let check = |id: &str, description: &str, dk: Vec<u8>, want: Result<(), spec::Error>| {
        let outcome = verdict(SpecSide.decapsulate(&dk, &v.ct).map(|_| ()));
        check_verdict(id, &outcome, want)?;
        Ok::<_, GenerateError>(DecapsulationKeyVector {
            id: id.to_owned(),
            source:
                "docs/SPEC.md §2 DECAPS (\"the stored ek must pass §7.2\"), §8; FIPS 203 §7.2, §7.3"
                    .to_owned(),
            description: description.to_owned(),
            dk,
            outcome,
        })
    };
    // dk = dk_PKE (1536) ‖ ek (1568, from 1536) ‖ H(ek) (32, from 3104) ‖ z (32).
    let dk = v.pqpk_b_private.clone();
    let mut hash_flipped = dk.clone();
    hash_flipped[3104] ^= 0x01;
    let mut unreduced = dk.clone();
    unreduced[1536] = 0xff;
    unreduced[1537] |= 0x0f;
    let h_ek = spec::sha3::sha3_256(&seq(&unreduced[1536..3104]));
    unreduced[3104..3136].copy_from_slice(&h_ek.to_public_array());
    Ok(vec![
        check(
            "dk_genuine",
            "pqxdh_with_opk's decapsulation key, unchanged: it passes.",
            dk,
            Ok(()),
        )?,
        check(
            "dk_hash_mismatch",
            "pqxdh_with_opk's decapsulation key with the first byte of its stored H(ek) (offset 3104) xor 0x01: the FIPS 203 §7.3 hash check refuses it.",
            hash_flipped,
            Err(InvalidKey),
        )?,
        check(
            "dk_stored_ek_not_reduced",
            "pqxdh_with_opk's decapsulation key with the first coefficient of its stored ek (offset 1536) set to 0xfff (>= 3329) and H(ek) (offset 3104) recomputed: it passes §7.3's hash check, and Lockstep's §7.2 check of the stored ek refuses it.",
            unreduced,
            Err(InvalidKey),
        )?,
    ])
}
