//! The two sides of every comparison, behind one byte-level interface.
//!
//! [`Spec`] runs `lockstep-spec`; [`Impl`] runs `lockstep` and, for the primitives
//! `lockstep` uses but does not expose on their own (raw SHA-2, the ChaCha20 block
//! function, raw Poly1305, the raw X25519 function), the audited crates it is built
//! on. Every vector suite and every property test is written once, against
//! [`Primitives`], and run on both.

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;

/// Why a side refused an input, in terms both sides share.
///
/// Vector suites and differential tests compare refusals as well as outputs: the
/// spec and the implementation must refuse the same inputs for the same reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A fixed-size input (key, nonce, scalar, point) had the wrong length: refused
    /// at the type boundary, before any primitive ran.
    BadLength,
    /// RFC 5869 §2.3: more HKDF output than `255 * HashLen` bytes was asked for.
    OutputTooLong,
    /// RFC 8439 §2.4 and §2.8: the message is too long for the 32-bit ChaCha20
    /// block counter, which would wrap.
    CounterOverflow,
    /// The AEAD tag (or a MAC) did not verify.
    Authentication,
    /// RFC 7748 §6.1: the X25519 output is all zeros.
    NonContributory,
    /// FIPS 203 §7.2/§7.3: an ML-KEM key failed its input check.
    InvalidKey,
    /// An implementation error with no twin in the spec: any such refusal makes the
    /// comparison fail.
    Unclassified,
}

/// One side's primitives, with plain byte types at the boundary.
pub trait Primitives {
    /// `"spec"` or `"impl"`, for reports.
    const NAME: &'static str;

    /// FIPS 180-4 §6.2: SHA-256.
    fn sha256(msg: &[u8]) -> [u8; 32];
    /// FIPS 180-4 §6.4: SHA-512.
    fn sha512(msg: &[u8]) -> [u8; 64];
    /// RFC 2104 §2: HMAC-SHA-256.
    fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32];
    /// RFC 5869 §2.2: HKDF-Extract with SHA-256.
    fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> [u8; 32];
    /// RFC 5869 §2: HKDF-SHA-256 with `len` bytes of output.
    fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Refusal>;
    /// RFC 8439 §2.3: one serialized ChaCha20 block.
    ///
    /// The spec never refuses. The implementation side refuses the block with
    /// counter `2^32 - 1`: see [`PROVIDER_LAST_BLOCK`].
    fn chacha20_block(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> Result<[u8; 64], Refusal>;
    /// RFC 8439 §2.4: ChaCha20 encryption from block `counter` on.
    fn chacha20_encrypt(
        key: &[u8; 32],
        counter: u32,
        nonce: &[u8; 12],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Refusal>;
    /// RFC 8439 §2.5: the Poly1305 one-time authenticator.
    fn poly1305(key: &[u8; 32], msg: &[u8]) -> [u8; 16];
    /// RFC 8439 §2.6: the Poly1305 one-time key for an AEAD key and nonce.
    fn poly1305_key_gen(key: &[u8; 32], nonce: &[u8; 12]) -> [u8; 32];
    /// RFC 8439 §2.8: AEAD seal; returns `ciphertext ‖ tag`.
    fn aead_seal(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Refusal>;
    /// RFC 8439 §2.8: AEAD open of `ciphertext ‖ tag`.
    fn aead_open(key: &[u8], nonce: &[u8], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Refusal>;
    /// RFC 7748 §5: the raw X25519 function (no all-zero check).
    fn x25519(scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32];
    /// RFC 7748 §6.1: the public key `X25519(k, 9)`.
    fn x25519_base(scalar: &[u8; 32]) -> [u8; 32];
    /// RFC 7748 §6.1: Diffie-Hellman with the all-zero check; inputs of any length,
    /// so a wrong-sized key is refused at the boundary.
    fn x25519_dh(scalar: &[u8], u: &[u8]) -> Result<[u8; 32], Refusal>;
    /// XEdDSA §3: sign `msg` with the X25519 private key `k` and random `z`.
    fn xeddsa_sign(k: &[u8; 32], msg: &[u8], z: &[u8; 64]) -> [u8; 64];
    /// XEdDSA §3 (and Lockstep's `s < q`): does `signature` verify under X25519
    /// public key `u`?
    fn xeddsa_verify(u: &[u8; 32], msg: &[u8], signature: &[u8; 64]) -> bool;
    /// FIPS 203 Algorithm 19 with its randomness `d ‖ z` given: `(ek, dk)`.
    fn ml_kem_keygen(seed: &[u8; 64]) -> (Vec<u8>, Vec<u8>);
    /// FIPS 203 Algorithm 20 with its randomness `m` given, after the §7.2 checks:
    /// `(c, K)`.
    fn ml_kem_encaps(ek: &[u8], m: &[u8; 32]) -> Result<(Vec<u8>, [u8; 32]), Refusal>;
    /// FIPS 203 Algorithm 21, after the §7.3 checks: `K` (implicit rejection: a bad
    /// ciphertext of the right length gives a pseudorandom `K`, not a refusal).
    fn ml_kem_decaps(dk: &[u8], c: &[u8]) -> Result<[u8; 32], Refusal>;
}

/// The executable specification, `lockstep-spec`.
#[derive(Debug, Clone, Copy)]
pub struct Spec;

/// The implementation, `lockstep`, and the audited crates beneath it.
#[derive(Debug, Clone, Copy)]
pub struct Impl;

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

fn unseq(seq: &ByteSeq) -> Vec<u8> {
    let mut out = Vec::with_capacity(seq.len());
    for i in 0..seq.len() {
        out.push(seq[i].declassify());
    }
    out
}

fn spec_refusal(error: spec::Error) -> Refusal {
    match error {
        spec::Error::HkdfOutputTooLong => Refusal::OutputTooLong,
        spec::Error::ChaCha20CounterOverflow => Refusal::CounterOverflow,
        spec::Error::NonContributory => Refusal::NonContributory,
        spec::Error::InvalidKey => Refusal::InvalidKey,
        spec::Error::InvalidSignature | spec::Error::DecryptionFailed => Refusal::Authentication,
        // The protocol's own refusals have no primitive-level twin.
        spec::Error::UnknownVersion
        | spec::Error::InvalidMessage
        | spec::Error::MessageTooLarge
        | spec::Error::TooManySkipped
        | spec::Error::Duplicate
        | spec::Error::NoSendingChain
        | spec::Error::ChainExhausted
        | spec::Error::UnknownPreKey
        | spec::Error::PreKeyMismatch
        | spec::Error::PreKeyReplay
        | spec::Error::InvalidState
        | spec::Error::CommitmentMismatch
        | spec::Error::InvalidStamp
        | spec::Error::NotRecipient => Refusal::Unclassified,
    }
}

fn impl_refusal(error: lockstep::Error) -> Refusal {
    match error {
        lockstep::Error::NonContributory => Refusal::NonContributory,
        lockstep::Error::InvalidSignature
        | lockstep::Error::DecryptionFailed
        | lockstep::Error::MacMismatch => Refusal::Authentication,
        lockstep::Error::HkdfOutputTooLong => Refusal::OutputTooLong,
        lockstep::Error::ChaCha20CounterOverflow => Refusal::CounterOverflow,
        lockstep::Error::InvalidKey => Refusal::InvalidKey,
        lockstep::Error::InvalidLength | lockstep::Error::InvalidTagLength => Refusal::BadLength,
        _ => Refusal::Unclassified,
    }
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], Refusal> {
    bytes.try_into().map_err(|_| Refusal::BadLength)
}

impl Primitives for Spec {
    const NAME: &'static str = "spec";

    fn sha256(msg: &[u8]) -> [u8; 32] {
        spec::sha256::hash(&seq(msg)).to_public_array()
    }

    fn sha512(msg: &[u8]) -> [u8; 64] {
        spec::sha512::hash(&seq(msg)).to_public_array()
    }

    fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
        spec::hmac::hmac(&seq(key), &seq(data)).to_public_array()
    }

    fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> [u8; 32] {
        spec::hkdf::extract(&seq(salt), &seq(ikm)).to_public_array()
    }

    fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Refusal> {
        spec::hkdf::hkdf(&seq(salt), &seq(ikm), &seq(info), len)
            .map(|okm| unseq(&okm))
            .map_err(spec_refusal)
    }

    fn chacha20_block(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> Result<[u8; 64], Refusal> {
        Ok(spec::chacha20::chacha20_block(
            &spec::chacha20::ChaChaKey::from_public_slice(key),
            spec_counter(counter),
            &spec::chacha20::ChaChaNonce::from_public_slice(nonce),
        )
        .to_public_array())
    }

    fn chacha20_encrypt(
        key: &[u8; 32],
        counter: u32,
        nonce: &[u8; 12],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        spec::chacha20::chacha20_encrypt(
            &spec::chacha20::ChaChaKey::from_public_slice(key),
            spec_counter(counter),
            &spec::chacha20::ChaChaNonce::from_public_slice(nonce),
            &seq(plaintext),
        )
        .map(|ct| unseq(&ct))
        .map_err(spec_refusal)
    }

    fn poly1305(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
        spec::poly1305::poly1305_mac(
            &seq(msg),
            &spec::poly1305::Poly1305Key::from_public_slice(key),
        )
        .to_public_array()
    }

    fn poly1305_key_gen(key: &[u8; 32], nonce: &[u8; 12]) -> [u8; 32] {
        spec::aead::poly1305_key_gen(
            &spec::chacha20::ChaChaKey::from_public_slice(key),
            &spec::chacha20::ChaChaNonce::from_public_slice(nonce),
        )
        .to_public_array()
    }

    fn aead_seal(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let key: [u8; 32] = fixed(key)?;
        let nonce: [u8; 12] = fixed(nonce)?;
        let (mut sealed, tag) = spec::aead::chacha20_poly1305_encrypt(
            &spec::chacha20::ChaChaKey::from_public_slice(&key),
            &spec::chacha20::ChaChaNonce::from_public_slice(&nonce),
            &seq(aad),
            &seq(plaintext),
        )
        .map(|(ct, tag)| (unseq(&ct), tag.to_public_array()))
        .map_err(spec_refusal)?;
        sealed.extend_from_slice(&tag);
        Ok(sealed)
    }

    fn aead_open(key: &[u8], nonce: &[u8], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Refusal> {
        let key: [u8; 32] = fixed(key)?;
        let nonce: [u8; 12] = fixed(nonce)?;
        // A sealed message shorter than a tag cannot authenticate.
        let Some(body_len) = sealed.len().checked_sub(16) else {
            return Err(Refusal::Authentication);
        };
        let (body, tag) = sealed.split_at(body_len);
        spec::aead::chacha20_poly1305_decrypt(
            &spec::chacha20::ChaChaKey::from_public_slice(&key),
            &spec::chacha20::ChaChaNonce::from_public_slice(&nonce),
            &seq(aad),
            &seq(body),
            &spec::poly1305::Poly1305Tag::from_public_slice(tag),
        )
        .map(|pt| unseq(&pt))
        .map_err(spec_refusal)
    }

    fn x25519(scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
        spec::x25519::x25519(
            &spec::x25519::X25519SerializedScalar::from_public_slice(scalar),
            &spec::x25519::X25519SerializedPoint::from_public_slice(u),
        )
        .to_public_array()
    }

    fn x25519_base(scalar: &[u8; 32]) -> [u8; 32] {
        spec::x25519::x25519_base(&spec::x25519::X25519SerializedScalar::from_public_slice(
            scalar,
        ))
        .to_public_array()
    }

    fn x25519_dh(scalar: &[u8], u: &[u8]) -> Result<[u8; 32], Refusal> {
        let scalar: [u8; 32] = fixed(scalar)?;
        let u: [u8; 32] = fixed(u)?;
        spec::x25519::x25519_dh(
            &spec::x25519::X25519SerializedScalar::from_public_slice(&scalar),
            &spec::x25519::X25519SerializedPoint::from_public_slice(&u),
        )
        .map(|shared| shared.to_public_array())
        .map_err(spec_refusal)
    }

    fn xeddsa_sign(k: &[u8; 32], msg: &[u8], z: &[u8; 64]) -> [u8; 64] {
        spec::xeddsa::xeddsa_sign(
            &spec::x25519::X25519SerializedScalar::from_public_slice(k),
            &seq(msg),
            &spec::xeddsa::XEdDSARandom::from_public_slice(z),
        )
        .to_public_array()
    }

    fn xeddsa_verify(u: &[u8; 32], msg: &[u8], signature: &[u8; 64]) -> bool {
        spec::xeddsa::xeddsa_verify(
            &spec::x25519::X25519SerializedPoint::from_public_slice(u),
            &seq(msg),
            &spec::xeddsa::XEdDSASignature::from_public_slice(signature),
        )
    }

    fn ml_kem_keygen(seed: &[u8; 64]) -> (Vec<u8>, Vec<u8>) {
        let (d, z) = seed.split_at(32);
        let (ek, dk) = spec::ml_kem::keygen(
            &spec::ml_kem::Seed32::from_public_slice(d),
            &spec::ml_kem::Seed32::from_public_slice(z),
        );
        (ek.to_public_array().to_vec(), dk.to_public_array().to_vec())
    }

    fn ml_kem_encaps(ek: &[u8], m: &[u8; 32]) -> Result<(Vec<u8>, [u8; 32]), Refusal> {
        let ek = spec_ml_kem_sized(
            ek,
            spec::ml_kem::ENCAPSULATION_KEY_LEN,
            spec::ml_kem::EncapsulationKey::from_public_slice,
        )?;
        let (k, c) = spec::ml_kem::encaps(&ek, &spec::ml_kem::Seed32::from_public_slice(m))
            .map_err(spec_refusal)?;
        Ok((c.to_public_array().to_vec(), k.to_public_array()))
    }

    fn ml_kem_decaps(dk: &[u8], c: &[u8]) -> Result<[u8; 32], Refusal> {
        // FIPS 203 §7.3's order: 1. the ciphertext type check, 2. the decapsulation
        // key type check, 3. (in `decaps`) the hash check.
        let c = spec_ml_kem_sized(
            c,
            spec::ml_kem::CIPHERTEXT_LEN,
            spec::ml_kem::Ciphertext::from_public_slice,
        )?;
        let dk = spec_ml_kem_sized(
            dk,
            spec::ml_kem::DECAPSULATION_KEY_LEN,
            spec::ml_kem::DecapsulationKey::from_public_slice,
        )?;
        spec::ml_kem::decaps(&dk, &c)
            .map(|k| k.to_public_array())
            .map_err(spec_refusal)
    }
}

/// The spec's ML-KEM refuses the sizes FIPS 203 §7.2/§7.3's type checks refuse.
fn spec_ml_kem_sized<T>(bytes: &[u8], len: usize, make: impl Fn(&[u8]) -> T) -> Result<T, Refusal> {
    if bytes.len() == len {
        Ok(make(bytes))
    } else {
        Err(Refusal::BadLength)
    }
}

/// The spec's block counter is a secret 32-bit integer, as in its document.
fn spec_counter(counter: u32) -> spec::U32 {
    spec::U32::classify(counter)
}

impl Primitives for Impl {
    const NAME: &'static str = "impl";

    fn sha256(msg: &[u8]) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(msg).into()
    }

    fn sha512(msg: &[u8]) -> [u8; 64] {
        use sha2::Digest;
        sha2::Sha512::digest(msg).into()
    }

    fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
        *lockstep::hmac::hmac_sha256(key, data)
    }

    fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> [u8; 32] {
        *lockstep::hkdf::extract(salt, ikm).as_bytes()
    }

    fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Refusal> {
        if len > lockstep::hkdf::MAX_OUTPUT_LEN {
            // Do not allocate what a hostile vector asks for before the check.
            return Err(Refusal::OutputTooLong);
        }
        let mut okm = vec![0u8; len];
        lockstep::hkdf::extract(salt, ikm)
            .expand(info, &mut okm)
            .map_err(impl_refusal)?;
        Ok(okm)
    }

    fn chacha20_block(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> Result<[u8; 64], Refusal> {
        let mut block = [0u8; 64];
        chacha20_keystream(key, counter, nonce, &mut block)?;
        Ok(block)
    }

    fn chacha20_encrypt(
        key: &[u8; 32],
        counter: u32,
        nonce: &[u8; 12],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let mut buffer = plaintext.to_vec();
        chacha20_keystream(key, counter, nonce, &mut buffer)?;
        Ok(buffer)
    }

    fn poly1305(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
        use poly1305::universal_hash::KeyInit;
        poly1305::Poly1305::new(key.into())
            .compute_unpadded(msg)
            .into()
    }

    fn poly1305_key_gen(key: &[u8; 32], nonce: &[u8; 12]) -> [u8; 32] {
        let mut otk = [0u8; 32];
        // RFC 8439 §2.6: the first 32 bytes of block 0, which every counter reaches.
        let _ = chacha20_keystream(key, 0, nonce, &mut otk);
        otk
    }

    fn aead_seal(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let key = lockstep::aead::Key::from_bytes(fixed(key)?);
        let nonce = lockstep::aead::Nonce(fixed(nonce)?);
        lockstep::aead::seal(&key, &nonce, aad, plaintext).map_err(impl_refusal)
    }

    fn aead_open(key: &[u8], nonce: &[u8], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Refusal> {
        let key = lockstep::aead::Key::from_bytes(fixed(key)?);
        let nonce = lockstep::aead::Nonce(fixed(nonce)?);
        lockstep::aead::open(&key, &nonce, aad, sealed).map_err(impl_refusal)
    }

    fn x25519(scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
        lockstep::x25519::x25519(*scalar, *u)
    }

    fn x25519_base(scalar: &[u8; 32]) -> [u8; 32] {
        *lockstep::x25519::PrivateKey::from_bytes(*scalar)
            .public_key()
            .as_bytes()
    }

    fn x25519_dh(scalar: &[u8], u: &[u8]) -> Result<[u8; 32], Refusal> {
        let ours = lockstep::x25519::PrivateKey::from_bytes(fixed(scalar)?);
        let theirs = lockstep::x25519::PublicKey::from_bytes(fixed(u)?);
        ours.diffie_hellman(&theirs)
            .map(|shared| *shared.as_bytes())
            .map_err(impl_refusal)
    }

    fn xeddsa_sign(k: &[u8; 32], msg: &[u8], z: &[u8; 64]) -> [u8; 64] {
        lockstep::xeddsa::xeddsa_sign(&lockstep::x25519::PrivateKey::from_bytes(*k), msg, z)
            .to_bytes()
    }

    fn xeddsa_verify(u: &[u8; 32], msg: &[u8], signature: &[u8; 64]) -> bool {
        lockstep::xeddsa::xeddsa_verify(
            &lockstep::x25519::PublicKey::from_bytes(*u),
            msg,
            &lockstep::xeddsa::Signature::from_bytes(*signature),
        )
        .is_ok()
    }

    fn ml_kem_keygen(seed: &[u8; 64]) -> (Vec<u8>, Vec<u8>) {
        let (ek, dk) = lockstep::ml_kem::keygen_derand(seed);
        (ek.as_bytes().to_vec(), dk.to_bytes().to_vec())
    }

    fn ml_kem_encaps(ek: &[u8], m: &[u8; 32]) -> Result<(Vec<u8>, [u8; 32]), Refusal> {
        let ek = lockstep::ml_kem::EncapsulationKey::from_bytes(ek).map_err(impl_refusal)?;
        let (k, c) = ek.encaps(m);
        Ok((c.as_bytes().to_vec(), *k.as_bytes()))
    }

    fn ml_kem_decaps(dk: &[u8], c: &[u8]) -> Result<[u8; 32], Refusal> {
        // FIPS 203 §7.3's order: the ciphertext's length, then the key's.
        let c = lockstep::ml_kem::Ciphertext::from_bytes(c).map_err(impl_refusal)?;
        let dk = lockstep::ml_kem::DecapsulationKey::from_bytes(dk).map_err(impl_refusal)?;
        Ok(*dk.decaps(&c).as_bytes())
    }
}

/// A known difference between RFC 8439 and the implementation's provider: RustCrypto
/// `chacha20` 0.10 refuses to produce the keystream block whose counter is
/// `2^32 - 1`, which RFC 8439 allows (§2.3 defines the block function for every
/// 32-bit counter, and §2.8's plaintext bound of `2^38 - 64` bytes counts blocks 1
/// to `2^32 - 1`). So the implementation refuses a message one block earlier than
/// the spec. The protocol never comes near it (every message has its own key and
/// starts at counter 1). The differential tests expect exactly this difference and
/// no other, and `harness/tests/differential.rs` pins it, so a provider that changes
/// is noticed.
pub const PROVIDER_LAST_BLOCK: u32 = u32::MAX;

/// XOR the ChaCha20 keystream from block `counter` on into `buffer`
/// (RustCrypto `chacha20`, the IETF variant with a 32-bit counter).
fn chacha20_keystream(
    key: &[u8; 32],
    counter: u32,
    nonce: &[u8; 12],
    buffer: &mut [u8],
) -> Result<(), Refusal> {
    use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
    let mut cipher = chacha20::ChaCha20::new(key.into(), nonce.into());
    cipher
        .try_seek(u64::from(counter) * 64)
        .map_err(|_| Refusal::CounterOverflow)?;
    cipher
        .try_apply_keystream(buffer)
        .map_err(|_| Refusal::CounterOverflow)
}
