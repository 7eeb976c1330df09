//! HMAC-SHA-256 (RFC 2104 §2) on RustCrypto `hmac` and `sha2`.
//!
//! Mirrors `lockstep_spec::hmac`.

use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

use crate::Error;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Length in bytes of a full HMAC-SHA-256 tag.
pub const TAG_LEN: usize = 32;

/// The shortest truncated tag [`verify`] accepts: 16 bytes, half the hash output,
/// the floor RFC 2104 §5 recommends ("not less than half the length of the hash
/// output") and the shortest size NIST SP 800-107 allows at this security level.
pub const MIN_TAG_LEN: usize = 16;

/// RFC 2104 §2: `HMAC(key, data)` with SHA-256.
///
/// The output is returned as a secret: in this protocol HMAC outputs are chain and
/// message keys (Double Ratchet §5.2 `KDF_CK`), so they are zeroized on drop.
#[must_use]
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Zeroizing<[u8; TAG_LEN]> {
    let mut mac = new_mac(key);
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// RFC 2104 §2 and §5: check `tag` against `HMAC(key, data)` in constant time.
///
/// `tag` may be truncated to its leftmost bytes (§5), down to [`MIN_TAG_LEN`].
///
/// # Errors
/// [`Error::InvalidTagLength`] for a tag shorter than [`MIN_TAG_LEN`] or longer than
/// [`TAG_LEN`]; [`Error::MacMismatch`] if the tag is wrong.
pub fn verify(key: &[u8], data: &[u8], tag: &[u8]) -> Result<(), Error> {
    if !(MIN_TAG_LEN..=TAG_LEN).contains(&tag.len()) {
        return Err(Error::InvalidTagLength);
    }
    let mut mac = new_mac(key);
    mac.update(data);
    mac.verify_truncated_left(tag)
        .map_err(|_| Error::MacMismatch)
}

#[allow(
    clippy::expect_used,
    reason = "HMAC is defined for keys of every length (RFC 2104 §2 hashes long keys and pads short ones); `Hmac::new_from_slice` never fails"
)]
fn new_mac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}
