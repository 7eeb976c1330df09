//! The report page: its charts ([`super::svg`]), their provenance, the tables of
//! absolute means, and the list of what has no data.

use std::fmt::Write as _;
use std::path::Path;
use std::time::SystemTime;

use super::catalogue::{self, Bench};
use super::svg::{self, Bar, BarRow, Chart, Group, Guide, Scale, Series};
use super::{
    Context, Data, Measurement, Rendered, escape, human, span, times, utc_minute, utc_rfc3339,
};

/// The first series' colour (criterion means).
const BLUE: &str = "#4c78a8";
/// The second series' colour (paired rounds).
const ORANGE: &str = "#f2a541";

/// The issue's target for lockstep/vodozemac, per peers operation.
const TARGETS: [(&str, f64); 2] = [("set-up", 1.5), ("ping-pong", 0.67)];

/// The page's style sheet.
const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, Helvetica, Arial, sans-serif; color: #222;
       max-width: 1000px; margin: 0 auto; padding: 12px 20px; font-size: 14px; }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 18px; margin: 22px 0 6px; border-bottom: 1px solid #ccc; }
p { margin: 6px 0; line-height: 1.35; }
code { background: #f2f2f2; padding: 0 3px; font-size: 13px; }
.source { color: #555; font-size: 12.5px; }
svg { max-width: 100%; height: auto; display: block; margin: 8px 0; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0; }
th, td { padding: 1px 8px; border-bottom: 1px solid #e4e4e4; text-align: left; }
th { background: #f2f2f2; }
td { white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.small { font-size: 11px; color: #444; }
.missing { background: #fff6e0; border: 1px solid #e8c56a; padding: 4px 12px; }
details { font-size: 12.5px; color: #555; }
";

/// A ratio near 1: two decimals.
fn near_one(r: f64) -> String {
    format!("{r:.2}x")
}

/// `a – b UTC`, without `b`'s date when it is `a`'s.
fn when(range: Option<(SystemTime, SystemTime)>) -> String {
    match range {
        None => "at times the file system does not tell".to_owned(),
        Some((a, b)) => {
            let (a, b) = (utc_minute(a), utc_minute(b));
            if a == b {
                format!("{a} UTC")
            } else if a.get(..10) == b.get(..10) {
                format!("{a} – {} UTC", b.get(11..).unwrap_or(&b))
            } else {
                format!("{a} – {b} UTC")
            }
        }
    }
}

/// `path` shown relative to `home` when it is under it.
fn shown(path: &Path, home: &Path) -> String {
    path.strip_prefix(home)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A cell: escaped text, right-aligned if `number`.
fn cell(out: &mut String, text: &str, number: bool) {
    let class = if number { r#" class="n""# } else { "" };
    let _ = write!(out, "<td{class}>{}</td>", escape(text));
}

/// The measurements of `benches`, with at least one estimate.
fn measured<'a>(data: &'a Data, benches: &[Bench]) -> Vec<&'a Measurement> {
    benches
        .iter()
        .flat_map(|b| data.of(b.name))
        .filter(|m| !m.estimates.is_empty())
        .collect()
}

/// When a row's files were written, with a warning if they are far apart (a
/// ratio of two different runs).
fn row_time(m: &Measurement) -> String {
    match m.modified() {
        None => "-".to_owned(),
        Some((a, b)) => {
            let apart = b.duration_since(a).map_or(0, |d| d.as_secs());
            if apart > 600 {
                format!("{} (files {} min apart)", utc_minute(b), apart / 60)
            } else {
                utc_minute(b)
            }
        }
    }
}

/// Where a chart's numbers came from: a paragraph for the page, and the lines of
/// small print for the standalone SVG.
struct Source {
    paragraph: String,
    notes: Vec<String>,
}

fn source(data: &Data, context: &Context, rows: &[&Measurement]) -> Source {
    let files: Vec<_> = rows.iter().flat_map(|m| m.estimates.iter()).collect();
    let range = span(files.iter().filter_map(|e| e.modified));
    let home = data.home.display().to_string();
    let paragraph = format!(
        "Source: criterion's means (<code>mean.point_estimate</code> of each function's \
         <code>new/estimates.json</code>), {} files under <code>{}</code>, written {}. {}",
        files.len(),
        escape(&home),
        escape(&when(range)),
        match &context.commit {
            Some(commit) => format!(
                "HEAD was <code>{}</code> when this page was made (the commit each \
                 benchmark ran at is in BENCHMARKS.md).",
                escape(commit)
            ),
            None => "No git commit could be named when this page was made (the commit \
                     each benchmark ran at is in BENCHMARKS.md)."
                .to_owned(),
        }
    );
    let head = context
        .commit
        .as_ref()
        .map_or_else(String::new, |c| format!(" at HEAD {c}"));
    let notes = vec![format!(
        "Criterion means, {} files under {home}, written {}; drawn {} UTC{head}.",
        files.len(),
        when(range),
        utc_minute(context.generated)
    )];
    Source { paragraph, notes }
}

/// The list of the estimates files of `rows`, folded.
fn file_list(out: &mut String, data: &Data, rows: &[&Measurement]) {
    let files: Vec<_> = rows.iter().flat_map(|m| m.estimates.iter()).collect();
    let _ = writeln!(
        out,
        "<details><summary>The {} estimates files and when they were written (UTC)</summary><table>",
        files.len()
    );
    for e in files {
        out.push_str("<tr>");
        cell(out, &shown(&e.file, &data.home), false);
        cell(out, &e.modified.map_or("-".to_owned(), utc_rfc3339), true);
        out.push_str("</tr>\n");
    }
    out.push_str("</table></details>\n");
}

/// Rows of one criterion group, consecutive, as one chart group.
fn grouped(rows: Vec<(String, BarRow)>, title: bool) -> Vec<Group> {
    let mut groups: Vec<(String, Group)> = Vec::new();
    for (key, row) in rows {
        match groups.last_mut() {
            Some((k, g)) if *k == key => g.rows.push(row),
            _ => groups.push((
                key.clone(),
                Group {
                    title: title.then_some(key),
                    rows: vec![row],
                    guides: Vec::new(),
                },
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// The page.
pub(super) fn render(data: &Data, context: &Context) -> Rendered {
    let mut page = String::new();
    let mut charts = Vec::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Lockstep benchmarks: the ratios</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Lockstep benchmarks: the ratios</h1>\n"
    );
    header(&mut page, data, context);
    missing(&mut page, data);
    // From the outside in: lockstep beside a peer, the protocol's own cost, the
    // spec beside the implementation.
    if let Some(svg) = peers(&mut page, data, context) {
        charts.push(("peers.svg", svg));
    }
    if let Some(svg) = protocol(&mut page, data, context) {
        charts.push(("protocol.svg", svg));
    }
    if let Some(svg) = primitives(&mut page, data, context) {
        charts.push(("primitives.svg", svg));
    }
    page.push_str("</body>\n</html>\n");
    Rendered { html: page, charts }
}

/// What the page is, when and from what it was made, and criterion's own report.
fn header(out: &mut String, data: &Data, context: &Context) {
    let _ = writeln!(
        out,
        "<p>Made by <code>lockstep bench report</code> at {} UTC from the latest criterion \
         estimates in <code>{}</code>. Only ratios are meant to travel between machines: \
         each compares two functions measured in the same criterion group, so in the same \
         run on the same machine.</p>",
        escape(&utc_minute(context.generated)),
        escape(&data.home.display().to_string())
    );
    match &data.criterion_report {
        Some(report) => {
            let href = link(report, &context.out);
            let _ = writeln!(
                out,
                "<p>Criterion's own report, with every function's distribution: \
                 <a href=\"{}\">{}</a>.</p>",
                escape(&href),
                escape(&report.display().to_string())
            );
        }
        None => {
            let _ = writeln!(
                out,
                "<p>Criterion's own report is not there yet: <code>cargo bench -p \
                 lockstep-benches</code> writes it to <code>{}</code>.</p>",
                escape(
                    &data
                        .home
                        .join("report")
                        .join("index.html")
                        .display()
                        .to_string()
                )
            );
        }
    }
}

/// A link from the page at `out` to `target`: relative when the page is in the
/// directory above `target`'s `report/`, else a `file://` URL.
fn link(target: &Path, out: &Path) -> String {
    let page_dir = out.parent().map(|p| {
        if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        }
    });
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let home = target.parent().and_then(Path::parent).and_then(canonical);
    if let (Some(dir), Some(home)) = (page_dir.and_then(canonical), home)
        && dir == home
    {
        return "report/index.html".to_owned();
    }
    let absolute = canonical(target).unwrap_or_else(|| target.to_owned());
    let mut url = "file://".to_owned();
    for byte in absolute.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

/// The section on what has no data, with the commands that measure it; nothing
/// if everything is there.
fn missing(out: &mut String, data: &Data) {
    let missing = data.missing();
    if missing.is_empty() && data.paired.is_some() {
        return;
    }
    out.push_str("<section id=\"missing\" class=\"missing\">\n<h2>Benchmarks without data</h2>\n");
    if !data.home_exists {
        let _ = writeln!(
            out,
            "<p>There is no directory <code>{}</code>: criterion has not run here, or it \
             wrote elsewhere (<code>$CRITERION_HOME</code>, <code>$CARGO_TARGET_DIR</code>; \
             <code>--criterion DIR</code> names it).</p>",
            escape(&data.home.display().to_string())
        );
    }
    out.push_str(
        "<p>These rows have no criterion estimates, so the charts leave them out. Run the \
         command beside them (or all of them: <code>cargo bench -p lockstep-benches</code>), \
         then this report again.</p>\n<ul>\n",
    );
    for bench in catalogue::BENCHES {
        let rows: Vec<_> = missing
            .iter()
            .filter(|m| m.bench.name == bench.name)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let what = if rows.len() == bench.rows.len()
            && rows
                .iter()
                .all(|m| m.functions.len() == bench.functions.len())
        {
            format!("all {} rows", bench.rows.len())
        } else {
            rows.iter()
                .map(|m| format!("{} (no {})", m.row.label(), m.functions.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(
            out,
            "<li><b>{}</b>: {}. Run <code>{}</code>.</li>",
            escape(bench.name),
            escape(&what),
            escape(&bench.command())
        );
    }
    if data.paired.is_none() {
        let _ = writeln!(
            out,
            "<li><b>peers, paired rounds</b>: no <code>{}</code>. Run <code>{}</code> (it \
             writes the file after its rotated rounds).</li>",
            escape(catalogue::PAIRED_FILE),
            escape(&catalogue::PEERS.command())
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// The section's chart, or a line saying it has no data.
fn chart_or_nothing(out: &mut String, chart: &Chart, bench: &str) -> Option<String> {
    if chart.groups.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"missing\">No data for this chart: see \"Benchmarks without data\" \
             above ({}).</p>",
            escape(bench)
        );
        return None;
    }
    let svg = svg::render(chart);
    out.push_str(&svg);
    Some(svg)
}

/// spec/impl per primitive.
fn primitives(out: &mut String, data: &Data, context: &Context) -> Option<String> {
    let rows = measured(data, &[catalogue::PRIMITIVES]);
    let bars: Vec<(String, BarRow)> = data
        .spec_impl()
        .into_iter()
        .map(|(row, r)| {
            let bar = Bar {
                series: 0,
                value: r,
                range: None,
                text: times(r),
            };
            (
                row.group.to_owned(),
                BarRow {
                    label: row.label(),
                    bars: vec![bar],
                },
            )
        })
        .collect();
    let src = source(data, context, &rows);
    let chart = Chart {
        title: "Spec beside implementation: spec time / impl time, per primitive".to_owned(),
        axis: "spec time / impl time (log scale; right of 1: the spec is slower)".to_owned(),
        scale: Scale::Log,
        series: vec![Series {
            name: "spec/impl, criterion means".to_owned(),
            color: BLUE,
        }],
        groups: grouped(bars, false),
        reference: Some((1.0, "1: as fast as the implementation".to_owned())),
        guide_legend: None,
        notes: src.notes,
    };
    out.push_str(
        "<section id=\"primitives\">\n<h2>Spec beside implementation, per primitive</h2>\n\
         <p>How many times slower the executable spec (<code>lockstep-spec</code>) is than \
         the implementation (<code>lockstep</code>, on audited crates), per primitive and \
         input size; <code>cargo bench -p lockstep-benches --bench primitives</code>.</p>\n",
    );
    let _ = writeln!(out, "<p class=\"source\">{}</p>", src.paragraph);
    let svg = chart_or_nothing(out, &chart, catalogue::PRIMITIVES.name);
    out.push_str(
        "<table>\n<tr><th>operation</th><th>size</th><th>spec</th><th>impl</th>\
         <th>spec/impl</th><th>written (UTC)</th></tr>\n",
    );
    for m in &rows {
        out.push_str("<tr>");
        cell(out, m.row.group, false);
        cell(out, &m.row.size(), true);
        cell(out, &m.mean("spec").map_or("-".to_owned(), human), true);
        cell(out, &m.mean("impl").map_or("-".to_owned(), human), true);
        cell(
            out,
            &m.ratio("spec", "impl").map_or("-".to_owned(), times),
            true,
        );
        cell(out, &row_time(m), true);
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    file_list(out, data, &rows);
    out.push_str("</section>\n");
    svg
}

/// impl/baseline per protocol and franking operation.
fn protocol(out: &mut String, data: &Data, context: &Context) -> Option<String> {
    let benches = [catalogue::PROTOCOL, catalogue::FRANKING];
    let rows = measured(data, &benches);
    let bars: Vec<(String, BarRow)> = data
        .impl_baseline()
        .into_iter()
        .map(|(bench, row, r)| {
            let bar = Bar {
                series: 0,
                value: r,
                range: None,
                text: near_one(r),
            };
            (
                format!("{bench}.rs"),
                BarRow {
                    label: row.label(),
                    bars: vec![bar],
                },
            )
        })
        .collect();
    let src = source(data, context, &rows);
    let chart = Chart {
        title: "The protocol's own cost: impl time / baseline time, per operation".to_owned(),
        axis: "impl time / baseline time (linear; 1: no cost beyond the primitive calls)"
            .to_owned(),
        scale: Scale::Linear,
        series: vec![Series {
            name: "impl/baseline, criterion means".to_owned(),
            color: BLUE,
        }],
        groups: grouped(bars, true),
        reference: Some((1.0, "1: the bare primitive calls".to_owned())),
        guide_legend: None,
        notes: src.notes,
    };
    out.push_str(
        "<section id=\"protocol\">\n<h2>Implementation beside baseline, per protocol \
         operation</h2>\n<p>The implementation's time over the baseline's: the same \
         primitive calls made directly, with no encoding, state or checks around them \
         (<code>protocol.rs</code>); for franking, the same operation unfranked \
         (<code>franking.rs</code>). Above 1 is what the protocol (or franking) costs on top \
         of its cryptography.</p>\n",
    );
    let _ = writeln!(out, "<p class=\"source\">{}</p>", src.paragraph);
    let svg = chart_or_nothing(out, &chart, "protocol, franking");
    out.push_str(
        "<table>\n<tr><th>bench</th><th>operation</th><th>size</th><th>spec</th><th>impl</th>\
         <th>baseline</th><th>spec/impl</th><th>impl/baseline</th><th>written (UTC)</th></tr>\n",
    );
    for m in &rows {
        out.push_str("<tr>");
        cell(out, m.bench.name, false);
        cell(out, m.row.group, false);
        cell(out, &m.row.size(), true);
        for f in ["spec", "impl", "baseline"] {
            cell(out, &m.mean(f).map_or("-".to_owned(), human), true);
        }
        cell(
            out,
            &m.ratio("spec", "impl").map_or("-".to_owned(), times),
            true,
        );
        cell(
            out,
            &m.ratio("impl", "baseline").map_or("-".to_owned(), near_one),
            true,
        );
        cell(out, &row_time(m), true);
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    file_list(out, data, &rows);
    out.push_str("</section>\n");
    svg
}

/// lockstep/vodozemac per peers operation: criterion's mean ratio and the paired
/// rounds, with the issue's targets.
fn peers(out: &mut String, data: &Data, context: &Context) -> Option<String> {
    let rows = measured(data, &[catalogue::PEERS]);
    let ratios = data.peer_ratios();
    let rounds = ratios
        .iter()
        .filter_map(|p| p.paired.as_ref().map(|o| o.rounds))
        .max();
    let bars: Vec<(String, BarRow)> = ratios
        .iter()
        .map(|p| {
            let mut bars = Vec::new();
            if let Some(r) = p.mean {
                bars.push(Bar {
                    series: 0,
                    value: r,
                    range: None,
                    text: near_one(r),
                });
            }
            if let Some(o) = &p.paired {
                bars.push(Bar {
                    series: 1,
                    value: o.median,
                    range: Some((o.min, o.max)),
                    text: format!("{} ({:.2}–{:.2})", near_one(o.median), o.min, o.max),
                });
            }
            (
                catalogue::peer_operation(&p.row).to_owned(),
                BarRow {
                    label: p.row.size(),
                    bars,
                },
            )
        })
        .collect();
    let mut groups = grouped(bars, true);
    for group in &mut groups {
        for (operation, target) in TARGETS {
            if group.title.as_deref() == Some(operation) {
                group.guides.push(Guide {
                    value: target,
                    label: format!("issue's target for {operation}: {target}"),
                });
            }
        }
    }
    let mut src = source(data, context, &rows);
    let mut paired_paragraph = String::new();
    if let Some(p) = &data.paired {
        let commit = p.run.commit.as_deref().unwrap_or("unknown");
        let _ = write!(
            paired_paragraph,
            " Paired rounds: <code>{}</code>, a run that ended {} at commit <code>{}</code> \
             (file written {}).",
            escape(&p.file.display().to_string()),
            escape(&p.run.utc),
            escape(commit),
            escape(&when(p.modified.map(|t| (t, t))))
        );
        src.notes.push(format!(
            "Paired rounds: {}, run ended {}, commit {commit}.",
            catalogue::PAIRED_FILE,
            p.run.utc
        ));
    } else {
        src.notes.push(format!(
            "No paired rounds yet ({}): {} writes them.",
            catalogue::PAIRED_FILE,
            catalogue::PEERS.command()
        ));
    }
    let chart = Chart {
        title: "Lockstep beside vodozemac (Olm): lockstep time / vodozemac time".to_owned(),
        axis: "lockstep time / vodozemac time (linear; left of 1: lockstep is faster)".to_owned(),
        scale: Scale::Linear,
        series: vec![
            Series {
                name: "criterion means".to_owned(),
                color: BLUE,
            },
            Series {
                name: match rounds {
                    Some(n) => format!("paired rounds: median, min–max ({n} rounds)"),
                    None => "paired rounds: median, min–max".to_owned(),
                },
                color: ORANGE,
            },
        ],
        groups,
        reference: Some((1.0, "1: as fast as vodozemac".to_owned())),
        guide_legend: Some("issue's target".to_owned()),
        notes: src.notes,
    };
    out.push_str(
        "<section id=\"peers\">\n<h2>Lockstep beside a peer, per operation</h2>\n\
         <p>Lockstep's time over vodozemac's (Matrix's Olm) on the same message flow, every \
         message through its wire bytes (<code>peers.rs</code>): <b>set-up</b> (lockstep: \
         PQXDH with ML-KEM-1024; Olm: 3DH), <b>ping-pong</b> (every decryption a DH ratchet \
         step), <b>same-chain</b> (messages one way). Blue: the ratio of criterion's two \
         means, measured one after the other. Orange: the median of the paired rounds, both \
         contenders back to back in each round, the first one alternating, with the range \
         of the rounds as a whisker: the machine's drift between benchmarks skews the first, \
         not the second. Red dashed lines: the issue's targets, 0.67 for ping-pong and 1.5 \
         for set-up (at or left of the line is on target).</p>\n",
    );
    let _ = writeln!(
        out,
        "<p class=\"source\">{}{paired_paragraph}</p>",
        src.paragraph
    );
    let svg = chart_or_nothing(out, &chart, catalogue::PEERS.name);
    // The paired columns only when there are paired rounds to show.
    let with_paired = data.paired.is_some();
    out.push_str(
        "<table>\n<tr><th>operation</th><th>size</th><th>lockstep</th><th>vodozemac</th>\
         <th>criterion ratio</th>",
    );
    if with_paired {
        out.push_str(
            "<th>paired median</th><th>paired range</th><th>rounds</th><th>ops per round</th>\
             <th>each round's ratio</th>",
        );
    }
    out.push_str("<th>written (UTC)</th></tr>\n");
    for m in data.of(catalogue::PEERS.name) {
        let paired = ratios
            .iter()
            .find(|p| p.row == m.row)
            .and_then(|p| p.paired.as_ref());
        if m.estimates.is_empty() && paired.is_none() {
            continue;
        }
        out.push_str("<tr>");
        cell(out, catalogue::peer_operation(&m.row), false);
        cell(out, &m.row.size(), true);
        for f in [catalogue::LOCKSTEP, catalogue::VODOZEMAC] {
            cell(out, &m.mean(f).map_or("-".to_owned(), human), true);
        }
        cell(
            out,
            &m.ratio(catalogue::LOCKSTEP, catalogue::VODOZEMAC)
                .map_or("-".to_owned(), near_one),
            true,
        );
        match paired.filter(|_| with_paired) {
            Some(o) => {
                cell(out, &near_one(o.median), true);
                cell(out, &format!("{:.2}–{:.2}", o.min, o.max), true);
                cell(out, &o.rounds.to_string(), true);
                cell(out, &o.ops_per_round.to_string(), true);
                let each: Vec<String> = o.ratios.iter().map(|r| format!("{r:.2}")).collect();
                let _ = write!(out, "<td class=\"small\">{}</td>", escape(&each.join(" ")));
            }
            None if with_paired => {
                for _ in 0..5 {
                    cell(out, "-", true);
                }
            }
            None => {}
        }
        cell(out, &row_time(m), true);
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    file_list(out, data, &rows);
    out.push_str("</section>\n");
    svg
}
