//! The markup the document templates produce: a small XHTML vocabulary
//! (`p`, `h1`–`h3`, `b`, `i`, `br`, `table`/`thead`/`tbody`/`tr`/`th`/`td`)
//! plus the parts of an official document that HTML has no words for
//! (`header`, `title`, `subject`, `chart`, `signatures`, `closing`). Parsed
//! with roxmltree into plain values; layout happens in `layout`. The
//! vocabulary is described in `docs/documents.md`.

use roxmltree::{Document, Node};

use super::DocumentError;
use super::fonts::Style;

/// Text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub style: Style,
}

/// A piece of inline content: styled text or a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(Run),
    Break,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

/// A paragraph or heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub content: Vec<Inline>,
    pub align: Align,
    pub size: f32,
    /// First-line indent, in points.
    pub indent: f32,
    pub space_before: f32,
    pub space_after: f32,
    /// A heading stays on the page of what follows it.
    pub keep_with_next: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub content: Vec<Inline>,
    pub align: Align,
    pub span: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Relative column widths.
    pub widths: Vec<f32>,
    pub size: f32,
    /// Repeated at the top of every page the table runs onto.
    pub head: Vec<Vec<Cell>>,
    pub body: Vec<Vec<Cell>>,
    /// By body row: `<tr keep="next">`, the row stays on the page of the
    /// row after it (a group heading is never left alone at a page foot).
    pub keep: Vec<bool>,
}

impl Table {
    /// Whether body row `i` stays on the page of the row after it.
    pub fn keeps(&self, i: usize) -> bool {
        self.keep.get(i).copied().unwrap_or(false) && i + 1 < self.body.len()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f32,
    pub text: String,
}

/// A horizontal bar chart: one bar per unit, scaled to `max`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub max: f32,
    pub size: f32,
    pub bars: Vec<Bar>,
}

/// A signature block: role lines (capitals, bold), space to sign, the name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signature {
    pub role: Vec<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    Table(Table),
    Chart(Chart),
    /// Signature blocks in a grid; a row is never split across pages.
    Signatures {
        columns: usize,
        blocks: Vec<Signature>,
    },
    /// "Nơi nhận:" on the left, level with the signature on the right.
    Closing {
        recipients: Vec<String>,
        signature: Signature,
    },
    PageBreak,
}

/// The heading of an official document (Decree 30/2020/NĐ-CP).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Header {
    /// The parent body, capitals, regular.
    pub parent: String,
    /// The issuing body, capitals, bold, with a short rule under it.
    pub issuer: String,
    /// "Số: 05/BC-KVTĐ".
    pub number: String,
    /// "Quảng Trị, ngày 09 tháng 12 năm 2022".
    pub place_date: String,
    /// Document type in capitals ("BÁO CÁO").
    pub title: String,
    /// Subject lines, bold.
    pub subject: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub header: Header,
    pub blocks: Vec<Block>,
    /// `<document notice="…">`: a line printed at the foot of every page
    /// (a paper made from a sample criteria table says so on each).
    pub notice: Option<String>,
}

/// Body text size (Decree 30: 13–14 pt) and first-line indent (1,27 cm).
pub const BODY_SIZE: f32 = 13.5;
pub const INDENT: f32 = 36.0;

fn bad(node: Node, reason: impl Into<String>) -> DocumentError {
    let pos = node.document().text_pos_at(node.range().start);
    DocumentError::Markup {
        line: pos.row,
        reason: reason.into(),
    }
}

fn attr_f32(node: Node, name: &str, default: f32) -> Result<f32, DocumentError> {
    match node.attribute(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| {
                bad(
                    node,
                    format!("<{}> {name}=\"{v}\" is not a number", tag(node)),
                )
            }),
    }
}

fn align(node: Node, default: Align) -> Result<Align, DocumentError> {
    match node.attribute("align") {
        None => Ok(default),
        Some("left") => Ok(Align::Left),
        Some("center") => Ok(Align::Center),
        Some("right") => Ok(Align::Right),
        Some("justify") => Ok(Align::Justify),
        Some(v) => Err(bad(
            node,
            format!("align=\"{v}\": use left, center, right or justify"),
        )),
    }
}

fn tag<'a>(node: Node<'a, '_>) -> &'a str {
    node.tag_name().name()
}

/// White space a line may break at; no-break spaces (`&#160;`) are kept
/// as they are, e.g. for the blank left for the number in "Số:      /BC".
pub fn breaking_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Collapses runs of white space into one space, as HTML does; the ends
/// of a paragraph are trimmed by the caller.
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if breaking_space(c) {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

fn inline(node: Node, style: Style, out: &mut Vec<Inline>) -> Result<(), DocumentError> {
    for child in node.children() {
        if child.is_text() {
            let text = squeeze(child.text().unwrap_or_default());
            if !text.is_empty() {
                out.push(Inline::Text(Run { text, style }));
            }
        } else if child.is_element() {
            match tag(child) {
                "b" | "strong" => inline(child, style.bold(), out)?,
                "i" | "em" => inline(child, style.italic(), out)?,
                "span" => inline(child, style, out)?,
                "br" => out.push(Inline::Break),
                other => {
                    return Err(bad(
                        child,
                        format!("<{other}> cannot stand inside a paragraph"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn runs(node: Node, style: Style) -> Result<Vec<Inline>, DocumentError> {
    let mut out = Vec::new();
    inline(node, style, &mut out)?;
    // Trim the white space at both ends of the paragraph.
    if let Some(Inline::Text(r)) = out.first_mut() {
        r.text = r.text.trim_start().to_string();
    }
    if let Some(Inline::Text(r)) = out.last_mut() {
        r.text = r.text.trim_end().to_string();
    }
    out.retain(|i| !matches!(i, Inline::Text(r) if r.text.is_empty()));
    Ok(out)
}

/// The plain text of an element, white space collapsed.
fn text(node: Node) -> String {
    let all: String = node
        .descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    squeeze(&all).trim().to_string()
}

fn para(node: Node) -> Result<Para, DocumentError> {
    let base = Para {
        content: Vec::new(),
        align: Align::Justify,
        size: BODY_SIZE,
        indent: INDENT,
        space_before: 0.0,
        space_after: 6.0,
        keep_with_next: false,
    };
    let (style, p) = match tag(node) {
        "h1" => (
            Style::Bold,
            Para {
                align: Align::Center,
                indent: 0.0,
                space_before: 6.0,
                keep_with_next: true,
                ..base
            },
        ),
        "h2" => (
            Style::Bold,
            Para {
                space_before: 6.0,
                keep_with_next: true,
                ..base
            },
        ),
        "h3" => (
            Style::BoldItalic,
            Para {
                keep_with_next: true,
                ..base
            },
        ),
        _ => (Style::Regular, base),
    };
    let indent = if node.attribute("indent") == Some("0") {
        0.0
    } else {
        p.indent
    };
    Ok(Para {
        content: runs(node, style)?,
        align: align(node, p.align)?,
        size: attr_f32(node, "size", p.size)?,
        indent,
        space_before: attr_f32(node, "space-before", p.space_before)?,
        space_after: attr_f32(node, "space-after", p.space_after)?,
        // `<p keep="next">`: a closing line kept with the signatures after it.
        keep_with_next: p.keep_with_next || keep_next(node)?,
    })
}

/// `keep="next"` on an element: it stays on the page of what follows.
fn keep_next(node: Node) -> Result<bool, DocumentError> {
    match node.attribute("keep") {
        None => Ok(false),
        Some("next") => Ok(true),
        Some(v) => Err(bad(
            node,
            format!("keep=\"{v}\": the only value is \"next\""),
        )),
    }
}

fn row(node: Node, header: bool) -> Result<Vec<Cell>, DocumentError> {
    let mut cells = Vec::new();
    for c in node.children().filter(Node::is_element) {
        let (style, default) = match tag(c) {
            "th" => (Style::Bold, Align::Center),
            "td" if header => (Style::Bold, Align::Center),
            "td" => (Style::Regular, Align::Left),
            other => {
                return Err(bad(
                    c,
                    format!("<{other}> in a table row: use <th> or <td>"),
                ));
            }
        };
        let span = c
            .attribute("colspan")
            .map_or(Ok(1), |v| {
                v.parse::<usize>()
                    .map_err(|_| bad(c, "colspan is not a number"))
            })?
            .max(1);
        cells.push(Cell {
            content: runs(c, style)?,
            align: align(c, default)?,
            span,
        });
    }
    Ok(cells)
}

fn table(node: Node) -> Result<Table, DocumentError> {
    let widths: Vec<f32> = node
        .attribute("widths")
        .ok_or_else(|| bad(node, "<table> needs widths=\"…\" (relative column widths)"))?
        .split_whitespace()
        .map(|w| w.parse::<f32>().ok().filter(|x| *x > 0.0))
        .collect::<Option<_>>()
        .ok_or_else(|| bad(node, "<table> widths must be positive numbers"))?;
    if widths.is_empty() {
        return Err(bad(node, "<table> widths is empty"));
    }
    let mut head = Vec::new();
    let mut body = Vec::new();
    let mut keep = Vec::new();
    for part in node.children().filter(Node::is_element) {
        match tag(part) {
            "thead" => {
                for r in part.children().filter(Node::is_element) {
                    head.push(row(r, true)?);
                }
            }
            "tbody" => {
                for r in part.children().filter(Node::is_element) {
                    body.push(row(r, false)?);
                    keep.push(keep_next(r)?);
                }
            }
            "tr" => {
                body.push(row(part, false)?);
                keep.push(keep_next(part)?);
            }
            other => return Err(bad(part, format!("<{other}> in a table"))),
        }
    }
    for r in head.iter().chain(&body) {
        let n: usize = r.iter().map(|c| c.span).sum();
        if n != widths.len() {
            return Err(bad(
                node,
                format!("a row has {n} columns, the table {}", widths.len()),
            ));
        }
    }
    Ok(Table {
        widths,
        size: attr_f32(node, "size", 11.0)?,
        head,
        body,
        keep,
    })
}

fn chart(node: Node) -> Result<Chart, DocumentError> {
    let mut bars = Vec::new();
    for b in node.children().filter(Node::is_element) {
        if tag(b) != "bar" {
            return Err(bad(b, "a <chart> holds only <bar> elements"));
        }
        bars.push(Bar {
            label: b.attribute("label").unwrap_or_default().to_string(),
            value: attr_f32(b, "value", 0.0)?,
            text: text(b),
        });
    }
    Ok(Chart {
        max: attr_f32(node, "max", 0.0)?,
        size: attr_f32(node, "size", 11.0)?,
        bars,
    })
}

fn signature(node: Node) -> Signature {
    let mut s = Signature::default();
    for c in node.children().filter(Node::is_element) {
        match tag(c) {
            "role" => s.role.push(text(c)),
            "name" => s.name = text(c),
            _ => {}
        }
    }
    s
}

fn block(node: Node, header: &mut Header, blocks: &mut Vec<Block>) -> Result<(), DocumentError> {
    match tag(node) {
        "header" => {
            for c in node.children().filter(Node::is_element) {
                let t = text(c);
                match tag(c) {
                    "parent" => header.parent = t,
                    "issuer" => header.issuer = crate::domain::vn::keep_phrases(&t),
                    "number" => header.number = t,
                    "place-date" => header.place_date = t,
                    other => return Err(bad(c, format!("<{other}> in <header>"))),
                }
            }
        }
        "title" => header.title = text(node),
        "subject" => header.subject.push(text(node)),
        "p" | "h1" | "h2" | "h3" => blocks.push(Block::Para(para(node)?)),
        "table" => blocks.push(Block::Table(table(node)?)),
        "chart" => blocks.push(Block::Chart(chart(node)?)),
        "signatures" => {
            let columns = attr_f32(node, "columns", 2.0)?.clamp(1.0, 4.0) as usize;
            let blocks_in = node
                .children()
                .filter(|c| c.is_element() && tag(*c) == "signature")
                .map(signature)
                .collect();
            blocks.push(Block::Signatures {
                columns,
                blocks: blocks_in,
            });
        }
        "closing" => {
            let mut recipients = Vec::new();
            let mut sig = Signature::default();
            for c in node.children().filter(Node::is_element) {
                match tag(c) {
                    "recipients" => {
                        recipients.extend(c.children().filter(Node::is_element).map(text));
                    }
                    "signature" => sig = signature(c),
                    other => return Err(bad(c, format!("<{other}> in <closing>"))),
                }
            }
            blocks.push(Block::Closing {
                recipients,
                signature: sig,
            });
        }
        "pagebreak" => blocks.push(Block::PageBreak),
        "section" | "div" => {
            for c in node.children().filter(Node::is_element) {
                block(c, header, blocks)?;
            }
        }
        other => return Err(bad(node, format!("unknown element <{other}>"))),
    }
    Ok(())
}

/// Parses a rendered template.
pub fn parse(xml: &str) -> Result<Doc, DocumentError> {
    let doc = Document::parse(xml).map_err(|e| DocumentError::Markup {
        line: e.pos().row,
        reason: e.to_string(),
    })?;
    let root = doc.root_element();
    if tag(root) != "document" {
        return Err(bad(root, "the root element must be <document>"));
    }
    let mut header = Header::default();
    let mut blocks = Vec::new();
    for c in root.children().filter(Node::is_element) {
        block(c, &mut header, &mut blocks)?;
    }
    let notice = root
        .attribute("notice")
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty());
    Ok(Doc {
        header,
        blocks,
        notice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_keep_their_styles_and_collapse_spaces() {
        let d = parse(
            "<document><title>BÁO CÁO</title><p>Một   <b>hai <i>ba</i></b>\n bốn<br/>năm</p></document>",
        )
        .unwrap();
        assert_eq!(d.header.title, "BÁO CÁO");
        let Block::Para(p) = &d.blocks[0] else {
            panic!()
        };
        let texts: Vec<_> = p
            .content
            .iter()
            .map(|i| match i {
                Inline::Text(r) => format!("{:?}:{}", r.style, r.text),
                Inline::Break => "|".into(),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "Regular:Một ",
                "Bold:hai ",
                "BoldItalic:ba",
                "Regular: bốn",
                "|",
                "Regular:năm"
            ]
        );
        assert!((p.indent - INDENT).abs() < f32::EPSILON);
    }

    #[test]
    fn mistakes_name_the_line() {
        let e = parse("<document>\n<p>x</p>\n<blink/></document>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("blink"), "{e}");
        let e = parse("<document>\n<table widths=\"1 2\"><tr><td>x</td></tr></table></document>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("1 columns, the table 2"), "{e}");
        let e = parse("<document><p>a & b</p></document>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
