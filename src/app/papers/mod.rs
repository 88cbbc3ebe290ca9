//! The documents of a year, from the ledger or from given inputs: the
//! ranking report, a unit's score sheet (also the one a receipt carries),
//! the next year's agreement, the proposals, the vote's minutes and the
//! ballot workbook. Gathers the values (`context`) and makes each
//! document's block tree once from its template (a [`Paper`]), which is
//! then written as the PDF to sign (`io::pdf`) or the Word file to edit
//! (`io::docx`); every file name is in `names`.

pub mod context;
pub mod decided;
pub mod names;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::app::standings;
use crate::config::Settings;
use crate::domain::criteria::Table;
use crate::domain::scoring::{Points, Submitted, UnitInput, score_unit, verified};
use crate::domain::time::format_time;
use crate::domain::vote::VoteResult;
use crate::io::ledger::{Ledger, LedgerError};
use crate::io::pdf::markup::Doc;
use crate::io::pdf::{DocumentError, Documents, Kind};
use context::SheetInput;

#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// What the document needs is not configured (a unit that is not a
    /// member, no criteria table, no `[[years]]` entry): the message says
    /// what.
    #[error("{0}")]
    Missing(String),
    /// The year has not produced it yet: the unit has no accepted
    /// workbook, no ballot has been counted. Nothing is wrong but the
    /// timing.
    #[error("{0}")]
    NotYet(String),
}

/// The two files a document is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The PDF people sign and file.
    #[default]
    Pdf,
    /// The same document as a Word file, to edit before signing.
    Docx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
}

/// A document made from its template: the block tree both writers draw,
/// and the title the PDF carries in its metadata.
#[derive(Debug, Clone)]
pub struct Paper {
    pub kind: Kind,
    pub doc: Doc,
    pub title: String,
}

impl Paper {
    fn make(
        docs: &Documents,
        kind: Kind,
        ctx: &impl serde::Serialize,
        title: String,
    ) -> Result<Paper, PaperError> {
        Ok(Paper {
            kind,
            doc: docs.doc(kind, ctx)?,
            title,
        })
    }

    /// The PDF.
    pub fn pdf(&self, docs: &Documents) -> Result<Vec<u8>, PaperError> {
        Ok(docs.typeset(&self.doc, &self.title)?)
    }

    /// The Word file, laid out like the PDF.
    pub fn docx(&self, docs: &Documents) -> Result<Vec<u8>, PaperError> {
        Ok(crate::io::docx::write(&self.doc, docs.fonts())?)
    }

    /// The file in `format`.
    pub fn bytes(&self, docs: &Documents, format: Format) -> Result<Vec<u8>, PaperError> {
        match format {
            Format::Pdf => self.pdf(docs),
            Format::Docx => self.docx(docs),
        }
    }
}

/// The date a year's final paper carries (the final ranking, the Tờ
/// trình, the minutes, the agreement): the day of the year's conference
/// where the configuration has one, else `otherwise`.
pub fn event_date(settings: &Settings, year: i32, otherwise: NaiveDate) -> NaiveDate {
    settings
        .cluster
        .year(year)
        .and_then(|y| y.conference.as_ref())
        .map_or(otherwise, |c| c.date)
}

/// The ranking report of `year`, provisional or final.
pub fn ranking(
    settings: &Settings,
    ledger: &Ledger,
    docs: &Documents,
    year: i32,
    provisional: bool,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let result = standings::standings(settings, ledger, year)?;
    ranking_in(settings, docs, &result, provisional, date)
}

/// The ranking report of a scored year.
pub fn ranking_in(
    settings: &Settings,
    docs: &Documents,
    result: &standings::Standings,
    provisional: bool,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let ctx = context::ranking(
        &settings.cluster,
        &settings.tables,
        result,
        provisional,
        date,
    );
    Paper::make(
        docs,
        Kind::Ranking,
        &ctx,
        format!("Kết quả chấm điểm, xếp hạng thi đua năm {}", result.year),
    )
}

/// Gathered inputs scored, with the closed vote's tally if one took place
/// (`None`: no vote, the ranking's quota suggests).
fn scored_with(
    settings: &Settings,
    year: i32,
    units: &[UnitInput],
    vote: Option<VoteResult>,
) -> standings::Standings {
    standings::Standings {
        result: standings::score(settings, year, units),
        vote_closed: vote.is_some(),
        vote,
        rejected: Vec::new(),
    }
}

/// The ranking report of `year` from gathered inputs and the closed vote,
/// if any: the vote's elected units are its proposals.
pub fn ranking_of(
    settings: &Settings,
    docs: &Documents,
    year: i32,
    units: &[UnitInput],
    vote: Option<VoteResult>,
    provisional: bool,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    ranking_in(
        settings,
        docs,
        &scored_with(settings, year, units, vote),
        provisional,
        date,
    )
}

/// The commendation proposals of a scored year.
pub fn proposals_in(
    settings: &Settings,
    docs: &Documents,
    result: &standings::Standings,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let ctx = context::ranking(&settings.cluster, &settings.tables, result, false, date);
    Paper::make(
        docs,
        Kind::Proposals,
        &ctx,
        format!("Đề nghị khen thưởng thi đua năm {}", result.year),
    )
}

/// The commendation proposals of `year` for the ministry, from gathered
/// inputs and the closed vote, if any (whose elected units it proposes).
pub fn proposals_of(
    settings: &Settings,
    docs: &Documents,
    year: i32,
    units: &[UnitInput],
    vote: Option<VoteResult>,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    proposals_in(
        settings,
        docs,
        &scored_with(settings, year, units, vote),
        date,
    )
}

/// The score sheet of `unit` for `year`, from its latest accepted
/// workbook and the cross-checks so far, with its rank.
pub fn sheet(
    settings: &Settings,
    ledger: &Ledger,
    docs: &Documents,
    unit: &str,
    year: i32,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let units = standings::gather(settings, ledger, year)?;
    let evidence = match units
        .iter()
        .find(|i| i.code == unit)
        .and_then(|i| i.submission.as_ref())
    {
        Some(sub) => ledger.evidence(sub.id)?,
        None => BTreeMap::new(),
    };
    sheet_of(settings, docs, year, &units, unit, &evidence, date)
}

/// The score sheet of `unit` from gathered inputs; `evidence` is its
/// submission's evidence per criterion.
pub fn sheet_of(
    settings: &Settings,
    docs: &Documents,
    year: i32,
    units: &[UnitInput],
    unit: &str,
    evidence: &BTreeMap<String, String>,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let result = standings::score(settings, year, units);
    sheet_in(settings, docs, &result, units, unit, evidence, date)
}

/// As [`sheet_of`], with the year already scored (for many sheets at once).
pub fn sheet_in(
    settings: &Settings,
    docs: &Documents,
    result: &crate::domain::scoring::YearResult,
    units: &[UnitInput],
    unit: &str,
    evidence: &BTreeMap<String, String>,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let year = result.year;
    let u = settings.cluster.member(unit, year).ok_or_else(|| {
        PaperError::Missing(format!("--unit: {unit} is not a member unit in {year}"))
    })?;
    let table = settings.tables.get(&u.unit_type, year).ok_or_else(|| {
        PaperError::Missing(format!("no criteria table for {} in {year}", u.unit_type))
    })?;
    let input = units
        .iter()
        .find(|i| i.code == unit)
        .ok_or_else(|| PaperError::Missing(format!("{unit}: not a member in {year}")))?;
    let Some(sub) = &input.submission else {
        return Err(PaperError::NotYet(format!(
            "{unit} has no accepted self-scoring workbook for {year}, so it has no score sheet yet"
        )));
    };
    let rank = result
        .types
        .iter()
        .find(|t| t.unit_type == u.unit_type)
        .and_then(|t| {
            let r = t.ranking.iter().find(|r| r.scored.unit == unit)?;
            Some(format!("{}/{}", r.rank, t.ranking.len()))
        });
    render_sheet(settings, docs, table, input, sub, evidence, rank, date)
}

#[allow(clippy::too_many_arguments)]
fn render_sheet(
    settings: &Settings,
    docs: &Documents,
    table: &Table,
    unit: &UnitInput,
    sub: &Submitted,
    evidence: &BTreeMap<String, String>,
    rank: Option<String>,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let scored = score_unit(table, unit, sub, &settings.cluster.rules);
    let checks = verified(&unit.crosschecks);
    let ctx = context::sheet(
        &settings.cluster,
        &SheetInput {
            table,
            scored: &scored,
            self_scores: &sub.scores,
            checks: &checks,
            evidence,
            received: format_time(sub.received_at),
            rank,
        },
        date,
    );
    Paper::make(
        docs,
        Kind::Sheet,
        &ctx,
        format!("Phiếu chấm điểm thi đua năm {} - {}", table.year, unit.name),
    )
}

/// The score sheet a receipt carries: the workbook just accepted, with the
/// cross-checks of the unit accepted so far.
#[allow(clippy::too_many_arguments)]
pub fn receipt_sheet(
    settings: &Settings,
    ledger: &Ledger,
    docs: &Documents,
    table: &Table,
    unit: &str,
    scores: &BTreeMap<String, f64>,
    evidence: &BTreeMap<String, String>,
    received_at: DateTime<Utc>,
) -> Result<Vec<u8>, PaperError> {
    let year = table.year;
    let u = settings
        .cluster
        .unit(unit)
        .ok_or_else(|| PaperError::Missing(format!("{unit}: not in the configuration")))?;
    let sub = Submitted {
        id: i64::MAX,
        received_at,
        scores: scores
            .iter()
            .map(|(k, v)| (k.clone(), Points::from_f64(*v)))
            .collect(),
        indicators: BTreeMap::new(),
    };
    let input = UnitInput {
        code: unit.to_string(),
        name: u.name_in(year).to_string(),
        unit_type: u.unit_type.clone(),
        submission: None,
        crosschecks: standings::crosschecks(ledger, unit, year)?,
    };
    let date = crate::domain::time::local(received_at).date_naive();
    render_sheet(settings, docs, table, &input, &sub, evidence, None, date)?.pdf(docs)
}

/// The agreement for the year after `year`.
pub fn agreement(
    settings: &Settings,
    docs: &Documents,
    year: i32,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let ctx = context::agreement(&settings.cluster, year, date).ok_or_else(|| {
        PaperError::Missing(format!(
            "the agreement for {} needs a [[years]] entry for {} (head, deputies, motto) in {}",
            year + 1,
            year + 1,
            settings.source
        ))
    })?;
    Paper::make(
        docs,
        Kind::Agreement,
        &ctx,
        format!("Bản giao ước thi đua năm {}", year + 1),
    )
}

/// A unit's ballot for `year`, with the candidates as the ranking stands at
/// `now` and the closing time if one is set.
pub fn ballot_form(
    settings: &Settings,
    ledger: &Ledger,
    voter: &crate::domain::cluster::Unit,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, PaperError> {
    let ballots = Ballots::read(settings, ledger, year, now)?;
    ballot_form_in(settings, &ballots, voter, year)
}

/// What every ballot of a year shares: the candidates as the ranking
/// stands and when the vote closes. Read once for all the units' ballots.
#[derive(Debug, Clone)]
pub struct Ballots {
    context: crate::domain::validate::BallotContext,
    closes: Option<String>,
}

impl Ballots {
    pub fn read(
        settings: &Settings,
        ledger: &Ledger,
        year: i32,
        now: DateTime<Utc>,
    ) -> Result<Ballots, PaperError> {
        Ok(Ballots {
            context: standings::ballot_context(settings, ledger, year, now)?,
            closes: standings::vote_closes(settings, ledger, year)?.map(format_time),
        })
    }
}

/// One unit's ballot from the year's shared [`Ballots`].
pub fn ballot_form_in(
    settings: &Settings,
    ballots: &Ballots,
    voter: &crate::domain::cluster::Unit,
    year: i32,
) -> Result<Vec<u8>, PaperError> {
    crate::io::workbook::ballot_form::ballot_bytes(&crate::io::workbook::ballot_form::BallotSpec {
        cluster_name: &settings.cluster.name_in(year),
        year,
        voter,
        sections: &ballots.context.sections,
        self_vote: settings.vote.rules.self_vote,
        closes: ballots.closes.clone(),
    })
    .map_err(|e| PaperError::Missing(format!("cannot write the ballot: {e}")))
}

/// The minutes of a scored year's vote (the ledger gives the closing time).
pub fn minutes_in(
    settings: &Settings,
    ledger: &Ledger,
    docs: &Documents,
    result: &standings::Standings,
    date: NaiveDate,
) -> Result<Paper, PaperError> {
    let year = result.year;
    let Some(vote) = &result.vote else {
        return Err(PaperError::NotYet(format!(
            "no ballot for {year} has been accepted, so there are no minutes yet"
        )));
    };
    let close_at = standings::vote_closes(settings, ledger, year)?;
    let closed = close_at.map_or_else(|| "(chưa kết thúc)".to_string(), format_time);
    // Units whose ballots were all refused before the close: each counted
    // as one invalid ballot, with the reason of its last.
    let mut invalid: Vec<(String, String)> = Vec::new();
    for b in ledger.rejected_ballots(year)? {
        if close_at.is_some_and(|c| b.received_at > c) || vote.voted.contains(&b.voter) {
            continue;
        }
        if settings.cluster.member(&b.voter, year).is_none() {
            continue;
        }
        let reason = if b.reasons.is_empty() {
            "phiếu không đọc được".to_string()
        } else {
            b.reasons.join("; ")
        };
        invalid.retain(|(u, _)| u != &b.voter);
        invalid.push((b.voter, reason));
    }
    let ctx = context::minutes(
        &settings.cluster,
        year,
        &context::MinutesInput {
            vote,
            closed,
            conference: settings
                .cluster
                .year(year)
                .and_then(|y| y.conference.as_ref()),
            secretary: &settings.vote.secretary,
            threshold: settings.vote.rules.threshold,
            quorum: settings.vote.rules.quorum,
            invalid,
            sample: result.types.iter().any(|t| {
                settings
                    .tables
                    .get(&t.unit_type, year)
                    .is_some_and(|tb| tb.sample)
            }),
        },
        date,
    );
    Paper::make(
        docs,
        Kind::Minutes,
        &ctx,
        format!("Biên bản kiểm phiếu bầu chọn khen thưởng năm {year}"),
    )
}
