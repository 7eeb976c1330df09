//! The `primitives_differential` target: spec against impl, primitive by primitive.

use super::*;

pub(super) const PRIMITIVES: &str = "primitives_differential";

/// Reads fixed-size and length-prefixed fields from an input, padding with zeros
/// when it runs out (so every input is some operation's input).
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.rest.len());
        out[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        out
    }

    fn byte(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// A field of `len` bytes (fewer if the input ends).
    fn take(&mut self, len: usize) -> &'a [u8] {
        let (head, tail) = self.rest.split_at(len.min(self.rest.len()));
        self.rest = tail;
        head
    }

    /// A field whose length is the next byte.
    fn field(&mut self) -> &'a [u8] {
        let len = usize::from(self.byte());
        self.take(len)
    }

    fn rest(&mut self) -> &'a [u8] {
        self.take(self.rest.len())
    }
}

pub(super) fn same<T: PartialEq + fmt::Debug>(
    operation: &'static str,
    spec: T,
    implementation: T,
) -> Result<T, Finding> {
    if spec == implementation {
        Ok(spec)
    } else {
        Err(finding(
            PRIMITIVES,
            operation,
            format!("spec {spec:?}, impl {implementation:?}"),
        ))
    }
}

/// The operations of [`primitives_differential`], by the first input byte modulo
/// their number.
pub const OPERATIONS: [&str; 8] = [
    "x25519",
    "aead_seal_open",
    "aead_open",
    "hkdf_hmac_sha2",
    "xeddsa_verify",
    "xeddsa_sign_verify",
    "ml_kem_decaps",
    "ml_kem_encaps",
];

/// An ML-KEM-1024 key pair as bytes: `(ek, dk)`.
pub type KemKeyPair = (Vec<u8>, Vec<u8>);

/// The ML-KEM-1024 key pairs `ml_kem_decaps` decapsulates with: `(ek, dk)` from
/// fixed seeds, the same on both sides (checked when made).
///
/// # Errors
/// A [`Finding`] if spec and impl make different keys.
pub fn ml_kem_keys() -> Result<&'static [KemKeyPair; 2], Finding> {
    static KEYS: OnceLock<Result<[KemKeyPair; 2], Finding>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let make = |byte: u8| {
            let seed = [byte; 64];
            same(
                "ml_kem_keygen",
                Spec::ml_kem_keygen(&seed),
                Impl::ml_kem_keygen(&seed),
            )
        };
        Ok([make(1)?, make(2)?])
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The first input byte (modulo 8) picks an operation of [`OPERATIONS`]; the rest
/// are its inputs, read as fixed-size fields or length-prefixed ones (a byte of
/// length, then the bytes). Spec and implementation must give the same output or
/// the same refusal:
///
/// - `x25519`: scalar (32), u (32): RFC 7748 §5 raw, and §6.1 with its all-zero check;
/// - `aead_seal_open`: key (32), nonce (12), AAD, plaintext (the rest), a byte: the
///   same sealing; both open it; both refuse it with the chosen byte flipped;
/// - `aead_open`: key, nonce, AAD, sealed bytes (the rest): RFC 8439 §2.8 open;
/// - `hkdf_hmac_sha2`: salt, IKM, info, length (2 bytes): HKDF (RFC 5869), HMAC
///   (RFC 2104) of salt and IKM, SHA-256 and SHA-512 (FIPS 180-4) of the IKM;
/// - `xeddsa_verify`: u (32), signature (64), message (the rest): XEdDSA §3;
/// - `xeddsa_sign_verify`: k (32), Z (64), a byte, message: the same signature, which
///   both verify, and both refuse with the chosen bit flipped;
/// - `ml_kem_decaps`: a byte (key pair, and whether to flip a byte of `dk` at a
///   2-byte offset), ciphertext (the rest, any length): FIPS 203 §7.3;
/// - `ml_kem_encaps`: m (32), `ek` (the rest, any length): FIPS 203 §7.2.
///
/// # Errors
/// A [`Finding`] naming the operation where spec and impl differ.
pub fn primitives_differential(data: &[u8]) -> Result<(), Finding> {
    let [op, rest @ ..] = data else {
        return Ok(());
    };
    let mut r = Reader { rest };
    match op % 8 {
        0 => {
            let (k, u) = (r.array::<32>(), r.array::<32>());
            same("x25519", Spec::x25519(&k, &u), Impl::x25519(&k, &u))?;
            let _ = same(
                "x25519_dh",
                Spec::x25519_dh(&k, &u),
                Impl::x25519_dh(&k, &u),
            )?;
        }
        1 => {
            let (key, nonce) = (r.array::<32>(), r.array::<12>());
            let (aad, flip) = (r.field(), r.byte());
            let plaintext = r.rest();
            let sealed = same(
                "aead_seal",
                Spec::aead_seal(&key, &nonce, aad, plaintext),
                Impl::aead_seal(&key, &nonce, aad, plaintext),
            )?;
            if let Ok(mut sealed) = sealed {
                let opened = same(
                    "aead_open",
                    Spec::aead_open(&key, &nonce, aad, &sealed),
                    Impl::aead_open(&key, &nonce, aad, &sealed),
                )?;
                if opened.as_deref() != Ok(plaintext) {
                    return Err(finding(
                        PRIMITIVES,
                        "aead_open of aead_seal",
                        format!("{opened:?}"),
                    ));
                }
                let at = usize::from(flip) % sealed.len();
                sealed[at] ^= 1;
                let tampered = same(
                    "aead_open (tampered)",
                    Spec::aead_open(&key, &nonce, aad, &sealed),
                    Impl::aead_open(&key, &nonce, aad, &sealed),
                )?;
                if tampered != Err(Refusal::Authentication) {
                    return Err(finding(
                        PRIMITIVES,
                        "aead_open (tampered)",
                        format!("{tampered:?}"),
                    ));
                }
            }
        }
        2 => {
            let (key, nonce) = (r.array::<32>(), r.array::<12>());
            let aad = r.field();
            let sealed = r.rest();
            let _ = same(
                "aead_open",
                Spec::aead_open(&key, &nonce, aad, sealed),
                Impl::aead_open(&key, &nonce, aad, sealed),
            )?;
        }
        3 => {
            let (salt, ikm, info) = (r.field(), r.field(), r.field());
            // Up to 8,191 bytes: past 255 * 32 = 8,160, where both must refuse.
            let len = usize::from(u16::from_le_bytes(r.array::<2>()) % 8192);
            let _ = same(
                "hkdf",
                Spec::hkdf(salt, ikm, info, len),
                Impl::hkdf(salt, ikm, info, len),
            )?;
            same(
                "hkdf_extract",
                Spec::hkdf_extract(salt, ikm),
                Impl::hkdf_extract(salt, ikm),
            )?;
            same(
                "hmac_sha256",
                Spec::hmac_sha256(salt, ikm),
                Impl::hmac_sha256(salt, ikm),
            )?;
            same("sha256", Spec::sha256(ikm), Impl::sha256(ikm))?;
            same("sha512", Spec::sha512(ikm), Impl::sha512(ikm))?;
        }
        4 => {
            let (u, signature) = (r.array::<32>(), r.array::<64>());
            let message = r.rest();
            same(
                "xeddsa_verify",
                Spec::xeddsa_verify(&u, message, &signature),
                Impl::xeddsa_verify(&u, message, &signature),
            )?;
        }
        5 => {
            let (k, z, flip) = (r.array::<32>(), r.array::<64>(), r.byte());
            let message = r.rest();
            let mut signature = same(
                "xeddsa_sign",
                Spec::xeddsa_sign(&k, message, &z),
                Impl::xeddsa_sign(&k, message, &z),
            )?;
            let u = Impl::x25519_base(&k);
            if !same(
                "xeddsa_verify (signed)",
                Spec::xeddsa_verify(&u, message, &signature),
                Impl::xeddsa_verify(&u, message, &signature),
            )? {
                return Err(finding(
                    PRIMITIVES,
                    "xeddsa_verify (signed)",
                    "refused its signature",
                ));
            }
            signature[usize::from(flip >> 3) % 64] ^= 1 << (flip & 7);
            if same(
                "xeddsa_verify (flipped)",
                Spec::xeddsa_verify(&u, message, &signature),
                Impl::xeddsa_verify(&u, message, &signature),
            )? {
                return Err(finding(
                    PRIMITIVES,
                    "xeddsa_verify (flipped)",
                    "accepted a changed signature",
                ));
            }
        }
        6 => {
            let how = r.byte();
            let at = usize::from(u16::from_le_bytes(r.array::<2>()));
            let c = r.rest();
            let keys = ml_kem_keys()?;
            let (_, dk) = &keys[usize::from(how & 1)];
            let mut dk = dk.clone();
            if how & 2 != 0 {
                let at = at % dk.len();
                dk[at] ^= 1 << (how >> 5);
            }
            let _ = same(
                "ml_kem_decaps",
                Spec::ml_kem_decaps(&dk, c),
                Impl::ml_kem_decaps(&dk, c),
            )?;
        }
        _ => {
            let m = r.array::<32>();
            let ek = r.rest();
            let _ = same(
                "ml_kem_encaps",
                Spec::ml_kem_encaps(ek, &m),
                Impl::ml_kem_encaps(ek, &m),
            )?;
        }
    }
    Ok(())
}
