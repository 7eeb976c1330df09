//! The command: `lockstep proofs` from its flags to its table and exit code.

use super::*;

/// The JSON document of `lockstep proofs --json`.
#[derive(Serialize)]
pub(super) struct Summary<'a> {
    /// Always `"proofs"`.
    pub(super) lockstep: &'static str,
    /// This lockstep's version.
    pub(super) version: &'static str,
    /// Whether every model is as locked (the exit code is 0 exactly then).
    pub(super) passed: bool,
    /// Whether the lock was rewritten (`--update`).
    pub(super) updated: bool,
    /// The proverif binary.
    pub(super) proverif: String,
    /// Its version.
    pub(super) proverif_version: &'a str,
    /// The lock file.
    pub(super) lock: String,
    /// The whole run's wall time.
    pub(super) wall_seconds: f64,
    /// One entry per model run.
    pub(super) models: Vec<ModelSummary<'a>>,
    /// The link to the spec (`proofs_link`), checked before ProVerif runs.
    pub(super) link: LinkSummary<'a>,
    /// Every difference (a link failure is one too, of kind `link`).
    pub(super) differences: &'a [Difference],
}

/// The link to the spec in the JSON document; the counts are those of a passing
/// check (`null` when it fails).
#[derive(Serialize)]
pub(super) struct LinkSummary<'a> {
    /// Whether every model matches the spec.
    pub(super) passed: bool,
    /// Models checked (`*.pv` in the proofs directory).
    pub(super) models: Option<usize>,
    /// Controls checked (`controls/*.pv`; their constants only).
    pub(super) controls: Option<usize>,
    /// `const` lines compared with the spec, over every file.
    pub(super) constants: Option<usize>,
    /// Function definitions interpreted and compared with the spec, over every model.
    pub(super) functions: Option<usize>,
    /// Every failure (file, line, constant or function).
    pub(super) failures: &'a [String],
}

/// The link to the spec for the JSON document.
pub(super) fn link_summary(link: &Result<proofs_link::Summary, Vec<String>>) -> LinkSummary<'_> {
    match link {
        Ok(s) => LinkSummary {
            passed: true,
            models: Some(s.models),
            controls: Some(s.controls),
            constants: Some(s.constants),
            functions: Some(s.functions),
            failures: &[],
        },
        Err(failures) => LinkSummary {
            passed: false,
            models: None,
            controls: None,
            constants: None,
            functions: None,
            failures,
        },
    }
}

/// The link to the spec in one line, for the table.
pub(super) fn link_line(link: &Result<proofs_link::Summary, Vec<String>>) -> String {
    match link {
        Ok(s) => format!(
            "link to the spec: {}, {} checked ({} and {})",
            count(s.constants, "constant"),
            count(s.functions, "function"),
            count(s.models, "model"),
            count(s.controls, "control")
        ),
        Err(failures) => format!(
            "link to the spec: FAILED, {} (listed under Differences)",
            count(failures.len(), "failure")
        ),
    }
}

/// One model in the JSON document.
#[derive(Serialize)]
pub(super) struct ModelSummary<'a> {
    /// The model.
    pub(super) name: &'a str,
    /// Its lock entry's `ci` flag (false if it has none).
    pub(super) ci: bool,
    /// `ok`, `timeout` or `error`.
    pub(super) status: &'static str,
    /// The error, if any.
    pub(super) error: Option<&'a str>,
    /// Wall-clock seconds.
    pub(super) seconds: f64,
    /// Its queries, locked and got, position by position.
    pub(super) queries: Vec<QuerySummary<'a>>,
}

/// One query in the JSON document.
#[derive(Serialize)]
pub(super) struct QuerySummary<'a> {
    /// The query printed now (or, if not printed, the locked one).
    pub(super) query: &'a str,
    /// The locked result, if the lock has this query here.
    pub(super) expected: Option<Verdict>,
    /// The result now, if ProVerif printed one here.
    pub(super) got: Option<Verdict>,
}

/// Exit code 2: the command could not run.
pub(super) fn cannot_run(message: &str) -> ExitCode {
    eprintln!("lockstep proofs: {message}");
    ExitCode::from(2)
}

/// Runs `lockstep proofs`.
#[allow(
    clippy::too_many_lines,
    reason = "one linear sequence of steps (find, check, run, compare, report), each short"
)]
pub(crate) fn main(args: &ProofsArgs) -> ExitCode {
    let started = Instant::now();
    let binary = proverif_binary(args.proverif.as_deref());
    let version = match probe_proverif(&binary) {
        Ok(version) => version,
        Err(e) => return cannot_run(&e),
    };
    if version != PROVERIF_VERSION {
        eprintln!(
            "lockstep proofs: warning: {} is ProVerif {version}, the models and the lock are \
             for {PROVERIF_VERSION}; results may differ",
            binary.display()
        );
    }
    let dir = match proofs_dir(args.dir.as_deref()) {
        Ok(dir) => dir,
        Err(e) => return cannot_run(&e),
    };
    let lock_path = dir.join(LOCK_FILE);
    let lock = match read_lock(&lock_path) {
        Ok(lock) => lock,
        Err(e) => return cannot_run(&e),
    };
    let lock_exists = lock.is_some();
    let lock = lock.unwrap_or_else(|| Lock {
        proverif: version.clone(),
        models: Vec::new(),
    });
    if lock_exists && lock.proverif != version {
        eprintln!(
            "lockstep proofs: warning: the lock was recorded with ProVerif {}, this is {version}",
            lock.proverif
        );
    }
    let files = match models_in(&dir) {
        Ok(files) => files,
        Err(e) => return cannot_run(&e),
    };
    let locked: BTreeMap<&str, &LockModel> =
        lock.models.iter().map(|m| (m.name.as_str(), m)).collect();

    // The selection.
    for name in &args.only {
        if !files.contains_key(name) && !locked.contains_key(name.as_str()) {
            let known: Vec<&str> = files.keys().map(String::as_str).collect();
            return cannot_run(&format!(
                "no model {name:?} in {} (the models: {})",
                dir.display(),
                known.join(", ")
            ));
        }
    }
    let mut candidates: BTreeSet<&str> = if args.only.is_empty() {
        files
            .keys()
            .map(String::as_str)
            .chain(locked.keys().copied())
            .collect()
    } else {
        args.only.iter().map(String::as_str).collect()
    };
    if args.ci {
        candidates.retain(|name| locked.get(name).is_some_and(|m| m.ci));
    }
    if candidates.is_empty() {
        return cannot_run(&format!(
            "no model selected in {}{}",
            dir.display(),
            if args.ci {
                " (--ci: no lock entry has \"ci\": true)"
            } else {
                ""
            }
        ));
    }
    let todo: Vec<(String, PathBuf)> = candidates
        .iter()
        .filter_map(|name| files.get(*name).map(|f| ((*name).to_owned(), f.clone())))
        .collect();

    // Derived models and the link to the spec first: a stale derived model or a
    // model that does not match the spec is a difference (and blocks --update).
    let mut differences = Vec::new();
    match check_generated(&dir) {
        Ok(None) => {}
        Ok(Some(output)) => differences.push(Difference::GenStale { output }),
        Err(e) => return cannot_run(&e),
    }
    let link = proofs_link::check_dir(&dir);
    if let Err(failures) = &link {
        eprintln!(
            "lockstep proofs: the models do not match the spec ({}):",
            count(failures.len(), "link failure")
        );
        for failure in failures {
            eprintln!("lockstep proofs:   {failure}");
            differences.push(Difference::Link {
                failure: failure.clone(),
            });
        }
    }
    if args.update && !differences.is_empty() {
        for d in &differences {
            if !matches!(d, Difference::Link { .. }) {
                eprintln!("lockstep proofs: not updating the lock: {}", d.describe());
            }
        }
        if let Err(failures) = &link {
            eprintln!(
                "lockstep proofs: not updating the lock: the models do not match the spec \
                 ({}, above)",
                count(failures.len(), "link failure")
            );
        }
        return ExitCode::FAILURE;
    }

    if !args.json {
        println!(
            "lockstep proofs: {} of {} ({} at a time, timeout {} s), ProVerif {version} ({}), lock {}",
            todo.len(),
            count(files.len(), "model"),
            args.jobs,
            args.timeout,
            binary.display(),
            lock_path.display()
        );
        println!("lockstep proofs: {}", link_line(&link));
    }
    let runs = run_all(
        &binary,
        &todo,
        args.jobs.get(),
        Duration::from_secs(args.timeout),
    );

    // Lock entries whose file is gone, and (whole-tree runs) files the lock lacks.
    let mut updated = false;
    if args.update {
        let mut new_lock = lock.clone();
        new_lock.proverif.clone_from(&version);
        let removed: Vec<&str> = locked
            .keys()
            .copied()
            .filter(|name| !files.contains_key(*name))
            .collect();
        new_lock.models.retain(|m| files.contains_key(&m.name));
        for run in &runs {
            // A model that failed keeps its old entry, and the run exits 1.
            let results = match &run.status {
                RunStatus::Done(results) => results,
                RunStatus::Timeout => {
                    differences.push(Difference::Timeout {
                        model: run.name.clone(),
                    });
                    continue;
                }
                RunStatus::Error(message) => {
                    differences.push(Difference::Error {
                        model: run.name.clone(),
                        message: message.clone(),
                    });
                    continue;
                }
            };
            let entry = LockModel {
                name: run.name.clone(),
                ci: locked.get(run.name.as_str()).is_some_and(|m| m.ci),
                seconds: tenths(run.seconds),
                queries: results
                    .iter()
                    .map(|r| LockQuery {
                        query: r.query.clone(),
                        expected: r.got,
                    })
                    .collect(),
            };
            new_lock.models.retain(|m| m.name != run.name);
            new_lock.models.push(entry);
        }
        if let Err(e) = write_lock(&lock_path, &new_lock) {
            return cannot_run(&e);
        }
        updated = true;
        if !args.json {
            let rewritten = runs
                .iter()
                .filter(|r| matches!(r.status, RunStatus::Done(_)))
                .count();
            println!(
                "updated {}: {} rewritten, {} removed (file gone){}",
                lock_path.display(),
                count(rewritten, "model"),
                removed.len(),
                if removed.is_empty() {
                    String::new()
                } else {
                    format!(": {}", removed.join(", "))
                }
            );
        }
    } else {
        for name in locked.keys() {
            if !files.contains_key(*name) {
                differences.push(Difference::FileMissing {
                    model: (*name).to_owned(),
                });
            }
        }
        if args.only.is_empty() && args.ci {
            for name in files.keys() {
                if !locked.contains_key(name.as_str()) {
                    differences.push(Difference::NotInLock {
                        model: name.clone(),
                    });
                }
            }
        }
        for run in &runs {
            differences.extend(compare(
                &run.name,
                locked.get(run.name.as_str()).copied(),
                &run.status,
            ));
        }
    }

    let wall = started.elapsed().as_secs_f64();
    let passed = differences.is_empty();
    if args.json {
        let summary = Summary {
            lockstep: "proofs",
            version: env!("CARGO_PKG_VERSION"),
            passed,
            updated,
            proverif: binary.display().to_string(),
            proverif_version: &version,
            lock: lock_path.display().to_string(),
            wall_seconds: wall,
            models: runs
                .iter()
                .map(|run| model_summary(run, locked.get(run.name.as_str()).copied()))
                .collect(),
            link: link_summary(&link),
            differences: &differences,
        };
        match serde_json::to_string_pretty(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => return cannot_run(&format!("cannot encode the summary: {e}")),
        }
    } else {
        print_table(&runs, &locked, &differences, &link, wall, args.update);
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One model for the JSON document.
pub(super) fn model_summary<'a>(run: &'a Run, lock: Option<&'a LockModel>) -> ModelSummary<'a> {
    let expected: &[LockQuery] = lock.map_or(&[], |m| m.queries.as_slice());
    let (status, error, got): (&str, Option<&str>, &[QueryResult]) = match &run.status {
        RunStatus::Done(results) => ("ok", None, results.as_slice()),
        RunStatus::Timeout => ("timeout", None, &[]),
        RunStatus::Error(e) => ("error", Some(e.as_str()), &[]),
    };
    ModelSummary {
        name: &run.name,
        ci: lock.is_some_and(|m| m.ci),
        status,
        error,
        seconds: tenths(run.seconds),
        queries: pairs(expected, got)
            .into_iter()
            .map(|p| QuerySummary {
                query: p
                    .got
                    .map(|g| g.query.as_str())
                    .or(p.expected.map(|e| e.query.as_str()))
                    .unwrap_or(""),
                expected: p.expected.map(|e| e.expected),
                got: p.got.map(|g| g.got),
            })
            .collect(),
    }
}

/// Prints the table (model, query, expected, got, time), the differences in full,
/// the link to the spec and the summary line.
pub(super) fn print_table(
    runs: &[Run],
    locked: &BTreeMap<&str, &LockModel>,
    differences: &[Difference],
    link: &Result<proofs_link::Summary, Vec<String>>,
    wall: f64,
    update: bool,
) {
    let mut table = Table::new(&["model", "query", "expected", "got", "time", ""]);
    for run in runs {
        let lock = locked.get(run.name.as_str()).copied();
        let expected: &[LockQuery] = lock.map_or(&[], |m| m.queries.as_slice());
        let time = report::duration(run.seconds, 1);
        let mut first = true;
        let mut row = |query: &str, expected: &str, got: &str, differs: bool| {
            table.row([
                if first {
                    run.name.clone()
                } else {
                    String::new()
                },
                clip(query, QUERY_WIDTH),
                expected.to_owned(),
                got.to_owned(),
                if first { time.clone() } else { String::new() },
                if differs && !update {
                    "DIFFERS".to_owned()
                } else {
                    String::new()
                },
            ]);
            first = false;
        };
        match &run.status {
            RunStatus::Done(got) => {
                for p in pairs(expected, got) {
                    let query = p
                        .got
                        .map(|g| g.query.as_str())
                        .or(p.expected.map(|e| e.query.as_str()))
                        .unwrap_or("");
                    let e = p.expected.map_or("-", |e| e.expected.as_str());
                    let g = p.got.map_or("-", |g| g.got.as_str());
                    let same = matches!((p.expected, p.got),
                        (Some(e), Some(g)) if e.query == g.query && e.expected == g.got);
                    row(query, e, g, !same);
                }
            }
            RunStatus::Timeout | RunStatus::Error(_) => {
                let got = if run.status == RunStatus::Timeout {
                    "timeout"
                } else {
                    "error"
                };
                if expected.is_empty() {
                    row("-", "-", got, true);
                }
                for e in expected {
                    row(&e.query, e.expected.as_str(), got, true);
                }
            }
        }
    }
    println!();
    print!("{}", table.render());
    if runs.is_empty() {
        println!("(no model run)");
    }
    if !differences.is_empty() {
        println!();
        println!("Differences:");
        for d in differences {
            println!("- {}", d.describe());
        }
    }
    println!();
    println!("{}", link_line(link));
    let queries: usize = runs
        .iter()
        .map(|r| match &r.status {
            RunStatus::Done(results) => results.len(),
            _ => 0,
        })
        .sum();
    let models_with: BTreeSet<&str> = differences.iter().filter_map(Difference::model).collect();
    if differences.is_empty() {
        let what = if update { "recorded" } else { "as locked" };
        println!(
            "all {} {what}: {} in {} (wall)",
            count(runs.len(), "model"),
            count(queries, "query result"),
            report::duration(wall, 1)
        );
    } else {
        println!(
            "{} ({} of {} run affected) in {} (wall)",
            count(differences.len(), "difference"),
            models_with.len(),
            count(runs.len(), "model"),
            report::duration(wall, 1)
        );
    }
}
