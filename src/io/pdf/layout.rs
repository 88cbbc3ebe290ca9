//! Typesetting: the blocks of a parsed document → A4 pages (`sheet`), with
//! tables whose header repeats on every page, headings kept with what
//! follows, signature rows never split, and the letterhead, signatures and
//! recipients of `letterhead`. Drawing by hand rather than through
//! printpdf's HTML layout is what gives this control; see
//! `docs/documents.md`.

use super::DocumentError;
use super::fonts::{Fonts, Style};
use printpdf::PdfDocument;

use super::lines::Line;
use super::markup::{Align, Block, Cell, Chart, Doc, Inline, Para, Table};
use super::sheet::{LEADING, Sheet, plain};

fn para(s: &mut Sheet, para: &Para, next_height: f32) {
    let width = s.width();
    let lines = s.lines(&para.content, para.size, width, para.indent);
    let lh = para.size * LEADING;
    if s.y > s.geo.top + 0.5 {
        s.y += para.space_before;
    }
    let need = if para.keep_with_next {
        lines.len() as f32 * lh + next_height
    } else {
        lh * lines.len().min(2) as f32
    };
    s.ensure(need);
    let mut done = 0;
    while done < lines.len() {
        let left = lines.len() - done;
        let mut fit = ((s.room() / lh).floor() as usize).max(1).min(left);
        // No single line left alone at the foot or the head of a page.
        if fit < left && left - fit == 1 && fit > 2 {
            fit -= 1;
        }
        let left_edge = s.left();
        let indent = if done == 0 { para.indent } else { 0.0 };
        let top = s.y;
        let used = s.flow(
            &lines[done..done + fit],
            para.align,
            para.size,
            left_edge,
            width,
            indent,
            top,
        );
        s.y += used;
        done += fit;
        if done < lines.len() {
            s.new_page();
        }
    }
    s.y += para.space_after;
}

/// A table cell's padding: across, and above and below.
pub const PAD_X: f32 = 3.0;
pub const PAD_Y: f32 = 2.5;
/// The width of a table's lines.
pub const RULE: f32 = 0.5;

struct LaidRow {
    cells: Vec<(Vec<Line>, Align, f32, f32)>,
    height: f32,
}

fn lay_row(s: &Sheet, row: &[Cell], xs: &[f32], size: f32) -> LaidRow {
    let mut col = 0;
    let mut cells = Vec::new();
    let mut height = 0.0f32;
    for c in row {
        let x = xs[col];
        let w = xs[col + c.span] - x;
        col += c.span;
        let lines = s.lines(&c.content, size, w - 2.0 * PAD_X, 0.0);
        height = height.max(lines.len() as f32 * size * LEADING + 2.0 * PAD_Y);
        cells.push((lines, c.align, x, w));
    }
    LaidRow { cells, height }
}

/// Cuts a row into pieces of at most `max_lines` lines per cell.
fn split_row(row: &LaidRow, max_lines: usize, size: f32) -> Vec<LaidRow> {
    let longest = row.cells.iter().map(|c| c.0.len()).max().unwrap_or(0);
    (0..longest.div_ceil(max_lines))
        .map(|k| {
            let cells: Vec<(Vec<Line>, Align, f32, f32)> = row
                .cells
                .iter()
                .map(|(lines, align, x, w)| {
                    let from = (k * max_lines).min(lines.len());
                    let to = ((k + 1) * max_lines).min(lines.len());
                    (lines[from..to].to_vec(), *align, *x, *w)
                })
                .collect();
            let n = cells.iter().map(|c| c.0.len()).max().unwrap_or(0);
            LaidRow {
                cells,
                height: n as f32 * size * LEADING + 2.0 * PAD_Y,
            }
        })
        .collect()
}

fn draw_row(s: &mut Sheet, row: &LaidRow, size: f32, shade: bool) {
    let top = s.y;
    for (lines, align, x, w) in &row.cells {
        if shade {
            s.fill(*x, top, *w, row.height, 0.9);
        }
        let h = lines.len() as f32 * size * LEADING;
        let y = top + (row.height - h) / 2.0;
        s.flow(lines, *align, size, x + PAD_X, w - 2.0 * PAD_X, 0.0, y);
        // Each cell's left edge; the row's right edge once, below.
        s.rule(*x, top, *x, top + row.height, RULE);
    }
    let (x0, x1) = (
        row.cells.first().map_or(0.0, |c| c.2),
        row.cells.last().map_or(0.0, |c| c.2 + c.3),
    );
    s.rule(x1, top, x1, top + row.height, RULE);
    s.rule(x0, top, x1, top, RULE);
    s.rule(x0, top + row.height, x1, top + row.height, RULE);
    s.y += row.height;
}

/// The widest word of each column (cells spanning one column only), with
/// the cell's padding: narrower than that, a word would break inside.
fn word_minima(fonts: &Fonts, t: &Table) -> Vec<f32> {
    let mut min = vec![0.0f32; t.widths.len()];
    for row in t.head.iter().chain(&t.body) {
        let mut col = 0;
        for c in row {
            if c.span == 1 && col < min.len() {
                for i in &c.content {
                    if let Inline::Text(r) = i {
                        for w in r.text.split(super::markup::breaking_space) {
                            let width = fonts.width(r.style, w, t.size) + 2.0 * PAD_X + 1.0;
                            min[col] = min[col].max(width);
                        }
                    }
                }
            }
            col += c.span;
        }
    }
    min
}

/// The columns' widths on the page: as the template asks, but widened to
/// hold their longest word, the room taken from columns that have some;
/// `width` is the text area's. The Word writer sets its tables' columns
/// with it too.
pub fn column_widths(fonts: &Fonts, width: f32, t: &Table) -> Vec<f32> {
    let total: f32 = t.widths.iter().sum();
    let scale = width / total;
    let mut w: Vec<f32> = t.widths.iter().map(|w| w * scale).collect();
    let min = word_minima(fonts, t);
    for _ in 0..4 {
        let short: f32 = w.iter().zip(&min).map(|(w, m)| (m - w).max(0.0)).sum();
        if short <= 0.01 {
            break;
        }
        let slack: f32 = w.iter().zip(&min).map(|(w, m)| (w - m).max(0.0)).sum();
        if slack <= 0.01 {
            break;
        }
        let take = (short / slack).min(1.0);
        for (w, m) in w.iter_mut().zip(&min) {
            if *w < *m {
                *w = *m;
            } else {
                *w -= (*w - m) * take;
            }
        }
    }
    w
}

/// The left edge of each of a table's columns, and the right edge of the
/// last.
fn column_edges(s: &Sheet, t: &Table) -> Vec<f32> {
    let mut xs = vec![s.left()];
    for w in column_widths(s.fonts, s.width(), t) {
        xs.push(xs.last().copied().unwrap_or_default() + w);
    }
    xs
}

/// The height of the rows from `i` that stay together: row `i` and, while
/// a row keeps with the next (`keep`), the next; only row `i` when they
/// would not fit in `usable`, a page's room for rows.
fn kept_height(heights: &[f32], keep: &[bool], i: usize, usable: f32) -> f32 {
    let mut need = heights[i];
    let mut j = i;
    while keep.get(j).copied().unwrap_or(false) && j + 1 < heights.len() {
        j += 1;
        need += heights[j];
    }
    if need > usable { heights[i] } else { need }
}

/// The height a table needs to start on a page: its heading rows and its
/// first body row, with the rows that first row keeps with (a group
/// heading and its first criterion).
fn table_start(s: &Sheet, t: &Table) -> f32 {
    let xs = column_edges(s, t);
    let head: f32 = t
        .head
        .iter()
        .map(|r| lay_row(s, r, &xs, t.size).height)
        .sum();
    let chain = (0..t.body.len())
        .take_while(|&i| i == 0 || t.keeps(i - 1))
        .map(|i| lay_row(s, &t.body[i], &xs, t.size).height)
        .collect::<Vec<f32>>();
    let keep = vec![true; chain.len()];
    let usable = s.geo.height - s.geo.top - s.geo.bottom - head;
    head + if chain.is_empty() {
        0.0
    } else {
        kept_height(&chain, &keep, 0, usable)
    }
}

fn table(s: &mut Sheet, t: &Table) {
    let xs = column_edges(s, t);
    let head: Vec<LaidRow> = t.head.iter().map(|r| lay_row(s, r, &xs, t.size)).collect();
    let head_h: f32 = head.iter().map(|r| r.height).sum();
    let body: Vec<LaidRow> = t.body.iter().map(|r| lay_row(s, r, &xs, t.size)).collect();
    s.ensure(table_start(s, t));
    for r in &head {
        draw_row(s, r, t.size, true);
    }
    // A row taller than a page (a long list of evidence, say) is cut into
    // pieces that fit, so no text runs off the page; the last piece of a
    // row kept with the next keeps with it.
    let usable = s.geo.height - s.geo.top - s.geo.bottom - head_h;
    let max_lines = (((usable - 2.0 * PAD_Y) / (t.size * LEADING)).floor() as usize).max(1);
    let mut keep = Vec::new();
    let body: Vec<LaidRow> = body
        .into_iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let pieces = if r.height > usable {
                split_row(&r, max_lines, t.size)
            } else {
                vec![r]
            };
            let n = pieces.len();
            keep.extend((0..n).map(|k| k + 1 == n && t.keeps(i)));
            pieces
        })
        .collect();
    let heights: Vec<f32> = body.iter().map(|r| r.height).collect();
    for (i, r) in body.iter().enumerate() {
        // A row needs room for its bottom rule too, as a word processor
        // gives it (the Word file breaks its pages where the PDF does);
        // a group heading, room for the rows it keeps with.
        let need = kept_height(&heights, &keep, i, usable - RULE);
        if need + RULE > s.room() && s.y > s.geo.top + head_h + 0.5 {
            s.new_page();
            for h in &head {
                draw_row(s, h, t.size, true);
            }
        }
        draw_row(s, r, t.size, false);
    }
    s.y += 8.0;
}

/// A chart's whole height, bars and the space after.
fn chart_height(c: &Chart) -> f32 {
    c.size * 1.9 * c.bars.len() as f32 + 8.0
}

fn chart(s: &mut Sheet, c: &Chart) {
    let size = c.size;
    let row = size * 1.9;
    let label_w = s.width() * 0.38;
    let value_w = s.fonts.width(Style::Regular, "000,00", size) + 6.0;
    let bar_x = s.left() + label_w + 6.0;
    let bar_w = s.width() - label_w - 6.0 - value_w;
    // The scale reaches the largest bar as well as the table's maximum:
    // bonus points can take a total above it (201,25 and 200,25 differ).
    let max = c
        .bars
        .iter()
        .map(|b| b.value)
        .fold(c.max.max(1.0), f32::max);
    // Kept whole on one page when it fits one.
    s.ensure(chart_height(c));
    for b in &c.bars {
        s.ensure(row);
        let top = s.y;
        let lines = s.lines(&plain(&b.label, Style::Regular), size, label_w, 0.0);
        let lines = &lines[..lines.len().min(1)];
        let left = s.left();
        s.flow(
            lines,
            Align::Right,
            size,
            left,
            label_w,
            0.0,
            top + (row - size * LEADING) / 2.0,
        );
        let w = (b.value / max).clamp(0.0, 1.0) * bar_w;
        s.fill(bar_x, top + row * 0.2, w, row * 0.6, 0.55);
        s.label(
            &b.text,
            (Style::Bold, size),
            bar_x + w + 4.0,
            value_w,
            Align::Left,
            top + (row - size * LEADING) / 2.0,
        );
        s.rule(bar_x, top, bar_x, top + row, 0.75);
        s.y += row;
    }
    s.y += 8.0;
}

/// Typesets a parsed document into PDF bytes.
pub fn typeset(doc: &Doc, fonts: &Fonts, title: &str) -> Result<Vec<u8>, DocumentError> {
    let pdf = PdfDocument::new(title);
    let mut s = Sheet::new(fonts);
    super::letterhead::header(&mut s, &doc.header);
    for (i, b) in doc.blocks.iter().enumerate() {
        match b {
            Block::Para(p) => {
                let next = doc.blocks.get(i + 1).map_or(0.0, |b| first_height(&s, b));
                para(&mut s, p, next);
            }
            Block::Table(t) => table(&mut s, t),
            Block::Chart(c) => chart(&mut s, c),
            Block::Signatures { columns, blocks } => {
                super::letterhead::signature_grid(&mut s, *columns, blocks);
            }
            Block::Closing {
                recipients,
                signature,
            } => super::letterhead::closing(&mut s, recipients, signature),
            Block::PageBreak => s.new_page(),
        }
    }
    s.finish(pdf, doc.notice.as_deref())
}

/// The height of the first unbreakable piece of a block, so a heading is
/// not left alone at the foot of a page: its first two lines (one, if it
/// has one), as a word processor keeps a heading with what follows.
fn first_height(s: &Sheet, b: &Block) -> f32 {
    match b {
        Block::Para(p) => {
            let lines = s.lines(&p.content, p.size, s.width(), p.indent).len();
            p.space_before + p.size * LEADING * lines.clamp(1, 2) as f32
        }
        // What the table itself asks for before it starts (a first row of
        // many lines, too), so a heading never stays behind alone.
        Block::Table(t) => table_start(s, t),
        Block::Chart(c) => chart_height(c),
        Block::Signatures { columns, blocks } => super::letterhead::grid_start(s, *columns, blocks),
        Block::Closing { .. } => super::letterhead::SIGN_SPACE * 2.0,
        Block::PageBreak => 0.0,
    }
}
