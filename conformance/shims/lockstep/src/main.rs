//! `lockstep-shim`: the conformance shim of the `lockstep` crate
//! (docs/CONFORMANCE.md). It reads one JSON request per line on standard input and
//! writes one JSON reply per line on standard output, in both modes (deterministic
//! and interop) and with the `state` capability.
//!
//! Environment:
//!
//! - `LOCKSTEP_SHIM_FLAW`: unset or empty for the correct shim, or the name of a
//!   deliberate bug (`accept-replay`, `wrong-error`; see README.md) for the runner
//!   to catch. An unknown name is an error (exit status 1).
//! - `LOCKSTEP_SHIM_NO_STATE=1`: do not offer the `state` capability.
//!
//! Standard output carries replies only; notes go to standard error.

mod request;
mod shim;

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Value, json};

use crate::request::{Fields, Refusal};
use crate::shim::{Flaw, Shim};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lockstep-shim: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads the configuration, then answers every line of standard input until it
/// closes.
fn run() -> Result<(), String> {
    let flaw = flaw_from_env()?;
    let offers_state = !no_state_from_env()?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no randomness from the OS: {e}"))?;
    let mut shim = Shim::new(flaw, offers_state, ChaCha20Rng::from_seed(seed));
    if let Some(flaw) = flaw {
        eprintln!("lockstep-shim: deliberately broken: {}", flaw.name());
    }

    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("reading standard input: {e}"))?;
        if read == 0 {
            return Ok(());
        }
        let reply = answer(&mut shim, &line);
        writeln!(output, "{reply}")
            .and_then(|()| output.flush())
            .map_err(|e| format!("writing standard output: {e}"))?;
    }
}

/// The reply to one line: `{"id", "ok"}` or `{"id", "err"}`.
fn answer(shim: &mut Shim, line: &[u8]) -> Value {
    let request = std::str::from_utf8(line)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    let Some(Value::Object(request)) = request else {
        eprintln!("lockstep-shim: a line that is not a JSON object");
        return reply(Value::Null, Err(Refusal::BadRequest));
    };
    // The id is echoed only if it is an integer: otherwise it is not known.
    let id = match request.get("id") {
        Some(id) if id.is_u64() || id.is_i64() => id.clone(),
        _ => {
            eprintln!("lockstep-shim: a request without an integer id");
            return reply(Value::Null, Err(Refusal::BadRequest));
        }
    };
    let Some(cmd) = request.get("cmd").and_then(Value::as_str) else {
        eprintln!("lockstep-shim: request {id}: no cmd");
        return reply(id, Err(Refusal::BadRequest));
    };
    let result = shim.handle(cmd, Fields(&request));
    match result {
        Err(Refusal::BadRequest) => eprintln!("lockstep-shim: request {id} ({cmd}): BadRequest"),
        Err(Refusal::Unsupported) => eprintln!("lockstep-shim: request {id} ({cmd}): Unsupported"),
        _ => {}
    }
    reply(id, result)
}

/// A reply line's object.
fn reply(id: Value, result: Result<Value, Refusal>) -> Value {
    match result {
        Ok(ok) => json!({ "id": id, "ok": ok }),
        Err(refusal) => json!({ "id": id, "err": refusal.name() }),
    }
}

/// `LOCKSTEP_SHIM_FLAW`: none if unset or empty.
fn flaw_from_env() -> Result<Option<Flaw>, String> {
    let Some(name) = std::env::var_os("LOCKSTEP_SHIM_FLAW") else {
        return Ok(None);
    };
    let name = name.to_string_lossy();
    if name.is_empty() {
        return Ok(None);
    }
    Flaw::ALL
        .iter()
        .find(|(known, _)| *known == name)
        .map(|&(_, flaw)| Some(flaw))
        .ok_or_else(|| {
            let known: Vec<&str> = Flaw::ALL.iter().map(|&(known, _)| known).collect();
            format!(
                "unknown LOCKSTEP_SHIM_FLAW {name:?} (known: {})",
                known.join(", ")
            )
        })
}

/// `LOCKSTEP_SHIM_NO_STATE`: `1` withdraws the `state` capability; unset, empty
/// or `0` keeps it.
fn no_state_from_env() -> Result<bool, String> {
    match std::env::var_os("LOCKSTEP_SHIM_NO_STATE") {
        None => Ok(false),
        Some(value) => match value.to_str() {
            Some("" | "0") => Ok(false),
            Some("1") => Ok(true),
            _ => Err(format!(
                "LOCKSTEP_SHIM_NO_STATE must be 1 (or 0, or empty), not {value:?}"
            )),
        },
    }
}
