//! Message franking (SPEC §9), the harness side: the schemes the invariants drive
//! ([`scheme`](crate::franking::scheme): the implementation's, and SPEC §9 composed
//! from primitives with at most one flaw), the properties of SPEC §9.4 as checks
//! over random conversations against concrete adversaries
//! ([`invariants`](crate::franking::invariants)), SPEC §9.3's layouts written again
//! for the harness ([`wire`](crate::franking::wire)), and the attack that motivates
//! the commitment ([`collision`](crate::franking::collision)): ChaCha20-Poly1305
//! does not commit to its key, so one `ciphertext ‖ tag` opens under two keys to
//! two different plaintexts, and a report that reveals a key cannot, by the AEAD's
//! authentication alone, bind the ciphertext to the plaintext the recipient saw.

pub mod collision;
pub mod invariants;
pub mod scheme;
pub mod wire;
