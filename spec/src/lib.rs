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
//!   beneath them is variable-time, and nothing checks what the compiler makes of the
//!   limb arithmetic of [`field25519`]. Never use this crate to protect real secrets.
//! - **No zeroization.** Secrets are ordinary values; they stay in memory until the
//!   allocator reuses it.
//! - **Slow on purpose.** No precomputation, no vectorisation, no clever
//!   representation: each step is the document's step. Speed lives in `lockstep`.
//!   (GF(2^255 - 19) is plain fixed-width limbs with a schoolbook product, so that the
//!   curves run like arithmetic; its big-number form is kept as its test oracle.)
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
//! | [`sha3`] | FIPS 202 §3, §4, §5, §6 |
//! | [`hmac`] | RFC 2104 §2 (with SHA-256, as RFC 4231 tests it) |
//! | [`hkdf`] | RFC 5869 §2.2, §2.3 (with HMAC-SHA-256) |
//! | [`chacha20`] | RFC 8439 §2.1 to §2.4 |
//! | [`poly1305`] | RFC 8439 §2.5 |
//! | [`field1305`] | GF(2^130 - 5) for RFC 8439 §2.5.1 (five 26-bit limbs) |
//! | [`aead`] | RFC 8439 §2.6, §2.8 (AEAD_CHACHA20_POLY1305) |
//! | [`x25519`] | RFC 7748 §5, §6.1 |
//! | [`ml_kem`] | FIPS 203 §4 to §8 (ML-KEM-1024), Appendix A |
//! | [`field25519`] | GF(2^255 - 19) for RFC 7748 and RFC 8032 §5.1; XEdDSA rev 1 §2.1 `inv` |
//! | [`edwards25519`] | RFC 8032 §5.1, §5.1.2 to §5.1.4 (edwards25519, which XEdDSA rev 1 §5 uses) |
//! | [`xeddsa`] | XEdDSA rev 1 (2016-10-20) §2.3, §2.5, §3 (XEd25519) |
//! | [`wire`] | docs/SPEC.md §2 (`EncodeEC`, `EncodeKEM`), §3.2 (the prekey bundle), §5 (the messages) |
//! | [`pqxdh`] | PQXDH rev 2 (2023-10-18) §3.2 to §3.4; docs/SPEC.md §3 |
//! | [`ratchet`] | Double Ratchet rev 1 (2016-11-20) §3, §5.2 (as restated in rev 3); docs/SPEC.md §4 |
//! | [`state`] | docs/SPEC.md §6 (the session state encoding) |
//! | [`session`] | docs/SPEC.md §3 with §4 (PQXDH then the ratchet), §4.5 (PreKey wrapping), §5.2 (acceptance) |
//! | [`franking`] | docs/SPEC.md §9 (message franking; Grubbs, Lu, Ristenpart, CRYPTO 2017) |

pub mod aead;
pub mod chacha20;
pub mod consts;
pub mod edwards25519;
mod error;
pub mod field1305;
pub mod field25519;
pub mod franking;
pub mod hkdf;
pub mod hmac;
pub mod ml_kem;
pub mod poly1305;
pub mod pqxdh;
pub mod ratchet;
pub mod session;
pub mod sha256;
pub mod sha3;
pub mod sha512;
pub mod state;
#[cfg(test)]
mod testing;
pub mod wire;
pub mod x25519;
pub mod xeddsa;

pub use error::Error;
/// The byte sequence type every spec function takes and returns (re-exported from
/// hacspec-lib, so callers need not depend on it).
pub use hacspec_lib::{ByteSeq, U8, U32, U64};
