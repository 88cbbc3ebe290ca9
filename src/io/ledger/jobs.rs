//! Job runs and how far each job's schedule has been looked at. A run is a
//! row from `running` to `ok` or `failed`; skipped runs (an overlap, a
//! missed time set to skip) are rows too, and `thidua job --now` while the
//! daemon runs leaves a `requested` row for the daemon to claim.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Ledger, LedgerError};

/// One row of `job_runs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub scheduled_at: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `requested`, `running`, `ok`, `failed`, `skipped`.
    pub outcome: String,
    pub detail: Option<String>,
    pub documents: Vec<String>,
    pub emails: i64,
}

const COLUMNS: &str =
    "id, job, scheduled_at, started_at, finished_at, outcome, detail, documents, emails";

fn read(r: &Row) -> rusqlite::Result<JobRun> {
    Ok(JobRun {
        id: r.get(0)?,
        job: r.get(1)?,
        scheduled_at: r.get(2)?,
        started_at: r.get(3)?,
        finished_at: r.get(4)?,
        outcome: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        detail: r.get(6)?,
        documents: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
        emails: r.get(8)?,
    })
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
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
    pub fn job_checked_until(&self, job: &str) -> Result<Option<DateTime<Utc>>, LedgerError> {
        let t: Option<String> = self
            .conn
            .query_row(
                "SELECT checked_until FROM job_state WHERE job = ?1",
                [job],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(t.as_deref().and_then(parse))
    }

    /// Moves the job's mark forward to `t` (never back).
    pub fn set_job_checked(&mut self, job: &str, t: DateTime<Utc>) -> Result<(), LedgerError> {
        let t = t.to_rfc3339();
        self.conn
            .execute(
                "INSERT INTO job_state (job, checked_until) VALUES (?1, ?2)
                 ON CONFLICT(job) DO UPDATE SET checked_until = max(checked_until, excluded.checked_until)",
                params![job, t],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Starts a run; returns its id.
    pub fn job_begin(
        &mut self,
        job: &str,
        scheduled_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<i64, LedgerError> {
        self.conn
            .execute(
                "INSERT INTO job_runs (job, scheduled_at, started_at, outcome) VALUES (?1, ?2, ?3, 'running')",
                params![job, scheduled_at.to_rfc3339(), now.to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ends a run with its outcome, what it wrote and how many mails it queued.
    pub fn job_finish(
        &mut self,
        id: i64,
        outcome: &str,
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
                    now.to_rfc3339(),
                    outcome,
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
        job: &str,
        scheduled_at: DateTime<Utc>,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        let n = now.to_rfc3339();
        self.conn
            .execute(
                "INSERT INTO job_runs (job, scheduled_at, started_at, finished_at, outcome, detail)
                 VALUES (?1, ?2, ?3, ?3, 'skipped', ?4)",
                params![job, scheduled_at.to_rfc3339(), n, why],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Runs left `running` by a process that stopped mid-run.
    pub fn jobs_unfinished(&self) -> Result<Vec<JobRun>, LedgerError> {
        self.runs("WHERE outcome = 'running' ORDER BY id", [])
    }

    /// Asks the daemon to run `job` now; returns the request's id.
    pub fn job_request(&mut self, job: &str, now: DateTime<Utc>) -> Result<i64, LedgerError> {
        let n = now.to_rfc3339();
        self.conn
            .execute(
                "INSERT INTO job_runs (job, scheduled_at, started_at, outcome) VALUES (?1, ?2, ?2, 'requested')",
                params![job, n],
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
                "UPDATE job_runs SET outcome = 'running', started_at = ?2 WHERE id = ?1 AND outcome = 'requested'",
                params![id, now.to_rfc3339()],
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
                "UPDATE job_runs SET outcome = 'skipped', detail = ?2, finished_at = ?3
                 WHERE id = ?1 AND outcome = 'requested'",
                params![id, why, now.to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    pub fn job_run(&self, id: i64) -> Result<Option<JobRun>, LedgerError> {
        Ok(self.runs("WHERE id = ?1", [id])?.into_iter().next())
    }

    /// The job's latest runs, newest first.
    pub fn job_history(&self, job: &str, limit: usize) -> Result<Vec<JobRun>, LedgerError> {
        self.runs(
            "WHERE job = ?1 AND outcome != 'requested' ORDER BY id DESC LIMIT ?2",
            params![job, limit as i64],
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
                "year-end",
                t("2026-12-05T00:00:00Z"),
                t("2026-12-05T00:00:01Z"),
            )
            .unwrap();
        assert_eq!(l.jobs_unfinished().unwrap().len(), 1);
        l.job_finish(
            id,
            "ok",
            None,
            &["a.pdf".into()],
            12,
            t("2026-12-05T00:00:09Z"),
        )
        .unwrap();
        assert!(l.jobs_unfinished().unwrap().is_empty());
        let run = l.job_run(id).unwrap().unwrap();
        assert_eq!((run.outcome.as_str(), run.emails), ("ok", 12));
        assert_eq!(run.documents, ["a.pdf"]);

        l.set_job_checked("year-end", t("2026-12-05T00:00:00Z"))
            .unwrap();
        l.set_job_checked("year-end", t("2026-12-01T00:00:00Z"))
            .unwrap();
        assert_eq!(
            l.job_checked_until("year-end").unwrap(),
            Some(t("2026-12-05T00:00:00Z"))
        );

        let r = l
            .job_request("reminder", t("2026-12-06T00:00:00Z"))
            .unwrap();
        assert!(l.job_claim(r, t("2026-12-06T00:00:01Z")).unwrap());
        assert!(!l.job_claim(r, t("2026-12-06T00:00:02Z")).unwrap());
    }
}
