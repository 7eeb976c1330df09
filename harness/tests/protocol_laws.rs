//! Laws of the protocol's key schedule (docs/SPEC.md §4.1, §4.2), checked with
//! quickcheck on the spec's and the implementation's ratchet functions, which must
//! also agree with each other.
//!
//! Each law restates a line of SPEC.md with the primitives alone (HKDF, HMAC, X25519
//! and the AEAD of `lockstep_harness::sides`, themselves checked on the RFC and
//! Wycheproof vectors), with the labels and constants written out here as SPEC.md
//! gives them, not taken from either code base:
//!
//! - `KDF_RK(rk, dh)` is `HKDF(salt = rk, ikm = dh, "Lockstep_Ratchet", 64)` split
//!   32 | 32, and both parties of a DH ratchet step get the same root and chain
//!   keys (DH agreement, through the KDF);
//! - `KDF_CK(ck)` is `(HMAC(ck, 0x02), HMAC(ck, 0x01))`;
//! - a message key's AEAD key and nonce are `HKDF(0^32, mk, "Lockstep_MessageKeys",
//!   44)` split 32 | 12;
//! - `DECRYPT(mk, ENCRYPT(mk, pt, ad), ad) = pt`, and `ENCRYPT` is the AEAD under
//!   that key and nonce.
//!
//! `LOCKSTEP_CASES=N` sets the number of cases (default 100; 20 for the law that
//! runs the spec's X25519, the slowest spec primitive but XEdDSA: BENCHMARKS.md).

use lockstep::ratchet as imp;
use lockstep_harness::sides::{Primitives, Spec};
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use quickcheck::{QuickCheck, TestResult, Testable};

fn tests(default: u64) -> u64 {
    std::env::var("LOCKSTEP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn check<T: Testable>(default: u64, law: T) {
    QuickCheck::new().tests(tests(default)).quickcheck(law);
}

fn key32(bytes: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    for (k, b) in key.iter_mut().zip(bytes) {
        *k = *b;
    }
    key
}

/// SPEC §4.1: `HKDF(salt = rk, ikm = dh, "Lockstep_Ratchet", 64)` split 32 | 32.
fn kdf_rk_expected(rk: &[u8; 32], dh: &[u8; 32]) -> Option<([u8; 32], [u8; 32])> {
    let okm = Spec::hkdf(rk, dh, b"Lockstep_Ratchet", 64).ok()?;
    Some((key32(&okm[..32]), key32(&okm[32..])))
}

fn spec_kdf_rk(rk: &[u8; 32], dh: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let (rk, ck) = spec::ratchet::kdf_rk(
        &spec::ratchet::RootKey::from_public_slice(rk),
        &spec::x25519::X25519SerializedPoint::from_public_slice(dh),
    );
    (
        key32(&ByteSeq::from_seq(&rk).to_native()),
        key32(&ByteSeq::from_seq(&ck).to_native()),
    )
}

#[test]
fn kdf_rk_is_hkdf_split_and_both_parties_agree() {
    fn law(rk: Vec<u8>, a: Vec<u8>, b: Vec<u8>) -> TestResult {
        let (rk, a, b) = (key32(&rk), key32(&a), key32(&b));
        // Alice's DH(a, B) and Bob's DH(b, A), on the spec's X25519.
        let (Ok(ab), Ok(ba)) = (
            Spec::x25519_dh(&a, &Spec::x25519_base(&b)),
            Spec::x25519_dh(&b, &Spec::x25519_base(&a)),
        ) else {
            return TestResult::discard();
        };
        let Some(expected) = kdf_rk_expected(&rk, &ab) else {
            return TestResult::failed();
        };
        // The implementation, from its own DH.
        let alice = lockstep::x25519::PrivateKey::from_bytes(a);
        let bob = lockstep::x25519::PrivateKey::from_bytes(b);
        let Ok(dh) = alice.diffie_hellman(&bob.public_key()) else {
            return TestResult::failed();
        };
        let (imp_rk, imp_ck) = imp::kdf_rk(&imp::RootKey::from_bytes(rk), &dh);
        let imp_out = (*imp_rk.expose_secret(), *imp_ck.expose_secret());
        TestResult::from_bool(
            spec_kdf_rk(&rk, &ab) == expected
                && spec_kdf_rk(&rk, &ba) == expected
                && imp_out == expected,
        )
    }
    check(20, law as fn(Vec<u8>, Vec<u8>, Vec<u8>) -> TestResult);
}

#[test]
fn kdf_ck_is_two_hmacs() {
    fn law(ck: Vec<u8>) -> TestResult {
        let ck = key32(&ck);
        let next = Spec::hmac_sha256(&ck, &[0x02]);
        let mk = Spec::hmac_sha256(&ck, &[0x01]);
        let (s_next, s_mk) =
            spec::ratchet::kdf_ck(&spec::ratchet::ChainKey::from_public_slice(&ck));
        let (i_next, i_mk) = imp::kdf_ck(&imp::ChainKey::from_bytes(ck));
        TestResult::from_bool(
            key32(&ByteSeq::from_seq(&s_next).to_native()) == next
                && key32(&ByteSeq::from_seq(&s_mk).to_native()) == mk
                && *i_next.expose_secret() == next
                && *i_mk.expose_secret() == mk
                && next != mk,
        )
    }
    check(100, law as fn(Vec<u8>) -> TestResult);
}

#[test]
fn message_keys_are_hkdf_split_and_encrypt_is_the_aead_under_them() {
    fn law(mk: Vec<u8>, ad: Vec<u8>, pt: Vec<u8>) -> TestResult {
        let mk = key32(&mk);
        let Ok(okm) = Spec::hkdf(&[0u8; 32], &mk, b"Lockstep_MessageKeys", 44) else {
            return TestResult::failed();
        };
        let (key, nonce) = (&okm[..32], &okm[32..]);
        let Ok(expected) = Spec::aead_seal(key, nonce, &ad, &pt) else {
            return TestResult::failed();
        };
        // The spec: its key material, and ENCRYPT.
        let s_mk = spec::ratchet::MessageKey::from_public_slice(&mk);
        let (s_key, s_nonce) = spec::ratchet::message_key_material(&s_mk);
        let s_material = [
            ByteSeq::from_seq(&s_key).to_native(),
            ByteSeq::from_seq(&s_nonce).to_native(),
        ]
        .concat();
        let (ad_seq, pt_seq) = (
            ByteSeq::from_public_slice(&ad),
            ByteSeq::from_public_slice(&pt),
        );
        let Ok(s_sealed) = spec::ratchet::encrypt(&s_mk, &pt_seq, &ad_seq) else {
            return TestResult::failed();
        };
        let s_opened = spec::ratchet::decrypt(&s_mk, &s_sealed, &ad_seq).map(|p| p.to_native());
        // The implementation: ENCRYPT and DECRYPT.
        let i_mk = imp::MessageKey::from_bytes(mk);
        let Ok(i_sealed) = imp::encrypt(&i_mk, &pt, &ad) else {
            return TestResult::failed();
        };
        let i_opened = imp::decrypt(&i_mk, &i_sealed, &ad);
        TestResult::from_bool(
            s_material == okm
                && s_sealed.to_native() == expected
                && i_sealed == expected
                && s_opened.as_deref() == Ok(&pt[..])
                && i_opened.as_deref() == Ok(&pt[..]),
        )
    }
    check(100, law as fn(Vec<u8>, Vec<u8>, Vec<u8>) -> TestResult);
}
