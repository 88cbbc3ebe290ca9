//! Ranking within a unit type: equal totals share a rank (1, 2, 2, 4); a
//! strict order, where quotas need one, comes from the configured
//! tie-breaks, and the ranking says which one decided. Then the proposals:
//! each award, in configuration order, takes its seats from the strict
//! order among units of at least its class.

use std::cmp::Ordering;

use serde::Serialize;

use super::{Points, Scored};
use crate::domain::cluster::{Rules, TieBreak};
use crate::domain::criteria::Table;
use crate::domain::time::format_time;

/// A proposed commendation and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub award: String,
    pub name: String,
    pub reason: String,
}

/// A unit in the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// Shared by equal totals: 1, 2, 2, 4.
    pub rank: u32,
    /// Strict order after tie-breaks: 1, 2, 3, 4.
    pub position: u32,
    #[serde(flatten)]
    pub scored: Scored,
    /// Which tie-break placed this unit against an equal total, if any.
    pub tie_break: Option<String>,
    pub proposal: Option<Proposal>,
}

fn group_total(s: &Scored, code: &str) -> Points {
    s.groups
        .iter()
        .find(|g| g.code == code)
        .map_or(Points::ZERO, |g| g.total)
}

/// Compares two equal totals by one tie-break: `Less` puts `a` first.
fn by(rule: &TieBreak, a: &Scored, b: &Scored) -> Ordering {
    match rule {
        TieBreak::Group(code) => group_total(b, code).cmp(&group_total(a, code)),
        TieBreak::Earliest => {
            (a.received_at, a.submission_id).cmp(&(b.received_at, b.submission_id))
        }
    }
}

fn describe(rule: &TieBreak, table: &Table, a: &Scored, b: &Scored) -> String {
    match rule {
        TieBreak::Group(code) => {
            let name = table
                .find(code)
                .map_or(code.as_str(), |i| table.criteria[i].number.as_str());
            format!(
                "điểm phần/nhóm {name} cao hơn: {} so với {} của {}",
                group_total(a, code),
                group_total(b, code),
                b.name
            )
        }
        TieBreak::Earliest => format!(
            "nộp bảng tự chấm sớm hơn {}: {} so với {}",
            b.name,
            format_time(a.received_at),
            format_time(b.received_at)
        ),
    }
}

/// Ranks scored units and proposes awards. `type_name` is the unit type's name.
pub fn rank_and_propose(
    table: &Table,
    type_name: &str,
    mut scored: Vec<Scored>,
    rules: &Rules,
    unit_type: &str,
) -> Vec<Ranked> {
    scored.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then_with(|| {
                rules
                    .tie_breaks
                    .iter()
                    .map(|r| by(r, a, b))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| a.unit.cmp(&b.unit))
    });
    let totals: Vec<Points> = scored.iter().map(|s| s.total).collect();
    let mut ranked: Vec<Ranked> = scored
        .into_iter()
        .enumerate()
        .map(|(i, s)| Ranked {
            rank: 1 + totals.iter().filter(|t| **t > s.total).count() as u32,
            position: i as u32 + 1,
            scored: s,
            tie_break: None,
            proposal: None,
        })
        .collect();
    for i in 1..ranked.len() {
        let (a, b) = (&ranked[i - 1].scored, &ranked[i].scored);
        if a.total != b.total {
            continue;
        }
        let text = match rules.tie_breaks.iter().find(|r| by(r, a, b).is_ne()) {
            Some(rule) => format!(
                "Bằng điểm với {}, xếp trên vì {}",
                b.name,
                describe(rule, table, a, b)
            ),
            None => format!(
                "Bằng điểm với {}; các tiêu chí phụ không phân định được, xếp theo mã đơn vị",
                b.name
            ),
        };
        let below = format!("Bằng điểm với {}, xếp dưới theo tiêu chí phụ", a.name);
        ranked[i - 1].tie_break.get_or_insert(text);
        ranked[i].tie_break = Some(below);
    }
    propose(table, type_name, &mut ranked, rules, unit_type);
    ranked
}

fn class_index(table: &Table, name: &str) -> Option<usize> {
    table.classes.iter().position(|c| c.name == name)
}

fn propose(table: &Table, type_name: &str, ranked: &mut [Ranked], rules: &Rules, unit_type: &str) {
    for award in rules.awards.iter().filter(|a| a.applies_to(unit_type)) {
        let Some(min) = class_index(table, &award.min_class) else {
            continue;
        };
        let mut seats = award.seats;
        for r in ranked.iter_mut() {
            if seats == 0 {
                break;
            }
            if r.proposal.is_some() {
                continue;
            }
            let eligible = r
                .scored
                .class
                .as_deref()
                .and_then(|c| class_index(table, c))
                .is_some_and(|c| c <= min);
            if !eligible {
                continue;
            }
            let mut reason = format!(
                "Xếp thứ {} khối {} với {} điểm, xếp loại {}",
                r.position,
                type_name,
                r.scored.total,
                r.scored.class.as_deref().unwrap_or("")
            );
            // One sentence, no full stop (the documents add it), no nested
            // brackets: "…, xếp loại Xuất sắc; bằng điểm với …".
            if let Some(t) = &r.tie_break {
                let mut t = t.chars();
                let first = t.next().map(|c| c.to_lowercase().collect::<String>());
                reason = format!("{reason}; {}{}", first.unwrap_or_default(), t.as_str());
            }
            r.proposal = Some(Proposal {
                award: award.code.clone(),
                name: award.name.clone(),
                reason,
            });
            seats -= 1;
        }
    }
}
