//! Differential property tests: the spec and the implementation, run on the same
//! random inputs, must give the same bytes, or refuse for the same reason.
//!
//! Lengths are drawn to hit the edges that break implementations: empty input,
//! one byte either side of every block and padding boundary (16 for Poly1305, 64
//! for ChaCha20 and SHA-256, 55/56 and 111/112 for SHA padding, 128 for SHA-512),
//! and long inputs of several kilobytes. `LOCKSTEP_CASES=N` sets the number of
//! cases per property (default 256).

use lockstep_harness::sides::{Impl, PROVIDER_LAST_BLOCK, Primitives, Refusal, Spec};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("LOCKSTEP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

/// Lengths either side of every boundary that matters to these primitives.
const EDGES: &[usize] = &[
    0, 1, 15, 16, 17, 31, 32, 33, 55, 56, 57, 63, 64, 65, 111, 112, 113, 127, 128, 129, 191, 192,
    193, 255, 256, 257,
];

/// A byte string whose length is an edge a third of the time, short a third of the
/// time and long (1 to 5 KiB) the rest.
fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::sample::select(EDGES).prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)),
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(any::<u8>(), 1024..5 * 1024),
    ]
}

/// HMAC keys: around the 64-byte block size (a longer key is hashed first).
fn hmac_key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::sample::select(&[0usize, 1, 31, 32, 33, 63, 64, 65, 128, 200][..])
            .prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)),
        prop::collection::vec(any::<u8>(), 0..300),
    ]
}

/// Block counters, with the top of the range (where the counter would wrap)
/// drawn often.
fn counter() -> impl Strategy<Value = u32> {
    prop_oneof![any::<u32>(), u32::MAX - 200..=u32::MAX, 0u32..4]
}

/// An X25519 u-coordinate: random, or one of the edge values (0, 1, p-1, p, p+1,
/// 2^255-1 and the same with the top bit set, which RFC 7748 §5 masks).
fn u_coordinate() -> impl Strategy<Value = [u8; 32]> {
    fn le(low: u8, rest: u8, top: u8) -> [u8; 32] {
        let mut u = [rest; 32];
        u[0] = low;
        u[31] = top;
        u
    }
    let edges = vec![
        [0u8; 32],
        le(1, 0, 0),
        le(0xec, 0xff, 0x7f), // p - 1
        le(0xed, 0xff, 0x7f), // p
        le(0xee, 0xff, 0x7f), // p + 1
        le(0xff, 0xff, 0x7f), // 2^255 - 1
        le(0xed, 0xff, 0xff), // p with the top bit set
        le(9, 0, 0x80),       // the base point with the top bit set
    ];
    prop_oneof![any::<[u8; 32]>(), proptest::sample::select(edges)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn sha256_spec_equals_impl(msg in message()) {
        prop_assert_eq!(Spec::sha256(&msg), Impl::sha256(&msg));
    }

    #[test]
    fn sha512_spec_equals_impl(msg in message()) {
        prop_assert_eq!(Spec::sha512(&msg), Impl::sha512(&msg));
    }

    #[test]
    fn hmac_sha256_spec_equals_impl(key in hmac_key(), msg in message()) {
        prop_assert_eq!(Spec::hmac_sha256(&key, &msg), Impl::hmac_sha256(&key, &msg));
    }

    #[test]
    fn hkdf_sha256_spec_equals_impl(
        salt in hmac_key(),
        ikm in hmac_key(),
        info in prop::collection::vec(any::<u8>(), 0..100),
        len in prop_oneof![0usize..200, 8100usize..=8161],
    ) {
        prop_assert_eq!(Spec::hkdf_extract(&salt, &ikm), Impl::hkdf_extract(&salt, &ikm));
        prop_assert_eq!(Spec::hkdf(&salt, &ikm, &info, len), Impl::hkdf(&salt, &ikm, &info, len));
    }

    #[test]
    fn chacha20_block_spec_equals_impl(key in any::<[u8; 32]>(), counter in counter(), nonce in any::<[u8; 12]>()) {
        let spec = Spec::chacha20_block(&key, counter, &nonce);
        prop_assert!(spec.is_ok(), "the RFC 8439 block function is total");
        if counter == PROVIDER_LAST_BLOCK {
            prop_assert_eq!(Impl::chacha20_block(&key, counter, &nonce), Err(Refusal::CounterOverflow));
        } else {
            prop_assert_eq!(spec, Impl::chacha20_block(&key, counter, &nonce));
        }
    }

    #[test]
    fn chacha20_spec_equals_impl_including_counter_overflow(
        key in any::<[u8; 32]>(),
        counter in counter(),
        nonce in any::<[u8; 12]>(),
        msg in message(),
    ) {
        let spec = Spec::chacha20_encrypt(&key, counter, &nonce, &msg);
        let blocks = u64::try_from(msg.len().div_ceil(64)).unwrap_or(u64::MAX);
        let last_block = u64::from(counter) + blocks.saturating_sub(1);
        if blocks > 0 && last_block == u64::from(PROVIDER_LAST_BLOCK) {
            // The one documented difference: the provider stops a block early.
            prop_assert!(spec.is_ok());
            prop_assert_eq!(Impl::chacha20_encrypt(&key, counter, &nonce, &msg), Err(Refusal::CounterOverflow));
        } else {
            prop_assert_eq!(spec, Impl::chacha20_encrypt(&key, counter, &nonce, &msg));
        }
    }

    #[test]
    fn poly1305_spec_equals_impl(key in any::<[u8; 32]>(), msg in message()) {
        prop_assert_eq!(Spec::poly1305(&key, &msg), Impl::poly1305(&key, &msg));
    }

    #[test]
    fn poly1305_key_gen_spec_equals_impl(key in any::<[u8; 32]>(), nonce in any::<[u8; 12]>()) {
        prop_assert_eq!(Spec::poly1305_key_gen(&key, &nonce), Impl::poly1305_key_gen(&key, &nonce));
    }

    #[test]
    fn aead_spec_equals_impl_and_both_refuse_each_forgery(
        key in any::<[u8; 32]>(),
        nonce in any::<[u8; 12]>(),
        aad in message(),
        msg in message(),
        flip in any::<prop::sample::Index>(),
    ) {
        let sealed = Spec::aead_seal(&key, &nonce, &aad, &msg);
        prop_assert_eq!(&sealed, &Impl::aead_seal(&key, &nonce, &aad, &msg));
        let sealed = sealed.map_err(|r| TestCaseError::fail(format!("{r:?}")))?;
        prop_assert_eq!(Spec::aead_open(&key, &nonce, &aad, &sealed), Ok(msg.clone()));
        prop_assert_eq!(Impl::aead_open(&key, &nonce, &aad, &sealed), Ok(msg));

        let mut forged = sealed;
        let bit = flip.index(forged.len() * 8);
        forged[bit / 8] ^= 1 << (bit % 8);
        let spec = Spec::aead_open(&key, &nonce, &aad, &forged);
        prop_assert!(spec.is_err());
        prop_assert_eq!(spec, Impl::aead_open(&key, &nonce, &aad, &forged));
    }

    #[test]
    fn x25519_spec_equals_impl(scalar in any::<[u8; 32]>(), u in u_coordinate()) {
        prop_assert_eq!(Spec::x25519(&scalar, &u), Impl::x25519(&scalar, &u));
        prop_assert_eq!(Spec::x25519_dh(&scalar, &u), Impl::x25519_dh(&scalar, &u));
        prop_assert_eq!(Spec::x25519_base(&scalar), Impl::x25519_base(&scalar));
    }

    #[test]
    fn both_sides_refuse_wrong_sized_keys_and_nonces(
        key_len in prop_oneof![0usize..32, 33usize..64],
        nonce_len in prop_oneof![0usize..12, 13usize..32],
    ) {
        let key = vec![7u8; key_len];
        let nonce = vec![9u8; nonce_len];
        prop_assert_eq!(Spec::aead_seal(&key, &[0; 12], b"", b"x"), Impl::aead_seal(&key, &[0; 12], b"", b"x"));
        prop_assert!(Spec::aead_seal(&key, &[0; 12], b"", b"x").is_err());
        prop_assert!(Spec::aead_seal(&[0; 32], &nonce, b"", b"x").is_err());
        prop_assert!(Impl::aead_seal(&[0; 32], &nonce, b"", b"x").is_err());
        prop_assert!(Spec::x25519_dh(&key, &[9; 32]).is_err());
        prop_assert!(Impl::x25519_dh(&key, &[9; 32]).is_err());
    }
}

/// Pins the one known difference between the spec and the implementation's
/// provider (see `PROVIDER_LAST_BLOCK`): if RustCrypto `chacha20` starts producing
/// the block with counter `2^32 - 1`, this fails, and the special case in the
/// properties above should go.
#[test]
fn rustcrypto_chacha20_refuses_the_last_block_rfc8439_allows() {
    let (key, nonce) = ([0u8; 32], [0u8; 12]);
    assert!(Spec::chacha20_block(&key, u32::MAX, &nonce).is_ok());
    assert_eq!(
        Impl::chacha20_block(&key, u32::MAX, &nonce),
        Err(Refusal::CounterOverflow)
    );
    assert!(Spec::chacha20_encrypt(&key, u32::MAX - 1, &nonce, &[0; 128]).is_ok());
    assert_eq!(
        Impl::chacha20_encrypt(&key, u32::MAX - 1, &nonce, &[0; 128]),
        Err(Refusal::CounterOverflow)
    );
    // One block earlier, both agree.
    assert_eq!(
        Spec::chacha20_encrypt(&key, u32::MAX - 2, &nonce, &[0; 128]),
        Impl::chacha20_encrypt(&key, u32::MAX - 2, &nonce, &[0; 128])
    );
}

/// ML-KEM through the spec is slow (tens of milliseconds per operation), so these
/// properties run an eighth of the cases of the others.
fn ml_kem_cases() -> u32 {
    cases().div_ceil(8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(ml_kem_cases()))]

    /// FIPS 203 Algorithms 19-21 from the same `d ‖ z` and `m`: the same `ek`, `dk`,
    /// `c` and `K` on both sides, and decapsulation of a ciphertext with one random
    /// bit flipped (implicit rejection) agrees too.
    #[test]
    fn ml_kem_spec_equals_impl_including_implicit_rejection(
        seed in proptest::array::uniform::<_, 64>(any::<u8>()),
        m in any::<[u8; 32]>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let (ek, dk) = Spec::ml_kem_keygen(&seed);
        let (impl_ek, impl_dk) = Impl::ml_kem_keygen(&seed);
        prop_assert_eq!(&ek, &impl_ek);
        prop_assert_eq!(&dk, &impl_dk);
        let spec = Spec::ml_kem_encaps(&ek, &m);
        prop_assert_eq!(&spec, &Impl::ml_kem_encaps(&ek, &m));
        let (c, k) = spec.map_err(|r| TestCaseError::fail(format!("{r:?}")))?;
        prop_assert_eq!(Spec::ml_kem_decaps(&dk, &c), Ok(k));
        prop_assert_eq!(Impl::ml_kem_decaps(&dk, &c), Ok(k));

        let mut tampered = c;
        let bit = flip.index(tampered.len() * 8);
        tampered[bit / 8] ^= 1 << (bit % 8);
        let spec = Spec::ml_kem_decaps(&dk, &tampered);
        prop_assert!(spec.is_ok_and(|other| other != k), "implicit rejection gives another key");
        prop_assert_eq!(spec, Impl::ml_kem_decaps(&dk, &tampered));
    }

    /// FIPS 203 §7.2 and §7.3 input checks: an encapsulation key with one
    /// coefficient replaced by a value of q or more, and a decapsulation key with one
    /// bit flipped anywhere, are accepted or refused alike by both sides.
    #[test]
    fn ml_kem_input_checks_agree(
        seed in proptest::array::uniform::<_, 64>(any::<u8>()),
        coefficient in 0usize..1024,
        value in 3300u16..4096,
        flip in any::<prop::sample::Index>(),
    ) {
        let (ek, dk) = Impl::ml_kem_keygen(&seed);
        // ByteEncode_12: coefficient i sits in 12 bits starting at bit 12 * i.
        let mut bad_ek = ek.clone();
        let bit = 12 * coefficient;
        let (byte, shift) = (bit / 8, bit % 8);
        let mut word = u32::from(bad_ek[byte]) | u32::from(bad_ek[byte + 1]) << 8;
        word = (word & !(0xfff << shift)) | u32::from(value) << shift;
        bad_ek[byte] = word.to_le_bytes()[0];
        bad_ek[byte + 1] = word.to_le_bytes()[1];
        let m = [7u8; 32];
        let spec = Spec::ml_kem_encaps(&bad_ek, &m);
        prop_assert_eq!(spec.is_err(), value >= 3329);
        prop_assert_eq!(spec, Impl::ml_kem_encaps(&bad_ek, &m));

        let mut bad_dk = dk;
        let bit = flip.index(bad_dk.len() * 8);
        bad_dk[bit / 8] ^= 1 << (bit % 8);
        let (c, _) = Impl::ml_kem_encaps(&ek, &m).map_err(|r| TestCaseError::fail(format!("{r:?}")))?;
        prop_assert_eq!(Spec::ml_kem_decaps(&bad_dk, &c), Impl::ml_kem_decaps(&bad_dk, &c));
    }
}

/// Lockstep's one addition to FIPS 203 §7.3, made in both: a decapsulation key whose
/// stored `ek` fails the §7.2 modulus check is refused even when its `H(ek)` was
/// recomputed to match.
#[test]
fn ml_kem_dk_with_unreduced_ek_and_matching_hash_is_refused_by_both() {
    const EK_START: usize = 384 * 4;
    const EK_END: usize = EK_START + 1568;
    let (_, mut dk) = Impl::ml_kem_keygen(&[5; 64]);
    // First coefficient of the stored ek := 4095 (>= q).
    dk[EK_START] = 0xff;
    dk[EK_START + 1] |= 0x0f;
    let hash = lockstep_spec::sha3::sha3_256(&lockstep_spec::ByteSeq::from_public_slice(
        &dk[EK_START..EK_END],
    ));
    dk[EK_END..EK_END + 32].copy_from_slice(&hash.to_public_array());
    let c = vec![0u8; 1568];
    assert_eq!(Spec::ml_kem_decaps(&dk, &c), Err(Refusal::InvalidKey));
    assert_eq!(Impl::ml_kem_decaps(&dk, &c), Err(Refusal::InvalidKey));
}
