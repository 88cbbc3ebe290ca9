//! Finding an annex table's header and what each column holds. Annexes name
//! their columns in many ways (`TT` / `STT` / `Số TT`; `Nội dung` /
//! `Tiêu chí` / `Nội dung tiêu chí`; `Điểm chuẩn` / `Điểm tối đa` / `Điểm`
//! / `Thang điểm`), spread headings over two rows under merged cells, and
//! add columns of their own (`Tài liệu kiểm chứng`, `Ghi chú`).

use crate::domain::cells::{Sheet, Value};
use crate::domain::vn::norm;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The printed number (`TT`).
    Number,
    /// A code column (`Mã tiêu chí`), as thidua's own files have.
    Code,
    /// The criterion's text.
    Name,
    /// The maximum (`Điểm chuẩn`).
    Max,
    /// A sub-heading under a merged `Điểm` that names the maximum
    /// (`Tối đa`, `Chuẩn`).
    MaxSub,
    /// Evidence required (`Tài liệu kiểm chứng`).
    Evidence,
    /// A mandatory criterion (`Bắt buộc`).
    Hard,
    /// `Ghi chú`.
    Note,
    /// How points are given (`Cách chấm điểm`): bands.
    Bands,
}

/// The role a heading names, if any.
pub fn role(heading: &str) -> Option<Role> {
    let n = norm(heading);
    // Column numbers printed after the heading: "Nội dung (2)".
    let n = match n.rfind(" (") {
        Some(i)
            if n.ends_with(')') && n[i + 2..n.len() - 1].chars().all(|c| c.is_ascii_digit()) =>
        {
            n[..i].to_string()
        }
        _ => n,
    };
    let n = n.trim_end_matches(['.', ':']).trim();
    if n.is_empty() || n.chars().count() > 60 {
        return None;
    }
    let starts = |ps: &[&str]| ps.iter().any(|p| n.starts_with(p));
    if matches!(
        n,
        "tt" | "stt" | "số tt" | "số thứ tự" | "thứ tự" | "s tt" | "s.tt"
    ) {
        return Some(Role::Number);
    }
    if matches!(n, "mã" | "mã số" | "mã tiêu chí" | "mã số tiêu chí") {
        return Some(Role::Code);
    }
    if n.contains("bắt buộc") {
        return Some(Role::Hard);
    }
    if n.contains("minh chứng") || n.contains("kiểm chứng") {
        return Some(Role::Evidence);
    }
    if starts(&["ghi chú"]) {
        return Some(Role::Note);
    }
    if starts(&[
        "cách chấm",
        "cách tính",
        "cách thức chấm",
        "hướng dẫn chấm",
        "phương pháp chấm",
        "phương pháp tính",
        "mức chấm",
        "thang chấm",
    ]) {
        return Some(Role::Bands);
    }
    // `Điểm chuẩn`, `Điểm tối đa`, `Điểm`, `Thang điểm`, `Mức điểm tối đa`,
    // `Số điểm`; not the columns a unit or an inspector fills in.
    let scored_by_someone = [
        "tự chấm",
        "chấm",
        "kiểm tra",
        "thẩm định",
        "đạt",
        "trừ",
        "thưởng",
        "cộng",
        "đánh giá",
        "xét",
        "đề nghị",
    ]
    .iter()
    .any(|w| n.contains(w));
    if n.contains("điểm")
        && !scored_by_someone
        && starts(&["điểm", "thang điểm", "khung điểm", "mức điểm", "số điểm"])
    {
        return Some(Role::Max);
    }
    if matches!(n, "tối đa" | "chuẩn" | "tối đa được chấm" | "quy định") {
        return Some(Role::MaxSub);
    }
    if starts(&[
        "nội dung",
        "tiêu chí",
        "các tiêu chí",
        "tên tiêu chí",
        "nhiệm vụ",
    ]) {
        return Some(Role::Name);
    }
    None
}

/// A table's header: its rows and the column of each role.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub first_row: u32,
    /// Data starts below this row.
    pub last_row: u32,
    pub number: Option<u32>,
    pub code: Option<u32>,
    pub name: u32,
    pub max: u32,
    pub evidence: Option<u32>,
    pub hard: Option<u32>,
    pub note: Option<u32>,
    pub bands: Option<u32>,
}

/// Headings may spread over this many rows.
const SPAN: u32 = 3;

fn roles_of(cells: &[crate::domain::cells::Cell]) -> Vec<(Role, u32)> {
    cells
        .iter()
        .filter_map(|c| match &c.value {
            Value::Text(t) if t.chars().count() <= 80 => role(t).map(|r| (r, c.col)),
            _ => None,
        })
        .collect()
}

/// Finds the first header in a sheet: rows within [`SPAN`] of each other
/// that name the criterion's text and its maximum. A row right below that
/// holds only sub-headings (`Tối đa`) belongs to it.
pub fn find(sheet: &Sheet) -> Option<Columns> {
    let rows: Vec<(u32, Vec<(Role, u32)>)> = sheet
        .rows()
        .map(|(r, cells)| (r, roles_of(cells)))
        .collect();
    for (i, (row, roles)) in rows.iter().enumerate() {
        if roles.is_empty() {
            continue;
        }
        let window: Vec<&(u32, Vec<(Role, u32)>)> = rows[..=i]
            .iter()
            .filter(|(r, rs)| r + SPAN > *row && !rs.is_empty())
            .collect();
        let all: Vec<(Role, u32)> = window
            .iter()
            .flat_map(|(_, rs)| rs.iter().copied())
            .collect();
        let first = |want: Role| all.iter().find(|(r, _)| *r == want).map(|(_, c)| *c);
        let (Some(name), Some(_)) = (first(Role::Name), first(Role::Max).or(first(Role::MaxSub)))
        else {
            continue;
        };
        let mut last_row = *row;
        let mut sub = first(Role::MaxSub);
        if let Some((next_row, next)) = rows.get(i + 1)
            && *next_row == row + 1
            && !next.is_empty()
            && next
                .iter()
                .all(|(r, _)| matches!(r, Role::MaxSub | Role::Max))
        {
            last_row = *next_row;
            sub = sub.or_else(|| {
                next.iter()
                    .find(|(r, _)| *r == Role::MaxSub)
                    .map(|(_, c)| *c)
            });
        }
        let first_row = window.first().map_or(*row, |(r, _)| *r);
        return Some(Columns {
            first_row,
            last_row,
            number: first(Role::Number),
            code: first(Role::Code),
            name,
            max: sub.or(first(Role::Max)).unwrap_or(name),
            evidence: first(Role::Evidence),
            hard: first(Role::Hard),
            note: first(Role::Note),
            bands: first(Role::Bands),
        });
    }
    None
}

/// Whether a row repeats the header (a table split over pages or tables).
pub fn repeats(cells: &[crate::domain::cells::Cell]) -> bool {
    let roles = roles_of(cells);
    roles.iter().any(|(r, _)| *r == Role::Name)
        && roles
            .iter()
            .any(|(r, _)| matches!(r, Role::Max | Role::MaxSub | Role::Number))
}

/// Whether a row only numbers the columns: `(1) (2) (3)` or `1 2 3 4`.
pub fn numbers_columns(cells: &[crate::domain::cells::Cell]) -> bool {
    if cells.len() < 3 {
        return false;
    }
    let mut expected = None;
    for c in cells {
        let t = c.value.display();
        let t = t.trim().trim_start_matches('(').trim_end_matches(')');
        let Ok(n) = t.parse::<u32>() else {
            return false;
        };
        if let Some(e) = expected
            && n != e
        {
            return false;
        }
        expected = Some(n + 1);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cells::Cell;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, t) in row.iter().enumerate() {
                if !t.is_empty() {
                    cells.push(Cell {
                        row: r as u32,
                        col: c as u32,
                        value: Value::Text((*t).to_string()),
                    });
                }
            }
        }
        Sheet::new("x", cells)
    }

    #[test]
    fn header_variants() {
        for (number, name, max) in [
            ("TT", "Nội dung", "Điểm chuẩn"),
            ("STT", "Tiêu chí", "Điểm tối đa"),
            ("Số TT", "Nội dung tiêu chí", "Điểm"),
            ("Số\u{a0}TT", "NỘI DUNG TIÊU CHÍ (2)", "Thang điểm"),
        ] {
            let s = sheet(&[
                &["BẢNG"],
                &[],
                &[number, name, max, "Tài liệu kiểm chứng", "Ghi chú"],
            ]);
            let c = find(&s).unwrap_or_else(|| panic!("{number} {name} {max}"));
            assert_eq!(
                (c.last_row, c.number, c.name, c.max, c.evidence, c.note),
                (2, Some(0), 1, 2, Some(3), Some(4))
            );
        }
    }

    #[test]
    fn a_merged_two_row_header() {
        let s = sheet(&[
            &["STT", "Nội dung", "Điểm", "", "Ghi chú"],
            &["", "", "Tự chấm", "Tối đa", ""],
            &["(1)", "(2)", "(3)", "(4)", "(5)"],
        ]);
        let c = find(&s).unwrap();
        assert_eq!((c.first_row, c.last_row, c.max), (0, 1, 3));
        assert!(numbers_columns(&s.cells[s.cells.len() - 5..]));
    }

    #[test]
    fn self_scoring_columns_are_not_the_maximum() {
        assert_eq!(role("Điểm tự chấm"), None);
        assert_eq!(role("Điểm kiểm tra"), None);
        assert_eq!(role("Số điểm tự chấm"), None);
        assert_eq!(role("Điểm thẩm định"), None);
        assert_eq!(role("Mức điểm tối đa"), Some(Role::Max));
        assert_eq!(role("Điểm chuẩn (điểm)"), Some(Role::Max));
        assert_eq!(role("Tiêu chí bắt buộc"), Some(Role::Hard));
        assert_eq!(role("Tài liệu minh chứng"), Some(Role::Evidence));
    }
}
