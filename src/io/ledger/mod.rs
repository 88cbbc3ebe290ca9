//! The ledger: one `SQLite` file (rusqlite, bundled, WAL) in the data folder
//! that records every file received, its findings, cross-checks, job runs
//! and the outbox. Schema migrations run at open. Each step of a file is a
//! transaction, so after a crash the ledger and the folders can be brought
//! back into agreement (see `service::inbox::recover`).

mod jobs;
mod mailbox;
mod migrations;
mod outbox;
mod own_files;
mod stored;
mod tallies;
mod votes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::findings::Finding;
use crate::domain::validate::SubmissionKind;
use stored::{At, Named, time_text};

pub use jobs::JobRun;
pub use mailbox::{HandledMail, MailOutcome, MailPart};
pub use outbox::{OutboxCounts, OutboxRow, QueuedMail, Shown};
pub use stored::{JobOutcome, MailStatus, Status, Unreadable};
pub use tallies::Tallies;
pub use votes::{CountedBallot, RejectedBallot};

/// How long a connection waits for another one's write lock before it
/// gives up with "database is locked".
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// How often a waiting connection looks at the lock again.
const LOCK_POLL: Duration = Duration::from_millis(1);

/// Makes `conn` wait for another connection's lock by looking again every
/// millisecond, for up to [`LOCK_WAIT`]. `SQLite`'s own busy timeout sleeps
/// 1, 2, 5, 10 … then 100 ms between looks, so a connection that writes
/// now and then (the mail worker recording a mail sent) kept missing the
/// short gaps between the intake's transactions during a burst: receipts
/// already accepted waited up to half a second to be recorded and the next
/// ones handed to the senders (the daemon bench's median, issue 15).
/// The wait is measured on the clock, not counted in looks: each sleep
/// overshoots its millisecond, by more on a busy machine.
fn patient(conn: &Connection) -> rusqlite::Result<()> {
    thread_local! {
        /// When this thread's current wait began (`SQLite` calls the
        /// handler on the waiting thread, with 0 at a wait's first look).
        static SINCE: std::cell::Cell<Option<std::time::Instant>> =
            const { std::cell::Cell::new(None) };
    }
    fn again(tries: i32) -> bool {
        let now = std::time::Instant::now();
        let since = SINCE.with(|s| {
            let since = if tries == 0 {
                now
            } else {
                s.get().unwrap_or(now)
            };
            s.set(Some(since));
            since
        });
        if now.duration_since(since) >= LOCK_WAIT {
            return false;
        }
        std::thread::sleep(LOCK_POLL);
        true
    }
    conn.busy_handler(Some(again))
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// A stored value that does not read as what its column holds.
    #[error("ledger {path}: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: Box<Unreadable>,
    },
    #[error("ledger {path}: {reason}")]
    Other { path: String, reason: String },
    /// Written by a newer thidua: its schema could mean what this one does
    /// not know, so it is not touched.
    #[error(
        "ledger {path}: at schema version {version}, newer than this thidua knows ({known}): it was written by a newer thidua; run that one, or restore a backup made for this one"
    )]
    TooNew {
        path: String,
        version: i64,
        known: i64,
    },
}

impl LedgerError {
    /// The error of a statement on the ledger at `path`: an [`Unreadable`]
    /// a row reader raised comes out as itself.
    fn from_sqlite(path: &str, source: rusqlite::Error) -> LedgerError {
        let path = path.to_string();
        match source {
            rusqlite::Error::FromSqlConversionFailure(i, t, e) => {
                match e.downcast::<Unreadable>() {
                    Ok(source) => LedgerError::Unreadable { path, source },
                    Err(e) => LedgerError::Sqlite {
                        path,
                        source: rusqlite::Error::FromSqlConversionFailure(i, t, e),
                    },
                }
            }
            source => LedgerError::Sqlite { path, source },
        }
    }
}

/// A file as taken from the inbox, before it is filed.
#[derive(Debug, Clone)]
pub struct Intake {
    /// `None`: a file not recognised as any form.
    pub kind: Option<SubmissionKind>,
    pub unit: Option<String>,
    pub inspected: Option<String>,
    pub folder_unit: Option<String>,
    pub year: Option<i32>,
    pub original_name: String,
    pub inbox_path: PathBuf,
    /// Where the file will be filed.
    pub stored_path: PathBuf,
    pub hash: String,
    pub size: u64,
    pub received_at: DateTime<Utc>,
    /// The mail it came attached to; `None` for a file dropped in the inbox.
    pub mail: Option<MailPart>,
}

/// What filing a file records beside its final status.
#[derive(Debug, Clone, Default)]
pub struct Filed {
    pub self_total: Option<f64>,
    pub group_totals: BTreeMap<String, f64>,
    pub scores: BTreeMap<String, f64>,
    pub evidence: BTreeMap<String, String>,
    pub reasons: BTreeMap<String, String>,
    pub indicators: BTreeMap<String, i64>,
    pub findings: Vec<Finding>,
    pub duplicate_of: Option<i64>,
    /// A ballot's marks: `(award, candidate)`.
    pub marks: Vec<(String, String)>,
}

/// An accepted cross-check as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CrosscheckRecord {
    pub id: i64,
    pub inspector: String,
    pub received_at: DateTime<Utc>,
    pub scores: BTreeMap<String, f64>,
    pub reasons: BTreeMap<String, String>,
}

/// A submission row, as read back.
#[derive(Debug, Clone)]
pub struct Submission {
    pub id: i64,
    /// `None`: a file not recognised as any form.
    pub kind: Option<SubmissionKind>,
    pub unit: Option<String>,
    pub inspected: Option<String>,
    pub year: Option<i32>,
    pub original_name: String,
    pub inbox_path: PathBuf,
    pub stored_path: PathBuf,
    pub hash: String,
    pub received_at: DateTime<Utc>,
    pub status: Status,
    pub self_total: Option<f64>,
    /// The sender's address, for a file that came attached to a mail.
    pub mail_sender: Option<String>,
}

pub struct Ledger {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A ledger written by a newer thidua is not touched: its schema could
/// mean what this one does not know.
fn newer_refused(conn: &Connection, shown: &str) -> Result<(), LedgerError> {
    let version = migrations::version(conn).map_err(|e| LedgerError::from_sqlite(shown, e))?;
    if version > migrations::current() {
        return Err(LedgerError::TooNew {
            path: shown.to_string(),
            version,
            known: migrations::current(),
        });
    }
    Ok(())
}

impl Ledger {
    /// Opens (creating) the ledger and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::io::private::create_dir_all(dir).map_err(|e| LedgerError::Other {
                path: shown.clone(),
                reason: format!("cannot create its folder: {e}"),
            })?;
        }
        let err = |source| LedgerError::from_sqlite(&shown, source);
        let conn = Connection::open(path).map_err(err)?;
        patient(&conn).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        // The ledger holds the units' scores and addresses: its owner's only,
        // whatever the umask it was created under.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = crate::io::private::restrict_file(Path::new(&p));
        }
        newer_refused(&conn, &shown)?;
        let mut ledger = Ledger {
            conn,
            path: shown.clone(),
        };
        migrations::migrate(&mut ledger.conn).map_err(err)?;
        Ok(ledger)
    }

    /// Opens the ledger only to read it, for the commands that look
    /// (`status`, `score`, `report`): nothing is created or changed. A data
    /// folder with no ledger yet reads as an empty one (kept in memory).
    pub fn open_read_only(path: &Path) -> Result<Ledger, LedgerError> {
        use rusqlite::OpenFlags;
        let shown = path.display().to_string();
        let err = |source| LedgerError::from_sqlite(&shown, source);
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut conn = Connection::open_in_memory().map_err(err)?;
                migrations::migrate(&mut conn).map_err(err)?;
                return Ok(Ledger { conn, path: shown });
            }
            Err(e) => {
                return Err(LedgerError::Other {
                    path: shown,
                    reason: format!("cannot be opened: {e}"),
                });
            }
            Ok(_) => {}
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        patient(&conn).map_err(err)?;
        newer_refused(&conn, &shown)?;
        let version = migrations::version(&conn).map_err(err)?;
        if version < migrations::current() {
            return Err(LedgerError::Other {
                path: shown,
                reason: format!(
                    "the ledger is at schema version {version}, older than this thidua's {}; start `thidua run` once to bring it up to date",
                    migrations::current()
                ),
            });
        }
        Ok(Ledger { conn, path: shown })
    }

    fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::from_sqlite(&self.path, source)
    }

    /// A consistent copy of the ledger at `path` into `out`, through
    /// `SQLite`'s online backup (safe while the daemon writes: the copy is of
    /// one moment). The ledger is opened read-only and never created; the
    /// copy is written beside `out` and renamed into place, private to its
    /// owner. Returns the pages copied.
    pub fn backup(path: &Path, out: &Path) -> Result<i32, LedgerError> {
        use rusqlite::OpenFlags;
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(LedgerError::Other {
                path: shown,
                reason: "no ledger here (check paths.data)".into(),
            });
        }
        let err = |source| LedgerError::from_sqlite(&shown, source);
        let src = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        patient(&src).map_err(err)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let out_err = |e: String| LedgerError::Other {
            path: out.display().to_string(),
            reason: e,
        };
        let copied = (|| {
            let mut dst = Connection::open(&tmp).map_err(|e| out_err(e.to_string()))?;
            {
                let b = rusqlite::backup::Backup::new(&src, &mut dst)
                    .map_err(|e| out_err(e.to_string()))?;
                b.run_to_completion(256, Duration::from_millis(10), None)
                    .map_err(|e| out_err(e.to_string()))?;
            }
            // A single file: the copy needs no -wal beside it.
            dst.pragma_update(None, "journal_mode", "DELETE")
                .map_err(|e| out_err(e.to_string()))?;
            let pages: i32 = dst
                .query_row("PRAGMA page_count", [], |r| r.get(0))
                .map_err(|e| out_err(e.to_string()))?;
            drop(dst);
            crate::io::private::restrict_file(&tmp).map_err(|e| out_err(e.to_string()))?;
            std::fs::rename(&tmp, out).map_err(|e| out_err(e.to_string()))?;
            Ok(pages)
        })();
        if copied.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        copied
    }

    /// Records that a file was taken and where it is about to be filed.
    pub fn begin(&mut self, i: &Intake) -> Result<i64, LedgerError> {
        self.conn
            .execute(
                "INSERT INTO submissions (kind, unit, inspected, folder_unit, year, original_name,
                    inbox_path, stored_path, hash, size, received_at, status,
                    mail_part, mail_message_id, mail_sender)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    i.kind.stored(),
                    i.unit,
                    i.inspected,
                    i.folder_unit,
                    i.year,
                    i.original_name,
                    i.inbox_path.to_string_lossy(),
                    i.stored_path.to_string_lossy(),
                    i.hash,
                    i.size as i64,
                    time_text(i.received_at),
                    Status::Processing.as_str(),
                    i.mail.as_ref().map(|m| m.key.as_str()),
                    i.mail.as_ref().and_then(|m| m.message_id.as_deref()),
                    i.mail.as_ref().map(|m| m.sender.as_str()),
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the final status, the findings, the cross-check rows and the
    /// mails to send, in one transaction.
    pub fn finish(
        &mut self,
        id: i64,
        status: Status,
        filed: &Filed,
        mails: &[QueuedMail],
        now: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let err = |source| LedgerError::from_sqlite(&path, source);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "UPDATE submissions SET status = ?2, self_total = ?3, group_totals = ?4, scores = ?5,
                evidence = ?6, reasons = ?7, indicators = ?8, duplicate_of = ?9, marks = ?10
             WHERE id = ?1",
            params![
                id,
                status.as_str(),
                filed.self_total,
                json(&filed.group_totals),
                json(&filed.scores),
                json(&filed.evidence),
                json(&filed.reasons),
                json(&filed.indicators),
                filed.duplicate_of,
                json(&filed.marks),
            ],
        )
        .map_err(err)?;
        for (seq, f) in filed.findings.iter().enumerate() {
            tx.execute(
                "INSERT INTO findings (submission_id, seq, code, severity, sheet, cell, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    seq as i64,
                    f.code.as_str(),
                    f.severity.as_str(),
                    f.sheet,
                    f.cell,
                    f.message
                ],
            )
            .map_err(err)?;
        }
        if status == Status::Accepted {
            let at = At::id("submissions", id);
            let row: (
                Option<SubmissionKind>,
                Option<String>,
                Option<String>,
                Option<i32>,
            ) = tx
                .query_row(
                    "SELECT kind, unit, inspected, year FROM submissions WHERE id = ?1",
                    [id],
                    |r| {
                        Ok((
                            at.named("kind", r.get(0)?)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                        ))
                    },
                )
                .map_err(err)?;
            if let (
                Some(SubmissionKind::CrossCheck),
                Some(inspector),
                Some(inspected),
                Some(year),
            ) = row
            {
                for (code, verified) in &filed.scores {
                    tx.execute(
                        "INSERT INTO crosschecks (submission_id, inspector, inspected, year, criterion, verified, reason)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![id, inspector, inspected, year, code, verified, filed.reasons.get(code).cloned().unwrap_or_default()],
                    )
                    .map_err(err)?;
                }
            }
        }
        for m in mails {
            outbox::insert(&tx, m, Some(id), now).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Forgets a file whose filing did not complete (its inbox copy remains).
    pub fn forget(&mut self, id: i64) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "DELETE FROM submissions WHERE id = ?1 AND status = 'processing'",
                [id],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Files taken but never filed (a crash between the two steps).
    pub fn unfinished(&self) -> Result<Vec<Submission>, LedgerError> {
        self.query("WHERE status = 'processing' ORDER BY id", [])
    }

    /// Filed submissions whose inbox file may still exist (checked by the caller).
    pub fn filed(&self) -> Result<Vec<Submission>, LedgerError> {
        self.query("WHERE status != 'processing' ORDER BY id", [])
    }

    /// The sender's latest filed (not duplicate) submission of a year.
    pub fn latest_filed(
        &self,
        unit: Option<&str>,
        year: Option<i32>,
    ) -> Result<Option<Submission>, LedgerError> {
        Ok(self
            .query(
                "WHERE unit IS ?1 AND year IS ?2 AND status IN ('accepted', 'rejected') ORDER BY id DESC LIMIT 1",
                params![unit, year],
            )?
            .into_iter()
            .next())
    }

    /// The latest self-scoring workbook of a unit for a year, accepted or
    /// rejected.
    pub fn latest_self_scoring(
        &self,
        unit: &str,
        year: i32,
    ) -> Result<Option<Submission>, LedgerError> {
        self.latest_self_scoring_in(unit, year, "('accepted', 'rejected')")
    }

    /// The latest self-scoring of a unit for a year whose status is in
    /// `statuses` (an SQL list of constants).
    fn latest_self_scoring_in(
        &self,
        unit: &str,
        year: i32,
        statuses: &str,
    ) -> Result<Option<Submission>, LedgerError> {
        Ok(self
            .query(
                &format!(
                    "WHERE unit = ?1 AND year = ?2 AND status IN {statuses}
                     AND kind = 'self-scoring' ORDER BY id DESC LIMIT 1"
                ),
                params![unit, year],
            )?
            .into_iter()
            .next())
    }

    /// The latest accepted self-scoring of a unit for a year.
    pub fn latest_accepted(
        &self,
        unit: &str,
        year: i32,
    ) -> Result<Option<Submission>, LedgerError> {
        self.latest_self_scoring_in(unit, year, "('accepted')")
    }

    /// Leaf scores recorded for a submission.
    pub fn scores(&self, id: i64) -> Result<BTreeMap<String, f64>, LedgerError> {
        self.json_column(id, "scores")
    }

    /// Evidence text per criterion recorded for a submission.
    pub fn evidence(&self, id: i64) -> Result<BTreeMap<String, String>, LedgerError> {
        self.json_column(id, "evidence")
    }

    /// Figures recorded for a submission.
    pub fn indicators(&self, id: i64) -> Result<BTreeMap<String, i64>, LedgerError> {
        self.json_column(id, "indicators")
    }

    /// A JSON column of a submission (empty when absent or unreadable).
    fn json_column<T: serde::de::DeserializeOwned + Default>(
        &self,
        id: i64,
        column: &'static str,
    ) -> Result<T, LedgerError> {
        let text: Option<String> = self
            .conn
            .query_row(
                &format!("SELECT {column} FROM submissions WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .flatten();
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// Accepted cross-checks of `inspected` in `year`: one entry per
    /// cross-check, with its verified scores and reasons.
    pub fn crosschecks_of(
        &self,
        inspected: &str,
        year: i32,
    ) -> Result<Vec<CrosscheckRecord>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.submission_id, c.inspector, s.received_at, c.criterion, c.verified, c.reason
                 FROM crosschecks c JOIN submissions s ON s.id = c.submission_id
                 WHERE c.inspected = ?1 AND c.year = ?2 ORDER BY c.submission_id, c.criterion",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![inspected, year], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    At::id("submissions", r.get(0)?).time("received_at", r.get(2)?)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out: Vec<CrosscheckRecord> = Vec::new();
        for row in rows {
            let (id, inspector, received_at, criterion, verified, reason) =
                row.map_err(|e| self.err(e))?;
            if out.last().is_none_or(|c| c.id != id) {
                out.push(CrosscheckRecord {
                    id,
                    inspector,
                    received_at,
                    scores: BTreeMap::new(),
                    reasons: BTreeMap::new(),
                });
            }
            if let Some(c) = out.last_mut() {
                c.scores.insert(criterion.clone(), verified);
                c.reasons.insert(criterion, reason);
            }
        }
        Ok(out)
    }

    fn query<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<Submission>, LedgerError> {
        let sql = format!(
            "SELECT id, kind, unit, inspected, year, original_name, inbox_path, stored_path, hash,
                received_at, status, self_total, mail_sender FROM submissions {filter}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params, |r| {
                let id = r.get(0)?;
                let at = At::id("submissions", id);
                Ok(Submission {
                    id,
                    kind: at.named("kind", r.get(1)?)?,
                    unit: r.get(2)?,
                    inspected: r.get(3)?,
                    year: r.get(4)?,
                    original_name: r.get(5)?,
                    inbox_path: PathBuf::from(r.get::<_, String>(6)?),
                    stored_path: PathBuf::from(r.get::<_, String>(7)?),
                    hash: r.get(8)?,
                    received_at: at.time("received_at", r.get(9)?)?,
                    status: at.named("status", r.get(10)?)?,
                    self_total: r.get(11)?,
                    mail_sender: r.get(12)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schedule::JobKind;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn intake(kind: Option<SubmissionKind>, at: DateTime<Utc>) -> Intake {
        Intake {
            kind,
            unit: Some("stp-qt".into()),
            inspected: None,
            folder_unit: Some("stp-qt".into()),
            year: Some(2026),
            original_name: "tu-cham.xlsx".into(),
            inbox_path: "inbox/stp-qt/tu-cham.xlsx".into(),
            stored_path: "archive/2026/stp-qt/tu-cham.xlsx".into(),
            hash: "ab12".into(),
            size: 10,
            received_at: at,
            mail: None,
        }
    }

    fn text(l: &Ledger, sql: &str) -> String {
        l.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The error's stored value, where it is, and that its message says so.
    fn unreadable(e: LedgerError) -> (&'static str, &'static str, String, String) {
        let shown = e.to_string();
        let LedgerError::Unreadable { path, source } = e else {
            panic!("not an unreadable value: {e}");
        };
        assert!(shown.starts_with(&format!("ledger {path}: ")), "{shown}");
        assert!(
            shown.contains(&format!("{}.{}", source.table, source.column)),
            "{shown}"
        );
        (source.table, source.column, source.row, source.value)
    }

    #[test]
    fn a_write_gets_into_the_short_gaps_of_a_busy_writer() {
        // The intake during a burst: the write lock held 30 ms, let go for a
        // moment, taken again, for a second. A mail recorded as sent meanwhile
        // gets in at one of the gaps; SQLite's own busy timeout, looking
        // again only every 25–100 ms, kept missing them.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let mut busy = Ledger::open(&path).unwrap();
        let mut other = Ledger::open(&path).unwrap();
        let id = other
            .begin(&intake(Some(SubmissionKind::SelfScoring), Utc::now()))
            .unwrap();
        let (started_tx, started) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let until = std::time::Instant::now() + Duration::from_secs(1);
            let mut first = true;
            while std::time::Instant::now() < until {
                let tx = busy
                    .conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .unwrap();
                if std::mem::take(&mut first) {
                    started_tx.send(()).unwrap();
                }
                std::thread::sleep(Duration::from_millis(30));
                tx.commit().unwrap();
                std::thread::sleep(Duration::from_micros(1500));
            }
        });
        started.recv().unwrap();
        let t0 = std::time::Instant::now();
        other
            .finish(id, Status::Accepted, &Filed::default(), &[], Utc::now())
            .unwrap();
        let waited = t0.elapsed();
        holder.join().unwrap();
        assert!(
            waited < Duration::from_millis(400),
            "waited {waited:?} for a writer that let go every 30 ms"
        );
    }

    #[test]
    fn a_submission_reads_back_typed_from_the_texts_ledgers_hold() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(&dir.path().join("l.sqlite")).unwrap();
        let at = t("2026-11-27T08:05:00+07:00");
        let id = l
            .begin(&intake(Some(SubmissionKind::SelfScoring), at))
            .unwrap();
        assert_eq!(l.unfinished().unwrap()[0].status, Status::Processing);
        l.finish(id, Status::Accepted, &Filed::default(), &[], at)
            .unwrap();
        assert_eq!(
            text(
                &l,
                "SELECT kind || ' ' || status || ' ' || received_at FROM submissions"
            ),
            "self-scoring accepted 2026-11-27T01:05:00+00:00"
        );
        let s = l.latest_accepted("stp-qt", 2026).unwrap().unwrap();
        assert_eq!(
            (s.id, s.kind, s.status, s.received_at),
            (id, Some(SubmissionKind::SelfScoring), Status::Accepted, at)
        );

        let other = l.begin(&intake(None, at)).unwrap();
        l.finish(other, Status::Rejected, &Filed::default(), &[], at)
            .unwrap();
        assert_eq!(
            text(
                &l,
                &format!("SELECT kind FROM submissions WHERE id = {other}")
            ),
            "unknown"
        );
        assert_eq!(l.filed().unwrap()[1].kind, None);
    }

    #[test]
    fn a_stored_value_that_does_not_read_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(&dir.path().join("l.sqlite")).unwrap();
        let at = t("2026-11-27T01:05:00Z");
        let sql = |l: &Ledger, sql: &str| l.conn.execute_batch(sql).unwrap();

        let id = l.begin(&intake(Some(SubmissionKind::Ballot), at)).unwrap();
        l.finish(id, Status::Accepted, &Filed::default(), &[], at)
            .unwrap();
        sql(
            &l,
            "UPDATE submissions SET received_at = '27/11/2026 08:05'",
        );
        assert_eq!(
            unreadable(l.filed().unwrap_err()),
            (
                "submissions",
                "received_at",
                format!("id {id}"),
                "27/11/2026 08:05".into()
            )
        );
        assert_eq!(unreadable(l.ballots(2026).unwrap_err()).1, "received_at");
        sql(
            &l,
            "UPDATE submissions SET received_at = '2026-11-27T01:05:00+00:00', kind = 'form'",
        );
        assert_eq!(unreadable(l.filed().unwrap_err()).1, "kind");
        sql(
            &l,
            "UPDATE submissions SET kind = 'ballot', status = 'filed'",
        );
        assert_eq!(unreadable(l.filed().unwrap_err()).1, "status");

        let run = l.job_begin(JobKind::Reminder, at, at).unwrap();
        sql(&l, "UPDATE job_runs SET outcome = 'done'");
        assert_eq!(
            unreadable(l.job_run(run).unwrap_err()),
            ("job_runs", "outcome", format!("id {run}"), "done".into())
        );
        sql(&l, "UPDATE job_runs SET outcome = 'ok', job = 'retired'");
        assert_eq!(unreadable(l.tallies().unwrap_err()).1, "job");
        sql(&l, "UPDATE job_runs SET job = 'reminder', outcome = NULL");
        assert_eq!(
            unreadable(l.job_run(run).unwrap_err()).3,
            "NULL".to_string()
        );
        sql(
            &l,
            "UPDATE job_runs SET outcome = 'running', started_at = 'soon'",
        );
        assert_eq!(unreadable(l.jobs_unfinished().unwrap_err()).1, "started_at");

        l.set_job_checked(JobKind::Reminder, at).unwrap();
        sql(&l, "UPDATE job_state SET checked_until = 'never'");
        assert_eq!(
            unreadable(l.job_checked_until(JobKind::Reminder).unwrap_err()),
            (
                "job_state",
                "checked_until",
                "job reminder".into(),
                "never".into()
            )
        );

        l.close_vote(2026, at).unwrap();
        sql(&l, "UPDATE vote_state SET closed_at = 'today'");
        assert_eq!(
            unreadable(l.vote_closed(2026).unwrap_err()).2,
            "year 2026".to_string()
        );

        let mail = QueuedMail {
            key: "k".into(),
            to: vec!["a@stp.quangtri.example".into()],
            cc: vec![],
            subject: "s".into(),
            body: "b".into(),
            attachments: vec![],
            in_reply_to: None,
            shown: crate::io::ledger::Shown::default(),
        };
        l.enqueue(&mail, at).unwrap();
        sql(&l, "UPDATE outbox SET next_attempt_at = 'now'");
        assert_eq!(
            unreadable(l.next_attempt().unwrap_err()).1,
            "next_attempt_at"
        );
        sql(
            &l,
            "UPDATE outbox SET next_attempt_at = '', created_at = 'then'",
        );
        assert_eq!(unreadable(l.due(at, 10).unwrap_err()).1, "created_at");
        sql(&l, "UPDATE outbox SET status = 'lost'");
        assert_eq!(unreadable(l.outbox_counts().unwrap_err()).1, "status");

        sql(
            &l,
            &format!(
                "INSERT INTO findings (submission_id, seq, code, severity, message)
                 VALUES ({id}, 0, 'no-such-code', 'error', 'm')"
            ),
        );
        sql(&l, "UPDATE job_runs SET outcome = 'ok'");
        assert_eq!(
            unreadable(l.tallies().unwrap_err()),
            (
                "findings",
                "code",
                format!("submission_id {id}"),
                "no-such-code".into()
            )
        );
    }
}
