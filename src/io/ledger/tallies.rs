//! Counts over the whole ledger, for the status page's metrics: files by
//! outcome, findings by code, job runs by job and outcome. They only grow
//! while the ledger is kept, so they are exported as counters.

use super::{Ledger, LedgerError};

/// `(labels…, count)` rows, in label order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tallies {
    /// `(status, count)`: accepted, rejected, duplicate.
    pub files: Vec<(String, i64)>,
    /// `(finding code, count)`.
    pub findings: Vec<(String, i64)>,
    /// `(job, outcome, count)`.
    pub job_runs: Vec<(String, String, i64)>,
}

impl Ledger {
    pub fn tallies(&self) -> Result<Tallies, LedgerError> {
        let pairs = |sql: &str| -> Result<Vec<(String, i64)>, LedgerError> {
            let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
        };
        let files = pairs(
            "SELECT status, count(*) FROM submissions
             WHERE status IN ('accepted', 'rejected', 'duplicate') GROUP BY status ORDER BY status",
        )?;
        let findings = pairs("SELECT code, count(*) FROM findings GROUP BY code ORDER BY code")?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT job, outcome, count(*) FROM job_runs
                 WHERE outcome IN ('ok', 'failed', 'skipped')
                 GROUP BY job, outcome ORDER BY job, outcome",
            )
            .map_err(|e| self.err(e))?;
        let job_runs = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(Tallies {
            files,
            findings,
            job_runs,
        })
    }
}
