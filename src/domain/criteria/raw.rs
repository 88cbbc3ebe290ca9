//! A criteria table file as written (`config/criteria/<type>-<year>.toml`):
//! serde structures that reject unknown keys. [`parse_table`](super::parse_table)
//! checks them into a tree.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub unit_type: String,
    pub year: i32,
    pub title: String,
    /// The decision the table comes from, or a note that it is a sample.
    pub decision: String,
    /// True for a sample table that an operator replaces with the year's decision.
    #[serde(default)]
    pub sample: bool,
    /// Scores without bands must be multiples of this (0.25 or 0.5).
    pub step: f64,
    /// Declared maximum of the `score` criteria; checked against the sum.
    pub max: f64,
    #[serde(default)]
    pub classes: Vec<RawClass>,
    #[serde(default)]
    pub indicators: Vec<RawIndicator>,
    pub criteria: Vec<RawCriterion>,
}

/// A classification level: reached at `min_percent` of the table's maximum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    pub name: String,
    pub min_percent: f64,
}

/// An indicator of the `Số liệu` sheet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// One criterion; the tree comes from the codes (`A.I.1` is a child of `A.I`),
/// parents listed before their children.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCriterion {
    pub code: String,
    pub number: String,
    pub name: String,
    /// `score`, `bonus` or `deduction`; inherited from the parent when absent.
    pub kind: Option<String>,
    pub max: f64,
    #[serde(default)]
    pub evidence: bool,
    /// A hard condition: unmet, the unit cannot be classed above a set level.
    #[serde(default)]
    pub hard: bool,
    #[serde(default)]
    pub bands: Vec<RawBand>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    pub points: f64,
    pub condition: String,
}
