//! Reading a Word document (`.docx`) as the blocks of an annex: its
//! paragraphs and tables in order, from `word/document.xml`. A table
//! becomes a grid of cells on the table's own column grid: a cell spanning
//! columns (`w:gridSpan`) sits in its first column, a cell merged down
//! (`w:vMerge`) holds its text in its first row only, rows that skip
//! columns (`w:gridBefore`) start further right. The numbers and bullets
//! Word draws itself (list numbering, `word/numbering.xml`) are written
//! into the text, as a reader sees them; deleted and hidden text is left
//! out. Reading is bounded by the workbook limits.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use roxmltree::{Document, Node};

use crate::domain::cells::{Cell, Limits, Sheet, Value};
use crate::domain::criteria::annex::{Annex, Block, Grid, Naming};

/// Why a document could not be read (for the operator, in English).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DocxError(pub String);

/// Reads a `.docx` held in memory.
pub fn from_bytes(bytes: &[u8], limits: &Limits) -> Result<Annex, DocxError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(DocxError(
            "a Word 97–2003 document (.doc); save it as .docx (Word Document) and import that"
                .into(),
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DocxError(format!("not a Word document (.docx): {e}")))?;
    // One unpacking budget for every part read, as for a workbook.
    let mut budget = limits.max_unpacked_bytes;
    let main = main_part(&mut zip, &mut budget).unwrap_or_else(|| "word/document.xml".to_string());
    let document = part(&mut zip, &main, &mut budget)?
        .ok_or_else(|| DocxError(format!("not a Word document (.docx): it has no {main}")))?;
    let numbering = part(&mut zip, "word/numbering.xml", &mut budget)?;
    let styles = part(&mut zip, "word/styles.xml", &mut budget)?;
    let mut lists = Lists::new(numbering.as_deref(), styles.as_deref());
    let doc = Document::parse(&document)
        .map_err(|e| DocxError(format!("the document's text ({main}) is damaged: {e}")))?;
    let body = doc
        .root_element()
        .children()
        .find(|n| n.tag_name().name() == "body")
        .ok_or_else(|| DocxError(format!("the document ({main}) has no body")))?;
    let mut annex = Annex::default();
    let mut tables = 0usize;
    let mut cells = 0u64;
    blocks(
        body,
        &mut lists,
        &mut annex,
        &mut tables,
        &mut cells,
        limits,
    )?;
    Ok(annex)
}

/// The main document part named by `_rels/.rels`.
fn main_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, budget: &mut u64) -> Option<String> {
    let rels = part(zip, "_rels/.rels", budget).ok()??;
    let doc = Document::parse(&rels).ok()?;
    doc.descendants()
        .find(|n| {
            n.tag_name().name() == "Relationship"
                && n.attribute("Type")
                    .is_some_and(|t| t.ends_with("/officeDocument"))
        })
        .and_then(|n| n.attribute("Target"))
        .map(|t| t.trim_start_matches('/').to_string())
}

/// The part `name` as text, taken from what is left of `budget` (the
/// unpacked bytes all parts may use together); `None` when there is none.
fn part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
) -> Result<Option<String>, DocxError> {
    let entry = match zip.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(DocxError(format!("{name} cannot be read: {e}"))),
    };
    let mut text = String::new();
    let read = entry
        .take(*budget + 1)
        .read_to_string(&mut text)
        .map_err(|e| DocxError(format!("{name} cannot be read: {e}")))?;
    if read as u64 > *budget {
        return Err(DocxError(format!(
            "the document unpacks to more than its limit (limits.max_unpacked_mib), at {name}"
        )));
    }
    *budget -= read as u64;
    Ok(Some(text))
}

fn name<'a>(n: Node<'a, '_>) -> &'a str {
    n.tag_name().name()
}

/// An attribute by its local name (`w:val` → `val`), whatever the namespace.
fn attr<'a>(n: Node<'a, '_>, local: &str) -> Option<&'a str> {
    n.attributes()
        .find(|a| a.name() == local)
        .map(|a| a.value())
}

fn child<'a, 'i>(n: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| name(*c) == local)
}

/// Elements that only wrap content (content controls, custom XML, tracked
/// insertions): their content counts as if it stood in their place.
fn is_wrapper(local: &str) -> bool {
    matches!(
        local,
        "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo" | "smartTag"
    )
}

fn blocks(
    parent: Node<'_, '_>,
    lists: &mut Lists,
    annex: &mut Annex,
    tables: &mut usize,
    cells: &mut u64,
    limits: &Limits,
) -> Result<(), DocxError> {
    for n in parent.children().filter(Node::is_element) {
        match name(n) {
            "p" => annex.blocks.push(Block::Text(paragraph(n, lists))),
            "tbl" => {
                *tables += 1;
                let grid = table(n, *tables, lists, cells, limits)?;
                annex.blocks.push(Block::Table(grid));
            }
            l if is_wrapper(l) => blocks(n, lists, annex, tables, cells, limits)?,
            _ => {}
        }
    }
    Ok(())
}

/// Children of `n`, looking through wrappers.
fn flat<'a, 'i>(n: Node<'a, 'i>, out: &mut Vec<Node<'a, 'i>>) {
    for c in n.children().filter(Node::is_element) {
        if is_wrapper(name(c)) {
            flat(c, out);
        } else {
            out.push(c);
        }
    }
}

fn table(
    tbl: Node<'_, '_>,
    number: usize,
    lists: &mut Lists,
    budget: &mut u64,
    limits: &Limits,
) -> Result<Grid, DocxError> {
    let mut rows = Vec::new();
    flat(tbl, &mut rows);
    let mut cells = Vec::new();
    for (r, tr) in rows.into_iter().filter(|n| name(*n) == "tr").enumerate() {
        let r = r as u32;
        let before = child(tr, "trPr")
            .and_then(|p| child(p, "gridBefore"))
            .and_then(|g| attr(g, "val"))
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        let mut col = before;
        let mut tcs = Vec::new();
        flat(tr, &mut tcs);
        for tc in tcs.into_iter().filter(|n| name(*n) == "tc") {
            let pr = child(tc, "tcPr");
            let span = pr
                .and_then(|p| child(p, "gridSpan"))
                .and_then(|g| attr(g, "val"))
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(1)
                .max(1);
            let merged_away = pr.is_some_and(|p| {
                child(p, "vMerge").is_some_and(|v| attr(v, "val").is_none_or(|x| x == "continue"))
                    || child(p, "hMerge")
                        .is_some_and(|v| attr(v, "val").is_none_or(|x| x == "continue"))
            });
            if !merged_away {
                let text = cell_text(tc, lists);
                if !text.trim().is_empty() {
                    *budget += 1;
                    if *budget > limits.max_cells {
                        return Err(DocxError(format!(
                            "the document has more than {} table cells (limits.max_cells)",
                            limits.max_cells
                        )));
                    }
                    cells.push(Cell {
                        row: r,
                        col,
                        value: Value::Text(text),
                    });
                }
            }
            col += span;
        }
    }
    Ok(Grid {
        sheet: Sheet::new(&format!("table {number}"), cells),
        naming: Naming::Document(number),
    })
}

/// A cell's paragraphs, one line each; a table inside it gives a line per row.
fn cell_text(tc: Node<'_, '_>, lists: &mut Lists) -> String {
    let mut lines = Vec::new();
    let mut items = Vec::new();
    flat(tc, &mut items);
    for n in items {
        match name(n) {
            "p" => lines.push(paragraph(n, lists)),
            "tbl" => {
                let mut rows = Vec::new();
                flat(n, &mut rows);
                for tr in rows.into_iter().filter(|x| name(*x) == "tr") {
                    let mut tcs = Vec::new();
                    flat(tr, &mut tcs);
                    let texts: Vec<String> = tcs
                        .into_iter()
                        .filter(|x| name(*x) == "tc")
                        .map(|x| cell_text(x, lists).replace('\n', " "))
                        .filter(|t| !t.trim().is_empty())
                        .collect();
                    lines.push(texts.join(" "));
                }
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// A paragraph's text, with the number or bullet Word draws before it.
fn paragraph(p: Node<'_, '_>, lists: &mut Lists) -> String {
    let mut text = String::new();
    runs(p, &mut text);
    let prefix = lists.label(p);
    match prefix {
        Some(l) if !l.is_empty() => format!("{l} {text}"),
        _ => text,
    }
}

fn runs(n: Node<'_, '_>, out: &mut String) {
    for c in n.children().filter(Node::is_element) {
        match name(c) {
            "r" => {
                let hidden = child(c, "rPr")
                    .and_then(|p| child(p, "vanish"))
                    .is_some_and(|v| attr(v, "val").is_none_or(|x| !matches!(x, "0" | "false")));
                if hidden {
                    continue;
                }
                for x in c.children().filter(Node::is_element) {
                    match name(x) {
                        "t" => out.push_str(x.text().unwrap_or("")),
                        "tab" | "ptab" => out.push(' '),
                        "br" | "cr" if attr(x, "type") != Some("page") => out.push('\n'),
                        "noBreakHyphen" => out.push('-'),
                        _ => {}
                    }
                }
            }
            "hyperlink" | "fldSimple" | "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo"
            | "smartTag" | "bdo" | "dir" => runs(c, out),
            _ => {}
        }
    }
}

/// One level of a list definition.
#[derive(Debug, Clone)]
struct LevelDef {
    start: u32,
    format: String,
    text: String,
}

/// A paragraph style's list (numId, ilvl) and the style it is based on.
type StyleList = (Option<String>, Option<usize>, Option<String>);

/// Word's list numbering: definitions and the counters as the document
/// goes.
struct Lists {
    /// numId → (abstractNumId, level → start override).
    nums: HashMap<String, (String, HashMap<usize, u32>)>,
    abstracts: HashMap<String, Vec<LevelDef>>,
    /// Paragraph style → its list and the style it is based on.
    styles: HashMap<String, StyleList>,
    counters: HashMap<String, [Option<u32>; 9]>,
}

impl Lists {
    fn new(numbering: Option<&str>, styles: Option<&str>) -> Lists {
        let mut lists = Lists {
            nums: HashMap::new(),
            abstracts: HashMap::new(),
            styles: HashMap::new(),
            counters: HashMap::new(),
        };
        if let Some(doc) = numbering.and_then(|t| Document::parse(t).ok()) {
            for n in doc.root_element().children().filter(Node::is_element) {
                match name(n) {
                    "abstractNum" => {
                        let Some(id) = attr(n, "abstractNumId") else {
                            continue;
                        };
                        let mut levels = vec![
                            LevelDef {
                                start: 1,
                                format: "decimal".into(),
                                text: String::new(),
                            };
                            9
                        ];
                        for l in n.children().filter(|c| name(*c) == "lvl") {
                            let Some(i) = attr(l, "ilvl").and_then(|v| v.parse::<usize>().ok())
                            else {
                                continue;
                            };
                            if i >= 9 {
                                continue;
                            }
                            let val = |local: &str| child(l, local).and_then(|c| attr(c, "val"));
                            levels[i] = LevelDef {
                                start: val("start").and_then(|v| v.parse().ok()).unwrap_or(1),
                                format: val("numFmt").unwrap_or("decimal").to_string(),
                                text: val("lvlText").unwrap_or("").to_string(),
                            };
                        }
                        lists.abstracts.insert(id.to_string(), levels);
                    }
                    "num" => {
                        let (Some(id), Some(abs)) = (
                            attr(n, "numId"),
                            child(n, "abstractNumId").and_then(|a| attr(a, "val")),
                        ) else {
                            continue;
                        };
                        let mut overrides = HashMap::new();
                        for o in n.children().filter(|c| name(*c) == "lvlOverride") {
                            if let (Some(i), Some(s)) = (
                                attr(o, "ilvl").and_then(|v| v.parse::<usize>().ok()),
                                child(o, "startOverride")
                                    .and_then(|s| attr(s, "val"))
                                    .and_then(|v| v.parse::<u32>().ok()),
                            ) {
                                overrides.insert(i, s);
                            }
                        }
                        lists
                            .nums
                            .insert(id.to_string(), (abs.to_string(), overrides));
                    }
                    _ => {}
                }
            }
        }
        if let Some(doc) = styles.and_then(|t| Document::parse(t).ok()) {
            for s in doc
                .root_element()
                .children()
                .filter(|c| name(*c) == "style")
            {
                let Some(id) = attr(s, "styleId") else {
                    continue;
                };
                let num_pr = child(s, "pPr").and_then(|p| child(p, "numPr"));
                let num = num_pr
                    .and_then(|n| child(n, "numId"))
                    .and_then(|n| attr(n, "val"))
                    .map(str::to_string);
                let lvl = num_pr
                    .and_then(|n| child(n, "ilvl"))
                    .and_then(|n| attr(n, "val"))
                    .and_then(|v| v.parse().ok());
                let based = child(s, "basedOn")
                    .and_then(|b| attr(b, "val"))
                    .map(str::to_string);
                lists.styles.insert(id.to_string(), (num, lvl, based));
            }
        }
        lists
    }

    /// The list a paragraph style gives, following `basedOn`.
    fn style_list(&self, style: &str) -> (Option<String>, Option<usize>) {
        let mut s = style.to_string();
        for _ in 0..8 {
            let Some((num, lvl, based)) = self.styles.get(&s) else {
                break;
            };
            if num.is_some() {
                return (num.clone(), *lvl);
            }
            match based {
                Some(b) => s.clone_from(b),
                None => break,
            }
        }
        (None, None)
    }

    /// The label Word draws before paragraph `p`, counting it.
    fn label(&mut self, p: Node<'_, '_>) -> Option<String> {
        let ppr = child(p, "pPr")?;
        let direct = child(ppr, "numPr");
        let style = child(ppr, "pStyle")
            .and_then(|s| attr(s, "val"))
            .map_or((None, None), |s| self.style_list(s));
        let num_id = direct
            .and_then(|n| child(n, "numId"))
            .and_then(|n| attr(n, "val"))
            .map(str::to_string)
            .or(style.0)?;
        let ilvl = direct
            .and_then(|n| child(n, "ilvl"))
            .and_then(|n| attr(n, "val"))
            .and_then(|v| v.parse::<usize>().ok())
            .or(style.1)
            .unwrap_or(0)
            .min(8);
        let (abs, overrides) = self.nums.get(&num_id)?.clone();
        let levels = self.abstracts.get(&abs)?.clone();
        // Instances of one definition continue one another unless one
        // restarts its numbering.
        let key = if overrides.is_empty() {
            format!("a{abs}")
        } else {
            format!("n{num_id}")
        };
        let start = |i: usize| overrides.get(&i).copied().unwrap_or(levels[i].start);
        let counters = self.counters.entry(key).or_insert([None; 9]);
        counters[ilvl] = Some(counters[ilvl].map_or(start(ilvl), |c| c + 1));
        for c in counters.iter_mut().skip(ilvl + 1) {
            *c = None;
        }
        let def = &levels[ilvl];
        if def.format == "bullet" {
            return Some(bullet(&def.text));
        }
        if def.format == "none" {
            return Some(String::new());
        }
        let mut out = String::new();
        let mut chars = def.text.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
            {
                chars.next();
                let i = (d as usize).saturating_sub(1).min(8);
                let value = counters[i].unwrap_or(start(i));
                out.push_str(&format_counter(value, &levels[i].format));
            } else {
                out.push(ch);
            }
        }
        Some(out)
    }
}

/// A bullet as text: symbol-font bullets become `•`.
fn bullet(text: &str) -> String {
    match text.chars().next() {
        Some(c) if ('\u{f000}'..='\u{f0ff}').contains(&c) => match c {
            '\u{f02d}' => "-".into(),
            '\u{f0d8}' | '\u{f0e0}' => "►".into(),
            _ => "•".into(),
        },
        Some(c) => c.to_string(),
        None => "•".into(),
    }
}

fn format_counter(n: u32, format: &str) -> String {
    match format {
        "upperRoman" => roman(n),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperLetter" => letters(n),
        "lowerLetter" => letters(n).to_lowercase(),
        "decimalZero" => format!("{n:02}"),
        _ => n.to_string(),
    }
}

fn roman(mut n: u32) -> String {
    let mut s = String::new();
    for (v, r) in [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// Word's letters: A … Z, then AA, BB, …
fn letters(n: u32) -> String {
    if n == 0 {
        return String::new();
    }
    let ch = (b'A' + ((n - 1) % 26) as u8) as char;
    std::iter::repeat_n(ch, ((n - 1) / 26 + 1) as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    fn docx(body: &str, numbering: Option<&str>) -> Vec<u8> {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("word/document.xml", o).unwrap();
        write!(
            z,
            r#"<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>"#
        )
        .unwrap();
        if let Some(n) = numbering {
            z.start_file("word/numbering.xml", o).unwrap();
            write!(
                z,
                r#"<?xml version="1.0"?><w:numbering xmlns:w="{W}">{n}</w:numbering>"#
            )
            .unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    }

    fn p(t: &str) -> String {
        format!("<w:p><w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r></w:p>")
    }

    #[test]
    fn merged_cells_keep_their_columns() {
        let body = format!(
            "{}<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>\
             <w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr>{}</w:tc><w:tc>{}</w:tc></w:tr>\
             <w:tr><w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>{}</w:tc><w:tc>{}{}</w:tc><w:tc>{}</w:tc></w:tr>\
             <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr>{}</w:tc><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr>\
             <w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr><w:tc>{}</w:tc></w:tr>\
             </w:tbl>",
            p("BẢNG"),
            p("A. PHẦN"),
            p("10"),
            p("1"),
            p("Tên"),
            "<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r><w:r><w:t>– Đạt: 2 điểm</w:t></w:r></w:p>",
            p("2"),
            p("1"),
            p("– Không: 0 điểm"),
            p(""),
            p("x"),
        );
        let annex = from_bytes(&docx(&body, None), &Limits::default()).unwrap();
        assert_eq!(annex.blocks[0], Block::Text("BẢNG".into()));
        let Block::Table(g) = &annex.blocks[1] else {
            panic!("{annex:?}")
        };
        let at = |r, c| g.sheet.get(r, c).display();
        assert_eq!(at(0, 0), "A. PHẦN");
        assert_eq!(at(0, 2), "10");
        assert_eq!(at(1, 1), "Tên\n– Đạt: 2 điểm");
        assert_eq!(
            at(2, 0),
            "",
            "a merged cell's text is in its first row only"
        );
        assert_eq!(at(2, 1), "– Không: 0 điểm");
        assert_eq!(at(3, 1), "x");
    }

    #[test]
    fn list_numbers_are_written_into_the_text() {
        let numbering = r#"<w:abstractNum w:abstractNumId="0">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
            <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%3"/></w:lvl>
            </w:abstractNum>
            <w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="&#xF0B7;"/></w:lvl></w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
            <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#;
        let np = |lvl: u32, id: u32, t: &str| {
            format!(
                "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"{id}\"/></w:numPr></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>"
            )
        };
        let body = [
            np(0, 1, "Một"),
            np(1, 1, "a"),
            np(2, 1, "b"),
            np(2, 1, "c"),
            np(1, 1, "d"),
            np(0, 1, "Hai"),
            np(0, 2, "Đạt"),
        ]
        .concat();
        let annex = from_bytes(&docx(&body, Some(numbering)), &Limits::default()).unwrap();
        let texts: Vec<String> = annex
            .blocks
            .iter()
            .map(|b| match b {
                Block::Text(t) => t.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "I. Một",
                "1. a",
                "1.1 b",
                "1.2 c",
                "2. d",
                "II. Hai",
                "• Đạt"
            ]
        );
    }

    #[test]
    fn a_doc_file_is_named_for_what_it_is() {
        let e = from_bytes(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], &Limits::default()).unwrap_err();
        assert!(e.0.contains(".doc"), "{e}");
        let e = from_bytes(b"PK\x03\x04 nonsense", &Limits::default()).unwrap_err();
        assert!(e.0.contains(".docx"), "{e}");
    }
}
