//! Bytes: the distinct test inputs and the byte strings the models' terms evaluate to.

use super::*;

/// The public bytes of a spec byte sequence.
pub(super) fn unseq(seq: &ByteSeq) -> Vec<u8> {
    (0..seq.len()).map(|i| seq[i].declassify()).collect()
}

/// Distinct test bytes: `len` bytes, different for every `tag`.
pub(super) fn test_bytes(tag: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let i = u8::try_from(i % 251).unwrap_or(0);
            tag.wrapping_mul(37)
                .wrapping_add(i.wrapping_mul(11))
                .wrapping_add(1)
        })
        .collect()
}

/// Bytes as lower-case hex.
pub(super) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Bytes as hex, preceded by their text in quotes when they are printable ASCII
/// (a label): `"Lockstep_Ratchet" (4c6f…)`.
pub(super) fn show(bytes: &[u8]) -> String {
    if !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?} ({})", String::from_utf8_lossy(bytes), to_hex(bytes))
    } else {
        to_hex(bytes)
    }
}

/// Hex (either case, even length) as bytes.
pub(super) fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("{text:?} is not hex"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

pub(super) fn point(bytes: &[u8]) -> X25519SerializedPoint {
    X25519SerializedPoint::from_public_slice(bytes)
}

/// The bytes of `base` at the positions where `a` and `b` differ: a field of an
/// encoding, found by encoding twice with only that field changed.
pub(super) fn field(base: &[u8], a: &[u8], b: &[u8]) -> Vec<u8> {
    assert_eq!(a.len(), b.len(), "two encodings of different lengths");
    (0..a.len())
        .filter(|&i| a[i] != b[i])
        .map(|i| base[i])
        .collect()
}

/// A bundle for the spec's encoder; only the fields named vary.
pub(super) fn bundle(pq_last_resort: bool, opk: Option<(u32, [u8; 32])>) -> Vec<u8> {
    unseq(&encode_bundle(&PreKeyBundle {
        ik_b: point(&test_bytes(1, 32)),
        spk_id: 7,
        spk_b: point(&test_bytes(2, 32)),
        spk_sig: XEdDSASignature::from_public_slice(&test_bytes(3, SIGNATURE_LEN)),
        pqpk_id: 9,
        pq_last_resort,
        pqpk_b: EncapsulationKey::from_public_slice(&test_bytes(4, ML_KEM_1024_LEN)),
        pqpk_sig: XEdDSASignature::from_public_slice(&test_bytes(5, SIGNATURE_LEN)),
        opk: opk.map(|(id, key)| (id, point(&key))),
    }))
}

/// A PreKey header for the spec's encoder; only `opk_id` varies.
pub(super) fn prekey_header(opk_id: Option<u32>) -> Vec<u8> {
    unseq(&encode_prekey_header(&PreKeyHeader {
        ik_a: point(&test_bytes(1, 32)),
        ek_a: point(&test_bytes(2, 32)),
        spk_id: 3,
        pqpk_id: 4,
        opk_id,
        ct: Ciphertext::from_public_slice(&test_bytes(5, ML_KEM_1024_LEN)),
    }))
}

/// A ratchet header for the spec's encoder; only `pn` varies.
pub(super) fn ratchet_header(pn: u32) -> Vec<u8> {
    unseq(&encode_ratchet_header(&RatchetHeader {
        dh: point(&test_bytes(1, 32)),
        pn,
        n: 5,
    }))
}

/// The value the spec gives each constant a model may define: `consts.rs` for SPEC
/// §1, the spec's encoders for the rest.
pub(super) fn spec_constants() -> BTreeMap<&'static str, Vec<u8>> {
    let mut c = BTreeMap::new();
    c.insert("VERSION", vec![consts::VERSION]);
    c.insert("MSG_PREKEY", vec![consts::MSG_PREKEY]);
    c.insert("MSG_RATCHET", vec![consts::MSG_RATCHET]);
    c.insert("INFO_PQXDH", consts::INFO_PQXDH.to_vec());
    c.insert("INFO_RATCHET", consts::INFO_RATCHET.to_vec());
    c.insert("INFO_MESSAGE_KEYS", consts::INFO_MESSAGE_KEYS.to_vec());
    c.insert("F", consts::F.to_vec());
    c.insert("MK_CONSTANT", vec![consts::MK_CONSTANT]);
    c.insert("CK_CONSTANT", vec![consts::CK_CONSTANT]);
    c.insert("EC_PREFIX", vec![consts::EC_PREFIX]);
    c.insert("KEM_PREFIX", vec![consts::KEM_PREFIX]);
    // SPEC §9.1: the franking labels (proofs/src/franking.pvh).
    c.insert(
        "FRANKING_COMMIT_LABEL",
        consts::FRANKING_COMMIT_LABEL.to_vec(),
    );
    c.insert(
        "FRANKING_STAMP_LABEL",
        consts::FRANKING_STAMP_LABEL.to_vec(),
    );
    // SPEC §3.4: the HKDF salt of KDF (`ByteSeq::new(32)` in pqxdh::kdf, not exported).
    c.insert("ZERO_SALT", vec![0u8; 32]);
    // SPEC §3.2 pq_kind: the byte where a one-time and a last-resort bundle differ.
    let one_time = bundle(false, None);
    let last_resort = bundle(true, None);
    c.insert("PQ_ONETIME", field(&one_time, &one_time, &last_resort));
    c.insert(
        "PQ_LASTRESORT",
        field(&last_resort, &one_time, &last_resort),
    );
    // SPEC §5.2 opk_flag: the byte where a header without and with OPK id 0 differ.
    let absent = prekey_header(None);
    let present = prekey_header(Some(0));
    c.insert("OPK_ABSENT", field(&absent, &absent, &present));
    c.insert("OPK_PRESENT", field(&present, &absent, &present));
    // SPEC §5.2 opk_id with no OPK: the id field (where ids 0 and 2^32-1 differ) of
    // the header without one.
    c.insert(
        "ZERO_ID",
        field(
            &absent,
            &prekey_header(Some(0)),
            &prekey_header(Some(u32::MAX)),
        ),
    );
    // SPEC §3.2 OPK_B with no OPK: the key field (where two keys differ) of the
    // bundle without one.
    c.insert(
        "ZERO_G",
        field(
            &one_time,
            &bundle(false, Some((0, [0x11; 32]))),
            &bundle(false, Some((0, [0xEE; 32]))),
        ),
    );
    // SPEC §5.1 u32be(0): the pn field of a header with pn = 0.
    c.insert(
        "U32_ZERO",
        field(
            &ratchet_header(0),
            &ratchet_header(0),
            &ratchet_header(u32::MAX),
        ),
    );
    // SPEC §5.1 u32be(1), u32be(2): the pn field of headers with pn = 1 and 2.
    for (name, pn) in [("U32_ONE", 1), ("U32_TWO", 2)] {
        c.insert(
            name,
            field(
                &ratchet_header(pn),
                &ratchet_header(0),
                &ratchet_header(u32::MAX),
            ),
        );
    }
    c
}

/// The SPEC §1 constants: the names of `lockstep_spec::consts` a model may use.
pub(super) const SECTION_1: &[&str] = &[
    "VERSION",
    "MSG_PREKEY",
    "MSG_RATCHET",
    "INFO_PQXDH",
    "INFO_RATCHET",
    "INFO_MESSAGE_KEYS",
    "F",
    "MK_CONSTANT",
    "CK_CONSTANT",
    "EC_PREFIX",
    "KEM_PREFIX",
];
