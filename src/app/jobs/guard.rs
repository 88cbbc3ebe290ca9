//! The order of the year's end, kept: the vote closes at the conference,
//! not before it opens; the year-end package goes out once the vote is
//! closed and not before the conference. A run asked for too early is
//! refused (recorded as such, with the reason) rather than sending papers
//! that say "thống nhất tại Hội nghị tổng kết" before any conference.

use chrono::{DateTime, Utc};

use crate::app::standings::vote_closes;
use crate::config::Settings;
use crate::domain::schedule::JobKind;
use crate::domain::time::format_time;
use crate::io::ledger::{Ledger, LedgerError};

/// Why `kind` may not run for `year` at `at`, or `None` when it may.
pub fn too_early(
    settings: &Settings,
    ledger: &Ledger,
    kind: JobKind,
    year: i32,
    at: DateTime<Utc>,
) -> Result<Option<String>, LedgerError> {
    if !matches!(kind, JobKind::CloseVote | JobKind::YearEnd) {
        return Ok(None);
    }
    let conference = settings
        .cluster
        .year(year)
        .and_then(|y| y.conference.as_ref());
    if let Some(c) = conference
        && at < c.opens()
    {
        return Ok(Some(format!(
            "{}: the {year} conference opens at {}; {} does not run before it (years[].conference in {})",
            kind.name(),
            format_time(c.opens()),
            if kind == JobKind::CloseVote {
                "the vote closes at the conference and"
            } else {
                "the year-end package"
            },
            settings.source
        )));
    }
    if kind == JobKind::YearEnd && ledger.has_ballots(year)? {
        let closed = vote_closes(settings, ledger, year)?.filter(|c| *c <= at);
        if closed.is_none() {
            return Ok(Some(format!(
                "year-end: the {year} vote is still open; close it first (`thidua job close-vote --now`) so the package proposes the elected units"
            )));
        }
    }
    Ok(None)
}
