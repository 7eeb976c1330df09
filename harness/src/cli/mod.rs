//! The subcommands of the `lockstep` binary.

pub(crate) mod check;
pub(crate) mod fuzz;
pub(crate) mod protocol;
pub(crate) mod replay;
pub(crate) mod repro;
pub(crate) mod scenarios;
