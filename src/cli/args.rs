//! Checks of the arguments several commands take (`--year`, `--unit`), so
//! that each command says the same thing in the same words when one is
//! wrong.

use super::exit::Failure;
use crate::config::Settings;
use crate::domain::cluster::Unit;

/// `--year N`, or the latest open year when it is not given.
pub(super) fn year(settings: &Settings, year: Option<i32>) -> i32 {
    year.unwrap_or_else(|| settings.cluster.current_year())
}

/// As [`year`], for a command that needs the year's `[[years]]` entry.
pub(super) fn planned_year(settings: &Settings, year: Option<i32>) -> Result<i32, Failure> {
    let year = self::year(settings, year);
    if settings.cluster.year(year).is_none() {
        return Err(Failure::usage(format!(
            "--year: {year} has no [[years]] entry in {}",
            settings.source
        )));
    }
    Ok(year)
}

/// `--unit CODE`: a unit of the configuration, member in some year.
pub(super) fn unit<'a>(settings: &'a Settings, code: &str) -> Result<&'a Unit, Failure> {
    settings.cluster.unit(code).ok_or_else(|| {
        Failure::usage(format!(
            "--unit: `{code}` is not a unit code of {}",
            settings.source
        ))
    })
}
