//! Plain-text reports for the command-line tools (`lockstep` in `cli/`, the
//! developer tooling in `xtask/`): durations, counts, and column-aligned tables.
//!
//! Nothing here touches the protocol; it lives in the library so that the tools
//! print their tables one way, and so that it is tested once.

/// `12.34 s` (with `decimals` decimals), or `2 m 03 s` from two minutes on.
#[must_use]
pub fn duration(seconds: f64, decimals: usize) -> String {
    if seconds >= 120.0 {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "whole seconds of a run: positive and far below 2^64"
        )]
        let whole = seconds.round() as u64;
        format!("{} m {:02} s", whole / 60, whole % 60)
    } else {
        format!("{seconds:.decimals$} s")
    }
}

/// `1 model`, `2 models`: `n` and `what`, plural when `n` is not 1.
#[must_use]
pub fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `1,234,567`: `n` with its digits in groups of three.
#[must_use]
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text`, cut to `max` characters with `...` at the end if longer.
#[must_use]
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(max.saturating_sub(3)).collect();
        format!("{kept}...")
    }
}

/// How a column's cells are padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// A table of text cells, printed with its columns aligned and two spaces between
/// them; trailing spaces are trimmed from every line.
#[derive(Clone, Debug)]
pub struct Table {
    /// The header row.
    header: Vec<String>,
    /// Each column's alignment (as many as the header has cells).
    align: Vec<Align>,
    /// The rows, each as wide as the header (short rows are padded with empty cells).
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with this header, every column aligned left.
    #[must_use]
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|&h| h.to_owned()).collect(),
            align: vec![Align::Left; header.len()],
            rows: Vec::new(),
        }
    }

    /// Aligns column `column` (from 0) as `align`; a column past the header is
    /// ignored.
    #[must_use]
    pub fn align(mut self, column: usize, align: Align) -> Self {
        if let Some(a) = self.align.get_mut(column) {
            *a = align;
        }
        self
    }

    /// Adds a row; cells past the header's width are dropped.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut row: Vec<String> = cells
            .into_iter()
            .map(Into::into)
            .take(self.header.len())
            .collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// Whether no row was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as lines of text, header first, each ending in `\n`.
    #[must_use]
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, ((cell, &width), &align)) in
                row.iter().zip(&widths).zip(&self.align).enumerate()
            {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
                match align {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(cell);
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(duration(59.94, 1), "59.9 s");
        assert_eq!(duration(1.234, 2), "1.23 s");
        assert_eq!(duration(123.0, 1), "2 m 03 s");
        assert_eq!(count(1, "model"), "1 model");
        assert_eq!(count(0, "model"), "0 models");
        assert_eq!(clip("abcdef", 6), "abcdef");
        assert_eq!(clip("abcdefg", 6), "abc...");
    }

    #[test]
    fn tables_align_and_trim() {
        let mut table = Table::new(&["name", "n", "result"]).align(1, Align::Right);
        assert!(table.is_empty());
        table.row(["a", "1,000", "ok"]);
        table.row(["longer", "7", ""]);
        table.row(["x"]);
        assert_eq!(
            table.render(),
            "name        n  result\n\
             a       1,000  ok\n\
             longer      7\n\
             x\n"
        );
    }
}
