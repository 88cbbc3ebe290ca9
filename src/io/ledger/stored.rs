//! How the ledger stores its values as text, and reads them back once, at
//! its edge: a time is the RFC 3339 text of a UTC time
//! (`2026-11-27T01:02:03.123+00:00`), a status, kind or outcome is its
//! name. A row's text that does not read is an [`Unreadable`] naming the
//! table, the column and the row, never a panic and never a silent default.
//! The texts are the ones every ledger already holds; changing one needs a
//! migration.

use chrono::{DateTime, Utc};

use crate::domain::findings::Code;
use crate::domain::schedule::JobKind;
use crate::domain::validate::SubmissionKind;

/// A stored value that does not read as what its column holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table}.{column} of the row with {row}: cannot read {value:?} as {expected}")]
pub struct Unreadable {
    pub table: &'static str,
    pub column: &'static str,
    /// The row, as its key: `id 12`, `job reminder`, `year 2026`.
    pub row: String,
    /// The stored text (`NULL` when there was none).
    pub value: String,
    pub expected: &'static str,
}

/// Rusqlite's row readers return its own error; an [`Unreadable`] rides in
/// it to `LedgerError::from_sqlite`, which takes it out again.
impl From<Unreadable> for rusqlite::Error {
    fn from(e: Unreadable) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    }
}

/// What a time column holds, for an [`Unreadable`].
const TIME: &str = "an RFC 3339 time";

/// The text a time is stored as: the one helper every write uses.
pub fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// A value of a closed set, stored as its name.
pub trait Named: Copy + 'static {
    /// Every value, to read a name back.
    const ALL: &'static [Self];
    /// What an [`Unreadable`] says was expected.
    const WHAT: &'static str;
    /// The stored name.
    fn stored(self) -> &'static str;
    /// The value stored as `s`, if any.
    fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.stored() == s)
    }
}

/// What a file turned out to be (`submissions.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Taken from the inbox, not yet filed.
    Processing,
    Accepted,
    Rejected,
    /// The same content as an earlier file of the same unit and year.
    Duplicate,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Processing => "processing",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Duplicate => "duplicate",
        }
    }
}

impl Named for Status {
    const ALL: &'static [Status] = &[
        Status::Processing,
        Status::Accepted,
        Status::Rejected,
        Status::Duplicate,
    ];
    const WHAT: &'static str = "a file's status";
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

/// What a workbook was taken for (`submissions.kind`); `None` is a file
/// that was not recognised, stored as `unknown`.
impl Named for Option<SubmissionKind> {
    const ALL: &'static [Option<SubmissionKind>] = &[
        Some(SubmissionKind::SelfScoring),
        Some(SubmissionKind::CrossCheck),
        Some(SubmissionKind::Ballot),
        None,
    ];
    const WHAT: &'static str = "a kind of submission";
    fn stored(self) -> &'static str {
        match self {
            Some(SubmissionKind::SelfScoring) => "self-scoring",
            Some(SubmissionKind::CrossCheck) => "cross-check",
            Some(SubmissionKind::Ballot) => "ballot",
            None => "unknown",
        }
    }
}

/// Where a mail stands (`outbox.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Pending,
    Sent,
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }
}

impl Named for MailStatus {
    const ALL: &'static [MailStatus] = &[MailStatus::Pending, MailStatus::Sent, MailStatus::Failed];
    const WHAT: &'static str = "a mail's status";
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

/// Where a job run stands, or how it ended (`job_runs.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobOutcome {
    /// `thidua job --now` asked the daemon for it; nobody has taken it yet.
    Requested,
    Running,
    Ok,
    Failed,
    /// It did not happen (an overlap, a missed time set to skip, a stale
    /// request withdrawn).
    Skipped,
}

impl JobOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            JobOutcome::Requested => "requested",
            JobOutcome::Running => "running",
            JobOutcome::Ok => "ok",
            JobOutcome::Failed => "failed",
            JobOutcome::Skipped => "skipped",
        }
    }
}

impl Named for JobOutcome {
    const ALL: &'static [JobOutcome] = &[
        JobOutcome::Requested,
        JobOutcome::Running,
        JobOutcome::Ok,
        JobOutcome::Failed,
        JobOutcome::Skipped,
    ];
    const WHAT: &'static str = "a job run's outcome";
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

/// A job (`job_runs.job`, `job_state.job`), stored by its name.
impl Named for JobKind {
    const ALL: &'static [JobKind] = &JobKind::ALL;
    const WHAT: &'static str = "a job's name";
    fn stored(self) -> &'static str {
        self.name()
    }
}

/// A finding's code (`findings.code`); the codes are stable.
impl Named for Code {
    const ALL: &'static [Code] = &Code::ALL;
    const WHAT: &'static str = "a finding code";
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

/// One row being read: its table and key, named by any value that does not
/// read.
#[derive(Debug, Clone)]
pub struct At {
    table: &'static str,
    row: String,
}

impl At {
    /// `row` is the row's key as it reads in a message: `id 12`.
    pub fn new(table: &'static str, row: impl std::fmt::Display) -> At {
        At {
            table,
            row: row.to_string(),
        }
    }

    /// A row keyed by its `id`.
    pub fn id(table: &'static str, id: i64) -> At {
        At::new(table, format_args!("id {id}"))
    }

    fn unreadable(
        &self,
        column: &'static str,
        value: Option<String>,
        expected: &'static str,
    ) -> Unreadable {
        Unreadable {
            table: self.table,
            column,
            row: self.row.clone(),
            value: value.unwrap_or_else(|| "NULL".to_string()),
            expected,
        }
    }

    /// A time column that always holds one.
    pub fn time(
        &self,
        column: &'static str,
        text: Option<String>,
    ) -> Result<DateTime<Utc>, Unreadable> {
        self.time_or_null(column, text)?
            .ok_or_else(|| self.unreadable(column, None, TIME))
    }

    /// A time column that may be `NULL`.
    pub fn time_or_null(
        &self,
        column: &'static str,
        text: Option<String>,
    ) -> Result<Option<DateTime<Utc>>, Unreadable> {
        let Some(text) = text else {
            return Ok(None);
        };
        match DateTime::parse_from_rfc3339(&text) {
            Ok(t) => Ok(Some(t.with_timezone(&Utc))),
            Err(_) => Err(self.unreadable(column, Some(text), TIME)),
        }
    }

    /// A column of a closed set.
    pub fn named<T: Named>(
        &self,
        column: &'static str,
        text: Option<String>,
    ) -> Result<T, Unreadable> {
        match text.as_deref().and_then(T::from_stored) {
            Some(v) => Ok(v),
            None => Err(self.unreadable(column, text, T::WHAT)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value reads back from its name, and the names are the ones
    /// ledgers already hold.
    fn round_trip<T: Named + PartialEq + std::fmt::Debug>(names: &[&str]) {
        let stored: Vec<&str> = T::ALL.iter().map(|v| v.stored()).collect();
        assert_eq!(stored, names);
        for &v in T::ALL {
            assert_eq!(T::from_stored(v.stored()), Some(v));
        }
        assert_eq!(T::from_stored("Accepted"), None);
        assert_eq!(T::from_stored(""), None);
    }

    #[test]
    fn each_closed_set_reads_back_its_stored_names() {
        round_trip::<Status>(&["processing", "accepted", "rejected", "duplicate"]);
        round_trip::<Option<SubmissionKind>>(&["self-scoring", "cross-check", "ballot", "unknown"]);
        round_trip::<MailStatus>(&["pending", "sent", "failed"]);
        round_trip::<JobOutcome>(&["requested", "running", "ok", "failed", "skipped"]);
        round_trip::<JobKind>(&[
            "kickoff",
            "reminder",
            "provisional",
            "year-end",
            "ballot",
            "close-vote",
        ]);
        // Written out, not taken from `Code::ALL`: a code renamed in the
        // source must still read the name ledgers already hold.
        round_trip::<Code>(&[
            "unreadable-file",
            "file-too-large",
            "sheet-missing",
            "header-missing",
            "unit-missing",
            "unit-unknown",
            "unit-folder-mismatch",
            "year-missing",
            "year-mismatch",
            "criterion-unknown",
            "criterion-duplicate",
            "criterion-missing",
            "max-mismatch",
            "score-missing",
            "score-not-number",
            "score-negative",
            "score-above-max",
            "score-step",
            "evidence-missing",
            "group-total-mismatch",
            "indicator-invalid",
            "crosscheck-not-assigned",
            "reason-missing",
            "ballot-too-many-marks",
            "ballot-self-vote",
            "ballot-candidate-unknown",
            "ballot-mark-invalid",
            "ballot-closed",
        ]);
    }

    #[test]
    fn a_time_is_stored_as_before_and_reads_back() {
        let t = DateTime::parse_from_rfc3339("2026-11-27T08:02:03.25+07:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(time_text(t), "2026-11-27T01:02:03.250+00:00");
        let at = At::id("submissions", 7);
        assert_eq!(at.time("received_at", Some(time_text(t))), Ok(t));
        assert_eq!(at.time_or_null("finished_at", None), Ok(None));
        // Another offset is the same moment.
        assert_eq!(
            at.time("received_at", Some("2026-11-27T08:02:03.25+07:00".into())),
            Ok(t)
        );
    }

    #[test]
    fn a_value_that_does_not_read_names_its_table_column_and_row() {
        let at = At::id("job_runs", 12);
        let e = at
            .named::<JobOutcome>("outcome", Some("done".into()))
            .unwrap_err();
        assert_eq!(
            e,
            Unreadable {
                table: "job_runs",
                column: "outcome",
                row: "id 12".into(),
                value: "done".into(),
                expected: "a job run's outcome",
            }
        );
        assert_eq!(
            e.to_string(),
            "job_runs.outcome of the row with id 12: cannot read \"done\" as a job run's outcome"
        );
        let e = at
            .time("started_at", Some("27/11/2026".into()))
            .unwrap_err();
        assert_eq!((e.column, e.value.as_str()), ("started_at", "27/11/2026"));
        let e = at.time("started_at", None).unwrap_err();
        assert_eq!(e.value, "NULL");
        let e = At::new("vote_state", "year 2026")
            .named::<Status>("status", None)
            .unwrap_err();
        assert_eq!((e.table, e.row.as_str()), ("vote_state", "year 2026"));
    }
}
