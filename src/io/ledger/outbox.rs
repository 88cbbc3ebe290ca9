//! The outbox: every email is a row with an idempotency key, so enqueuing
//! the same mail twice (after a restart, say) keeps one row; the mail worker
//! takes due rows, and records sending, retries with their next time, and
//! permanent failures that stay visible to the operator.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::stored::{At, MailStatus, time_text};
use super::{Ledger, LedgerError};

/// A mail to send.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedMail {
    /// Idempotency key: the same key is sent at most once.
    pub key: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<PathBuf>,
    /// The Message-ID of the mail this one answers (a reply), if any.
    pub in_reply_to: Option<String>,
    /// What people see in place of bare addresses and stored file names.
    pub shown: Shown,
}

/// The names a mail shows people: who the `to` addresses are (a unit, the
/// ministry's body, the secretariat), and under which name an attachment
/// travels where its stored file's name is not for people (the receipt's
/// score sheet is kept beside the workbook under a technical name).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Shown {
    /// The display name of every `to` address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// An attachment's name in the mail, by its stored path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<PathBuf, String>,
}

impl Shown {
    /// Shown to people as `name`.
    pub fn to(name: impl Into<String>) -> Shown {
        Shown {
            to: Some(name.into()),
            files: BTreeMap::new(),
        }
    }

    /// The name the attachment at `path` travels under: the one given,
    /// else its file's.
    pub fn file_name(&self, path: &std::path::Path) -> String {
        self.files.get(path).cloned().unwrap_or_else(|| {
            path.file_name()
                .map_or_else(|| "tep".into(), |n| n.to_string_lossy().into_owned())
        })
    }
}

impl QueuedMail {
    /// The mail as the answer to submission `id`: its key gains the id, so
    /// the same file sent again later (A, then B, then A again) is a new
    /// submission with an answer of its own, while the one submission,
    /// recorded in one transaction with its mails, is still answered once
    /// whatever crashes (a submission not recorded is taken again under a
    /// new id, its mails never queued).
    #[must_use]
    pub fn for_submission(mut self, id: i64) -> QueuedMail {
        self.key = format!("{}:s{id}", self.key);
        self
    }

    /// The answer to a file that came by mail: a reply to that mail
    /// (`In-Reply-To` its `message_id`), keyed by the mail's part
    /// (`part_key`) so that each mail gets its own answer even for the same
    /// content.
    #[must_use]
    pub fn replying_to(mut self, part_key: &str, message_id: Option<&str>) -> QueuedMail {
        self.key = format!("{}:mail:{part_key}", self.key);
        self.in_reply_to = message_id.map(str::to_string);
        self
    }
}

/// An outbox row as read back.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub mail: QueuedMail,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub(super) fn insert(
    conn: &Connection,
    m: &QueuedMail,
    submission_id: Option<i64>,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let paths: Vec<String> = m
        .attachments
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let n = conn.execute(
        "INSERT OR IGNORE INTO outbox (key, submission_id, created_at, to_addrs, cc_addrs, subject,
            body, attachments, status, next_attempt_at, in_reply_to, shown)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?3, ?10, ?11)",
        params![
            m.key,
            submission_id,
            time_text(now),
            serde_json::to_string(&m.to).unwrap_or_default(),
            serde_json::to_string(&m.cc).unwrap_or_default(),
            m.subject,
            m.body,
            serde_json::to_string(&paths).unwrap_or_default(),
            MailStatus::Pending.as_str(),
            m.in_reply_to,
            serde_json::to_string(&m.shown).unwrap_or_default(),
        ],
    )?;
    Ok(n == 1)
}

fn list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Ledger {
    /// Queues a mail unless one with the same key exists; true if queued.
    pub fn enqueue(&mut self, m: &QueuedMail, now: DateTime<Utc>) -> Result<bool, LedgerError> {
        insert(&self.conn, m, None, now).map_err(|e| self.err(e))
    }

    /// Queues mails in one transaction, skipping keys already queued;
    /// returns how many were new.
    pub fn enqueue_all(
        &mut self,
        mails: &[QueuedMail],
        now: DateTime<Utc>,
    ) -> Result<usize, LedgerError> {
        let path = self.path.clone();
        let err = |source| LedgerError::from_sqlite(&path, source);
        let tx = self.conn.transaction().map_err(err)?;
        let mut n = 0;
        for m in mails {
            if insert(&tx, m, None, now).map_err(err)? {
                n += 1;
            }
        }
        tx.commit().map_err(err)?;
        Ok(n)
    }

    /// Pending mails whose next attempt is due, oldest first.
    pub fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OutboxRow>, LedgerError> {
        self.outbox_rows(
            "WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
            params![time_text(now), limit as i64],
        )
    }

    /// Mails that failed for good, newest first.
    pub fn failed_mails(&self) -> Result<Vec<OutboxRow>, LedgerError> {
        self.outbox_rows("WHERE status = 'failed' ORDER BY id DESC", [])
    }

    /// The time of the next pending attempt, if any.
    pub fn next_attempt(&self) -> Result<Option<DateTime<Utc>>, LedgerError> {
        self.conn
            .query_row(
                "SELECT id, next_attempt_at FROM outbox WHERE status = 'pending'
                 ORDER BY next_attempt_at LIMIT 1",
                [],
                |r| Ok(At::id("outbox", r.get(0)?).time("next_attempt_at", r.get(1)?)?),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn outbox_rows<P: rusqlite::Params>(
        &self,
        filter: &str,
        p: P,
    ) -> Result<Vec<OutboxRow>, LedgerError> {
        let sql = format!(
            "SELECT id, key, to_addrs, cc_addrs, subject, body, attachments, attempts, created_at, last_error,
                in_reply_to, shown
             FROM outbox {filter}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(p, |r| {
                let id = r.get(0)?;
                Ok(OutboxRow {
                    id,
                    mail: QueuedMail {
                        key: r.get(1)?,
                        to: list(&r.get::<_, String>(2)?),
                        cc: list(&r.get::<_, String>(3)?),
                        subject: r.get(4)?,
                        body: r.get(5)?,
                        attachments: list(&r.get::<_, String>(6)?)
                            .into_iter()
                            .map(PathBuf::from)
                            .collect(),
                        in_reply_to: r.get(10)?,
                        // A row from before the names were kept shows none.
                        shown: r
                            .get::<_, Option<String>>(11)?
                            .and_then(|t| serde_json::from_str(&t).ok())
                            .unwrap_or_default(),
                    },
                    attempts: r.get(7)?,
                    created_at: At::id("outbox", id).time("created_at", r.get(8)?)?,
                    last_error: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    pub fn mark_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE outbox SET status = ?3, sent_at = ?2, attempts = attempts + 1, last_error = NULL
                 WHERE id = ?1",
                params![id, time_text(now), MailStatus::Sent.as_str()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records a transient failure and when to try again.
    pub fn mark_retry(
        &mut self,
        id: i64,
        next: DateTime<Utc>,
        error: &str,
    ) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
                params![id, time_text(next), error],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records a permanent failure: the mail stays in the outbox as failed.
    pub fn mark_failed(&mut self, id: i64, error: &str) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE outbox SET status = ?3, attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, error, MailStatus::Failed.as_str()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// When the oldest mail still waiting to be sent was queued.
    pub fn oldest_waiting(&self) -> Result<Option<DateTime<Utc>>, LedgerError> {
        self.conn
            .query_row(
                "SELECT id, created_at FROM outbox WHERE status = ?1
                 ORDER BY created_at, id LIMIT 1",
                params![MailStatus::Pending.as_str()],
                |r| Ok(At::id("outbox", r.get(0)?).time("created_at", r.get(1)?)?),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Puts mails that failed for good back in the outbox, due at `now`
    /// with their attempts counted afresh: those of `ids`, or every failed
    /// one when `ids` is empty. Returns the ids put back, in order; an id
    /// that is not a failed mail is left alone.
    pub fn retry_failed(
        &mut self,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, LedgerError> {
        let path = self.path.clone();
        let err = |e| LedgerError::from_sqlite(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        let failed: Vec<i64> = {
            let mut stmt = tx
                .prepare("SELECT id FROM outbox WHERE status = ?1 ORDER BY id")
                .map_err(err)?;
            stmt.query_map(params![MailStatus::Failed.as_str()], |r| r.get(0))
                .and_then(Iterator::collect)
                .map_err(err)?
        };
        let chosen: Vec<i64> = failed
            .into_iter()
            .filter(|id| ids.is_empty() || ids.contains(id))
            .collect();
        for id in &chosen {
            tx.execute(
                "UPDATE outbox SET status = ?2, attempts = 0, next_attempt_at = ?3 WHERE id = ?1",
                params![id, MailStatus::Pending.as_str(), time_text(now)],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(chosen)
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts, LedgerError> {
        let mut c = OutboxCounts::default();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT min(id), status, count(*) FROM outbox GROUP BY status")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let status = At::id("outbox", r.get(0)?).named("status", r.get(1)?)?;
                Ok((status, r.get::<_, i64>(2)?))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (status, n) = row.map_err(|e| self.err(e))?;
            match status {
                MailStatus::Pending => c.pending = n,
                MailStatus::Sent => c.sent = n,
                MailStatus::Failed => c.failed = n,
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(key: &str) -> QueuedMail {
        QueuedMail {
            key: key.into(),
            to: vec!["a@stp.quangtri.example".into()],
            cc: vec![],
            subject: "Biên nhận".into(),
            body: "Đã nhận.".into(),
            attachments: vec![],
            in_reply_to: None,
            shown: crate::io::ledger::Shown::default(),
        }
    }

    #[test]
    fn the_same_key_is_queued_once_and_retries_wait() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut l = Ledger::open(&dir.path().join("l.sqlite")).unwrap();
        let now = Utc::now();
        assert!(l.enqueue(&mail("k1"), now).unwrap());
        assert!(!l.enqueue(&mail("k1"), now).unwrap());
        let due = l.due(now, 10).unwrap();
        assert_eq!(due.len(), 1);
        l.mark_retry(due[0].id, now + chrono::Duration::seconds(30), "451 busy")
            .unwrap();
        assert!(l.due(now, 10).unwrap().is_empty());
        assert_eq!(
            l.due(now + chrono::Duration::seconds(31), 10).unwrap()[0].attempts,
            1
        );
        l.mark_sent(due[0].id, now).unwrap();
        assert_eq!(
            l.outbox_counts().unwrap(),
            OutboxCounts {
                pending: 0,
                sent: 1,
                failed: 0
            }
        );
    }
}
