//! The sample year `thidua demo` drops into a fresh data folder: a filled
//! self-scoring workbook for every member unit (varied scores, evidence
//! where the table asks for it), two of them with the mistakes units really
//! make (a score above the criterion's maximum, points claimed without
//! evidence), and two cross-checks that each lower one criterion with a
//! reason and confirm another.

pub mod sample;

use std::path::PathBuf;

use rust_xlsxwriter::XlsxError;

use crate::config::Settings;
use crate::domain::criteria::{Kind, Table};
use crate::io::workbook::crosscheck_form::{CheckedRow, CrosscheckSpec, crosscheck_bytes};
use crate::io::workbook::form::{Fill, FormSpec, form_bytes};

/// What one sample file is meant to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Valid,
    /// A score above the criterion's maximum (`score-above-max`).
    AboveMax,
    /// Points claimed without the evidence the criterion asks for
    /// (`evidence-missing`).
    NoEvidence,
    CrossCheck,
}

/// A sample file ready to be dropped into `inbox/<unit>/<name>`.
#[derive(Debug, Clone)]
pub struct SampleFile {
    pub unit: String,
    pub name: String,
    pub intent: Intent,
    pub bytes: Vec<u8>,
}

impl SampleFile {
    /// Where it goes under the inbox root.
    pub fn path_in(&self, inbox: &std::path::Path) -> PathBuf {
        inbox.join(&self.unit).join(&self.name)
    }
}

/// The units given a mistake: the second unit of each type, so both kinds
/// of mistakes show and each type keeps most of its units.
fn mistake_for(position_in_type: usize, type_index: usize) -> Option<Intent> {
    match (position_in_type, type_index) {
        (1, 0) => Some(Intent::AboveMax),
        (1, 1) => Some(Intent::NoEvidence),
        _ => None,
    }
}

fn first_leaf(
    table: &Table,
    pick: impl Fn(&crate::domain::criteria::Criterion) -> bool,
) -> Option<usize> {
    table
        .leaves()
        .find(|&i| table.criteria[i].kind == Kind::Score && pick(&table.criteria[i]))
}

/// The sample files of `year`, in the order they are meant to arrive.
pub fn sample_year(settings: &Settings, year: i32) -> Result<Vec<SampleFile>, XlsxError> {
    let cluster = &settings.cluster;
    let mut files = Vec::new();
    let mut valid = std::collections::BTreeMap::new();
    for (ti, t) in cluster.unit_types.iter().enumerate() {
        let Some(table) = settings.tables.get(&t.code, year) else {
            continue;
        };
        let members: Vec<_> = cluster
            .members(year)
            .filter(|u| u.unit_type == t.code)
            .collect();
        for (n, u) in members.into_iter().enumerate() {
            let mut fill: Fill = crate::app::demo::sample::varied(table, &u.code, year as u64);
            fill.preparer = Some(format!("Văn phòng {}", u.name_in(year)));
            let intent = mistake_for(n, ti).unwrap_or(Intent::Valid);
            match intent {
                Intent::AboveMax => {
                    if let Some(i) = first_leaf(table, |c| !c.hard) {
                        let c = &table.criteria[i];
                        fill.scores.insert(c.code.clone(), c.max + 1.0);
                    }
                }
                Intent::NoEvidence => {
                    if let Some(i) = first_leaf(table, |c| c.evidence && c.max > 0.0) {
                        let c = &table.criteria[i];
                        fill.scores.insert(c.code.clone(), c.max);
                        fill.evidence.remove(&c.code);
                    }
                }
                Intent::Valid | Intent::CrossCheck => {}
            }
            if intent == Intent::Valid {
                valid.insert(u.code.clone(), fill.clone());
            }
            let spec = FormSpec {
                cluster_name: &cluster.name_in(year),
                table,
                unit: u,
                year,
            };
            files.push(SampleFile {
                unit: u.code.clone(),
                name: crate::app::papers::names::form(&u.code, year),
                intent,
                bytes: form_bytes(&spec, Some(&fill))?,
            });
        }
    }

    // Two cross-checks of units whose workbook is valid.
    let plan = cluster
        .year(year)
        .map(|p| p.crosschecks.clone())
        .unwrap_or_default();
    for pair in plan
        .iter()
        .filter(|p| valid.contains_key(&p.inspected))
        .take(2)
    {
        let (Some(u), Some(fill)) = (cluster.unit(&pair.inspected), valid.get(&pair.inspected))
        else {
            continue;
        };
        let Some(table) = settings.tables.get(&u.unit_type, year) else {
            continue;
        };
        let scored = |c: &crate::domain::criteria::Criterion| {
            !c.hard && c.bands.len() > 1 && fill.scores.get(&c.code) == Some(&c.max)
        };
        let mut rows = Vec::new();
        let mut candidates = table
            .leaves()
            .filter(|&i| table.criteria[i].kind == Kind::Score && scored(&table.criteria[i]));
        if let Some(i) = candidates.next() {
            let c = &table.criteria[i];
            rows.push(CheckedRow {
                code: c.code.clone(),
                self_score: Some(c.max),
                verified: Some(c.bands[1].points),
                reason: format!(
                    "Hồ sơ lưu chỉ chứng minh mức “{}”",
                    crate::domain::vn::clean(&c.bands[1].condition)
                ),
            });
        }
        if let Some(i) = candidates.next() {
            let c = &table.criteria[i];
            rows.push(CheckedRow {
                code: c.code.clone(),
                self_score: Some(c.max),
                verified: Some(c.max),
                reason: String::new(),
            });
        }
        let spec = CrosscheckSpec {
            cluster_name: &cluster.name_in(year),
            table,
            inspector: &pair.inspector,
            inspected: &pair.inspected,
            year,
            rows: &rows,
        };
        files.push(SampleFile {
            unit: pair.inspector.clone(),
            name: crate::app::papers::names::crosscheck(&pair.inspected, year),
            intent: Intent::CrossCheck,
            bytes: crosscheck_bytes(&spec)?,
        });
    }
    Ok(files)
}
