//! AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8) on RustCrypto `chacha20poly1305`.
//!
//! Mirrors `lockstep_spec::aead`. Ciphertexts are `ciphertext ‖ tag`, the layout of
//! RFC 8439 §2.8 and of the protocol's wire format.

use core::fmt;

use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Error;

/// Length in bytes of a ChaCha20-Poly1305 key.
pub const KEY_LEN: usize = 32;
/// Length in bytes of a nonce (RFC 8439 §2.8: 96 bits).
pub const NONCE_LEN: usize = 12;
/// Length in bytes of the Poly1305 tag appended to every ciphertext.
pub const TAG_LEN: usize = 16;

/// RFC 8439 §2.8: the largest plaintext, `2^38 - 64` bytes (the 32-bit block counter
/// starts at 1 for the payload).
pub const MAX_PLAINTEXT_LEN: u64 = (1 << 38) - 64;

/// A ChaCha20-Poly1305 key. Secret: zeroized on drop, compared in constant time,
/// never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Key([u8; KEY_LEN]);

impl Key {
    /// The key with these bytes (derived by the caller, e.g. from HKDF).
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Key(bytes)
    }
}

impl ConstantTimeEq for Key {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("aead::Key(<redacted>)")
    }
}

/// A 96-bit nonce. Public; it must never repeat under one key (RFC 8439 §4), which
/// the protocol guarantees by deriving a fresh key and nonce for every message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nonce(pub [u8; NONCE_LEN]);

/// The (key, nonce) pairs the AEAD is actually called with, for the harness's
/// `uniqueness` invariant, which must see what was used rather than re-derive what
/// should have been. Compiled only with the `observe-aead` feature (the harness
/// enables it; an application must not: the records are copies of message keys).
/// Off unless the calling thread turns it on with [`start`](observe::start); then every
/// [`seal_append`] and successful [`open`] on that thread is recorded, and [`take`](observe::take)
/// hands the records over.
#[cfg(feature = "observe-aead")]
#[doc(hidden)]
pub mod observe {
    use core::cell::RefCell;

    use super::{KEY_LEN, Key, NONCE_LEN, Nonce};

    /// One AEAD call: the key, the nonce, and whether it sealed (else it opened).
    pub type Use = ([u8; KEY_LEN], [u8; NONCE_LEN], bool);

    std::thread_local! {
        static LOG: RefCell<Option<Vec<Use>>> = const { RefCell::new(None) };
    }

    /// Starts recording on this thread (dropping anything recorded and not taken).
    pub fn start() {
        LOG.with(|log| *log.borrow_mut() = Some(Vec::new()));
    }

    /// What was recorded on this thread since [`start`] or the last `take`, oldest
    /// first; recording goes on.
    #[must_use]
    pub fn take() -> Vec<Use> {
        LOG.with(|log| log.borrow_mut().as_mut().map(core::mem::take))
            .unwrap_or_default()
    }

    pub(super) fn record(key: &Key, nonce: &Nonce, sealed: bool) {
        LOG.with(|log| {
            if let Some(log) = log.borrow_mut().as_mut() {
                log.push((key.0, nonce.0, sealed));
            }
        });
    }
}

/// RFC 8439 §2.8: encrypt and authenticate; returns `ciphertext ‖ tag`.
///
/// # Errors
/// [`Error::ChaCha20CounterOverflow`] if `plaintext` is longer than [`MAX_PLAINTEXT_LEN`].
pub fn seal(key: &Key, nonce: &Nonce, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(plaintext.len().saturating_add(TAG_LEN));
    seal_append(key, nonce, aad, plaintext, &mut out)?;
    Ok(out)
}

/// RFC 8439 §2.8: [`seal`], appending `ciphertext ‖ tag` to `out` (encrypted in
/// place there, so a caller that reserved the room allocates nothing). On error `out`
/// is as it was.
///
/// # Errors
/// [`Error::ChaCha20CounterOverflow`] if `plaintext` is longer than [`MAX_PLAINTEXT_LEN`].
pub fn seal_append(
    key: &Key,
    nonce: &Nonce,
    aad: &[u8],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let start = out.len();
    out.extend_from_slice(plaintext);
    match ChaCha20Poly1305::new(&key.0.into()).encrypt_inout_detached(
        &nonce.0.into(),
        aad,
        out[start..].as_mut().into(),
    ) {
        Ok(tag) => {
            out.extend_from_slice(&tag);
            #[cfg(feature = "observe-aead")]
            observe::record(key, nonce, true);
            Ok(())
        }
        Err(_) => {
            out[start..].zeroize();
            out.truncate(start);
            Err(Error::ChaCha20CounterOverflow)
        }
    }
}

/// RFC 8439 §2.8: check the tag of `ciphertext ‖ tag` and, only if it is right,
/// decrypt.
///
/// # Errors
/// [`Error::DecryptionFailed`] if the input is shorter than a tag or the tag does not
/// verify. The error does not say which; no plaintext is released.
pub fn open(key: &Key, nonce: &Nonce, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Error> {
    let Some(body_len) = sealed.len().checked_sub(TAG_LEN) else {
        return Err(Error::DecryptionFailed);
    };
    let (body, tag) = sealed.split_at(body_len);
    let mut plaintext = body.to_vec();
    let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| Error::DecryptionFailed)?;
    match ChaCha20Poly1305::new(&key.0.into()).decrypt_inout_detached(
        &nonce.0.into(),
        aad,
        plaintext.as_mut_slice().into(),
        &tag.into(),
    ) {
        Ok(()) => {
            #[cfg(feature = "observe-aead")]
            observe::record(key, nonce, false);
            Ok(plaintext)
        }
        Err(_) => {
            // The buffer may hold keystream-XORed bytes of a forgery; wipe it.
            plaintext.zeroize();
            Err(Error::DecryptionFailed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_after_seal_and_every_flipped_bit_is_rejected() {
        let key = Key::from_bytes([7; KEY_LEN]);
        let nonce = Nonce([9; NONCE_LEN]);
        let sealed = seal(&key, &nonce, b"ad", b"hello").unwrap();
        assert_eq!(open(&key, &nonce, b"ad", &sealed).unwrap(), b"hello");
        for bit in 0..sealed.len() * 8 {
            let mut forged = sealed.clone();
            forged[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                open(&key, &nonce, b"ad", &forged),
                Err(Error::DecryptionFailed)
            );
        }
        assert_eq!(
            open(&key, &nonce, b"ax", &sealed),
            Err(Error::DecryptionFailed)
        );
        assert_eq!(
            open(&key, &nonce, b"ad", &sealed[..TAG_LEN - 1]),
            Err(Error::DecryptionFailed)
        );
    }

    #[test]
    fn debug_prints_no_key() {
        assert_eq!(
            format!("{:?}", Key::from_bytes([0xab; KEY_LEN])),
            "aead::Key(<redacted>)"
        );
    }
}
