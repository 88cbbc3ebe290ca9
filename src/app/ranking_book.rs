//! The ranking as a workbook (`thidua score --xlsx`, and in the year-end
//! package to the secretariat): a year's standings turned into the rows
//! of `io::workbook::ranking`, one sheet per unit type with the parts of
//! its criteria table, and the year's figures. The last column says what
//! every paper says (`papers::decided`): once the vote is closed, what it
//! elected (and who tied for a seat); before, the ranking's suggestion.

use crate::config::Settings;
use crate::domain::criteria::Kind;
use crate::io::workbook::ranking::{FigureRow, RankingRow, RankingSheet, ranking_book};

use super::papers::decided::{self, Basis};
use super::standings::Standings;

/// The sheets of `result`: per unit type, its ranked units with the
/// subtotal of each top-level part of the type's criteria table.
pub fn sheets(settings: &Settings, result: &Standings) -> Vec<RankingSheet> {
    let year = result.year;
    result
        .types
        .iter()
        .map(|t| {
            let decided = decided::for_type(result, t);
            let table = settings.tables.get(&t.unit_type, year);
            let roots: Vec<&crate::domain::criteria::Criterion> = table
                .map(|tb| tb.roots().map(|i| &tb.criteria[i]).collect())
                .unwrap_or_default();
            let parts = roots
                .iter()
                .map(|c| {
                    let limit = if c.kind == Kind::Deduction {
                        "trừ tối đa"
                    } else {
                        "tối đa"
                    };
                    format!(
                        "{}. {} ({limit} {})",
                        c.number,
                        c.name,
                        crate::domain::vn::format_number(c.max)
                    )
                })
                .collect();
            let rows = t
                .ranking
                .iter()
                .map(|r| {
                    let s = &r.scored;
                    RankingRow {
                        rank: r.rank,
                        code: s.unit.clone(),
                        name: s.name.clone(),
                        parts: roots
                            .iter()
                            .map(|c| {
                                s.groups
                                    .iter()
                                    .find(|g| g.code == c.code)
                                    .map_or(0.0, |g| g.total.as_f64())
                            })
                            .collect(),
                        total: s.total.as_f64(),
                        class: s.class.clone().unwrap_or_default(),
                        proposal: decided.cell(&s.unit),
                    }
                })
                .collect();
            RankingSheet {
                name: t.name.clone(),
                parts,
                proposal_heading: if decided.basis == Basis::Vote {
                    "Được bầu chọn khen thưởng".to_string()
                } else {
                    "Đề nghị khen thưởng".to_string()
                },
                rows,
            }
        })
        .collect()
}

/// The year's figures, with the name of their unit type.
pub fn figures(settings: &Settings, result: &Standings) -> Vec<FigureRow> {
    result
        .figures
        .iter()
        .map(|f| FigureRow {
            unit_type: settings
                .cluster
                .unit_type(&f.unit_type)
                .map_or_else(|| f.unit_type.clone(), |t| t.name.clone()),
            code: f.code.clone(),
            name: f.name.clone(),
            total: f.total,
            unit: f.unit.clone(),
            reported_by: f.by_unit.len(),
        })
        .collect()
}

/// The workbook's bytes.
pub fn workbook(
    settings: &Settings,
    result: &Standings,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    ranking_book(&sheets(settings, result), &figures(settings, result))
}
