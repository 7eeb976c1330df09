//! Horizontal bar charts, drawn as standalone SVG (with its namespace, so the same
//! text is an inline figure of the HTML page and an image file of its own).
//!
//! A chart is groups of rows, each row one or more bars that start at the origin
//! (0 on a linear scale, 1 on a log scale: a ratio below 1 points left). A bar may
//! carry a range (a whisker), and every bar carries its value as text. A chart may
//! have a reference line (1.0) across its whole height, and a group may have guides
//! of its own (dashed lines with a label, such as a target for that group's rows).

use std::fmt::Write as _;

use super::escape;

/// The width of every chart, in pixels.
const WIDTH: f64 = 960.0;
/// About the width of one character of the 12 px sans-serif text, generously.
const CHAR: f64 = 7.0;
/// A bar's height.
const BAR: f64 = 12.0;
/// The space between two bars of a row.
const BAR_GAP: f64 = 2.0;
/// The space above and below the bars of a row.
const ROW_PAD: f64 = 3.0;
/// The height of a group's title line.
const GROUP_TITLE: f64 = 18.0;
/// The space between two groups.
const GROUP_GAP: f64 = 7.0;
/// The room to the right of the plot for the values of the longest bars.
const RIGHT: f64 = 110.0;
/// Where the plot starts, below the title and the legend.
const PLOT_TOP: f64 = 62.0;

/// How values map to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// From 0; bars start at 0.
    Linear,
    /// Logarithmic; bars start at 1.
    Log,
}

/// A kind of bar, with its colour and its name in the legend.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Its name in the legend.
    pub(crate) name: String,
    /// Its fill colour.
    pub(crate) color: &'static str,
}

/// One bar.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// Its series (an index into [`Chart::series`]).
    pub(crate) series: usize,
    /// Its value (positive on a log scale).
    pub(crate) value: f64,
    /// A range drawn as a whisker over the bar, if any.
    pub(crate) range: Option<(f64, f64)>,
    /// The value as text, written beside the bar.
    pub(crate) text: String,
}

/// One row: a label and its bars, one under the other.
#[derive(Debug, Clone)]
pub(crate) struct BarRow {
    /// The row's label, left of the plot.
    pub(crate) label: String,
    /// Its bars.
    pub(crate) bars: Vec<Bar>,
}

/// A dashed vertical line over one group's rows, labelled in its title line.
#[derive(Debug, Clone)]
pub(crate) struct Guide {
    /// Where it is drawn.
    pub(crate) value: f64,
    /// Its label.
    pub(crate) label: String,
}

/// Rows that belong together, with an optional title line and guides.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// The title, drawn on a line of its own above the rows.
    pub(crate) title: Option<String>,
    /// The rows.
    pub(crate) rows: Vec<BarRow>,
    /// Dashed lines over these rows only.
    pub(crate) guides: Vec<Guide>,
}

/// A whole chart.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    /// The title, at the top.
    pub(crate) title: String,
    /// The axis's label, under its ticks.
    pub(crate) axis: String,
    /// The scale.
    pub(crate) scale: Scale,
    /// The kinds of bars, in the legend's order.
    pub(crate) series: Vec<Series>,
    /// The groups, top to bottom.
    pub(crate) groups: Vec<Group>,
    /// A solid line across the whole plot, with its legend text.
    pub(crate) reference: Option<(f64, String)>,
    /// The legend text of the guides, if there are any.
    pub(crate) guide_legend: Option<String>,
    /// Lines of small print at the bottom (where the numbers came from).
    pub(crate) notes: Vec<String>,
}

/// The positions of values: the domain, the plot's extent, and the scale.
struct Axis {
    scale: Scale,
    lo: f64,
    hi: f64,
    left: f64,
    right: f64,
}

impl Axis {
    fn x(&self, value: f64) -> f64 {
        let v = value.clamp(self.lo, self.hi);
        let t = match self.scale {
            Scale::Linear => (v - self.lo) / (self.hi - self.lo),
            Scale::Log => (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln()),
        };
        self.left + t * (self.right - self.left)
    }

    /// Where bars start.
    fn origin(&self) -> f64 {
        match self.scale {
            Scale::Linear => self.x(self.lo),
            Scale::Log => self.x(1.0),
        }
    }
}

/// `v` rounded down (`up` false) or up to a number of the sequence 1, 2, 5, 10,
/// 20, 50, ...
fn nice(v: f64, up: bool) -> f64 {
    let power = 10f64.powf(v.log10().floor());
    let steps = [1.0, 2.0, 5.0, 10.0];
    let m = v / power;
    let pick = if up {
        steps
            .iter()
            .copied()
            .find(|s| *s >= m * (1.0 - 1e-9))
            .unwrap_or(10.0)
    } else {
        steps
            .iter()
            .rev()
            .copied()
            .find(|s| *s <= m * (1.0 + 1e-9))
            .unwrap_or(1.0)
    };
    pick * power
}

/// The domain and the ticks for `values` (all positive for a log scale).
fn domain(scale: Scale, values: &[f64]) -> (f64, f64, Vec<f64>) {
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    match scale {
        Scale::Linear => {
            let top = if max > 0.0 { max * 1.05 } else { 1.0 };
            let step = nice(top / 6.0, true);
            let hi = (top / step).ceil() * step;
            let mut ticks = Vec::new();
            let mut k = 0.0;
            while k * step <= hi * (1.0 + 1e-9) {
                ticks.push(k * step);
                k += 1.0;
            }
            (0.0, hi, ticks)
        }
        Scale::Log => {
            let lo = nice(min.min(1.0) / 2.0, false);
            let hi = nice(max.max(1.0) * 1.25, true);
            let decades = (hi / lo).log10();
            let mut ticks = Vec::new();
            let mut power = 10f64.powf(lo.log10().floor());
            while power <= hi * (1.0 + 1e-9) {
                let steps: &[f64] = if decades > 4.0 {
                    &[1.0]
                } else {
                    &[1.0, 2.0, 5.0]
                };
                for s in steps {
                    let t = s * power;
                    if t >= lo * (1.0 - 1e-9) && t <= hi * (1.0 + 1e-9) {
                        ticks.push(t);
                    }
                }
                power *= 10.0;
            }
            (lo, hi, ticks)
        }
    }
}

/// A tick's label: as few decimals as it needs.
fn tick_label(v: f64) -> String {
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

/// The height of a row of `bars` bars.
fn row_height(bars: usize) -> f64 {
    let n = f64::from(u32::try_from(bars.max(1)).unwrap_or(1));
    n * BAR + (n - 1.0) * BAR_GAP + 2.0 * ROW_PAD
}

/// The width `text` takes, about.
fn text_width(text: &str, char_width: f64) -> f64 {
    f64::from(u32::try_from(text.chars().count()).unwrap_or(u32::MAX)) * char_width
}

/// The chart as an SVG document (no XML declaration, so it can be inlined in HTML).
pub(crate) fn render(chart: &Chart) -> String {
    let longest = chart
        .groups
        .iter()
        .flat_map(|g| g.rows.iter())
        .map(|r| text_width(&r.label, CHAR))
        .fold(0.0, f64::max);
    let left = (longest + 24.0).clamp(90.0, 360.0);
    let mut values = Vec::new();
    for group in &chart.groups {
        values.extend(group.guides.iter().map(|g| g.value));
        for bar in group.rows.iter().flat_map(|r| r.bars.iter()) {
            values.push(bar.value);
            if let Some((lo, hi)) = bar.range {
                values.extend([lo, hi]);
            }
        }
    }
    if let Some((value, _)) = chart.reference {
        values.push(value);
    }
    values.retain(|v| v.is_finite() && (chart.scale == Scale::Linear || *v > 0.0));
    if values.is_empty() {
        values.push(1.0);
    }
    let (lo, hi, ticks) = domain(chart.scale, &values);
    let axis = Axis {
        scale: chart.scale,
        lo,
        hi,
        left,
        right: WIDTH - RIGHT,
    };

    let mut body = String::new();
    let mut y = PLOT_TOP;
    for (index, group) in chart.groups.iter().enumerate() {
        if index > 0 {
            y += GROUP_GAP;
        }
        let top = y;
        if group.title.is_some() || !group.guides.is_empty() {
            if let Some(title) = &group.title {
                let _ = writeln!(
                    body,
                    r#"<text x="10" y="{:.1}" font-weight="bold">{}</text>"#,
                    y + 13.0,
                    escape(title)
                );
            }
            for guide in &group.guides {
                let _ = writeln!(
                    body,
                    r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#c0392b">{}</text>"##,
                    axis.x(guide.value) + 4.0,
                    y + 13.0,
                    escape(&guide.label)
                );
            }
            y += GROUP_TITLE;
        }
        // The bars, then the group's guides over them, then the text over both.
        let mut labels = String::new();
        for row in &group.rows {
            let height = row_height(row.bars.len());
            let _ = writeln!(
                labels,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                left - 8.0,
                y + height / 2.0 + 4.0,
                escape(&row.label)
            );
            let mut bar_y = y + ROW_PAD;
            for bar in &row.bars {
                draw_bar(&mut body, &mut labels, chart, &axis, row, bar, bar_y);
                bar_y += BAR + BAR_GAP;
            }
            y += height;
        }
        for guide in &group.guides {
            let x = axis.x(guide.value);
            let _ = writeln!(
                body,
                r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{y:.1}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="5,4"/>"##,
                top + 2.0
            );
        }
        body.push_str(&labels);
    }
    let bottom = y + 4.0;

    let mut svg = String::new();
    let notes_top = bottom + 52.0;
    let height = notes_top + 15.0 * f64::from(u32::try_from(chart.notes.len()).unwrap_or(0)) + 4.0;
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" font-family="DejaVu Sans, Verdana, Helvetica, Arial, sans-serif" font-size="12" role="img">"#
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(&chart.title));
    let _ = writeln!(
        svg,
        r#"<rect x="0" y="0" width="{WIDTH:.0}" height="{height:.0}" fill="white"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="10" y="22" font-size="15" font-weight="bold">{}</text>"#,
        escape(&chart.title)
    );
    legend(&mut svg, chart);
    // The grid, under everything else.
    for tick in &ticks {
        let x = axis.x(*tick);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{PLOT_TOP:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#e4e4e4"/>"##
        );
    }
    svg.push_str(&body);
    if let Some((value, _)) = chart.reference {
        let x = axis.x(value);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#333" stroke-width="1.5"/>"##,
            PLOT_TOP - 4.0
        );
    }
    // The axis.
    let _ = writeln!(
        svg,
        r##"<line x1="{left:.1}" y1="{bottom:.1}" x2="{:.1}" y2="{bottom:.1}" stroke="#333"/>"##,
        axis.right
    );
    for tick in &ticks {
        let x = axis.x(*tick);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{bottom:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333"/>"##,
            bottom + 4.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
            bottom + 17.0,
            escape(&tick_label(*tick))
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        f64::midpoint(left, axis.right),
        bottom + 36.0,
        escape(&chart.axis)
    );
    for (i, note) in chart.notes.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text x="10" y="{:.1}" font-size="11" fill="#555">{}</text>"##,
            notes_top + 15.0 * f64::from(u32::try_from(i).unwrap_or(0)),
            escape(note)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// One bar and its whisker into `out`, with its row and value as a tooltip; its
/// value as text into `labels`, drawn later with a white halo, so that no line
/// crosses it.
fn draw_bar(
    out: &mut String,
    labels: &mut String,
    chart: &Chart,
    axis: &Axis,
    row: &BarRow,
    bar: &Bar,
    y: f64,
) {
    let color = chart.series.get(bar.series).map_or("#777", |s| s.color);
    let series = chart.series.get(bar.series).map_or("", |s| s.name.as_str());
    let origin = axis.origin();
    let end = axis.x(bar.value);
    let (x, width) = if end >= origin {
        (origin, (end - origin).max(1.0))
    } else {
        (end, (origin - end).max(1.0))
    };
    let _ = writeln!(
        out,
        r#"<rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{BAR:.1}" fill="{color}"><title>{}: {} ({})</title></rect>"#,
        escape(&row.label),
        escape(&bar.text),
        escape(series)
    );
    let middle = y + BAR / 2.0;
    let (mut text_left, mut text_right) = (end, end);
    if let Some((lo, hi)) = bar.range {
        let (a, b) = (axis.x(lo), axis.x(hi));
        let _ = writeln!(
            out,
            r##"<path d="M{a:.1},{middle:.1}H{b:.1}M{a:.1},{:.1}V{:.1}M{b:.1},{:.1}V{:.1}" stroke="#222" stroke-width="1.3" fill="none"/>"##,
            middle - 4.5,
            middle + 4.5,
            middle - 4.5,
            middle + 4.5
        );
        text_left = text_left.min(a);
        text_right = text_right.max(b);
    }
    let (tx, anchor) = if end >= origin {
        (text_right + 5.0, "start")
    } else {
        (text_left - 5.0, "end")
    };
    let _ = writeln!(
        labels,
        r##"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="11" fill="#222" stroke="white" stroke-width="3" paint-order="stroke">{}</text>"##,
        middle + 4.0,
        escape(&bar.text)
    );
}

/// The legend under the title: the series that have bars, the reference line, the
/// guides.
fn legend(out: &mut String, chart: &Chart) {
    let y = 44.0;
    let mut x = 10.0;
    let used = |index: usize| {
        chart
            .groups
            .iter()
            .flat_map(|g| g.rows.iter())
            .any(|r| r.bars.iter().any(|b| b.series == index))
    };
    for (_, series) in chart.series.iter().enumerate().filter(|(i, _)| used(*i)) {
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/>"#,
            y - 10.0,
            series.color
        );
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{y:.1}">{}</text>"#,
            x + 17.0,
            escape(&series.name)
        );
        x += 17.0 + text_width(&series.name, CHAR) + 20.0;
    }
    if let Some((_, text)) = &chart.reference {
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333" stroke-width="1.5"/>"##,
            x + 5.0,
            y - 11.0,
            x + 5.0,
            y + 2.0
        );
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{y:.1}">{}</text>"#,
            x + 13.0,
            escape(text)
        );
        x += 13.0 + text_width(text, CHAR) + 20.0;
    }
    if let Some(text) = &chart.guide_legend {
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4,3"/>"##,
            x + 5.0,
            y - 11.0,
            x + 5.0,
            y + 2.0
        );
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{y:.1}" fill="#c0392b">{}</text>"##,
            x + 13.0,
            escape(text)
        );
    }
}
