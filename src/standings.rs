//! A year's standings from the ledger: for each member unit, its latest
//! accepted self-scoring and its accepted cross-checks, handed to the pure
//! `scoring` module. The daemon, `thidua score` and `thidua report` use this.

use crate::config::Settings;
use crate::ledger::{Ledger, LedgerError};
use crate::scoring::{Points, Submitted, UnitInput, Verified, YearResult, score_year};

/// The unit's latest accepted self-scoring of `year`, if any.
pub fn submitted(ledger: &Ledger, unit: &str, year: i32) -> Result<Option<Submitted>, LedgerError> {
    let Some(s) = ledger.latest_accepted(unit, year)? else {
        return Ok(None);
    };
    Ok(Some(Submitted {
        id: s.id,
        received_at: s.received_at.clone(),
        scores: ledger
            .scores(s.id)?
            .into_iter()
            .map(|(k, v)| (k, Points::from_f64(v)))
            .collect(),
        indicators: ledger.indicators(s.id)?,
    }))
}

/// The accepted cross-checks of `unit` in `year`.
pub fn crosschecks(ledger: &Ledger, unit: &str, year: i32) -> Result<Vec<Verified>, LedgerError> {
    Ok(ledger
        .crosschecks_of(unit, year)?
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
        .collect())
}

/// Gathers the inputs of `year` for every member unit.
pub fn gather(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
) -> Result<Vec<UnitInput>, LedgerError> {
    let mut units = Vec::new();
    for u in settings.cluster.members(year) {
        units.push(UnitInput {
            code: u.code.clone(),
            name: u.name_in(year).to_string(),
            unit_type: u.unit_type.clone(),
            submission: submitted(ledger, &u.code, year)?,
            crosschecks: crosschecks(ledger, &u.code, year)?,
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
    Ok(score(settings, year, &units))
}

/// Scores `year` from gathered inputs.
pub fn score(settings: &Settings, year: i32, units: &[UnitInput]) -> YearResult {
    let types: Vec<(String, String)> = settings
        .cluster
        .unit_types
        .iter()
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect();
    let tables = |t: &str| settings.tables.get(t, year).cloned();
    score_year(year, &types, &tables, units, &settings.cluster.rules)
}
