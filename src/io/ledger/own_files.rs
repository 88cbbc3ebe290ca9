//! Files thidua itself wrote into the inboxes (`thidua init`: each unit's
//! guide and blank form), keyed by their path under the inbox root. While
//! such a file keeps the content thidua wrote, it is not a unit's
//! submission; once a unit fills the form in place and saves it, it is.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::stored::time_text;
use super::{Ledger, LedgerError};

impl Ledger {
    /// Records (or updates) a file written under the inbox root.
    pub fn record_own_file(
        &mut self,
        path: &str,
        hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "INSERT INTO own_files (path, hash, written_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(path) DO UPDATE SET hash = excluded.hash, written_at = excluded.written_at",
                params![path, hash, time_text(at)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The hash thidua wrote at `path` (under the inbox root), if it wrote one.
    pub fn own_file(&self, path: &str) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row(
                "SELECT hash FROM own_files WHERE path = ?1",
                params![path],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}
