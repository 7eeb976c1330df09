//! SPEC §6.1: sessions and keys sealed for storage under a key of the caller's.
//!
//! A session's state (SPEC §6) holds its root, chain and skipped message keys, and a
//! prekey or identity key is a long-term secret: written to disk in the clear, a
//! copy outlives the deletion that forward secrecy rests on (a backup, a
//! copy-on-write file system, a flash translation layer). Without the `hazmat`
//! feature they leave this crate only sealed, and come back only by opening:
//!
//! ```text
//! sealed = VERSION ‖ kind ‖ salt ‖ AEAD-Encrypt(k, n, plaintext, VERSION ‖ kind ‖ salt)
//! k ‖ n  = HKDF(salt = salt, ikm = storage key, info = INFO_STORAGE ‖ kind, L = 44)
//! ```
//!
//! with a fresh 32-byte `salt` for every sealing (so no key and nonce pair repeats
//! under one storage key), ChaCha20-Poly1305 as in SPEC §2, and `kind` one of
//! [`SealedKind`]'s bytes, so that one kind of sealed value cannot be opened as
//! another. Opening checks the version, the kind and the length, then the tag, and
//! releases nothing before the tag has verified.

use core::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::aead::{self, Key, NONCE_LEN, Nonce, TAG_LEN};
use crate::consts::VERSION;
use crate::hkdf::hkdf;
use crate::keys::{DecapsulationKey, IdentityKeyPair, PrivateKey};

/// SPEC §6.1 `INFO_STORAGE`: the HKDF info label of sealed storage, followed by the
/// kind byte.
pub const INFO_STORAGE: &[u8] = b"Lockstep_Storage";

/// Length in bytes of a [`StorageKey`] and of a sealing's salt.
pub const STORAGE_KEY_LEN: usize = 32;

/// Bytes in front of the ciphertext: `VERSION ‖ kind ‖ salt`.
const SEALED_HEADER_LEN: usize = 2 + STORAGE_KEY_LEN;

/// SPEC §6.1: what a sealed value holds, its `kind` byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SealedKind {
    /// A session state (SPEC §6).
    Session = 0x01,
    /// An identity key pair's private key (32 bytes, SPEC §3.1).
    IdentityKey = 0x02,
    /// An X25519 prekey's private key (32 bytes).
    PreKey = 0x03,
    /// An ML-KEM-1024 decapsulation key (3168 bytes, FIPS 203 §7.1).
    PqPreKey = 0x04,
}

/// The caller's key for sealed storage: 32 bytes from a platform key store, a
/// passphrase KDF or [`StorageKey::generate`]. Wiped on drop, never printed.
pub struct StorageKey([u8; STORAGE_KEY_LEN]);

impl StorageKey {
    /// The storage key with these bytes (which must be secret and uniformly random).
    #[must_use]
    pub fn from_bytes(bytes: [u8; STORAGE_KEY_LEN]) -> Self {
        StorageKey(bytes)
    }

    /// A fresh storage key drawn from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = [0u8; STORAGE_KEY_LEN];
        rng.fill_bytes(&mut key);
        StorageKey(key)
    }

    /// The AEAD key and nonce of one sealing: `HKDF(salt, key, INFO_STORAGE ‖ kind)`.
    fn derive(&self, kind: SealedKind, salt: &[u8; STORAGE_KEY_LEN]) -> (Key, Nonce) {
        let mut info = [0u8; INFO_STORAGE.len() + 1];
        info[..INFO_STORAGE.len()].copy_from_slice(INFO_STORAGE);
        info[INFO_STORAGE.len()] = kind as u8;
        let okm = hkdf::<{ aead::KEY_LEN + NONCE_LEN }>(salt, &self.0, &info);
        let (k, n) = okm.split_at(aead::KEY_LEN);
        let mut key = [0u8; aead::KEY_LEN];
        key.copy_from_slice(k);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(n);
        let key = Key::from_bytes(key);
        (key, Nonce(nonce))
    }
}

impl Zeroize for StorageKey {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for StorageKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for StorageKey {}

impl ConstantTimeEq for StorageKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl fmt::Debug for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StorageKey(<redacted>)")
    }
}

/// SPEC §6.1: seals `plaintext` of this kind under `key`, drawing the salt from `rng`.
///
/// # Errors
/// [`Error::ChaCha20CounterOverflow`] for a plaintext over 256 GiB (no session or key
/// is near that).
pub(crate) fn seal<R: CryptoRng + ?Sized>(
    key: &StorageKey,
    kind: SealedKind,
    plaintext: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let mut salt = [0u8; STORAGE_KEY_LEN];
    rng.fill_bytes(&mut salt);
    seal_with(key, kind, plaintext, &salt)
}

/// [`seal`] with the salt given.
pub(crate) fn seal_with(
    key: &StorageKey,
    kind: SealedKind,
    plaintext: &[u8],
    salt: &[u8; STORAGE_KEY_LEN],
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(SEALED_HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(VERSION);
    out.push(kind as u8);
    out.extend_from_slice(salt);
    let (k, n) = key.derive(kind, salt);
    let header = out.clone();
    aead::seal_append(&k, &n, &header, plaintext, &mut out)?;
    Ok(out)
}

/// SPEC §6.1: opens a value sealed by [`seal`] as this kind.
///
/// # Errors
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::SealedDataInvalid`] if the bytes are too short, sealed as another kind,
/// or do not authenticate under `key` (a wrong key, or any byte changed).
pub(crate) fn open(
    key: &StorageKey,
    kind: SealedKind,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let Some((header, body)) = sealed.split_first_chunk::<SEALED_HEADER_LEN>() else {
        return Err(match sealed.first() {
            Some(&v) if v != VERSION => Error::UnknownVersion,
            _ => Error::SealedDataInvalid,
        });
    };
    let [version, found_kind, salt @ ..] = header;
    if *version != VERSION {
        return Err(Error::UnknownVersion);
    }
    if *found_kind != kind as u8 {
        return Err(Error::SealedDataInvalid);
    }
    let (k, n) = key.derive(kind, salt);
    aead::open(&k, &n, header, body)
        .map(Zeroizing::new)
        .map_err(|_| Error::SealedDataInvalid)
}

/// Declares `to_encrypted_bytes`/`from_encrypted_bytes` for a secret key type, by
/// its kind and its encoding in and out.
macro_rules! sealed_key {
    ($ty:ty, $kind:expr, $what:literal, |$k:ident| $encode:expr, |$b:ident| $decode:expr) => {
        impl $ty {
            #[doc = concat!("SPEC §6.1: ", $what, " sealed under `key`, for storage; the")]
            /// salt is drawn from `rng`.
            ///
            /// # Errors
            /// None in practice ([`Error::ChaCha20CounterOverflow`] needs 256 GiB).
            pub fn to_encrypted_bytes<R: CryptoRng + ?Sized>(
                &self,
                key: &StorageKey,
                rng: &mut R,
            ) -> Result<Vec<u8>, Error> {
                let $k = self;
                seal(key, $kind, &$encode[..], rng)
            }

            #[doc = concat!("SPEC §6.1: ", $what, " from `to_encrypted_bytes`'s output.")]
            ///
            /// # Errors
            /// [`Error::UnknownVersion`]; [`Error::SealedDataInvalid`] if the bytes do
            /// not open under `key` as this kind of key, or what they hold is not one.
            pub fn from_encrypted_bytes(bytes: &[u8], key: &StorageKey) -> Result<Self, Error> {
                let $b = open(key, $kind, bytes)?;
                $decode.ok_or(Error::SealedDataInvalid)
            }
        }
    };
}

sealed_key!(
    IdentityKeyPair,
    SealedKind::IdentityKey,
    "the identity key pair (its private key)",
    |k| k.private_bytes(),
    |b| <[u8; 32]>::try_from(&b[..])
        .ok()
        .map(IdentityKeyPair::from_private_bytes)
);

sealed_key!(
    PrivateKey,
    SealedKind::PreKey,
    "the X25519 prekey",
    |k| k.to_bytes(),
    |b| <[u8; 32]>::try_from(&b[..])
        .ok()
        .map(PrivateKey::from_bytes)
);

sealed_key!(
    DecapsulationKey,
    SealedKind::PqPreKey,
    "the ML-KEM-1024 decapsulation key",
    |k| k.to_bytes(),
    |b| DecapsulationKey::from_bytes(&b).ok()
);

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unwrap_used, reason = "tests")]
    #[test]
    fn sealed_values_open_only_under_their_key_and_kind_and_untampered() {
        let key = StorageKey::from_bytes([7; 32]);
        let sealed = seal_with(&key, SealedKind::PreKey, b"secret", &[9; 32]).unwrap();
        assert_eq!(sealed.len(), SEALED_HEADER_LEN + 6 + TAG_LEN);
        assert_eq!(
            &*open(&key, SealedKind::PreKey, &sealed).unwrap(),
            b"secret"
        );
        // Another kind, another key.
        assert_eq!(
            open(&key, SealedKind::IdentityKey, &sealed),
            Err(Error::SealedDataInvalid)
        );
        let other = StorageKey::from_bytes([8; 32]);
        assert_eq!(
            open(&other, SealedKind::PreKey, &sealed),
            Err(Error::SealedDataInvalid)
        );
        // Every bit of every byte, and every truncation.
        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut bad = sealed.clone();
                bad[i] ^= 1 << bit;
                let want = if i == 0 {
                    Error::UnknownVersion
                } else {
                    Error::SealedDataInvalid
                };
                assert_eq!(open(&key, SealedKind::PreKey, &bad), Err(want), "byte {i}");
            }
            assert!(open(&key, SealedKind::PreKey, &sealed[..i]).is_err());
        }
        // A fresh salt each time.
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
        let a = seal(&key, SealedKind::Session, b"x", &mut rng).unwrap();
        let b = seal(&key, SealedKind::Session, b"x", &mut rng).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn debug_of_a_storage_key_is_redacted() {
        let key = StorageKey::from_bytes([0xab; 32]);
        assert_eq!(format!("{key:?}"), "StorageKey(<redacted>)");
    }

    use rand_chacha::rand_core::SeedableRng;
}
