//! # lockstep-benches: spec beside implementation, as ratios
//!
//! The benchmarks live in `benches/`; run them with `cargo bench -p lockstep-benches`.
//! Each criterion group holds the spec and the implementation of one operation at
//! one input size, so the two are measured in the same run on the same machine.
//! After criterion's own report, [`print_ratios`] prints one line per operation and
//! size: the spec's time, the implementation's time, and how many times slower the
//! spec is. Only the ratio is meant to travel between machines.
//!
//! The protocol benchmarks add a third function to each group, `baseline`: the
//! primitive calls the implementation makes for that operation, made directly with
//! no protocol around them. [`print_baseline_ratios`] then adds a column
//! impl/baseline, the protocol's own overhead.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One line of the ratio table: a criterion group and an input size.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The criterion group, e.g. `"sha256"`.
    pub group: &'static str,
    /// The parameter of the benchmark id, e.g. `"1024"` (bytes), or `""` for none.
    pub parameter: &'static str,
}

/// Where criterion writes its estimates: the rule criterion itself follows
/// (`$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else `criterion/` in the
/// target directory that holds this benchmark binary).
#[must_use]
pub fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    // The bench binary runs from <target>/<profile>/deps/.
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The mean time in nanoseconds criterion measured for `group/function/parameter`,
/// if it was measured at or after `since` (older estimates belong to another run).
#[must_use]
pub fn mean_ns(
    home: &Path,
    since: SystemTime,
    group: &str,
    function: &str,
    parameter: &str,
) -> Option<f64> {
    let mut path = home.join(group).join(function);
    if !parameter.is_empty() {
        path = path.join(parameter);
    }
    let file = path.join("new").join("estimates.json");
    if std::fs::metadata(&file).and_then(|m| m.modified()).ok()? < since {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("mean")?.get("point_estimate")?.as_f64()
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// The ratio table for `rows`, from criterion's estimates under `home`: spec time,
/// impl time, and spec/impl. Rows not measured since `since` (say, filtered out on
/// the command line) are left out.
#[must_use]
pub fn ratio_table(home: &Path, since: SystemTime, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:>8} {:>12} {:>12} {:>11}",
        "operation", "size", "spec", "impl", "spec/impl"
    );
    for row in rows {
        let spec = mean_ns(home, since, row.group, "spec", row.parameter);
        let imp = mean_ns(home, since, row.group, "impl", row.parameter);
        if let (Some(spec), Some(imp)) = (spec, imp) {
            let size = if row.parameter.is_empty() {
                "-".to_owned()
            } else {
                format!("{} B", row.parameter)
            };
            let _ = writeln!(
                out,
                "{:<28} {:>8} {:>12} {:>12} {:>10.0}x",
                row.group,
                size,
                human(spec),
                human(imp),
                spec / imp
            );
        }
    }
    out
}

/// [`ratio_table`] with a third function per group, `baseline`: spec, impl and
/// baseline times, then spec/impl and impl/baseline. Rows missing any of the three
/// since `since` are left out.
#[must_use]
pub fn baseline_table(home: &Path, since: SystemTime, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:>8} {:>12} {:>12} {:>12} {:>11} {:>14}",
        "operation", "size", "spec", "impl", "baseline", "spec/impl", "impl/baseline"
    );
    for row in rows {
        let spec = mean_ns(home, since, row.group, "spec", row.parameter);
        let imp = mean_ns(home, since, row.group, "impl", row.parameter);
        let base = mean_ns(home, since, row.group, "baseline", row.parameter);
        if let (Some(spec), Some(imp), Some(base)) = (spec, imp, base) {
            let size = if row.parameter.is_empty() {
                "-".to_owned()
            } else {
                format!("{} B", row.parameter)
            };
            let _ = writeln!(
                out,
                "{:<28} {:>8} {:>12} {:>12} {:>12} {:>10.0}x {:>13.2}x",
                row.group,
                size,
                human(spec),
                human(imp),
                human(base),
                spec / imp,
                imp / base
            );
        }
    }
    out
}

/// Prints [`baseline_table`] for the default criterion home and this run (started
/// at `since`).
pub fn print_baseline_ratios(since: SystemTime, rows: &[Row]) {
    let home = criterion_home();
    println!(
        "\nspec beside impl beside baseline (criterion means from this run, {}):\n",
        home.display()
    );
    print!("{}", baseline_table(&home, since, rows));
}

/// Prints [`ratio_table`] for the default criterion home and this run (started at
/// `since`).
pub fn print_ratios(since: SystemTime, rows: &[Row]) {
    let home = criterion_home();
    println!(
        "\nspec beside impl (criterion means from this run, {}):\n",
        home.display()
    );
    print!("{}", ratio_table(&home, since, rows));
}
