//! The papers as Word files (`.docx`), for the secretariat to edit before
//! it signs. Drawn from the same block tree as the PDF (`io::pdf::markup`,
//! from the same templates), with the PDF engine's page geometry, sizes
//! and font widths (`io::pdf::measure`), so a page in Word or `LibreOffice`
//! looks like the PDF's: A4 with Decree 30's margins in the section,
//! Times New Roman (the bundled Liberation Serif is its metric twin) at
//! the PDF's sizes, the page number centred in the header from page 2 (a
//! different first page), table header rows repeated on every page, rows
//! that never split, and the letterhead, signatures and "Nơi nhận:" as
//! borderless tables. `parts` holds the pieces in Word's units, `blocks`
//! the body's paragraphs, tables and chart, `letterhead` the fixed parts;
//! this file the page, its numbers and the package, which docx-rs writes.

mod blocks;
mod letterhead;
mod parts;

use std::io::Cursor;

use docx_rs::{
    DocGrid, Docx, FieldCharType, Footer, Header, InstrPAGE, InstrText, PageMargin, Run, RunFonts,
};

use crate::io::pdf::DocumentError;
use crate::io::pdf::markup::{Align, Block, Doc};
use crate::io::pdf::measure::Style;
use crate::io::pdf::measure::{Fonts, Geometry};
use parts::{Writer, gap, half, plain, run, tw, twu};

/// The font the decree names; Word and `LibreOffice` find Liberation Serif
/// under this name where Times New Roman is not installed.
pub const FONT: &str = "Times New Roman";

/// The page number's size and where its line starts, from the top edge
/// (as the PDF draws it: centred in the top margin).
const PAGE_NUMBER_SIZE: f32 = 13.0;
const PAGE_NUMBER_TOP: f32 = Geometry::A4.top / 2.0 - PAGE_NUMBER_SIZE / 2.0;

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
    // A notice the PDF prints at the foot of every page (a paper made from
    // a sample table says so), on every page here too.
    if let Some(text) = &doc.notice {
        let line = || {
            Footer::new().add_paragraph(plain(10.0, Align::Center).add_run(run(
                text,
                Style::BoldItalic,
                10.0,
            )))
        };
        docx = docx.footer(line()).first_footer(line());
    }
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
        let para_next = matches!(doc.blocks.get(i + 1), Some(Block::Para(_)));
        match b {
            Block::Para(p) => {
                let own = match i.checked_sub(1).map(|j| &doc.blocks[j]) {
                    Some(Block::Signatures { .. } | Block::Closing { .. }) => p.space_before,
                    Some(Block::Table(_)) => blocks::TABLE_GAP + p.space_before,
                    Some(Block::Chart(_)) => blocks::CHART_GAP + p.space_before,
                    _ => 0.0,
                };
                w.paragraph(p, own, next);
            }
            Block::Table(t) => w.data_table(t, next, !para_next),
            Block::Chart(c) => w.chart(c, next, !para_next),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::pdf::Documents;
    use crate::io::pdf::markup::parse;

    fn document_part(docx: &[u8]) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
        let mut s = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn only_heading_rows_repeat_and_no_row_splits() {
        let docs = Documents::load(None).unwrap();
        let doc = parse(
            "<document><title>BÁO CÁO</title><table widths=\"1 3\"><thead><tr><th>TT</th><th>Đơn vị</th></tr></thead>\
             <tbody><tr><td>1</td><td>Một</td></tr><tr><td>2</td><td>Hai</td></tr></tbody></table>\
             <closing><recipients><li>- Lưu: VT.</li></recipients><signature><role>TM.</role><name>A</name></signature></closing></document>",
        )
        .unwrap();
        let xml = document_part(&write(&doc, docs.fonts()).unwrap());
        assert_eq!(xml.matches("<w:tblHeader />").count(), 1, "{xml}");
        assert_eq!(
            xml.matches("<w:tr>").count(),
            xml.matches("<w:cantSplit />").count()
        );
        // The heading row comes before the first body row.
        assert!(xml.find("<w:tblHeader />") < xml.find(">Một<"));
    }

    #[test]
    fn a_chart_keeps_whole_and_with_its_heading() {
        let docs = Documents::load(None).unwrap();
        let doc = parse(
            "<document><title>BÁO CÁO</title><h3>1.2. Biểu đồ tổng điểm</h3><chart max=\"200\">\
             <bar label=\"Một\" value=\"210\">210</bar><bar label=\"Hai\" value=\"200\">200</bar>\
             <bar label=\"Ba\" value=\"150\">150</bar></chart><p>Sau.</p></document>",
        )
        .unwrap();
        let xml = document_part(&write(&doc, docs.fonts()).unwrap());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        let keeps = |n: roxmltree::Node| {
            n.descendants()
                .filter(|p| p.has_tag_name((w, "p")))
                .map(|p| p.descendants().any(|k| k.has_tag_name((w, "keepNext"))))
                .collect::<Vec<bool>>()
        };
        let heading = doc
            .descendants()
            .find(|n| {
                n.has_tag_name((w, "p"))
                    && n.descendants()
                        .any(|t| t.text() == Some("1.2. Biểu đồ tổng điểm"))
            })
            .unwrap();
        assert_eq!(keeps(heading), [true]);
        let rows: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name((w, "tr")))
            .filter(|r| {
                r.descendants()
                    .any(|t| matches!(t.text(), Some("Một" | "Hai" | "Ba")))
            })
            .collect();
        assert_eq!(rows.len(), 3);
        // Every paragraph of every row keeps with the next, but the last row's.
        for (i, r) in rows.iter().enumerate() {
            let k = keeps(*r);
            assert!(!k.is_empty());
            assert!(k.iter().all(|&k| k == (i < 2)), "row {i}: {k:?}");
        }
        // The PDF's scale: to the largest bar (210), not the table's 200,
        // so the second bar is shorter than the first.
        let spans: Vec<usize> = rows
            .iter()
            .map(|r| {
                r.descendants()
                    .find(|n| n.has_tag_name((w, "gridSpan")))
                    .and_then(|g| g.attribute((w, "val")))
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert!(spans[0] > spans[1] && spans[1] > spans[2], "{spans:?}");
        // The paragraph after the chart takes the PDF's 8 points as space
        // before it, not an empty paragraph a page could start with.
        let after = doc
            .descendants()
            .find(|n| n.has_tag_name((w, "p")) && n.descendants().any(|t| t.text() == Some("Sau.")))
            .unwrap();
        let before = after
            .descendants()
            .find(|n| n.has_tag_name((w, "spacing")))
            .and_then(|s| s.attribute((w, "before")))
            .unwrap();
        assert_eq!(before, "160");
    }

    #[test]
    fn a_count_that_does_not_match_the_tables_is_refused() {
        let xml = b"<w:body><w:tbl><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr></w:tbl></w:body>";
        assert!(repeat_headers(xml, &[1, 0]).is_err());
        let done = repeat_headers(xml, &[1]).unwrap();
        assert!(
            String::from_utf8(done)
                .unwrap()
                .contains("<w:trPr><w:tblHeader />")
        );
    }

    #[test]
    fn column_widths_add_up_to_the_text_width() {
        let w = Geometry::A4.content_width();
        let widths = parts::grid(&[11.0, 38.0, 11.0, 11.0, 14.0, 16.0, 22.0], w);
        assert_eq!(widths.iter().sum::<usize>(), twu(w));
        let steps = parts::grid(&vec![1.0; 100], 245.0);
        assert_eq!(steps.iter().sum::<usize>(), twu(245.0));
        assert!(steps.iter().all(|s| (48..=50).contains(s)), "{steps:?}");
    }
}
