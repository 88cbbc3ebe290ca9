//! The page being drawn: A4 with the margins of Decree 30/2020/NĐ-CP, the
//! pen that places lines of text, rules and boxes through `content`, page
//! breaks with the page number centred in the top margin from page 2, and
//! the finished PDF (fonts as subsets, streams deflated). `layout` and
//! `letterhead` draw on it.

use std::collections::BTreeSet;

use printpdf::{
    FontId, Mm, Op, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem,
};
use unicode_normalization::UnicodeNormalization;

use super::DocumentError;
use super::content::Content;
use super::fonts::{Fonts, Style};
use super::lines::{Line, balanced, break_lines, place};
use super::markup::{Align, Inline, Run};

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;
/// Line height as a multiple of the font size.
pub const LEADING: f32 = 1.2;

/// A4 portrait with Decree 30's margins: top and bottom 20 mm, left 30 mm,
/// right 15 mm.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
}

impl Geometry {
    pub const A4: Geometry = Geometry {
        width: 210.0 * MM,
        height: 297.0 * MM,
        top: 20.0 * MM,
        bottom: 20.0 * MM,
        left: 30.0 * MM,
        right: 15.0 * MM,
    };

    pub fn content_width(&self) -> f32 {
        self.width - self.left - self.right
    }
}

/// The typesetter: pages done so far, the current page's operations and
/// the current position (distance from the top edge).
pub struct Sheet<'a> {
    pub fonts: &'a Fonts,
    ids: Vec<FontId>,
    pub geo: Geometry,
    pages: Vec<Content>,
    ops: Content,
    pub y: f32,
    /// The characters drawn in each style, for the font subsets.
    used: Vec<BTreeSet<char>>,
    /// The font and line width the current page's operations last set:
    /// both persist across text objects, so they are set only on change
    /// (a score sheet drew 1.692 lines and set the width 1.692 times).
    pen: Pen,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Pen {
    font: Option<(usize, f32)>,
    width: Option<f32>,
}

impl<'a> Sheet<'a> {
    pub fn new(fonts: &'a Fonts) -> Sheet<'a> {
        let geo = Geometry::A4;
        Sheet {
            fonts,
            ids: Style::ALL
                .iter()
                .map(|s| FontId(format!("LS{}", s.index())))
                .collect(),
            geo,
            pages: Vec::new(),
            ops: Content::default(),
            y: geo.top,
            used: vec![BTreeSet::new(); Style::ALL.len()],
            pen: Pen::default(),
        }
    }

    pub fn left(&self) -> f32 {
        self.geo.left
    }

    pub fn width(&self) -> f32 {
        self.geo.content_width()
    }

    /// Room left on the page below the current position.
    pub fn room(&self) -> f32 {
        self.geo.height - self.geo.bottom - self.y
    }

    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.pen = Pen::default();
        self.y = self.geo.top;
    }

    /// Starts a new page unless `height` fits (or the page is still empty).
    pub fn ensure(&mut self, height: f32) {
        if height > self.room() && self.y > self.geo.top + 0.5 {
            self.new_page();
        }
    }

    /// Draws text items with the baseline `baseline` points from the top.
    pub fn text(
        &mut self,
        x: f32,
        baseline: f32,
        size: f32,
        segments: Vec<(Style, Vec<TextItem>)>,
    ) {
        self.ops.begin_text(x, self.geo.height - baseline);
        for (style, items) in segments {
            // Text arrives composed (NFC): line breaking and `label` did it.
            for item in &items {
                if let TextItem::Text(t) = item {
                    self.used[style.index()].extend(t.chars());
                }
            }
            let font = Some((style.index(), size));
            if self.pen.font != font {
                self.pen.font = font;
                self.ops.font(&self.ids[style.index()].0, size);
            }
            self.ops.show(style.index(), items);
        }
        self.ops.end_text();
    }

    /// A single line of plain text in one style, aligned in a box.
    pub fn label(
        &mut self,
        text: &str,
        (style, size): (Style, f32),
        x: f32,
        width: f32,
        align: Align,
        top: f32,
    ) {
        let text: String = text.nfc().collect();
        let text = text.as_str();
        let w = self.fonts.width(style, text, size);
        let x = match align {
            Align::Left | Align::Justify => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        self.text(
            x,
            top + baseline(size),
            size,
            vec![(style, vec![TextItem::Text(text.to_string())])],
        );
    }

    /// A straight line from (x1, y1) to (x2, y2), y from the top.
    pub fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) {
        let h = self.geo.height;
        if self.pen.width != Some(thickness) {
            self.pen.width = Some(thickness);
            self.ops.line_width(thickness);
        }
        self.ops.line(x1, h - y1, x2, h - y2);
    }

    /// A filled rectangle in grey (`0` black … `1` white); `top` from the top.
    pub fn fill(&mut self, x: f32, top: f32, width: f32, height: f32, grey: f32) {
        let y = self.geo.height - top - height;
        self.ops.fill_rect(x, y, width, height, grey);
    }

    /// Breaks and draws `content` in a box; returns the height used.
    #[allow(clippy::too_many_arguments)]
    pub fn flow(
        &mut self,
        lines: &[Line],
        align: Align,
        size: f32,
        x: f32,
        width: f32,
        indent: f32,
        top: f32,
    ) -> f32 {
        let lh = size * LEADING;
        for (i, line) in lines.iter().enumerate() {
            let ind = if i == 0 { indent } else { 0.0 };
            let p = place(line, align, x + ind, width - ind, size);
            self.text(p.x, top + i as f32 * lh + baseline(size), size, p.segments);
        }
        lines.len() as f32 * lh
    }

    /// Lays the lines of one plain or styled string out in a box.
    pub fn lines(&self, content: &[Inline], size: f32, width: f32, indent: f32) -> Vec<Line> {
        break_lines(content, self.fonts, size, width - indent, width)
    }

    /// Like [`Sheet::lines`] without an indent, but with the lines as even
    /// as the same number of lines allows (see [`balanced`]).
    pub fn balanced(&self, content: &[Inline], size: f32, width: f32) -> Vec<Line> {
        balanced(content, self.fonts, size, width)
    }

    /// Finishes the document: page numbers from page 2, the font subsets,
    /// then the PDF bytes.
    pub fn finish(
        mut self,
        mut pdf: PdfDocument,
        notice: Option<&str>,
    ) -> Result<Vec<u8>, DocumentError> {
        self.pages.push(std::mem::take(&mut self.ops));
        let total = self.pages.len();
        let geo = self.geo;
        for n in 0..total {
            std::mem::swap(&mut self.ops, &mut self.pages[n]);
            // Added at the end of a finished page, whose pen is unknown here.
            self.pen = Pen::default();
            if n > 0 {
                let label = (n + 1).to_string();
                self.label(
                    &label,
                    (Style::Regular, 13.0),
                    geo.left,
                    geo.content_width(),
                    Align::Center,
                    geo.top / 2.0 - 6.5,
                );
            }
            if let Some(text) = notice {
                self.label(
                    text,
                    (Style::BoldItalic, 10.0),
                    geo.left,
                    geo.content_width(),
                    Align::Center,
                    geo.height - geo.bottom / 2.0 - 5.0,
                );
            }
            std::mem::swap(&mut self.ops, &mut self.pages[n]);
        }
        let page = || PdfPage::new(Mm(geo.width / MM), Mm(geo.height / MM), Vec::new());
        let mut pages: Vec<PdfPage> = (0..total).map(|_| page()).collect();
        // printpdf writes a font's widths and character map for the glyphs
        // its own operations show. The pages' streams are written here
        // (`content`), so one extra page shows every character used, in
        // each font, and is taken out of the document again below.
        let mut usage = page();
        let mut glyphs = vec![std::collections::HashMap::new(); Style::ALL.len()];
        let mut subsets = Vec::new();
        for style in Style::ALL {
            let chars = &self.used[style.index()];
            if chars.is_empty() {
                continue;
            }
            let face = self.fonts.face(style);
            let subset = face
                .subset(style, chars)
                .map_err(|reason| DocumentError::Font {
                    file: face.source.clone(),
                    reason: format!("cannot subset the font: {reason}"),
                })?;
            glyphs[style.index()] = chars
                .iter()
                .map(|c| {
                    let g = subset.font.lookup_glyph_index(u32::from(*c));
                    (*c, g.unwrap_or(0))
                })
                .collect();
            let id = self.ids[style.index()].clone();
            usage.ops.extend([
                Op::StartTextSection,
                Op::SetFont {
                    font: PdfFontHandle::External(id.clone()),
                    size: Pt(1.0),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(chars.iter().collect())],
                },
                Op::EndTextSection,
            ]);
            pdf.resources
                .fonts
                .map
                .insert(id, PdfFont::new(subset.font.clone()));
            subsets.push(subset);
        }
        pages.push(usage);
        pdf.with_pages(pages);
        // The fonts are subset above; printpdf's own subsetting needs its
        // text-layout feature, which this build leaves out.
        let opts = PdfSaveOptions {
            subset_fonts: false,
            optimize: false,
            ..PdfSaveOptions::default()
        };
        let mut doc = pdf.to_lopdf_document(&opts, &mut Vec::new());
        let ids = doc.get_pages();
        for (n, content) in std::mem::take(&mut self.pages).into_iter().enumerate() {
            let stream = page_contents(&doc, ids.get(&(n as u32 + 1)).copied())
                .and_then(|id| doc.get_object_mut(id).ok())
                .and_then(|o| o.as_stream_mut().ok())
                .ok_or_else(|| DocumentError::Data(format!("page {} has no content", n + 1)))?;
            stream.set_content(content.finish(&glyphs));
        }
        remove_page(&mut doc, ids.get(&(total as u32 + 1)).copied())?;
        // printpdf's compression runs zlib at the best level, which took 38 %
        // of the render time. Level 2 (zlib's fast strategy) does about 60 %
        // of the default level's work for files 4 % bigger; level 1 made
        // them almost a third bigger. A font program is deflated once per
        // subset (see `fonts::Subset`).
        let mut z = flate2::Compress::new(flate2::Compression::new(2), true);
        for object in doc.objects.values_mut() {
            let lopdf::Object::Stream(stream) = object else {
                continue;
            };
            let program = subsets
                .iter()
                .find(|s| stream.content == s.font.original_bytes);
            match program {
                Some(s) => {
                    let packed = s.packed(|bytes| deflate(&mut z, bytes));
                    if packed.len() < stream.content.len() {
                        stream.dict.set("Filter", "FlateDecode");
                        stream.set_content(packed.to_vec());
                    }
                }
                None if stream.allows_compression => compress(&mut z, stream),
                None => {}
            }
        }
        true_info(&mut doc, chrono::Utc::now());
        let mut out = Vec::new();
        doc.save_to(&mut out)
            .map_err(|e| DocumentError::Data(format!("cannot write the PDF: {e}")))?;
        Ok(out)
    }
}

/// The document information as it is: created (and last changed) `now`,
/// in Viet Nam's time, by thidua; printpdf writes the Unix epoch as both
/// dates and an empty `GTS_PDFXVersion` with `Trapped`, a PDF/X claim this
/// file does not meet (no output intent, RGB), so both go.
fn true_info(doc: &mut lopdf::Document, now: chrono::DateTime<chrono::Utc>) {
    let local = crate::domain::time::local(now);
    let date = format!("D:{}+07'00'", local.format("%Y%m%d%H%M%S"));
    let Some(info) = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| o.as_reference().ok())
    else {
        return;
    };
    let Ok(dict) = doc.get_dictionary_mut(info) else {
        return;
    };
    for key in [&b"GTS_PDFXVersion"[..], b"GTS_PDFXConformance", b"Trapped"] {
        dict.remove(key);
    }
    let text = |t: &str| lopdf::Object::String(t.as_bytes().to_vec(), lopdf::StringFormat::Literal);
    dict.set("CreationDate", text(&date));
    dict.set("ModDate", text(&date));
    dict.set("Creator", text("thidua"));
    dict.set(
        "Producer",
        text(&format!(
            "thidua {} (printpdf, lopdf)",
            env!("CARGO_PKG_VERSION")
        )),
    );
}

/// The content stream of page `page`, as printpdf writes it (one stream).
fn page_contents(doc: &lopdf::Document, page: Option<lopdf::ObjectId>) -> Option<lopdf::ObjectId> {
    doc.get_dictionary(page?)
        .ok()?
        .get(b"Contents")
        .ok()?
        .as_reference()
        .ok()
}

/// Takes the glyph-usage page out of the document: out of its parent's
/// kids and count, and its dictionary, resources and stream out of the file.
fn remove_page(
    doc: &mut lopdf::Document,
    page: Option<lopdf::ObjectId>,
) -> Result<(), DocumentError> {
    let broken = || DocumentError::Data("the glyph-usage page cannot be removed".into());
    let page = page.ok_or_else(broken)?;
    let dict = doc.get_dictionary(page).map_err(|_| broken())?.clone();
    let parent = dict
        .get(b"Parent")
        .and_then(lopdf::Object::as_reference)
        .map_err(|_| broken())?;
    let tree = doc
        .get_object_mut(parent)
        .and_then(lopdf::Object::as_dict_mut)
        .map_err(|_| broken())?;
    let count = tree
        .get(b"Count")
        .and_then(lopdf::Object::as_i64)
        .map_err(|_| broken())?;
    tree.set("Count", count - 1);
    let kids = tree
        .get_mut(b"Kids")
        .and_then(lopdf::Object::as_array_mut)
        .map_err(|_| broken())?;
    kids.retain(|k| k.as_reference().ok() != Some(page));
    for key in [b"Contents".as_slice(), b"Resources"] {
        if let Ok(id) = dict.get(key).and_then(lopdf::Object::as_reference) {
            doc.objects.remove(&id);
        }
    }
    doc.objects.remove(&page);
    Ok(())
}

/// Deflates a stream, unless it is already filtered or would not shrink.
/// One compressor serves every stream of a document: setting one up costs
/// more than compressing a page.
fn compress(z: &mut flate2::Compress, stream: &mut lopdf::Stream) {
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    let packed = deflate(z, &stream.content);
    if packed.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(packed);
    }
}

/// `input` deflated as a zlib stream; `input` itself if deflating fails.
fn deflate(z: &mut flate2::Compress, input: &[u8]) -> Vec<u8> {
    z.reset();
    let mut packed = Vec::with_capacity(input.len() / 2 + 64);
    loop {
        let read = usize::try_from(z.total_in()).unwrap_or(input.len());
        match z.compress_vec(&input[read..], &mut packed, flate2::FlushCompress::Finish) {
            Ok(flate2::Status::StreamEnd) => return packed,
            Ok(_) => packed.reserve(packed.capacity().max(64)),
            Err(_) => return input.to_vec(),
        }
    }
}

/// Where the baseline sits below the top of a line box.
pub fn baseline(size: f32) -> f32 {
    size * 0.95
}

pub fn plain(text: &str, style: Style) -> Vec<Inline> {
    vec![Inline::Text(Run {
        text: text.to_string(),
        style,
    })]
}
