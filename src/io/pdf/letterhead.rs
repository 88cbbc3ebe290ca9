//! The fixed parts of an official document (Decree 30/2020/NĐ-CP, annex I),
//! shared by every document thidua writes: the issuing body top left with a
//! short rule, the national title top right with a rule as long as the
//! motto line, the number and the place-date on one line, the document type
//! and subject, signature blocks and the "Nơi nhận:" list beside the last one.

use super::fonts::Style;
use super::markup::{Align, Signature};
use super::sheet::{LEADING, Sheet, plain};

/// Space left to sign and stamp (about 25 mm).
pub const SIGN_SPACE: f32 = 72.0;

pub const NATIONAL: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";

/// The issuer's and the subject's rules, as a share of their widest line
/// (Decree 30: a third to a half).
pub const RULE_SHARE: f32 = 0.4;

/// The share of the width "Nơi nhận:" takes beside the last signature.
pub const RECIPIENTS_SHARE: f32 = 0.45;

/// The widths of the letterhead's two columns in a `width` wide text
/// area: the national title's column as wide as its line needs, at least
/// 55 %; the issuing body's, the rest.
pub fn columns(fonts: &super::fonts::Fonts, width: f32) -> (f32, f32) {
    let right = (fonts.width(Style::Bold, NATIONAL, 12.5) + 12.0).max(width * 0.55);
    (width - right, right)
}

/// Draws centred, wrapped lines of one style; returns the height used.
fn centred(
    s: &mut Sheet,
    text: &str,
    style: Style,
    size: f32,
    x: f32,
    width: f32,
    top: f32,
) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    let lines = s.balanced(&plain(text, style), size, width);
    s.flow(&lines, Align::Center, size, x, width, 0.0, top)
}

/// A rule `len` long, centred in a box `width` wide at `x`, at `y`.
fn centred_rule(s: &mut Sheet, x: f32, width: f32, len: f32, y: f32) {
    let start = x + (width - len) / 2.0;
    s.rule(start, y, start + len, y, 0.6);
}

/// The heading block, from the top of the first page.
pub fn header(s: &mut Sheet, h: &super::markup::Header) {
    let (x, width, top) = (s.left(), s.width(), s.y);
    let (left_w, right_w) = columns(s.fonts, width);
    let rx = x + left_w;

    // Left: parent body, issuing body, short rule under it.
    let mut ly = top;
    ly += centred(s, &h.parent, Style::Regular, 12.5, x, left_w, ly);
    if !h.issuer.is_empty() {
        let lines = s.balanced(&plain(&h.issuer, Style::Bold), 12.5, left_w);
        let widest = lines.iter().map(|l| l.natural).fold(0.0, f32::max);
        ly += s.flow(&lines, Align::Center, 12.5, x, left_w, 0.0, ly);
        centred_rule(s, x, left_w, widest * RULE_SHARE, ly + 2.0);
        ly += 2.0;
    }

    // Right: national title, motto, rule as long as the motto.
    let mut ry = top;
    ry += centred(s, NATIONAL, Style::Bold, 12.5, rx, right_w, ry);
    ry += centred(s, MOTTO, Style::Bold, 13.5, rx, right_w, ry);
    let motto_w = s.fonts.width(Style::Bold, MOTTO, 13.5);
    centred_rule(s, rx, right_w, motto_w, ry + 2.0);
    ry += 2.0;

    // Number on the left, place and date in italics on the right.
    let y = ly.max(ry) + 10.0;
    if !h.number.is_empty() {
        s.label(
            &h.number,
            (Style::Regular, 13.0),
            x,
            left_w,
            Align::Center,
            y,
        );
    }
    if !h.place_date.is_empty() {
        s.label(
            &h.place_date,
            (Style::Italic, 13.5),
            rx,
            right_w,
            Align::Center,
            y,
        );
    }
    s.y = y + 13.5 * LEADING + 20.0;

    // Document type and subject.
    if !h.title.is_empty() {
        let y = s.y;
        s.y += centred(s, &h.title, Style::Bold, 14.0, x, width, y);
    }
    // The subject, and a solid rule under it, centred.
    let mut widest = 0.0f32;
    for line in &h.subject {
        let y = s.y;
        let lines = s.balanced(&plain(line, Style::Bold), 14.0, width);
        widest = lines.iter().map(|l| l.natural).fold(widest, f32::max);
        s.y += s.flow(&lines, Align::Center, 14.0, x, width, 0.0, y);
    }
    if widest > 0.0 {
        centred_rule(s, x, width, widest * RULE_SHARE, s.y + 2.0);
        s.y += 2.0;
    }
    s.y += 14.0;
}

/// The height a signature block needs at `width`.
fn signature_height(s: &Sheet, sig: &Signature, width: f32) -> f32 {
    let role: usize = sig
        .role
        .iter()
        .map(|r| s.balanced(&plain(r, Style::Bold), 13.0, width).len())
        .sum();
    role as f32 * 13.0 * LEADING + SIGN_SPACE + 13.5 * LEADING
}

/// Draws a signature block `height` high: the role at the top, the name
/// at the bottom, so the names of a row stand on one line.
fn signature(s: &mut Sheet, sig: &Signature, x: f32, width: f32, top: f32, height: f32) {
    let mut y = top;
    for r in &sig.role {
        y += centred(s, r, Style::Bold, 13.0, x, width, y);
    }
    centred(
        s,
        &sig.name,
        Style::Bold,
        13.5,
        x,
        width,
        top + height - 13.5 * LEADING,
    );
}

/// The height the grid's first row needs, with the space before it: what
/// a closing line kept with the signatures must find on its page too.
pub fn grid_start(s: &Sheet, columns: usize, blocks: &[Signature]) -> f32 {
    let columns = columns.max(1);
    let w = s.width() / columns as f32;
    6.0 + blocks
        .iter()
        .take(columns)
        .map(|b| signature_height(s, b, w - 8.0))
        .fold(0.0, f32::max)
}

/// Signature blocks in a grid of `columns`; a row never splits.
pub fn signature_grid(s: &mut Sheet, columns: usize, blocks: &[Signature]) {
    let columns = columns.max(1);
    let w = s.width() / columns as f32;
    s.y += 6.0;
    for row in blocks.chunks(columns) {
        let height = row
            .iter()
            .map(|b| signature_height(s, b, w - 8.0))
            .fold(0.0, f32::max);
        s.ensure(height);
        let top = s.y;
        // A short last row is centred.
        let offset = (columns - row.len()) as f32 * w / 2.0;
        for (i, b) in row.iter().enumerate() {
            let x = s.left() + offset + i as f32 * w;
            signature(s, b, x + 4.0, w - 8.0, top, height);
        }
        s.y = top + height + 18.0;
    }
}

/// "Nơi nhận:" and its list on the left, the signature on the right,
/// starting level; kept together on one page.
pub fn closing(s: &mut Sheet, recipients: &[String], sig: &Signature) {
    let width = s.width();
    let left_w = width * RECIPIENTS_SHARE;
    let right_w = width - left_w;
    let list: Vec<_> = recipients
        .iter()
        .map(|r| s.lines(&plain(r, Style::Regular), 11.0, left_w, 0.0))
        .collect();
    let list_h = 12.0 * LEADING
        + list
            .iter()
            .map(|l| l.len() as f32 * 11.0 * LEADING)
            .sum::<f32>();
    let height = list_h.max(signature_height(s, sig, right_w));
    s.y += 12.0;
    s.ensure(height);
    let (x, top) = (s.left(), s.y);
    if !recipients.is_empty() {
        s.label(
            "Nơi nhận:",
            (Style::BoldItalic, 12.0),
            x,
            left_w,
            Align::Left,
            top,
        );
        let mut y = top + 12.0 * LEADING;
        for lines in &list {
            y += s.flow(lines, Align::Left, 11.0, x, left_w, 0.0, y);
        }
    }
    let sig_h = signature_height(s, sig, right_w);
    signature(s, sig, x + left_w, right_w, top, sig_h);
    s.y = top + height;
}
