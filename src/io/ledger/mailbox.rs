//! Mail taken from the submission mailbox (IMAP): which mails were handled,
//! keyed by folder, UIDVALIDITY and UID, and which of a mail's parts were
//! filed. A part's key is written with its submission, in the transactions
//! that file it; a mail's row is written once all its parts are filed, with
//! the answers that go to no file (an unknown sender, no workbook) in the
//! same transaction. So after a crash a mail is looked at again, and each
//! part already filed is skipped: nothing is taken twice, nothing is lost.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::outbox::{self, QueuedMail};
use super::stored::time_text;
use super::{Ledger, LedgerError};

/// One attachment of a mail (or one workbook inside a zip attachment), as
/// the submission taken from it records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPart {
    /// `<folder>/<uidvalidity>/<uid>/<n>`: unique per part of a mail.
    pub key: String,
    /// The mail's `Message-ID`, without the angle brackets' surroundings trimmed.
    pub message_id: Option<String>,
    /// The `From` address.
    pub sender: String,
}

/// How a mail from the mailbox ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    /// Its workbooks were taken (each with its own outcome).
    Taken,
    /// From an address no unit has.
    UnknownSender,
    /// Failing the sender domain's authentication (DMARC, or SPF and DKIM).
    NotAuthentic,
    /// No workbook attached.
    NoWorkbook,
    /// Not readable as a mail at all (logged, nothing answered).
    Unreadable,
}

impl MailOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            MailOutcome::Taken => "taken",
            MailOutcome::UnknownSender => "unknown-sender",
            MailOutcome::NotAuthentic => "not-authentic",
            MailOutcome::NoWorkbook => "no-workbook",
            MailOutcome::Unreadable => "unreadable",
        }
    }
}

/// A mail handled, as recorded.
#[derive(Debug, Clone)]
pub struct HandledMail<'a> {
    pub folder: &'a str,
    pub uidvalidity: u32,
    pub uid: u32,
    pub message_id: Option<&'a str>,
    pub sender: &'a str,
    pub unit: Option<&'a str>,
    pub outcome: MailOutcome,
    pub files: usize,
}

impl Ledger {
    /// The UIDs of `folder` under `uidvalidity` already handled.
    pub fn handled_uids(
        &self,
        folder: &str,
        uidvalidity: u32,
    ) -> Result<std::collections::HashSet<u32>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT uid FROM imap_mails WHERE folder = ?1 AND uidvalidity = ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![folder, uidvalidity], |r| r.get::<_, u32>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Whether a mail was handled.
    pub fn mail_handled(
        &self,
        folder: &str,
        uidvalidity: u32,
        uid: u32,
    ) -> Result<bool, LedgerError> {
        self.conn
            .query_row(
                "SELECT 1 FROM imap_mails WHERE folder = ?1 AND uidvalidity = ?2 AND uid = ?3",
                params![folder, uidvalidity, uid],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }

    /// The submission filed from a mail part, if the part was filed.
    pub fn part_filed(&self, key: &str) -> Result<Option<i64>, LedgerError> {
        self.conn
            .query_row(
                "SELECT id FROM submissions WHERE mail_part = ?1 AND status != 'processing'",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records a mail as handled, with the mails that answer it (for a mail
    /// that took no file), in one transaction. Recording it twice keeps the
    /// first record.
    pub fn record_mail(
        &mut self,
        m: &HandledMail<'_>,
        answers: &[QueuedMail],
        now: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let err = |source| LedgerError::from_sqlite(&path, source);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT OR IGNORE INTO imap_mails (folder, uidvalidity, uid, message_id, sender, unit,
                outcome, files, handled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                m.folder,
                m.uidvalidity,
                m.uid,
                m.message_id,
                m.sender,
                m.unit,
                m.outcome.as_str(),
                m.files as i64,
                time_text(now),
            ],
        )
        .map_err(err)?;
        for a in answers {
            outbox::insert(&tx, a, None, now).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// The number of mails handled, by outcome (what the tests read back;
    /// nothing shows it yet).
    #[cfg(test)]
    pub fn mail_counts(&self) -> Result<Vec<(String, i64)>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT outcome, count(*) FROM imap_mails GROUP BY outcome ORDER BY outcome",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_is_recorded_once_with_its_answer() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut l = Ledger::open(&dir.path().join("l.sqlite")).unwrap();
        let now = Utc::now();
        let m = HandledMail {
            folder: "INBOX",
            uidvalidity: 7,
            uid: 3,
            message_id: Some("<a@b>"),
            sender: "x@y.example",
            unit: None,
            outcome: MailOutcome::UnknownSender,
            files: 0,
        };
        let answer = QueuedMail {
            key: "mail-unknown:INBOX/7/3".into(),
            to: vec!["x@y.example".into()],
            cc: vec![],
            subject: "s".into(),
            body: "b".into(),
            attachments: vec![],
            in_reply_to: Some("<a@b>".into()),
            shown: crate::io::ledger::Shown::default(),
        };
        assert!(!l.mail_handled("INBOX", 7, 3).unwrap());
        l.record_mail(&m, std::slice::from_ref(&answer), now)
            .unwrap();
        l.record_mail(&m, std::slice::from_ref(&answer), now)
            .unwrap();
        assert!(l.mail_handled("INBOX", 7, 3).unwrap());
        assert!(!l.mail_handled("INBOX", 8, 3).unwrap());
        assert_eq!(l.handled_uids("INBOX", 7).unwrap().len(), 1);
        let due = l.due(now, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].mail.in_reply_to.as_deref(), Some("<a@b>"));
        assert_eq!(
            l.mail_counts().unwrap(),
            vec![("unknown-sender".to_string(), 1)]
        );
    }
}
