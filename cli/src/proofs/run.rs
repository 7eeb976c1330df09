//! Running ProVerif: one process per model, `--jobs` at a time, each with its timeout.

use super::*;

/// One model's run.
#[derive(Clone, Debug)]
pub(super) struct Run {
    /// The model.
    pub(super) name: String,
    /// Wall-clock seconds.
    pub(super) seconds: f64,
    /// How it ended.
    pub(super) status: RunStatus,
}

/// Reads a pipe to its end on a thread of its own (so a chatty ProVerif never
/// blocks on a full pipe).
pub(super) fn drain<R: std::io::Read + Send + 'static>(
    pipe: Option<R>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // A read error leaves what was read; the exit status tells the rest.
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Waits for `child` for at most `timeout`: `Ok(Some(exit))` if it finished,
/// `Ok(None)` if it was killed at the timeout.
pub(super) fn wait_with_timeout(
    child: &mut Child,
    timeout: Duration,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if started.elapsed() >= timeout {
            // It may have finished just now; either way, reap it.
            let _ = child.kill();
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(POLL);
    }
}

/// Runs `proverif FILE` with a timeout.
pub(super) fn run_model(binary: &Path, name: &str, file: &Path, timeout: Duration) -> Run {
    let started = Instant::now();
    let spawned = Command::new(binary)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return Run {
                name: name.to_owned(),
                seconds: 0.0,
                status: RunStatus::Error(format!("cannot run {}: {e}", binary.display())),
            };
        }
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let waited = wait_with_timeout(&mut child, timeout);
    let seconds = started.elapsed().as_secs_f64();
    let status = match waited {
        Ok(Some(exit)) => {
            let mut output =
                String::from_utf8_lossy(&stdout.join().unwrap_or_default()).into_owned();
            output.push('\n');
            output.push_str(&String::from_utf8_lossy(&stderr.join().unwrap_or_default()));
            status_of(exit.success(), &exit.to_string(), &output)
        }
        // The readers are left to finish on their own: a process the killed one
        // started (a wrapper script's child) may hold the pipes open for a while,
        // and a timed-out run's output is not read.
        Ok(None) => RunStatus::Timeout,
        Err(e) => RunStatus::Error(format!("waiting for proverif: {e}")),
    };
    Run {
        name: name.to_owned(),
        seconds,
        status,
    }
}

/// Runs every model of `todo`, `jobs` at a time, in the order given; says on stderr
/// when each ends.
pub(super) fn run_all(
    binary: &Path,
    todo: &[(String, PathBuf)],
    jobs: usize,
    timeout: Duration,
) -> Vec<Run> {
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let runs: Mutex<Vec<Run>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(todo.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some((name, file)) = todo.get(index) else {
                        break;
                    };
                    let run = run_model(binary, name, file, timeout);
                    let done = finished.fetch_add(1, Ordering::SeqCst) + 1;
                    let said = match &run.status {
                        RunStatus::Done(results) => {
                            let verdicts: Vec<&str> =
                                results.iter().map(|r| r.got.as_str()).collect();
                            verdicts.join(", ")
                        }
                        RunStatus::Timeout => "TIMEOUT".to_owned(),
                        RunStatus::Error(e) => format!("ERROR: {e}"),
                    };
                    eprintln!(
                        "lockstep proofs: [{done}/{}] {name}: {said} ({})",
                        todo.len(),
                        report::duration(run.seconds, 1)
                    );
                    if let Ok(mut runs) = runs.lock() {
                        runs.push(run);
                    }
                }
            });
        }
    });
    let mut runs = runs
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    runs.sort_by(|a, b| a.name.cmp(&b.name));
    runs
}
