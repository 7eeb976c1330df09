//! Algebraic laws of the primitives, checked with quickcheck on the spec and on the
//! implementation, which must also agree with each other.
//!
//! Each law is a fact of the mathematics or of the document's construction, not of
//! either code base, so it is an oracle independent of both: Diffie-Hellman agrees
//! both ways; opening undoes sealing; the AEAD tag is Poly1305 under the §2.6
//! one-time key over §2.8's `mac_data`; a Poly1305 key with r = 0 tags every message
//! with s; a shorter HKDF output is a prefix of a longer one (which is what lets the
//! protocol split one KDF output into several keys); HMAC pads short keys with
//! zeros and hashes long ones; ChaCha20 is its own inverse, its keystream is one
//! stream across calls and its block is the keystream of zeros.
//!
//! Each law below returns the bytes it computed (or `None` if the law failed), so
//! the test can also require the spec and the implementation to have computed the
//! same bytes. `LOCKSTEP_CASES=N` sets the number of cases (default 100).

use lockstep_harness::sides::{Impl, Primitives, Spec};
use quickcheck::{QuickCheck, TestResult, Testable};

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

/// The law holds on both sides and both computed the same bytes.
fn on_both(spec: Option<Vec<u8>>, imp: Option<Vec<u8>>) -> TestResult {
    TestResult::from_bool(spec.is_some() && spec == imp)
}

/// `x25519_dh(a, B) == x25519_dh(b, A)`.
fn dh_agrees<P: Primitives>(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    let (a, b) = (key32(a), key32(b));
    let ab = P::x25519_dh(&a, &P::x25519_base(&b)).ok()?;
    let ba = P::x25519_dh(&b, &P::x25519_base(&a)).ok()?;
    (ab == ba).then(|| ab.to_vec())
}

/// `open(seal(m)) == m`.
fn open_undoes_seal<P: Primitives>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    msg: &[u8],
) -> Option<Vec<u8>> {
    let (key, nonce) = (key32(key), nonce12(nonce));
    let sealed = P::aead_seal(&key, &nonce, aad, msg).ok()?;
    let opened = P::aead_open(&key, &nonce, aad, &sealed).ok()?;
    (opened == msg).then_some(sealed)
}

/// RFC 8439 §2.8: the tag is `Poly1305(poly1305_key_gen(key, nonce), mac_data)` with
/// `mac_data = aad ‖ pad16 ‖ ct ‖ pad16 ‖ le64(len aad) ‖ le64(len ct)`, and the
/// ciphertext is ChaCha20 from counter 1.
fn aead_is_chacha20_then_poly1305<P: Primitives>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    msg: &[u8],
) -> Option<Vec<u8>> {
    let (key, nonce) = (key32(key), nonce12(nonce));
    let sealed = P::aead_seal(&key, &nonce, aad, msg).ok()?;
    let ct = P::chacha20_encrypt(&key, 1, &nonce, msg).ok()?;
    let pad16 = |data: &mut Vec<u8>| data.resize(data.len().div_ceil(16) * 16, 0);
    let mut mac_data = aad.to_vec();
    pad16(&mut mac_data);
    mac_data.extend_from_slice(&ct);
    pad16(&mut mac_data);
    mac_data.extend_from_slice(&u64::try_from(aad.len()).ok()?.to_le_bytes());
    mac_data.extend_from_slice(&u64::try_from(ct.len()).ok()?.to_le_bytes());
    let tag = P::poly1305(&P::poly1305_key_gen(&key, &nonce), &mac_data);
    let mut expected = ct;
    expected.extend_from_slice(&tag);
    (sealed == expected).then_some(sealed)
}

/// RFC 8439 §2.5: with r = 0 the polynomial vanishes and the tag is s.
fn poly1305_with_r_zero_tags_with_s<P: Primitives>(s: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    let mut key = [0u8; 32];
    key[16..].copy_from_slice(&key32(s)[..16]);
    let tag = P::poly1305(&key, msg);
    (tag[..] == key[16..]).then(|| tag.to_vec())
}

/// RFC 5869 §2.3: `T(1) ‖ T(2) ‖ ...` is one stream, so `HKDF(L)` is a prefix of
/// `HKDF(L + n)`.
fn hkdf_output_splits<P: Primitives>(
    salt: &[u8],
    ikm: &[u8],
    info: &[u8],
    short: u8,
    extra: u8,
) -> Option<Vec<u8>> {
    let short = usize::from(short);
    let long = short + usize::from(extra);
    let s = P::hkdf(salt, ikm, info, short).ok()?;
    let l = P::hkdf(salt, ikm, info, long).ok()?;
    (l.starts_with(&s) && s.len() == short && l.len() == long).then_some(l)
}

/// RFC 2104 §2: a key shorter than the block is padded with zeros to 64 bytes, and a
/// longer one is replaced by its SHA-256.
fn hmac_key_handling<P: Primitives>(key: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    let tag = P::hmac_sha256(key, msg);
    let same_key = if key.len() > 64 {
        P::sha256(key).to_vec()
    } else {
        key.to_vec()
    };
    let mut padded = same_key;
    padded.resize(64, 0);
    (tag == P::hmac_sha256(&padded, msg)).then(|| tag.to_vec())
}

/// SHA-512 and SHA-256 of the same message, concatenated: no law of their own
/// beyond agreement, which `on_both` checks.
fn hashes<P: Primitives>(msg: &[u8]) -> Option<Vec<u8>> {
    let mut out = P::sha256(msg).to_vec();
    out.extend_from_slice(&P::sha512(msg));
    Some(out)
}

/// ChaCha20 applied twice is the identity.
fn chacha20_is_an_involution<P: Primitives>(
    key: &[u8],
    nonce: &[u8],
    counter: u16,
    msg: &[u8],
) -> Option<Vec<u8>> {
    let (key, nonce) = (key32(key), nonce12(nonce));
    let counter = u32::from(counter);
    let ct = P::chacha20_encrypt(&key, counter, &nonce, msg).ok()?;
    let pt = P::chacha20_encrypt(&key, counter, &nonce, &ct).ok()?;
    (pt == msg).then_some(ct)
}

/// Encrypting `head ‖ rest` from counter 1 is encrypting `head` (whole blocks) from
/// counter 1 and `rest` from the next block on; and block `c` is the encryption of
/// 64 zero bytes from counter `c`.
fn chacha20_keystream_is_one_stream<P: Primitives>(
    key: &[u8],
    nonce: &[u8],
    blocks: u8,
    rest: &[u8],
) -> Option<Vec<u8>> {
    let (key, nonce) = (key32(key), nonce12(nonce));
    let blocks = blocks % 4;
    let head = vec![0x5a; 64 * usize::from(blocks)];
    let mut whole = head.clone();
    whole.extend_from_slice(rest);
    let mut split = P::chacha20_encrypt(&key, 1, &nonce, &head).ok()?;
    split.extend_from_slice(&P::chacha20_encrypt(&key, 1 + u32::from(blocks), &nonce, rest).ok()?);
    let joined = P::chacha20_encrypt(&key, 1, &nonce, &whole).ok()?;
    let block = P::chacha20_block(&key, u32::from(blocks), &nonce).ok()?;
    let zeros = P::chacha20_encrypt(&key, u32::from(blocks), &nonce, &[0; 64]).ok()?;
    (split == joined && block[..] == zeros[..]).then_some(joined)
}

fn check<T: Testable>(law: T) {
    QuickCheck::new().tests(tests()).quickcheck(law);
}

#[test]
fn x25519_dh_agrees_both_ways() {
    fn law(a: Vec<u8>, b: Vec<u8>) -> TestResult {
        on_both(dh_agrees::<Spec>(&a, &b), dh_agrees::<Impl>(&a, &b))
    }
    check(law as fn(_, _) -> _);
}

#[test]
fn aead_open_undoes_seal() {
    fn law(key: Vec<u8>, nonce: Vec<u8>, aad: Vec<u8>, msg: Vec<u8>) -> TestResult {
        on_both(
            open_undoes_seal::<Spec>(&key, &nonce, &aad, &msg),
            open_undoes_seal::<Impl>(&key, &nonce, &aad, &msg),
        )
    }
    check(law as fn(_, _, _, _) -> _);
}

#[test]
fn aead_is_chacha20_then_poly1305_over_mac_data() {
    fn law(key: Vec<u8>, nonce: Vec<u8>, aad: Vec<u8>, msg: Vec<u8>) -> TestResult {
        on_both(
            aead_is_chacha20_then_poly1305::<Spec>(&key, &nonce, &aad, &msg),
            aead_is_chacha20_then_poly1305::<Impl>(&key, &nonce, &aad, &msg),
        )
    }
    check(law as fn(_, _, _, _) -> _);
}

#[test]
fn poly1305_r_zero_gives_s() {
    fn law(s: Vec<u8>, msg: Vec<u8>) -> TestResult {
        on_both(
            poly1305_with_r_zero_tags_with_s::<Spec>(&s, &msg),
            poly1305_with_r_zero_tags_with_s::<Impl>(&s, &msg),
        )
    }
    check(law as fn(_, _) -> _);
}

#[test]
fn hkdf_shorter_output_is_a_prefix() {
    fn law(salt: Vec<u8>, ikm: Vec<u8>, info: Vec<u8>, short: u8, extra: u8) -> TestResult {
        on_both(
            hkdf_output_splits::<Spec>(&salt, &ikm, &info, short, extra),
            hkdf_output_splits::<Impl>(&salt, &ikm, &info, short, extra),
        )
    }
    check(law as fn(_, _, _, _, _) -> _);
}

#[test]
fn hmac_pads_short_keys_and_hashes_long_ones() {
    fn law(key: Vec<u8>, long: bool, msg: Vec<u8>) -> TestResult {
        // Half the cases take a key over the 64-byte block.
        let key = if long {
            key.repeat(65 / key.len().max(1) + 1)
        } else {
            key
        };
        on_both(
            hmac_key_handling::<Spec>(&key, &msg),
            hmac_key_handling::<Impl>(&key, &msg),
        )
    }
    check(law as fn(_, _, _) -> _);
}

#[test]
fn sha2_spec_agrees_with_impl() {
    fn law(msg: Vec<u8>) -> TestResult {
        on_both(hashes::<Spec>(&msg), hashes::<Impl>(&msg))
    }
    check(law as fn(_) -> _);
}

#[test]
fn chacha20_involution() {
    fn law(key: Vec<u8>, nonce: Vec<u8>, counter: u16, msg: Vec<u8>) -> TestResult {
        on_both(
            chacha20_is_an_involution::<Spec>(&key, &nonce, counter, &msg),
            chacha20_is_an_involution::<Impl>(&key, &nonce, counter, &msg),
        )
    }
    check(law as fn(_, _, _, _) -> _);
}

#[test]
fn chacha20_keystream_one_stream() {
    fn law(key: Vec<u8>, nonce: Vec<u8>, blocks: u8, rest: Vec<u8>) -> TestResult {
        on_both(
            chacha20_keystream_is_one_stream::<Spec>(&key, &nonce, blocks, &rest),
            chacha20_keystream_is_one_stream::<Impl>(&key, &nonce, blocks, &rest),
        )
    }
    check(law as fn(_, _, _, _) -> _);
}
