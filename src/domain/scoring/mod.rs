//! Scoring a year: final scores (verified scores of accepted cross-checks
//! over self scores), totals, classes with the hard-condition cap, the
//! ranking per unit type with shared ranks and configured tie-breaks, the
//! commendation proposals by quota, and the year's figures. Pure: the
//! inputs are values gathered from the ledger by `app::standings`.

mod points;
mod rank;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::cluster::Rules;
use crate::domain::criteria::{Kind, Table};

pub use points::Points;
pub use rank::{Proposal, Ranked, rank_and_propose};

/// A unit's accepted self-scoring (the latest one counts).
#[derive(Debug, Clone, Default)]
pub struct Submitted {
    pub id: i64,
    /// Earlier wins the `earliest` tie-break.
    pub received_at: DateTime<Utc>,
    pub scores: BTreeMap<String, Points>,
    pub indicators: BTreeMap<String, i64>,
}

/// An accepted cross-check of the unit.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    pub id: i64,
    pub inspector: String,
    pub received_at: DateTime<Utc>,
    pub scores: BTreeMap<String, Points>,
    pub reasons: BTreeMap<String, String>,
}

/// Everything known about one unit for the year.
#[derive(Debug, Clone)]
pub struct UnitInput {
    pub code: String,
    /// Its name in that year.
    pub name: String,
    pub unit_type: String,
    pub submission: Option<Submitted>,
    pub crosschecks: Vec<Verified>,
}

/// A criterion whose score a cross-check changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    pub criterion: String,
    pub number: String,
    pub name: String,
    pub self_score: Points,
    pub verified: Points,
    pub reason: String,
    pub inspector: String,
}

/// A group's subtotal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTotal {
    pub code: String,
    pub number: String,
    pub name: String,
    pub total: Points,
    pub max: Points,
}

/// A unit with an accepted submission, scored.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub unit: String,
    pub name: String,
    pub total: Points,
    /// Top-level parts, then their groups, in table order.
    pub groups: Vec<GroupTotal>,
    #[serde(skip)]
    pub finals: BTreeMap<String, Points>,
    pub adjustments: Vec<Adjustment>,
    /// Hard conditions not met (criterion codes).
    pub unmet_hard: Vec<String>,
    pub class: Option<String>,
    /// Whether an unmet hard condition lowered the class.
    pub capped: bool,
    #[serde(serialize_with = "crate::domain::time::serialize_rfc3339")]
    pub received_at: DateTime<Utc>,
    pub submission_id: i64,
}

/// The cross-checks that count: the latest accepted one per inspector (a
/// later one from the same inspector replaces the earlier), in the order
/// received.
fn applied(crosschecks: &[Verified]) -> Vec<&Verified> {
    let mut latest: BTreeMap<&str, &Verified> = BTreeMap::new();
    for v in crosschecks {
        let keep = latest
            .get(v.inspector.as_str())
            .is_none_or(|old| (old.received_at, old.id) < (v.received_at, v.id));
        if keep {
            latest.insert(&v.inspector, v);
        }
    }
    let mut applied: Vec<&Verified> = latest.into_values().collect();
    applied.sort_by_key(|v| (v.received_at, v.id));
    applied
}

/// A criterion's score as verified by a cross-check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub score: Points,
    pub inspector: String,
    pub reason: String,
}

/// Each criterion a counting cross-check scored, with the score that
/// stands (the last applied).
pub fn verified(crosschecks: &[Verified]) -> BTreeMap<String, Check> {
    let mut out = BTreeMap::new();
    for v in applied(crosschecks) {
        for (code, &score) in &v.scores {
            out.insert(
                code.clone(),
                Check {
                    score,
                    inspector: v.inspector.clone(),
                    reason: v.reasons.get(code).cloned().unwrap_or_default(),
                },
            );
        }
    }
    out
}

/// Each leaf's final score: the verified score where a counting
/// cross-check scored it, else the self score; and the changes made.
pub fn final_scores(
    table: &Table,
    sub: &Submitted,
    crosschecks: &[Verified],
) -> (BTreeMap<String, Points>, Vec<Adjustment>) {
    let checks = verified(crosschecks);
    let mut finals = BTreeMap::new();
    let mut adjustments = Vec::new();
    for i in table.leaves() {
        let c = &table.criteria[i];
        let own = sub.scores.get(&c.code).copied().unwrap_or(Points::ZERO);
        let score = checks.get(&c.code).map_or(own, |k| k.score);
        if let Some(k) = checks.get(&c.code)
            && k.score != own
        {
            adjustments.push(Adjustment {
                criterion: c.code.clone(),
                number: c.number.clone(),
                name: c.name.clone(),
                self_score: own,
                verified: k.score,
                reason: k.reason.clone(),
                inspector: k.inspector.clone(),
            });
        }
        finals.insert(c.code.clone(), score);
    }
    (finals, adjustments)
}

/// Subtotal of criterion `i` from leaf scores (deductions count positive here).
fn subtotal(table: &Table, i: usize, finals: &BTreeMap<String, Points>) -> Points {
    let c = &table.criteria[i];
    if c.is_leaf() {
        return finals.get(&c.code).copied().unwrap_or(Points::ZERO);
    }
    c.children.iter().map(|&k| subtotal(table, k, finals)).sum()
}

/// Score items + bonus items − deduction items.
pub fn total(table: &Table, finals: &BTreeMap<String, Points>) -> Points {
    table
        .roots()
        .map(|i| {
            let s = subtotal(table, i, finals);
            if table.criteria[i].kind == Kind::Deduction {
                -s
            } else {
                s
            }
        })
        .sum()
}

/// Subtotals of the top two levels of the tree.
pub fn group_totals(table: &Table, finals: &BTreeMap<String, Points>) -> Vec<GroupTotal> {
    table
        .criteria
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_leaf() && c.depth <= 1)
        .map(|(i, c)| GroupTotal {
            code: c.code.clone(),
            number: c.number.clone(),
            name: c.name.clone(),
            total: subtotal(table, i, finals),
            max: Points::from_f64(c.max),
        })
        .collect()
}

/// Hard conditions not met: a scored criterion below its maximum, or a
/// deduction that took points.
pub fn unmet_hard(table: &Table, finals: &BTreeMap<String, Points>) -> Vec<String> {
    table
        .leaves()
        .map(|i| &table.criteria[i])
        .filter(|c| c.hard)
        .filter(|c| {
            let s = finals.get(&c.code).copied().unwrap_or(Points::ZERO);
            match c.kind {
                Kind::Deduction => s > Points::ZERO,
                _ => s < Points::from_f64(c.max),
            }
        })
        .map(|c| c.code.clone())
        .collect()
}

/// The class for a total, and whether the hard-condition cap lowered it.
pub fn classify(
    table: &Table,
    total: Points,
    unmet: bool,
    cap: Option<&str>,
) -> (Option<String>, bool) {
    let max = Points::from_f64(table.max);
    let earned = table
        .classes
        .iter()
        .position(|c| i128::from(total.0) * 100 >= (c.min_percent * max.0 as f64).round() as i128);
    let Some(mut idx) = earned else {
        return (None, false);
    };
    let mut capped = false;
    if unmet
        && let Some(cap_idx) =
            cap.and_then(|name| table.classes.iter().position(|c| c.name == name))
        && idx < cap_idx
    {
        idx = cap_idx;
        capped = true;
    }
    (Some(table.classes[idx].name.clone()), capped)
}

/// Scores one unit that has an accepted submission.
pub fn score_unit(table: &Table, unit: &UnitInput, sub: &Submitted, rules: &Rules) -> Scored {
    let (finals, adjustments) = final_scores(table, sub, &unit.crosschecks);
    let total = total(table, &finals);
    let unmet = unmet_hard(table, &finals);
    let (class, capped) = classify(table, total, !unmet.is_empty(), rules.hard_cap.as_deref());
    Scored {
        unit: unit.code.clone(),
        name: unit.name.clone(),
        total,
        groups: group_totals(table, &finals),
        finals,
        adjustments,
        unmet_hard: unmet,
        class,
        capped,
        received_at: sub.received_at,
        submission_id: sub.id,
    }
}

/// A unit without an accepted submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub unit: String,
    pub name: String,
}

/// One unit type's ranking.
#[derive(Debug, Clone, Serialize)]
pub struct TypeResult {
    pub unit_type: String,
    pub name: String,
    pub max: Points,
    pub ranking: Vec<Ranked>,
    pub missing: Vec<Missing>,
}

/// A figure of the year, summed.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub unit_type: String,
    pub total: i64,
    pub by_unit: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearResult {
    pub year: i32,
    pub types: Vec<TypeResult>,
    pub figures: Vec<Figure>,
}

/// Scores a year: `types` are `(code, name)` of the unit types in order.
pub fn score_year(
    year: i32,
    types: &[(String, String)],
    tables: &dyn Fn(&str) -> Option<Table>,
    units: &[UnitInput],
    rules: &Rules,
) -> YearResult {
    let mut out = Vec::new();
    let mut figures = Vec::new();
    for (code, name) in types {
        let members: Vec<&UnitInput> = units.iter().filter(|u| &u.unit_type == code).collect();
        if members.is_empty() {
            continue;
        }
        let Some(table) = tables(code) else { continue };
        let mut scored = Vec::new();
        let mut missing = Vec::new();
        for u in &members {
            match &u.submission {
                Some(sub) => scored.push(score_unit(&table, u, sub, rules)),
                None => missing.push(Missing {
                    unit: u.code.clone(),
                    name: u.name.clone(),
                }),
            }
        }
        let ranking = rank_and_propose(&table, name, scored, rules, code);
        for ind in &table.indicators {
            let by_unit: BTreeMap<String, i64> = members
                .iter()
                .filter_map(|u| {
                    Some((
                        u.code.clone(),
                        *u.submission.as_ref()?.indicators.get(&ind.code)?,
                    ))
                })
                .collect();
            figures.push(Figure {
                code: ind.code.clone(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                unit_type: code.clone(),
                total: by_unit.values().sum(),
                by_unit,
            });
        }
        out.push(TypeResult {
            unit_type: code.clone(),
            name: name.clone(),
            max: Points::from_f64(table.max),
            ranking,
            missing,
        });
    }
    YearResult {
        year,
        types: out,
        figures,
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
