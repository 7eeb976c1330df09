//! The link between the ProVerif models of `proofs/` and the executable spec (issue
//! 13, item 4), on the real models: [`lockstep_harness::proofs_link::check_dir`] on
//! `$LOCKSTEP_PROOFS_DIR` if set, else the workspace's `proofs/`. No ProVerif is
//! needed. The checks themselves, and their unit tests on models held in strings,
//! are in `src/proofs_link.rs`; `lockstep proofs` runs the same check.

use std::path::{Path, PathBuf};

use lockstep_harness::proofs_link::{CONTRACT, check_dir};

/// The proofs directory: `$LOCKSTEP_PROOFS_DIR`, else the workspace's `proofs/`.
fn proofs_dir() -> PathBuf {
    std::env::var_os("LOCKSTEP_PROOFS_DIR").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("proofs")
        },
        PathBuf::from,
    )
}

#[test]
fn proofs_models_match_the_spec() {
    let dir = proofs_dir();
    let dir = dir.canonicalize().unwrap_or(dir);
    match check_dir(&dir) {
        Ok(summary) => println!(
            "proofs_link: {} models and {} controls in {}; {} constants and {} functions \
             checked; {} of {} contract functions defined",
            summary.models,
            summary.controls,
            dir.display(),
            summary.constants,
            summary.functions,
            summary.contract,
            CONTRACT.len()
        ),
        Err(failures) => panic!(
            "{} link failures between the models in {} and the spec:\n{}",
            failures.len(),
            dir.display(),
            failures.join("\n")
        ),
    }
}
