//! `lockstep fuzz repro`: a fuzz target's body ([`fuzz::Target::check`]) run on
//! files: a crash file libFuzzer wrote, or a regression file. No libFuzzer, no
//! nightly: this is how a crash is reproduced and a regression checked on stable.
//! Running the targets under libFuzzer and writing their seed corpora is developer
//! tooling: `cargo xtask fuzz run`, `cargo xtask fuzz corpus` (`xtask/`).

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use lockstep_harness::fuzz::{self, Finding, Target};
use lockstep_harness::report;

/// The subcommands of `lockstep fuzz`.
#[derive(Debug, Subcommand)]
pub(crate) enum FuzzCommand {
    /// Run a target's body on files (crash files from libFuzzer, regression
    /// files), without libFuzzer: works on stable. Exit 1 on any finding.
    Repro {
        /// The fuzz target (one of those `cargo xtask fuzz run --help` lists).
        target: String,
        /// The inputs; a directory stands for the files in it.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// Runs `lockstep fuzz …`.
pub(crate) fn main(command: FuzzCommand) -> ExitCode {
    match command {
        FuzzCommand::Repro { target, files } => repro(&target, &files),
    }
}

/// What a target's body made of one input.
enum Verdict {
    /// It passed.
    Pass,
    /// It returned a finding.
    Finding(Finding),
    /// It panicked (as the fuzz target would, and libFuzzer would call it a crash).
    Panic(String),
}

/// Runs `target`'s body on `data`, a panic caught and reported.
fn check(target: &Target, data: &[u8]) -> Verdict {
    match std::panic::catch_unwind(AssertUnwindSafe(|| (target.check)(data))) {
        Ok(Ok(())) => Verdict::Pass,
        Ok(Err(finding)) => Verdict::Finding(finding),
        Err(payload) => Verdict::Panic(if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "(no message)".to_owned()
        }),
    }
}

/// The files `paths` stand for: files as they are, directories as the files in
/// them (sorted, hidden ones left out).
fn expand(paths: &[PathBuf]) -> Vec<Result<PathBuf, String>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(Ok(path.clone()));
            continue;
        }
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut inside: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| e.path())
                    .collect();
                inside.sort();
                files.extend(inside.into_iter().map(Ok));
            }
            Err(e) => files.push(Err(format!("cannot list {}: {e}", path.display()))),
        }
    }
    files
}

/// Runs `lockstep fuzz repro`.
fn repro(name: &str, paths: &[PathBuf]) -> ExitCode {
    let Some(target) = fuzz::target(name) else {
        eprintln!(
            "lockstep fuzz repro: no fuzz target {name:?}; {}",
            fuzz::target_list()
        );
        return ExitCode::FAILURE;
    };
    println!("lockstep fuzz repro: {}: {}", target.name, target.about);
    let (mut passed, mut failed, mut unreadable) = (0, 0, 0);
    for file in expand(paths) {
        let path = match file {
            Ok(path) => path,
            Err(e) => {
                unreadable += 1;
                eprintln!("lockstep fuzz repro: {e}");
                continue;
            }
        };
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) => {
                unreadable += 1;
                eprintln!("lockstep fuzz repro: cannot read {}: {e}", path.display());
                continue;
            }
        };
        let size = data.len();
        let long = if size > target.max_len {
            format!(", longer than the target's max_len {}", target.max_len)
        } else {
            String::new()
        };
        match check(target, &data) {
            Verdict::Pass => {
                passed += 1;
                println!("ok       {} ({size} bytes{long})", path.display());
            }
            Verdict::Finding(finding) => {
                failed += 1;
                println!("FINDING  {} ({size} bytes{long})", path.display());
                println!("         {finding}");
            }
            Verdict::Panic(message) => {
                failed += 1;
                println!("PANIC    {} ({size} bytes{long})", path.display());
                println!("         {}: panicked: {message}", target.name);
            }
        }
    }
    let checked = passed + failed;
    println!();
    println!(
        "{} checked: {passed} ok, {failed} failed{}",
        report::count(checked, "input"),
        if unreadable > 0 {
            format!(", {unreadable} unreadable")
        } else {
            String::new()
        }
    );
    if failed == 0 && unreadable == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
