//! The papers as Word files (`.docx`), for the secretariat to edit before
//! it signs. Drawn from the same block tree as the PDF (`io::pdf::markup`,
//! from the same templates), with the PDF engine's page geometry, sizes
//! and font widths (`io::pdf::measure`), so a page in Word or `LibreOffice`
//! looks like the PDF's: A4 with Decree 30's margins in the section,
//! Times New Roman (the bundled Liberation Serif is its metric twin) at
//! the PDF's sizes, the page number centred in the header from page 2 (a
//! different first page), table header rows repeated on every page, rows
//! that never split, and the letterhead, signatures and "Nơi nhận:" as
//! borderless tables (`letterhead`). docx-rs writes the package.

mod letterhead;

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, BreakType, DocGrid, Docx, FieldCharType, Header, HeightRule,
    InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading, ShdType, SpecialIndentType,
    Table, TableBorder, TableBorderPosition, TableBorders, TableCell, TableCellBorder,
    TableCellBorderPosition, TableCellBorders, TableCellMargins, TableLayoutType, TableRow,
    VAlignType, WidthType,
};
use unicode_normalization::UnicodeNormalization;

use crate::io::pdf::DocumentError;
use crate::io::pdf::markup::{Align, Block, Cell, Chart, Doc, Inline, Para};
use crate::io::pdf::measure::{Fonts, Geometry, LEADING, PAD_X, PAD_Y, RULE, Style, cut_words};

/// The font the decree names; Word and `LibreOffice` find Liberation Serif
/// under this name where Times New Roman is not installed.
pub const FONT: &str = "Times New Roman";

/// The page number's size and where its line starts, from the top edge
/// (as the PDF draws it: centred in the top margin).
const PAGE_NUMBER_SIZE: f32 = 13.0;
const PAGE_NUMBER_TOP: f32 = Geometry::A4.top / 2.0 - PAGE_NUMBER_SIZE / 2.0;

/// The shade of a table's header rows and of a chart's bars (as the PDF's
/// greys 0,9 and 0,55).
const HEAD_FILL: &str = "E6E6E6";
const BAR_FILL: &str = "8C8C8C";

/// The letterhead's and the subject's rules: 5/8 point (the PDF's 0,6).
const RULE_SIZE: usize = 5;

/// Points → twentieths of a point (twips), Word's unit of length.
fn tw(pt: f32) -> i32 {
    (pt * 20.0).round() as i32
}

/// Points → twips as a width.
fn twu(pt: f32) -> usize {
    tw(pt).max(0) as usize
}

/// A font size in points → Word's half-points.
fn half(size: f32) -> usize {
    (size * 2.0).round() as usize
}

fn alignment(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
        Align::Justify => AlignmentType::Both,
    }
}

/// A paragraph's line height (at least the PDF's, 1,2 × the size) and the
/// space before and after it.
fn spacing(size: f32, before: f32, after: f32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::AtLeast)
        .line(tw(size * LEADING))
        .before(tw(before).max(0) as u32)
        .after(tw(after).max(0) as u32)
}

/// A line exactly `height` points high with `after` points after it.
fn exact(height: f32, after: f32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(tw(height).max(1))
        .before(0)
        .after(tw(after).max(0) as u32)
}

/// An empty paragraph exactly `height` points high: the gaps the PDF
/// leaves after a table or before a signature block.
fn gap(height: f32) -> Paragraph {
    Paragraph::new().size(2).line_spacing(exact(height, 0.0))
}

/// A paragraph of one size and alignment with no space around it.
fn plain(size: f32, align: Align) -> Paragraph {
    Paragraph::new()
        .align(alignment(align))
        .size(half(size))
        .line_spacing(spacing(size, 0.0, 0.0))
        .widow_control(true)
}

/// A run of text in a style and size, in NFC as the PDF writes it.
fn run(text: &str, style: Style, size: f32) -> Run {
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

fn with_runs(mut p: Paragraph, content: &[Inline], size: f32) -> Paragraph {
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
fn lines_para(lines: &[String], style: Style, size: f32, align: Align) -> Paragraph {
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
fn rule(len: f32, width: f32, after: f32) -> Paragraph {
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
fn borders(on: bool) -> TableBorders {
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
fn grid(parts: &[f32], total: f32) -> Vec<usize> {
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
fn table_of(rows: Vec<TableRow>, widths: Vec<usize>, bordered: bool, pad: (f32, f32)) -> Table {
    let total = widths.iter().sum();
    Table::new(rows)
        .set_grid(widths)
        .width(total, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(twu(pad.1), twu(pad.0), twu(pad.1), twu(pad.0)))
        .set_borders(borders(bordered))
}

/// A cell spanning `span` columns `width` points wide in all.
fn cell(width: usize, span: usize) -> TableCell {
    let c = TableCell::new().width(width, WidthType::Dxa);
    if span > 1 { c.grid_span(span) } else { c }
}

/// The document being written, and the number of header rows of each
/// table in it (see [`repeat_headers`]).
struct Writer<'a> {
    docx: Docx,
    fonts: &'a Fonts,
    /// The text area's width, in points.
    width: f32,
    heads: Vec<usize>,
    /// A `<pagebreak/>` waiting for the next paragraph.
    break_before: bool,
}

impl Writer<'_> {
    fn para(&mut self, p: Paragraph) {
        let p = if std::mem::take(&mut self.break_before) {
            p.page_break_before(true)
        } else {
            p
        };
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    fn table(&mut self, t: Table, heads: usize) {
        if std::mem::take(&mut self.break_before) {
            self.docx =
                std::mem::take(&mut self.docx).add_paragraph(gap(1.0).page_break_before(true));
        }
        self.docx = std::mem::take(&mut self.docx).add_table(t);
        self.heads.push(heads);
    }

    /// A paragraph with `before` points above it and its own space after
    /// it plus `after`.
    fn paragraph(&mut self, p: &Para, before: f32, after: f32) {
        let mut out = Paragraph::new()
            .align(alignment(p.align))
            .size(half(p.size))
            .line_spacing(spacing(p.size, before, p.space_after + after))
            .widow_control(true);
        if p.indent > 0.0 {
            out = out.indent(
                None,
                Some(SpecialIndentType::FirstLine(tw(p.indent))),
                None,
                None,
            );
        }
        if p.keep_with_next {
            out = out.keep_next(true);
        }
        let content = cut_words(
            self.fonts,
            &p.content,
            p.size,
            self.width - p.indent,
            self.width,
        );
        self.para(with_runs(
            out,
            content.as_deref().unwrap_or(&p.content),
            p.size,
        ));
    }

    /// A table, then the PDF's 8 points and `after` more.
    fn data_table(&mut self, t: &crate::io::pdf::markup::Table, after: f32) {
        let widths = grid(&t.widths, self.width);
        let row = |cells: &[Cell], head: bool| {
            let mut col = 0;
            let cells = cells
                .iter()
                .map(|c| {
                    let w: usize = widths[col..col + c.span].iter().sum();
                    col += c.span;
                    let inner = w as f32 / 20.0 - 2.0 * PAD_X;
                    let content = cut_words(self.fonts, &c.content, t.size, inner, inner);
                    let content = content.as_deref().unwrap_or(&c.content);
                    let mut tc = cell(w, c.span)
                        .vertical_align(VAlignType::Center)
                        .add_paragraph(with_runs(plain(t.size, c.align), content, t.size));
                    if head {
                        tc = tc.shading(
                            Shading::new()
                                .shd_type(ShdType::Clear)
                                .color("auto")
                                .fill(HEAD_FILL),
                        );
                    }
                    tc
                })
                .collect();
            TableRow::new(cells).cant_split()
        };
        let rows = t
            .head
            .iter()
            .map(|r| row(r, true))
            .chain(t.body.iter().map(|r| row(r, false)))
            .collect();
        // A cell's horizontal borders (0,5 pt) add to its height in
        // LibreOffice and Word, not in the PDF: the padding gives it back.
        self.table(
            table_of(rows, widths, true, (PAD_X, PAD_Y - RULE / 2.0)),
            t.head.len(),
        );
        // The table's last rule, too, took its width from the gap after it.
        self.para(gap(8.0).line_spacing(exact(8.0 - RULE, after)));
    }

    /// The bar chart as a borderless table: the label right-aligned, the
    /// axis, a grey bar as long as the value's share, the value in bold.
    /// The bars are cells spanning a share of `STEPS` narrow columns.
    fn chart(&mut self, c: &Chart, after: f32) {
        const STEPS: usize = 100;
        let size = c.size;
        let row_h = size * 1.9;
        let label_w = self.width * 0.38;
        let value_w = self.fonts.width(Style::Regular, "000,00", size) + 6.0;
        let bar_w = self.width - label_w - 6.0 - value_w;
        let mut parts = vec![label_w, 6.0];
        parts.extend(std::iter::repeat_n(bar_w / STEPS as f32, STEPS));
        parts.push(value_w);
        let widths = grid(&parts, self.width);
        let max = if c.max > 0.0 {
            c.max
        } else {
            c.bars.iter().map(|b| b.value).fold(1.0, f32::max)
        };
        let axis = TableCellBorders::with_empty().set(
            TableCellBorder::new(TableCellBorderPosition::Left)
                .border_type(BorderType::Single)
                .size(6)
                .color("000000"),
        );
        let rows = c
            .bars
            .iter()
            .map(|b| {
                let k = ((b.value / max).clamp(0.0, 1.0) * STEPS as f32).round() as usize;
                let span_w = |from: usize, n: usize| widths[from..from + n].iter().sum::<usize>();
                let mut cells = vec![
                    cell(widths[0], 1)
                        .vertical_align(VAlignType::Center)
                        .add_paragraph(plain(size, Align::Right).add_run(run(
                            &b.label,
                            Style::Regular,
                            size,
                        ))),
                    cell(widths[1], 1).add_paragraph(gap(1.0)),
                ];
                let value = plain(size, Align::Left)
                    .indent(Some(tw(4.0)), None, None, None)
                    .add_run(run(&b.text, Style::Bold, size));
                if k > 0 {
                    let mut bar = gap(row_h * 0.6);
                    bar.property = bar.property.shading(
                        Shading::new()
                            .shd_type(ShdType::Clear)
                            .color("auto")
                            .fill(BAR_FILL),
                    );
                    cells.push(
                        cell(span_w(2, k), k)
                            .vertical_align(VAlignType::Center)
                            .set_borders(axis.clone())
                            .add_paragraph(bar),
                    );
                }
                let mut v = cell(span_w(2 + k, STEPS - k + 1), STEPS - k + 1)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(value);
                if k == 0 {
                    v = v.set_borders(axis.clone());
                }
                cells.push(v);
                TableRow::new(cells)
                    .cant_split()
                    .row_height(tw(row_h) as f32)
                    .height_rule(HeightRule::Exact)
            })
            .collect();
        self.table(table_of(rows, widths, false, (0.0, 0.0)), 0);
        self.para(gap(8.0).line_spacing(exact(8.0, after)));
    }
}

/// The page number, centred in the header, from page 2 on.
fn page_number() -> Header {
    let field = Run::new()
        .size(half(PAGE_NUMBER_SIZE))
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("2")
        .add_field_char(FieldCharType::End, false);
    Header::new().add_paragraph(plain(PAGE_NUMBER_SIZE, Align::Center).add_run(field))
}

/// Writes a parsed document as a Word file; `fonts` measure the text as
/// the PDF does, for the letterhead's and signatures' lines and rules.
pub fn write(doc: &Doc, fonts: &Fonts) -> Result<Vec<u8>, DocumentError> {
    let geo = Geometry::A4;
    let font = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut docx = Docx::new()
        .page_size(twu(geo.width) as u32, twu(geo.height) as u32)
        .page_margin(
            PageMargin::new()
                .top(tw(geo.top))
                .bottom(tw(geo.bottom))
                .left(tw(geo.left))
                .right(tw(geo.right))
                .header(tw(PAGE_NUMBER_TOP))
                .footer(tw(geo.bottom / 2.0))
                .gutter(0),
        )
        .header(page_number())
        .first_header(Header::new().add_paragraph(gap(1.0)))
        .default_fonts(font)
        .default_size(half(crate::io::pdf::markup::BODY_SIZE));
    // docx-rs sets a line grid (East Asian layout) by default, which would
    // move every line onto an 18 pt pitch.
    docx.document = docx.document.doc_grid(DocGrid::with_empty());
    let mut w = Writer {
        docx,
        fonts,
        width: geo.content_width(),
        heads: Vec::new(),
        break_before: false,
    };
    // The space before a paragraph goes after what precedes it: LibreOffice
    // lets the larger of two neighbouring spaces stand for both, Word adds
    // them, the PDF adds them; one space between the two reads the same in
    // all three. After a page break the PDF leaves it out.
    let before = |b: Option<&Block>| match b {
        Some(Block::Para(p)) => p.space_before,
        _ => 0.0,
    };
    letterhead::header(&mut w, &doc.header, before(doc.blocks.first()));
    for (i, b) in doc.blocks.iter().enumerate() {
        let next = before(doc.blocks.get(i + 1));
        match b {
            Block::Para(p) => {
                let own = match i.checked_sub(1).map(|j| &doc.blocks[j]) {
                    Some(Block::Signatures { .. } | Block::Closing { .. }) => p.space_before,
                    _ => 0.0,
                };
                w.paragraph(p, own, next);
            }
            Block::Table(t) => w.data_table(t, next),
            Block::Chart(c) => w.chart(c, next),
            Block::Signatures { columns, blocks } => {
                letterhead::signature_grid(&mut w, *columns, blocks);
            }
            Block::Closing {
                recipients,
                signature,
            } => letterhead::closing(&mut w, recipients, signature),
            Block::PageBreak => w.break_before = true,
        }
    }
    // A document ends with a paragraph, not a table.
    w.para(gap(1.0));
    let mut xml = w.docx.build();
    xml.document = repeat_headers(&xml.document, &w.heads)?;
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| DocumentError::Data(format!("cannot write the Word file: {e}")))?;
    Ok(out.into_inner())
}

/// Marks the first `heads[i]` rows of the `i`-th table as header rows
/// (`<w:tblHeader/>`), which Word and `LibreOffice` repeat at the top of
/// every page the table runs onto. docx-rs writes every other part of the
/// file but has no setter for this one row property, so it is added to
/// the rows' properties (`<w:trPr>`, which every row here has because no
/// row may split) in the document part it wrote.
fn repeat_headers(document: &[u8], heads: &[usize]) -> Result<Vec<u8>, DocumentError> {
    const TABLE: &str = "<w:tbl>";
    const ROW_PROPS: &str = "<w:trPr>";
    let text = std::str::from_utf8(document)
        .map_err(|e| DocumentError::Data(format!("the Word document part: {e}")))?;
    let tables: Vec<usize> = text.match_indices(TABLE).map(|(i, _)| i).collect();
    if tables.len() != heads.len() {
        return Err(DocumentError::Data(format!(
            "the Word document part has {} tables, the writer made {}",
            tables.len(),
            heads.len()
        )));
    }
    let mut out = String::with_capacity(text.len() + 64 * heads.iter().sum::<usize>());
    let mut done = 0;
    for (start, &n) in tables.iter().zip(heads) {
        let mut at = *start;
        for _ in 0..n {
            let found = text[at..].find(ROW_PROPS).ok_or_else(|| {
                DocumentError::Data("a table header row has no row properties".into())
            })?;
            let end = at + found + ROW_PROPS.len();
            out.push_str(&text[done..end]);
            out.push_str("<w:tblHeader />");
            done = end;
            at = end;
        }
    }
    out.push_str(&text[done..]);
    Ok(out.into_bytes())
}
