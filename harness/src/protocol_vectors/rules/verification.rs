//! `rules.json`, verification: bundles that decode but must not verify (SPEC §3.3).

use super::*;

/// A verification vector: the bundle must decode ([`SpecSide`]'s `decode_bundle`),
/// and its outcome is [`SpecSide`]'s `verify_bundle`, which must be `want`.
pub(super) fn verification(
    h: &PqxdhVector,
    id: &str,
    description: &str,
    bundle: Vec<u8>,
    want: Result<(), spec::Error>,
) -> Result<VerificationVector, GenerateError> {
    // Every one of them decodes: verification is what is tested.
    SpecSide
        .decode_bundle(&bundle)
        .map_err(refused(format!("{id}: decode")))?;
    let outcome = verdict(SpecSide.verify_bundle(&bundle));
    check_verdict(id, &outcome, want)?;
    Ok(VerificationVector {
        id: id.to_owned(),
        source: "docs/SPEC.md §2 SIG (XEdDSA, \"also rejects s >= q\"; R compared as encoded bytes), §3.3, §8; XEdDSA rev 1 §3".to_owned(),
        description: description.to_owned(),
        handshake: h.id.clone(),
        bundle,
        outcome,
    })
}

/// An XEdDSA signature by `k` over `m` made with the nonce `r = 0`, so `R` is the
/// identity point, written as `r_bytes` (any of its encodings): `s = h a` with
/// `h = SHA-512(r_bytes ‖ A ‖ M) mod q`. The canonical encoding `01 00 .. 00`
/// verifies; any other encoding of the identity cannot, since verification compares
/// `R` with the computed point as bytes.
pub(super) fn identity_nonce_signature(
    k: &spec::x25519::X25519SerializedScalar,
    m: &ByteSeq,
    r_bytes: &[u8; 32],
) -> [u8; 64] {
    use spec::edwards25519::{scalar_from_digest, scalar_to_bytes};
    let (a_point, a) = spec::xeddsa::calculate_key_pair(k);
    let hashed = seq(r_bytes).concat(&a_point).concat(m);
    let h = scalar_from_digest(&spec::sha512::hash(&hashed));
    let s = scalar_to_bytes(h * a).to_public_array();
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(r_bytes);
    out[32..].copy_from_slice(&s);
    out
}

pub(super) fn verification_vectors(
    handshakes: &[PqxdhVector],
) -> Result<Vec<VerificationVector>, GenerateError> {
    use spec::Error::{InvalidKey, InvalidSignature};
    let h = &handshakes[0];
    let v = h;
    let bundle = v.bundle.clone();
    // SPK_sig is bytes 69..133 (s at 101), PQPK_sig bytes 1706..1770 (s at 1738).
    let spk_s_plus_q = add_le(&bundle[101..133], &Q);
    let pqpk_s_plus_q = add_le(&bundle[1738..1770], &Q);

    // Signatures with the identity as R, in three encodings.
    let m_spk = spec::wire::encode_ec(&X25519SerializedPoint::from_public_slice(&v.spk_b));
    let mut identity = [0u8; 32];
    identity[0] = 0x01;
    let mut identity_y_plus_p = P;
    identity_y_plus_p[0] = 0xee;
    let mut identity_negative_zero = identity;
    identity_negative_zero[31] = 0x80;
    let ik_b = scalar(&v.ik_b_private);
    let sig = |r: &[u8; 32]| identity_nonce_signature(&ik_b, &m_spk, r);

    // PQPK_B with its first coefficient 0xFFF >= 3329, signed as if genuine.
    let mut bad_ek = v.pqpk_b.clone();
    bad_ek[0] = 0xff;
    bad_ek[1] |= 0x0f;
    let resigned = SpecSide
        .sign_bundle(&PqxdhVector {
            pqpk_b: bad_ek,
            ..v.clone()
        })
        .map_err(refused("verification: sign the changed PQPK_B"))?
        .bundle;

    Ok(vec![
        verification(
            h,
            "verify_genuine",
            "pqxdh_with_opk's bundle, unchanged: it verifies.",
            bundle.clone(),
            Ok(()),
        )?,
        verification(
            h,
            "verify_spk_sig_s_plus_q",
            "pqxdh_with_opk's bundle with the s of SPK_sig (offset 101) replaced by s + q, still below 2^253: (s + q)B = sB, so only the s >= q check refuses it.",
            with_bytes(&bundle, 101, &spk_s_plus_q),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_pqpk_sig_s_plus_q",
            "pqxdh_with_opk's bundle with the s of PQPK_sig (offset 1738) replaced by s + q.",
            with_bytes(&bundle, 1738, &pqpk_s_plus_q),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_spk_sig_r_identity",
            "pqxdh_with_opk's bundle with SPK_sig replaced by a signature Bob's identity key made with the nonce 0: R = the identity point, canonically 01 00 .. 00, and s = h a. It verifies: the control for the next two.",
            with_bytes(&bundle, 69, &sig(&identity)),
            Ok(()),
        )?,
        verification(
            h,
            "verify_spk_sig_r_identity_y_plus_p",
            "As verify_spk_sig_r_identity, with R written non-canonically as y = 1 + p (ee ff .. ff 7f) and s = h a for that R: the computed point encodes as 01 00 .. 00, which is not R's bytes.",
            with_bytes(&bundle, 69, &sig(&identity_y_plus_p)),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_spk_sig_r_identity_negative_zero",
            "As verify_spk_sig_r_identity, with R written as x = -0 (01 00 .. 00 80, the sign bit set on x = 0) and s = h a for that R.",
            with_bytes(&bundle, 69, &sig(&identity_negative_zero)),
            Err(InvalidSignature),
        )?,
        verification(
            h,
            "verify_pqpk_not_reduced",
            "pqxdh_with_opk's keys with PQPK_B's first coefficient set to 0xfff (>= 3329), signed by Bob as if genuine: the signatures verify and the FIPS 203 §7.2 check refuses the key.",
            resigned.clone(),
            Err(InvalidKey),
        )?,
        verification(
            h,
            "verify_spk_sig_s_plus_q_and_pqpk_not_reduced",
            "verify_pqpk_not_reduced with SPK_sig's s replaced by s + q: the signatures are checked before the key, InvalidSignature.",
            with_bytes(&resigned, 101, &add_le(&resigned[101..133], &Q)),
            Err(InvalidSignature),
        )?,
    ])
}
