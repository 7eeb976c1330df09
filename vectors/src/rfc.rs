//! Known-answer vectors from the RFCs and FIPS 180-2, stored as JSON in `vectors/rfc/`.
//!
//! Each loader parses one embedded file (`include_str!`, so nothing is read at run
//! time), decodes the hex, checks every fixed length, and returns the vectors in file
//! order. Every vector keeps its `id` (unique in its file, e.g. `rfc8439_2_4_2`) and its
//! `source` (document, section or appendix, test number), so a failing test can name
//! the exact place in the document.
//!
//! # File format
//!
//! Every file except `x25519.json` is one JSON object:
//!
//! ```json
//! {
//!   "primitive": "Poly1305",
//!   "source": "RFC 8439 (...), Section 2.5.2 and Appendix A.3",
//!   "notes": "how the values were obtained, and anything adapted",
//!   "vectors": [ { "id": "rfc8439_2_5_2", "source": "RFC 8439 Section 2.5.2 (...)", ... } ]
//! }
//! ```
//!
//! Byte fields are lowercase hex strings (`""` is the empty string); integers are JSON
//! numbers. Unknown fields are rejected. The vector fields of each file:
//!
//! | file | loader | vector fields |
//! | --- | --- | --- |
//! | `sha256.json` | [`sha256`] | `input` (hex), `repeat` (integer ≥ 1, default 1: the message is `input` repeated `repeat` times), `digest` (32 bytes) |
//! | `sha512.json` | [`sha512`] | as `sha256.json`, `digest` 64 bytes |
//! | `hmac_sha256.json` | [`hmac_sha256`] | `key`, `data`, `mac` (32 bytes, or `truncated_to` bytes), `truncated_to` (optional integer: only the first that many bytes of the MAC are published) |
//! | `hkdf_sha256.json` | [`hkdf_sha256`] | `ikm`, `salt`, `info`, `length` (integer L), `prk` (32 bytes), `okm` (`length` bytes) |
//! | `chacha20_quarter_round.json` | [`chacha20_quarter_round`] | `state` (16 u32 numbers), `indices` (4 numbers below 16: a, b, c, d), `expected` (16 u32 numbers) |
//! | `chacha20_block.json` | [`chacha20_block`] | `key` (32 bytes), `nonce` (12 bytes), `counter` (u32), `keystream` (the 64-byte serialized block) |
//! | `chacha20.json` | [`chacha20`] | `key` (32), `nonce` (12), `counter` (u32, initial block counter), `plaintext`, `ciphertext` (same length) |
//! | `poly1305.json` | [`poly1305`] | `key` (32 bytes, r then s), `message`, `tag` (16) |
//! | `poly1305_key_gen.json` | [`poly1305_key_gen`] | `key` (32), `nonce` (12), `otk` (32: the one-time key) |
//! | `chacha20_poly1305.json` | [`chacha20_poly1305`] | `key` (32), `nonce` (12), `aad`, `plaintext`, `ciphertext` (same length as `plaintext`, tag not included), `tag` (16) |
//!
//! `x25519.json` has the same `primitive`, `source` and `notes` but three arrays in place
//! of `vectors`:
//!
//! | array | loader | vector fields |
//! | --- | --- | --- |
//! | `scalar_mult` | [`x25519`] | `scalar`, `u`, `output` (32 bytes each): X25519(scalar, u) = output |
//! | `iterated` | [`x25519_iterated`] | `iterations` (u32), `output` (32 bytes): start with k = u = 9; each iteration sets (k, u) = (X25519(k, u), k); `output` is the final k |
//! | `dh` | [`x25519_dh`] | `alice_private`, `alice_public`, `bob_private`, `bob_public`, `shared` (32 bytes each) |
//!
//! Where each file's values come from, and how they were checked, is in its `notes`
//! and in `vectors/README.md`.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::decode::{array, bytes, check_provenance, fixed, invalid, sized};

// ---------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------

/// A hash known answer: `digest = H(message())`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashVector {
    /// Unique in its file, e.g. `fips180_2_b_1`.
    pub id: String,
    /// Document, section and example number.
    pub source: String,
    /// The repeated unit of the message.
    pub input: Vec<u8>,
    /// How many times `input` is repeated (at least 1).
    pub repeat: u64,
    /// The expected digest (32 bytes for SHA-256, 64 for SHA-512).
    pub digest: Vec<u8>,
}

impl HashVector {
    /// The message: `input` repeated `repeat` times (one million bytes for the
    /// FIPS 180-2 long-message examples).
    #[must_use]
    pub fn message(&self) -> Vec<u8> {
        let mut message = Vec::new();
        for _ in 0..self.repeat {
            message.extend_from_slice(&self.input);
        }
        message
    }
}

/// An HMAC-SHA-256 known answer (RFC 4231).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmacVector {
    /// Unique in its file, e.g. `rfc4231_test_case_5`.
    pub id: String,
    /// Document, section and test case.
    pub source: String,
    /// The HMAC key.
    pub key: Vec<u8>,
    /// The message.
    pub data: Vec<u8>,
    /// The expected MAC, or its first `truncated_to` bytes.
    pub mac: Vec<u8>,
    /// When set, only the first this many bytes of the MAC are published (and `mac`
    /// has exactly that length): compare the prefix.
    pub truncated_to: Option<usize>,
}

/// An HKDF-SHA-256 known answer (RFC 5869).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HkdfVector {
    /// Unique in its file, e.g. `rfc5869_a_1`.
    pub id: String,
    /// Document and appendix.
    pub source: String,
    /// Input keying material.
    pub ikm: Vec<u8>,
    /// Salt (empty means HashLen zero bytes, RFC 5869 §2.2).
    pub salt: Vec<u8>,
    /// Context and application specific information.
    pub info: Vec<u8>,
    /// L, the output length in bytes (equals `okm.len()`).
    pub length: usize,
    /// HKDF-Extract(salt, ikm).
    pub prk: Vec<u8>,
    /// HKDF-Expand(prk, info, length).
    pub okm: Vec<u8>,
}

/// A ChaCha quarter-round known answer (RFC 8439 §2.1.1, §2.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterRoundVector {
    /// Unique in its file, e.g. `rfc8439_2_2_1`.
    pub id: String,
    /// Document and section.
    pub source: String,
    /// The 16-word state before the quarter round.
    pub state: [u32; 16],
    /// The positions a, b, c, d of QUARTERROUND(a, b, c, d), each below 16.
    pub indices: [usize; 4],
    /// The 16-word state after it.
    pub expected: [u32; 16],
}

/// A ChaCha20 block-function known answer (RFC 8439 §2.3.2, Appendix A.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChaCha20BlockVector {
    /// Unique in its file, e.g. `rfc8439_a_1_vector_1`.
    pub id: String,
    /// Document, section and test vector.
    pub source: String,
    /// The 256-bit key.
    pub key: [u8; 32],
    /// The 96-bit nonce.
    pub nonce: [u8; 12],
    /// The block counter.
    pub counter: u32,
    /// The serialized 64-byte block.
    pub keystream: Vec<u8>,
}

/// A ChaCha20 encryption known answer (RFC 8439 §2.4.2, Appendix A.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChaCha20Vector {
    /// Unique in its file, e.g. `rfc8439_2_4_2`.
    pub id: String,
    /// Document, section and test vector.
    pub source: String,
    /// The 256-bit key.
    pub key: [u8; 32],
    /// The 96-bit nonce.
    pub nonce: [u8; 12],
    /// The initial block counter.
    pub counter: u32,
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The ciphertext (same length as the plaintext).
    pub ciphertext: Vec<u8>,
}

/// A Poly1305 known answer (RFC 8439 §2.5.2, Appendix A.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poly1305Vector {
    /// Unique in its file, e.g. `rfc8439_a_3_vector_11`.
    pub id: String,
    /// Document, section and test vector.
    pub source: String,
    /// The one-time key r || s (r not yet clamped).
    pub key: [u8; 32],
    /// The message.
    pub message: Vec<u8>,
    /// The expected tag.
    pub tag: [u8; 16],
}

/// A Poly1305 key-generation known answer (RFC 8439 §2.6.2, Appendix A.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poly1305KeyGenVector {
    /// Unique in its file, e.g. `rfc8439_2_6_2`.
    pub id: String,
    /// Document, section and test vector.
    pub source: String,
    /// The ChaCha20 key.
    pub key: [u8; 32],
    /// The nonce.
    pub nonce: [u8; 12],
    /// The one-time key: the first 32 bytes of the block with counter 0.
    pub otk: [u8; 32],
}

/// An AEAD_CHACHA20_POLY1305 known answer (RFC 8439 §2.8.2, Appendix A.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeadVector {
    /// Unique in its file, e.g. `rfc8439_a_5`.
    pub id: String,
    /// Document, section and test vector.
    pub source: String,
    /// The 256-bit key.
    pub key: [u8; 32],
    /// The 96-bit nonce.
    pub nonce: [u8; 12],
    /// Additional authenticated data.
    pub aad: Vec<u8>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The ciphertext without the tag (same length as the plaintext).
    pub ciphertext: Vec<u8>,
    /// The tag.
    pub tag: [u8; 16],
}

/// An X25519 scalar-multiplication known answer (RFC 7748 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X25519Vector {
    /// Unique in its file, e.g. `rfc7748_5_2_vector_1`.
    pub id: String,
    /// Document, section and vector.
    pub source: String,
    /// The scalar, as printed (not yet clamped).
    pub scalar: [u8; 32],
    /// The input u-coordinate, as printed (its top bit may be set and must be ignored).
    pub u: [u8; 32],
    /// X25519(scalar, u).
    pub output: [u8; 32],
}

/// An iterated X25519 known answer (RFC 7748 §5.2).
///
/// Start with k = u = 9 (the byte 9 followed by 31 zero bytes); each iteration sets
/// (k, u) = (X25519(k, u), k); `output` is k after `iterations` iterations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X25519IteratedVector {
    /// Unique in its file, e.g. `rfc7748_5_2_iterated_1000`.
    pub id: String,
    /// Document, section and iteration count.
    pub source: String,
    /// How many iterations (1, 1000 or 1000000 in RFC 7748).
    pub iterations: u32,
    /// k after that many iterations.
    pub output: [u8; 32],
}

/// An X25519 Diffie-Hellman known answer (RFC 7748 §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X25519DhVector {
    /// Unique in its file, e.g. `rfc7748_6_1`.
    pub id: String,
    /// Document and section.
    pub source: String,
    /// Alice's private key.
    pub alice_private: [u8; 32],
    /// X25519(alice_private, 9).
    pub alice_public: [u8; 32],
    /// Bob's private key.
    pub bob_private: [u8; 32],
    /// X25519(bob_private, 9).
    pub bob_public: [u8; 32],
    /// X25519(alice_private, bob_public) = X25519(bob_private, alice_public).
    pub shared: [u8; 32],
}

// ---------------------------------------------------------------------------------
// Loaders
// ---------------------------------------------------------------------------------

/// SHA-256 vectors: `rfc/sha256.json` (FIPS 180-2 Appendix B and the empty message).
///
/// # Errors
/// [`Error`] if the embedded file is malformed; never for well-formed data.
pub fn sha256() -> Result<Vec<HashVector>, Error> {
    hash_vectors(
        "rfc/sha256.json",
        include_str!("../rfc/sha256.json"),
        SHA256_LEN,
    )
}

/// SHA-512 vectors: `rfc/sha512.json` (FIPS 180-2 Appendix C and the empty message).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn sha512() -> Result<Vec<HashVector>, Error> {
    hash_vectors(
        "rfc/sha512.json",
        include_str!("../rfc/sha512.json"),
        SHA512_LEN,
    )
}

/// HMAC-SHA-256 vectors: `rfc/hmac_sha256.json` (RFC 4231 §4.2–§4.8, test cases 1–7).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn hmac_sha256() -> Result<Vec<HmacVector>, Error> {
    const FILE: &str = "rfc/hmac_sha256.json";
    let raw: File<RawHmac> = parse(FILE, include_str!("../rfc/hmac_sha256.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        if let Some(n) = v.truncated_to
            && (n == 0 || n > SHA256_LEN)
        {
            return Err(invalid(&v.id, "truncated_to", "must be 1 to 32 bytes"));
        }
        let mac_len = v.truncated_to.unwrap_or(SHA256_LEN);
        out.push(HmacVector {
            key: bytes(&v.id, "key", &v.key)?,
            data: bytes(&v.id, "data", &v.data)?,
            mac: sized(&v.id, "mac", &v.mac, mac_len)?,
            truncated_to: v.truncated_to,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// HKDF-SHA-256 vectors: `rfc/hkdf_sha256.json` (RFC 5869 Appendix A.1–A.3).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn hkdf_sha256() -> Result<Vec<HkdfVector>, Error> {
    const FILE: &str = "rfc/hkdf_sha256.json";
    let raw: File<RawHkdf> = parse(FILE, include_str!("../rfc/hkdf_sha256.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        if v.length > HKDF_SHA256_MAX_LEN {
            return Err(invalid(&v.id, "length", "over 255 * HashLen"));
        }
        out.push(HkdfVector {
            ikm: bytes(&v.id, "ikm", &v.ikm)?,
            salt: bytes(&v.id, "salt", &v.salt)?,
            info: bytes(&v.id, "info", &v.info)?,
            length: v.length,
            prk: sized(&v.id, "prk", &v.prk, SHA256_LEN)?,
            okm: sized(&v.id, "okm", &v.okm, v.length)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// ChaCha quarter-round vectors: `rfc/chacha20_quarter_round.json` (RFC 8439 §2.1.1,
/// §2.2.1). §2.1.1 gives only a, b, c, d: they sit in words 0..3 of a zero state.
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn chacha20_quarter_round() -> Result<Vec<QuarterRoundVector>, Error> {
    const FILE: &str = "rfc/chacha20_quarter_round.json";
    let raw: File<RawQuarterRound> =
        parse(FILE, include_str!("../rfc/chacha20_quarter_round.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        let indices: [usize; 4] = fixed(&v.id, "indices", v.indices)?;
        for index in indices {
            if index >= CHACHA_STATE_WORDS {
                return Err(invalid(&v.id, "indices", "a state index must be below 16"));
            }
        }
        out.push(QuarterRoundVector {
            state: fixed(&v.id, "state", v.state)?,
            indices,
            expected: fixed(&v.id, "expected", v.expected)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// ChaCha20 block-function vectors: `rfc/chacha20_block.json` (RFC 8439 §2.3.2,
/// Appendix A.1 test vectors 1–5).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn chacha20_block() -> Result<Vec<ChaCha20BlockVector>, Error> {
    const FILE: &str = "rfc/chacha20_block.json";
    let raw: File<RawChaCha20Block> = parse(FILE, include_str!("../rfc/chacha20_block.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        out.push(ChaCha20BlockVector {
            key: array(&v.id, "key", &v.key)?,
            nonce: array(&v.id, "nonce", &v.nonce)?,
            counter: v.counter,
            keystream: sized(&v.id, "keystream", &v.keystream, CHACHA_BLOCK_LEN)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// ChaCha20 encryption vectors: `rfc/chacha20.json` (RFC 8439 §2.4.2, Appendix A.2
/// test vectors 1–3).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn chacha20() -> Result<Vec<ChaCha20Vector>, Error> {
    const FILE: &str = "rfc/chacha20.json";
    let raw: File<RawChaCha20> = parse(FILE, include_str!("../rfc/chacha20.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        let plaintext = bytes(&v.id, "plaintext", &v.plaintext)?;
        out.push(ChaCha20Vector {
            key: array(&v.id, "key", &v.key)?,
            nonce: array(&v.id, "nonce", &v.nonce)?,
            counter: v.counter,
            ciphertext: sized(&v.id, "ciphertext", &v.ciphertext, plaintext.len())?,
            plaintext,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// Poly1305 vectors: `rfc/poly1305.json` (RFC 8439 §2.5.2, Appendix A.3 test vectors
/// 1–11).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn poly1305() -> Result<Vec<Poly1305Vector>, Error> {
    const FILE: &str = "rfc/poly1305.json";
    let raw: File<RawPoly1305> = parse(FILE, include_str!("../rfc/poly1305.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        out.push(Poly1305Vector {
            key: array(&v.id, "key", &v.key)?,
            message: bytes(&v.id, "message", &v.message)?,
            tag: array(&v.id, "tag", &v.tag)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// Poly1305 key-generation vectors: `rfc/poly1305_key_gen.json` (RFC 8439 §2.6.2,
/// Appendix A.4 test vectors 1–3).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn poly1305_key_gen() -> Result<Vec<Poly1305KeyGenVector>, Error> {
    const FILE: &str = "rfc/poly1305_key_gen.json";
    let raw: File<RawPoly1305KeyGen> = parse(FILE, include_str!("../rfc/poly1305_key_gen.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        out.push(Poly1305KeyGenVector {
            key: array(&v.id, "key", &v.key)?,
            nonce: array(&v.id, "nonce", &v.nonce)?,
            otk: array(&v.id, "otk", &v.otk)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// AEAD_CHACHA20_POLY1305 vectors: `rfc/chacha20_poly1305.json` (RFC 8439 §2.8.2,
/// Appendix A.5).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn chacha20_poly1305() -> Result<Vec<AeadVector>, Error> {
    const FILE: &str = "rfc/chacha20_poly1305.json";
    let raw: File<RawAead> = parse(FILE, include_str!("../rfc/chacha20_poly1305.json"))?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        let plaintext = bytes(&v.id, "plaintext", &v.plaintext)?;
        out.push(AeadVector {
            key: array(&v.id, "key", &v.key)?,
            nonce: array(&v.id, "nonce", &v.nonce)?,
            aad: bytes(&v.id, "aad", &v.aad)?,
            ciphertext: sized(&v.id, "ciphertext", &v.ciphertext, plaintext.len())?,
            plaintext,
            tag: array(&v.id, "tag", &v.tag)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// X25519 scalar-multiplication vectors: the `scalar_mult` array of `rfc/x25519.json`
/// (RFC 7748 §5.2, the two single vectors).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn x25519() -> Result<Vec<X25519Vector>, Error> {
    let raw = x25519_file()?;
    let mut out = Vec::with_capacity(raw.scalar_mult.len());
    for v in raw.scalar_mult {
        check_source(&v.id, &v.source)?;
        out.push(X25519Vector {
            scalar: array(&v.id, "scalar", &v.scalar)?,
            u: array(&v.id, "u", &v.u)?,
            output: array(&v.id, "output", &v.output)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// Iterated X25519 vectors: the `iterated` array of `rfc/x25519.json` (RFC 7748 §5.2:
/// after 1, 1,000 and 1,000,000 iterations).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn x25519_iterated() -> Result<Vec<X25519IteratedVector>, Error> {
    let raw = x25519_file()?;
    let mut out = Vec::with_capacity(raw.iterated.len());
    for v in raw.iterated {
        check_source(&v.id, &v.source)?;
        out.push(X25519IteratedVector {
            iterations: v.iterations,
            output: array(&v.id, "output", &v.output)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

/// X25519 Diffie-Hellman vectors: the `dh` array of `rfc/x25519.json` (RFC 7748 §6.1).
///
/// # Errors
/// [`Error`] if the embedded file is malformed.
pub fn x25519_dh() -> Result<Vec<X25519DhVector>, Error> {
    let raw = x25519_file()?;
    let mut out = Vec::with_capacity(raw.dh.len());
    for v in raw.dh {
        check_source(&v.id, &v.source)?;
        out.push(X25519DhVector {
            alice_private: array(&v.id, "alice_private", &v.alice_private)?,
            alice_public: array(&v.id, "alice_public", &v.alice_public)?,
            bob_private: array(&v.id, "bob_private", &v.bob_private)?,
            bob_public: array(&v.id, "bob_public", &v.bob_public)?,
            shared: array(&v.id, "shared", &v.shared)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------
// The files as stored: hex stays a string until the vector's id is known, so that a
// bad field is reported with the id and field name.
// ---------------------------------------------------------------------------------

/// SHA-256 output and HMAC-SHA-256 / HKDF-SHA-256 HashLen, in bytes.
const SHA256_LEN: usize = 32;
/// SHA-512 output, in bytes.
const SHA512_LEN: usize = 64;
/// RFC 5869 §2.3: L <= 255 * HashLen.
const HKDF_SHA256_MAX_LEN: usize = 255 * SHA256_LEN;
/// The ChaCha state is 16 words (RFC 8439 §2.3).
const CHACHA_STATE_WORDS: usize = 16;
/// One serialized ChaCha20 block, in bytes.
const CHACHA_BLOCK_LEN: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File<V> {
    primitive: String,
    source: String,
    notes: String,
    vectors: Vec<V>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHash {
    id: String,
    source: String,
    input: String,
    #[serde(default = "one")]
    repeat: u64,
    digest: String,
}

fn one() -> u64 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHmac {
    id: String,
    source: String,
    key: String,
    data: String,
    mac: String,
    #[serde(default)]
    truncated_to: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHkdf {
    id: String,
    source: String,
    ikm: String,
    salt: String,
    info: String,
    length: usize,
    prk: String,
    okm: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuarterRound {
    id: String,
    source: String,
    state: Vec<u32>,
    indices: Vec<usize>,
    expected: Vec<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChaCha20Block {
    id: String,
    source: String,
    key: String,
    nonce: String,
    counter: u32,
    keystream: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChaCha20 {
    id: String,
    source: String,
    key: String,
    nonce: String,
    counter: u32,
    plaintext: String,
    ciphertext: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoly1305 {
    id: String,
    source: String,
    key: String,
    message: String,
    tag: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoly1305KeyGen {
    id: String,
    source: String,
    key: String,
    nonce: String,
    otk: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAead {
    id: String,
    source: String,
    key: String,
    nonce: String,
    aad: String,
    plaintext: String,
    ciphertext: String,
    tag: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawX25519File {
    primitive: String,
    source: String,
    notes: String,
    scalar_mult: Vec<RawX25519>,
    iterated: Vec<RawX25519Iterated>,
    dh: Vec<RawX25519Dh>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawX25519 {
    id: String,
    source: String,
    scalar: String,
    u: String,
    output: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawX25519Iterated {
    id: String,
    source: String,
    iterations: u32,
    output: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawX25519Dh {
    id: String,
    source: String,
    alice_private: String,
    alice_public: String,
    bob_private: String,
    bob_public: String,
    shared: String,
}

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

fn hash_vectors(
    file: &'static str,
    text: &str,
    digest_len: usize,
) -> Result<Vec<HashVector>, Error> {
    let raw: File<RawHash> = parse(file, text)?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        check_source(&v.id, &v.source)?;
        if v.repeat == 0 {
            return Err(invalid(&v.id, "repeat", "must be at least 1"));
        }
        out.push(HashVector {
            input: bytes(&v.id, "input", &v.input)?,
            repeat: v.repeat,
            digest: sized(&v.id, "digest", &v.digest, digest_len)?,
            id: v.id,
            source: v.source,
        });
    }
    Ok(out)
}

fn x25519_file() -> Result<RawX25519File, Error> {
    const FILE: &str = "rfc/x25519.json";
    let raw: RawX25519File = serde_json::from_str(include_str!("../rfc/x25519.json"))
        .map_err(|source| Error::Json { file: FILE, source })?;
    check_provenance(FILE, &raw.primitive, &raw.source, &raw.notes)?;
    Ok(raw)
}

/// Parses a file with a `vectors` array and checks its own provenance fields.
fn parse<V: DeserializeOwned>(file: &'static str, text: &str) -> Result<File<V>, Error> {
    let raw: File<V> = serde_json::from_str(text).map_err(|source| Error::Json { file, source })?;
    check_provenance(file, &raw.primitive, &raw.source, &raw.notes)?;
    Ok(raw)
}

fn check_source(id: &str, source: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        return Err(invalid(id, "id", "must not be empty"));
    }
    if source.trim().is_empty() {
        return Err(invalid(id, "source", "must not be empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_length_names_vector_and_field() {
        let err = array::<12>("rfc8439_2_4_2", "nonce", "0000").unwrap_err();
        assert!(matches!(
            err,
            Error::Length { ref id, field: "nonce", expected: 12, actual: 2 } if id == "rfc8439_2_4_2"
        ));
        let err = sized("v", "digest", "00", 32).unwrap_err();
        assert!(matches!(
            err,
            Error::Length {
                field: "digest",
                expected: 32,
                actual: 1,
                ..
            }
        ));
        let err = fixed::<u32, 16>("v", "state", vec![0; 15]).unwrap_err();
        assert!(matches!(
            err,
            Error::Length {
                field: "state",
                expected: 16,
                actual: 15,
                ..
            }
        ));
    }

    #[test]
    fn bad_hex_names_vector_and_field() {
        for text in ["0g", "000", "AB"] {
            let err = bytes("v1", "key", text).unwrap_err();
            assert!(
                matches!(err, Error::Hex { ref id, field: "key" } if id == "v1"),
                "{text}"
            );
        }
        assert_eq!(bytes("v1", "key", "").unwrap(), Vec::<u8>::new());
        assert_eq!(bytes("v1", "key", "00ff").unwrap(), vec![0x00, 0xff]);
    }

    #[test]
    fn file_without_provenance_is_rejected() {
        let text = r#"{"primitive": "p", "source": " ", "notes": "n", "vectors": []}"#;
        let err = parse::<RawPoly1305>("t.json", text).err().unwrap();
        assert!(matches!(
            err,
            Error::Invalid {
                field: "source",
                ..
            }
        ));
    }

    #[test]
    fn unknown_field_is_rejected() {
        let text = r#"{"primitive": "p", "source": "s", "notes": "n", "vectors": [
            {"id": "a", "source": "s", "key": "", "message": "", "tag": "", "extra": 1}]}"#;
        let err = parse::<RawPoly1305>("t.json", text).err().unwrap();
        assert!(matches!(err, Error::Json { file: "t.json", .. }));
    }

    #[test]
    fn repeat_defaults_to_one() {
        let text = r#"{"primitive": "p", "source": "s", "notes": "n", "vectors": [
            {"id": "a", "source": "s", "input": "616263", "digest": ""}]}"#;
        let raw = parse::<RawHash>("t.json", text).unwrap();
        assert_eq!(raw.vectors[0].repeat, 1);
    }
}
