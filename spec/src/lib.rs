//! # lockstep-spec: the normative executable specification of Lockstep
//!
//! Every function here is written from a public document and names the clause it
//! implements in the first line of its doc comment. The code is meant to be read
//! beside the document, line for line. It is the oracle that the optimised
//! implementation (`lockstep`) and third-party implementations are checked against.
//!
//! ## Non-goals
//!
//! - **Not constant-time.** hacspec-lib's secret integer types keep secrets out of
//!   branches and comparisons at the type level, but the big-number field arithmetic
//!   beneath them is variable-time. Never use this crate to protect real secrets.
//! - **No zeroization.** Secrets are ordinary values; they stay in memory until the
//!   allocator reuses it.
//! - **Slow on purpose.** No precomputation, no vectorisation, no clever
//!   representation: each step is the document's step. Speed lives in `lockstep`.
//! - **No randomness.** A function that would draw random bytes takes them as an
//!   argument, so the spec and the implementation can be run on the same bytes.
//! - **No hidden state.** Values in, values out; a failing function hands nothing
//!   back but its [`Error`].
//!
//! ## Modules and their documents
//!
//! | module | document |
//! |---|---|
//! | [`sha256`] | FIPS 180-4 §4.1.2, §4.2.2, §5.1.1, §5.3.3, §6.2 |
//! | [`sha512`] | FIPS 180-4 §4.1.3, §4.2.3, §5.1.2, §5.3.5, §6.4 |
//! | [`hmac`] | RFC 2104 §2 (with SHA-256, as RFC 4231 tests it) |
//! | [`hkdf`] | RFC 5869 §2.2, §2.3 (with HMAC-SHA-256) |
//! | [`chacha20`] | RFC 8439 §2.1 to §2.4 |
//! | [`poly1305`] | RFC 8439 §2.5 |
//! | [`aead`] | RFC 8439 §2.6, §2.8 (AEAD_CHACHA20_POLY1305) |
//! | [`x25519`] | RFC 7748 §5, §6.1 |

pub mod aead;
pub mod chacha20;
mod error;
pub mod hkdf;
pub mod hmac;
pub mod poly1305;
pub mod sha256;
pub mod sha512;
pub mod x25519;

pub use error::Error;
/// The byte sequence type every spec function takes and returns (re-exported from
/// hacspec-lib, so callers need not depend on it).
pub use hacspec_lib::{ByteSeq, U8, U32, U64};
