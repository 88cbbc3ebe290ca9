//! A page's content stream, written as PDF operators directly.
//!
//! printpdf turns each of its drawing operations into lopdf operation
//! objects and then formats them one number at a time; for a score sheet
//! (about 5.000 operations) that was half of the time spent making the
//! PDF. thidua draws only text, straight lines and grey rectangles, so it
//! writes those few operators itself (ISO 32000-1, 8.5 and 9.4) and leaves
//! the document, its fonts and their subsets to printpdf and lopdf.
//!
//! Glyph ids are known only once the page set is done (the font subsets
//! hold the characters of the whole document), so text is kept aside with
//! its position in the stream and encoded by [`Content::finish`].

use std::collections::HashMap;
use std::io::Write as _;

use printpdf::TextItem;

/// One page's operators, with the text not yet encoded.
#[derive(Debug, Default)]
pub struct Content {
    bytes: Vec<u8>,
    shows: Vec<Show>,
}

/// A text-showing operator to write at `at`, in font number `font`.
#[derive(Debug)]
struct Show {
    at: usize,
    font: usize,
    items: Vec<TextItem>,
}

/// Each font's character → glyph id, in the font as embedded.
pub type GlyphMaps = [HashMap<char, u16>];

impl Content {
    /// `BT x y Td`: a text object starting at (x, y), y from the bottom.
    pub fn begin_text(&mut self, x: f32, y: f32) {
        self.bytes.extend_from_slice(b"BT\n");
        self.numbers(&[x, y]);
        self.bytes.extend_from_slice(b"Td\n");
    }

    /// `/name size Tf`.
    pub fn font(&mut self, name: &str, size: f32) {
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(b' ');
        self.numbers(&[size]);
        self.bytes.extend_from_slice(b"Tf\n");
    }

    /// Shows `items` (text and kerning in thousandths of an em) in font
    /// number `font`; encoded by [`Content::finish`].
    pub fn show(&mut self, font: usize, items: Vec<TextItem>) {
        self.shows.push(Show {
            at: self.bytes.len(),
            font,
            items,
        });
    }

    /// `ET`.
    pub fn end_text(&mut self) {
        self.bytes.extend_from_slice(b"ET\n");
    }

    /// `w`: the line width.
    pub fn line_width(&mut self, width: f32) {
        self.numbers(&[width]);
        self.bytes.extend_from_slice(b"w\n");
    }

    /// A stroked straight line, y from the bottom.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.numbers(&[x1, y1]);
        self.bytes.extend_from_slice(b"m ");
        self.numbers(&[x2, y2]);
        self.bytes.extend_from_slice(b"l S\n");
    }

    /// A rectangle filled in grey (`0` black … `1` white); the fill colour
    /// goes back to black after it.
    pub fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, grey: f32) {
        self.numbers(&[grey]);
        self.bytes.extend_from_slice(b"g ");
        self.numbers(&[x, y, width, height]);
        self.bytes.extend_from_slice(b"re f 0 g\n");
    }

    /// The stream's bytes, with each text's glyph ids from `glyphs` (a
    /// character missing there is drawn as glyph 0, the missing-glyph box).
    pub fn finish(self, glyphs: &GlyphMaps) -> Vec<u8> {
        // Text takes about as many bytes again (four hex digits a glyph).
        let mut out = Vec::with_capacity(self.bytes.len() * 2);
        let mut from = 0;
        for show in &self.shows {
            out.extend_from_slice(&self.bytes[from..show.at]);
            from = show.at;
            encode(&mut out, &show.items, &glyphs[show.font]);
        }
        out.extend_from_slice(&self.bytes[from..]);
        out
    }

    /// Writes numbers, each followed by a space.
    fn numbers(&mut self, values: &[f32]) {
        for v in values {
            number(&mut self.bytes, *v);
            self.bytes.push(b' ');
        }
    }
}

/// `<…> Tj` for a single run of text, `[<…> n <…>] TJ` with kerning.
fn encode(out: &mut Vec<u8>, items: &[TextItem], glyphs: &HashMap<char, u16>) {
    let single = matches!(items, [TextItem::Text(_)]);
    if !single {
        out.push(b'[');
    }
    for item in items {
        match item {
            TextItem::Text(t) => {
                out.push(b'<');
                for c in t.chars() {
                    let g = glyphs.get(&c).copied().unwrap_or(0);
                    out.extend_from_slice(&hex4(g));
                }
                out.push(b'>');
            }
            TextItem::Offset(o) => {
                out.push(b' ');
                number(out, *o);
                out.push(b' ');
            }
            // thidua lays out characters, never shaped glyph runs.
            TextItem::GlyphIds(_) => {}
        }
    }
    out.extend_from_slice(if single { b" Tj\n" } else { b"] TJ\n" });
}

fn hex4(g: u16) -> [u8; 4] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let n = usize::from(g);
    [
        HEX[n >> 12],
        HEX[(n >> 8) & 15],
        HEX[(n >> 4) & 15],
        HEX[n & 15],
    ]
}

/// A number to a hundredth (a hundredth of a point is 0,0035 mm), without
/// trailing zeros: `12`, `-0.5`, `841.89`.
fn number(out: &mut Vec<u8>, v: f32) {
    let v = if v.is_finite() { v } else { 0.0 };
    let hundredths = (f64::from(v) * 100.0).round() as i64;
    if hundredths < 0 {
        out.push(b'-');
    }
    let n = hundredths.unsigned_abs();
    let _ = write!(out, "{}", n / 100);
    match n % 100 {
        0 => {}
        f if f % 10 == 0 => {
            let _ = write!(out, ".{}", f / 10);
        }
        f => {
            let _ = write!(out, ".{f:02}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f32) -> String {
        let mut out = Vec::new();
        number(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_written_to_a_hundredth_without_trailing_zeros() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(841.8898), "841.89");
        assert_eq!(num(0.004), "0");
        assert_eq!(num(-0.004), "0");
        assert_eq!(num(3.05), "3.05");
        assert_eq!(num(f32::NAN), "0");
    }

    #[test]
    fn text_is_encoded_at_its_place_with_the_glyph_ids() {
        let mut c = Content::default();
        c.begin_text(10.0, 20.5);
        c.font("LS0", 13.0);
        c.show(0, vec![TextItem::Text("Ấn".into())]);
        c.show(
            1,
            vec![
                TextItem::Text("a b".into()),
                TextItem::Offset(-120.25),
                TextItem::Text("x".into()),
            ],
        );
        c.end_text();
        c.line_width(0.5);
        c.line(0.0, 1.0, 2.0, 3.0);
        c.fill_rect(1.0, 2.0, 3.0, 4.0, 0.9);
        let maps = [
            HashMap::from([('Ấ', 0x1a2), ('n', 7)]),
            HashMap::from([('a', 1), (' ', 2), ('b', 3)]),
        ];
        let s = String::from_utf8(c.finish(&maps)).unwrap();
        assert_eq!(
            s,
            "BT\n10 20.5 Td\n/LS0 13 Tf\n<01A20007> Tj\n[<000100020003> -120.25 <0000>] TJ\nET\n\
             0.5 w\n0 1 m 2 3 l S\n0.9 g 1 2 3 4 re f 0 g\n"
        );
    }
}
