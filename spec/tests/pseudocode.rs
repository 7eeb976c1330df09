//! The pseudocode the spec's documentation quotes is docs/SPEC.md's, line for line.
//!
//! A `text` block in a doc comment of `spec/src/` or `impl/src/` is a quote when its first line is a
//! line of one of SPEC.md's code blocks; then every line of it must be one too
//! (spaces aside; a quote may leave off the annotation SPEC.md writes after a wide
//! gap, such as a length). Blocks that quote RFCs or lay out encodings in their own
//! words are not quotes of SPEC.md and are left alone. So when SPEC.md's pseudocode
//! changes, the quotes that fell behind fail here, naming file and line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::collections::BTreeSet;
use std::path::Path;

/// `line` with every run of whitespace made one space, and trimmed.
fn normal(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every line of SPEC.md's fenced code blocks, normalised, with and without the
/// annotation after its first gap of three or more spaces.
fn spec_md_lines() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("docs/SPEC.md")).expect("docs/SPEC.md");
    let mut lines = BTreeSet::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block || line.trim().is_empty() {
            continue;
        }
        lines.insert(normal(line));
        let indent = line.len() - line.trim_start().len();
        if let Some(gap) = line[indent..].find("   ") {
            lines.insert(normal(&line[..indent + gap]));
        }
    }
    lines
}

/// The `text` blocks of the doc comments of `source`: (line number of the block's
/// first line, its lines without the `///` prefix).
fn doc_text_blocks(source: &str) -> Vec<(usize, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    for (i, line) in source.lines().enumerate() {
        let Some(doc) = line.trim_start().strip_prefix("///") else {
            continue;
        };
        let doc = doc.strip_prefix(' ').unwrap_or(doc);
        match current.take() {
            None if doc.trim() == "```text" => current = Some((i + 2, Vec::new())),
            None => {}
            Some(block) if doc.trim() == "```" => blocks.push(block),
            Some((start, mut lines)) => {
                if !doc.trim().is_empty() {
                    lines.push(doc.to_owned());
                }
                current = Some((start, lines));
            }
        }
    }
    blocks
}

/// Checks the quotes in the `.rs` files of `dir` (relative to the workspace root);
/// returns how many quotes it found and every stale line.
fn check_quotes(spec: &BTreeSet<String>, dir: &str) -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut quotes = 0;
    let mut stale = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        for (start, lines) in doc_text_blocks(&source) {
            let Some(first) = lines.first() else { continue };
            if !spec.contains(&normal(first)) {
                continue;
            }
            quotes += 1;
            for line in &lines {
                if !spec.contains(&normal(line)) {
                    let name = path.file_name().unwrap().to_string_lossy();
                    stale.push(format!(
                        "{dir}/{name} (block at line {start}): {}",
                        line.trim()
                    ));
                }
            }
        }
    }
    (quotes, stale)
}

/// No stale quote in `dir`, and at least `at_least` quotes (else the test would pass
/// vacuously).
fn assert_quotes(dir: &str, at_least: usize) {
    let (quotes, stale) = check_quotes(&spec_md_lines(), dir);
    assert!(
        stale.is_empty(),
        "quotes that are not SPEC.md's:\n{}",
        stale.join("\n")
    );
    assert!(
        quotes >= at_least,
        "{dir}: only {quotes} quoted blocks found"
    );
}

/// The spec's quotes (pqxdh, ratchet, wire, ...).
#[test]
fn quoted_pseudocode_is_spec_md_s() {
    assert_quotes("spec/src", 15);
}

/// The implementation's documentation quotes the same pseudocode where it does the
/// same step (`pqxdh::initiate`, `respond`, the ratchet's functions,
/// `wire::encode_bundle`), so spec and implementation read side by side.
#[test]
fn the_implementation_quotes_spec_md_s_pseudocode_too() {
    assert_quotes("impl/src", 14);
}
