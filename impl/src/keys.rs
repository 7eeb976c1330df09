//! The keys an application holds (SPEC §3.1): its identity key pair, its prekeys'
//! private halves, and the public keys it publishes or reads.
//!
//! Secret keys are made only by generation ([`IdentityKeyPair::generate`],
//! [`PrivateKey::generate`], [`DecapsulationKey::generate`]) or by opening a sealed
//! copy ([`crate::storage`]): making one from raw bytes is the `hazmat` feature's.
//! Each is wiped on drop, compared in constant time and printed as `<redacted>`.

pub use crate::ml_kem::{DecapsulationKey, EncapsulationKey};
pub use crate::pqxdh::IdentityKeyPair;
pub use crate::x25519::{PrivateKey, PublicKey};
