//! `lockstep bench report`: the benchmarks' ratios as one HTML page with SVG bar
//! charts, from criterion's latest estimates (`lockstep_harness::bench_report`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::Subcommand;
use lockstep_harness::bench_report::{self, Context};

/// The subcommands of `lockstep bench`.
#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Render one self-contained HTML page (inline SVG, no script) of the
    /// benchmarks' ratios from criterion's latest estimates: spec/impl per
    /// primitive, impl/baseline per protocol operation, lockstep/vodozemac per
    /// peers operation. Rows without data are listed with the command that
    /// measures them. Exit 0 when the page is written, 2 when criterion's files
    /// cannot be read (or the page cannot be written).
    Report {
        /// Criterion's home (default: $CRITERION_HOME, else
        /// $CARGO_TARGET_DIR/criterion, else target/criterion).
        #[arg(long)]
        criterion: Option<PathBuf>,
        /// The page to write (default: lockstep-report.html in criterion's home).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write each chart as a standalone SVG file (primitives.svg,
        /// protocol.svg, peers.svg) into this directory.
        #[arg(long)]
        svg_dir: Option<PathBuf>,
    },
}

/// Runs `lockstep bench`.
pub(crate) fn main(command: BenchCommand) -> ExitCode {
    match command {
        BenchCommand::Report {
            criterion,
            out,
            svg_dir,
        } => report(
            &criterion.unwrap_or_else(bench_report::default_home),
            out,
            svg_dir.as_deref(),
        ),
    }
}

/// `lockstep bench report`.
fn report(home: &Path, out: Option<PathBuf>, svg_dir: Option<&Path>) -> ExitCode {
    let data = match bench_report::load(home) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("lockstep bench report: {e}");
            return ExitCode::from(2);
        }
    };
    let out = out.unwrap_or_else(|| home.join("lockstep-report.html"));
    let commit_dir = if home.is_dir() { home } else { Path::new(".") };
    let context = Context {
        generated: SystemTime::now(),
        commit: bench_report::git_commit(commit_dir),
        out: out.clone(),
    };
    let rendered = bench_report::render(&data, &context);
    let written = match bench_report::write(&rendered, &out, svg_dir) {
        Ok(written) => written,
        Err(e) => {
            eprintln!("lockstep bench report: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = data.measurements.len();
    let complete = rows - data.missing().len();
    println!(
        "wrote {} ({complete} of {rows} rows measured{})",
        written.page.display(),
        if data.paired.is_some() {
            ", with the paired rounds of peers"
        } else {
            ", no paired rounds of peers"
        }
    );
    for chart in &written.charts {
        println!("wrote {}", chart.display());
    }
    for missing in data.missing() {
        println!(
            "  no data: {} ({}), run `{}`",
            missing.row.label(),
            missing.functions.join(", "),
            missing.bench.command()
        );
    }
    if data.paired.is_none() {
        println!(
            "  no data: paired rounds of peers, run `{}`",
            bench_report::catalogue::PEERS.command()
        );
    }
    ExitCode::SUCCESS
}
