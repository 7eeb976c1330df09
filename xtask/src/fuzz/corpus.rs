//! `cargo xtask fuzz corpus`: the seed corpora written into `fuzz/corpus/`.

use super::*;

/// What `write_seeds` did for one target.
pub(super) struct Written {
    /// The target's corpus directory.
    pub(super) dir: PathBuf,
    /// Seed files written.
    pub(super) files: usize,
    /// Their bytes.
    pub(super) bytes: usize,
    /// Old seed files removed first.
    pub(super) removed: usize,
}

/// Replaces the seed files of target `name` in `out/<name>/` with its seed corpus.
pub(super) fn write_seeds(out: &Path, name: &str) -> Result<Written, String> {
    let seeds = fuzz::seed_corpus(name).map_err(|f| f.to_string())?;
    // Check every name before touching the directory.
    let mut names = BTreeSet::new();
    for (file, _) in &seeds {
        let plain = !file.contains(['/', '\\', '\0']) && file != "." && file != "..";
        if !file.starts_with("seed-") || !plain {
            return Err(format!(
                "the seed corpus names a file {file:?}: seed files must be plain names starting with \"seed-\""
            ));
        }
        if !names.insert(file.as_str()) {
            return Err(format!("the seed corpus names {file:?} twice"));
        }
    }
    let dir = out.join(name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut removed = 0;
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let is_seed = entry.file_name().to_string_lossy().starts_with("seed-");
        if is_seed && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
            removed += 1;
        }
    }
    let mut bytes = 0;
    for (file, data) in &seeds {
        let path = dir.join(file);
        std::fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        bytes += data.len();
    }
    Ok(Written {
        dir,
        files: seeds.len(),
        bytes,
        removed,
    })
}

/// Runs `cargo xtask fuzz corpus`.
pub(super) fn corpus(out: &Path) -> ExitCode {
    let targets = fuzz::targets();
    println!("xtask fuzz corpus: seed corpora into {}", out.display());
    let width = targets.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let mut failed = 0;
    let mut total = 0;
    for target in targets {
        match write_seeds(out, target.name) {
            Ok(w) => {
                total += w.files;
                println!(
                    "  {:<width$}  {:>11}  {:>11} bytes  -> {} (replaced {} old seed files)",
                    target.name,
                    count(w.files, "file"),
                    group(w.bytes as u64),
                    w.dir.display(),
                    w.removed
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("xtask fuzz corpus: {}: {e}", target.name);
            }
        }
    }
    if targets.is_empty() {
        println!("(no fuzz targets: lockstep_harness::fuzz::targets() is empty)");
    }
    if failed == 0 {
        println!(
            "wrote {} for {}",
            count(total, "seed file"),
            count(targets.len(), "target")
        );
        ExitCode::SUCCESS
    } else {
        println!("{failed} of {} seed corpora FAILED", targets.len());
        ExitCode::FAILURE
    }
}
