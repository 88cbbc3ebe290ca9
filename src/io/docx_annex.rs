//! A criteria table written as the ministry's annex in a Word document
//! (`thidua criteria export … -o FILE.docx`): the title, the line naming
//! the decision, and the table with its bands written under each
//! criterion in the criterion's own cell, one line each ("– Đạt 100%: 2
//! điểm"). A4 portrait with the margins of Decree 30, Times New Roman.
//!
//! The file is the smallest `WordprocessingML` package Word and `LibreOffice`
//! open (content types, two relationships, styles, the document), written
//! with the `zip` crate thidua already uses to read documents: one table
//! does not need a document-model crate and its dependencies.

use std::fmt::Write as _;
use std::io::{Cursor, Write};
use std::path::Path;

use crate::domain::criteria::Table;
use crate::domain::criteria::annex::print::{
    COLUMNS, EVIDENCE_MARK, HARD_MARK, Printed, TOTAL, band_line, print,
};
use crate::domain::vn::format_number;

/// Column widths in twentieths of a point; they fill the 165 mm between
/// the margins.
const WIDTHS: [u32; 6] = [567, 964, 4700, 1000, 1190, 934];

/// Writes the annex of `table` to `path` (through a temporary file).
pub fn write(path: &Path, table: &Table) -> std::io::Result<()> {
    crate::io::atomic_file::write(path, &bytes(table)?)
}

/// The annex of `table` as the bytes of a `.docx` file.
pub fn bytes(table: &Table) -> std::io::Result<Vec<u8>> {
    let printed = print(table);
    let mut buf = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, String); 5] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", RELS.to_string()),
        ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
        ("word/styles.xml", STYLES.to_string()),
        ("word/document.xml", document(&printed)),
    ];
    for (name, text) in parts {
        z.start_file(name, o).map_err(std::io::Error::other)?;
        z.write_all(text.as_bytes())?;
    }
    z.finish().map_err(std::io::Error::other)?;
    Ok(buf.into_inner())
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>"#;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// How a paragraph looks.
#[derive(Clone, Copy, Default)]
struct Look {
    bold: bool,
    italic: bool,
    center: bool,
    /// Half-points; 0 for the default 13 pt.
    size: u32,
}

fn paragraph(out: &mut String, text: &str, look: Look) {
    out.push_str("<w:p><w:pPr>");
    if look.center {
        out.push_str(r#"<w:jc w:val="center"/>"#);
    }
    out.push_str("</w:pPr><w:r><w:rPr>");
    if look.bold {
        out.push_str("<w:b/>");
    }
    if look.italic {
        out.push_str("<w:i/>");
    }
    if look.size > 0 {
        let _ = write!(
            out,
            r#"<w:sz w:val="{0}"/><w:szCs w:val="{0}"/>"#,
            look.size
        );
    }
    let _ = write!(
        out,
        r#"</w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        esc(text)
    );
}

/// A table cell holding `lines`, each with its look.
fn cell(out: &mut String, width: u32, shade: bool, lines: &[(&str, Look)]) {
    let _ = write!(
        out,
        r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{}<w:vAlign w:val="center"/></w:tcPr>"#,
        if shade {
            r#"<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>"#
        } else {
            ""
        }
    );
    if lines.is_empty() {
        out.push_str("<w:p/>");
    }
    for (text, look) in lines {
        paragraph(out, text, *look);
    }
    out.push_str("</w:tc>");
}

fn document(p: &Printed) -> String {
    let mut d = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    let title = Look {
        bold: true,
        center: true,
        size: 28,
        ..Look::default()
    };
    paragraph(&mut d, &p.title, title);
    paragraph(
        &mut d,
        &p.decision,
        Look {
            italic: true,
            center: true,
            ..Look::default()
        },
    );
    paragraph(&mut d, "", Look::default());
    let total: u32 = WIDTHS.iter().sum();
    let _ = write!(
        d,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#
    );
    for w in WIDTHS {
        let _ = write!(d, r#"<w:gridCol w:w="{w}"/>"#);
    }
    d.push_str("</w:tblGrid>");
    // The header, repeated on every page.
    d.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    let head = Look {
        bold: true,
        center: true,
        size: 24,
        ..Look::default()
    };
    for (h, w) in COLUMNS.iter().zip(WIDTHS) {
        cell(&mut d, w, true, &[(h, head)]);
    }
    d.push_str("</w:tr>");
    let band = Look {
        italic: true,
        size: 24,
        ..Look::default()
    };
    for row in &p.rows {
        let text = Look {
            bold: row.group,
            ..Look::default()
        };
        let center = Look {
            center: true,
            ..text
        };
        let bands: Vec<String> = row
            .bands
            .iter()
            .map(|(points, condition)| band_line(*points, condition))
            .collect();
        let mut name: Vec<(&str, Look)> = vec![(&row.name, text)];
        name.extend(bands.iter().map(|b| (b.as_str(), band)));
        let max = format_number(row.max);
        d.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        cell(&mut d, WIDTHS[0], false, &[(&row.number, center)]);
        cell(&mut d, WIDTHS[1], false, &[(&row.code, center)]);
        cell(&mut d, WIDTHS[2], false, &name);
        cell(&mut d, WIDTHS[3], false, &[(&max, center)]);
        let evidence: &[(&str, Look)] = if row.evidence {
            &[(EVIDENCE_MARK, center)]
        } else {
            &[]
        };
        cell(&mut d, WIDTHS[4], false, evidence);
        let hard: &[(&str, Look)] = if row.hard {
            &[(HARD_MARK, center)]
        } else {
            &[]
        };
        cell(&mut d, WIDTHS[5], false, hard);
        d.push_str("</w:tr>");
    }
    let bold = Look {
        bold: true,
        ..Look::default()
    };
    let total_max = format_number(p.total);
    d.push_str("<w:tr>");
    cell(&mut d, WIDTHS[0], false, &[]);
    cell(&mut d, WIDTHS[1], false, &[]);
    cell(&mut d, WIDTHS[2], false, &[(TOTAL, bold)]);
    cell(
        &mut d,
        WIDTHS[3],
        false,
        &[(
            &total_max,
            Look {
                center: true,
                ..bold
            },
        )],
    );
    cell(&mut d, WIDTHS[4], false, &[]);
    cell(&mut d, WIDTHS[5], false, &[]);
    d.push_str("</w:tr></w:tbl><w:p/>");
    // A4 portrait; margins 20 mm top and bottom, 30 mm left, 15 mm right.
    d.push_str(r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#);
    d
}
