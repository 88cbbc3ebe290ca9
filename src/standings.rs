//! A year's standings from the ledger: for each member unit, its latest
//! accepted self-scoring and its accepted cross-checks, handed to the pure
//! `scoring` module. The daemon and `thidua score` both use this.

use crate::config::Settings;
use crate::ledger::{Ledger, LedgerError};
use crate::scoring::{Points, Submitted, UnitInput, Verified, YearResult, score_year};

/// Gathers the inputs of `year` for every member unit.
pub fn gather(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
) -> Result<Vec<UnitInput>, LedgerError> {
    let mut units = Vec::new();
    for u in settings.cluster.members(year) {
        let submission = match ledger.latest_accepted(&u.code, year)? {
            Some(s) => Some(Submitted {
                id: s.id,
                received_at: s.received_at.clone(),
                scores: ledger
                    .scores(s.id)?
                    .into_iter()
                    .map(|(k, v)| (k, Points::from_f64(v)))
                    .collect(),
                indicators: ledger.indicators(s.id)?,
            }),
            None => None,
        };
        let crosschecks = ledger
            .crosschecks_of(&u.code, year)?
            .into_iter()
            .map(|c| Verified {
                id: c.id,
                inspector: c.inspector,
                received_at: c.received_at,
                scores: c
                    .scores
                    .into_iter()
                    .map(|(k, v)| (k, Points::from_f64(v)))
                    .collect(),
                reasons: c.reasons,
            })
            .collect();
        units.push(UnitInput {
            code: u.code.clone(),
            name: u.name_in(year).to_string(),
            unit_type: u.unit_type.clone(),
            submission,
            crosschecks,
        });
    }
    Ok(units)
}

/// Scores `year` from the ledger.
pub fn standings(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
) -> Result<YearResult, LedgerError> {
    let units = gather(settings, ledger, year)?;
    let types: Vec<(String, String)> = settings
        .cluster
        .unit_types
        .iter()
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect();
    let tables = |t: &str| settings.tables.get(t, year).cloned();
    Ok(score_year(
        year,
        &types,
        &tables,
        &units,
        &settings.cluster.rules,
    ))
}
