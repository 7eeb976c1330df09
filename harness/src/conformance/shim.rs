//! A shim as a child process: the JSON-lines protocol of docs/CONFORMANCE.md §2,
//! with a time-out on every reply, and [`ShimDriver`] and [`ShimPeer`], the shim
//! behind the harness's [`Driver`] (deterministic mode) and [`Peer`] (interop).
//!
//! A shim that does not answer in time is killed; one that exits, or writes a line
//! that is not a reply, has crashed. Either is *fatal*: every later request of the
//! same process fails at once with the same description (a [`Failure::Other`] that
//! starts with `shim `), so a run ends in a divergence that says what happened, and
//! [`Shim::restart`] starts a new process for the next case.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::rc::Rc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::interop::Peer;
use crate::driver::{Driver, Exposure, Failure, OPK_ID, OtherSessionInputs, PQPK_ID, SPK_ID};
use crate::driver::{SetUpInputs, spec_error_named};
use crate::model::{Party, SetUp};

/// The version of docs/CONFORMANCE.md this runner speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// How many lines of the shim's standard error are kept, to show when it fails.
const STDERR_LINES: usize = 20;

/// What the shim said of itself in its `hello` reply.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Hello {
    /// The version it chose.
    pub version: u64,
    /// Its `implementation` string.
    pub implementation: String,
    /// Its capabilities (`deterministic`, `interop`, `state`).
    pub capabilities: Vec<String>,
}

impl Hello {
    /// Whether it offers `capability`.
    #[must_use]
    pub fn offers(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c == capability)
    }
}

/// Why a shim could not be used at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartError(pub String);

impl core::fmt::Display for StartError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// One running shim process.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl Process {
    fn spawn(command: &str) -> Result<Process, StartError> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| StartError(format!("cannot start `sh -c {command:?}`: {e}")))?;
        let stdin = child.stdin.take();
        let (send, lines) = channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(err) = child.stderr.take() {
            let keep = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    if let Ok(mut keep) = keep.lock() {
                        if keep.len() == STDERR_LINES {
                            keep.pop_front();
                        }
                        keep.push_back(line);
                    }
                }
            });
        }
        Ok(Process {
            child,
            stdin,
            lines,
            stderr,
        })
    }

    fn stderr_tail(&self) -> Vec<String> {
        self.stderr
            .lock()
            .map(|lines| lines.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Closing standard input asks the shim to exit (CONFORMANCE §2); a shim that
        // does not is killed.
        self.stdin = None;
        for _ in 0..20 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A shim: the command that starts it, and the running process.
pub struct Shim {
    command: String,
    timeout: Duration,
    process: Option<Process>,
    hello: Hello,
    next_id: u64,
    /// Why the current process is no longer usable, once it is not.
    fatal: Option<String>,
    /// The last lines of standard error of the process that failed.
    fatal_stderr: Vec<String>,
    /// How many processes timed out, and how many crashed.
    timeouts: usize,
    crashes: usize,
}

impl Shim {
    /// Starts `command` (with `sh -c`) and exchanges `hello` (CONFORMANCE §2.1).
    ///
    /// # Errors
    /// The shim does not start, does not answer `hello`, or speaks no version this
    /// runner speaks.
    pub fn start(command: &str, timeout: Duration) -> Result<Shim, StartError> {
        let mut shim = Shim {
            command: command.to_owned(),
            timeout,
            process: None,
            hello: Hello::default(),
            next_id: 0,
            fatal: None,
            fatal_stderr: Vec::new(),
            timeouts: 0,
            crashes: 0,
        };
        shim.restart()?;
        Ok(shim)
    }

    /// Kills the process and starts a new one.
    ///
    /// # Errors
    /// As [`Shim::start`].
    pub fn restart(&mut self) -> Result<(), StartError> {
        self.process = None;
        self.process = Some(Process::spawn(&self.command)?);
        self.fatal = None;
        self.next_id = 0;
        let reply = self
            .call("hello", json!({"versions": [PROTOCOL_VERSION]}))
            .map_err(|failure| {
                let tail = self.fatal_stderr.join("\n");
                StartError(format!("hello: {failure:?}\n{tail}"))
            })?;
        let version = reply.get("version").and_then(Value::as_u64).unwrap_or(0);
        if version != PROTOCOL_VERSION {
            return Err(StartError(format!(
                "the shim chose version {version}; this runner speaks {PROTOCOL_VERSION}"
            )));
        }
        self.hello = Hello {
            version,
            implementation: reply
                .get("implementation")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned(),
            capabilities: reply
                .get("capabilities")
                .and_then(Value::as_array)
                .map(|caps| {
                    caps.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        };
        Ok(())
    }

    /// Restarts the process if it died (a time-out or a crash), for the next case.
    ///
    /// # Errors
    /// As [`Shim::start`].
    pub fn revive(&mut self) -> Result<(), StartError> {
        if self.fatal.is_some() {
            self.restart()?;
        }
        Ok(())
    }

    /// What the shim said in `hello`.
    #[must_use]
    pub fn hello(&self) -> &Hello {
        &self.hello
    }

    /// The command that starts it.
    #[must_use]
    pub fn command(&self) -> &str {
        &self.command
    }

    /// How many processes timed out, and how many crashed, so far.
    #[must_use]
    pub fn deaths(&self) -> (usize, usize) {
        (self.timeouts, self.crashes)
    }

    /// Why the current process died, and the end of its standard error, if it did.
    #[must_use]
    pub fn fatal(&self) -> Option<(&str, &[String])> {
        self.fatal
            .as_deref()
            .map(|why| (why, self.fatal_stderr.as_slice()))
    }

    fn die(&mut self, why: String, timed_out: bool) -> Failure {
        if timed_out {
            self.timeouts += 1;
        } else {
            self.crashes += 1;
        }
        if let Some(process) = &mut self.process {
            if timed_out {
                let _ = process.child.kill();
            }
            // Give the reader threads a moment to collect the last of standard error.
            std::thread::sleep(Duration::from_millis(20));
            self.fatal_stderr = process.stderr_tail();
        }
        self.fatal = Some(why.clone());
        Failure::Other(why)
    }

    /// Sends `cmd` with `args` and waits for the reply: the `ok` object, or the
    /// refusal (`err`) as a [`Failure`]: SPEC §7's names as [`Failure::Refused`],
    /// `NoSession` as [`Failure::NoSession`], anything else as [`Failure::Other`].
    ///
    /// # Errors
    /// The refusal, or the process's death (fatal; see the module's documentation).
    pub fn call(&mut self, cmd: &str, args: Value) -> Result<Map<String, Value>, Failure> {
        if let Some(why) = &self.fatal {
            return Err(Failure::Other(why.clone()));
        }
        let id = self.next_id;
        self.next_id += 1;
        let mut request = match args {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        request.insert("id".to_owned(), json!(id));
        request.insert("cmd".to_owned(), json!(cmd));
        let line = Value::Object(request).to_string();
        let Some(process) = &mut self.process else {
            return Err(self.die("shim crashed: no process".to_owned(), false));
        };
        let written = process.stdin.as_mut().map(|stdin| {
            stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush())
        });
        let received = match written {
            Some(Ok(())) => process.lines.recv_timeout(self.timeout),
            _ => Err(RecvTimeoutError::Disconnected),
        };
        let reply = match received {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Timeout) => {
                let why = format!(
                    "shim timed out: no reply to `{cmd}` in {} s",
                    self.timeout.as_secs_f64()
                );
                return Err(self.die(why, true));
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = process
                    .child
                    .wait()
                    .map_or_else(|e| e.to_string(), |s| s.to_string());
                let why = format!("shim crashed during `{cmd}`: it exited ({status})");
                return Err(self.die(why, false));
            }
        };
        match parse_reply(&reply, id) {
            Ok(Reply::Ok(map)) => Ok(map),
            Ok(Reply::Err(name)) => Err(failure_named(&name)),
            Err(why) => {
                let why = format!("shim crashed: {why} in reply to `{cmd}`: {}", clip(&reply));
                Err(self.die(why, false))
            }
        }
    }
}

/// A line of the shim's, parsed.
enum Reply {
    Ok(Map<String, Value>),
    Err(String),
}

fn parse_reply(line: &str, id: u64) -> Result<Reply, String> {
    let value: Value = serde_json::from_str(line).map_err(|_| "not JSON".to_owned())?;
    if value.get("id").and_then(Value::as_u64) != Some(id) {
        return Err(format!("not the reply to request {id}"));
    }
    match (value.get("ok"), value.get("err")) {
        (Some(Value::Object(map)), None) => Ok(Reply::Ok(map.clone())),
        (None, Some(Value::String(name))) => Ok(Reply::Err(name.clone())),
        _ => Err("neither `ok` (an object) nor `err` (a string)".to_owned()),
    }
}

/// The [`Failure`] an `err` name stands for.
fn failure_named(name: &str) -> Failure {
    if name == "NoSession" {
        return Failure::NoSession;
    }
    spec_error_named(name).map_or_else(|| Failure::Other(format!("shim::{name}")), Failure::Refused)
}

fn clip(line: &str) -> String {
    crate::report::clip(line, 160)
}

/// The byte string `field` of a reply; a missing or malformed one makes the reply
/// malformed (a [`Failure::Other`]).
fn bytes_field(map: &Map<String, Value>, field: &str) -> Result<Vec<u8>, Failure> {
    map.get(field)
        .and_then(Value::as_str)
        .and_then(|text| hex::decode(text).ok())
        .ok_or_else(|| Failure::Other(format!("shim reply without a hex `{field}`")))
}

/// A shim shared between the drivers of successive cases.
pub type SharedShim = Rc<RefCell<Shim>>;

// ---------------------------------------------------------------------------------
// Deterministic mode
// ---------------------------------------------------------------------------------

/// The shim as a [`Driver`]: the deterministic commands of CONFORMANCE §2.2.
///
/// Without the shim's `state` capability, [`Driver::state`] gives an empty
/// encoding for a party that has a session (so the runner knows it has one) and
/// the runner does not compare states.
pub struct ShimDriver {
    shim: SharedShim,
    state: bool,
    sessions: [bool; 2],
}

impl ShimDriver {
    /// A driver on `shim`, which must offer `deterministic`.
    #[must_use]
    pub fn new(shim: SharedShim) -> Self {
        let state = shim.borrow().hello().offers("state");
        ShimDriver {
            shim,
            state,
            sessions: [false; 2],
        }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Map<String, Value>, Failure> {
        self.shim.borrow_mut().call(cmd, args)
    }
}

fn party_index(party: Party) -> usize {
    match party {
        Party::Alice => 0,
        Party::Bob => 1,
    }
}

/// A party's state through `state`: the encoding, or (without the capability) an
/// empty one if `has_session`.
fn shim_state(
    shim: &SharedShim,
    capable: bool,
    party: Party,
    has_session: bool,
) -> Option<Vec<u8>> {
    if !capable {
        return has_session.then(Vec::new);
    }
    let reply = shim
        .borrow_mut()
        .call("state", json!({"party": party.name()}))
        .ok()?;
    reply
        .get("state")
        .and_then(Value::as_str)
        .and_then(|text| hex::decode(text).ok())
}

impl Driver for ShimDriver {
    fn name(&self) -> &'static str {
        "shim"
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        self.sessions = [false; 2];
        let args = json!({
            "ik_a": hex::encode(inputs.ik_a),
            "ik_b": hex::encode(inputs.ik_b),
            "spk_b": hex::encode(inputs.spk_b),
            "opk_b": inputs.set_up.opk.then(|| hex::encode(inputs.opk_b)),
            "pq_d": hex::encode(&inputs.pq_seed[..32]),
            "pq_z": hex::encode(&inputs.pq_seed[32..]),
            "pq_last_resort": inputs.set_up.pq_last_resort,
            "z_spk": hex::encode(inputs.z_spk),
            "z_pqpk": hex::encode(inputs.z_pqpk),
            "ek_a": hex::encode(inputs.ek_a),
            "m": hex::encode(inputs.m),
            "r_a": hex::encode(inputs.r_a),
            "spk_id": SPK_ID,
            "pqpk_id": PQPK_ID,
            "opk_id": OPK_ID,
        });
        let bundle = bytes_field(&self.call("set_up", args)?, "bundle")?;
        self.sessions[0] = true;
        Ok(bundle)
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        let [one, two] = &inputs.plaintexts;
        let args = json!({
            "ik": hex::encode(inputs.ik),
            "ek": hex::encode(inputs.ek),
            "m": hex::encode(inputs.m),
            "r": hex::encode(inputs.r),
            "plaintexts": [hex::encode(one), hex::encode(two)],
        });
        let reply = self.call("other_session", args)?;
        let message = |i: usize| {
            reply
                .get("messages")
                .and_then(|m| m.get(i))
                .and_then(Value::as_str)
                .and_then(|text| hex::decode(text).ok())
                .ok_or_else(|| Failure::Other("shim reply without two hex `messages`".to_owned()))
        };
        Ok([message(0)?, message(1)?])
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        let args = json!({"party": party.name(), "plaintext": hex::encode(plaintext)});
        bytes_field(&self.call("encrypt", args)?, "message")
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        let args =
            json!({"party": party.name(), "message": hex::encode(message), "r": hex::encode(r)});
        let plaintext = bytes_field(&self.call("decrypt", args)?, "plaintext")?;
        self.sessions[party_index(party)] = true;
        Ok(plaintext)
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        shim_state(
            &self.shim,
            self.state,
            party,
            self.sessions[party_index(party)],
        )
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        self.call("verify_bundle", json!({"bundle": hex::encode(bundle)}))?;
        Ok(())
    }

    fn compromise(&self, party: Party) -> Exposure {
        Exposure {
            states: self
                .state(party)
                .filter(|state| !state.is_empty())
                .into_iter()
                .collect(),
            future_ratchet_keys: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------
// Interop mode
// ---------------------------------------------------------------------------------

/// The shim as a [`Peer`]: the interop commands of CONFORMANCE §2.3.
pub struct ShimPeer {
    shim: SharedShim,
    state: bool,
    session: bool,
}

impl ShimPeer {
    /// A peer on `shim`, which must offer `interop`.
    #[must_use]
    pub fn new(shim: SharedShim) -> Self {
        let state = shim.borrow().hello().offers("state");
        ShimPeer {
            shim,
            state,
            session: false,
        }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Map<String, Value>, Failure> {
        self.shim.borrow_mut().call(cmd, args)
    }
}

impl Peer for ShimPeer {
    fn offers_state(&self) -> bool {
        self.state
    }

    fn generate_bundle(&mut self, set_up: SetUp) -> Result<Vec<u8>, Failure> {
        self.session = false;
        let args = json!({"opk": set_up.opk, "pq_last_resort": set_up.pq_last_resort});
        bytes_field(&self.call("generate_bundle", args)?, "bundle")
    }

    fn initiate(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        self.session = false;
        self.call("initiate", json!({"bundle": hex::encode(bundle)}))?;
        self.session = true;
        Ok(())
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        let args = json!({"party": party.name(), "plaintext": hex::encode(plaintext)});
        bytes_field(&self.call("encrypt", args)?, "message")
    }

    fn decrypt(&mut self, party: Party, message: &[u8]) -> Result<Vec<u8>, Failure> {
        let args = json!({"party": party.name(), "message": hex::encode(message)});
        let plaintext = bytes_field(&self.call("decrypt", args)?, "plaintext")?;
        self.session = true;
        Ok(plaintext)
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        shim_state(&self.shim, self.state, party, self.session)
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        self.call("verify_bundle", json!({"bundle": hex::encode(bundle)}))?;
        Ok(())
    }
}
