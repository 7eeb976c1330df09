//! One error vocabulary: the names in docs/SPEC.md §7 are exactly the names of
//! `lockstep_spec::Error` and `lockstep::Error`.
//!
//! - The first table of §7 (the protocol's errors) is the same set on both sides.
//! - The second (the primitives' errors) names, in its "side" column, which side
//!   can return each; every such error exists on that side and on no other.
//! - No variant of either type is missing from §7, and no name of §7 is missing
//!   from the side it is listed for.
//! - The harness turns an implementation error into the spec's error of the same
//!   name, for every name the two share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::collections::BTreeSet;

use lockstep_harness::driver::Failure;

/// One row of a §7 table: the error's name and, for the primitives' table, its side.
struct Row {
    name: String,
    side: Option<String>,
}

/// The two tables of SPEC §7, read from docs/SPEC.md.
fn spec_md_tables() -> (Vec<Row>, Vec<Row>) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/SPEC.md"))
        .expect("docs/SPEC.md");
    let start = text.find("\n## 7. Errors").expect("SPEC.md has §7");
    let end = text[start + 1..]
        .find("\n## ")
        .map_or(text.len(), |i| start + 1 + i);
    let mut tables: Vec<Vec<Row>> = Vec::new();
    let mut in_table = false;
    for line in text[start..end].lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells[0] == "error" {
            tables.push(Vec::new());
            in_table = true;
            continue;
        }
        if !in_table || cells[0].starts_with("---") {
            continue;
        }
        let name = cells[0].trim_matches('`').to_owned();
        let side = (cells.len() == 3).then(|| cells[1].to_owned());
        tables
            .last_mut()
            .expect("a header first")
            .push(Row { name, side });
    }
    assert_eq!(tables.len(), 2, "SPEC §7 has two tables of errors");
    let primitives = tables.pop().unwrap();
    let protocol = tables.pop().unwrap();
    (protocol, primitives)
}

fn spec_names() -> BTreeSet<&'static str> {
    lockstep_spec::Error::ALL.iter().map(|e| e.name()).collect()
}

fn impl_names() -> BTreeSet<&'static str> {
    lockstep::Error::ALL.iter().map(|e| e.name()).collect()
}

#[test]
fn spec_md_section_7_is_both_sides_error_types() {
    let (protocol, primitives) = spec_md_tables();
    let spec = spec_names();
    let imp = impl_names();
    let mut listed = BTreeSet::new();
    for row in &protocol {
        assert!(
            spec.contains(row.name.as_str()),
            "SPEC §7 {}: not in lockstep_spec::Error",
            row.name
        );
        assert!(
            imp.contains(row.name.as_str()),
            "SPEC §7 {}: not in lockstep::Error",
            row.name
        );
        assert!(
            listed.insert(row.name.clone()),
            "SPEC §7 lists {} twice",
            row.name
        );
    }
    for row in &primitives {
        let side = row
            .side
            .as_deref()
            .expect("the primitives' table has a side column");
        let (in_spec, in_impl) = match side {
            "both" => (true, true),
            "spec" => (true, false),
            "impl" => (false, true),
            other => panic!(
                "SPEC §7 {}: side {other:?} is not both, spec or impl",
                row.name
            ),
        };
        assert_eq!(
            spec.contains(row.name.as_str()),
            in_spec,
            "SPEC §7 {} ({side}): lockstep_spec::Error",
            row.name
        );
        assert_eq!(
            imp.contains(row.name.as_str()),
            in_impl,
            "SPEC §7 {} ({side}): lockstep::Error",
            row.name
        );
        assert!(
            listed.insert(row.name.clone()),
            "SPEC §7 lists {} twice",
            row.name
        );
    }
    for name in spec.iter().chain(&imp) {
        assert!(
            listed.contains(*name),
            "{name} is an error of a side but not in SPEC §7"
        );
    }
    assert_eq!(protocol.len(), 18, "the protocol's errors");
}

#[test]
fn the_harness_compares_errors_by_their_name() {
    for &e in lockstep::Error::ALL {
        match Failure::from(e) {
            Failure::Refused(s) => assert_eq!(s.name(), e.name()),
            Failure::Other(other) => {
                assert!(
                    !spec_names().contains(e.name()),
                    "{} has a spec twin",
                    e.name()
                );
                assert_eq!(other, format!("impl::{}", e.name()));
            }
            Failure::NoSession => panic!("{} became NoSession", e.name()),
        }
    }
    for &e in lockstep_spec::Error::ALL {
        assert_eq!(Failure::from(e), Failure::Refused(e));
    }
    // Reproducer files write a refusal as its name, as before this vocabulary.
    let json = serde_json::to_string(&Failure::Refused(lockstep_spec::Error::Duplicate)).unwrap();
    assert_eq!(json, "\"Duplicate\"");
    let back: Failure = serde_json::from_str("\"NoSession\"").unwrap();
    assert_eq!(back, Failure::NoSession);
    let other: Failure = serde_json::from_str("{\"Other\":\"impl::MacMismatch\"}").unwrap();
    assert_eq!(other, Failure::Other("impl::MacMismatch".to_owned()));
    assert!(serde_json::from_str::<Failure>("\"NoSuchError\"").is_err());
}
