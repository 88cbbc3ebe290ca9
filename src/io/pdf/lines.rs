//! Line breaking: styled inline content → lines that fit a width, measured
//! with the font's own advance widths, and the text items that draw a line
//! (justified lines widen their spaces with `TJ` offsets, so copied text
//! keeps its spaces).

use printpdf::TextItem;
use unicode_normalization::UnicodeNormalization;

use super::fonts::{Fonts, Style};
use super::markup::{Align, Inline, breaking_space};

/// A word: one or more pieces of text in different styles with no space
/// between them (e.g. a bold word followed by a comma).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub pieces: Vec<(Style, String)>,
    pub width: f32,
    /// The width of the space after the word (0 at the end of a line).
    pub space: f32,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(Word),
    Break,
}

/// One line of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub words: Vec<Word>,
    /// Width with ordinary spaces.
    pub natural: f32,
    /// The paragraph's last line or a line ended by `<br/>`: never justified.
    pub last: bool,
}

fn tokens(content: &[Inline], fonts: &Fonts, size: f32) -> Vec<Token> {
    let mut out = Vec::new();
    let mut pieces: Vec<(Style, String)> = Vec::new();
    let mut width = 0.0;
    let finish =
        |pieces: &mut Vec<(Style, String)>, width: &mut f32, space: f32, out: &mut Vec<Token>| {
            if pieces.is_empty() {
                return;
            }
            out.push(Token::Word(Word {
                pieces: std::mem::take(pieces),
                width: *width,
                space,
            }));
            *width = 0.0;
        };
    for item in content {
        match item {
            Inline::Break => {
                finish(&mut pieces, &mut width, 0.0, &mut out);
                out.push(Token::Break);
            }
            Inline::Text(run) => {
                let face = fonts.face(run.style);
                for c in run.text.nfc() {
                    if breaking_space(c) {
                        let space = face.advance(' ') * size;
                        finish(&mut pieces, &mut width, space, &mut out);
                        continue;
                    }
                    let c = if c.is_control() { '\u{fffd}' } else { c };
                    width += face.advance(c) * size;
                    match pieces.last_mut() {
                        Some((s, t)) if *s == run.style => t.push(c),
                        _ => pieces.push((run.style, c.to_string())),
                    }
                }
            }
        }
    }
    finish(&mut pieces, &mut width, 0.0, &mut out);
    out
}

/// Splits a word wider than `limit` into pieces that fit: after a `/`,
/// `.`, `,` or `;` where there is one (document numbers such as
/// "68/BC-STP"), else after a `-`, else between any two characters.
fn split_long(word: Word, limit: f32, fonts: &Fonts, size: f32) -> Vec<Word> {
    if word.width <= limit {
        return vec![word];
    }
    let chars: Vec<(Style, char, f32)> = word
        .pieces
        .iter()
        .flat_map(|(style, text)| {
            let face = fonts.face(*style);
            text.chars()
                .map(move |c| (*style, c, face.advance(c) * size))
        })
        .collect();
    // A cut after a hyphen comes last: readers (and text extraction) take a
    // hyphen at the end of a line for a word split in two.
    let mut cuts = Vec::new();
    let (mut start, mut used) = (0, 0.0f32);
    let (mut after_slash, mut after_hyphen): (Option<usize>, Option<usize>) = (None, None);
    for (i, &(_, c, w)) in chars.iter().enumerate() {
        if used + w > limit && i > start {
            let cut = after_slash
                .or(after_hyphen)
                .filter(|&o| o > start)
                .unwrap_or(i);
            cuts.push(cut);
            used = chars[cut..i].iter().map(|x| x.2).sum();
            start = cut;
            (after_slash, after_hyphen) = (None, None);
        }
        used += w;
        match c {
            '/' | '.' | ',' | ';' => after_slash = Some(i + 1),
            '-' => after_hyphen = Some(i + 1),
            _ => {}
        }
    }
    cuts.push(chars.len());
    let mut out = Vec::new();
    let mut from = 0;
    for cut in cuts {
        let mut part = Word {
            pieces: Vec::new(),
            width: 0.0,
            space: 0.0,
        };
        for &(style, c, w) in &chars[from..cut] {
            part.width += w;
            match part.pieces.last_mut() {
                Some((s, t)) if *s == style => t.push(c),
                _ => part.pieces.push((style, c.to_string())),
            }
        }
        out.push(part);
        from = cut;
    }
    if let Some(last) = out.last_mut() {
        last.space = word.space;
    }
    out
}

/// Breaks `content` into lines: the first `first` points wide, the others
/// `width` points wide. Greedy, which is what word processors do.
pub fn break_lines(
    content: &[Inline],
    fonts: &Fonts,
    size: f32,
    first: f32,
    width: f32,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut cur: Vec<Word> = Vec::new();
    let mut used = 0.0f32;
    let limit = |n: usize| if n == 0 { first } else { width };
    let close = |cur: &mut Vec<Word>, used: &mut f32, last: bool, lines: &mut Vec<Line>| {
        let natural = *used - cur.last().map_or(0.0, |w| w.space);
        lines.push(Line {
            words: std::mem::take(cur),
            natural: natural.max(0.0),
            last,
        });
        *used = 0.0;
    };
    for t in tokens(content, fonts, size) {
        match t {
            Token::Break => close(&mut cur, &mut used, true, &mut lines),
            Token::Word(w) => {
                for w in split_long(w, width.min(first).max(1.0), fonts, size) {
                    if !cur.is_empty() && used + w.width > limit(lines.len()) + 0.01 {
                        close(&mut cur, &mut used, false, &mut lines);
                    }
                    used += w.width + w.space;
                    cur.push(w);
                }
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        close(&mut cur, &mut used, true, &mut lines);
    } else if let Some(l) = lines.last_mut() {
        l.last = true;
    }
    lines
}

/// Like [`break_lines`] without an indent, but with the lines as even as
/// the same number of lines allows, for centred headings and names
/// ("THI HÀNH ÁN DÂN SỰ / TỈNH HÀ TĨNH", not "… TỈNH HÀ / TĨNH").
pub fn balanced(content: &[Inline], fonts: &Fonts, size: f32, width: f32) -> Vec<Line> {
    let greedy = break_lines(content, fonts, size, width, width);
    let n = greedy.len();
    if n < 2 {
        return greedy;
    }
    let (mut lo, mut hi) = (width / n as f32, width);
    let mut best = greedy;
    for _ in 0..12 {
        let mid = f32::midpoint(lo, hi);
        let tried = break_lines(content, fonts, size, mid, mid);
        if tried.len() <= n {
            hi = mid;
            best = tried;
        } else {
            lo = mid;
        }
    }
    best
}

/// A line ready to draw: where it starts and its text items per style.
pub struct Placed {
    pub x: f32,
    pub segments: Vec<(Style, Vec<TextItem>)>,
}

/// Positions `line` in a box `width` wide starting at `x` (the indent
/// already applied by the caller) and builds its text items.
pub fn place(line: &Line, align: Align, x: f32, width: f32, size: f32) -> Placed {
    let gaps = line.words.len().saturating_sub(1);
    let slack = (width - line.natural).max(0.0);
    let (x, extra) = match align {
        Align::Left => (x, 0.0),
        Align::Center => (x + slack / 2.0, 0.0),
        Align::Right => (x + slack, 0.0),
        Align::Justify if line.last || gaps == 0 => (x, 0.0),
        Align::Justify => (x, slack / gaps as f32),
    };
    let offset = -extra * 1000.0 / size;
    let mut segments: Vec<(Style, Vec<TextItem>)> = Vec::new();
    let mut push = |style: Style, item: TextItem| match segments.last_mut() {
        Some((s, items)) if *s == style => match (items.last_mut(), item) {
            (Some(TextItem::Text(a)), TextItem::Text(b)) => a.push_str(&b),
            (_, item) => items.push(item),
        },
        _ => segments.push((style, vec![item])),
    };
    for (i, w) in line.words.iter().enumerate() {
        for (style, text) in &w.pieces {
            push(*style, TextItem::Text(text.clone()));
        }
        if i < gaps {
            let style = w.pieces.last().map_or(Style::Regular, |p| p.0);
            push(style, TextItem::Text(" ".to_string()));
            if extra > 0.0 {
                push(style, TextItem::Offset(offset));
            }
        }
    }
    Placed { x, segments }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::pdf::markup::Run;

    fn text(s: &str) -> Vec<Inline> {
        vec![Inline::Text(Run {
            text: s.to_string(),
            style: Style::Regular,
        })]
    }

    #[test]
    fn lines_fit_their_width_and_keep_every_word() {
        let fonts = Fonts::load(None).unwrap();
        let para = "Hưởng ứng phong trào thi đua “Đoàn kết, kỷ cương, sáng tạo, vượt khó, thi đua hoàn thành xuất sắc nhiệm vụ” do Bộ Tư pháp phát động, các sở tư pháp đã triển khai thực hiện.";
        let lines = break_lines(&text(para), &fonts, 13.0, 200.0, 240.0);
        assert!(lines.len() > 3);
        assert!(lines[0].natural <= 200.0 + 0.01);
        for l in &lines[1..] {
            assert!(l.natural <= 240.0 + 0.01, "{l:?}");
        }
        assert!(lines.last().unwrap().last);
        let words: Vec<String> = lines
            .iter()
            .flat_map(|l| l.words.iter().map(|w| w.pieces[0].1.clone()))
            .collect();
        assert_eq!(words.join(" "), para);
    }

    #[test]
    fn justified_lines_spread_the_slack_over_the_spaces() {
        let fonts = Fonts::load(None).unwrap();
        let lines = break_lines(
            &text("một hai ba bốn năm sáu bảy tám"),
            &fonts,
            10.0,
            60.0,
            60.0,
        );
        let p = place(&lines[0], Align::Justify, 0.0, 60.0, 10.0);
        let offsets: f32 = p.segments[0]
            .1
            .iter()
            .filter_map(|i| match i {
                TextItem::Offset(o) => Some(-o * 10.0 / 1000.0),
                TextItem::Text(_) | TextItem::GlyphIds(_) => None,
            })
            .sum();
        assert!((lines[0].natural + offsets - 60.0).abs() < 0.01);
        let last = place(lines.last().unwrap(), Align::Justify, 0.0, 60.0, 10.0);
        assert_eq!(last.segments[0].1.len(), 1);
    }

    #[test]
    fn a_long_document_number_breaks_after_its_slash() {
        let fonts = Fonts::load(None).unwrap();
        let lines = break_lines(&text("Báo cáo số 68/BC-STP-QTR"), &fonts, 10.0, 60.0, 60.0);
        let last: Vec<String> = lines
            .iter()
            .map(|l| {
                l.words
                    .iter()
                    .map(|w| w.pieces[0].1.clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert!(
            last.iter().any(|l| l.ends_with('/') || l.ends_with('-')),
            "{last:?}"
        );
        assert_eq!(last.concat().replace(' ', ""), "Báocáosố68/BC-STP-QTR");
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut() {
        let fonts = Fonts::load(None).unwrap();
        let lines = break_lines(&text(&"x".repeat(200)), &fonts, 10.0, 50.0, 50.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| l.natural <= 50.01));
    }
}
