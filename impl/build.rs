//! Chooses the X25519 backend (`src/x25519.rs`, docs/ARCHITECTURE.md).
//!
//! AWS-LC's s2n-bignum code where aws-lc-rs is a dependency (x86-64 and AArch64, on
//! Linux and macOS: the `[target]` table in Cargo.toml says the same), except under
//! Miri, which cannot run foreign code; x25519-dalek everywhere else. Setting
//! `LOCKSTEP_X25519=portable` at build time forces x25519-dalek, so the fallback can
//! be tested on machines that would not use it.

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(lockstep_x25519_aws_lc)");
    println!("cargo::rerun-if-env-changed=LOCKSTEP_X25519");
    println!("cargo::rerun-if-changed=build.rs");
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let miri = env::var_os("CARGO_CFG_MIRI").is_some();
    let forced_portable = env::var("LOCKSTEP_X25519").is_ok_and(|v| v == "portable");
    let aws_lc_target =
        matches!(arch.as_str(), "x86_64" | "aarch64") && matches!(os.as_str(), "linux" | "macos");
    if aws_lc_target && !miri && !forced_portable {
        println!("cargo::rustc-cfg=lockstep_x25519_aws_lc");
    }
}
