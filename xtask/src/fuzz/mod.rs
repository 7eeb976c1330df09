//! `cargo xtask fuzz`: the fuzz targets of `fuzz/`, run and seeded from one command.
//! Developer tooling: it drives cargo-fuzz and reads libFuzzer's logs, so it lives
//! here and not in the `lockstep` command (`lockstep fuzz repro` reruns a target's
//! body on files, on stable, without any of this).
//!
//! - `cargo xtask fuzz run` runs each target under libFuzzer (`cargo fuzz run`) for
//!   a while, one after the other, writes each run's output to
//!   `target/fuzz-logs/<target>.log`, and prints a table of what libFuzzer reported
//!   (executions, coverage, corpus, peak memory) and whether the target crashed.
//!   It needs cargo-fuzz and a nightly toolchain (or stable with
//!   `RUSTC_BOOTSTRAP=1`).
//! - `cargo xtask fuzz corpus` writes every target's seed corpus
//!   ([`fuzz::seed_corpus`]) into `fuzz/corpus/<target>/`, in place of the seeds
//!   already there (files named `seed-*`); the inputs libFuzzer added stay.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::File;
use std::io::{IsTerminal as _, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_harness::fuzz::{self, Target};
use lockstep_harness::report::{self, Align, Table, count, group};
use serde::Serialize;

/// The subcommands of `cargo xtask fuzz`.
#[derive(Debug, Subcommand)]
pub(crate) enum FuzzCommand {
    /// Run each target under libFuzzer (cargo fuzz run) for a while, one after
    /// another, and print what libFuzzer reported. Exit 1 if a target crashed or
    /// did not run.
    Run(RunArgs),
    /// Write every target's seed corpus into DIR/TARGET/, in place of the seed-*
    /// files there (inputs libFuzzer added are kept).
    Corpus {
        /// The corpus directory (one directory per target is made in it).
        #[arg(long, value_name = "DIR", default_value = "fuzz/corpus")]
        out: PathBuf,
    },
}

/// The flags of `cargo xtask fuzz run`.
#[derive(Debug, Args)]
#[command(after_help = fuzz::target_list())]
pub(crate) struct RunArgs {
    /// Seconds of fuzzing per target (libFuzzer's -max_total_time; the build
    /// comes on top).
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    time: u64,
    /// A target to run (repeat the flag, or separate names with commas;
    /// default: every target).
    #[arg(long = "target", value_name = "NAME", value_delimiter = ',', value_parser = parse_target)]
    targets: Vec<&'static Target>,
    /// The cargo-fuzz project (its corpus/, artifacts/, dicts/ are used).
    #[arg(long, value_name = "DIR", default_value = "fuzz")]
    fuzz_dir: PathBuf,
    /// Where the libFuzzer output of each target goes (TARGET.log).
    #[arg(long, value_name = "DIR", default_value = "target/fuzz-logs")]
    log_dir: PathBuf,
    /// The toolchain cargo fuzz builds with: nightly (`cargo +nightly`), bootstrap
    /// (the default toolchain with RUSTC_BOOTSTRAP=1), or auto (nightly if
    /// `cargo +nightly --version` works, else bootstrap).
    #[arg(long, value_enum, default_value_t = Toolchain::Auto)]
    toolchain: Toolchain,
    /// cargo fuzz's sanitizer: none (the default) or address. Lockstep has no
    /// `unsafe`, and AddressSanitizer slows the spec-heavy targets some twentyfold
    /// (state_decode: 4 against 81 executions per second, measured); ClusterFuzzLite
    /// and OSS-Fuzz run the targets under it.
    #[arg(long, value_enum, default_value_t = Sanitizer::None)]
    sanitizer: Sanitizer,
    /// Print a JSON summary on stdout instead of the table.
    #[arg(long)]
    json: bool,
}

/// The sanitizer `cargo fuzz` builds with (its `--sanitizer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Sanitizer {
    /// No sanitizer: coverage instrumentation only.
    None,
    /// AddressSanitizer (cargo fuzz's own default).
    Address,
}

impl Sanitizer {
    /// Its name for `cargo fuzz --sanitizer`.
    fn flag(self) -> &'static str {
        match self {
            Sanitizer::None => "none",
            Sanitizer::Address => "address",
        }
    }
}

/// The toolchain `cargo fuzz` runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Toolchain {
    /// Nightly if `cargo +nightly --version` works, else bootstrap.
    Auto,
    /// `cargo +nightly fuzz …`.
    Nightly,
    /// `RUSTC_BOOTSTRAP=1 cargo fuzz …` on the default toolchain.
    Bootstrap,
}

/// A target by name.
fn parse_target(name: &str) -> Result<&'static Target, String> {
    fuzz::target(name).ok_or_else(|| format!("no fuzz target {name:?}; {}", fuzz::target_list()))
}

/// Runs `cargo xtask fuzz …`.
pub(crate) fn main(command: FuzzCommand) -> ExitCode {
    match command {
        FuzzCommand::Run(args) => run(&args),
        FuzzCommand::Corpus { out } => corpus(&out),
    }
}

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod corpus;
mod run;

use corpus::*;
use run::*;

#[cfg(test)]
mod tests {
    use super::*;

    /// The end of a clean run (cargo-fuzz 0.13.2, libFuzzer of libfuzzer-sys
    /// 0.4.13), as written to the log: NEW and REDUCE lines shortened.
    const CLEAN: &str = "\
# xtask fuzz run: cargo +nightly fuzz run clean --fuzz-dir fuzz -- -max_total_time=3 -max_len=64 -print_final_stats=1
    Finished `release` profile [optimized + debuginfo] target(s) in 0.01s
     Running `fuzz/target/x86_64-unknown-linux-gnu/release/clean -artifact_prefix=fuzz/artifacts/clean/ -max_total_time=3 -max_len=64 -print_final_stats=1 fuzz/corpus/clean`
INFO: Running with entropic power schedule (0xFF, 100).
INFO: Seed: 3273910946
INFO: Loaded 1 modules   (304 inline 8-bit counters): 304 [0x563c74774590, 0x563c747746c0), 
INFO: Loaded 1 PC tables (304 PCs): 304 [0x563c747746c0,0x563c747759c0), 
INFO:        0 files found in fuzz/corpus/clean
INFO: A corpus is not provided, starting from an empty corpus
#2\tINITED cov: 17 ft: 17 corp: 1/1b exec/s: 0 rss: 33Mb
#3\tNEW    cov: 18 ft: 18 corp: 2/2b lim: 4 exec/s: 0 rss: 33Mb L: 1/1 MS: 1 ChangeBit-
#1048576\tpulse  cov: 19 ft: 30 corp: 9/82b lim: 64 exec/s: 349525 rss: 104Mb
#1131003\tDONE   cov: 19 ft: 30 corp: 9/82b lim: 64 exec/s: 282750 rss: 109Mb
###### Recommended dictionary. ######
\"\\000\\000\" # Uses: 53130
###### End of recommended dictionary. ######
Done 1131003 runs in 4 second(s)
stat::number_of_executed_units: 1131003
stat::average_exec_per_sec:     282750
stat::new_units_added:          9
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              109
";

    /// A run that found a panicking input (same versions), stack traces cut.
    const CRASH: &str = "\
    Finished `release` profile [optimized + debuginfo] target(s) in 0.02s
     Running `fuzz/target/x86_64-unknown-linux-gnu/release/fuzz_target_1 -artifact_prefix=fuzz/artifacts/fuzz_target_1/ -max_total_time=60 -max_len=64 -print_final_stats=1 fuzz/corpus/fuzz_target_1`
INFO: Seed: 3231357285
INFO:        0 files found in fuzz/corpus/fuzz_target_1
#2\tINITED cov: 19 ft: 19 corp: 1/1b exec/s: 0 rss: 33Mb
#42300\tREDUCE cov: 24 ft: 25 corp: 12/40b lim: 64 exec/s: 0 rss: 138Mb L: 5/6 MS: 1 EraseBytes-

thread '<unnamed>' (17183) panicked at fuzz_targets/fuzz_target_1.rs:5:9:
demo finding: [70, 85, 90, 90, 0, 227]
stack backtrace:
   0: __rustc::rust_begin_unwind
==17183== ERROR: libFuzzer: deadly signal
    #0 0x5618a7db18e1 in __sanitizer_print_stack_trace /rustc/llvm/src/llvm-project/compiler-rt/lib/asan/asan_stack.cpp:87:3
    #33 0x5618a7d1c2a0 in _start (/tmp/fuzzdemo/fuzz/target/x86_64-unknown-linux-gnu/release/fuzz_target_1+0x862a0)

NOTE: libFuzzer has rudimentary signal handlers.
      Combine libFuzzer with AddressSanitizer or similar for better crash reports.
SUMMARY: libFuzzer: deadly signal
MS: 1 CopyPart-; base unit: d79bdc800686efee09347bb51255c6a8d9e40de1
0x46,0x55,0x5a,0x5a,0x0,0xe3,
FUZZ\\000\\343
artifact_prefix='fuzz/artifacts/fuzz_target_1/'; Test unit written to fuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626
Base64: RlVaWgDj
stat::number_of_executed_units: 42577
stat::average_exec_per_sec:     0
stat::new_units_added:          18
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              139

Failing input:

\tfuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626

Reproduce with:

\tcargo fuzz run fuzz_target_1 fuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626

Error: Fuzz target exited with exit status: 77

Stack backtrace:
   0: anyhow::error::<impl anyhow::Error>::msg
";

    /// A target that does not compile (same versions).
    const BUILD_FAILED: &str = "\
   Compiling fuzzdemo-fuzz v0.0.0 (/tmp/fuzzdemo/fuzz)
error[E0308]: mismatched types
 --> fuzz_targets/clean.rs:6:21
  |
6 | fn broken() -> u8 { \"x\" }
  |                --   ^^^ expected `u8`, found `&str`

For more information about this error, try `rustc --explain E0308`.
error: could not compile `fuzzdemo-fuzz` (bin \"clean\") due to 1 previous error
Error: failed to build fuzz script: ASAN_OPTIONS=\"detect_odr_violation=0\" RUSTFLAGS=\" -Cpasses=sancov-module --cfg fuzzing\" \"cargo\" \"build\" \"--manifest-path\" \"fuzz/Cargo.toml\" \"--bin\" \"clean\"

Stack backtrace:
   0: anyhow::error::<impl anyhow::Error>::msg
";

    /// A timeout, as libFuzzer reports it (written by hand from its format).
    const TIMEOUT: &str = "\
#2\tINITED cov: 40 ft: 41 corp: 3/9b exec/s: 0 rss: 40Mb
ALARM: working on the last Unit for 1201 seconds
       and the timeout value is 1200 (use -timeout=N to change)
MS: 2 InsertByte-ChangeBit-; base unit: 0000000000000000000000000000000000000000
artifact_prefix='fuzz/artifacts/conversation/'; Test unit written to fuzz/artifacts/conversation/timeout-0123456789abcdef0123456789abcdef01234567
Base64: AAE=
==4242== ERROR: libFuzzer: timeout after 1201 seconds
SUMMARY: libFuzzer: timeout
";

    #[test]
    fn a_clean_run_gives_its_final_stats() {
        let stats = parse_log(CLEAN);
        assert_eq!(
            stats,
            LogStats {
                executions: Some(1_131_003),
                exec_per_sec: Some(282_750),
                new_units: Some(9),
                peak_rss_mb: Some(109),
                cov: Some(19),
                ft: Some(30),
                corpus_units: Some(9),
                corpus_size: Some("82b".to_owned()),
                fuzz_seconds: Some(4),
                ..LogStats::default()
            }
        );
        assert_eq!(classify(true, "exit status: 0", &stats), Outcome::Clean);
    }

    #[test]
    fn a_crash_gives_its_input_and_panic() {
        let stats = parse_log(CRASH);
        assert_eq!(stats.executions, Some(42_577));
        assert_eq!(stats.exec_per_sec, Some(0));
        assert_eq!(stats.new_units, Some(18));
        assert_eq!(stats.peak_rss_mb, Some(139));
        // The last status line before the crash: the stack trace's `    #0 …`
        // lines are not status lines.
        assert_eq!((stats.cov, stats.ft), (Some(24), Some(25)));
        assert_eq!(stats.corpus_units, Some(12));
        assert_eq!(stats.corpus_size.as_deref(), Some("40b"));
        assert_eq!(stats.fuzz_seconds, None);
        let artifact =
            "fuzz/artifacts/fuzz_target_1/crash-9ab06f82c8ec99f35de7892d205d3e1354142626";
        assert_eq!(stats.artifact.as_deref(), Some(artifact));
        assert_eq!(stats.artifact_kind.as_deref(), Some("crash"));
        assert_eq!(
            stats.panic.as_deref(),
            Some("demo finding: [70, 85, 90, 90, 0, 227]")
        );
        assert_eq!(
            stats.panic_location.as_deref(),
            Some("fuzz_targets/fuzz_target_1.rs:5:9")
        );
        assert_eq!(
            stats.fuzzer_error.as_deref(),
            Some("libFuzzer: deadly signal")
        );
        assert_eq!(
            stats.error.as_deref(),
            Some("Error: Fuzz target exited with exit status: 77")
        );
        assert!(!stats.build_failed);
        assert_eq!(
            classify(false, "exit status: 1", &stats),
            Outcome::Crash {
                kind: "crash".to_owned(),
                artifact: artifact.to_owned()
            }
        );
    }

    #[test]
    fn a_build_failure_is_told_apart() {
        let stats = parse_log(BUILD_FAILED);
        assert!(stats.build_failed);
        assert_eq!(stats.executions, None);
        assert_eq!(stats.cov, None);
        assert_eq!(
            classify(false, "exit status: 1", &stats),
            Outcome::BuildFailed("error[E0308]: mismatched types".to_owned())
        );
    }

    #[test]
    fn a_timeout_is_a_crash_without_final_stats() {
        let stats = parse_log(TIMEOUT);
        assert_eq!(stats.artifact_kind.as_deref(), Some("timeout"));
        assert_eq!(stats.executions, Some(2), "from the last status line");
        assert_eq!(stats.peak_rss_mb, Some(40), "from the last status line");
        assert_eq!(
            stats.fuzzer_error.as_deref(),
            Some("libFuzzer: timeout after 1201 seconds")
        );
        assert!(matches!(
            classify(false, "exit status: 1", &stats),
            Outcome::Crash { kind, .. } if kind == "timeout"
        ));
    }

    #[test]
    fn slow_units_and_plain_failures_are_not_crashes() {
        let log = "\
#10\tNEW    cov: 5 ft: 5 corp: 2/2b lim: 4 exec/s: 0 rss: 30Mb
Slowest unit: 11 s:
artifact_prefix='fuzz/artifacts/x/'; Test unit written to fuzz/artifacts/x/slow-unit-abc
Done 10 runs in 60 second(s)
";
        let stats = parse_log(log);
        assert_eq!(stats.artifact, None);
        assert_eq!(classify(true, "exit status: 0", &stats), Outcome::Clean);
        assert_eq!(
            classify(false, "signal: 9 (SIGKILL)", &stats),
            Outcome::Error("signal: 9 (SIGKILL)".to_owned())
        );
        assert_eq!(parse_log(""), LogStats::default());
    }

    #[test]
    fn status_lines_and_numbers() {
        assert_eq!(status_line("    #0 0x5618a7db18e1 in foo"), None);
        assert_eq!(status_line("#12 INITED ft: 3"), None, "no cov");
        let (count, fields) =
            status_line("#7\tNEW    cov: 3 ft: 4 corp: 2/9b lim: 4 exec/s: 0 rss: 30Mb").unwrap();
        assert_eq!(count, 7);
        assert!(fields.contains(&("corp", "2/9b")));
        assert_eq!(leading_number("512Mb"), Some(512));
        assert_eq!(leading_number("Mb"), None);
    }
}
