//! One mail from the mailbox, handled on a blocking thread under the
//! intake's ledger lock: read it, judge it, and either hand each file to the
//! same intake a dropped file goes through (one file at a time, each part
//! skipped if a previous run already filed it) or record the answer that
//! nothing was taken. The mail's row (folder, UIDVALIDITY, UID) is written
//! last, so a crash anywhere repeats nothing and loses nothing.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tracing::{info, warn};

use super::MailHost;
use crate::app::mail_in::{Judged, judge, not_taken};
use crate::io::ledger::{HandledMail, MailOutcome, MailPart, Status};
use crate::io::mail::incoming::{IncomingMail, MailLimits, read_mail};
use crate::service::inbox::intake::{IntakeError, commit, prepare_mailed};

/// Where a mail: folder, UIDVALIDITY, UID.
#[derive(Debug, Clone)]
pub struct MailAt {
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
}

impl MailAt {
    fn key(&self) -> String {
        format!("{}/{}/{}", self.folder, self.uidvalidity, self.uid)
    }
}

/// Most files taken from one mail.
pub const MAX_FILES: usize = 20;

/// The bounds a mail is read within, from the settings' limits.
pub fn limits(host: &dyn MailHost) -> MailLimits {
    let l = &host.settings().limits;
    MailLimits {
        // Base64 makes a file a third larger; room for a few and the text.
        max_mail_bytes: l
            .max_file_bytes
            .saturating_mul(3)
            .saturating_add(10 * 1024 * 1024),
        max_files: MAX_FILES,
        max_file_bytes: l.max_file_bytes,
        max_unpacked_bytes: l.max_unpacked_bytes,
    }
}

/// The folder a mail's files are written to before the intake takes them.
pub fn spool(host: &dyn MailHost) -> PathBuf {
    host.settings().paths.staging.join("mail")
}

/// What handling a mail did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handled {
    pub outcome: MailOutcome,
    pub files: usize,
}

/// Handles the mail `raw` at `at`, unless the ledger says it was handled.
pub fn handle(
    host: &dyn MailHost,
    at: &MailAt,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<Handled>, IntakeError> {
    let mail = read_mail(raw, &limits(host));
    handle_read(host, at, &mail, now)
}

/// As [`handle`] for a mail already read (or, for one too large to fetch,
/// its headers with a refusal).
pub fn handle_read(
    host: &dyn MailHost,
    at: &MailAt,
    mail: &IncomingMail,
    now: DateTime<Utc>,
) -> Result<Option<Handled>, IntakeError> {
    let settings = host.settings();
    let mut ledger = host.ledger();
    if ledger.mail_handled(&at.folder, at.uidvalidity, at.uid)? {
        return Ok(None);
    }
    let sender = mail.from.clone().unwrap_or_default();
    for r in &mail.refused {
        warn!(mail = %at.key(), sender = %sender, refused = %r, "part of a mail not taken");
    }
    let unit = match judge(&settings.cluster, mail) {
        Judged::Refuse(outcome, unit) => {
            let answer = not_taken(
                host.texts(),
                &settings.cluster,
                mail,
                outcome,
                unit,
                &at.key(),
                now,
                &settings.mail.from,
            )?;
            ledger.record_mail(
                &HandledMail {
                    folder: &at.folder,
                    uidvalidity: at.uidvalidity,
                    uid: at.uid,
                    message_id: mail.message_id.as_deref(),
                    sender: &sender,
                    unit: unit.map(|u| u.code.as_str()),
                    outcome,
                    files: 0,
                },
                std::slice::from_ref(&answer),
                now,
            )?;
            drop(ledger);
            host.mail_queued();
            info!(mail = %at.key(), sender = %sender, outcome = outcome.as_str(), "mail answered, nothing taken");
            return Ok(Some(Handled { outcome, files: 0 }));
        }
        Judged::Take(unit) => unit,
    };
    let dir = spool(host).join(format!("{}-{}", at.uidvalidity, at.uid));
    let mut files = 0;
    for (n, f) in mail.files.iter().enumerate() {
        let part = MailPart {
            key: format!("{}/{n}", at.key()),
            message_id: mail.message_id.clone(),
            sender: sender.clone(),
        };
        if ledger.part_filed(&part.key)?.is_some() {
            files += 1;
            continue;
        }
        let path = dir.join(n.to_string()).join(&f.name);
        write_new(&path, &f.bytes)?;
        let prepared =
            prepare_mailed(settings, host.docs(), &ledger, &path, now, &unit.code, part)?;
        let taken = commit(settings, host.texts(), &mut ledger, prepared)?;
        if taken.status == Status::Duplicate {
            info!(mail = %at.key(), file = %f.name, "the same file as the unit's latest: not answered again");
        }
        files += 1;
    }
    ledger.record_mail(
        &HandledMail {
            folder: &at.folder,
            uidvalidity: at.uidvalidity,
            uid: at.uid,
            message_id: mail.message_id.as_deref(),
            sender: &sender,
            unit: Some(&unit.code),
            outcome: MailOutcome::Taken,
            files,
        },
        &[],
        now,
    )?;
    drop(ledger);
    host.mail_queued();
    let _ = std::fs::remove_dir_all(&dir);
    info!(mail = %at.key(), sender = %sender, unit = %unit.code, files, "mail taken");
    Ok(Some(Handled {
        outcome: MailOutcome::Taken,
        files,
    }))
}

/// Writes a file that must not exist yet (a leftover of a crash is replaced).
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), IntakeError> {
    let err = |e: std::io::Error| IntakeError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::File::create_new(path).map_err(err)?;
    std::io::Write::write_all(&mut f, bytes).map_err(err)?;
    f.sync_all().map_err(err)
}
