//! The spec side of each interpreted function: what `lockstep-spec` computes on the same bytes.

use super::*;

/// A check of the model's value of a function against the spec's.
pub(super) type SpecCheck = Box<dyn Fn(&Value) -> Result<(), String>>;

/// Test inputs and the spec's result for one contract function: the arguments, and
/// a check of the model's value against the spec.
pub(super) struct Case {
    /// The arguments, one byte string per parameter.
    pub(super) args: Vec<Vec<u8>>,
    /// The check of the model's value.
    pub(super) spec: SpecCheck,
}

/// `Ok` if `got` is `want`, else both in hex.
pub(super) fn same(got: &[u8], want: &[u8], what: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: the model gives {} ({} bytes), the spec {} ({} bytes)",
            to_hex(got),
            got.len(),
            to_hex(want),
            want.len()
        ))
    }
}

/// The cases of the contract function `name`.
#[allow(
    clippy::too_many_lines,
    reason = "one case per function of the contract, each short"
)]
pub(super) fn cases(name: &str) -> Vec<Case> {
    let g = |tag: u8| test_bytes(tag, 32);
    match name {
        "KDF_SK_OPK" | "KDF_SK_NO_OPK" => {
            let with_opk = name == "KDF_SK_OPK";
            let (dh1, dh2, dh3, dh4, ss, th) = (g(11), g(12), g(13), g(14), g(15), g(16));
            let sk = pqxdh::kdf(
                &point(&dh1),
                &point(&dh2),
                &point(&dh3),
                with_opk.then(|| point(&dh4)).as_ref(),
                &SharedSecret::from_public_slice(&ss),
                &Sha256Digest::from_public_slice(&th),
            )
            .to_public_array()
            .to_vec();
            let args = if with_opk {
                vec![dh1, dh2, dh3, dh4, ss, th]
            } else {
                vec![dh1, dh2, dh3, ss, th]
            };
            vec![Case {
                args,
                spec: Box::new(move |v| same(&v.bytes(), &sk, "SK (pqxdh::kdf)")),
            }]
        }
        "EncodeEC" => {
            let pk = g(21);
            let want = unseq(&wire::encode_ec(&point(&pk)));
            vec![Case {
                args: vec![pk],
                spec: Box::new(move |v| same(&v.bytes(), &want, "wire::encode_ec")),
            }]
        }
        "EncodeKEM" => {
            let ek = test_bytes(22, ML_KEM_1024_LEN);
            let want = unseq(&wire::encode_kem(&EncapsulationKey::from_public_slice(&ek)));
            vec![Case {
                args: vec![ek],
                spec: Box::new(move |v| same(&v.bytes(), &want, "wire::encode_kem")),
            }]
        }
        "AD_OF" => {
            let (ika, ikb) = (g(31), g(32));
            let want = unseq(&pqxdh::associated_data(&point(&ika), &point(&ikb)));
            vec![Case {
                args: vec![ika, ikb],
                spec: Box::new(move |v| same(&v.bytes(), &want, "pqxdh::associated_data")),
            }]
        }
        "TH_OF" => {
            let header = PreKeyHeader {
                ik_a: point(&g(41)),
                ek_a: point(&g(42)),
                spk_id: 0x0102_0304,
                pqpk_id: 0x0506_0708,
                opk_id: Some(0x090A_0B0C),
                ct: Ciphertext::from_public_slice(&test_bytes(43, ML_KEM_1024_LEN)),
            };
            let want = pqxdh::transcript_hash(&header).to_public_array().to_vec();
            vec![Case {
                args: vec![unseq(&encode_prekey_header(&header))],
                spec: Box::new(move |v| same(&v.bytes(), &want, "pqxdh::transcript_hash")),
            }]
        }
        "KDF_RK" => {
            let (rk, dh) = (g(51), g(52));
            let (new_rk, ck) = ratchet::kdf_rk(&RootKey::from_public_slice(&rk), &point(&dh));
            let mut want = new_rk.to_public_array().to_vec();
            want.extend(ck.to_public_array());
            vec![Case {
                args: vec![rk, dh],
                spec: Box::new(move |v| same(&v.bytes(), &want, "(new RK, CK) of ratchet::kdf_rk")),
            }]
        }
        "KDF_CK" => {
            let ck = g(61);
            let (next, mk) = ratchet::kdf_ck(&ChainKey::from_public_slice(&ck));
            let mut want = next.to_public_array().to_vec();
            want.extend(mk.to_public_array());
            vec![Case {
                args: vec![ck],
                spec: Box::new(move |v| {
                    same(&v.bytes(), &want, "(next CK, MK) of ratchet::kdf_ck")
                }),
            }]
        }
        "MESSAGE_KEYS" => {
            let mk = g(71);
            let (key, nonce) = ratchet::message_key_material(&MessageKey::from_public_slice(&mk));
            let (key, nonce) = (
                key.to_public_array().to_vec(),
                nonce.to_public_array().to_vec(),
            );
            vec![Case {
                args: vec![mk],
                spec: Box::new(move |v| match v {
                    Value::Okm(okm) => {
                        same(
                            &okm[..32],
                            &key,
                            "key = bytes 0..32 of ratchet::message_key_material",
                        )?;
                        same(
                            &okm[32..44],
                            &nonce,
                            "nonce = bytes 32..44 of ratchet::message_key_material",
                        )
                    }
                    Value::Bytes(_) => Err("MESSAGE_KEYS is not an HKDF output".to_owned()),
                }),
            }]
        }
        "RATCHET_HEADER" => {
            let header = RatchetHeader {
                dh: point(&g(81)),
                pn: 0x1122_3344,
                n: 0x5566_7788,
            };
            let want = unseq(&encode_ratchet_header(&header));
            vec![Case {
                args: vec![
                    g(81),
                    header.pn.to_be_bytes().to_vec(),
                    header.n.to_be_bytes().to_vec(),
                ],
                spec: Box::new(move |v| same(&v.bytes(), &want, "wire::encode_ratchet_header")),
            }]
        }
        "PREKEY_HEADER" => {
            let consts = spec_constants();
            let mut out = Vec::new();
            for (opk_id, flag, id_bytes) in [
                (
                    Some(0x090A_0B0Cu32),
                    "OPK_PRESENT",
                    0x090A_0B0Cu32.to_be_bytes().to_vec(),
                ),
                (None, "OPK_ABSENT", consts["ZERO_ID"].clone()),
            ] {
                let header = PreKeyHeader {
                    ik_a: point(&g(91)),
                    ek_a: point(&g(92)),
                    spk_id: 0x0102_0304,
                    pqpk_id: 0x0506_0708,
                    opk_id,
                    ct: Ciphertext::from_public_slice(&test_bytes(93, ML_KEM_1024_LEN)),
                };
                let want = unseq(&encode_prekey_header(&header));
                let what = if opk_id.is_some() {
                    "wire::encode_prekey_header (with an OPK)"
                } else {
                    "wire::encode_prekey_header (without an OPK)"
                };
                out.push(Case {
                    args: vec![
                        g(91),
                        g(92),
                        header.spk_id.to_be_bytes().to_vec(),
                        header.pqpk_id.to_be_bytes().to_vec(),
                        consts[flag].clone(),
                        id_bytes,
                        test_bytes(93, ML_KEM_1024_LEN),
                    ],
                    spec: Box::new(move |v| same(&v.bytes(), &want, what)),
                });
            }
            out
        }
        "HEADER_AD" => {
            let ad = unseq(&pqxdh::associated_data(&point(&g(101)), &point(&g(102))));
            let header = RatchetHeader {
                dh: point(&g(103)),
                pn: 3,
                n: 0x0102,
            };
            let h = unseq(&encode_ratchet_header(&header));
            let want = unseq(&ratchet::header_ad(
                &ByteSeq::from_public_slice(&ad),
                &header,
            ));
            vec![Case {
                args: vec![ad, h],
                spec: Box::new(move |v| same(&v.bytes(), &want, "ratchet::header_ad")),
            }]
        }
        _ => Vec::new(),
    }
}
