//! `pqxdh.json`: the handshakes, run by the spec with every intermediate value recorded.

use super::*;

pub(super) struct HandshakeSpec {
    pub(super) id: &'static str,
    pub(super) description: &'static str,
    pub(super) spk_id: u32,
    pub(super) pqpk_id: u32,
    pub(super) pq_last_resort: bool,
    pub(super) opk_id: Option<u32>,
}

/// A handshake's vector, with the spec values the conversations built on it need.
pub(super) struct Handshake {
    pub(super) vector: PqxdhVector,
    pub(super) verified: VerifiedPreKeyBundle,
    pub(super) ik_a: X25519SerializedScalar,
    pub(super) ek_a: X25519SerializedScalar,
    pub(super) m: Seed32,
    pub(super) ik_b: X25519SerializedScalar,
    pub(super) spk_b: X25519SerializedScalar,
    pub(super) dk: DecapsulationKey,
    pub(super) opk: Option<X25519SerializedScalar>,
}

pub(super) fn handshake(h: &HandshakeSpec) -> Result<Handshake, GenerateError> {
    let id = h.id;
    let ik_a_private = derive32(id, "ik_a");
    let ek_a_private = derive32(id, "ek_a");
    let m = derive32(id, "m");
    let ik_b_private = derive32(id, "ik_b");
    let spk_b_private = derive32(id, "spk_b");
    let pqpk_d = derive32(id, "pqpk_d");
    let pqpk_z = derive32(id, "pqpk_z");
    let z_spk = derive64(id, "z_spk");
    let z_pqpk = derive64(id, "z_pqpk");

    let (ik_a, ek_a, ik_b, spk_b) = (
        scalar(&ik_a_private),
        scalar(&ek_a_private),
        scalar(&ik_b_private),
        scalar(&spk_b_private),
    );
    let (ek, dk) = spec::ml_kem::keygen(
        &Seed32::from_public_slice(&pqpk_d),
        &Seed32::from_public_slice(&pqpk_z),
    );
    let opk = h.opk_id.map(|opk_id| {
        let private = derive32(id, "opk");
        let public = x25519_base(&scalar(&private)).to_public_array();
        OneTimePreKey {
            id: opk_id,
            private,
            public,
        }
    });
    let opk_b = opk.as_ref().map(|opk| scalar(&opk.private));

    // Bob signs and encodes his bundle; Alice decodes and verifies it.
    let bundle = spec::pqxdh::sign_bundle(
        &ik_b,
        h.spk_id,
        &x25519_base(&spk_b),
        h.pqpk_id,
        h.pq_last_resort,
        &ek,
        opk.as_ref().map(|opk| {
            (
                opk.id,
                spec::x25519::X25519SerializedPoint::from_public_slice(&opk.public),
            )
        }),
        &XEdDSARandom::from_public_slice(&z_spk),
        &XEdDSARandom::from_public_slice(&z_pqpk),
    );
    let bundle_bytes = spec::wire::encode_bundle(&bundle);
    let decoded =
        spec::wire::decode_bundle(&bundle_bytes).map_err(spec_error(format!("{id}: decode")))?;
    let verified =
        spec::pqxdh::verify_bundle(&decoded).map_err(spec_error(format!("{id}: verify")))?;

    // Alice's side, then Bob's, which must agree.
    let m_seed = Seed32::from_public_slice(&m);
    let (keys, header) = spec::pqxdh::initiate(&ik_a, &verified, &ek_a, &m_seed)
        .map_err(spec_error(format!("{id}: initiate")))?;
    let bob = spec::pqxdh::respond(&ik_b, &spk_b, &dk, opk_b.as_ref(), &header)
        .map_err(spec_error(format!("{id}: respond")))?;
    let same = bob.sk.declassify_eq(&keys.sk)
        && bob.ss.declassify_eq(&keys.ss)
        && native(&bob.ad) == native(&keys.ad)
        && bob.dh1.declassify_eq(&keys.dh1)
        && bob.dh2.declassify_eq(&keys.dh2)
        && bob.dh3.declassify_eq(&keys.dh3)
        && bob.dh4.map(|d| d.to_public_array()) == keys.dh4.map(|d| d.to_public_array())
        && bob.th.declassify_eq(&keys.th);
    if !same {
        return Err(unexpected(format!("{id}: Bob's keys differ from Alice's")));
    }

    let vector = PqxdhVector {
        id: id.to_owned(),
        source: "docs/SPEC.md §3.2-§3.5, §5.2; PQXDH rev 2 §3.2-§3.4".to_owned(),
        description: h.description.to_owned(),
        ik_a_private,
        ik_a: x25519_base(&ik_a).to_public_array(),
        ek_a_private,
        ek_a: header.ek_a.to_public_array(),
        m,
        ik_b_private,
        ik_b: bundle.ik_b.to_public_array(),
        spk_id: h.spk_id,
        spk_b_private,
        spk_b: bundle.spk_b.to_public_array(),
        pqpk_id: h.pqpk_id,
        pq_last_resort: h.pq_last_resort,
        pqpk_d,
        pqpk_z,
        pqpk_b: ek.to_public_array().to_vec(),
        pqpk_b_private: dk.to_public_array().to_vec(),
        opk,
        z_spk,
        z_pqpk,
        spk_sig: bundle.spk_sig.to_public_array(),
        pqpk_sig: bundle.pqpk_sig.to_public_array(),
        bundle: native(&bundle_bytes),
        dh1: keys.dh1.to_public_array(),
        dh2: keys.dh2.to_public_array(),
        dh3: keys.dh3.to_public_array(),
        dh4: keys.dh4.map(|d| d.to_public_array()),
        ss: keys.ss.to_public_array(),
        ct: header.ct.to_public_array().to_vec(),
        sk: keys.sk.to_public_array(),
        ad: native(&keys.ad)
            .try_into()
            .map_err(|_| unexpected(format!("{id}: AD is not 66 bytes")))?,
        prekey_header: native(&spec::wire::encode_prekey_header(&header)),
        th: keys.th.to_public_array(),
    };
    if spec::sha256::hash(&spec::wire::encode_prekey_header(&header)).to_public_array() != vector.th
    {
        return Err(unexpected(format!(
            "{id}: TH is not SHA-256(PreKey header)"
        )));
    }
    Ok(Handshake {
        vector,
        verified,
        ik_a,
        ek_a,
        m: m_seed,
        ik_b,
        spk_b,
        dk,
        opk: opk_b,
    })
}
