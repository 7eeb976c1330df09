//! The `lockstep` binary, run as CI runs it: `check` passes and prints its table,
//! `check --broken` fails and leaves a reproducer, `replay` of that reproducer
//! still fails, and `vectors` writes exactly the committed protocol vectors;
//! `fuzz repro` checks files (`cargo xtask fuzz` is tested in `xtask/tests/`);
//! `bench report` writes its page and charts, and refuses corrupt estimates.
//!
//! Case counts are small and the slow parts are left out (`--only`), so the whole
//! file runs in well under a minute; `lockstep check` with its defaults is what CI
//! runs for coverage.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure is a panic with the command's output"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lockstep_harness::broken::Flaw;

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("lockstep-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
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

/// The flaw the failing runs use: it encrypts with a reused message key, so every
/// conversation of two messages on a chain shows it (its transcript differs from
/// the spec's), and four cases are enough.
const FLAW: Flaw = Flaw::ReusesMessageKey;

#[test]
fn check_passes_and_prints_its_table() {
    let out = TempDir::new("pass");
    let dir = out.0.to_str().unwrap();
    let output = lockstep(&[
        "check",
        "--cases",
        "2",
        "--seed",
        "1",
        "--only",
        "protocol-vectors,equivalence,invariants",
        "--out",
        dir,
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    assert!(text.contains("lockstep check: seed 1"), "{text}");
    assert!(text.contains("check") && text.contains("cases") && text.contains("result"));
    for row in [
        "protocol vectors: spec regenerates",
        "protocol vectors: impl reproduces",
        "equivalence: spec = impl",
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no row {row}:\n{text}"));
        assert!(line.contains("pass"), "{line}");
    }
    let equivalence = text.lines().find(|l| l.starts_with("equivalence")).unwrap();
    assert!(
        equivalence.split_whitespace().any(|w| w == "2"),
        "{equivalence}"
    );
    for invariant in lockstep_harness::invariants::all() {
        let row = format!("invariant: {}", invariant.name);
        assert!(
            text.lines()
                .any(|l| l.starts_with(&row) && l.contains("pass")),
            "no passing row {row}:\n{text}"
        );
    }
    assert!(text.contains("checks passed"), "{text}");
    assert_eq!(
        std::fs::read_dir(&out.0).unwrap().count(),
        0,
        "no reproducer when all pass"
    );
}

#[test]
fn check_json_is_a_summary() {
    let output = lockstep(&[
        "check",
        "--cases",
        "1",
        "--seed",
        "5",
        "--only",
        "equivalence",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["passed"], true);
    assert_eq!(summary["seed"], 5);
    assert_eq!(summary["driver"], "impl");
    let checks = summary["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0]["id"], "equivalence");
    assert_eq!(checks[0]["cases"], 1);
    assert_eq!(checks[0]["passed"], true);
}

#[test]
fn broken_driver_fails_check_and_replay() {
    let flaw = FLAW;
    let out = TempDir::new("broken");
    let dir = out.0.to_str().unwrap();
    let output = lockstep(&[
        "check",
        "--cases",
        "4",
        "--seed",
        "1",
        "--only",
        "equivalence,invariants",
        "--broken",
        flaw.name(),
        "--shrink-time",
        "10",
        "--out",
        dir,
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains(&format!("driver {}", flaw.name())), "{text}");

    // A reproducer per failed check, each naming the check, the flaw and a scenario.
    let files: Vec<PathBuf> = std::fs::read_dir(&out.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty(), "no reproducer written:\n{text}");
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("lockstep-repro-") && name.ends_with("-1.json"),
            "{name}"
        );
        assert!(
            text.contains(&file.display().to_string()),
            "path not printed: {name}\n{text}"
        );
        let repro: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(repro["flaw"], flaw.name());
        assert_eq!(repro["seed"], 1);
        assert!(repro["scenario"]["events"].is_array(), "{repro}");
        let check = repro["check"].as_str().unwrap().to_owned();

        // Replay: still fails, and says which check and why.
        let replayed = lockstep(&["replay", file.to_str().unwrap()]);
        let replay_text = stdout(&replayed);
        assert_eq!(replayed.status.code(), Some(1), "{}", show(&replayed));
        assert!(replay_text.contains("still FAILS"), "{replay_text}");
        assert!(replay_text.contains(&check), "{replay_text}");
        assert!(replay_text.contains(flaw.name()), "{replay_text}");
    }
}

#[test]
fn broken_is_hidden_and_checked() {
    let help = lockstep(&["check", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(!stdout(&help).contains("--broken"), "{}", stdout(&help));
    let bad = lockstep(&["check", "--broken", "no-such-flaw"]);
    assert_eq!(bad.status.code(), Some(2), "{}", show(&bad));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(Flaw::ALL[0].name()));
}

#[test]
fn replay_refuses_what_is_not_a_reproducer() {
    let out = TempDir::new("not-repro");
    let file = out.0.join("x.json");
    std::fs::write(&file, "{}").unwrap();
    let output = lockstep(&["replay", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
}

#[test]
fn vectors_writes_the_committed_files() {
    let out = TempDir::new("vectors");
    let output = lockstep(&["vectors", "--out", out.0.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/protocol");
    let mut names: Vec<String> = std::fs::read_dir(&out.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "franking.json",
            "pqxdh.json",
            "ratchet.json",
            "rules.json",
            "state.json"
        ]
    );
    for name in &names {
        assert!(stdout(&output).contains(name.as_str()), "{name} not listed");
        assert!(
            std::fs::read(out.0.join(name)).unwrap()
                == std::fs::read(committed.join(name)).unwrap(),
            "{name} differs from vectors/protocol/{name}"
        );
    }
}

#[test]
fn fuzz_help_lists_repro() {
    let help = lockstep(&["fuzz", "--help"]);
    assert_eq!(help.status.code(), Some(0), "{}", show(&help));
    let text = stdout(&help);
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("repro")),
        "no repro in:\n{text}"
    );
    // Running targets under libFuzzer is `cargo xtask fuzz run`, not this command.
    let run = lockstep(&["fuzz", "run"]);
    assert_eq!(run.status.code(), Some(2), "{}", show(&run));
}

#[test]
fn fuzz_repro_checks_files_and_refuses_unknown_targets() {
    let out = TempDir::new("fuzz-repro");
    let file = out.0.join("input");
    std::fs::write(&file, b"\x00\x01").unwrap();
    let unknown = lockstep(&["fuzz", "repro", "no-such-target", file.to_str().unwrap()]);
    assert_ne!(unknown.status.code(), Some(0), "{}", show(&unknown));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no-such-target"),
        "{}",
        show(&unknown)
    );

    for target in lockstep_harness::fuzz::targets() {
        // A file that is not there is an error, not a pass.
        let missing = out.0.join("missing");
        let output = lockstep(&["fuzz", "repro", target.name, missing.to_str().unwrap()]);
        assert_ne!(output.status.code(), Some(0), "{}", show(&output));

        // The first few seeds pass: the seed corpus holds no known finding.
        let dir = out.0.join(target.name);
        std::fs::create_dir_all(&dir).unwrap();
        let seeds = lockstep_harness::fuzz::seed_corpus(target.name).unwrap();
        for (name, bytes) in seeds.iter().take(3) {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        let output = lockstep(&["fuzz", "repro", target.name, dir.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{}", show(&output));
        assert_eq!(
            stdout(&output)
                .lines()
                .filter(|l| l.starts_with("ok "))
                .count(),
            seeds.len().min(3),
            "{}",
            show(&output)
        );
    }
}

/// A fake shim for `lockstep conformance`: it answers `hello` as a deterministic
/// shim, then runs `then`.
fn fake_shim(then: &str) -> String {
    let hello =
        r#"{"id":0,"ok":{"version":1,"implementation":"fake","capabilities":["deterministic"]}}"#;
    format!("read line; echo '{hello}'; {then}")
}

#[test]
fn conformance_reports_a_shim_that_cannot_run_a_timeout_and_a_missing_mode() {
    // Not a shim at all: exit 2.
    let output = lockstep(&["conformance", "--shim", "exit 7", "--cases", "1"]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    // A mode the shim does not offer: exit 2.
    let shim = fake_shim("sleep 5");
    let output = lockstep(&["conformance", "--shim", &shim, "--mode", "interop"]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    assert!(show(&output).contains("does not offer the interop mode"));
    // A shim that hangs on set_up: a failure that says so, a reproducer, exit 1.
    let dir = TempDir::new("conformance");
    let out = dir.0.to_str().unwrap();
    let shim = fake_shim("echo 'thinking...' >&2; sleep 30");
    let output = lockstep(&[
        "conformance",
        "--shim",
        &shim,
        "--cases",
        "2",
        "--seed",
        "5",
        "--timeout",
        "0.5",
        "--shrink-time",
        "0",
        "--out",
        out,
    ]);
    let text = show(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the shim died: shim timed out: no reply to `set_up` in 0.5 s"),
        "{text}"
    );
    assert!(text.contains("  | thinking..."), "{text}");
    assert!(text.contains("- set-up         bundle 01"), "{text}");
    assert!(
        text.contains("+ set-up         bundle error shim timed out"),
        "{text}"
    );
    let reproducer = dir.0.join("lockstep-conformance-deterministic-5-0.json");
    assert!(reproducer.exists(), "{text}");
    // --replay plays it again, and it fails again.
    let output = lockstep(&[
        "conformance",
        "--shim",
        &shim,
        "--timeout",
        "0.5",
        "--replay",
        reproducer.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert!(stdout(&output).contains("replaying case 0 of seed 5"));
}

#[test]
fn model_check_passes_finds_a_broken_driver_and_its_reproducer_replays() {
    let output = lockstep(&["model-check", "--depth", "2", "--threads", "2"]);
    let text = show(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("depth  2:"), "{text}");
    assert!(text.contains("depth 2 of 2 completed"), "{text}");
    assert!(text.contains("no counterexample"), "{text}");
    let dir = TempDir::new("model-check");
    let out = dir.0.to_str().unwrap();
    let output = lockstep(&[
        "model-check",
        "--depth",
        "2",
        "--broken",
        "ignores-tag",
        "--invariants-only",
        "--out",
        out,
    ]);
    let text = show(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("COUNTEREXAMPLE of 1 events"), "{text}");
    let reproducer = dir.0.join("lockstep-model-check-ignores-tag-depth-1.json");
    let output = lockstep(&["replay", reproducer.to_str().unwrap()]);
    let text = show(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("still FAILS: invariant:authentication"),
        "{text}"
    );
    let output = lockstep(&["model-check", "--alphabet", "send,teleport"]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
}

#[test]
fn bench_report_writes_its_page_and_refuses_corrupt_estimates() {
    use lockstep_harness::bench_report::{catalogue, estimates_path};
    let dir = TempDir::new("bench-report");
    let home = dir.0.join("criterion");
    let row = catalogue::PRIMITIVE_ROWS[0];
    for (function, ns) in [("spec", 1_000.0), ("impl", 80.0)] {
        let path = estimates_path(&home, &row, function);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!(r#"{{"mean":{{"point_estimate":{ns}}}}}"#)).unwrap();
    }
    let svg = dir.0.join("svg");
    // Criterion's home from $CRITERION_HOME, the page in it by default.
    let output = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["bench", "report", "--svg-dir", svg.to_str().unwrap()])
        .env("CRITERION_HOME", &home)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    let rows: usize = catalogue::BENCHES.iter().map(|b| b.rows.len()).sum();
    assert!(
        stdout(&output).contains(&format!("1 of {rows} rows measured")),
        "{}",
        show(&output)
    );
    assert!(
        stdout(&output).contains("--bench peers"),
        "{}",
        show(&output)
    );
    let page = std::fs::read_to_string(home.join("lockstep-report.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("12x"), "{page}");
    assert!(page.contains("Benchmarks without data"));
    // Only the chart with data is written.
    let written: Vec<_> = std::fs::read_dir(&svg)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(written, ["primitives.svg"]);

    // A corrupt estimates file: exit 2, naming the file.
    let corrupt = estimates_path(&home, &row, "impl");
    std::fs::write(&corrupt, "{ not json").unwrap();
    let out = dir.0.join("elsewhere.html");
    let output = lockstep(&[
        "bench",
        "report",
        "--criterion",
        home.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("estimates.json"),
        "{}",
        show(&output)
    );
    assert!(!out.exists());
}
