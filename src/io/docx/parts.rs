//! The pieces the Word writer builds a document from, in Word's units:
//! points as twips and half-points, paragraphs with the PDF's line height
//! and spacing, runs in the PDF's faces, the rules under the letterhead and
//! the subject, tables on a fixed grid with or without lines, and the
//! `Writer` that adds them to the document in order.

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, LineSpacing, LineSpacingType, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, Table, TableBorder,
    TableBorderPosition, TableBorders, TableCell, TableCellMargins, TableLayoutType, TableRow,
    WidthType,
};
use unicode_normalization::UnicodeNormalization;

use crate::io::pdf::markup::{Align, Inline};
use crate::io::pdf::measure::{Fonts, LEADING, RULE, Style};

/// The shade of a table's header rows and of a chart's bars (as the PDF's
/// greys 0,9 and 0,55).
pub(super) const HEAD_FILL: &str = "E6E6E6";
pub(super) const BAR_FILL: &str = "8C8C8C";

/// The letterhead's and the subject's rules: 5/8 point (the PDF's 0,6).
pub(super) const RULE_SIZE: usize = 5;

/// Points → twentieths of a point (twips), Word's unit of length.
pub(super) fn tw(pt: f32) -> i32 {
    (pt * 20.0).round() as i32
}

/// Points → twips as a width.
pub(super) fn twu(pt: f32) -> usize {
    tw(pt).max(0) as usize
}

/// A font size in points → Word's half-points.
pub(super) fn half(size: f32) -> usize {
    (size * 2.0).round() as usize
}

pub(super) fn alignment(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
        Align::Justify => AlignmentType::Both,
    }
}

/// A paragraph's line height (at least the PDF's, 1,2 × the size) and the
/// space before and after it.
pub(super) fn spacing(size: f32, before: f32, after: f32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::AtLeast)
        .line(tw(size * LEADING))
        .before(tw(before).max(0) as u32)
        .after(tw(after).max(0) as u32)
}

/// A line exactly `height` points high with `after` points after it.
pub(super) fn exact(height: f32, after: f32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(tw(height).max(1))
        .before(0)
        .after(tw(after).max(0) as u32)
}

/// An empty paragraph exactly `height` points high: the gaps the PDF
/// leaves after a table or before a signature block.
pub(super) fn gap(height: f32) -> Paragraph {
    Paragraph::new().size(2).line_spacing(exact(height, 0.0))
}

/// A paragraph of one size and alignment with no space around it.
pub(super) fn plain(size: f32, align: Align) -> Paragraph {
    Paragraph::new()
        .align(alignment(align))
        .size(half(size))
        .line_spacing(spacing(size, 0.0, 0.0))
        .widow_control(true)
}

/// A run of text in a style and size, in NFC as the PDF writes it.
pub(super) fn run(text: &str, style: Style, size: f32) -> Run {
    let text: String = text.nfc().collect();
    let mut r = Run::new().add_text(text).size(half(size));
    if matches!(style, Style::Bold | Style::BoldItalic) {
        r = r.bold();
    }
    if matches!(style, Style::Italic | Style::BoldItalic) {
        r = r.italic();
    }
    r
}

pub(super) fn with_runs(mut p: Paragraph, content: &[Inline], size: f32) -> Paragraph {
    for i in content {
        p = match i {
            Inline::Text(r) => p.add_run(run(&r.text, r.style, size)),
            Inline::Break => p.add_run(Run::new().add_break(BreakType::TextWrapping)),
        };
    }
    p
}

/// Lines (already broken as the PDF breaks them) as one paragraph, joined
/// by line breaks.
pub(super) fn lines_para(lines: &[String], style: Style, size: f32, align: Align) -> Paragraph {
    let mut p = plain(size, align);
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            p = p.add_run(Run::new().add_break(BreakType::TextWrapping));
        }
        p = p.add_run(run(l, style, size));
    }
    p
}

/// An empty paragraph 2 points high whose bottom border is a rule `len`
/// points long, centred in a box `width` wide (the rules under the issuing
/// body, the motto and the subject).
pub(super) fn rule(len: f32, width: f32, after: f32) -> Paragraph {
    let side = ((width - len) / 2.0).max(0.0);
    // The border's width adds to the paragraph's height, the PDF's 2 points.
    let mut p = gap(2.0)
        .indent(Some(tw(side)), None, Some(tw(side)), None)
        .line_spacing(exact(2.0 - RULE_SIZE as f32 / 8.0, after));
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(RULE_SIZE)
                .space(0)
                .color("000000"),
        ),
    );
    p
}

/// Table borders: every line 0,5 pt (as the PDF's tables), or none.
pub(super) fn borders(on: bool) -> TableBorders {
    let mut b = TableBorders::new();
    for pos in [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ] {
        let border = TableBorder::new(pos).color("000000");
        b = b.set(if on {
            border
                .size((RULE * 8.0) as usize)
                .border_type(BorderType::Single)
        } else {
            border.size(0).border_type(BorderType::None)
        });
    }
    b
}

/// Column widths in twips for `parts` (relative) of `total` points: each
/// column ends where the PDF's does, rounded, so they add up to the whole.
pub(super) fn grid(parts: &[f32], total: f32) -> Vec<usize> {
    let sum: f32 = parts.iter().sum();
    let mut edge = 0.0f32;
    let mut prev = 0usize;
    parts
        .iter()
        .map(|p| {
            edge += p / sum * total;
            let end = twu(edge);
            let w = end.saturating_sub(prev).max(1);
            prev = end;
            w
        })
        .collect()
}

/// A table laid on the grid `widths`, with fixed column widths.
pub(super) fn table_of(
    rows: Vec<TableRow>,
    widths: Vec<usize>,
    bordered: bool,
    pad: (f32, f32),
) -> Table {
    let total = widths.iter().sum();
    Table::new(rows)
        .set_grid(widths)
        .width(total, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(twu(pad.1), twu(pad.0), twu(pad.1), twu(pad.0)))
        .set_borders(borders(bordered))
}

/// A cell spanning `span` columns `width` points wide in all.
pub(super) fn cell(width: usize, span: usize) -> TableCell {
    let c = TableCell::new().width(width, WidthType::Dxa);
    if span > 1 { c.grid_span(span) } else { c }
}

/// The document being written, and the number of header rows of each
/// table in it (see `repeat_headers` in `mod.rs`).
pub(super) struct Writer<'a> {
    pub(super) docx: Docx,
    pub(super) fonts: &'a Fonts,
    /// The text area's width, in points.
    pub(super) width: f32,
    pub(super) heads: Vec<usize>,
    /// A `<pagebreak/>` waiting for the next paragraph.
    pub(super) break_before: bool,
}

impl Writer<'_> {
    pub(super) fn para(&mut self, p: Paragraph) {
        let p = if std::mem::take(&mut self.break_before) {
            p.page_break_before(true)
        } else {
            p
        };
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    pub(super) fn table(&mut self, t: Table, heads: usize) {
        if std::mem::take(&mut self.break_before) {
            self.docx =
                std::mem::take(&mut self.docx).add_paragraph(gap(1.0).page_break_before(true));
        }
        self.docx = std::mem::take(&mut self.docx).add_table(t);
        self.heads.push(heads);
    }
}
