//! Job runs and how far each job's schedule has been looked at. A run is a
//! row from `running` to `ok` or `failed`; skipped runs (an overlap, a
//! missed time set to skip) are rows too, and `thidua job --now` while the
//! daemon runs leaves a `requested` row for the daemon to claim.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::stored::{At, JobOutcome, time_text};
use super::{Ledger, LedgerError};
use crate::domain::schedule::JobKind;

/// One row of `job_runs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub id: i64,
    pub job: JobKind,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: JobOutcome,
    pub detail: Option<String>,
    pub documents: Vec<String>,
    pub emails: i64,
}

const COLUMNS: &str =
    "id, job, scheduled_at, started_at, finished_at, outcome, detail, documents, emails";

fn read(r: &Row) -> rusqlite::Result<JobRun> {
    let id = r.get(0)?;
    let at = At::id("job_runs", id);
    Ok(JobRun {
        id,
        job: at.named("job", r.get(1)?)?,
        scheduled_at: at.time_or_null("scheduled_at", r.get(2)?)?,
        started_at: at.time("started_at", r.get(3)?)?,
        finished_at: at.time_or_null("finished_at", r.get(4)?)?,
        outcome: at.named("outcome", r.get(5)?)?,
        detail: r.get(6)?,
        documents: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
        emails: r.get(8)?,
    })
}

impl Ledger {
    fn runs<P: rusqlite::Params>(&self, filter: &str, p: P) -> Result<Vec<JobRun>, LedgerError> {
        let sql = format!("SELECT {COLUMNS} FROM job_runs {filter}");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(p, read)
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// How far the job's schedule has been looked at.
    pub fn job_checked_until(&self, job: JobKind) -> Result<Option<DateTime<Utc>>, LedgerError> {
        self.conn
            .query_row(
                "SELECT checked_until FROM job_state WHERE job = ?1",
                [job.name()],
                |r| {
                    Ok(At::new("job_state", format_args!("job {}", job.name()))
                        .time("checked_until", r.get(0)?)?)
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Moves the job's mark forward to `t` (never back).
    pub fn set_job_checked(&mut self, job: JobKind, t: DateTime<Utc>) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "INSERT INTO job_state (job, checked_until) VALUES (?1, ?2)
                 ON CONFLICT(job) DO UPDATE SET checked_until = max(checked_until, excluded.checked_until)",
                params![job.name(), time_text(t)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Starts a run; returns its id.
    pub fn job_begin(
        &mut self,
        job: JobKind,
        scheduled_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<i64, LedgerError> {
        self.conn
            .execute(
                "INSERT INTO job_runs (job, scheduled_at, started_at, outcome) VALUES (?1, ?2, ?3, ?4)",
                params![
                    job.name(),
                    time_text(scheduled_at),
                    time_text(now),
                    JobOutcome::Running.as_str()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ends a run with its outcome, what it wrote and how many mails it queued.
    pub fn job_finish(
        &mut self,
        id: i64,
        outcome: JobOutcome,
        detail: Option<&str>,
        documents: &[String],
        emails: usize,
        now: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE job_runs SET finished_at = ?2, outcome = ?3, detail = ?4, documents = ?5, emails = ?6
                 WHERE id = ?1",
                params![
                    id,
                    time_text(now),
                    outcome.as_str(),
                    detail,
                    serde_json::to_string(documents).unwrap_or_default(),
                    emails as i64
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records a run that did not happen (`skipped`), with why.
    pub fn job_skipped(
        &mut self,
        job: JobKind,
        scheduled_at: DateTime<Utc>,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "INSERT INTO job_runs (job, scheduled_at, started_at, finished_at, outcome, detail)
                 VALUES (?1, ?2, ?3, ?3, ?5, ?4)",
                params![
                    job.name(),
                    time_text(scheduled_at),
                    time_text(now),
                    why,
                    JobOutcome::Skipped.as_str()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Runs left `running` by a process that stopped mid-run.
    pub fn jobs_unfinished(&self) -> Result<Vec<JobRun>, LedgerError> {
        self.runs("WHERE outcome = 'running' ORDER BY id", [])
    }

    /// Asks the daemon to run `job` now; returns the request's id.
    pub fn job_request(&mut self, job: JobKind, now: DateTime<Utc>) -> Result<i64, LedgerError> {
        self.conn
            .execute(
                "INSERT INTO job_runs (job, scheduled_at, started_at, outcome) VALUES (?1, ?2, ?2, ?3)",
                params![job.name(), time_text(now), JobOutcome::Requested.as_str()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Requests waiting for the daemon.
    pub fn job_requests(&self) -> Result<Vec<JobRun>, LedgerError> {
        self.runs("WHERE outcome = 'requested' ORDER BY id", [])
    }

    /// Whether a request waits: the daemon asks every second, so this reads
    /// one row at most instead of every request with its columns.
    pub fn has_job_requests(&self) -> Result<bool, LedgerError> {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM job_runs WHERE outcome = 'requested')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Takes a request to run it (true), unless another took it first.
    pub fn job_claim(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, LedgerError> {
        let n = self
            .conn
            .execute(
                "UPDATE job_runs SET outcome = ?3, started_at = ?2 WHERE id = ?1 AND outcome = 'requested'",
                params![id, time_text(now), JobOutcome::Running.as_str()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    /// Withdraws a request nobody has taken yet (true if it was withdrawn).
    pub fn job_withdraw(
        &mut self,
        id: i64,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, LedgerError> {
        let n = self
            .conn
            .execute(
                "UPDATE job_runs SET outcome = ?4, detail = ?2, finished_at = ?3
                 WHERE id = ?1 AND outcome = 'requested'",
                params![id, why, time_text(now), JobOutcome::Skipped.as_str()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    pub fn job_run(&self, id: i64) -> Result<Option<JobRun>, LedgerError> {
        Ok(self.runs("WHERE id = ?1", [id])?.into_iter().next())
    }

    /// The job's latest run that ended well, if any.
    pub fn last_ok(&self, job: JobKind) -> Result<Option<JobRun>, LedgerError> {
        Ok(self
            .runs(
                "WHERE job = ?1 AND outcome = 'ok' ORDER BY id DESC LIMIT 1",
                params![job.name()],
            )?
            .into_iter()
            .next())
    }

    /// The job's latest runs, newest first.
    pub fn job_history(&self, job: JobKind, limit: usize) -> Result<Vec<JobRun>, LedgerError> {
        self.runs(
            "WHERE job = ?1 AND outcome != 'requested' ORDER BY id DESC LIMIT ?2",
            params![job.name(), limit as i64],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_run_goes_from_running_to_its_outcome_and_marks_move_forward_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(&dir.path().join("l.sqlite")).unwrap();
        let id = l
            .job_begin(
                JobKind::YearEnd,
                t("2026-12-05T00:00:00Z"),
                t("2026-12-05T00:00:01Z"),
            )
            .unwrap();
        assert_eq!(l.jobs_unfinished().unwrap().len(), 1);
        l.job_finish(
            id,
            JobOutcome::Ok,
            None,
            &["a.pdf".into()],
            12,
            t("2026-12-05T00:00:09Z"),
        )
        .unwrap();
        assert!(l.jobs_unfinished().unwrap().is_empty());
        let run = l.job_run(id).unwrap().unwrap();
        assert_eq!((run.outcome, run.emails), (JobOutcome::Ok, 12));
        assert_eq!(run.documents, ["a.pdf"]);

        l.set_job_checked(JobKind::YearEnd, t("2026-12-05T00:00:00Z"))
            .unwrap();
        l.set_job_checked(JobKind::YearEnd, t("2026-12-01T00:00:00Z"))
            .unwrap();
        assert_eq!(
            l.job_checked_until(JobKind::YearEnd).unwrap(),
            Some(t("2026-12-05T00:00:00Z"))
        );

        let r = l
            .job_request(JobKind::Reminder, t("2026-12-06T00:00:00Z"))
            .unwrap();
        assert!(l.job_claim(r, t("2026-12-06T00:00:01Z")).unwrap());
        assert!(!l.job_claim(r, t("2026-12-06T00:00:02Z")).unwrap());
    }
}
