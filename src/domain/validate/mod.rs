//! Checking a parsed submission against the cluster and the year's criteria
//! table: every finding of the contract's section 4, each with its cell and a
//! Vietnamese message quoting the value. Pure: values in, a verdict out.

mod ballot;
mod rows;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::domain::cells::Value;
use crate::domain::cluster::{Cluster, Unit};
use crate::domain::criteria::{Table, TableSet};
use crate::domain::findings::{Code, Finding};
use crate::domain::submission::{CrossCheck, Figures, Labelled, MissingHeader, SelfScoring};
use crate::domain::vn::{format_number, parse_whole, quote};

pub use ballot::{BallotContext, ballot};
pub use rows::score_of;
pub(crate) use rows::total as total_of;

/// What a workbook was taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubmissionKind {
    SelfScoring,
    CrossCheck,
    Ballot,
}

/// A unit's accepted self scores, by criterion code.
pub type SelfScores = HashMap<String, f64>;

/// What validation needs to know beyond the workbook.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub cluster: &'a Cluster,
    pub tables: &'a TableSet,
    /// The unit whose inbox folder held the file, if any.
    pub folder_unit: Option<&'a str>,
    /// For a cross-check: the inspected unit's accepted self scores, when
    /// known. Without them the cross-check's own `Điểm tự chấm` column is used.
    pub self_scores: Option<&'a SelfScores>,
    /// For a ballot: the candidates, the rules and whether the vote is closed.
    /// Without it a ballot is checked for its form only.
    pub ballot: Option<&'a BallotContext>,
}

/// The outcome of validating one workbook.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub kind: Option<SubmissionKind>,
    /// The declared unit (the inspector, for a cross-check).
    pub unit: Option<String>,
    /// For a cross-check: the inspected unit.
    pub inspected: Option<String>,
    pub year: Option<i32>,
    pub findings: Vec<Finding>,
    /// Leaf code → self score (or verified score, for a cross-check).
    pub scores: BTreeMap<String, f64>,
    /// Leaf code → evidence text.
    pub evidence: BTreeMap<String, String>,
    /// Leaf code → reason (cross-check).
    pub reasons: BTreeMap<String, String>,
    /// Leaf code → the self score printed on a cross-check (its `Điểm tự chấm`).
    pub printed_self: BTreeMap<String, f64>,
    /// Indicator code → figure.
    pub indicators: BTreeMap<String, i64>,
    /// Score items + bonus − deductions, when the workbook is accepted.
    pub self_total: Option<f64>,
    /// A ballot's marks: `(award, candidate)`.
    pub marks: std::collections::BTreeSet<(String, String)>,
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        !self.findings.iter().any(Finding::is_error)
    }

    /// A verdict holding one finding (unreadable file, missing sheet…).
    pub fn single(finding: Finding) -> Verdict {
        Verdict {
            findings: vec![finding],
            ..Verdict::default()
        }
    }
}

/// The header-missing finding for a table whose heading row was not found.
pub fn header_missing(sheet: &str, missing: &MissingHeader) -> Finding {
    let names: Vec<String> = missing.missing.iter().map(|h| quote(h.label())).collect();
    let message = match missing.row {
        Some(r) => format!(
            "Trang “{sheet}”: dòng tiêu đề của bảng (dòng {}) thiếu cột {}.",
            r + 1,
            names.join(", ")
        ),
        None => format!(
            "Trang “{sheet}”: không tìm thấy dòng tiêu đề của bảng (cần các cột {}).",
            names.join(", ")
        ),
    };
    let f = Finding::error(Code::HeaderMissing, message);
    match missing.row {
        Some(r) => f.at(sheet, (r, 0)),
        None => f.on_sheet(sheet),
    }
}

/// Reads the declared year; pushes `year-missing` / `year-mismatch`.
pub(crate) fn declared_year(
    sheet: &str,
    year: Option<&Labelled>,
    cluster: &Cluster,
    findings: &mut Vec<Finding>,
) -> Option<i32> {
    let Some(l) = year else {
        findings.push(
            Finding::error(
                Code::YearMissing,
                "Không tìm thấy nhãn “Năm” ở phần đầu bảng; hãy ghi năm chấm điểm.",
            )
            .on_sheet(sheet),
        );
        return None;
    };
    let Some(v) = &l.value else {
        findings.push(
            Finding::error(
                Code::YearMissing,
                "Chưa ghi năm chấm điểm bên cạnh nhãn “Năm”.",
            )
            .at(sheet, l.label),
        );
        return None;
    };
    let year = match &v.value {
        Value::Number(n) if n.fract() == 0.0 && (1900.0..=2200.0).contains(n) => Some(*n as i32),
        Value::Text(t) => parse_whole(t)
            .filter(|y| (1900..=2200).contains(y))
            .map(|y| y as i32),
        _ => None,
    };
    let Some(year) = year else {
        findings.push(
            Finding::error(
                Code::YearMissing,
                format!(
                    "{} không phải là một năm (ví dụ 2026).",
                    quote(&v.value.display())
                ),
            )
            .at(sheet, v.pos),
        );
        return None;
    };
    if !cluster.is_open(year) {
        let open: Vec<String> = cluster.open_years.iter().map(i32::to_string).collect();
        findings.push(
            Finding::error(
                Code::YearMismatch,
                format!(
                    "Năm {year} không phải là năm đang nhận bảng chấm điểm (đang nhận: {}).",
                    open.join(", ")
                ),
            )
            .at(sheet, v.pos),
        );
    }
    Some(year)
}

/// Reads a declared unit code; pushes `unit-missing` / `unit-unknown`.
pub(crate) fn declared_unit<'c>(
    sheet: &str,
    label: &str,
    field: Option<&Labelled>,
    year: Option<i32>,
    cluster: &'c Cluster,
    findings: &mut Vec<Finding>,
) -> Option<&'c Unit> {
    let Some(l) = field else {
        findings.push(
            Finding::error(
                Code::UnitMissing,
                format!("Không tìm thấy nhãn “{label}” ở phần đầu bảng; hãy ghi mã đơn vị."),
            )
            .on_sheet(sheet),
        );
        return None;
    };
    let Some(v) = &l.value else {
        findings.push(
            Finding::error(
                Code::UnitMissing,
                format!("Chưa ghi mã đơn vị bên cạnh nhãn “{label}”."),
            )
            .at(sheet, l.label),
        );
        return None;
    };
    let code = v.text();
    let found = cluster
        .units
        .iter()
        .find(|u| u.code.eq_ignore_ascii_case(&code));
    match (found, year) {
        (Some(u), Some(y)) if !u.exists_in(y) => {
            findings.push(
                Finding::error(
                    Code::UnitUnknown,
                    format!(
                        "Đơn vị {} không phải là thành viên của {} năm {y}{}.",
                        quote(&code),
                        cluster.name,
                        u.successor
                            .as_deref()
                            .map(|s| format!(" (đơn vị kế thừa: {s})"))
                            .unwrap_or_default()
                    ),
                )
                .at(sheet, v.pos),
            );
            None
        }
        (Some(u), _) => Some(u),
        (None, _) => {
            findings.push(
                Finding::error(
                    Code::UnitUnknown,
                    format!(
                        "Mã đơn vị {} không có trong danh sách đơn vị của {}.",
                        quote(&code),
                        cluster.name
                    ),
                )
                .at(sheet, v.pos),
            );
            None
        }
    }
}

pub(crate) fn folder_check(
    sheet: &str,
    unit: &Unit,
    field: Option<&Labelled>,
    folder: Option<&str>,
    findings: &mut Vec<Finding>,
) {
    if let Some(folder) = folder
        && !unit.code.eq_ignore_ascii_case(folder)
    {
        let pos = field.and_then(|l| l.value.as_ref()).map(|v| v.pos);
        let f = Finding::error(
            Code::UnitFolderMismatch,
            format!(
                "Tệp nằm trong thư mục của đơn vị {folder} nhưng ghi mã đơn vị {}; mỗi đơn vị chỉ gửi tệp của mình vào thư mục của mình.",
                quote(&unit.code)
            ),
        );
        findings.push(match pos {
            Some(p) => f.at(sheet, p),
            None => f.on_sheet(sheet),
        });
    }
}

fn table_for<'t>(
    ctx: &Context<'t>,
    unit: &Unit,
    year: i32,
    sheet: &str,
    findings: &mut Vec<Finding>,
) -> Option<&'t Table> {
    let t = ctx.tables.get(&unit.unit_type, year);
    if t.is_none() && ctx.cluster.is_open(year) {
        // Configuration is checked at start-up, so this is a year outside it.
        findings.push(
            Finding::error(
                Code::YearMismatch,
                format!(
                    "Chưa có bảng tiêu chí năm {year} cho loại đơn vị của {}.",
                    unit.code
                ),
            )
            .on_sheet(sheet),
        );
    }
    t
}

/// Validates a self-scoring sheet, with its `Số liệu` sheet if present.
pub fn self_scoring(
    s: &SelfScoring,
    figures: Option<Result<&Figures, (&str, &MissingHeader)>>,
    ctx: &Context<'_>,
) -> Verdict {
    let mut v = Verdict {
        kind: Some(SubmissionKind::SelfScoring),
        ..Verdict::default()
    };
    let year = declared_year(&s.sheet, s.year.as_ref(), ctx.cluster, &mut v.findings);
    v.year = year;
    let unit = declared_unit(
        &s.sheet,
        "Mã đơn vị",
        s.unit.as_ref(),
        year,
        ctx.cluster,
        &mut v.findings,
    );
    v.unit = unit.map(|u| u.code.clone()).or_else(|| {
        s.unit
            .as_ref()
            .and_then(|l| l.value.as_ref())
            .map(super::submission::Located::text)
    });
    let (Some(unit), Some(year)) = (unit, year) else {
        return v;
    };
    folder_check(
        &s.sheet,
        unit,
        s.unit.as_ref(),
        ctx.folder_unit,
        &mut v.findings,
    );
    let Some(table) = table_for(ctx, unit, year, &s.sheet, &mut v.findings) else {
        return v;
    };
    rows::self_rows(s, table, &mut v);
    match figures {
        Some(Ok(f)) => check_figures(f, table, &mut v),
        Some(Err((sheet, missing))) => v.findings.push(header_missing(sheet, missing)),
        None => {}
    }
    if v.accepted() {
        v.self_total = Some(rows::total(table, &v.scores));
    }
    v
}

/// Validates a cross-check sheet.
pub fn cross_check(c: &CrossCheck, ctx: &Context<'_>) -> Verdict {
    let mut v = Verdict {
        kind: Some(SubmissionKind::CrossCheck),
        ..Verdict::default()
    };
    let year = declared_year(&c.sheet, c.year.as_ref(), ctx.cluster, &mut v.findings);
    v.year = year;
    let inspector = declared_unit(
        &c.sheet,
        "Đơn vị kiểm tra",
        c.inspector.as_ref(),
        year,
        ctx.cluster,
        &mut v.findings,
    );
    let inspected = declared_unit(
        &c.sheet,
        "Đơn vị được kiểm tra",
        c.inspected.as_ref(),
        year,
        ctx.cluster,
        &mut v.findings,
    );
    v.unit = inspector.map(|u| u.code.clone());
    v.inspected = inspected.map(|u| u.code.clone());
    let (Some(inspector), Some(inspected), Some(year)) = (inspector, inspected, year) else {
        return v;
    };
    folder_check(
        &c.sheet,
        inspector,
        c.inspector.as_ref(),
        ctx.folder_unit,
        &mut v.findings,
    );
    if !ctx
        .cluster
        .is_assigned(&inspector.code, &inspected.code, year)
    {
        let pos = c
            .inspector
            .as_ref()
            .and_then(|l| l.value.as_ref())
            .map_or((0, 0), |x| x.pos);
        v.findings.push(
            Finding::error(
                Code::CrosscheckNotAssigned,
                format!(
                    "Đơn vị {} không được phân công kiểm tra chéo đơn vị {} năm {year}.",
                    inspector.code, inspected.code
                ),
            )
            .at(&c.sheet, pos),
        );
    }
    let Some(table) = table_for(ctx, inspected, year, &c.sheet, &mut v.findings) else {
        return v;
    };
    rows::cross_rows(c, table, ctx.self_scores, &mut v);
    v
}

fn check_figures(f: &Figures, table: &Table, v: &mut Verdict) {
    for row in &f.rows {
        let code = row.code.text();
        let Some(ind) = table
            .indicators
            .iter()
            .find(|i| i.code.eq_ignore_ascii_case(&code))
        else {
            v.findings.push(
                Finding::error(
                    Code::IndicatorInvalid,
                    format!(
                        "Mã chỉ tiêu {} không có trong danh sách chỉ tiêu năm {}.",
                        quote(&code),
                        table.year
                    ),
                )
                .at(&f.sheet, row.code.pos),
            );
            continue;
        };
        let value = match &row.value.value {
            Value::Empty => {
                v.findings.push(
                    Finding::warning(
                        Code::IndicatorInvalid,
                        format!("Chỉ tiêu {} “{}”: chưa nhập số liệu.", ind.code, ind.name),
                    )
                    .at(&f.sheet, row.value.pos),
                );
                continue;
            }
            Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 1e15 => Some(*n as i64),
            Value::Text(t) => parse_whole(t).filter(|n| *n >= 0),
            _ => None,
        };
        match value {
            Some(n) => {
                v.indicators.insert(ind.code.clone(), n);
            }
            None => v.findings.push(
                Finding::error(
                    Code::IndicatorInvalid,
                    format!(
                        "Chỉ tiêu {} “{}”: số liệu {} phải là số nguyên không âm (ví dụ 1.103).",
                        ind.code,
                        ind.name,
                        quote(&row.value.value.display())
                    ),
                )
                .at(&f.sheet, row.value.pos),
            ),
        }
    }
}

/// A number for a message: `9,5`.
pub(crate) fn num(v: f64) -> String {
    format_number(v)
}
