//! `pqxdh.json`: every handshake replayed from its recorded inputs.

use lockstep_vectors::protocol::PqxdhVector;

use super::{PqxdhKeys, Report, VectorSide, derived32, derived64, expect_count};

/// Three handshakes: with an OPK, without one, with a last-resort PQ prekey.
const HANDSHAKES: usize = 3;

/// Checks every handshake of `pqxdh.json` on `side`.
pub fn check_pqxdh<S: VectorSide>(side: &S, vectors: &[PqxdhVector], report: &mut Report) {
    let file = "pqxdh.json";
    expect_count(report, file, "handshakes", vectors.len(), HANDSHAKES);
    if !vectors.iter().any(|v| v.opk.is_some()) {
        report.fail(file, "coverage", "no handshake with a one-time prekey");
    }
    if !vectors.iter().any(|v| v.opk.is_none()) {
        report.fail(file, "coverage", "no handshake without a one-time prekey");
    }
    if !vectors.iter().any(|v| v.pq_last_resort) {
        report.fail(
            file,
            "coverage",
            "no handshake with a last-resort PQ prekey",
        );
    }
    for v in vectors {
        report.counts.handshakes += 1;
        handshake(side, v, report);
    }
}

fn handshake<S: VectorSide>(side: &S, v: &PqxdhVector, f: &mut Report) {
    let id = v.id.as_str();

    // The inputs are the documented label derivations.
    for (field, got, want) in [
        ("ik_a_private", v.ik_a_private, "ik_a"),
        ("ek_a_private", v.ek_a_private, "ek_a"),
        ("m", v.m, "m"),
        ("ik_b_private", v.ik_b_private, "ik_b"),
        ("spk_b_private", v.spk_b_private, "spk_b"),
        ("pqpk_d", v.pqpk_d, "pqpk_d"),
        ("pqpk_z", v.pqpk_z, "pqpk_z"),
    ] {
        f.same(
            id,
            &format!("{field} (label derivation)"),
            &got,
            &derived32(side, id, want),
        );
    }
    f.same(
        id,
        "z_spk (label derivation)",
        &v.z_spk,
        &derived64(side, id, "z_spk"),
    );
    f.same(
        id,
        "z_pqpk (label derivation)",
        &v.z_pqpk,
        &derived64(side, id, "z_pqpk"),
    );
    if let Some(opk) = &v.opk {
        f.same(
            id,
            "opk.private (label derivation)",
            &opk.private,
            &derived32(side, id, "opk"),
        );
    }

    // Public keys and ML-KEM key generation.
    f.same(
        id,
        "ik_a",
        &side.identity_public_key(&v.ik_a_private),
        &v.ik_a,
    );
    f.same(id, "ek_a", &side.public_key(&v.ek_a_private), &v.ek_a);
    f.same(
        id,
        "ik_b",
        &side.identity_public_key(&v.ik_b_private),
        &v.ik_b,
    );
    f.same(id, "spk_b", &side.public_key(&v.spk_b_private), &v.spk_b);
    if let Some(opk) = &v.opk {
        f.same(
            id,
            "opk.public",
            &side.public_key(&opk.private),
            &opk.public,
        );
    }
    let (ek, dk) = side.ml_kem_keygen(&v.pqpk_d, &v.pqpk_z);
    f.same(id, "pqpk_b", &ek, &v.pqpk_b);
    f.same(id, "pqpk_b_private", &dk, &v.pqpk_b_private);

    // Bob's bundle: signed with Z1, Z2 and encoded; decoded and encoded again.
    match side.sign_bundle(v) {
        Ok(signed) => {
            f.same(id, "spk_sig", &signed.spk_sig, &v.spk_sig);
            f.same(id, "pqpk_sig", &signed.pqpk_sig, &v.pqpk_sig);
            f.same(id, "bundle", &signed.bundle, &v.bundle);
            f.same_if_observed(
                id,
                "the recorded bundle decodes to the bundle signed",
                signed.recorded_decodes_to_it,
                true,
            );
        }
        Err(e) => f.fail(id, "bundle", format!("signing refused with {e}")),
    }
    match side.decode_bundle(&v.bundle) {
        Ok(back) => f.same(id, "bundle round trip", &back, &v.bundle),
        Err(e) => f.fail(id, "bundle", format!("does not decode: {e}")),
    }

    // The DH outputs and SS, by the primitives.
    let dh = |private: &[u8; 32], public: &[u8; 32]| side.x25519(private, public);
    for (field, got, want) in [
        ("dh1 (X25519)", dh(&v.ik_a_private, &v.spk_b), v.dh1),
        ("dh2 (X25519)", dh(&v.ek_a_private, &v.ik_b), v.dh2),
        ("dh3 (X25519)", dh(&v.ek_a_private, &v.spk_b), v.dh3),
    ] {
        f.same_value(id, field, got, Ok(want));
    }
    f.same_value(
        id,
        "dh4 (X25519)",
        v.opk
            .as_ref()
            .map(|opk| dh(&opk.private, &v.ek_a))
            .transpose(),
        Ok(v.dh4),
    );
    f.same_value(
        id,
        "ss (decapsulation of ct)",
        side.decapsulate(&v.pqpk_b_private, &v.ct),
        Ok(v.ss),
    );

    // Alice initiates on the recorded bundle; Bob responds to her header. Both must
    // give the recorded values.
    let run = match side.pqxdh(v) {
        Ok(run) => run,
        Err((step, e)) => return f.fail(id, step, format!("refused with {e}")),
    };
    f.same(id, "prekey_header", &run.prekey_header, &v.prekey_header);
    f.same(id, "ct", &run.ct, &v.ct);
    f.same(
        id,
        "th (SHA-256 of the recorded prekey_header)",
        &side.sha256(&v.prekey_header),
        &v.th,
    );
    f.same_value(
        id,
        "prekey header opk_id",
        run.opk_id,
        v.opk.as_ref().map(|o| o.id),
    );
    keys(id, "alice", &run.alice, v, f);
    match &run.bob {
        Ok(bob) => keys(id, "bob", bob, v, f),
        Err(e) => f.fail(id, "respond", format!("refused with {e}")),
    }
    // SK from the recorded intermediates, through the KDF alone.
    f.same_if_observed(
        id,
        "sk (kdf of the recorded DH outputs, SS and TH)",
        side.pqxdh_kdf(v),
        v.sk,
    );
}

/// One party's PQXDH keys against the recorded ones.
fn keys(id: &str, party: &str, keys: &PqxdhKeys, v: &PqxdhVector, f: &mut Report) {
    let what = format!("{id} ({party})");
    f.same_if_observed(&what, "dh1", keys.dh1, v.dh1);
    f.same_if_observed(&what, "dh2", keys.dh2, v.dh2);
    f.same_if_observed(&what, "dh3", keys.dh3, v.dh3);
    f.same_if_observed(&what, "dh4", keys.dh4, v.dh4);
    f.same_if_observed(&what, "ss", keys.ss, v.ss);
    f.same(&what, "sk", &keys.sk, &v.sk);
    f.same(&what, "ad", &keys.ad, &v.ad);
    f.same(&what, "th", &keys.th, &v.th);
}
