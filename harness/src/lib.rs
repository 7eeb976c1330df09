//! # lockstep-harness: spec and implementation, run side by side
//!
//! The harness drives `lockstep-spec` and `lockstep` on the same inputs and compares
//! them, from the primitives up to whole conversations with an adversary in them.
//!
//! The primitives:
//!
//! - [`sides`]: one byte-level interface, [`sides::Primitives`], with the spec and
//!   the implementation behind it;
//! - [`kat`]: every RFC and Wycheproof vector run on both sides, with counts;
//! - [`protocol_vectors`]: the generator of the protocol vectors in
//!   `vectors/protocol/`, computed by the spec alone, through the same calls of
//!   the spec's side of [`vector_check`] that the checker replays;
//! - [`vector_check`]: their one checker, [`vector_check::check_all`], over one
//!   byte-level interface, [`vector_check::VectorSide`], with the spec and the
//!   implementation behind it; the tests and `lockstep check` both run it.
//!
//! Conversations:
//!
//! - [`model`]: a scenario, a seed and a set-up and the events of a conversation
//!   between Alice and Bob over a network the adversary controls;
//! - [`driver`]: the spec's session functions and the implementation's `Session`
//!   behind one trait, [`driver::Driver`], with one shared error type;
//! - [`run`]: plays a scenario on a driver and records its transcript (what spec
//!   and impl must agree on) and the log the invariants read;
//! - [`model_check`]: every path of a small alphabet of events up to a depth,
//!   breadth first, spec and driver in lockstep, every invariant at every
//!   transition, equal states explored once;
//! - [`strategy`]: proptest strategies for scenarios, which shrink;
//! - [`invariants`]: the security properties as checks over a run, against the
//!   concrete adversary of [`adversary`], which computes with the spec alone;
//! - [`broken`]: deliberately broken drivers, one per invariant, to show each
//!   invariant catching its bug;
//! - [`longterm`]: long-term key compromise (forward secrecy, key-compromise
//!   impersonation, identity misbinding) and harvest-now-decrypt-later checks;
//! - [`flaws`]: protocol flaws spec and impl would share, in one driver, each caught
//!   by an invariant or a check of [`longterm`].
//!
//! Other implementations:
//!
//! - [`conformance`]: the spec as an oracle for an implementation that is not
//!   Lockstep's: a Rust one through [`driver::Driver`] or
//!   [`conformance::Peer`], any other through a shim speaking
//!   docs/CONFORMANCE.md's JSON lines ([`conformance::shim`]), in the
//!   deterministic mode (transcripts equal to the spec's) and the interop mode (a
//!   party of its own against the spec's, under the adversary).
//!
//! The formal models:
//!
//! - [`proofs_link`]: the link between the ProVerif models of `proofs/` and the
//!   spec (their constants and KDF, encoding and AD functions, byte for byte),
//!   checked by `lockstep proofs` and by `tests/proofs_link.rs`.
//!
//! The command-line tools:
//!
//! - [`report`]: durations, counts and aligned tables, printed the same way by the
//!   `lockstep` command (crate `lockstep-cli`, folder `cli/`: `lockstep check`,
//!   `lockstep proofs`, ...) and by the developer tooling (`cargo xtask`, folder
//!   `xtask/`: `cargo xtask fuzz run`);
//! - [`bench_report`]: `lockstep bench report`, one HTML page with SVG bar charts
//!   of the benchmarks' ratios from criterion's latest estimates, and the list of
//!   what `benches/` measures ([`bench_report::catalogue`]) that the benchmarks
//!   print their tables from.
//!
//! This crate has no command line and depends on neither clap nor indicatif, so the
//! fuzz targets of `fuzz/` (built on [`fuzz`]) do not compile them. The property
//! tests in `tests/` use the same pieces as the tools.

pub mod adversary;
pub mod bench_report;
pub mod broken;
pub mod conformance;
pub mod driver;
pub mod flaws;
/// Message franking, the harness side.
pub mod franking;
pub mod fuzz;
pub mod invariants;
pub mod kat;
pub mod longterm;
pub mod model;
pub mod model_check;
pub mod proofs_link;
pub mod protocol_vectors;
pub mod report;
pub mod run;
pub mod sides;
pub mod strategy;
pub mod vector_check;
