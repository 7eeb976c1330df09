//! `lockstep bench report`: one HTML page of the benchmarks' ratios, drawn from
//! criterion's latest estimates.
//!
//! The benchmarks of `benches/` (crate `lockstep-benches`) measure, per criterion
//! group, the spec beside the implementation ([`catalogue::PRIMITIVES`]), the
//! implementation beside a baseline of its bare primitive calls
//! ([`catalogue::PROTOCOL`], [`catalogue::FRANKING`]), and lockstep beside a peer,
//! vodozemac ([`catalogue::PEERS`], which also saves its paired ratios,
//! [`paired::PairedRun`]). Criterion writes each function's estimates to
//! `<home>/<group>/<function>/<parameter>/new/estimates.json`.
//!
//! [`load`] reads those files for every row of the [`catalogue`] (the same lists
//! the benchmarks print their tables from) into [`Data`]: a file that is absent is
//! missing data, which the page lists with the command that measures it; a file
//! that is there but unreadable or not criterion's JSON is a [`ReportError`].
//! [`render`] makes the page, self-contained (inline CSS and SVG, no script, no
//! outside resource), with three horizontal bar charts, each with its provenance
//! and a table of the absolute means, from the outside in:
//!
//! - lockstep/vodozemac per peers operation: criterion's mean ratio and, when
//!   `peers.rs` saved them, the paired rounds' median with their range, beside the
//!   issue's targets (0.67 for ping-pong, 1.5 for set-up);
//! - impl/baseline per protocol and franking operation;
//! - spec/impl per primitive and size (log scale).
//!
//! Each chart is also a standalone SVG file ([`Rendered::charts`]), for the README.

pub mod catalogue;
mod html;
pub mod paired;
mod svg;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use catalogue::{Bench, Row};
use paired::PairedRun;

/// Why the report could not be made from criterion's files.
#[derive(Debug)]
pub enum ReportError {
    /// A file that is there could not be read (or a page not written).
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file is not JSON, or not JSON of the expected shape.
    Json {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// An estimates file without a positive, finite `mean.point_estimate`.
    NoMean {
        /// The file.
        path: PathBuf,
    },
    /// The paired ratios' file is JSON of the right shape with numbers that do not
    /// hold together.
    Paired {
        /// The file.
        path: PathBuf,
        /// What is wrong, per [`PairedRun::problem`].
        problem: String,
    },
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            ReportError::Json { path, source } => {
                write!(f, "{}: not criterion's JSON: {source}", path.display())
            }
            ReportError::NoMean { path } => write!(
                f,
                "{}: no positive mean.point_estimate in criterion's estimates",
                path.display()
            ),
            ReportError::Paired { path, problem } => {
                write!(
                    f,
                    "{}: paired ratios do not add up: {problem}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for ReportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReportError::Io { source, .. } => Some(source),
            ReportError::Json { source, .. } => Some(source),
            ReportError::NoMean { .. } | ReportError::Paired { .. } => None,
        }
    }
}

/// One criterion estimate: a function's mean, and the file it came from.
#[derive(Debug, Clone)]
pub struct Estimate {
    /// The criterion function (`spec`, `impl`, `baseline`, `lockstep`, ...).
    pub function: &'static str,
    /// `mean.point_estimate`, in nanoseconds.
    pub mean_ns: f64,
    /// The estimates file.
    pub file: PathBuf,
    /// When the file was last written, if the file system says.
    pub modified: Option<SystemTime>,
}

/// One row of one benchmark: the estimates found and the functions without one.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The benchmark the row belongs to.
    pub bench: Bench,
    /// The row.
    pub row: Row,
    /// The functions with an estimate, in the benchmark's order.
    pub estimates: Vec<Estimate>,
    /// The functions with no estimates file.
    pub missing: Vec<&'static str>,
}

impl Measurement {
    /// The mean of `function`, in nanoseconds, if it was measured.
    #[must_use]
    pub fn mean(&self, function: &str) -> Option<f64> {
        self.estimates
            .iter()
            .find(|e| e.function == function)
            .map(|e| e.mean_ns)
    }

    /// `numerator`'s mean over `denominator`'s, if both were measured.
    #[must_use]
    pub fn ratio(&self, numerator: &str, denominator: &str) -> Option<f64> {
        Some(self.mean(numerator)? / self.mean(denominator)?)
    }

    /// The oldest and newest modification times of the row's files.
    #[must_use]
    pub fn modified(&self) -> Option<(SystemTime, SystemTime)> {
        span(self.estimates.iter().filter_map(|e| e.modified))
    }
}

/// The paired ratios `peers.rs` saved, and their file.
#[derive(Debug, Clone)]
pub struct Paired {
    /// The run.
    pub run: PairedRun,
    /// The file ([`catalogue::PAIRED_FILE`] under criterion's home).
    pub file: PathBuf,
    /// When the file was last written.
    pub modified: Option<SystemTime>,
}

/// Everything the report shows, read from criterion's home.
#[derive(Debug, Clone)]
pub struct Data {
    /// Criterion's home, as given.
    pub home: PathBuf,
    /// Whether that directory exists.
    pub home_exists: bool,
    /// One measurement per row of every benchmark of [`catalogue::BENCHES`].
    pub measurements: Vec<Measurement>,
    /// The paired ratios of `peers.rs`, if it saved them.
    pub paired: Option<Paired>,
    /// Criterion's own HTML report (`<home>/report/index.html`), if it exists.
    pub criterion_report: Option<PathBuf>,
}

/// A row with no complete data: which functions have no estimates.
#[derive(Debug, Clone)]
pub struct Missing {
    /// The benchmark that measures it.
    pub bench: Bench,
    /// The row.
    pub row: Row,
    /// The functions without estimates.
    pub functions: Vec<&'static str>,
}

/// A peers row: criterion's mean ratio and the paired rounds, each if measured.
#[derive(Debug, Clone)]
pub struct PeerRatio {
    /// The row.
    pub row: Row,
    /// lockstep's criterion mean over vodozemac's.
    pub mean: Option<f64>,
    /// The paired rounds of this operation and size.
    pub paired: Option<paired::PairedOperation>,
}

impl Data {
    /// The measurements of one benchmark, in its order.
    pub fn of(&self, bench: &str) -> impl Iterator<Item = &Measurement> {
        let bench = bench.to_owned();
        self.measurements
            .iter()
            .filter(move |m| m.bench.name == bench)
    }

    /// spec/impl per primitive and size, for the rows with both means.
    #[must_use]
    pub fn spec_impl(&self) -> Vec<(Row, f64)> {
        self.of(catalogue::PRIMITIVES.name)
            .filter_map(|m| Some((m.row, m.ratio("spec", "impl")?)))
            .collect()
    }

    /// impl/baseline per protocol and franking operation, for the rows with both
    /// means, with the benchmark's name.
    #[must_use]
    pub fn impl_baseline(&self) -> Vec<(&'static str, Row, f64)> {
        [catalogue::PROTOCOL.name, catalogue::FRANKING.name]
            .into_iter()
            .flat_map(|bench| self.of(bench))
            .filter_map(|m| Some((m.bench.name, m.row, m.ratio("impl", "baseline")?)))
            .collect()
    }

    /// lockstep/vodozemac per peers row, criterion's and the paired rounds', for
    /// the rows with at least one of the two.
    #[must_use]
    pub fn peer_ratios(&self) -> Vec<PeerRatio> {
        self.of(catalogue::PEERS.name)
            .filter_map(|m| {
                let mean = m.ratio(catalogue::LOCKSTEP, catalogue::VODOZEMAC);
                let paired = self.paired.as_ref().and_then(|p| {
                    let size = m.row.parameter.parse().ok()?;
                    p.run.find(catalogue::peer_operation(&m.row), size).cloned()
                });
                (mean.is_some() || paired.is_some()).then_some(PeerRatio {
                    row: m.row,
                    mean,
                    paired,
                })
            })
            .collect()
    }

    /// The rows with a function not measured, in the benchmarks' order.
    #[must_use]
    pub fn missing(&self) -> Vec<Missing> {
        self.measurements
            .iter()
            .filter(|m| !m.missing.is_empty())
            .map(|m| Missing {
                bench: m.bench,
                row: m.row,
                functions: m.missing.clone(),
            })
            .collect()
    }
}

/// Where a function's estimates are: `<home>/<group>/<function>[/<parameter>]/new/estimates.json`.
#[must_use]
pub fn estimates_path(home: &Path, row: &Row, function: &str) -> PathBuf {
    let mut path = home.join(row.group).join(function);
    if !row.parameter.is_empty() {
        path = path.join(row.parameter);
    }
    path.join("new").join("estimates.json")
}

/// The JSON in `path`, or `None` if there is no such file.
fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Option<(T, Option<SystemTime>)>, ReportError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ReportError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let value = serde_json::from_str(&text).map_err(|source| ReportError::Json {
        path: path.to_owned(),
        source,
    })?;
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    Ok(Some((value, modified)))
}

/// The part of criterion's `estimates.json` the report reads.
#[derive(serde::Deserialize)]
struct Estimates {
    mean: PointEstimate,
}

/// A statistic of criterion's `estimates.json`.
#[derive(serde::Deserialize)]
struct PointEstimate {
    point_estimate: f64,
}

/// Reads criterion's estimates for every row of every benchmark the report shows,
/// and `peers.rs`'s paired ratios, from criterion's `home`.
///
/// # Errors
///
/// A file that exists but cannot be read, is not JSON, or lacks a positive mean
/// (or paired ratios that do not hold together). Absent files are not errors:
/// they are the missing data the page lists.
pub fn load(home: &Path) -> Result<Data, ReportError> {
    let mut measurements = Vec::new();
    for bench in catalogue::BENCHES {
        for row in bench.rows {
            let mut estimates = Vec::new();
            let mut missing = Vec::new();
            for &function in bench.functions {
                let path = estimates_path(home, row, function);
                match read_json::<Estimates>(&path)? {
                    Some((json, modified)) => {
                        let mean_ns = json.mean.point_estimate;
                        if !(mean_ns.is_finite() && mean_ns > 0.0) {
                            return Err(ReportError::NoMean { path });
                        }
                        estimates.push(Estimate {
                            function,
                            mean_ns,
                            file: path,
                            modified,
                        });
                    }
                    None => missing.push(function),
                }
            }
            measurements.push(Measurement {
                bench,
                row: *row,
                estimates,
                missing,
            });
        }
    }
    let file = home.join(catalogue::PAIRED_FILE);
    let paired = match read_json::<PairedRun>(&file)? {
        Some((run, modified)) => {
            if let Some(problem) = run.problem() {
                return Err(ReportError::Paired {
                    path: file,
                    problem,
                });
            }
            Some(Paired {
                run,
                file,
                modified,
            })
        }
        None => None,
    };
    let report = home.join("report").join("index.html");
    Ok(Data {
        home: home.to_owned(),
        home_exists: home.is_dir(),
        measurements,
        paired,
        criterion_report: report.is_file().then_some(report),
    })
}

/// What the page says about when and from what it was made.
#[derive(Debug, Clone)]
pub struct Context {
    /// When the page was made.
    pub generated: SystemTime,
    /// The checked-out commit when it was made ([`git_commit`]), if known.
    pub commit: Option<String>,
    /// Where the page will be written (links to criterion's report are made
    /// relative to it when they can be).
    pub out: PathBuf,
}

/// The page and its charts.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The HTML page.
    pub html: String,
    /// Each chart as a standalone SVG document, in the page's order: its file name
    /// (`peers.svg`, `protocol.svg`, `primitives.svg`) and its text; a chart with
    /// no data is left out.
    pub charts: Vec<(&'static str, String)>,
}

/// The page for `data`.
#[must_use]
pub fn render(data: &Data, context: &Context) -> Rendered {
    html::render(data, context)
}

/// The files [`write()`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The page.
    pub page: PathBuf,
    /// The standalone charts.
    pub charts: Vec<PathBuf>,
}

/// Writes the page to `out` (the [`Context::out`] it was rendered for) and, given
/// `svg_dir`, each chart there as its own SVG file, creating the directories.
///
/// # Errors
///
/// A directory or file that cannot be written.
pub fn write(
    rendered: &Rendered,
    out: &Path,
    svg_dir: Option<&Path>,
) -> Result<Written, ReportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ReportError::Io { path, source }
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::write(out, &rendered.html).map_err(io(out))?;
    let mut charts = Vec::new();
    if let Some(dir) = svg_dir {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        for (name, svg) in &rendered.charts {
            let path = dir.join(name);
            std::fs::write(&path, svg).map_err(io(&path))?;
            charts.push(path);
        }
    }
    Ok(Written {
        page: out.to_owned(),
        charts,
    })
}

/// Criterion's home as the environment names it: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else nothing (criterion itself then uses the
/// target directory of the benchmark binary).
#[must_use]
pub fn home_from_env() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    std::env::var_os("CARGO_TARGET_DIR").map(|target| PathBuf::from(target).join("criterion"))
}

/// Criterion's home for a command run from the workspace: [`home_from_env`], else
/// `target/criterion`.
#[must_use]
pub fn default_home() -> PathBuf {
    home_from_env().unwrap_or_else(|| PathBuf::from("target").join("criterion"))
}

/// `git rev-parse --short HEAD` in `dir`, if git is there and it works.
#[must_use]
pub fn git_commit(dir: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let commit = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (!commit.is_empty()).then_some(commit)
}

/// Year, month, day, hour, minute, second of `time` in UTC (the civil-from-days
/// algorithm of H. Hinnant); times before 1970 count as 1970-01-01.
fn civil(time: SystemTime) -> (i64, i64, i64, u64, u64, u64) {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let of_day = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60,
    )
}

/// `time` in UTC as RFC 3339, to the second: `2026-12-05T10:07:30Z`.
#[must_use]
pub fn utc_rfc3339(time: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(time);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `time`'s UTC date: `2026-12-05`.
#[must_use]
pub fn utc_date(time: SystemTime) -> String {
    let (y, mo, d, ..) = civil(time);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// A time in nanoseconds for people: `71 ns`, `4.53 µs`, `5.58 ms`.
#[must_use]
pub fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// A ratio of very different times: `12x`, or one decimal below 10 (`0.5x`,
/// `2.3x`), so a spec faster than the implementation does not print as `0x`.
#[must_use]
pub fn times(r: f64) -> String {
    if r < 10.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.0}x")
    }
}

/// `time` in UTC for people, to the minute: `2026-12-05 10:07`.
#[must_use]
pub fn utc_minute(time: SystemTime) -> String {
    let (y, mo, d, h, mi, _) = civil(time);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
}

/// The earliest and latest of `times`.
fn span(times: impl Iterator<Item = SystemTime>) -> Option<(SystemTime, SystemTime)> {
    times.fold(None, |acc, t| match acc {
        None => Some((t, t)),
        Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
    })
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML and SVG text and
/// attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
