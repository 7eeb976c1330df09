//! `lockstep`: the harness as one command, for CI and for people.
//!
//! ```text
//! lockstep check [--cases N] [--seed S] [--max-events M] [--json] [--out DIR]
//!                [--only PART,...] [--threads T] [--shrink-time SECONDS] [--slow-vectors]
//! lockstep replay FILE
//! lockstep vectors --out DIR
//! lockstep fuzz repro TARGET FILE...
//! lockstep proofs [--only NAME,...] [--ci] [--json] [--update] [--timeout SECS]
//!                 [--jobs N] [--proverif PATH] [--dir DIR]
//! lockstep bench report [--criterion DIR] [--out FILE] [--svg-dir DIR]
//! ```
//!
//! `check` runs every check the harness has: the RFC and Wycheproof vectors on the
//! spec and on the implementation, the protocol vectors (the spec regenerates
//! `vectors/protocol/` byte for byte; the implementation reproduces every vector),
//! and `N` random conversations run through both and compared record for record,
//! with every security invariant checked over the implementation's runs. It prints
//! a table (or, with `--json`, a summary as JSON) and exits 0 only if every check
//! passed. A failing conversation is shrunk by proptest to a small one, and every
//! failed check leaves a reproducer file, `lockstep-repro-<check>-<seed>.json`,
//! that `replay` reruns.
//!
//! `fuzz repro` runs a fuzz target's body (`lockstep_harness::fuzz`) on files
//! (crash inputs, regression files) without libFuzzer, on the stable toolchain, and
//! exits 1 if a file fails. Running the targets under libFuzzer and writing their
//! seed corpora is developer tooling, in `xtask/` (`cargo xtask fuzz run`).
//!
//! `proofs` first checks the link of every model of `proofs/` (`*.pv` and
//! `controls/*.pv`) to the spec (`lockstep_harness::proofs_link`: the models'
//! constants and one-line KDF, encoding and AD functions, byte for byte, without
//! ProVerif), then runs ProVerif 2.05 on the models, `--jobs` at a time with a
//! timeout each, parses every `RESULT` line and compares the results, query by
//! query and in order, with the lock file `proofs/results.json`; it prints a table
//! (model, query, expected, got, time, then `link to the spec: N constants, M
//! functions checked`) and exits 1 on any difference (a model that does not match
//! the spec, named by file, line and constant or function; a changed result or
//! query, a timeout, a ProVerif error, a model missing from the lock or a locked
//! model whose file is gone, stale derived models per `proofs/gen.py --check`).
//! `--update` rewrites the lock entries of the models run (and refuses, exiting 1,
//! if the link to the spec fails or derived models are stale); `--ci` runs only the
//! models locked with `"ci": true`. Without ProVerif (`--proverif`,
//! `$LOCKSTEP_PROVERIF`, or `proverif` on PATH) it says how to install it and
//! exits 2.
//!
//! `conformance --shim CMD` checks another implementation against the spec through
//! a shim, a program of its own that speaks docs/CONFORMANCE.md's JSON lines: in the
//! deterministic mode its transcripts must equal the spec's record for record, in the
//! interop mode it plays one party against the spec's under the adversary. A failure
//! is shown as the diff of the two transcripts at their first divergence, shrunk, and
//! written to `lockstep-conformance-<mode>-<seed>-<case>.json`, which `--replay`
//! plays again; a shim that times out or crashes is reported as such.
//!
//! `bench report` renders the benchmarks' ratios (spec/impl per primitive,
//! impl/baseline per protocol operation, lockstep/vodozemac per peers operation)
//! as one self-contained HTML page of SVG bar charts from criterion's latest
//! estimates, listing the benchmarks with no data and the commands that measure
//! them; `--svg-dir` also writes each chart as an SVG file.
//!
//! Exit codes: 0 everything passed; 1 a check failed (or, for `replay`, still
//! fails); 2 the command could not run (bad arguments, unreadable files).

mod bench;
mod check;
mod conformance;
mod franking;
mod fuzz;
mod model_check;
mod proofs;
mod protocol;
mod replay;
mod repro;
mod scenarios;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use lockstep_harness::broken::Flaw;

use check::{Part, Settings};

/// The scenarios `check` runs by default: a few minutes on 2 cores, the spec's runs
/// nearly all of it (per-conversation costs: BENCHMARKS.md, `conversations`).
const DEFAULT_CASES: usize = 640;
/// The most events of a default scenario.
const DEFAULT_MAX_EVENTS: usize = 32;

/// Lockstep: the executable spec of the protocol and its implementation, run
/// side by side.
#[derive(Debug, Parser)]
#[command(name = "lockstep", version)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run every check: vectors, protocol vectors, spec = impl on random
    /// conversations, invariants. Exit 0 only if all pass.
    Check(CheckArgs),
    /// Rerun a reproducer written by `check`; exit 0 if it now passes, 1 if it
    /// still fails.
    Replay {
        /// The reproducer (lockstep-repro-*.json).
        file: PathBuf,
    },
    /// Write the protocol vectors (vectors/protocol/*.json), computed by the spec,
    /// into a directory.
    Vectors {
        /// The directory (created if need be).
        #[arg(long)]
        out: PathBuf,
    },
    /// Run a fuzz target of fuzz/ on files (crash inputs, regressions), without
    /// libFuzzer.
    Fuzz {
        /// What to do.
        #[command(subcommand)]
        command: fuzz::FuzzCommand,
    },
    /// Check the models of proofs/ against the spec (constants, KDFs), run ProVerif
    /// on them and compare every RESULT with the lock, proofs/results.json; exit 1
    /// on any difference (--update rewrites the lock instead).
    Proofs(proofs::ProofsArgs),
    /// Check another implementation against the spec through a shim that speaks
    /// docs/CONFORMANCE.md's JSON lines, in the deterministic mode (its transcripts
    /// must equal the spec's) and the interop mode (one party of its own against
    /// the spec's, under the adversary). Exit 0 if every case passes, 1 if a check
    /// fails, 2 if the shim cannot be run.
    Conformance(conformance::ConformanceArgs),
    /// Explore every path of a small alphabet of events up to a depth, breadth
    /// first, on the spec and the implementation in lockstep, every invariant at
    /// every transition; a counterexample is a shortest one, written as a
    /// reproducer `replay` runs. Exit 0 if there is none, 1 if there is.
    ModelCheck(model_check::ModelCheckArgs),
    /// Message franking (SPEC §9): `demo` plays a franked conversation, a report
    /// and its verification and prints each party's view; `check` runs the
    /// franking invariants on random conversations (or on a broken variant).
    Franking {
        /// What to do.
        #[command(subcommand)]
        command: franking::FrankingCommand,
    },
    /// The benchmarks: `report` renders their ratios as one HTML page of SVG bar
    /// charts from criterion's latest estimates.
    Bench {
        /// What to do.
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

/// The flags of `check`.
#[derive(Debug, Args)]
struct CheckArgs {
    /// Random conversations to run through spec and impl.
    #[arg(long, default_value_t = DEFAULT_CASES)]
    cases: usize,
    /// The seed the conversations are drawn from (default: drawn at random and
    /// printed). The same seed draws the same conversations.
    #[arg(long)]
    seed: Option<u64>,
    /// The most events in one conversation.
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS)]
    max_events: usize,
    /// Print a JSON summary on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Where to write reproducers of failed checks.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Run only these parts (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Part>,
    /// Threads for the conversations (default: the number of cores). The results
    /// do not depend on it.
    #[arg(long)]
    threads: Option<NonZeroUsize>,
    /// Seconds proptest may spend shrinking each failure.
    #[arg(long, default_value_t = 60)]
    shrink_time: u64,
    /// Also run RFC 7748's 1,000,000-iteration X25519 vector on the implementation.
    #[arg(long)]
    slow_vectors: bool,
    /// Check a deliberately broken driver instead of the implementation (to see the
    /// checks catch it).
    #[arg(long, hide = true, value_parser = parse_flaw)]
    broken: Option<Flaw>,
}

/// A flaw by name.
fn parse_flaw(name: &str) -> Result<Flaw, String> {
    Flaw::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Flaw::ALL.iter().map(|f| f.name()).collect();
        format!("no flaw {name:?}; the flaws: {}", names.join(", "))
    })
}

/// A seed from the operating system's hasher keys and the clock.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    hasher.write_u32(std::process::id());
    hasher.finish()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => {
            let threads = args
                .threads
                .or_else(|| std::thread::available_parallelism().ok())
                .map_or(1, NonZeroUsize::get)
                .min(args.cases.max(1));
            let parts = if args.only.is_empty() {
                vec![
                    Part::Vectors,
                    Part::ProtocolVectors,
                    Part::Equivalence,
                    Part::Invariants,
                ]
            } else {
                args.only
            };
            check::check(&Settings {
                cases: args.cases,
                seed: args.seed.unwrap_or_else(random_seed),
                seed_given: args.seed.is_some(),
                max_events: args.max_events,
                json: args.json,
                out: args.out,
                parts,
                threads,
                shrink_budget: Duration::from_secs(args.shrink_time),
                slow_vectors: args.slow_vectors,
                flaw: args.broken,
            })
        }
        Command::Replay { file } => replay::replay(&file),
        Command::Vectors { out } => vectors(&out),
        Command::Fuzz { command } => fuzz::main(command),
        Command::Proofs(args) => proofs::main(&args),
        Command::Conformance(args) => conformance::main(&args, random_seed()),
        Command::ModelCheck(args) => model_check::main(&args),
        Command::Franking { command } => franking::main(command),
        Command::Bench { command } => bench::main(command),
    }
}

/// `lockstep vectors --out DIR`.
fn vectors(out: &std::path::Path) -> ExitCode {
    match lockstep_harness::protocol_vectors::write_all(out) {
        Ok(paths) => {
            println!("wrote the protocol vectors (computed by lockstep-spec):");
            for path in paths {
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                println!("  {} ({size} bytes)", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lockstep vectors: {e}");
            ExitCode::FAILURE
        }
    }
}
