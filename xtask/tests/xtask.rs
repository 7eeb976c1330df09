//! `cargo xtask fuzz`, run as a developer runs it: `--help` lists both subcommands
//! and `run`'s flags, an unknown target is refused before anything is built, and
//! `corpus` writes every seed corpus (`fuzz run` itself needs cargo-fuzz and a
//! nightly toolchain; `.ci/run` runs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure is a panic with the command's output"
)]

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn show(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A fresh temporary directory for one test (removed first if a run left it).
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-xtask-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn fuzz_help_lists_its_subcommands() {
    let help = xtask(&["fuzz", "--help"]);
    assert_eq!(help.status.code(), Some(0), "{}", show(&help));
    let text = stdout(&help);
    for subcommand in ["run", "corpus"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(subcommand)),
            "no {subcommand} in:\n{text}"
        );
    }
    let run_help = xtask(&["fuzz", "run", "--help"]);
    assert_eq!(run_help.status.code(), Some(0), "{}", show(&run_help));
    for flag in ["--time", "--target", "--fuzz-dir", "--toolchain", "--json"] {
        assert!(stdout(&run_help).contains(flag), "no {flag}");
    }
    let bad_flag = xtask(&["fuzz", "run", "--target", "no-such-target"]);
    assert_eq!(bad_flag.status.code(), Some(2), "{}", show(&bad_flag));
}

#[test]
fn fuzz_corpus_writes_every_seed_corpus() {
    let out = temp_dir("fuzz-corpus");
    let targets = lockstep_harness::fuzz::targets();
    // Stale seeds go, inputs libFuzzer added stay, other directories are left alone.
    for target in targets {
        let dir = out.join(target.name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("seed-stale"), b"old").unwrap();
        std::fs::write(dir.join("0123abcd"), b"found by libFuzzer").unwrap();
    }
    let other = out.join("not-a-target");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("seed-x"), b"x").unwrap();

    let output = xtask(&["fuzz", "corpus", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    let text = stdout(&output);
    for target in targets {
        assert!(
            text.contains(target.name),
            "{} not listed:\n{text}",
            target.name
        );
        let dir = out.join(target.name);
        assert!(dir.is_dir(), "no directory {}", dir.display());
        let seeds = lockstep_harness::fuzz::seed_corpus(target.name).unwrap();
        let mut expected: Vec<String> = seeds.iter().map(|(name, _)| name.clone()).collect();
        expected.push("0123abcd".to_owned());
        expected.sort();
        let mut found: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        found.sort();
        assert_eq!(found, expected, "{}", target.name);
        for (name, bytes) in &seeds {
            assert!(name.starts_with("seed-"), "{name}");
            assert_eq!(&std::fs::read(dir.join(name)).unwrap(), bytes, "{name}");
        }
    }
    assert!(
        other.join("seed-x").is_file(),
        "a directory of no target was touched"
    );
    let _ = std::fs::remove_dir_all(&out);
}
