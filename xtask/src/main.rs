//! `cargo xtask`: Lockstep's developer-only tooling, kept out of the `lockstep`
//! command and out of the harness library (and so out of fuzz builds).
//!
//! ```text
//! cargo xtask fuzz run [--time SECS] [--target NAME,...] [--fuzz-dir DIR] [--log-dir DIR]
//!                      [--toolchain auto|nightly|bootstrap] [--sanitizer none|address] [--json]
//! cargo xtask fuzz corpus [--out DIR]
//! ```
//!
//! `fuzz run` fuzzes each target of `fuzz/` with libFuzzer through cargo-fuzz for
//! `--time` seconds and prints a table of executions, coverage and crashes
//! (libFuzzer's output goes to `target/fuzz-logs/<target>.log`); `fuzz corpus`
//! writes the seed corpora into `fuzz/corpus/`. Each exits 1 if a target crashed or
//! a corpus could not be written, and also if it could not run at all. A crash is
//! then reproduced on stable with `lockstep fuzz repro TARGET FILE`.
//!
//! `cargo xtask` is an alias (`.cargo/config.toml`) for
//! `cargo run --release --package xtask --`.

mod fuzz;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Lockstep's developer tooling.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Xtask {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Fuzz the targets of fuzz/ with libFuzzer, or write their seed corpora.
    Fuzz {
        /// What to do.
        #[command(subcommand)]
        command: fuzz::FuzzCommand,
    },
}

fn main() -> ExitCode {
    match Xtask::parse().command {
        Command::Fuzz { command } => fuzz::main(command),
    }
}
