//! From a sheet of cells to a submission: where the table header is, what
//! the header block declares (unit, year; inspector and inspected for a
//! cross-check), and the table's rows with the cell of every value. Pure:
//! nothing here knows the criteria table; `validate` resolves rows against it.

use std::collections::HashMap;

use crate::domain::cells::{Cell, Sheet, Value};
use crate::domain::vn::norm;

/// Zero-based `(row, col)`.
pub type Pos = (u32, u32);

pub const SHEET_SELF: &str = "Tự chấm điểm";
pub const SHEET_CROSS: &str = "Kiểm tra chéo";
pub const SHEET_FIGURES: &str = "Số liệu";
pub const SHEET_BALLOT: &str = "Phiếu bầu";

/// A value with the cell it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub value: Value,
    pub pos: Pos,
}

impl Located {
    pub fn text(&self) -> String {
        crate::domain::vn::clean(&self.value.display())
    }
}

/// The table headings the contract names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Heading {
    Number,
    Code,
    Name,
    Max,
    SelfScore,
    Evidence,
    Note,
    Verified,
    Reason,
    // `Số liệu` sheet
    IndicatorCode,
    IndicatorName,
    IndicatorValue,
    // `Phiếu bầu` sheet
    AwardCode,
    Candidate,
    Agree,
}

impl Heading {
    /// The label printed on forms.
    pub fn label(self) -> &'static str {
        match self {
            Heading::Number => "TT",
            Heading::Code => "Mã tiêu chí",
            Heading::Name => "Tiêu chí",
            Heading::Max => "Điểm chuẩn",
            Heading::SelfScore => "Điểm tự chấm",
            Heading::Evidence => "Tài liệu minh chứng",
            Heading::Note => "Ghi chú",
            Heading::Verified => "Điểm kiểm tra",
            Heading::Reason => "Lý do",
            Heading::IndicatorCode => "Mã",
            Heading::IndicatorName => "Chỉ tiêu",
            Heading::IndicatorValue => "Số liệu",
            Heading::AwardCode => "Mã hình thức",
            Heading::Candidate => "Mã đơn vị được bầu",
            Heading::Agree => "Đồng ý",
        }
    }

    fn matches(self, normalized: &str) -> bool {
        match self {
            Heading::Number => matches!(normalized, "tt" | "stt" | "số tt"),
            other => normalized == norm(other.label()),
        }
    }
}

/// The labels of the header block above a table (contract §1 and §2), each
/// followed by its value in the next cell to the right. The reader compares
/// them normalised and allows a trailing `:`; the forms print them with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Unit,
    Year,
    UnitName,
    Preparer,
    Inspector,
    Inspected,
}

impl Label {
    pub fn text(self) -> &'static str {
        match self {
            Label::Unit => "Mã đơn vị",
            Label::Year => "Năm",
            Label::UnitName => "Đơn vị",
            Label::Preparer => "Người lập",
            Label::Inspector => "Đơn vị kiểm tra",
            Label::Inspected => "Đơn vị được kiểm tra",
        }
    }

    /// As the forms print it: `Mã đơn vị:`.
    pub fn printed(self) -> String {
        format!("{}:", self.text())
    }
}

/// Headings a self-scoring table must have.
pub const SELF_REQUIRED: &[Heading] = &[
    Heading::Number,
    Heading::Name,
    Heading::Max,
    Heading::SelfScore,
];
const SELF_OPTIONAL: &[Heading] = &[Heading::Code, Heading::Evidence, Heading::Note];
/// Headings a cross-check table must have.
pub const CROSS_REQUIRED: &[Heading] = &[Heading::Number, Heading::Verified, Heading::Reason];
const CROSS_OPTIONAL: &[Heading] = &[Heading::Code, Heading::Name, Heading::SelfScore];
const FIGURES_REQUIRED: &[Heading] = &[Heading::IndicatorCode, Heading::IndicatorValue];
/// Headings a ballot table must have.
pub const BALLOT_REQUIRED: &[Heading] = &[Heading::AwardCode, Heading::Candidate, Heading::Agree];
const FIGURES_OPTIONAL: &[Heading] = &[Heading::IndicatorName];

/// Headings may be spread over this many rows (merged, two-level headers).
const HEADER_SPAN: u32 = 3;

/// Where a table's header is and which column holds each heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The last row of the header; data starts below it.
    pub row: u32,
    pub columns: HashMap<Heading, u32>,
}

/// A header that was not found: the closest row and what it lacked.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingHeader {
    /// The row holding most of the required headings, if any held one.
    pub row: Option<u32>,
    pub missing: Vec<Heading>,
}

/// Finds the first row by which all `required` headings have appeared within
/// [`HEADER_SPAN`] rows; `optional` headings are picked up from the same rows.
pub fn find_header(
    sheet: &Sheet,
    required: &[Heading],
    optional: &[Heading],
) -> Result<Header, MissingHeader> {
    let all: Vec<Heading> = required.iter().chain(optional).copied().collect();
    let mut seen: Vec<(u32, Heading, u32)> = Vec::new();
    let mut best: (usize, Option<u32>) = (0, None);
    for (row, cells) in sheet.rows() {
        for c in cells {
            if let Value::Text(t) = &c.value {
                if t.len() > 80 {
                    continue;
                }
                let n = norm(t);
                if let Some(h) = all.iter().find(|h| h.matches(&n)) {
                    seen.push((row, *h, c.col));
                }
            }
        }
        seen.retain(|(r, _, _)| r + HEADER_SPAN > row);
        let mut columns = HashMap::new();
        for (_, h, col) in &seen {
            columns.entry(*h).or_insert(*col);
        }
        let have = required.iter().filter(|h| columns.contains_key(h)).count();
        if have == required.len() {
            return Ok(Header { row, columns });
        }
        if have > best.0 {
            best = (have, Some(row));
        }
    }
    let missing_in = |row: Option<u32>| -> Vec<Heading> {
        let present: Vec<Heading> = match row {
            Some(r) => sheet
                .rows()
                .filter(|(x, _)| *x + HEADER_SPAN > r && *x <= r)
                .flat_map(|(_, cells)| cells.iter())
                .filter_map(|c| match &c.value {
                    Value::Text(t) if t.len() <= 80 => {
                        let n = norm(t);
                        required.iter().find(|h| h.matches(&n)).copied()
                    }
                    _ => None,
                })
                .collect(),
            None => Vec::new(),
        };
        required
            .iter()
            .filter(|h| !present.contains(h))
            .copied()
            .collect()
    };
    Err(MissingHeader {
        row: best.1,
        missing: missing_in(best.1),
    })
}

/// A label of the header block and the value beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub label: Pos,
    /// `None` when nothing follows the label on its row.
    pub value: Option<Located>,
}

/// The labels of the header blocks: a value is never one of them.
const HEADER_LABELS: &[&str] = &[
    "mã đơn vị",
    "năm",
    "đơn vị",
    "người lập",
    "ngày lập",
    "đơn vị kiểm tra",
    "đơn vị được kiểm tra",
];

fn is_header_label(v: &Value) -> bool {
    matches!(v, Value::Text(t) if t.len() < 60 && HEADER_LABELS.contains(&norm(t).as_str()))
}

/// Finds `label` in rows before `before` and the next non-empty cell to its
/// right; `Mã đơn vị: STP-QTR` typed into one cell is accepted too.
pub fn find_label(sheet: &Sheet, before: u32, label: &str) -> Option<Labelled> {
    let wanted = norm(label);
    for (row, cells) in sheet.rows() {
        if row >= before {
            break;
        }
        for (i, c) in cells.iter().enumerate() {
            let Value::Text(t) = &c.value else { continue };
            if t.len() > 200 {
                continue;
            }
            let n = norm(t);
            if n == wanted {
                let value = cells[i + 1..]
                    .iter()
                    .find(|x| !x.value.is_empty())
                    .filter(|x| !is_header_label(&x.value))
                    .map(|x| Located {
                        value: x.value.clone(),
                        pos: (x.row, x.col),
                    });
                return Some(Labelled {
                    label: (c.row, c.col),
                    value,
                });
            }
            if let Some((l, v)) = t.split_once(':')
                && norm(l) == wanted
                && !v.trim().is_empty()
            {
                return Some(Labelled {
                    label: (c.row, c.col),
                    value: Some(Located {
                        value: Value::Text(v.trim().to_string()),
                        pos: (c.row, c.col),
                    }),
                });
            }
        }
    }
    None
}

/// One row of a criteria table (self-scoring or cross-check).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub row: u32,
    pub number: Option<Located>,
    pub code: Option<Located>,
    pub max: Option<Located>,
    /// The self score (self-scoring) or the verified score (cross-check).
    pub score: Located,
    /// The self score printed on a cross-check, when present.
    pub printed_self: Option<Located>,
    pub evidence: Option<Located>,
    pub reason: Option<Located>,
}

/// Words that open the signature and footer lines below a table.
const FOOTER_MARKERS: &[&str] = &[
    "người lập",
    "thủ trưởng",
    "xác nhận",
    "ký tên",
    "ký, ghi rõ",
    "giám đốc",
    "trưởng đoàn",
    "đại diện",
    "tm.",
    "kt.",
];

fn located(sheet: &Sheet, row: u32, col: Option<u32>) -> Option<Located> {
    let col = col?;
    let value = sheet.get(row, col);
    (!value.is_empty()).then(|| Located {
        value: value.clone(),
        pos: (row, col),
    })
}

/// A "TỔNG CỘNG" line typed (or merged) into the number column.
fn is_total_label(l: &Located) -> bool {
    let n = norm(&l.text());
    n.starts_with("tổng") || n.starts_with("cộng")
}

fn is_footer(cells: &[Cell]) -> bool {
    // Signature lines are short; criterion and band texts are not.
    cells.iter().any(|c| match &c.value {
        // Signature lines carry no points; band lines always do.
        Value::Text(t)
            if t.len() <= 64
                && t.trim_start().starts_with(char::is_alphabetic)
                && !t.chars().any(|c| c.is_ascii_digit()) =>
        {
            let n = norm(t);
            FOOTER_MARKERS.iter().any(|m| n.starts_with(m))
        }
        _ => false,
    })
}

/// The table's rows below `header`: rows with a number or a code, up to the
/// first footer line. `score_heading` is the column read as the score.
pub fn table_rows(sheet: &Sheet, header: &Header, score_heading: Heading) -> Vec<Row> {
    let col = |h: Heading| header.columns.get(&h).copied();
    let score_col = col(score_heading).unwrap_or(0);
    let mut rows = Vec::new();
    for (row, cells) in sheet.rows() {
        if row <= header.row {
            continue;
        }
        let number = located(sheet, row, col(Heading::Number));
        let code = located(sheet, row, col(Heading::Code));
        if number.is_none() && code.is_none()
            || code.is_none() && number.as_ref().is_some_and(is_total_label)
        {
            if is_footer(cells) {
                break;
            }
            continue;
        }
        rows.push(Row {
            row,
            number,
            code,
            max: located(sheet, row, col(Heading::Max)),
            score: Located {
                value: sheet.get(row, score_col).clone(),
                pos: (row, score_col),
            },
            printed_self: match score_heading {
                Heading::Verified => located(sheet, row, col(Heading::SelfScore)),
                _ => None,
            },
            evidence: located(sheet, row, col(Heading::Evidence)),
            reason: located(sheet, row, col(Heading::Reason)),
        });
    }
    rows
}

/// A parsed self-scoring sheet.
#[derive(Debug, Clone)]
pub struct SelfScoring {
    pub sheet: String,
    pub header: Header,
    pub unit: Option<Labelled>,
    pub year: Option<Labelled>,
    pub rows: Vec<Row>,
    /// Whether an evidence column exists.
    pub has_evidence: bool,
}

pub fn self_scoring(sheet: &Sheet) -> Result<SelfScoring, MissingHeader> {
    let header = find_header(sheet, SELF_REQUIRED, SELF_OPTIONAL)?;
    Ok(SelfScoring {
        sheet: sheet.name.clone(),
        unit: find_label(sheet, header.row, Label::Unit.text()),
        year: find_label(sheet, header.row, Label::Year.text()),
        rows: table_rows(sheet, &header, Heading::SelfScore),
        has_evidence: header.columns.contains_key(&Heading::Evidence),
        header,
    })
}

/// A parsed cross-check sheet.
#[derive(Debug, Clone)]
pub struct CrossCheck {
    pub sheet: String,
    pub header: Header,
    pub inspector: Option<Labelled>,
    pub inspected: Option<Labelled>,
    pub year: Option<Labelled>,
    pub rows: Vec<Row>,
}

pub fn cross_check(sheet: &Sheet) -> Result<CrossCheck, MissingHeader> {
    let header = find_header(sheet, CROSS_REQUIRED, CROSS_OPTIONAL)?;
    Ok(CrossCheck {
        sheet: sheet.name.clone(),
        inspector: find_label(sheet, header.row, Label::Inspector.text()),
        inspected: find_label(sheet, header.row, Label::Inspected.text()),
        year: find_label(sheet, header.row, Label::Year.text()),
        rows: table_rows(sheet, &header, Heading::Verified),
        header,
    })
}

/// One line of a ballot: an award, a candidate and the mark.
#[derive(Debug, Clone, PartialEq)]
pub struct BallotRow {
    pub row: u32,
    pub award: Located,
    pub candidate: Located,
    /// `None` when the cell is blank.
    pub mark: Option<Located>,
}

/// A parsed ballot sheet.
#[derive(Debug, Clone)]
pub struct BallotSheet {
    pub sheet: String,
    pub header: Header,
    pub unit: Option<Labelled>,
    pub year: Option<Labelled>,
    pub rows: Vec<BallotRow>,
}

/// Reads a ballot: rows with both an award code and a candidate code, down
/// to the footer.
pub fn ballot(sheet: &Sheet) -> Result<BallotSheet, MissingHeader> {
    let header = find_header(sheet, BALLOT_REQUIRED, &[])?;
    let col = |h: Heading| header.columns.get(&h).copied();
    let mut rows = Vec::new();
    for (row, cells) in sheet.rows().filter(|(r, _)| *r > header.row) {
        if is_footer(cells) {
            break;
        }
        let (Some(award), Some(candidate)) = (
            located(sheet, row, col(Heading::AwardCode)),
            located(sheet, row, col(Heading::Candidate)),
        ) else {
            continue;
        };
        rows.push(BallotRow {
            row,
            award,
            candidate,
            mark: located(sheet, row, col(Heading::Agree)),
        });
    }
    Ok(BallotSheet {
        sheet: sheet.name.clone(),
        unit: find_label(sheet, header.row, Label::Unit.text()),
        year: find_label(sheet, header.row, Label::Year.text()),
        rows,
        header,
    })
}

/// One line of the `Số liệu` sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub code: Located,
    pub value: Located,
}

#[derive(Debug, Clone)]
pub struct Figures {
    pub sheet: String,
    pub rows: Vec<FigureRow>,
}

pub fn figures(sheet: &Sheet) -> Result<Figures, MissingHeader> {
    let header = find_header(sheet, FIGURES_REQUIRED, FIGURES_OPTIONAL)?;
    let code_col = header.columns[&Heading::IndicatorCode];
    let value_col = header.columns[&Heading::IndicatorValue];
    let rows = sheet
        .rows()
        .filter(|(row, _)| *row > header.row)
        .filter_map(|(row, _)| {
            let code = located(sheet, row, Some(code_col))?;
            Some(FigureRow {
                code,
                value: Located {
                    value: sheet.get(row, value_col).clone(),
                    pos: (row, value_col),
                },
            })
        })
        .collect();
    Ok(Figures {
        sheet: sheet.name.clone(),
        rows,
    })
}

/// Whether a sheet name is `wanted` after normalisation.
pub fn same_name(name: &str, wanted: &str) -> bool {
    norm(name) == norm(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(row: u32, col: u32, t: &str) -> Cell {
        Cell {
            row,
            col,
            value: Value::Text(t.into()),
        }
    }

    #[test]
    fn header_over_two_rows_with_merged_headings() {
        // "TT" and "Tiêu chí" merged over rows 5–6; the scores under "Điểm".
        let sheet = Sheet::new(
            "x",
            vec![
                text(1, 0, "Mã đơn vị:"),
                text(1, 2, "STP-QTR"),
                text(5, 0, "STT"),
                text(5, 1, "TIÊU CHÍ"),
                text(5, 2, "Điểm"),
                text(6, 2, "Điểm chuẩn"),
                text(6, 3, "Điểm\ntự chấm"),
                text(7, 0, "1"),
            ],
        );
        let h = find_header(&sheet, SELF_REQUIRED, SELF_OPTIONAL).unwrap();
        assert_eq!(h.row, 6);
        assert_eq!(h.columns[&Heading::SelfScore], 3);
        assert_eq!(h.columns[&Heading::Number], 0);
        let unit = find_label(&sheet, h.row, "Mã đơn vị").unwrap();
        assert_eq!(unit.value.unwrap().pos, (1, 2));
    }

    #[test]
    fn missing_heading_is_named() {
        let sheet = Sheet::new(
            "x",
            vec![
                text(3, 0, "TT"),
                text(3, 1, "Tiêu chí"),
                text(3, 2, "Điểm chuẩn"),
            ],
        );
        let e = find_header(&sheet, SELF_REQUIRED, SELF_OPTIONAL).unwrap_err();
        assert_eq!(e.row, Some(3));
        assert_eq!(e.missing, vec![Heading::SelfScore]);
    }

    #[test]
    fn rows_stop_at_the_signature_line() {
        let sheet = Sheet::new(
            "x",
            vec![
                text(0, 0, "TT"),
                text(0, 1, "Tiêu chí"),
                text(0, 2, "Điểm chuẩn"),
                text(0, 3, "Điểm tự chấm"),
                text(1, 0, "1"),
                text(2, 1, "- Đạt 100%: 2 điểm"),
                text(3, 1, "NGƯỜI LẬP BIỂU"),
                text(4, 0, "2"),
            ],
        );
        let s = self_scoring(&sheet).unwrap();
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].score.pos, (1, 3));
    }
}
