//! The table rows of a submission against the criteria tree: identifying
//! each row (by code, or by printed number within the groups above it),
//! then checking maxima, scores, bands, steps, evidence and group totals.

use std::collections::{BTreeMap, HashMap};

use super::{Verdict, num};
use crate::domain::cells::Value;
use crate::domain::criteria::{Criterion, Kind, Table, same};
use crate::domain::findings::{Code, Finding};
use crate::domain::submission::{CrossCheck, Located, Row, SelfScoring};
use crate::domain::vn::{norm, parse_decimal, quote};

/// What a score cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoreCell {
    Blank,
    NotNumber(String),
    Number(f64),
}

/// Reads a score cell: a number, or text holding one (`9,5`, `9.5`).
pub fn score_of(v: &Value) -> ScoreCell {
    match v {
        Value::Empty => ScoreCell::Blank,
        Value::Number(n) if n.is_finite() => ScoreCell::Number(*n),
        Value::Text(t) if t.trim().is_empty() => ScoreCell::Blank,
        Value::Text(t) => {
            parse_decimal(t).map_or_else(|| ScoreCell::NotNumber(t.clone()), ScoreCell::Number)
        }
        other => ScoreCell::NotNumber(other.display()),
    }
}

fn label(c: &Criterion) -> String {
    let name: String = c.name.chars().take(60).collect();
    let more = if c.name.chars().count() > 60 {
        "…"
    } else {
        ""
    };
    format!("Tiêu chí {} ({}) “{name}{more}”", c.number, c.code)
}

/// Identifies rows against the tree, remembering the last row's criterion so
/// that printed numbers that restart in each group resolve.
struct Resolver<'t> {
    table: &'t Table,
    last: Option<usize>,
}

impl Resolver<'_> {
    fn resolve(&mut self, sheet: &str, row: &Row) -> Result<usize, Finding> {
        let t = self.table;
        if let Some(code) = &row.code {
            let text = code.text();
            return match t
                .criteria
                .iter()
                .position(|c| c.code.eq_ignore_ascii_case(&text))
            {
                Some(i) => {
                    self.last = Some(i);
                    Ok(i)
                }
                None => Err(Finding::error(
                    Code::CriterionUnknown,
                    format!("Mã tiêu chí {} không có trong {}.", quote(&text), t.title),
                )
                .at(sheet, code.pos)),
            };
        }
        let Some(number) = &row.number else {
            unreachable!("rows without number or code are skipped by submission::table_rows")
        };
        let wanted = norm(&number.text());
        let wanted = wanted.trim_end_matches('.');
        let mut scope = self.last;
        loop {
            let found = match scope {
                Some(i) => t.criteria[i]
                    .children
                    .iter()
                    .copied()
                    .find(|&k| same_number(&t.criteria[k], wanted)),
                None => t.roots().find(|&k| same_number(&t.criteria[k], wanted)),
            };
            if let Some(k) = found {
                self.last = Some(k);
                return Ok(k);
            }
            match scope {
                Some(i) => scope = t.criteria[i].parent,
                None => break,
            }
        }
        Err(Finding::error(
            Code::CriterionUnknown,
            format!(
                "Số thứ tự {} không khớp với tiêu chí nào của {} ở vị trí này.",
                quote(&number.text()),
                t.title
            ),
        )
        .at(sheet, number.pos))
    }
}

fn same_number(c: &Criterion, wanted: &str) -> bool {
    norm(&c.number).trim_end_matches('.') == wanted
}

fn id_pos(row: &Row) -> (u32, u32) {
    row.code
        .as_ref()
        .or(row.number.as_ref())
        .map_or((row.row, 0), |l| l.pos)
}

/// Identifies every row; reports unknown and duplicate criteria.
fn identify<'r>(
    sheet: &str,
    rows: &'r [Row],
    table: &Table,
    v: &mut Verdict,
) -> Vec<(usize, &'r Row)> {
    let mut r = Resolver { table, last: None };
    let mut first: HashMap<usize, u32> = HashMap::new();
    let mut out = Vec::new();
    for row in rows {
        match r.resolve(sheet, row) {
            Ok(i) => {
                if let Some(prev) = first.get(&i) {
                    v.findings.push(
                        Finding::error(
                            Code::CriterionDuplicate,
                            format!(
                                "{} xuất hiện hai lần (lần đầu ở dòng {}).",
                                label(&table.criteria[i]),
                                prev + 1
                            ),
                        )
                        .at(sheet, id_pos(row)),
                    );
                } else {
                    first.insert(i, row.row);
                    out.push((i, row));
                }
            }
            Err(f) => v.findings.push(f),
        }
    }
    out
}

/// Checks a leaf's score (self or verified); returns the value it counts for.
fn check_score(
    sheet: &str,
    c: &Criterion,
    table: &Table,
    cell: &Located,
    what: &str,
    v: &mut Verdict,
) -> Option<f64> {
    let at = |f: Finding| f.at(sheet, cell.pos);
    let value = match score_of(&cell.value) {
        ScoreCell::Blank => {
            v.findings.push(at(Finding::error(
                Code::ScoreMissing,
                format!("{}: chưa nhập {what}.", label(c)),
            )));
            return None;
        }
        ScoreCell::NotNumber(t) => {
            v.findings.push(at(Finding::error(
                Code::ScoreNotNumber,
                format!("{}: {what} {} không phải là số.", label(c), quote(&t)),
            )));
            return None;
        }
        ScoreCell::Number(n) => n,
    };
    let value = if value < 0.0 {
        if c.kind == Kind::Deduction {
            v.findings.push(at(Finding::warning(
                Code::ScoreNegative,
                format!(
                    "{}: điểm trừ ghi số âm {}, được hiểu là {}.",
                    label(c),
                    num(value),
                    num(-value)
                ),
            )));
            -value
        } else {
            v.findings.push(at(Finding::error(
                Code::ScoreNegative,
                format!(
                    "{}: {what} {} là số âm; điểm không được âm.",
                    label(c),
                    num(value)
                ),
            )));
            return None;
        }
    } else {
        value
    };
    if crate::domain::criteria::above(value, c.max) {
        v.findings.push(at(Finding::error(
            Code::ScoreAboveMax,
            format!(
                "{}: {what} {} vượt điểm chuẩn {}.",
                label(c),
                num(value),
                num(c.max)
            ),
        )));
        return None;
    }
    if !c.bands.is_empty() {
        if !c.bands.iter().any(|b| same(b.points, value)) {
            let bands: Vec<String> = c.bands.iter().map(|b| num(b.points)).collect();
            v.findings.push(at(Finding::error(
                Code::ScoreStep,
                format!(
                    "{}: {what} {} không thuộc các mức điểm của tiêu chí ({}).",
                    label(c),
                    num(value),
                    bands.join("; ")
                ),
            )));
            return None;
        }
    } else if !table.on_step(value) {
        v.findings.push(at(Finding::error(
            Code::ScoreStep,
            format!(
                "{}: {what} {} không phải là bội số của bước điểm {}.",
                label(c),
                num(value),
                num(table.step)
            ),
        )));
        return None;
    }
    Some(value)
}

fn check_max(sheet: &str, c: &Criterion, table: &Table, row: &Row, v: &mut Verdict) {
    let Some(max) = &row.max else { return };
    let ok = matches!(score_of(&max.value), ScoreCell::Number(n) if same(n, c.max));
    if !ok {
        v.findings.push(
            Finding::error(
                Code::MaxMismatch,
                format!(
                    "{}: điểm chuẩn ghi {}, nhưng {} quy định {} (có thể đang dùng biểu mẫu của năm khác).",
                    label(c),
                    quote(&max.value.display()),
                    table.title,
                    num(c.max)
                ),
            )
            .at(sheet, max.pos),
        );
    }
}

pub(super) fn self_rows(s: &SelfScoring, table: &Table, v: &mut Verdict) {
    let sheet = s.sheet.as_str();
    let found = identify(sheet, &s.rows, table, v);
    let mut group_cells: Vec<(usize, &Row)> = Vec::new();
    for &(i, row) in &found {
        let c = &table.criteria[i];
        check_max(sheet, c, table, row, v);
        if !c.is_leaf() {
            group_cells.push((i, row));
            continue;
        }
        let Some(value) = check_score(sheet, c, table, &row.score, "điểm tự chấm", v) else {
            continue;
        };
        v.scores.insert(c.code.clone(), value);
        let evidence = row.evidence.as_ref().map(Located::text).unwrap_or_default();
        if !evidence.is_empty() {
            v.evidence.insert(c.code.clone(), evidence);
        } else if c.evidence && value > 0.0 {
            let pos = row.evidence.as_ref().map_or_else(
                || {
                    s.header
                        .columns
                        .get(&crate::domain::submission::Heading::Evidence)
                        .map_or(row.score.pos, |&col| (row.row, col))
                },
                |e| e.pos,
            );
            v.findings.push(
                Finding::error(
                    Code::EvidenceMissing,
                    format!(
                        "{}: có {} điểm nhưng chưa ghi tài liệu minh chứng.",
                        label(c),
                        num(value)
                    ),
                )
                .at(sheet, pos),
            );
        }
    }
    let mut seen = vec![false; table.criteria.len()];
    for (i, _) in &found {
        seen[*i] = true;
    }
    for i in table.leaves() {
        if !seen[i] {
            v.findings.push(
                Finding::error(
                    Code::CriterionMissing,
                    format!("Thiếu {} trong bảng tự chấm.", label(&table.criteria[i])),
                )
                .on_sheet(sheet),
            );
        }
    }
    for (i, row) in group_cells {
        check_group(sheet, table, i, row, v);
    }
}

fn check_group(sheet: &str, table: &Table, i: usize, row: &Row, v: &mut Verdict) {
    let c = &table.criteria[i];
    let ScoreCell::Number(typed) = score_of(&row.score.value) else {
        return;
    };
    let Some(sum) = table.subtotal(i, &v.scores) else {
        return;
    };
    if !same(typed.abs(), sum) {
        v.findings.push(
            Finding::warning(
                Code::GroupTotalMismatch,
                format!(
                    "Dòng tổng {}: ghi {}, nhưng tổng điểm các tiêu chí con là {}; thidua dùng tổng các tiêu chí con.",
                    label(c),
                    num(typed),
                    num(sum)
                ),
            )
            .at(sheet, row.score.pos),
        );
    }
}

/// Score items + bonus items − deduction items, from leaf scores.
pub(crate) fn total(table: &Table, scores: &BTreeMap<String, f64>) -> f64 {
    table
        .leaves()
        .map(|i| {
            let c = &table.criteria[i];
            let s = scores.get(&c.code).copied().unwrap_or(0.0);
            match c.kind {
                Kind::Score | Kind::Bonus => s,
                Kind::Deduction => -s,
            }
        })
        .sum()
}

pub(super) fn cross_rows(
    c: &CrossCheck,
    table: &Table,
    self_scores: Option<&HashMap<String, f64>>,
    v: &mut Verdict,
) {
    let sheet = c.sheet.as_str();
    let found = identify(sheet, &c.rows, table, v);
    for (i, row) in found {
        let crit = &table.criteria[i];
        if !crit.is_leaf() || row.score.value.is_empty() {
            continue;
        }
        let Some(verified) = check_score(sheet, crit, table, &row.score, "điểm kiểm tra", v)
        else {
            continue;
        };
        v.scores.insert(crit.code.clone(), verified);
        let reason = row.reason.as_ref().map(Located::text).unwrap_or_default();
        if !reason.is_empty() {
            v.reasons.insert(crit.code.clone(), reason.clone());
        }
        let printed = row
            .printed_self
            .as_ref()
            .and_then(|p| match score_of(&p.value) {
                ScoreCell::Number(n) => Some(n.abs()),
                _ => None,
            });
        if let Some(p) = printed {
            v.printed_self.insert(crit.code.clone(), p);
        }
        let self_score = match self_scores {
            Some(map) => map.get(&crit.code).copied(),
            None => printed,
        };
        if let Some(s) = self_score
            && !same(s, verified)
            && reason.is_empty()
        {
            let pos = c
                .header
                .columns
                .get(&crate::domain::submission::Heading::Reason)
                .map_or(row.score.pos, |&col| (row.row, col));
            v.findings.push(
                Finding::error(
                    Code::ReasonMissing,
                    format!(
                        "{}: điểm kiểm tra {} khác điểm tự chấm {} nhưng chưa ghi lý do.",
                        label(crit),
                        num(verified),
                        num(s)
                    ),
                )
                .at(sheet, pos),
            );
        }
    }
}
