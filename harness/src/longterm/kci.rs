//! The `key-compromise-impersonation` check.

use super::*;

/// What the KCI adversary holds of Bob's besides his identity key (for tests: the
/// signed prekey makes the attack succeed, by PQXDH's design).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KciExposure {
    /// Bob's signed prekey too.
    pub signed_prekey: bool,
}

/// `key-compromise-impersonation`: with Bob's identity private key exposed, and his
/// one-time prekey and ML-KEM decapsulation key, the adversary cannot make a PreKey
/// message that Bob (a fresh driver set up with the scenario's keys, holding all his
/// prekeys) accepts with Alice's `IK_A` in its header.
///
/// It knows Alice's public keys only. It picks its own `ek`, `m` and `r`, computes
/// `DH2 = DH(ek, IK_B)`, `DH3 = DH(ek, SPK_B)`, `DH4 = DH(ek, OPK_B)`, `(CT, SS) =
/// ENCAPS(PQPK_B, m)`, and for `DH1` (which needs `ik_a` or `spk_b`) every value it
/// can make with Alice's identity key: `DH(x, IK_A)` for `x` each private key it holds
/// (`ik_b`, `opk_b`, `ek`). Each guess of [`sk_candidates`] starts a ratchet
/// (`AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)`) and seals a message; each message is
/// delivered to Bob. Bob refusing every one is the claim.
///
/// Not claimed: with Bob's signed prekey exposed, `DH1 = DH(spk_b, IK_A)` is in reach
/// and the adversary poses as anyone to Bob (X3DH §4.6: the signed prekey is a
/// medium-term secret; [`kci_attack`] shows it).
///
/// # Errors
/// A forged message Bob accepted.
pub fn key_compromise_impersonation(
    scenario: &Scenario,
    _run: &Run,
    make: Maker<'_>,
) -> Result<(), Violation> {
    match kci_attack(scenario, make, KciExposure::default()) {
        Ok(None) => Ok(()),
        Ok(Some(index)) => Err(violation(
            KEY_COMPROMISE_IMPERSONATION,
            None,
            format!(
                "with Bob's identity key, one-time prekey and PQ prekey, forgery {index} (a PreKey message with Alice's IK_A) was accepted by Bob"
            ),
        )),
        Err(why) => Err(violation(KEY_COMPROMISE_IMPERSONATION, None, why)),
    }
}

/// The KCI adversary at work: the index of the first forgery Bob accepts, if any.
///
/// # Errors
/// A set-up that fails (nothing to check then is a failure too).
pub fn kci_attack(
    scenario: &Scenario,
    make: Maker<'_>,
    exposure: KciExposure,
) -> Result<Option<usize>, String> {
    let inputs = set_up_inputs(scenario);
    let mut bob = make();
    let bundle_bytes = bob
        .set_up(&inputs)
        .map_err(|failure| format!("set-up refused: {failure:?}"))?;
    let bundle = spec::wire::decode_bundle(&ByteSeq::from_public_slice(&bundle_bytes))
        .map_err(|error| format!("bundle does not decode: {error:?}"))?;
    let ik_a = x25519_base(&scalar(&inputs.ik_a));
    let ek = scalar(&adversary_bytes(&scenario.seed, b"kci ek"));
    let m = spec::ml_kem::Seed32::from_public_slice(&adversary_bytes(&scenario.seed, b"kci m"));
    let r = scalar(&adversary_bytes(&scenario.seed, b"kci r"));
    let (ss, ct) =
        spec::ml_kem::encaps(&bundle.pqpk_b, &m).map_err(|error| format!("ENCAPS: {error:?}"))?;
    let header = PreKeyHeader {
        ik_a,
        ek_a: x25519_base(&ek),
        spk_id: SPK_ID,
        pqpk_id: PQPK_ID,
        opk_id: bundle.opk.map(|(id, _)| id),
        ct,
    };
    let th = spec::pqxdh::transcript_hash(&header);
    let mut held: Vec<X25519SerializedScalar> = vec![scalar(&inputs.ik_b), ek];
    if bundle.opk.is_some() {
        held.push(scalar(&inputs.opk_b));
    }
    if exposure.signed_prekey {
        held.push(scalar(&inputs.spk_b));
    }
    let dh2 = x25519_dh(&ek, &bundle.ik_b).ok();
    let dh3 = x25519_dh(&ek, &bundle.spk_b).ok();
    let dh4 = bundle.opk.and_then(|(_, opk)| x25519_dh(&ek, &opk).ok());
    let mut candidates: Vec<SharedKey> = Vec::new();
    for x in &held {
        let dh1 = x25519_dh(x, &ik_a).ok();
        for sk in sk_candidates(&[dh1, dh2, dh3, dh4], Some(&ss), &th) {
            if !candidates.iter().any(|other| other.declassify_eq(&sk)) {
                candidates.push(sk);
            }
        }
    }
    let ad = spec::pqxdh::associated_data(&ik_a, &bundle.ik_b);
    let r_public = x25519_base(&r);
    let init_dh = x25519_dh(&r, &bundle.spk_b).map_err(|error| format!("{error:?}"))?;
    let header_bytes = encode_prekey_header(&header);
    let bob_r = adversary_bytes(&scenario.seed, b"kci bob r");
    for (index, sk) in candidates.iter().enumerate() {
        let state = alice_state(sk, &ad, &r, &r_public, &bundle.spk_b, &init_dh);
        let Some(message) = seal(&state, b"not from alice") else {
            continue;
        };
        let bytes = header_bytes.concat(&message).to_native();
        if bob.decrypt(Party::Bob, &bytes, &bob_r).is_ok() {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// SPEC §4.4 `RatchetInitAlice` with `DH(r, SPK_B)` given (computed once).
pub(super) fn alice_state(
    sk: &SharedKey,
    ad: &ByteSeq,
    r: &X25519SerializedScalar,
    r_public: &X25519SerializedPoint,
    spk_b: &X25519SerializedPoint,
    init_dh: &X25519SerializedPoint,
) -> State {
    let (rk, cks) = kdf_rk(&RootKey::from_seq(sk), init_dh);
    State {
        ad: ad.clone(),
        dhs: *r,
        dhs_public: *r_public,
        dhr: Some(*spk_b),
        rk,
        cks: Some(cks),
        ckr: None,
        ns: 0,
        nr: 0,
        pn: 0,
        skipped: Vec::new(),
        pending_prekey: None,
        prekey_hash: None,
    }
}

/// SPEC §4.5: the first ratchet message of `state`'s sending chain.
pub(super) fn seal(state: &State, plaintext: &[u8]) -> Option<ByteSeq> {
    let cks = state.cks?;
    let (_, mk) = kdf_ck(&cks);
    let header = RatchetHeader {
        dh: state.dhs_public,
        pn: 0,
        n: 0,
    };
    let ciphertext = spec::ratchet::encrypt(
        &mk,
        &ByteSeq::from_public_slice(plaintext),
        &header_ad(&state.ad, &header),
    )
    .ok()?;
    Some(encode_ratchet_message(&RatchetMessage {
        header,
        ciphertext,
    }))
}
