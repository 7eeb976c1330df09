//! `pqxdh.json`: the handshakes, run on the checker's [`SpecSide`] with every
//! intermediate value recorded.

use super::*;

pub(super) struct HandshakeSpec {
    pub(super) id: &'static str,
    pub(super) description: &'static str,
    pub(super) spk_id: u32,
    pub(super) pqpk_id: u32,
    pub(super) pq_last_resort: bool,
    pub(super) opk_id: Option<u32>,
}

/// A value the spec observes, or the generator's refusal.
fn observed<T>(value: Option<T>, what: String) -> Result<T, GenerateError> {
    value.ok_or_else(|| unexpected(format!("{what}: not observed by the spec")))
}

/// A byte string of the length the vector records, or the generator's refusal.
fn fixed<const N: usize>(bytes: &[u8], what: String) -> Result<[u8; N], GenerateError> {
    bytes
        .try_into()
        .map_err(|_| unexpected(format!("{what} is not {N} bytes")))
}

/// Handshake `h`: its inputs derived from labels, then Bob's bundle signed and
/// Alice's and Bob's PQXDH run by [`SpecSide`] (`sign_bundle`, `pqxdh`), the same
/// calls the checker replays.
pub(super) fn handshake(h: &HandshakeSpec) -> Result<PqxdhVector, GenerateError> {
    let side = SpecSide;
    let id = h.id;
    let derive32 = |name: &str| derived32(&side, id, name);
    let ik_a_private = derive32("ik_a");
    let ek_a_private = derive32("ek_a");
    let ik_b_private = derive32("ik_b");
    let spk_b_private = derive32("spk_b");
    let (pqpk_d, pqpk_z) = (derive32("pqpk_d"), derive32("pqpk_z"));
    let (pqpk_b, pqpk_b_private) = side.ml_kem_keygen(&pqpk_d, &pqpk_z);
    let opk = h.opk_id.map(|opk_id| {
        let private = derive32("opk");
        OneTimePreKey {
            id: opk_id,
            private,
            public: side.public_key(&private),
        }
    });

    // The inputs; the outputs are filled in from what the spec gives below.
    let inputs = PqxdhVector {
        id: id.to_owned(),
        source: "docs/SPEC.md §3.2-§3.5, §5.2; PQXDH rev 2 §3.2-§3.4".to_owned(),
        description: h.description.to_owned(),
        ik_a_private,
        ik_a: side.identity_public_key(&ik_a_private),
        ek_a_private,
        ek_a: side.public_key(&ek_a_private),
        m: derive32("m"),
        ik_b_private,
        ik_b: side.identity_public_key(&ik_b_private),
        spk_id: h.spk_id,
        spk_b_private,
        spk_b: side.public_key(&spk_b_private),
        pqpk_id: h.pqpk_id,
        pq_last_resort: h.pq_last_resort,
        pqpk_d,
        pqpk_z,
        pqpk_b,
        pqpk_b_private,
        opk,
        z_spk: derived64(&side, id, "z_spk"),
        z_pqpk: derived64(&side, id, "z_pqpk"),
        spk_sig: [0; 64],
        pqpk_sig: [0; 64],
        bundle: Vec::new(),
        dh1: [0; 32],
        dh2: [0; 32],
        dh3: [0; 32],
        dh4: None,
        ss: [0; 32],
        ct: Vec::new(),
        sk: [0; 32],
        ad: [0; 66],
        prekey_header: Vec::new(),
        th: [0; 32],
    };

    // Bob signs and encodes his bundle.
    let signed = side
        .sign_bundle(&inputs)
        .map_err(refused(format!("{id}: sign_bundle")))?;
    let signed = PqxdhVector {
        spk_sig: fixed(&signed.spk_sig, format!("{id}: SPK_sig"))?,
        pqpk_sig: fixed(&signed.pqpk_sig, format!("{id}: PQPK_sig"))?,
        bundle: signed.bundle,
        ..inputs
    };

    // Alice decodes and verifies it and initiates; Bob responds. They must agree.
    let run = side
        .pqxdh(&signed)
        .map_err(|(step, refusal)| GenerateError::Refused {
            what: format!("{id}: {step}"),
            refusal,
        })?;
    let alice = run.alice;
    match &run.bob {
        Ok(bob) if *bob == alice => {}
        Ok(_) => return Err(unexpected(format!("{id}: Bob's keys differ from Alice's"))),
        Err(e) => return Err(refused(format!("{id}: respond"))(e)),
    }
    if run.opk_id != signed.opk.as_ref().map(|opk| opk.id) {
        return Err(unexpected(format!(
            "{id}: the PreKey header's opk_id is not the bundle's"
        )));
    }
    if side.sha256(&run.prekey_header) != alice.th {
        return Err(unexpected(format!(
            "{id}: TH is not SHA-256(PreKey header)"
        )));
    }
    Ok(PqxdhVector {
        dh1: observed(alice.dh1, format!("{id}: DH1"))?,
        dh2: observed(alice.dh2, format!("{id}: DH2"))?,
        dh3: observed(alice.dh3, format!("{id}: DH3"))?,
        dh4: observed(alice.dh4, format!("{id}: DH4"))?,
        ss: observed(alice.ss, format!("{id}: SS"))?,
        ct: run.ct,
        sk: alice.sk,
        ad: fixed(&alice.ad, format!("{id}: AD"))?,
        prekey_header: run.prekey_header,
        th: alice.th,
        ..signed
    })
}
