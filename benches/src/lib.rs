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

use lockstep_harness::bench_report::{human, times as ratio, utc_date};

/// What the benchmarks measure: their groups, functions and rows.
pub use lockstep_harness::bench_report::catalogue;
/// One line of the ratio table: a criterion group and an input size. The rows of
/// each benchmark are listed once, in [`catalogue`], which `lockstep bench report`
/// reads criterion's estimates by.
pub use lockstep_harness::bench_report::catalogue::Row;

/// Where criterion writes its estimates: the rule criterion itself follows
/// (`$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else `criterion/` in the
/// target directory that holds this benchmark binary).
#[must_use]
pub fn criterion_home() -> PathBuf {
    if let Some(home) = lockstep_harness::bench_report::home_from_env() {
        return home;
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
                "{:<28} {:>8} {:>12} {:>12} {:>11}",
                row.group,
                size,
                human(spec),
                human(imp),
                ratio(spec / imp)
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
                "{:<28} {:>8} {:>12} {:>12} {:>12} {:>11} {:>13.2}x",
                row.group,
                size,
                human(spec),
                human(imp),
                human(base),
                ratio(spec / imp),
                imp / base
            );
        }
    }
    out
}

/// Prints [`baseline_table`] for the default criterion home and this run (started
/// at `since`), and records it in `BENCHMARKS.md` ([`record`]) if every row was
/// measured.
pub fn print_baseline_ratios(bench: &str, since: SystemTime, rows: &[Row]) {
    let home = criterion_home();
    println!(
        "\nspec beside impl beside baseline (criterion means from this run, {}):\n",
        home.display()
    );
    let table = baseline_table(&home, since, rows);
    print!("{table}");
    record_if_complete(bench, &table, rows.len());
}

/// Prints [`ratio_table`] for the default criterion home and this run (started at
/// `since`), and records it in `BENCHMARKS.md` ([`record`]) if every row was
/// measured.
pub fn print_ratios(bench: &str, since: SystemTime, rows: &[Row]) {
    let home = criterion_home();
    println!(
        "\nspec beside impl (criterion means from this run, {}):\n",
        home.display()
    );
    let table = ratio_table(&home, since, rows);
    print!("{table}");
    record_if_complete(bench, &table, rows.len());
}

/// [`record`]s `table` (a header line and one line per row) if it has all `rows`;
/// a filtered run measured only some, and is not a record.
fn record_if_complete(bench: &str, table: &str, rows: usize) {
    let measured = table.lines().count().saturating_sub(1);
    if measured == rows {
        record(bench, table);
    } else {
        println!("\n(not recorded in BENCHMARKS.md: {measured} of {rows} rows measured)");
    }
}

/// The workspace's `BENCHMARKS.md`, which the benchmarks write.
#[must_use]
pub fn benchmarks_md() -> PathBuf {
    let benches = Path::new(env!("CARGO_MANIFEST_DIR"));
    benches.parent().unwrap_or(benches).join("BENCHMARKS.md")
}

/// Replaces this benchmark's section of `BENCHMARKS.md` (between the markers
/// `<!-- bench: NAME -->` and `<!-- /bench: NAME -->`, appended if absent) with
/// `table`, the date, the commit and the number of CPUs of this run. So the file
/// holds, per benchmark, the output of its last complete run, and nothing typed by
/// hand. A failure to write is reported, not fatal: the numbers were printed.
pub fn record(bench: &str, table: &str) {
    let path = benchmarks_md();
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Benchmarks\n\nWritten by `cargo bench -p lockstep-benches`: each benchmark \
         replaces its own section after a complete run. Criterion means on the machine \
         named; the machines these ran on are noisy, so read the ratios, which spec and \
         impl share within one run, not the absolute times.\n"
            .to_owned()
    });
    let start = format!("<!-- bench: {bench} -->");
    let end = format!("<!-- /bench: {bench} -->");
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        );
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let section = format!(
        "{start}\n## `cargo bench -p lockstep-benches --bench {bench}`\n\n\
         Run of {} (UTC) at commit `{commit}`, {cpus} CPUs available.\n\n\
         ```text\n{}```\n{end}",
        utc_date(SystemTime::now()),
        table
    );
    let new = match (old.find(&start), old.find(&end)) {
        (Some(a), Some(b)) if a < b => format!("{}{section}{}", &old[..a], &old[b + end.len()..]),
        _ => format!(
            "{}\n{section}\n",
            old.trim_end_matches('\n').to_owned() + "\n"
        ),
    };
    match std::fs::write(&path, new) {
        Ok(()) => println!("\nrecorded in {}", path.display()),
        Err(error) => println!("\nnot recorded in {}: {error}", path.display()),
    }
}
