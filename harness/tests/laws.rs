//! Algebraic laws of the primitives, checked with quickcheck on both sides.
//!
//! Each law is a property of the mathematics, not of either code base, so it is an
//! oracle independent of both: Diffie-Hellman agrees both ways, opening undoes
//! sealing, a shorter HKDF output is a prefix of a longer one (which is what lets
//! the protocol split one KDF output into several keys), HMAC pads short keys with
//! zeros, ChaCha20 is its own inverse and its keystream is one stream across calls.

use lockstep_harness::sides::{Impl, Primitives, Spec};
use quickcheck::{QuickCheck, TestResult};

fn tests() -> u64 {
    std::env::var("LOCKSTEP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100)
}

fn key32(bytes: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    for (k, b) in key.iter_mut().zip(bytes) {
        *k = *b;
    }
    key
}

fn nonce12(bytes: &[u8]) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    for (n, b) in nonce.iter_mut().zip(bytes) {
        *n = *b;
    }
    nonce
}

fn dh_agrees<P: Primitives>(a: Vec<u8>, b: Vec<u8>) -> TestResult {
    let (a, b) = (key32(&a), key32(&b));
    let ab = P::x25519_dh(&a, &P::x25519_base(&b));
    let ba = P::x25519_dh(&b, &P::x25519_base(&a));
    TestResult::from_bool(ab.is_ok() && ab == ba)
}

fn open_undoes_seal<P: Primitives>(
    key: Vec<u8>,
    nonce: Vec<u8>,
    aad: Vec<u8>,
    msg: Vec<u8>,
) -> bool {
    let (key, nonce) = (key32(&key), nonce12(&nonce));
    P::aead_seal(&key, &nonce, &aad, &msg)
        .and_then(|sealed| P::aead_open(&key, &nonce, &aad, &sealed))
        .is_ok_and(|opened| opened == msg)
}

fn hkdf_output_splits<P: Primitives>(
    salt: Vec<u8>,
    ikm: Vec<u8>,
    info: Vec<u8>,
    short: u8,
    extra: u8,
) -> bool {
    let short = usize::from(short);
    let long = short + usize::from(extra);
    match (
        P::hkdf(&salt, &ikm, &info, short),
        P::hkdf(&salt, &ikm, &info, long),
    ) {
        (Ok(s), Ok(l)) => l.starts_with(&s) && s.len() == short && l.len() == long,
        _ => false,
    }
}

fn hmac_pads_short_keys_with_zeros<P: Primitives>(key: Vec<u8>, msg: Vec<u8>) -> TestResult {
    if key.len() > 64 {
        return TestResult::discard();
    }
    let mut padded = key.clone();
    padded.resize(64, 0);
    TestResult::from_bool(P::hmac_sha256(&key, &msg) == P::hmac_sha256(&padded, &msg))
}

fn chacha20_is_an_involution<P: Primitives>(
    key: Vec<u8>,
    nonce: Vec<u8>,
    counter: u16,
    msg: Vec<u8>,
) -> bool {
    let (key, nonce) = (key32(&key), nonce12(&nonce));
    let counter = u32::from(counter);
    P::chacha20_encrypt(&key, counter, &nonce, &msg)
        .and_then(|ct| P::chacha20_encrypt(&key, counter, &nonce, &ct))
        .is_ok_and(|pt| pt == msg)
}

fn chacha20_keystream_continues<P: Primitives>(
    key: Vec<u8>,
    nonce: Vec<u8>,
    blocks: u8,
    rest: Vec<u8>,
) -> bool {
    let (key, nonce) = (key32(&key), nonce12(&nonce));
    let head = vec![0x5a; 64 * usize::from(blocks % 4)];
    let mut whole = head.clone();
    whole.extend_from_slice(&rest);
    let split = P::chacha20_encrypt(&key, 1, &nonce, &head).and_then(|mut first| {
        let second = P::chacha20_encrypt(&key, 1 + u32::from(blocks % 4), &nonce, &rest)?;
        first.extend_from_slice(&second);
        Ok(first)
    });
    split.is_ok() && split == P::chacha20_encrypt(&key, 1, &nonce, &whole)
}

macro_rules! on_both_sides {
    ($($name:ident: $law:ident as $ty:ty;)*) => {$(
        #[test]
        fn $name() {
            QuickCheck::new().tests(tests()).quickcheck($law::<Spec> as $ty);
            QuickCheck::new().tests(tests()).quickcheck($law::<Impl> as $ty);
        }
    )*};
}

on_both_sides! {
    x25519_dh_agrees_both_ways: dh_agrees as fn(Vec<u8>, Vec<u8>) -> TestResult;
    aead_open_undoes_seal: open_undoes_seal as fn(Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) -> bool;
    hkdf_shorter_output_is_a_prefix: hkdf_output_splits as fn(Vec<u8>, Vec<u8>, Vec<u8>, u8, u8) -> bool;
    hmac_key_padding: hmac_pads_short_keys_with_zeros as fn(Vec<u8>, Vec<u8>) -> TestResult;
    chacha20_involution: chacha20_is_an_involution as fn(Vec<u8>, Vec<u8>, u16, Vec<u8>) -> bool;
    chacha20_keystream_is_one_stream: chacha20_keystream_continues as fn(Vec<u8>, Vec<u8>, u8, Vec<u8>) -> bool;
}
