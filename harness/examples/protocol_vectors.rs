//! Writes Lockstep's protocol vectors (`pqxdh.json`, `ratchet.json`, `state.json`)
//! into the directory given, computed by `lockstep-spec` alone:
//!
//! ```text
//! cargo run --release -p lockstep-harness --example protocol_vectors -- vectors/protocol
//! ```
//!
//! The output is the same on every run; `cargo test --workspace` checks that the
//! committed files are exactly what this writes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: protocol_vectors <output directory, e.g. vectors/protocol>");
        return ExitCode::FAILURE;
    };
    let dir = PathBuf::from(dir);
    let started = Instant::now();
    match lockstep_harness::protocol_vectors::write_all(&dir) {
        Ok(paths) => {
            for path in paths {
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                println!("wrote {} ({size} bytes)", path.display());
            }
            println!("in {:.1}s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("protocol vectors not generated: {error}");
            ExitCode::FAILURE
        }
    }
}
