//! # lockstep-harness: spec and implementation, run side by side
//!
//! The harness drives `lockstep-spec` and `lockstep` on the same inputs and compares
//! them. Today it holds the primitive layer:
//!
//! - [`sides`]: one byte-level interface, [`sides::Primitives`], with the spec and
//!   the implementation behind it;
//! - [`kat`]: every RFC and Wycheproof vector run on both sides, with counts;
//! - [`protocol_vectors`]: the generator of the protocol vectors in
//!   `vectors/protocol/`, computed by the spec alone.
//!
//! The property tests in `tests/` use the same two sides.

pub mod adversary;
pub mod broken;
pub mod driver;
pub mod invariants;
pub mod kat;
pub mod model;
pub mod protocol_vectors;
pub mod run;
pub mod sides;
pub mod strategy;
