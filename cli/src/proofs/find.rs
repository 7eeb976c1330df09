//! Finding things: the `proofs/` directory, the models in it, and the `proverif` binary.

use super::*;

/// The proofs directory: `--dir`, else `proofs/` of the first ancestor of the
/// current directory that holds a `Cargo.toml` and a `proofs/` folder, else the one
/// beside this crate's sources.
pub(super) fn proofs_dir(asked: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(dir) = asked {
        return if dir.is_dir() {
            Ok(dir.to_path_buf())
        } else {
            Err(format!("{} is not a directory", dir.display()))
        };
    }
    if let Ok(current) = std::env::current_dir() {
        for dir in current.ancestors() {
            if dir.join("Cargo.toml").is_file() && dir.join("proofs").is_dir() {
                return Ok(dir.join("proofs"));
            }
        }
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("proofs");
    if beside.is_dir() {
        return Ok(beside);
    }
    Err("no proofs/ directory in the current directory or above it; give one with --dir".to_owned())
}

/// The models in `dir`: name → file, for every `*.pv` in `dir` and `dir/controls`.
pub(super) fn models_in(dir: &Path) -> Result<BTreeMap<String, PathBuf>, String> {
    let mut models = BTreeMap::new();
    for (folder, prefix) in [(dir.to_path_buf(), ""), (dir.join(CONTROLS), "controls/")] {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !prefix.is_empty() => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", folder.display())),
        };
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot list {}: {e}", folder.display()))?
                .path();
            if path.is_file()
                && path.extension().is_some_and(|x| x == "pv")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            {
                models.insert(format!("{prefix}{stem}"), path);
            }
        }
    }
    Ok(models)
}

/// The proverif binary: `--proverif`, else `$LOCKSTEP_PROVERIF`, else `proverif`.
pub(super) fn proverif_binary(asked: Option<&Path>) -> PathBuf {
    asked.map_or_else(
        || {
            std::env::var_os("LOCKSTEP_PROVERIF")
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from("proverif"), PathBuf::from)
        },
        Path::to_path_buf,
    )
}

/// ProVerif's version from the first line of `proverif -help`
/// ("Proverif 2.05. Cryptographic protocol verifier, …").
pub(crate) fn proverif_version(help: &str) -> Option<String> {
    let first = help.lines().find(|l| !l.trim().is_empty())?;
    let rest = first.trim().strip_prefix("Proverif ")?;
    let version = rest.split_whitespace().next()?.trim_end_matches('.');
    (!version.is_empty()).then(|| version.to_owned())
}

/// Runs `proverif -help`: its version, or why it cannot run.
pub(super) fn probe_proverif(binary: &Path) -> Result<String, String> {
    let output = Command::new(binary)
        .arg("-help")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "proverif not found on PATH (or --proverif / $LOCKSTEP_PROVERIF) [{}: {e}]: {INSTALL_HINT}",
                binary.display()
            )
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(proverif_version(&text).unwrap_or_else(|| "unknown".to_owned()))
}

/// Runs `python3 DIR/gen.py --check` if `gen.py` is there: `Ok(None)` if it passed
/// or is absent, `Ok(Some(output))` if it failed, `Err` if python3 cannot run.
pub(super) fn check_generated(dir: &Path) -> Result<Option<String>, String> {
    let gen_py = dir.join("gen.py");
    if !gen_py.is_file() {
        return Ok(None);
    }
    let output = Command::new("python3")
        .arg(&gen_py)
        .arg("--check")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "cannot run `python3 {} --check` ({e}); python3 is needed to check the derived models",
                gen_py.display()
            )
        })?;
    if output.status.success() {
        return Ok(None);
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = text.trim();
    Ok(Some(if text.is_empty() {
        format!("exited with {}", output.status)
    } else {
        text.to_owned()
    }))
}
