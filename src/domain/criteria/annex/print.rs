//! A table as the ministry prints its annex, for `thidua criteria export`:
//! the title, the line naming the decision, and a row per criterion with
//! its number, code, text, maximum, evidence and mandatory marks and its
//! bands. The writers (`.xlsx`, `.docx`) lay these rows out; the import
//! reads them back to the same table.

use crate::domain::criteria::{Kind, Table};
use crate::domain::vn::format_number;

/// The columns of a printed annex, in order.
pub const COLUMNS: [&str; 6] = [
    "TT",
    "Mã tiêu chí",
    "Nội dung tiêu chí",
    "Điểm chuẩn",
    "Tài liệu kiểm chứng",
    "Ghi chú",
];

/// What the evidence column says for a criterion that needs evidence.
pub const EVIDENCE_MARK: &str = "Có";
/// What the note column says for a mandatory criterion.
pub const HARD_MARK: &str = "Bắt buộc";
/// The label of the total row.
pub const TOTAL: &str = "TỔNG ĐIỂM CHUẨN";

/// One criterion's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: String,
    pub code: String,
    pub name: String,
    pub max: f64,
    pub evidence: bool,
    pub hard: bool,
    /// 0 for a part, 1 for its groups, …
    pub depth: usize,
    pub group: bool,
    /// (points, condition), as printed under the criterion.
    pub bands: Vec<(f64, String)>,
}

/// The annex of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    pub title: String,
    /// "(Kèm theo Quyết định số …)".
    pub decision: String,
    pub rows: Vec<Row>,
    pub total: f64,
}

/// A band as one line in a cell: "– Đạt 100%: 2 điểm".
pub fn band_line(points: f64, condition: &str) -> String {
    format!("– {condition}: {} điểm", format_number(points))
}

/// Lays out `table` as an annex.
pub fn print(table: &Table) -> Printed {
    let decision = if table.decision.to_lowercase().starts_with("quyết định") {
        format!("(Kèm theo {})", table.decision)
    } else {
        format!("({})", table.decision)
    };
    let rows = table
        .criteria
        .iter()
        .map(|c| {
            // A part's kind is read from its heading: say it where the
            // heading does not.
            let named = super::text::kind_of(&c.name);
            let name = match (c.parent, c.kind) {
                (None, Kind::Bonus) if named != Some(Kind::Bonus) => {
                    format!("{} (điểm thưởng)", c.name)
                }
                (None, Kind::Deduction) if named != Some(Kind::Deduction) => {
                    format!("{} (điểm trừ)", c.name)
                }
                _ => c.name.clone(),
            };
            Row {
                number: c.number.clone(),
                code: c.code.clone(),
                name,
                max: c.max,
                evidence: c.evidence,
                hard: c.hard,
                depth: c.depth,
                group: !c.is_leaf(),
                bands: c
                    .bands
                    .iter()
                    .map(|b| (b.points, b.condition.clone()))
                    .collect(),
            }
        })
        .collect();
    Printed {
        title: table.title.clone(),
        decision,
        rows,
        total: table.max,
    }
}
