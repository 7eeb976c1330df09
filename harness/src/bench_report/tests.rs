//! The report on a synthetic criterion home: ratios from the fixture's numbers,
//! the missing-data section, typed errors for corrupt files, well-formed SVG.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use super::catalogue::{self, Row};
use super::paired::{PairedOperation, PairedRun};
use super::{
    Context, Data, ReportError, escape, human, load, render, times, utc_date, utc_rfc3339, write,
};

/// A directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "lockstep-bench-report-{}-{nanos}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes criterion's `estimates.json` for `row`'s `function`, with mean `ns`
/// (and the other statistics criterion writes, which the report ignores).
fn estimate(home: &Path, row: Row, function: &str, ns: f64) {
    let path = super::estimates_path(home, &row, function);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let stat = |v: f64| {
        format!(
            r#"{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":{},"upper_bound":{}}},"point_estimate":{v},"standard_error":1.5}}"#,
            v * 0.99,
            v * 1.01
        )
    };
    let json = format!(
        r#"{{"mean":{},"median":{},"median_abs_dev":{},"slope":null,"std_dev":{}}}"#,
        stat(ns),
        stat(ns * 0.98),
        stat(1.0),
        stat(2.0)
    );
    std::fs::write(path, json).unwrap();
}

fn row(group: &'static str, parameter: &'static str) -> Row {
    Row { group, parameter }
}

// The fixture's numbers, nanoseconds.
const SHA256_64: (f64, f64) = (1_061.0, 71.0);
const POLY1305_64: (f64, f64) = (489.0, 934.0);
const X25519_DH: (f64, f64) = (221_475.0, 35_833.0);
const SHA512_SPEC_ONLY: f64 = 745.0;
const HANDSHAKE: (f64, f64, f64) = (5_579_252.0, 500_039.0, 501_756.0);
const SAME_CHAIN_64: (f64, f64, f64) = (30_333.0, 4_534.0, 4_296.0);
const VERIFY: (f64, f64, f64) = (5_729.0, 554.6, 356.0);
const SET_UP_64: (f64, f64) = (477_812.0, 233_360.0);
const PING_PONG_1024: (f64, f64) = (86_115.0, 86_070.0);

/// A criterion home with some rows of every benchmark, one of them partial, and
/// (if `paired`) the paired rounds of two peers rows, one of which criterion has
/// no estimates for.
fn fixture(home: &Path, paired: bool) {
    estimate(home, row("sha256", "64"), "spec", SHA256_64.0);
    estimate(home, row("sha256", "64"), "impl", SHA256_64.1);
    estimate(home, row("poly1305", "64"), "spec", POLY1305_64.0);
    estimate(home, row("poly1305", "64"), "impl", POLY1305_64.1);
    estimate(home, row("x25519 dh", ""), "spec", X25519_DH.0);
    estimate(home, row("x25519 dh", ""), "impl", X25519_DH.1);
    estimate(home, row("sha512", "64"), "spec", SHA512_SPEC_ONLY);
    for (r, (s, i, b)) in [
        (row(catalogue::HANDSHAKE, ""), HANDSHAKE),
        (row(catalogue::SAME_CHAIN, "64"), SAME_CHAIN_64),
        (row(catalogue::FRANKING_VERIFY, ""), VERIFY),
    ] {
        estimate(home, r, "spec", s);
        estimate(home, r, "impl", i);
        estimate(home, r, "baseline", b);
    }
    for (r, (l, v)) in [
        (row("peers set-up", "64"), SET_UP_64),
        (row("peers ping-pong", "1024"), PING_PONG_1024),
    ] {
        estimate(home, r, catalogue::LOCKSTEP, l);
        estimate(home, r, catalogue::VODOZEMAC, v);
    }
    if paired {
        let run = paired_run();
        std::fs::write(
            home.join(catalogue::PAIRED_FILE),
            serde_json::to_string_pretty(&run).unwrap(),
        )
        .unwrap();
    }
}

fn paired_run() -> PairedRun {
    let op = |operation: &str, size, ratios: Vec<f64>| {
        let mut sorted = ratios.clone();
        sorted.sort_by(f64::total_cmp);
        PairedOperation {
            operation: operation.to_owned(),
            size,
            rounds: ratios.len(),
            ops_per_round: 312,
            median: sorted[sorted.len() / 2],
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            ratios,
            lockstep_ns: 471_560.0,
            vodozemac_ns: 233_950.0,
        }
    };
    PairedRun {
        utc: "2026-12-05T10:07:30Z".to_owned(),
        commit: Some("050ed23".to_owned()),
        operations: vec![
            op("set-up", 64, vec![2.02, 1.98, 2.01]),
            op("ping-pong", 64, vec![1.01, 0.97, 0.99, 1.0, 0.98]),
        ],
    }
}

fn context(out: &Path) -> Context {
    Context {
        generated: SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_342_400),
        commit: Some("abc1234".to_owned()),
        out: out.to_owned(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs()
}

#[test]
fn ratios_are_computed_from_criterion_means() {
    let dir = TempDir::new("ratios");
    fixture(&dir.0, true);
    let data = load(&dir.0).unwrap();

    let spec_impl = data.spec_impl();
    let expected = [
        (row("sha256", "64"), SHA256_64.0 / SHA256_64.1),
        (row("poly1305", "64"), POLY1305_64.0 / POLY1305_64.1),
        (row("x25519 dh", ""), X25519_DH.0 / X25519_DH.1),
    ];
    assert_eq!(spec_impl.len(), expected.len(), "{spec_impl:?}");
    for ((row, got), (want_row, want)) in spec_impl.iter().zip(expected) {
        assert_eq!(*row, want_row);
        assert!(close(*got, want), "{row:?}: {got} != {want}");
    }

    let impl_baseline = data.impl_baseline();
    let expected = [
        ("protocol", catalogue::HANDSHAKE, HANDSHAKE.1 / HANDSHAKE.2),
        (
            "protocol",
            catalogue::SAME_CHAIN,
            SAME_CHAIN_64.1 / SAME_CHAIN_64.2,
        ),
        ("franking", catalogue::FRANKING_VERIFY, VERIFY.1 / VERIFY.2),
    ];
    assert_eq!(impl_baseline.len(), expected.len(), "{impl_baseline:?}");
    for ((bench, row, got), (want_bench, want_group, want)) in impl_baseline.iter().zip(expected) {
        assert_eq!((*bench, row.group), (want_bench, want_group));
        assert!(close(*got, want), "{row:?}: {got} != {want}");
    }

    let peers = data.peer_ratios();
    let groups: Vec<_> = peers
        .iter()
        .map(|p| (p.row.group, p.row.parameter))
        .collect();
    assert_eq!(
        groups,
        [
            ("peers set-up", "64"),
            ("peers ping-pong", "64"),
            ("peers ping-pong", "1024")
        ]
    );
    assert!(close(peers[0].mean.unwrap(), SET_UP_64.0 / SET_UP_64.1));
    assert_eq!(peers[0].paired.as_ref().unwrap().median, 2.01);
    assert_eq!(
        peers[1].mean, None,
        "no criterion estimates for ping-pong 64 B"
    );
    let ping_pong = peers[1].paired.as_ref().unwrap();
    assert_eq!(
        (ping_pong.median, ping_pong.min, ping_pong.max),
        (0.99, 0.97, 1.01)
    );
    assert!(close(
        peers[2].mean.unwrap(),
        PING_PONG_1024.0 / PING_PONG_1024.1
    ));
    assert!(peers[2].paired.is_none());

    // The page and the charts carry the values as text.
    let out = dir.0.join("page").join("report.html");
    let rendered = render(&data, &context(&out));
    for text in [
        ">15x<",   // sha256 64 B: 1061 / 71
        ">0.5x<",  // poly1305 64 B: 489 / 934
        ">6.2x<",  // x25519 dh
        ">1.00x<", // handshake impl/baseline
        ">1.06x<", // same chain 64 B
        ">1.56x<", // verify report
        ">2.05x<", // set-up 64 B, criterion means
        ">2.01x (1.98–2.02)<",
        ">0.99x (0.97–1.01)<",
        "issue&#39;s target for ping-pong: 0.67",
        "issue&#39;s target for set-up: 1.5",
        "050ed23",
        "abc1234",
    ] {
        assert!(rendered.html.contains(text), "the page lacks {text}");
    }
    let names: Vec<_> = rendered.charts.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["peers.svg", "protocol.svg", "primitives.svg"]);

    let svg_dir = dir.0.join("svg");
    let written = write(&rendered, &out, Some(&svg_dir)).unwrap();
    assert_eq!(
        std::fs::read_to_string(&written.page).unwrap(),
        rendered.html
    );
    assert_eq!(written.charts.len(), 3);
    for (path, (_, svg)) in written.charts.iter().zip(&rendered.charts) {
        assert_eq!(&std::fs::read_to_string(path).unwrap(), svg);
    }
}

#[test]
fn missing_data_is_listed_with_its_commands() {
    let dir = TempDir::new("missing");
    fixture(&dir.0, false);
    let data = load(&dir.0).unwrap();
    let missing = data.missing();
    let sha512 = missing
        .iter()
        .find(|m| m.row == row("sha512", "64"))
        .unwrap();
    assert_eq!(sha512.functions, ["impl"]);
    let measured = data
        .measurements
        .iter()
        .filter(|m| m.missing.is_empty())
        .count();
    assert_eq!(measured, 8, "the fixture's complete rows");
    assert_eq!(missing.len(), data.measurements.len() - measured);
    assert!(data.paired.is_none());

    let html = render(&data, &context(&dir.0.join("r.html"))).html;
    for text in [
        "Benchmarks without data",
        "sha512, 64 B (no impl)",
        "cargo bench -p lockstep-benches --bench primitives",
        "cargo bench -p lockstep-benches --bench protocol",
        "cargo bench -p lockstep-benches --bench franking",
        "cargo bench -p lockstep-benches --bench peers",
        catalogue::PAIRED_FILE,
        "own report is not there yet",
    ] {
        assert!(html.contains(text), "the page lacks {text}");
    }
}

#[test]
fn an_empty_home_renders_a_page_of_missing_data() {
    let dir = TempDir::new("empty");
    let home = dir.0.join("no-such-dir");
    let data = load(&home).unwrap();
    assert!(!data.home_exists);
    assert!(data.spec_impl().is_empty() && data.peer_ratios().is_empty());
    let rendered = render(&data, &context(&dir.0.join("r.html")));
    assert!(rendered.charts.is_empty());
    assert!(rendered.html.contains("There is no directory"));
    assert!(rendered.html.contains("all 29 rows"));
    assert!(rendered.html.contains("No data for this chart"));
    balanced(&rendered.html);
}

#[test]
fn corrupt_files_are_typed_errors() {
    let dir = TempDir::new("corrupt");
    fixture(&dir.0, true);
    let path = super::estimates_path(&dir.0, &row("sha256", "64"), "impl");

    std::fs::write(&path, "{ \"mean\": { \"point_estimate\": 7").unwrap();
    match load(&dir.0) {
        Err(ReportError::Json { path: p, .. }) => assert_eq!(p, path),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    std::fs::write(&path, r#"{"median": {"point_estimate": 7}}"#).unwrap();
    assert!(matches!(load(&dir.0), Err(ReportError::Json { .. })));
    std::fs::write(&path, r#"{"mean": {"point_estimate": -7}}"#).unwrap();
    match load(&dir.0) {
        Err(e @ ReportError::NoMean { .. }) => {
            assert!(e.to_string().contains("estimates.json"), "{e}");
        }
        other => panic!("expected NoMean, got {other:?}"),
    }
    estimate(&dir.0, row("sha256", "64"), "impl", 71.0);
    assert!(load(&dir.0).is_ok());

    let paired = dir.0.join(catalogue::PAIRED_FILE);
    std::fs::write(&paired, "[1, 2").unwrap();
    assert!(matches!(load(&dir.0), Err(ReportError::Json { path, .. }) if path == paired));
    let mut run = paired_run();
    run.operations[0].rounds = 9;
    std::fs::write(&paired, serde_json::to_string(&run).unwrap()).unwrap();
    match load(&dir.0) {
        Err(ReportError::Paired { problem, .. }) => assert!(problem.contains("9 rounds")),
        other => panic!("expected a Paired error, got {other:?}"),
    }
    // A directory where a file should be: an I/O error, not missing data.
    std::fs::remove_file(&paired).unwrap();
    std::fs::create_dir_all(&paired).unwrap();
    assert!(matches!(load(&dir.0), Err(ReportError::Io { .. })));
}

/// Checks that every tag of `text` is closed in order (void HTML elements and
/// `<!...>` aside) and that every `&` starts an entity.
fn balanced(text: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("an unclosed tag") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name.trim(), "</{name}> closes <{open}>");
        } else if !tag.ends_with('/') {
            let name = tag
                .split_whitespace()
                .next()
                .expect("a tag name")
                .to_owned();
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric()),
                "a strange tag <{tag}>"
            );
            if name != "meta" {
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| entity.starts_with(e)),
            "a bare & at {}",
            &text[i..text.len().min(i + 20)]
        );
    }
}

#[test]
fn the_page_and_charts_are_well_formed() {
    let dir = TempDir::new("svg");
    fixture(&dir.0, true);
    let data: Data = load(&dir.0).unwrap();
    let rendered = render(&data, &context(&dir.0.join("r.html")));
    balanced(&rendered.html);
    assert!(!rendered.html.contains("<script"));
    assert!(!rendered.html.contains("http://") || !rendered.html.contains("<link"));
    for (name, svg) in &rendered.charts {
        assert!(
            svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#),
            "{name}"
        );
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
        assert!(svg.contains("<title>"), "{name}");
        balanced(svg);
        // Every number in an attribute is a number.
        for attr in [" x=\"", " y=\"", " width=\"", " height=\""] {
            for (i, _) in svg.match_indices(attr) {
                let value = &svg[i + attr.len()..];
                let value = &value[..value.find('"').unwrap()];
                assert!(
                    value.parse::<f64>().is_ok_and(f64::is_finite),
                    "{name}: {attr}{value}"
                );
            }
        }
    }
}

#[test]
fn text_is_escaped() {
    assert_eq!(
        escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
    );
    // A criterion home whose name needs escaping shows escaped everywhere.
    let dir = TempDir::new("a&b<c>");
    fixture(&dir.0, true);
    let rendered = render(&load(&dir.0).unwrap(), &context(&dir.0.join("r.html")));
    assert!(rendered.html.contains("a&amp;b&lt;c&gt;"));
    balanced(&rendered.html);
    for (_, svg) in &rendered.charts {
        balanced(svg);
    }
}

#[test]
fn times_and_sizes() {
    let at = |secs| utc_rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    assert_eq!(at(0), "1970-01-01T00:00:00Z");
    assert_eq!(at(951_782_400 + 3_723), "2000-02-29T01:02:03Z");
    assert_eq!(at(1_796_342_400), "2026-12-04T00:00:00Z");
    let date = |secs| utc_date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    assert_eq!(date(0), "1970-01-01");
    assert_eq!(date(951_782_400), "2000-02-29");
    assert_eq!(date(1_796_342_400 + 86_399), "2026-12-04");
    assert_eq!(
        (human(71.0), human(4_530.0), human(5_580_000.0)),
        (
            "71 ns".to_owned(),
            "4.53 µs".to_owned(),
            "5.58 ms".to_owned()
        )
    );
    assert_eq!(
        (times(0.5), times(9.96), times(14.6)),
        ("0.5x".to_owned(), "10.0x".to_owned(), "15x".to_owned())
    );
    assert_eq!(row("sha256", "64").size(), "64 B");
    assert_eq!(row("sha256", "16384").size(), "16 KiB");
    assert_eq!(row("x25519 dh", "").size(), "-");
    assert_eq!(row("x25519 dh", "").label(), "x25519 dh");
    assert_eq!(row("sha256", "1024").label(), "sha256, 1 KiB");
    assert_eq!(
        catalogue::peer_operation(&row("peers set-up", "64")),
        "set-up"
    );
}
