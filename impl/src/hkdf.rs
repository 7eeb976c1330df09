//! HKDF-SHA-256 (RFC 5869) on RustCrypto `hkdf`.
//!
//! Mirrors `lockstep_spec::hkdf`. The protocol derives fixed-size keys, so the main
//! entry point, [`hkdf()`], returns a `[u8; N]` whose size is checked at compile time;
//! [`Prk::expand`] serves any length at run time.

use core::fmt;

use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::Error;

type Hkdf = hkdf::Hkdf<sha2::Sha256>;

/// Length in bytes of the SHA-256 output, RFC 5869's `HashLen`.
pub const HASH_LEN: usize = 32;

/// RFC 5869 §2.3: the most output HKDF-Expand can give, `255 * HashLen` bytes.
pub const MAX_OUTPUT_LEN: usize = 255 * HASH_LEN;

/// RFC 5869 §2.2: a pseudorandom key, the output of HKDF-Extract.
///
/// Secret: the key bytes are zeroized on drop. (The HMAC states that `hkdf` builds
/// from them while expanding are not: `hmac` 0.13 does not wipe its keyed state on
/// drop. docs/ARCHITECTURE.md lists this among the providers' limits.)
#[derive(ZeroizeOnDrop)]
pub struct Prk(Zeroizing<[u8; HASH_LEN]>);

/// RFC 5869 §2.2: `PRK = HMAC-Hash(salt, IKM)`. An empty `salt` is the same as
/// `HashLen` zero bytes, as §2.2 says.
#[must_use]
pub fn extract(salt: &[u8], ikm: &[u8]) -> Prk {
    let (prk, _) = Hkdf::extract(Some(salt), ikm);
    Prk(Zeroizing::new(prk.into()))
}

impl Prk {
    /// RFC 5869 §2.3: fill `okm` with `HKDF-Expand(PRK, info, okm.len())`.
    ///
    /// # Errors
    /// [`Error::HkdfOutputTooLong`] if `okm` is longer than [`MAX_OUTPUT_LEN`]; `okm`
    /// is then left untouched.
    pub fn expand(&self, info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
        if okm.len() > MAX_OUTPUT_LEN {
            return Err(Error::HkdfOutputTooLong);
        }
        // `from_prk` refuses only a PRK shorter than HashLen (ours is exactly
        // HashLen), and `expand` only the length checked above: neither error occurs.
        let hkdf = Hkdf::from_prk(self.0.as_ref()).map_err(|_| Error::HkdfOutputTooLong)?;
        hkdf.expand(info, okm).map_err(|_| Error::HkdfOutputTooLong)
    }

    /// The PRK bytes, for checking RFC 5869's published intermediate values.
    ///
    /// Only the vector suites need this; protocol code never reads a PRK.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }
}

impl fmt::Debug for Prk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Prk(<redacted>)")
    }
}

/// RFC 5869 §2: `HKDF(salt, IKM, info, N)`, extract then expand, for an output size
/// `N` fixed at compile time (at most [`MAX_OUTPUT_LEN`]; a larger `N` does not
/// compile).
#[must_use]
pub fn hkdf<const N: usize>(salt: &[u8], ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; N]> {
    const { assert!(N <= MAX_OUTPUT_LEN, "HKDF-SHA-256 gives at most 8160 bytes") };
    let mut okm = Zeroizing::new([0u8; N]);
    // `N <= MAX_OUTPUT_LEN` was checked above, when this function was compiled.
    let _ = extract(salt, ikm).expand(info, okm.as_mut());
    okm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_accepts_the_maximum_and_rejects_one_more() {
        let prk = extract(b"salt", b"ikm");
        let mut max = vec![0u8; MAX_OUTPUT_LEN];
        assert_eq!(prk.expand(b"", &mut max), Ok(()));
        let mut over = vec![0u8; MAX_OUTPUT_LEN + 1];
        assert_eq!(prk.expand(b"", &mut over), Err(Error::HkdfOutputTooLong));
        assert!(
            over.iter().all(|&b| b == 0),
            "a refused expand writes nothing"
        );
    }

    #[test]
    fn empty_salt_is_hash_len_zeros() {
        let a: Zeroizing<[u8; 42]> = hkdf(b"", b"ikm", b"info");
        let b: Zeroizing<[u8; 42]> = hkdf(&[0u8; HASH_LEN], b"ikm", b"info");
        assert_eq!(*a, *b);
    }
}
