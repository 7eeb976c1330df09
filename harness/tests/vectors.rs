//! Runs every RFC and Wycheproof vector on the spec and on the implementation, and
//! prints, per primitive, source and side, how many ran, passed, failed and were
//! skipped (with the reason). Exits non-zero if any vector failed.
//!
//! `LOCKSTEP_SLOW_VECTORS=1` adds RFC 7748's 1,000,000-iteration X25519 vector on
//! both sides.

use std::process::ExitCode;

use lockstep_harness::kat::{self, Options};

fn main() -> ExitCode {
    let options = Options {
        slow: std::env::var_os("LOCKSTEP_SLOW_VECTORS").is_some_and(|v| v == "1"),
    };
    let reports = match kat::run_all(options) {
        Ok(reports) => reports,
        Err(error) => {
            eprintln!("vector files did not load: {error}");
            return ExitCode::FAILURE;
        }
    };

    println!();
    println!(
        "{:<24} {:<52} {:<5} {:>5} {:>6} {:>6} {:>7} {:>8}  cases",
        "primitive", "source", "side", "ran", "passed", "failed", "skipped", "time"
    );
    for r in &reports {
        println!(
            "{:<24} {:<52} {:<5} {:>5} {:>6} {:>6} {:>7} {:>7.2}s  {}",
            r.primitive,
            r.source,
            r.side,
            r.ran,
            r.passed(),
            r.failures.len(),
            r.skipped,
            r.elapsed.as_secs_f64(),
            r.breakdown
        );
    }

    let mut reasons: Vec<String> = reports
        .iter()
        .filter(|r| r.skipped > 0)
        .map(|r| {
            format!(
                "  {} ({}, {}): {} skipped: {}",
                r.primitive, r.source, r.side, r.skipped, r.skip_reason
            )
        })
        .collect();
    reasons.dedup();
    if !reasons.is_empty() {
        println!("\nskipped, and why:");
        for reason in reasons {
            println!("{reason}");
        }
    }

    let failures: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.failures
                .iter()
                .map(move |f| format!("  {} {} [{}] {f}", r.primitive, r.source, r.side))
        })
        .collect();
    if !failures.is_empty() {
        println!("\nfailures:");
        for failure in &failures {
            println!("{failure}");
        }
    }

    let passed: usize = reports.iter().map(kat::SuiteReport::passed).sum();
    let skipped: usize = reports.iter().map(|r| r.skipped).sum();
    // The closing line has libtest's shape, so tools that read `cargo test` output
    // count these vectors too.
    println!(
        "\ntest result: {}. {passed} passed; {} failed; {skipped} ignored; 0 measured; 0 filtered out\n",
        if failures.is_empty() { "ok" } else { "FAILED" },
        failures.len()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
