//! The fixed parts of an official document in Word's terms, placed as the
//! PDF places them (`io::pdf::letterhead`): the issuing body and the
//! national title as a borderless two-column table with their rules, the
//! number and the place-date on one line, the document type and the
//! subject with its rule; the signature blocks as a borderless grid whose
//! rows never split; "Nơi nhận:" beside the last signature. Centred lines
//! are broken where the PDF breaks them (its balanced breaking), so the
//! two files show the same lines.

use docx_rs::{Paragraph, TableRow, VAlignType};

use super::parts::{Writer, cell, gap, grid, lines_para, plain, rule, run, spacing, table_of};
use crate::io::pdf::markup::{Align, Header, Signature};
use crate::io::pdf::measure::{
    LEADING, MOTTO, NATIONAL, RECIPIENTS_SHARE, RULE_SHARE, SIGN_SPACE, Style, balanced,
    letterhead_columns,
};

/// The widest of `lines` in `style` at `size`.
fn widest(w: &Writer, lines: &[String], style: Style, size: f32) -> f32 {
    lines
        .iter()
        .map(|l| w.fonts.width(style, l, size))
        .fold(0.0, f32::max)
}

/// The letterhead, the document type and the subject, then the PDF's 14
/// points and `after` more.
pub fn header(w: &mut Writer, h: &Header, after: f32) {
    let width = w.width;
    let (left_w, right_w) = letterhead_columns(w.fonts, width);
    let widths = grid(&[left_w, right_w], width);

    let mut left = cell(widths[0], 1);
    if !h.parent.is_empty() {
        let lines = balanced(w.fonts, &h.parent, Style::Regular, 12.5, left_w);
        left = left.add_paragraph(lines_para(&lines, Style::Regular, 12.5, Align::Center));
    }
    if !h.issuer.is_empty() {
        let lines = balanced(w.fonts, &h.issuer, Style::Bold, 12.5, left_w);
        let len = widest(w, &lines, Style::Bold, 12.5) * RULE_SHARE;
        left = left
            .add_paragraph(lines_para(&lines, Style::Bold, 12.5, Align::Center))
            .add_paragraph(rule(len, left_w, 0.0));
    }
    if h.parent.is_empty() && h.issuer.is_empty() {
        left = left.add_paragraph(gap(1.0));
    }
    let national = balanced(w.fonts, NATIONAL, Style::Bold, 12.5, right_w);
    let motto_w = w.fonts.width(Style::Bold, MOTTO, 13.5);
    let right = cell(widths[1], 1)
        .add_paragraph(lines_para(&national, Style::Bold, 12.5, Align::Center))
        .add_paragraph(lines_para(
            &[MOTTO.to_string()],
            Style::Bold,
            13.5,
            Align::Center,
        ))
        .add_paragraph(rule(motto_w, right_w, 0.0));
    // The number and the place-date 10 pt under the taller column, and 20
    // pt between them and the document type.
    let line = |text: &str, style: Style, size: f32, cw: usize| {
        let mut p = plain(size, Align::Center).line_spacing(spacing(size, 10.0, 20.0));
        if !text.is_empty() {
            p = p.add_run(run(text, style, size));
        }
        cell(cw, 1).add_paragraph(p)
    };
    let rows = vec![
        TableRow::new(vec![
            left.vertical_align(VAlignType::Top),
            right.vertical_align(VAlignType::Top),
        ])
        .cant_split(),
        TableRow::new(vec![
            line(&h.number, Style::Regular, 13.0, widths[0]),
            line(&h.place_date, Style::Italic, 13.5, widths[1]),
        ])
        .cant_split(),
    ];
    w.table(table_of(rows, widths, false, (0.0, 0.0)), 0);

    if !h.title.is_empty() {
        let lines = balanced(w.fonts, &h.title, Style::Bold, 14.0, width);
        w.para(lines_para(&lines, Style::Bold, 14.0, Align::Center).keep_next(true));
    }
    let mut widest_subject = 0.0f32;
    for s in &h.subject {
        let lines = balanced(w.fonts, s, Style::Bold, 14.0, width);
        widest_subject = widest_subject.max(widest(w, &lines, Style::Bold, 14.0));
        w.para(lines_para(&lines, Style::Bold, 14.0, Align::Center).keep_next(true));
    }
    if widest_subject > 0.0 {
        w.para(rule(widest_subject * RULE_SHARE, width, 14.0 + after));
    } else {
        w.para(gap(14.0 + after));
    }
}

/// The height of `sig`'s role lines at `width`, in lines.
fn role_lines(w: &Writer, sig: &Signature, width: f32) -> usize {
    sig.role
        .iter()
        .map(|r| balanced(w.fonts, r, Style::Bold, 13.0, width).len())
        .sum()
}

/// A signature block's paragraphs: the role lines at the top, the name
/// after the space to sign, lower by the lines that `tallest` (the most
/// role lines in its row) has more, so the names of a row stand level.
fn signature(
    w: &Writer,
    sig: &Signature,
    width: f32,
    tallest: usize,
    after: f32,
) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = sig
        .role
        .iter()
        .map(|r| {
            let lines = balanced(w.fonts, r, Style::Bold, 13.0, width);
            lines_para(&lines, Style::Bold, 13.0, Align::Center)
        })
        .collect();
    let own = role_lines(w, sig, width);
    let before = SIGN_SPACE + (tallest.saturating_sub(own)) as f32 * 13.0 * LEADING;
    let lines = if sig.name.is_empty() {
        Vec::new()
    } else {
        balanced(w.fonts, &sig.name, Style::Bold, 13.5, width)
    };
    out.push(
        lines_para(&lines, Style::Bold, 13.5, Align::Center)
            .line_spacing(spacing(13.5, before, after)),
    );
    out
}

/// Signature blocks in a grid of `columns`, a short last row centred; a
/// row never splits. The grid has two columns per block so that a short
/// row can start half a block in.
pub fn signature_grid(w: &mut Writer, columns: usize, blocks: &[Signature]) {
    let columns = columns.max(1);
    let block_w = w.width / columns as f32;
    let widths = grid(&vec![1.0; columns * 2], w.width);
    let rows = blocks
        .chunks(columns)
        .map(|row| {
            let tallest = row
                .iter()
                .map(|b| role_lines(w, b, block_w - 8.0))
                .max()
                .unwrap_or(0);
            let blank = columns - row.len();
            let mut cells = Vec::new();
            let mut col = 0;
            let span = |n: usize, col: &mut usize| {
                let width: usize = widths[*col..*col + n].iter().sum();
                *col += n;
                cell(width, n)
            };
            if blank > 0 {
                cells.push(span(blank, &mut col).add_paragraph(gap(1.0)));
            }
            for b in row {
                let mut c = span(2, &mut col).vertical_align(VAlignType::Top);
                for p in signature(w, b, block_w - 8.0, tallest, 18.0) {
                    c = c.add_paragraph(p);
                }
                cells.push(c);
            }
            if blank > 0 {
                cells.push(span(blank, &mut col).add_paragraph(gap(1.0)));
            }
            TableRow::new(cells).cant_split()
        })
        .collect();
    w.para(gap(6.0));
    w.table(table_of(rows, widths, false, (4.0, 0.0)), 0);
}

/// "Nơi nhận:" and its list on the left, the signature on the right,
/// level, in one row that never splits.
pub fn closing(w: &mut Writer, recipients: &[String], sig: &Signature) {
    let left_w = w.width * RECIPIENTS_SHARE;
    let right_w = w.width - left_w;
    let widths = grid(&[left_w, right_w], w.width);
    let mut left = cell(widths[0], 1).vertical_align(VAlignType::Top);
    if recipients.is_empty() {
        left = left.add_paragraph(gap(1.0));
    } else {
        left = left.add_paragraph(plain(12.0, Align::Left).add_run(run(
            "Nơi nhận:",
            Style::BoldItalic,
            12.0,
        )));
        for r in recipients {
            left =
                left.add_paragraph(plain(11.0, Align::Left).add_run(run(r, Style::Regular, 11.0)));
        }
    }
    let mut right = cell(widths[1], 1).vertical_align(VAlignType::Top);
    let tallest = role_lines(w, sig, right_w);
    for p in signature(w, sig, right_w, tallest, 0.0) {
        right = right.add_paragraph(p);
    }
    w.para(gap(12.0));
    w.table(
        table_of(
            vec![TableRow::new(vec![left, right]).cant_split()],
            widths,
            false,
            (0.0, 0.0),
        ),
        0,
    );
}
