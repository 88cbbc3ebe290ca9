//! Criteria tables: the ministry's tree of criteria for one unit type and
//! year, with maxima, bands, the table's step, the indicators of `Số liệu`
//! and the classification thresholds. Tables are data (`config/criteria/`),
//! read by the settings (`config::tables`), parsed and checked by [`parse`];
//! read from the ministry's annex by [`annex`].

pub mod annex;
mod parse;
mod raw;
#[cfg(test)]
mod tests;

pub use parse::{CriteriaError, TableSet, parse_table};

use serde::Serialize;

/// How a criterion counts towards the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Adds 0..max.
    Score,
    /// Adds 0..max on top of the table's maximum.
    Bonus,
    /// Subtracts 0..max.
    Deduction,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Score => "score",
            Kind::Bonus => "bonus",
            Kind::Deduction => "deduction",
        }
    }
}

/// An allowed value of a criterion with the condition that earns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub points: f64,
    pub condition: String,
}

/// One node of the tree. Index-based: `parent` and `children` are indices
/// into [`Table::criteria`].
#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    pub code: String,
    pub number: String,
    pub name: String,
    pub kind: Kind,
    pub max: f64,
    pub evidence: bool,
    pub hard: bool,
    pub bands: Vec<Band>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub depth: usize,
}

impl Criterion {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Class {
    pub name: String,
    pub min_percent: f64,
}

/// A checked criteria table.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub unit_type: String,
    pub year: i32,
    pub title: String,
    pub decision: String,
    pub sample: bool,
    pub step: f64,
    pub max: f64,
    /// Highest threshold first.
    pub classes: Vec<Class>,
    pub indicators: Vec<Indicator>,
    /// In print order; parents before children.
    pub criteria: Vec<Criterion>,
    /// The file it came from, for messages.
    pub source: String,
    /// Upper-cased code → index, for finding rows by code.
    #[serde(skip)]
    pub(crate) by_code: std::collections::HashMap<String, usize>,
}

impl Table {
    /// Index of the criterion with this code, compared ignoring ASCII case.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.by_code.get(&code.to_ascii_uppercase()).copied()
    }

    /// Indices of the top-level criteria.
    pub fn roots(&self) -> impl Iterator<Item = usize> + '_ {
        self.criteria
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent.is_none())
            .map(|(i, _)| i)
    }

    /// Indices of the leaves in print order.
    pub fn leaves(&self) -> impl Iterator<Item = usize> + '_ {
        self.criteria
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_leaf())
            .map(|(i, _)| i)
    }

    /// The sum of criterion `i`'s leaves in `scores` (deductions counted as
    /// positive), or `None` when a leaf has no score.
    pub fn subtotal(
        &self,
        i: usize,
        scores: &std::collections::BTreeMap<String, f64>,
    ) -> Option<f64> {
        let c = &self.criteria[i];
        if c.is_leaf() {
            return scores.get(&c.code).copied();
        }
        c.children.iter().map(|&k| self.subtotal(k, scores)).sum()
    }

    /// Whether `value` is a multiple of the table's step.
    pub fn on_step(&self, value: f64) -> bool {
        on_step(value, self.step)
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }
}

/// Whether `value` is a whole multiple of `step`, within float noise.
pub fn on_step(value: f64, step: f64) -> bool {
    let n = value / step;
    (n - n.round()).abs() < 1e-6
}

/// Whether two scores are equal within float noise.
pub fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Whether `value` is above `max` by more than float noise: the same
/// noise [`same`] and [`on_step`] allow, so that a value equal to the
/// maximum for one check is not above it for another.
pub fn above(value: f64, max: f64) -> bool {
    value > max && !same(value, max)
}
