//! Parsing criteria tables from TOML text and checking them: unique codes,
//! parents before children, group maxima equal to their children's sum,
//! bands within the maximum, every value on the table's step. Pure: the
//! text comes from the settings' loader (`config::tables`), which reads the
//! configured folder or the tables compiled in.

use std::collections::{BTreeMap, HashMap};

use super::raw::{RawCriterion, RawTable};
use super::{Band, Class, Criterion, Indicator, Kind, Table, on_step, same};

/// A mistake in a criteria table; the message names the file and the code.
#[derive(Debug, thiserror::Error)]
pub enum CriteriaError {
    #[error("{file}: not a valid criteria table: {reason}")]
    Syntax { file: String, reason: String },
    #[error("{file}: criterion `{code}`: {reason}")]
    Criterion {
        file: String,
        code: String,
        reason: String,
    },
    #[error("{file}: key `{key}`: {reason}")]
    Key {
        file: String,
        key: String,
        reason: String,
    },
    #[error(
        "{file}: the table is for `{unit_type}` {year}, but `{other}` already holds that unit type and year"
    )]
    Duplicate {
        file: String,
        unit_type: String,
        year: i32,
        other: String,
    },
}

/// Parses and checks one table. `file` names it in messages.
pub fn parse_table(file: &str, text: &str) -> Result<Table, CriteriaError> {
    let raw: RawTable = toml::from_str(text).map_err(|e| CriteriaError::Syntax {
        file: file.to_string(),
        reason: e.to_string().trim().replace('\n', " "),
    })?;
    check(file, raw)
}

fn check(file: &str, raw: RawTable) -> Result<Table, CriteriaError> {
    let key_err = |key: &str, reason: String| CriteriaError::Key {
        file: file.to_string(),
        key: key.to_string(),
        reason,
    };
    if raw.step.is_nan() || raw.step <= 0.0 || !on_step(1.0, raw.step) {
        return Err(key_err(
            "step",
            format!(
                "{} is not a step that divides 1 (use 0.25 or 0.5)",
                raw.step
            ),
        ));
    }
    let mut criteria: Vec<Criterion> = Vec::with_capacity(raw.criteria.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for rc in raw.criteria {
        let i = criteria.len();
        let c = criterion(file, &rc, raw.step, &index, &criteria)?;
        if index.insert(c.code.clone(), i).is_some()
            || index
                .keys()
                .filter(|k| k.eq_ignore_ascii_case(&c.code))
                .count()
                > 1
        {
            return Err(crit_err(
                file,
                &c.code,
                "the code appears twice (codes are compared ignoring case)".into(),
            ));
        }
        if let Some(p) = c.parent {
            criteria[p].children.push(i);
        }
        criteria.push(c);
    }
    if criteria.is_empty() {
        return Err(key_err("criteria", "the table lists no criteria".into()));
    }
    for c in &criteria {
        if c.is_leaf() {
            continue;
        }
        if !c.bands.is_empty() {
            return Err(crit_err(
                file,
                &c.code,
                "a group cannot list bands; give them to its leaves".into(),
            ));
        }
        let sum: f64 = c.children.iter().map(|&k| criteria[k].max).sum();
        if !same(sum, c.max) {
            return Err(crit_err(
                file,
                &c.code,
                format!(
                    "the maximum {} differs from the sum of its children's maxima {}",
                    c.max, sum
                ),
            ));
        }
    }
    let total: f64 = criteria
        .iter()
        .filter(|c| c.parent.is_none() && c.kind == Kind::Score)
        .map(|c| c.max)
        .sum();
    if !same(total, raw.max) {
        return Err(key_err(
            "max",
            format!(
                "{} differs from the sum of the top-level score criteria {}",
                raw.max, total
            ),
        ));
    }
    let mut classes: Vec<Class> = raw
        .classes
        .into_iter()
        .map(|c| Class {
            name: c.name,
            min_percent: c.min_percent,
        })
        .collect();
    if let Some(c) = classes
        .iter()
        .find(|c| !(0.0..=100.0).contains(&c.min_percent))
    {
        return Err(key_err(
            "classes.min_percent",
            format!(
                "{} for `{}` is not between 0 and 100",
                c.min_percent, c.name
            ),
        ));
    }
    classes.sort_by(|a, b| b.min_percent.total_cmp(&a.min_percent));
    let mut seen = std::collections::HashSet::new();
    for ind in &raw.indicators {
        if !seen.insert(ind.code.clone()) {
            return Err(key_err(
                "indicators.code",
                format!("`{}` appears twice", ind.code),
            ));
        }
    }
    Ok(Table {
        unit_type: raw.unit_type,
        year: raw.year,
        title: raw.title,
        decision: raw.decision,
        sample: raw.sample,
        step: raw.step,
        max: raw.max,
        classes,
        indicators: raw
            .indicators
            .into_iter()
            .map(|i| Indicator {
                code: i.code,
                name: i.name,
                unit: i.unit,
            })
            .collect(),
        by_code: criteria
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.to_ascii_uppercase(), i))
            .collect(),
        criteria,
        source: file.to_string(),
    })
}

fn crit_err(file: &str, code: &str, reason: String) -> CriteriaError {
    CriteriaError::Criterion {
        file: file.to_string(),
        code: code.to_string(),
        reason,
    }
}

fn criterion(
    file: &str,
    rc: &RawCriterion,
    step: f64,
    index: &HashMap<String, usize>,
    done: &[Criterion],
) -> Result<Criterion, CriteriaError> {
    let err = |reason: String| crit_err(file, &rc.code, reason);
    let code = rc.code.trim();
    if code.is_empty()
        || !code
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' || ch == '-')
        || code.split('.').any(str::is_empty)
    {
        return Err(err(
            "a code is ASCII letters and digits separated by dots, like A.I.1".into(),
        ));
    }
    if rc.number.trim().is_empty() {
        return Err(err("the printed number is empty".into()));
    }
    let parent = match code.rsplit_once('.') {
        None => None,
        Some((p, _)) => Some(
            *index
                .get(p)
                .ok_or_else(|| err(format!("its parent `{p}` is not listed before it")))?,
        ),
    };
    let kind = match (rc.kind.as_deref(), parent) {
        (Some(k), _) => {
            let k = parse_kind(k)
                .ok_or_else(|| err(format!("kind `{k}` is not one of score, bonus, deduction")))?;
            if let Some(p) = parent
                && done[p].kind != k
            {
                return Err(err(format!(
                    "kind `{}` differs from its parent's `{}`",
                    k.as_str(),
                    done[p].kind.as_str()
                )));
            }
            k
        }
        (None, Some(p)) => done[p].kind,
        (None, None) => Kind::Score,
    };
    if rc.max.is_nan() || rc.max <= 0.0 {
        return Err(err(format!("the maximum {} is not above 0", rc.max)));
    }
    if !on_step(rc.max, step) {
        return Err(err(format!(
            "the maximum {} is not a multiple of the step {step}",
            rc.max
        )));
    }
    let mut bands = Vec::with_capacity(rc.bands.len());
    for b in &rc.bands {
        if b.points < 0.0 || super::above(b.points, rc.max) {
            return Err(err(format!(
                "band {} (\"{}\") is outside 0..{}",
                b.points, b.condition, rc.max
            )));
        }
        if !on_step(b.points, step) {
            return Err(err(format!(
                "band {} is not a multiple of the step {step}",
                b.points
            )));
        }
        if bands.iter().any(|x: &Band| same(x.points, b.points)) {
            return Err(err(format!("band {} is listed twice", b.points)));
        }
        bands.push(Band {
            points: b.points,
            condition: b.condition.trim().to_string(),
        });
    }
    Ok(Criterion {
        code: code.to_string(),
        number: rc.number.trim().to_string(),
        name: rc.name.trim().to_string(),
        kind,
        max: rc.max,
        evidence: rc.evidence,
        hard: rc.hard,
        bands,
        parent,
        children: Vec::new(),
        depth: parent.map_or(0, |p| done[p].depth + 1),
    })
}

fn parse_kind(s: &str) -> Option<Kind> {
    match s {
        "score" => Some(Kind::Score),
        "bonus" => Some(Kind::Bonus),
        "deduction" => Some(Kind::Deduction),
        _ => None,
    }
}

/// Every table of a deployment, by unit type and year.
#[derive(Debug, Clone, Default)]
pub struct TableSet {
    tables: BTreeMap<(String, i32), Table>,
}

impl TableSet {
    /// Adds a table; a second one for the same unit type and year is
    /// refused, naming both files.
    pub fn insert(&mut self, table: Table) -> Result<(), CriteriaError> {
        let key = (table.unit_type.clone(), table.year);
        if let Some(other) = self.tables.get(&key) {
            return Err(CriteriaError::Duplicate {
                file: table.source.clone(),
                unit_type: key.0,
                year: key.1,
                other: other.source.clone(),
            });
        }
        self.tables.insert(key, table);
        Ok(())
    }

    pub fn get(&self, unit_type: &str, year: i32) -> Option<&Table> {
        self.tables.get(&(unit_type.to_string(), year))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }
}
