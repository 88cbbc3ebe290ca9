//! Counts over the whole ledger, for the status page's metrics: files by
//! outcome, findings by code, job runs by job and outcome. They only grow
//! while the ledger is kept, so they are exported as counters.

use super::stored::{At, JobOutcome, Status};
use super::{Ledger, LedgerError};
use crate::domain::findings::Code;
use crate::domain::schedule::JobKind;

/// `(labels…, count)` rows, in label order (of the stored names).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tallies {
    /// `(status, count)`: accepted, rejected, duplicate.
    pub files: Vec<(Status, i64)>,
    /// `(finding code, count)`.
    pub findings: Vec<(Code, i64)>,
    /// `(job, outcome, count)`: ok, failed, skipped.
    pub job_runs: Vec<(JobKind, JobOutcome, i64)>,
}

impl Ledger {
    pub fn tallies(&self) -> Result<Tallies, LedgerError> {
        // Each group's first row names where a value that does not read is.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT min(id), status, count(*) FROM submissions
                 WHERE status IN ('accepted', 'rejected', 'duplicate') GROUP BY status ORDER BY status",
            )
            .map_err(|e| self.err(e))?;
        let files = stmt
            .query_map([], |r| {
                let at = At::id("submissions", r.get(0)?);
                Ok((at.named("status", r.get(1)?)?, r.get(2)?))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT min(submission_id), code, count(*) FROM findings GROUP BY code ORDER BY code",
            )
            .map_err(|e| self.err(e))?;
        let findings = stmt
            .query_map([], |r| {
                let at = At::new(
                    "findings",
                    format_args!("submission_id {}", r.get::<_, i64>(0)?),
                );
                Ok((at.named("code", r.get(1)?)?, r.get(2)?))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT min(id), job, outcome, count(*) FROM job_runs
                 WHERE outcome IN ('ok', 'failed', 'skipped')
                 GROUP BY job, outcome ORDER BY job, outcome",
            )
            .map_err(|e| self.err(e))?;
        let job_runs = stmt
            .query_map([], |r| {
                let at = At::id("job_runs", r.get(0)?);
                Ok((
                    at.named("job", r.get(1)?)?,
                    at.named("outcome", r.get(2)?)?,
                    r.get(3)?,
                ))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        Ok(Tallies {
            files,
            findings,
            job_runs,
        })
    }
}
