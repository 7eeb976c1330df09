//! The subcommands of the `lockstep` binary.

pub(crate) mod check;
pub(crate) mod fuzz;
pub(crate) mod proofs;
pub(crate) mod protocol;
pub(crate) mod replay;
pub(crate) mod repro;
pub(crate) mod scenarios;

/// `12.34 s` (with `decimals` decimals), or `2 m 03 s` from two minutes on.
pub(crate) fn duration(seconds: f64, decimals: usize) -> String {
    if seconds >= 120.0 {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "whole seconds of a run: far below 2^64"
        )]
        let whole = seconds.round() as u64;
        format!("{} m {:02} s", whole / 60, whole % 60)
    } else {
        format!("{seconds:.decimals$} s")
    }
}
