//! A year's standings from the ledger: for each member unit, its latest
//! accepted self-scoring and its accepted cross-checks, handed to the pure
//! `scoring` module. The daemon, `thidua score` and `thidua report` use this.

use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::domain::scoring::{Points, Submitted, UnitInput, Verified, YearResult, score_year};
use crate::domain::validate::BallotContext;
use crate::domain::vote::{Ballot, VoteResult, sections, tally};
use crate::io::ledger::{Ledger, LedgerError};

/// A scored year and, once ballots have been counted, its vote: what the
/// papers, `thidua score` and the status page show. It reads as the
/// [`YearResult`] it holds; `score --json` prints both side by side.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Standings {
    #[serde(flatten)]
    pub result: YearResult,
    /// The commendation vote, once ballots have been counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vote: Option<VoteResult>,
    /// The vote is closed: its elected units are the year's proposals,
    /// and the ranking's quota is no longer shown as one (`score --json`
    /// says `"vote_closed": true` then).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub vote_closed: bool,
    /// Members whose self-scoring workbook was refused and who have no
    /// accepted one (codes): they sent something, unlike the others
    /// without a score.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<String>,
}

impl std::ops::Deref for Standings {
    type Target = YearResult;
    fn deref(&self) -> &YearResult {
        &self.result
    }
}

impl Standings {
    /// A year scored without a vote.
    pub fn without_vote(result: YearResult) -> Standings {
        Standings {
            result,
            vote: None,
            vote_closed: false,
            rejected: Vec::new(),
        }
    }

    /// The names of `t`'s members without a score, apart: those who sent
    /// nothing ("chưa gửi"), then those whose workbook was refused.
    pub fn absent(&self, t: &crate::domain::scoring::TypeResult) -> (Vec<String>, Vec<String>) {
        let (refused, silent): (Vec<_>, Vec<_>) = t
            .missing
            .iter()
            .partition(|m| self.rejected.contains(&m.unit));
        let names = |v: Vec<&crate::domain::scoring::Missing>| {
            v.into_iter().map(|m| m.name.clone()).collect()
        };
        (names(silent), names(refused))
    }
}

/// The unit's latest accepted self-scoring of `year`, if any.
pub fn submitted(ledger: &Ledger, unit: &str, year: i32) -> Result<Option<Submitted>, LedgerError> {
    let Some(s) = ledger.latest_accepted(unit, year)? else {
        return Ok(None);
    };
    Ok(Some(Submitted {
        id: s.id,
        received_at: s.received_at,
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

/// Scores `year` from the ledger, with the vote's tally once ballots exist.
pub fn standings(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
) -> Result<Standings, LedgerError> {
    let units = gather(settings, ledger, year)?;
    with_vote(settings, ledger, year, &units)
}

/// Scores gathered inputs and adds the vote's tally from the ledger.
pub fn with_vote(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
    units: &[UnitInput],
) -> Result<Standings, LedgerError> {
    tallied(settings, ledger, year, units, None)
}

/// `units` scored as the vote closes at `at` (or earlier, if it closed
/// before): only ballots received by then are counted, whenever the close
/// is recorded (`thidua job close-vote` run late, ballots taken meanwhile,
/// or a close recorded later by hand). The close-vote job's mail and
/// papers all count this way.
pub fn closing_at(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
    units: &[UnitInput],
    at: DateTime<Utc>,
) -> Result<Standings, LedgerError> {
    tallied(settings, ledger, year, units, Some(at))
}

fn tallied(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
    units: &[UnitInput],
    closing: Option<DateTime<Utc>>,
) -> Result<Standings, LedgerError> {
    let result = score(settings, year, units);
    let closes = vote_closes(settings, ledger, year)?;
    let closes = match closing {
        Some(at) => Some(closes.map_or(at, |c| c.min(at))),
        None => closes,
    };
    let vote = vote(settings, ledger, &result, closes)?;
    let vote_closed = closing.is_some() || closes.is_some_and(|c| c <= Utc::now());
    Ok(Standings {
        result,
        vote,
        vote_closed,
        rejected: rejected(ledger, year, units)?,
    })
}

/// The units of `units` without an accepted self-scoring whose latest one
/// was refused.
fn rejected(ledger: &Ledger, year: i32, units: &[UnitInput]) -> Result<Vec<String>, LedgerError> {
    let mut out = Vec::new();
    for u in units.iter().filter(|u| u.submission.is_none()) {
        if ledger.latest_self_scoring(&u.code, year)?.is_some() {
            out.push(u.code.clone());
        }
    }
    Ok(out)
}

/// When `year`'s vote closes or closed: the configured time, or the time
/// `thidua job close-vote` recorded, whichever comes first.
pub fn vote_closes(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
) -> Result<Option<DateTime<Utc>>, LedgerError> {
    let by_hand = ledger.vote_closed(year)?;
    // The configured time closes the vote of its own year only.
    let configured = settings
        .vote
        .closes
        .filter(|t| chrono::Datelike::year(&crate::domain::time::local(*t)) == year);
    Ok(match (configured, by_hand) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// What a ballot arriving at `now` is checked against.
pub fn ballot_context(
    settings: &Settings,
    ledger: &Ledger,
    year: i32,
    now: DateTime<Utc>,
) -> Result<BallotContext, LedgerError> {
    let units = gather(settings, ledger, year)?;
    let result = score(settings, year, &units);
    let closed = vote_closes(settings, ledger, year)?
        .filter(|t| *t <= now)
        .map(crate::domain::time::format_time);
    Ok(BallotContext {
        sections: sections(&settings.cluster, &settings.tables, &result),
        rules: settings.vote.rules,
        closed,
    })
}

/// The tally of the counted ballots, if any unit has voted.
fn vote(
    settings: &Settings,
    ledger: &Ledger,
    result: &YearResult,
    closes: Option<DateTime<Utc>>,
) -> Result<Option<VoteResult>, LedgerError> {
    // Only ballots received before the close count, whatever raced it.
    let counted = ledger.ballots_until(result.year, closes)?;
    if counted.is_empty() {
        return Ok(None);
    }
    let ballots: Vec<Ballot> = counted
        .into_iter()
        .map(|b| Ballot {
            voter: b.voter,
            marks: b.marks.into_iter().collect(),
        })
        .collect();
    let members: Vec<String> = settings
        .cluster
        .members(result.year)
        .map(|u| u.code.clone())
        .collect();
    Ok(Some(tally(
        &sections(&settings.cluster, &settings.tables, result),
        &ballots,
        &members,
        &settings.vote.rules,
    )))
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
