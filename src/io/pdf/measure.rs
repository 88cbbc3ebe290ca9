//! What another writer of the same block tree borrows from the PDF engine
//! so that its pages come out like the PDF's: the page geometry (A4 and
//! Decree 30's margins), the line height, the sizes of the letterhead and
//! signatures, the font's widths and the balanced line breaking of centred
//! headings and names. The Word writer (`io::docx`) uses it; keeping these
//! numbers in one place is what keeps the two files alike.

use super::lines::{self, Line};
use super::markup::{Inline, Run};

pub use super::fonts::{Fonts, Style};
pub use super::layout::{PAD_X, PAD_Y, RULE, column_widths};
pub use super::letterhead::{
    MOTTO, NATIONAL, RECIPIENTS_SHARE, RULE_SHARE, SIGN_SPACE, columns as letterhead_columns,
};
pub use super::sheet::{Geometry, LEADING, MM};

/// The text of each line `text` breaks into at `width` points in `style`
/// at `size`, the lines as even as their number allows (as the PDF sets
/// centred headings, names and roles).
pub fn balanced(fonts: &Fonts, text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
    let content = [Inline::Text(Run {
        text: text.to_string(),
        style,
    })];
    lines::balanced(&content, fonts, size, width)
        .iter()
        .map(line_text)
        .collect()
}

/// `content` with a line break where the PDF ends a line and a word
/// processor, which also breaks after a hyphen or a slash, might not: where
/// the PDF cuts a word too long for its line (a document number such as
/// "13/BC-STP-QTR" in a narrow cell is cut after its slash, a word processor
/// would cut at a hyphen), and before a line that starts with a word a word
/// processor could have begun on the line above ("2026-11-29"). `None`
/// when there is no such line. The lines are `first` points wide, then
/// `width`.
pub fn cut_words(
    fonts: &Fonts,
    content: &[Inline],
    size: f32,
    first: f32,
    width: f32,
) -> Option<Vec<Inline>> {
    let lines = lines::break_lines(content, fonts, size, first, width);
    let cut = |l: &Line| !l.last && l.words.last().is_some_and(|w| w.space == 0.0);
    let breakable = |l: &Line| {
        l.words.first().is_some_and(|w| {
            w.pieces
                .iter()
                .any(|(_, t)| t.contains(['-', '/', '–', '—']))
        })
    };
    let forced = |n: usize| {
        let l = &lines[n];
        cut(l) || (!l.last && lines.get(n + 1).is_some_and(breakable))
    };
    if !(0..lines.len()).any(forced) {
        return None;
    }
    let mut out = Vec::new();
    let push = |out: &mut Vec<Inline>, style: Style, text: &str| match out.last_mut() {
        Some(Inline::Text(r)) if r.style == style => r.text.push_str(text),
        _ => out.push(Inline::Text(Run {
            text: text.to_string(),
            style,
        })),
    };
    for (n, line) in lines.iter().enumerate() {
        for (i, w) in line.words.iter().enumerate() {
            if i > 0 {
                let style = line.words[i - 1]
                    .pieces
                    .last()
                    .map_or(Style::Regular, |p| p.0);
                push(&mut out, style, " ");
            }
            for (style, text) in &w.pieces {
                push(&mut out, *style, text);
            }
        }
        if n + 1 == lines.len() {
            break;
        }
        if line.last || forced(n) {
            out.push(Inline::Break);
        } else {
            let style = line
                .words
                .last()
                .and_then(|w| w.pieces.last())
                .map_or(Style::Regular, |p| p.0);
            push(&mut out, style, " ");
        }
    }
    Some(out)
}

fn line_text(line: &Line) -> String {
    let words: Vec<String> = line
        .words
        .iter()
        .map(|w| w.pieces.iter().map(|(_, t)| t.as_str()).collect())
        .collect();
    words.join(" ")
}
