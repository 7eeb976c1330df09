//! One model, then every model of `proofs/`: the checks run and summed up.

use super::*;

/// What the checks of one or more models covered.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// The contract functions defined so far.
    pub(super) defined: BTreeSet<&'static str>,
    /// `const` lines with a `SPEC §` comment compared with the spec.
    pub(super) constants: usize,
    /// Contract function definitions interpreted and compared with the spec.
    pub(super) functions: usize,
}

/// Checks one model file: its constants, and (unless it is a control) every
/// contract function it defines. Adds to `tally` what it checked; returns the
/// failures.
pub(super) fn check_model(file: &str, text: &str, control: bool, tally: &mut Tally) -> Vec<String> {
    let (constants, mut failures, checked) = check_constants(file, text);
    tally.constants += checked;
    if control {
        return failures;
    }
    let mut letfuns = BTreeMap::new();
    let mut contract_lines: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = strip_comments(line);
        let Some(rest) = line.trim_start().strip_prefix("letfun ") else {
            continue;
        };
        let name = rest.split('(').next().unwrap_or("").trim();
        let contract = CONTRACT.iter().find(|(n, _)| *n == name).map(|(n, _)| *n);
        match parse_letfun(&line, index + 1) {
            Ok((name, f)) => {
                letfuns.insert(name, f);
            }
            Err(e) => {
                if let Some(n) = contract {
                    failures.push(format!("{file}:{}: {n}: cannot read it: {e}", index + 1));
                }
            }
        }
        if let Some(n) = contract {
            contract_lines.insert(n, index + 1);
        }
    }
    let model = Model { constants, letfuns };
    for (name, types) in CONTRACT {
        let Some(line) = contract_lines.get(name) else {
            continue;
        };
        tally.defined.insert(name);
        let Some(f) = model.letfuns.get(*name) else {
            continue; // unreadable: already a failure
        };
        tally.functions += 1;
        let got_types: Vec<&str> = f.params.iter().map(|(_, t)| t.as_str()).collect();
        if got_types != *types {
            failures.push(format!(
                "{file}:{line}: {name}: parameter types ({}) are not the contract's ({})",
                got_types.join(", "),
                types.join(", ")
            ));
            continue;
        }
        for case in cases(name) {
            let args = case.args.into_iter().map(Value::Bytes).collect();
            let result = model
                .apply(name, args, 0)
                .and_then(|value| (case.spec)(&value));
            if let Err(e) = result {
                failures.push(format!("{file}:{}: {name}: {e}", f.line));
            }
        }
    }
    failures
}

/// The `*.pv` files of `dir`, sorted; none if `dir` does not exist.
pub(super) fn pv_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_file() && path.extension().is_some_and(|x| x == "pv") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// What a passing [`check_dir`] checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The models (`*.pv` directly in the directory).
    pub models: usize,
    /// The negative controls (`controls/*.pv`); only their constants are checked.
    pub controls: usize,
    /// `const` lines with a `SPEC §` comment compared with the spec, over every file.
    pub constants: usize,
    /// Contract function definitions interpreted and compared with the spec, over
    /// every model (a function defined by three models counts three times).
    pub functions: usize,
    /// The distinct [`CONTRACT`] functions defined (all of them, when it passes).
    pub contract: usize,
}

/// Checks every model of the proofs directory `dir` (`*.pv` and `controls/*.pv`)
/// against the spec: their constants, and the [`CONTRACT`] functions they define.
///
/// # Errors
///
/// Every failure, one message each naming the file (as `dir` joined with its name),
/// the line and the constant or function, and what the model and the spec give.
/// A directory that cannot be read or holds no model, a file that cannot be read,
/// and a [`CONTRACT`] function no model defines are failures too.
pub fn check_dir(dir: &Path) -> Result<Summary, Vec<String>> {
    let models = pv_files(dir).map_err(|e| vec![e])?;
    let controls = pv_files(&dir.join("controls")).map_err(|e| vec![e])?;
    if models.is_empty() {
        return Err(vec![format!("no model (*.pv) in {}", dir.display())]);
    }
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    for (files, control) in [(&models, false), (&controls, true)] {
        for path in files {
            let name = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => failures.extend(check_model(&name, &text, control, &mut tally)),
                Err(e) => failures.push(format!("{name}: cannot read it: {e}")),
            }
        }
    }
    for (name, _) in CONTRACT {
        if !tally.defined.contains(name) {
            failures.push(format!(
                "no model in {} defines {name} (on one line, as the link check reads it)",
                dir.display()
            ));
        }
    }
    if failures.is_empty() {
        Ok(Summary {
            models: models.len(),
            controls: controls.len(),
            constants: tally.constants,
            functions: tally.functions,
            contract: tally.defined.len(),
        })
    } else {
        Err(failures)
    }
}
