//! The body's blocks in Word's terms: a paragraph with the PDF's size,
//! alignment, indent and spacing (and a line break where the PDF breaks a
//! line a word processor would not); a table whose heading rows are
//! shaded and repeat and whose rows never split; the bar chart as a
//! borderless table of narrow columns.

use docx_rs::{
    BorderType, HeightRule, Paragraph, Shading, ShdType, SpecialIndentType, TableCellBorder,
    TableCellBorderPosition, TableCellBorders, TableRow, VAlignType,
};

use super::parts::{
    BAR_FILL, HEAD_FILL, Writer, alignment, cell, exact, gap as gap_para, grid, half, plain, run,
    spacing, table_of, tw, with_runs,
};
use crate::io::pdf::markup::{Align, Cell, Chart, Para};
use crate::io::pdf::measure::{PAD_X, PAD_Y, RULE, Style, column_widths, cut_words};

/// The PDF's 8 points after a table (its last rule took 0,5 of them: a
/// border adds to a row's height in a word processor) and after a chart.
/// A paragraph that follows takes them as space before it, which a word
/// processor leaves out at the top of a page, as the PDF does; an empty
/// paragraph holding them would start the next page lower.
pub(super) const TABLE_GAP: f32 = 8.0 - RULE;
pub(super) const CHART_GAP: f32 = 8.0;

impl Writer<'_> {
    /// A paragraph with `before` points above it and its own space after
    /// it plus `after`.
    pub(super) fn paragraph(&mut self, p: &Para, before: f32, after: f32) {
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

    /// A table, then the PDF's 8 points and `after` more (unless `gap` is
    /// false: the paragraph after it takes them as its space before, see
    /// `TABLE_GAP`).
    pub(super) fn data_table(&mut self, t: &crate::io::pdf::markup::Table, after: f32, gap: bool) {
        // The PDF's columns: as the template asks, widened to hold their
        // longest word.
        let widths = grid(&column_widths(self.fonts, self.width, t), self.width);
        // A row kept with the next (a group heading): in Word's terms its
        // paragraphs keep with the next, as the chart's rows do.
        let row = |cells: &[Cell], head: bool, keep: bool| {
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
                        .add_paragraph(
                            with_runs(plain(t.size, c.align), content, t.size).keep_next(keep),
                        );
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
            .map(|r| row(r, true, false))
            .chain(
                t.body
                    .iter()
                    .enumerate()
                    .map(|(i, r)| row(r, false, t.keeps(i))),
            )
            .collect();
        // A cell's horizontal borders (0,5 pt) add to its height in
        // LibreOffice and Word, not in the PDF: the padding gives it back.
        self.table(
            table_of(rows, widths, true, (PAD_X, PAD_Y - RULE / 2.0)),
            t.head.len(),
        );
        if gap {
            self.para(gap_para(TABLE_GAP).line_spacing(exact(TABLE_GAP, after)));
        }
    }

    /// The bar chart as a borderless table: the label right-aligned, the
    /// axis, a grey bar as long as the value's share, the value in bold.
    /// The bars are cells spanning a share of `STEPS` narrow columns.
    pub(super) fn chart(&mut self, c: &Chart, after: f32, gap: bool) {
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
        // As the PDF: the scale reaches the largest bar as well as the
        // table's maximum (bonus points can take a total above it).
        let max = c
            .bars
            .iter()
            .map(|b| b.value)
            .fold(c.max.max(1.0), f32::max);
        let axis = TableCellBorders::with_empty().set(
            TableCellBorder::new(TableCellBorderPosition::Left)
                .border_type(BorderType::Single)
                .size(6)
                .color("000000"),
        );
        let last = c.bars.len().saturating_sub(1);
        let rows = c
            .bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                // The PDF keeps a chart whole on one page (and with the
                // heading before it, which keeps with what follows): in
                // Word's terms, every row but the last keeps with the next.
                let keep = |p: Paragraph| p.keep_next(i < last);
                let k = ((b.value / max).clamp(0.0, 1.0) * STEPS as f32).round() as usize;
                let span_w = |from: usize, n: usize| widths[from..from + n].iter().sum::<usize>();
                let mut cells = vec![
                    cell(widths[0], 1)
                        .vertical_align(VAlignType::Center)
                        .add_paragraph(keep(plain(size, Align::Right).add_run(run(
                            &b.label,
                            Style::Regular,
                            size,
                        )))),
                    cell(widths[1], 1).add_paragraph(keep(gap_para(1.0))),
                ];
                let value = keep(plain(size, Align::Left))
                    .indent(Some(tw(4.0)), None, None, None)
                    .add_run(run(&b.text, Style::Bold, size));
                if k > 0 {
                    let mut bar = keep(gap_para(row_h * 0.6));
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
        if gap {
            self.para(gap_para(CHART_GAP).line_spacing(exact(CHART_GAP, after)));
        }
    }
}
