//! The protocol vectors in `vectors/protocol/`, checked against the spec and the
//! implementation.
//!
//! Each file is replayed from its recorded inputs alone, without the generator, by
//! the one checker of `lockstep_harness::vector_check`, once on the spec
//! ([`SpecSide`]) and once on the implementation ([`ImplSide`], the tests named
//! `impl_*`): every handshake, every conversation step and every state encoding is
//! recomputed and compared, byte for byte, with every output, intermediate value,
//! wire message, error and state encoding the file records (the key-schedule
//! intermediates where the side shows them). `lockstep check` runs the same checker.
//!
//! `franking.json` is replayed the same way (`franking_json_reproduces`): the two
//! HMACs, the franked conversation through the platform (submissions, deliveries,
//! receipts, reports, states), `VerifyReport` and the SPEC §9.3 decoders; its HMAC
//! values are also pinned to Python's `hmac` (`franking_json_independent_values`).
//!
//! `rules.json` is replayed the same way (`rules_json_*`), with Bob's prekey store
//! rebuilt on the spec side from `spec::session::check_replay` and `record_accepted`;
//! the values the spec could get wrong the same way as the implementation (`p`, `q`,
//! `s + q`, `1/EK_A mod p`, the altered ML-KEM keys, the identity-nonce signatures)
//! are pinned to values computed outside Rust with plain integers
//! (`rules_json_independent_values`). The last test runs the generator
//! (`lockstep_harness::protocol_vectors`) into a temporary directory and checks that
//! it writes exactly the committed files.
//!
//! Each test collects every mismatch (vector id, step, field) before failing, and
//! prints how many vectors and steps it checked (`cargo test -- --nocapture`).

use std::path::PathBuf;

use lockstep_harness::vector_check::{
    self, ImplSide, ProtocolVectors, Report, SpecSide, VectorSide,
};
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_vectors::protocol::{self, Outcome, Step};
use spec::consts::PREKEY_HEADER_LEN;
use spec::ratchet::State;

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: the committed files load, or the test fails here"
)]
fn vectors() -> ProtocolVectors {
    ProtocolVectors::load().unwrap()
}

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

fn encoded(state: &State) -> Vec<u8> {
    spec::state::encode_state(state).to_native()
}

/// Runs `check` on `side` and fails with every mismatch it found.
fn run<S: VectorSide>(side: &S, file: &str, check: impl FnOnce(&S, &ProtocolVectors, &mut Report)) {
    let vectors = vectors();
    let mut report = Report::new(side.name());
    check(side, &vectors, &mut report);
    println!("{} {file}: {} checked", side.name(), report.counts);
    assert!(report.is_clean(), "{file}: {report}");
}

// ---------------------------------------------------------------------------------
// pqxdh.json, ratchet.json, state.json: spec and impl
// ---------------------------------------------------------------------------------

fn pqxdh<S: VectorSide>(side: &S) {
    run(side, "pqxdh.json", |side, v, r| {
        vector_check::check_pqxdh(side, &v.pqxdh, r);
    });
}

fn ratchet<S: VectorSide>(side: &S) {
    run(side, "ratchet.json", |side, v, r| {
        vector_check::check_ratchet(side, &v.pqxdh, &v.ratchet, r);
    });
}

fn state<S: VectorSide>(side: &S) {
    run(side, "state.json", |side, v, r| {
        vector_check::check_state(side, &v.state, &v.ratchet, r);
    });
}

#[test]
fn pqxdh_json_handshakes_reproduce() {
    pqxdh(&SpecSide);
}

#[test]
fn impl_pqxdh_json_handshakes_reproduce() {
    pqxdh(&ImplSide);
}

#[test]
fn ratchet_json_conversations_reproduce() {
    ratchet(&SpecSide);
}

#[test]
fn impl_ratchet_json_conversations_reproduce() {
    ratchet(&ImplSide);
}

#[test]
fn state_json_encodings_reproduce() {
    state(&SpecSide);
}

#[test]
fn impl_state_json_encodings_reproduce() {
    state(&ImplSide);
}

/// The skipped-key store conversation reaches the limits it claims: the decoded
/// states, not only their bytes, show exactly MAX_SKIP keys skipped into a full store,
/// the oldest evicted, and the next oldest used.
#[test]
fn ratchet_json_skipped_key_store_reaches_the_limit() {
    let conversations = protocol::ratchet().unwrap();
    let c = conversations
        .iter()
        .find(|c| c.id == "ratchet_skipped_key_store")
        .unwrap();
    let state = |step: usize| match &c.steps[step] {
        Step::Deliver(d) => spec::state::decode_state(&seq(&d.receiver_state)).unwrap(),
        _ => panic!("step {step} is not a delivery"),
    };
    let ns = |state: &State| state.skipped.iter().map(|k| k.n).collect::<Vec<u32>>();
    let max = spec::consts::MAX_STORED_SKIPPED_KEYS;
    assert_eq!(max, 2000);
    assert_eq!(spec::consts::MAX_SKIP, 2000);
    // Step 6: n = 2000 received from Nr = 0, keys 0..1999 stored: the store is full.
    let full = state(6);
    assert_eq!(ns(&full), (0..2000).collect::<Vec<u32>>());
    assert_eq!(full.nr, 2001);
    // Step 9: n = 2001 skipped, n = 0 evicted.
    let evicted = state(9);
    let mut want: Vec<u32> = (1..2000).collect();
    want.push(2001);
    assert_eq!(ns(&evicted), want);
    assert_eq!(evicted.skipped.len(), max);
    // Step 10: b0 refused, state unchanged; step 11: b1 decrypts, its key deleted.
    match (&c.steps[10], &c.steps[11]) {
        (Step::Deliver(b0), Step::Deliver(b1)) => {
            assert_eq!(b0.outcome, Outcome::Rejected("Duplicate".to_owned()));
            assert!(matches!(b1.outcome, Outcome::Ok(_)));
        }
        _ => panic!("steps 10 and 11 are deliveries"),
    }
    assert_eq!(encoded(&state(10)), encoded(&evicted));
    assert_eq!(ns(&state(11)), want[1..].to_vec());
    println!("ratchet_skipped_key_store: store full at {max}, n = 0 evicted, n = 1 kept");
}

// ---------------------------------------------------------------------------------
// rules.json
// ---------------------------------------------------------------------------------

fn decoding<S: VectorSide>(side: &S) {
    run(side, "rules.json decoding", |side, v, r| {
        vector_check::check_rules_decoding(side, &v.rules, r);
    });
}

fn verification<S: VectorSide>(side: &S) {
    run(side, "rules.json verification", |side, v, r| {
        vector_check::check_rules_verification(side, &v.rules, &v.pqxdh, r);
    });
}

fn decapsulation_keys<S: VectorSide>(side: &S) {
    run(side, "rules.json decapsulation_keys", |side, v, r| {
        vector_check::check_rules_decapsulation_keys(side, &v.rules, &v.pqxdh, r);
    });
}

fn sessions<S: VectorSide>(side: &S) {
    run(side, "rules.json sessions", |side, v, r| {
        vector_check::check_rules_sessions(side, &v.rules, r);
    });
}

fn accepts<S: VectorSide>(side: &S) {
    run(side, "rules.json accepts", |side, v, r| {
        vector_check::check_rules_accepts(side, &v.rules, &v.pqxdh, r);
    });
}

#[test]
fn rules_json_decoding_reproduces() {
    decoding(&SpecSide);
}

#[test]
fn impl_rules_json_decoding_reproduces() {
    decoding(&ImplSide);
}

#[test]
fn rules_json_verification_reproduces() {
    verification(&SpecSide);
}

#[test]
fn impl_rules_json_verification_reproduces() {
    verification(&ImplSide);
}

#[test]
fn rules_json_decapsulation_keys_reproduce() {
    decapsulation_keys(&SpecSide);
}

#[test]
fn impl_rules_json_decapsulation_keys_reproduce() {
    decapsulation_keys(&ImplSide);
}

#[test]
fn rules_json_sessions_reproduce() {
    sessions(&SpecSide);
}

#[test]
fn impl_rules_json_sessions_reproduce() {
    sessions(&ImplSide);
}

#[test]
fn rules_json_accepts_reproduce() {
    accepts(&SpecSide);
}

#[test]
fn impl_rules_json_accepts_reproduce() {
    accepts(&ImplSide);
}

/// Values the spec and the implementation could both get wrong, computed outside
/// Rust with plain Python integers (`hashlib` for SHA-3 and SHA-512, Edwards25519
/// in affine coordinates), from the committed files, and pinned here:
///
/// - `q = 2**252 + 27742317777372353535851937790883648493`, `p = 2**255 - 19`,
///   `x.to_bytes(32, 'little').hex()`;
/// - `s + q` for both signatures of pqxdh_with_opk's bundle (`s` read at offsets 101
///   and 1738; `s < q` and `s + q < 2**253` asserted);
/// - `pow(u, p - 2, p)` for `EK_A` of pqxdh_with_opk and pqxdh_last_resort;
/// - the altered decapsulation key: first coefficient `ek[0] | (ek[1] & 15) << 8`
///   and `hashlib.sha3_256(ek)`;
/// - the identity-nonce signatures: `a` from the clamped identity key (negated if
///   `aB` has odd x), `s = SHA-512(R ‖ A ‖ M) a mod q` for each encoding `R`, and
///   `sB - hA` checked to be the identity point.
#[test]
fn rules_json_independent_values() {
    const P_HEX: &str = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
    const Q_HEX: &str = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
    let rules = protocol::rules().unwrap();
    let handshakes = protocol::pqxdh().unwrap();
    let verification = |id: &str| {
        rules
            .verification
            .iter()
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .bundle
            .clone()
    };
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // p and q as the spec has them.
    assert_eq!(hex(&spec::field25519::P), P_HEX);
    let genuine = &handshakes[0];
    assert_eq!(genuine.id, "pqxdh_with_opk");
    // s + q, and nothing else changed.
    for (id, offset, want) in [
        (
            "verify_spk_sig_s_plus_q",
            101,
            "ca7c4265f93826ec3d9a5107795649a10397910f1358d4d158b79d6908985a16",
        ),
        (
            "verify_pqpk_sig_s_plus_q",
            1738,
            "5c68250ffb7299f7a3382de141c73b5470ae7e1cc7ed24c3b2caf4055f54ee18",
        ),
    ] {
        let bundle = verification(id);
        assert_eq!(hex(&bundle[offset..offset + 32]), want, "{id}");
        assert_eq!(bundle[..offset], genuine.bundle[..offset], "{id}");
        assert_eq!(bundle[offset + 32..], genuine.bundle[offset + 32..], "{id}");
        // (s + q) - s = q, byte by byte with borrows; and s + q < 2^253.
        let mut difference = [0u8; 32];
        let mut borrow = 0i16;
        for i in 0..32 {
            let d = i16::from(bundle[offset + i]) - i16::from(genuine.bundle[offset + i]) - borrow;
            borrow = i16::from(d < 0);
            difference[i] = u8::try_from(d.rem_euclid(256)).unwrap();
        }
        assert_eq!(borrow, 0, "{id}");
        assert_eq!(hex(&difference), Q_HEX, "{id}");
        assert!(bundle[offset + 31] < 0x20, "{id}: s + q < 2^253");
    }
    // The identity-nonce signatures (R ‖ s) of SPK_sig, at offset 69.
    for (id, want) in [
        (
            "verify_spk_sig_r_identity",
            "0100000000000000000000000000000000000000000000000000000000000000925b83ceac60abb184fafe5a90c3c913a422a81472364c6f8ca26d8a92fd720a",
        ),
        (
            "verify_spk_sig_r_identity_y_plus_p",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f35d3a7d56b5e05e3bcb6b8c6307e0751325c1d856b5681d667ffb54e10c2b70d",
        ),
        (
            "verify_spk_sig_r_identity_negative_zero",
            "01000000000000000000000000000000000000000000000000000000000000807818158de9f72f806d2a18bb5e0b50dec073d0fe46d864d58ae90099245fab02",
        ),
    ] {
        assert_eq!(hex(&verification(id)[69..133]), want, "{id}");
    }
    // 1/EK_A mod p in the first re-encoded delivery of each accept sequence.
    for (id, delivery, handshake, want) in [
        (
            "accept_reencoded_ek_a",
            1,
            "pqxdh_with_opk",
            "dfe44a0739c7ba8780a5a852a409cbeea8aadddd55f3a54b7012a21522fe9b5e",
        ),
        (
            "accept_last_resort_replay",
            0,
            "pqxdh_last_resort",
            "61c1ae90c7c6202ad3af1d8034a71feac5ec6915a374d79d9ddabdb80905a44c",
        ),
    ] {
        let v = rules.accepts.iter().find(|v| v.id == id).unwrap();
        let h = handshakes.iter().find(|h| h.id == handshake).unwrap();
        let wire = &v.deliveries[delivery].wire;
        assert_eq!(hex(&wire[34..66]), want, "{id}");
        // The rest of the PreKey message is Alice's genuine one.
        assert_eq!(wire[..34], h.prekey_header[..34], "{id}");
        assert_eq!(wire[66..PREKEY_HEADER_LEN], h.prekey_header[66..], "{id}");
    }
    // The decapsulation key whose stored ek is not reduced.
    let dk = &rules
        .decapsulation_keys
        .iter()
        .find(|v| v.id == "dk_stored_ek_not_reduced")
        .unwrap()
        .dk;
    assert_eq!(
        u16::from(dk[1536]) | (u16::from(dk[1537] & 0x0f) << 8),
        4095
    );
    assert_eq!(
        hex(&dk[3104..3136]),
        "c68cef9181c327949b7c3a84b0d784c6f4c14c004042ab6048c33552450bfc11"
    );
    // Non-canonical keys: p, p + 1 and p - 1 where the descriptions say.
    let p_plus_1 = "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
    let p_minus_1 = "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
    for (id, offset, want) in [
        ("ratchet_dh_p", 2, P_HEX),
        ("ratchet_dh_p_plus_1", 2, p_plus_1),
        ("ratchet_dh_p_minus_1", 2, p_minus_1),
        ("prekey_ek_a_p_plus_1", 34, p_plus_1),
        ("prekey_ik_a_p", 2, P_HEX),
        ("bundle_ik_b_p", 1, P_HEX),
        ("bundle_spk_b_p_plus_1", 37, p_plus_1),
        ("bundle_opk_b_p", 1775, P_HEX),
    ] {
        let v = rules.decoding.iter().find(|v| v.id == id).unwrap();
        assert_eq!(hex(&v.encoding[offset..offset + 32]), want, "{id}");
    }
}

// ---------------------------------------------------------------------------------
// franking.json
// ---------------------------------------------------------------------------------

fn franking<S: VectorSide>(side: &S) {
    run(side, "franking.json", |side, v, r| {
        vector_check::check_franking(side, &v.pqxdh, &v.franking, r);
    });
}

#[test]
fn franking_json_reproduces() {
    franking(&SpecSide);
}

#[test]
fn impl_franking_json_reproduces() {
    franking(&ImplSide);
}

/// Values the spec and the implementation could both get wrong (a label, the order
/// of the HMAC inputs, the byte order of `t`), computed outside Rust with Python's
/// `hmac` and `hashlib`, from the committed inputs, and pinned here:
/// `hmac.new(fk, b"Lockstep_Franking_Commitment" + Id(sender) + Id(recipient) + m,
/// hashlib.sha256)` and `hmac.new(kp, b"Lockstep_Franking_Stamp" + c + Id(sender) +
/// Id(recipient) + t.to_bytes(8, "big"), hashlib.sha256)`, with
/// `Id(x) = bytes([len(x)]) + x`. The same script recomputed every commitment,
/// stamp tag, report verdict and decoder verdict of the file, and every flow step's
/// `c`, tag, delivery layout, receipt and report bytes.
#[test]
fn franking_json_independent_values() {
    let v = protocol::franking().unwrap();
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    for (id, want) in [
        (
            "commit_basic",
            "104d3bd4b240370132c3769bdfd5f1b08782b256163495670d097ccb37933ed1",
        ),
        (
            "commit_empty_message",
            "e717b1203ded5c4f7942521148d844b06c3281aab54e0019158d1ec0d2f6f839",
        ),
        (
            "commit_64_byte_ids",
            "19ea3193338241ae8ea82fb2a71ba2b48ec45f9bba8e90bdd084058c203ff99f",
        ),
        (
            "commit_long_message",
            "d8d577acca40c33b411cfce7268e33412acf5076089baa6f521b7eeef924b186",
        ),
    ] {
        let c = v.commits.iter().find(|c| c.id == id).unwrap().c.unwrap();
        assert_eq!(hex(&c), want, "{id}");
    }
    for (id, want) in [
        (
            "stamp_tag_t_zero",
            "122db65da12070808eab63acf2e346c4c291f2589a3ac18eb77f39cae0028027",
        ),
        (
            "stamp_tag_t_max",
            "89f47ff0b86ee1d72539d3b068c0256f62b0440e14f691edc77f92ccefe4cf59",
        ),
        (
            "stamp_tag_t_byte_order",
            "dd1a71d016613c8e0b7a645be8cc1ddda7f729991b90972d481b16da651e0eeb",
        ),
    ] {
        let tag = v
            .stamp_tags
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .tag
            .unwrap();
        assert_eq!(hex(&tag), want, "{id}");
    }
    // The flow's first commitment and the tag of its genuine stamp.
    let flow = &v.flows[0];
    let protocol::FrankingStep::FrankEncrypt(a0) = &flow.steps[0] else {
        panic!("step 0 franks a0");
    };
    assert_eq!(
        hex(&a0.c),
        "cc2fd2e0541644a2a24d595508f5efd32517b1470d2480a64857248422fd7f12"
    );
    let protocol::FrankingStep::Stamp(stamped) = &flow.steps[3] else {
        panic!("step 3 stamps a0");
    };
    assert_eq!(
        hex(&stamped.tag),
        "bd34ec08239296d1ecde3c21083d404acb5eaa01b5fcfa403c1c65292462de61"
    );
}

// ---------------------------------------------------------------------------------
// Regeneration
// ---------------------------------------------------------------------------------

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn protocol_vectors_regenerate_byte_identical() {
    let dir = TempDir(
        std::env::temp_dir().join(format!("lockstep-protocol-vectors-{}", std::process::id())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    let written = lockstep_harness::protocol_vectors::write_all(&dir.0).unwrap();
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/protocol");
    assert_eq!(written.len(), protocol::FILES.len());
    for path in &written {
        let name = path.file_name().unwrap();
        let fresh = std::fs::read(path).unwrap();
        let stored = std::fs::read(committed.join(name)).unwrap();
        if fresh != stored {
            let line = fresh
                .split(|&b| b == b'\n')
                .zip(stored.split(|&b| b == b'\n'))
                .position(|(a, b)| a != b)
                .map_or(0, |i| i + 1);
            panic!(
                "vectors/protocol/{} differs from what the generator writes ({} vs {} bytes; first differing line {line}); regenerate with cargo run --release -p lockstep-cli -- vectors --out vectors/protocol",
                name.to_string_lossy(),
                stored.len(),
                fresh.len()
            );
        }
        println!(
            "{}: {} bytes, regenerated byte for byte",
            name.to_string_lossy(),
            stored.len()
        );
    }
}
