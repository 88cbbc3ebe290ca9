//! Taking one file in, in an order that survives a crash at any point:
//!
//! 1. copy it into the staging folder while hashing it (SHA-256), so later
//!    steps work on a snapshot the unit cannot change underneath;
//! 2. review the copy (read and validate) and, for an accepted
//!    self-scoring, make the score sheet the receipt will carry;
//! 3. record the intent in the ledger (status `processing`, planned path);
//! 4. rename the copy to its place in `archive/` or `rejected/` (and write
//!    the `.findings.txt` beside a rejected one, the score sheet the receipt
//!    carries beside an accepted self-scoring);
//! 5. record the outcome, the findings and the answer's mail in one transaction;
//! 6. remove the inbox file, if it is still the file that was taken.
//!
//! Steps 1–2 ([`prepare`]) only read the ledger, so several files can be
//! prepared at once; steps 3–6 ([`commit`]) are taken one file at a time.
//!
//! Until step 6 the inbox file exists, so a crash leaves it to be taken
//! again; `recover` removes what steps 1–4 left behind and finishes step 6.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use tracing::{info, warn};

use super::Shape;
use super::names::{beside, filed_path};
use crate::app::answers::{Received, answer, crosscheck_notice, group_totals};
use crate::app::mail_texts::{TextError, Texts};
use crate::app::review::review_file;
use crate::config::Settings;
use crate::domain::findings::{Code, Finding};
use crate::domain::validate::{Context, SelfScores, SubmissionKind, Verdict};
use crate::io::digest::hash_file;
use crate::io::ledger::{Filed, Intake, Ledger, LedgerError, MailPart, Status};
use crate::io::pdf::Documents;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Text(#[from] TextError),
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> IntakeError {
    IntakeError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// How one file ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub id: i64,
    pub status: Status,
    pub kind: Option<SubmissionKind>,
    pub inspected: Option<String>,
    pub unit: Option<String>,
    pub year: Option<i32>,
    pub stored: PathBuf,
    pub errors: usize,
    pub warnings: usize,
    /// The inbox file could not be removed (or was kept on purpose, being
    /// unreadable): it stays, and must not be taken again as it is.
    pub left_in_inbox: bool,
}

/// Copies `src` to `dst` while hashing; returns the hex SHA-256 and size.
/// The copy is flushed to disk before it counts.
fn copy_hashed(src: &Path, dst: &Path) -> std::io::Result<(String, u64)> {
    let mut input = std::fs::File::open(src)?;
    let mut output = std::fs::File::create(dst)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        size += n as u64;
    }
    output.sync_all()?;
    Ok((crate::io::digest::hex(&hasher.finalize()), size))
}

/// Moves a file into place: a rename, or where the two folders are on
/// different file systems, a copy flushed to disk and then the removal.
fn place(from: &Path, to: &Path) -> Result<(), IntakeError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    if std::fs::symlink_metadata(from).is_ok_and(|m| m.file_type().is_symlink()) {
        let target = std::fs::read_link(from).map_err(|e| io_err(from, e))?;
        std::os::unix::fs::symlink(&target, to).map_err(|e| io_err(to, e))?;
    } else {
        copy_hashed(from, to).map_err(|e| io_err(to, e))?;
    }
    std::fs::remove_file(from).map_err(|e| io_err(from, e))
}

/// `path`, or the same name with `-2`, `-3`… if it is taken.
fn unique(path: PathBuf) -> PathBuf {
    if std::fs::symlink_metadata(&path).is_err() {
        return path;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (2..10_000)
        .map(|n| path.with_file_name(format!("{name}-{n}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or(path)
}

/// A file copied and reviewed but not yet recorded: what [`prepare`]
/// found, for [`commit`] to file and record. Preparing needs the ledger
/// only to read it, so the daemon prepares several files at once.
#[derive(Debug)]
pub struct Prepared {
    path: PathBuf,
    shape: Shape,
    now: DateTime<Utc>,
    folder_unit: Option<String>,
    original_name: String,
    staged: PathBuf,
    /// A symbolic link or an oversize file is filed as it is, not copied.
    as_is: bool,
    /// A file thidua may not read: nothing is filed, the file stays where it
    /// is, and the answer goes to the secretariat, who can give access.
    keep: bool,
    hash: String,
    size: u64,
    verdict: Verdict,
    self_scores: Option<SelfScores>,
    unit: Option<String>,
    sheet: Option<Vec<u8>>,
    /// The mail it came attached to, for a file sent by mail.
    mail: Option<MailPart>,
    /// The folder named after no unit that holds it.
    stray: Option<String>,
    /// Its folder named after no unit is reported in another file's answer:
    /// it has no mail of its own.
    in_folder_report: bool,
}

impl Prepared {
    /// Whether `taken`, recorded after this file was prepared, can change
    /// its review or its score sheet: a cross-check is compared with the
    /// inspected unit's self scores, a sheet shows the unit's cross-checks,
    /// a ballot's candidates come from the whole ranking.
    pub fn depends_on(&self, taken: &Taken) -> bool {
        if taken.status != Status::Accepted {
            return false;
        }
        match self.verdict.kind {
            Some(SubmissionKind::Ballot) => true,
            Some(SubmissionKind::CrossCheck) => {
                taken.kind == Some(SubmissionKind::SelfScoring)
                    && taken.unit.is_some()
                    && taken.unit == self.verdict.inspected
            }
            Some(SubmissionKind::SelfScoring) => {
                self.sheet.is_some()
                    && taken.kind == Some(SubmissionKind::CrossCheck)
                    && taken.inspected.is_some()
                    && taken.inspected == self.unit
            }
            None => false,
        }
    }

    /// Prepares the same file again, as received at the same time, against
    /// the ledger as it is now.
    pub fn again(
        self,
        settings: &Settings,
        docs: &Documents,
        ledger: &Ledger,
    ) -> Result<Prepared, IntakeError> {
        let (path, shape, now) = (self.path.clone(), self.shape, self.now);
        let (folder_unit, mail) = (self.folder_unit.clone(), self.mail.clone());
        self.discard();
        // A mailed file is its sender's; a dropped one is where it lies.
        let place = match (&mail, folder_unit) {
            (Some(_), Some(unit)) => super::Folder::Unit(unit),
            _ => super::folder(&settings.paths.inbox, &path, &settings.cluster),
        };
        prepare_as(settings, docs, ledger, &path, shape, now, &place, mail)
    }

    /// The inbox file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder named after no unit that holds the file, if it lies in one.
    pub fn stray_folder(&self) -> Option<&str> {
        self.stray.as_deref()
    }

    /// Makes this file's answer the one report of its folder named after no
    /// unit: `others` are the folder's other files taken with it, named in
    /// the answer instead of being answered one by one.
    pub fn report_folder(&mut self, others: &[String]) {
        if let Some(name) = &self.stray {
            self.verdict = Verdict::single(stray_finding(name, others));
            self.in_folder_report = false;
        }
    }

    /// This file's folder named after no unit is reported in another
    /// file's answer: it is taken and recorded, with no mail of its own.
    pub fn reported_with_folder(&mut self) {
        if self.stray.is_some() {
            self.in_folder_report = true;
        }
    }

    /// Drops the staged copy; the inbox file stays to be taken later.
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.staged);
    }
}

/// Steps 1–2 for one file of the inbox (`shape` is what it looked like
/// when it was judged stable, `now` the time of receipt): the snapshot, its review and, for an accepted self-scoring,
/// the score sheet its receipt will carry. Writes nothing but the staged
/// copy (removed again on any error).
pub fn prepare(
    settings: &Settings,
    docs: &Documents,
    ledger: &Ledger,
    path: &Path,
    shape: Shape,
    now: DateTime<Utc>,
) -> Result<Prepared, IntakeError> {
    let place = super::folder(&settings.paths.inbox, path, &settings.cluster);
    prepare_as(settings, docs, ledger, path, shape, now, &place, None)
}

/// Steps 1–2 for a file that came attached to a mail from `unit` (the unit
/// whose `emails` hold the sender): the file, written out under the staging
/// folder, is taken exactly as if that unit had dropped it in its inbox
/// folder; `mail` goes into the ledger with it, and its answer is a reply.
pub fn prepare_mailed(
    settings: &Settings,
    docs: &Documents,
    ledger: &Ledger,
    path: &Path,
    now: DateTime<Utc>,
    unit: &str,
    mail: MailPart,
) -> Result<Prepared, IntakeError> {
    let shape =
        Shape::of(path).ok_or_else(|| io_err(path, "the file written from the mail is gone"))?;
    prepare_as(
        settings,
        docs,
        ledger,
        path,
        shape,
        now,
        &super::Folder::Unit(unit.to_string()),
        Some(mail),
    )
}

#[allow(clippy::too_many_arguments)]
fn prepare_as(
    settings: &Settings,
    docs: &Documents,
    ledger: &Ledger,
    path: &Path,
    shape: Shape,
    now: DateTime<Utc>,
    place: &super::Folder,
    mail: Option<MailPart>,
) -> Result<Prepared, IntakeError> {
    let paths = &settings.paths;
    let folder_unit = match place {
        super::Folder::Unit(code) => Some(code.clone()),
        super::Folder::Root | super::Folder::Stray(_) => None,
    };
    let original_name = path
        .file_name()
        .map_or_else(|| "tep".to_string(), |n| n.to_string_lossy().into_owned());
    std::fs::create_dir_all(&paths.staging).map_err(|e| io_err(&paths.staging, e))?;
    let staged = paths.staging.join(format!(
        "{}-{}-{}",
        now.timestamp_nanos_opt().unwrap_or_default(),
        std::process::id(),
        STAGED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));

    // A symbolic link is never followed and a file over the size limit is
    // never copied: both are filed as they are (moved, not copied) once the
    // intent is recorded.
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let oversize = !is_link && shape.size > settings.limits.max_file_bytes;
    let mut self_scores = None;
    let mut keep = false;
    let mut in_stray: Option<String> = None;
    let (hash, size, verdict) = if is_link {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let f = Finding::error(
            Code::UnreadableFile,
            format!(
                "Không đọc được tệp: đây là một liên kết (symbolic link) tới {}, không phải tệp; hãy gửi chính tệp bảng tính.",
                crate::domain::vn::quote(&target)
            ),
        );
        (
            crate::io::digest::short(&format!("symlink:{target}"), 32),
            0,
            Verdict::single(f),
        )
    } else if oversize {
        let hash = hash_file(path).map_err(|e| io_err(path, e))?;
        let f = Finding::error(
            Code::FileTooLarge,
            format!(
                "Tệp quá lớn: tệp nặng {} byte, vượt giới hạn {} byte.",
                crate::domain::vn::format_number(shape.size as f64),
                crate::domain::vn::format_number(settings.limits.max_file_bytes as f64)
            ),
        );
        (hash, shape.size, Verdict::single(f))
    } else {
        match copy_hashed(path, &staged) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                let _ = std::fs::remove_file(&staged);
                // Answered once, to the secretariat, who can give thidua
                // access; the file stays where it is.
                keep = true;
                let stamp = format!(
                    "unreadable:{}:{}:{:?}",
                    path.display(),
                    shape.size,
                    shape.modified
                );
                let f = Finding::error(
                    Code::UnreadableFile,
                    "Không đọc được tệp: tài khoản chạy chương trình thidua không có quyền đọc tệp này; Thường trực Khu vực cần cấp quyền đọc (hoặc đơn vị lưu lại tệp) để tệp được tiếp nhận. Tệp vẫn nằm nguyên trong hộp thư đến.",
                );
                (
                    crate::io::digest::short(&stamp, 32),
                    shape.size,
                    Verdict::single(f),
                )
            }
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                return Err(io_err(path, e));
            }
            Ok((hash, size)) => {
                if let super::Folder::Stray(name) = place {
                    // Logged once for its folder, by the daemon's batch,
                    // and answered in its folder's one report. A file not
                    // read whole (a link, too large, unreadable) keeps its
                    // own finding and its own answer.
                    in_stray = Some(name.clone());
                    (hash, size, Verdict::single(stray_finding(name, &[])))
                } else {
                    let (verdict, own) =
                        match review(settings, ledger, &staged, folder_unit.as_deref(), now) {
                            Ok(x) => x,
                            Err(e) => {
                                let _ = std::fs::remove_file(&staged);
                                return Err(e);
                            }
                        };
                    self_scores = own;
                    (hash, size, verdict)
                }
            }
        }
    };

    // The sender: the unit whose folder held the file, or for a file in the
    // inbox root the unit it declares.
    let unit = folder_unit.clone().or_else(|| {
        verdict
            .unit
            .clone()
            .filter(|c| settings.cluster.unit(c).is_some())
    });
    let mut sheet = None;
    if verdict.accepted()
        && verdict.kind == Some(SubmissionKind::SelfScoring)
        && let Some(u) = unit.as_deref()
        && let Some(t) = table_of(settings, &verdict, Some(u))
    {
        // A sheet that cannot be made does not hold the receipt back.
        match crate::app::papers::receipt_sheet(
            settings,
            ledger,
            docs,
            t,
            u,
            &verdict.scores,
            &verdict.evidence,
            now,
        ) {
            Ok(pdf) => sheet = Some(pdf),
            Err(e) => {
                warn!(unit = u, error = %e, "cannot make the score sheet; the receipt goes without it");
            }
        }
    }
    Ok(Prepared {
        path: path.to_path_buf(),
        shape,
        now,
        folder_unit,
        original_name,
        staged,
        as_is: is_link || oversize,
        keep,
        hash,
        size,
        verdict,
        self_scores,
        unit,
        sheet,
        mail,
        stray: in_stray,
        in_folder_report: false,
    })
}

/// How many of a stray folder's other files one answer names.
const STRAY_NAMED: usize = 50;

/// The finding of a file in a folder named after no unit; `others` are the
/// folder's other files its answer reports too.
fn stray_finding(folder: &str, others: &[String]) -> Finding {
    use crate::domain::vn::{format_number, quote};
    let mut text = format!(
        "Tệp nằm trong thư mục {} của hộp thư đến, không phải thư mục của đơn vị nào, nên không được tiếp nhận cho đơn vị nào; tệp của một đơn vị phải được đặt trong thư mục mang mã của đơn vị đó.",
        quote(folder)
    );
    if !others.is_empty() {
        let named: Vec<String> = others.iter().take(STRAY_NAMED).map(|n| quote(n)).collect();
        let rest = others.len() - named.len();
        text = format!(
            "{text} Thư mục này còn {} tệp khác, cũng không được tiếp nhận vì cùng lý do và được báo chung trong thư này: {}{}.",
            format_number(others.len() as f64),
            named.join(", "),
            if rest > 0 {
                format!(" và {} tệp nữa", format_number(rest as f64))
            } else {
                String::new()
            }
        );
    }
    Finding::error(Code::UnitFolderMismatch, text)
}

/// Tells staged copies prepared in the same nanosecond apart.
static STAGED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The criteria table of the scored unit (for a cross-check, the inspected unit's).
fn table_of<'a>(
    settings: &'a Settings,
    verdict: &Verdict,
    unit: Option<&str>,
) -> Option<&'a crate::domain::criteria::Table> {
    verdict
        .inspected
        .as_deref()
        .or(unit)
        .and_then(|c| settings.cluster.unit(c))
        .zip(verdict.year)
        .and_then(|(u, y)| settings.tables.get(&u.unit_type, y))
}

/// Steps 3–6 for a prepared file: whether it repeats the unit's latest
/// file, the answer, the intent, the filing and the outcome.
pub fn commit(
    settings: &Settings,
    texts: &Texts,
    ledger: &mut Ledger,
    prepared: Prepared,
) -> Result<Taken, IntakeError> {
    let Prepared {
        path,
        shape,
        now,
        folder_unit,
        original_name,
        staged,
        as_is,
        keep,
        hash,
        size,
        verdict,
        self_scores,
        unit,
        sheet,
        mail,
        stray,
        in_folder_report,
    } = prepared;
    // This file's answer is its folder's one report: sent even when the
    // file itself was seen before, or the folder's other files go untold.
    let reports_folder = stray.is_some() && !in_folder_report;
    let path = path.as_path();
    let paths = &settings.paths;
    let source: &Path = if as_is { path } else { &staged };

    // The same content as the sender's latest file of the year, with the
    // same outcome, is a duplicate.
    let fresh = if verdict.accepted() {
        Status::Accepted
    } else {
        Status::Rejected
    };
    let same = match ledger.latest_filed(unit.as_deref(), verdict.year) {
        Ok(s) => s.filter(|prev| prev.hash == hash && prev.status == fresh),
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.into());
        }
    };
    let status = if same.is_some() {
        Status::Duplicate
    } else {
        fresh
    };
    let sheet = sheet.filter(|_| status == Status::Accepted);
    let root = if fresh == Status::Accepted {
        &paths.archive
    } else {
        &paths.rejected
    };
    let stored = unique(filed_path(
        root,
        verdict.year,
        unit.as_deref(),
        now,
        &hash,
        &original_name,
    ));

    // The answer is composed before anything is recorded, so a template
    // error leaves nothing behind. The table is the scored unit's (for a
    // cross-check, the inspected unit's).
    let table = table_of(settings, &verdict, unit.as_deref());
    let replaces = match (verdict.kind, unit.as_deref(), verdict.year) {
        (Some(SubmissionKind::SelfScoring), Some(u), Some(y)) => {
            ledger.latest_accepted(u, y)?.is_some()
        }
        (Some(SubmissionKind::CrossCheck), Some(u), Some(y)) => match &verdict.inspected {
            Some(inspected) => ledger
                .crosschecks_of(inspected, y)?
                .iter()
                .any(|c| c.inspector == u),
            None => false,
        },
        _ => false,
    };
    let received = Received {
        original_name: &original_name,
        folder_unit: folder_unit.as_deref(),
        received_at: now,
        hash: &hash,
        sheet: None,
        replaces,
    };
    let mut mails = Vec::new();
    let mut report = None;
    let sheet_path = beside(&stored, crate::app::papers::names::SHEET_SUFFIX);
    let composed: Result<(), IntakeError> = (|| {
        if status == Status::Duplicate && !reports_folder {
            return Ok(());
        }
        let a = answer(
            texts,
            &settings.cluster,
            table,
            &verdict,
            &Received {
                sheet: sheet.as_ref().map(|_| sheet_path.as_path()),
                ..received
            },
            &settings.mail.from,
        )?;
        report.clone_from(&a.findings_txt);
        if in_folder_report {
            // Named in the answer its folder's report went out with.
            return Ok(());
        }
        let mut answer_mail = a.mail;
        if keep {
            // Only the secretariat can give thidua access to the file.
            answer_mail.to = vec![settings.mail.from.clone()];
            answer_mail.cc = Vec::new();
            answer_mail.shown.to = None;
        }
        if let Some(m) = &mail {
            answer_mail = answer_mail.replying_to(&m.key, m.message_id.as_deref());
        }
        mails.push(answer_mail);
        if status == Status::Accepted
            && verdict.kind == Some(SubmissionKind::CrossCheck)
            && let Some(t) = table
        {
            mails.extend(crosscheck_notice(
                texts,
                &settings.cluster,
                t,
                &verdict,
                &received,
                self_scores.as_ref(),
                &settings.mail.from,
            )?);
        }
        Ok(())
    })();
    if let Err(e) = composed {
        let _ = std::fs::remove_file(&staged);
        return Err(e);
    }

    // 3: the intent.
    let id = match ledger.begin(&Intake {
        kind: verdict.kind,
        unit: unit.clone(),
        inspected: verdict.inspected.clone(),
        folder_unit: folder_unit.clone(),
        year: verdict.year,
        original_name: original_name.clone(),
        inbox_path: path.to_path_buf(),
        stored_path: stored.clone(),
        hash: hash.clone(),
        size,
        received_at: now,
        mail: mail.clone(),
    }) {
        Ok(id) => id,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.into());
        }
    };

    // Each submission's answers are its own (see `QueuedMail::for_submission`).
    let mails: Vec<_> = mails.into_iter().map(|m| m.for_submission(id)).collect();

    // 4–5: filed, then the outcome recorded. On any error the filing is
    // undone, so the inbox file is taken again on the next scan.
    let report_path = beside(&stored, crate::app::papers::names::FINDINGS_SUFFIX);
    let filed = Filed {
        self_total: verdict.self_total,
        group_totals: table
            .map(|t| group_totals(t, &verdict.scores))
            .unwrap_or_default(),
        scores: verdict.scores.clone(),
        evidence: verdict.evidence.clone(),
        reasons: verdict.reasons.clone(),
        indicators: verdict.indicators.clone(),
        findings: verdict.findings.clone(),
        duplicate_of: same.as_ref().map(|s| s.id),
        marks: verdict.marks.iter().cloned().collect(),
    };
    let done: Result<(), IntakeError> = (|| {
        if keep {
            // Nothing to file: the file stays in the inbox.
            ledger.finish(id, status, &filed, &mails, now)?;
            return Ok(());
        }
        place(source, &stored)?;
        if let Some(txt) = &report {
            std::fs::write(&report_path, txt).map_err(|e| io_err(&report_path, e))?;
        }
        if let Some(pdf) = &sheet {
            std::fs::write(&sheet_path, pdf).map_err(|e| io_err(&sheet_path, e))?;
        }
        ledger.finish(id, status, &filed, &mails, now)?;
        Ok(())
    })();
    if let Err(e) = done {
        if source == path {
            let _ = std::fs::rename(&stored, path);
        }
        let _ = std::fs::remove_file(&stored);
        let _ = std::fs::remove_file(&report_path);
        let _ = std::fs::remove_file(&sheet_path);
        let _ = std::fs::remove_file(&staged);
        let _ = ledger.forget(id);
        return Err(e);
    }

    // 6: the inbox file goes, unless the unit changed it since it was
    // judged complete (it is taken again as the new file), or a writer has
    // it open again (a writer that paused: removing it now would send the
    // rest of its writing into a deleted file). A file that cannot be
    // removed stays; the daemon does not take it again as it is.
    let mut left_in_inbox = keep;
    if keep {
        warn!(file = %super::shown(path), "cannot read the file: answered to the secretariat, left in the inbox");
    } else if source != path {
        if Shape::of(path) != Some(shape) {
            info!(file = %super::shown(path), "the file changed after it was taken: left in the inbox for the next take");
        } else if crate::io::writers::held_for_writing(path) == Some(true) {
            info!(file = %super::shown(path), "a writer has the file open again: left in the inbox for the next take");
        } else if let Err(e) = std::fs::remove_file(path) {
            left_in_inbox = true;
            warn!(
                file = %super::shown(path),
                error = %e,
                "cannot remove the file from the inbox after taking it: it stays there and is not taken again unless it changes"
            );
        }
    }
    let errors = verdict.findings.iter().filter(|f| f.is_error()).count();
    let taken = Taken {
        id,
        status,
        kind: verdict.kind,
        inspected: verdict.inspected.clone(),
        unit,
        year: verdict.year,
        stored,
        errors,
        warnings: verdict.findings.len() - errors,
        left_in_inbox,
    };
    info!(
        file = %super::shown(path),
        unit = taken.unit.as_deref().unwrap_or("?"),
        year = taken.year.map_or_else(|| "?".to_string(), |y| y.to_string()),
        status = status.as_str(),
        errors,
        warnings = taken.warnings,
        filed = %super::shown(&taken.stored),
        "file taken"
    );
    Ok(taken)
}

/// Reviews a staged copy. A cross-check is compared with the inspected
/// unit's accepted self scores when the ledger has them (returned too).
fn review(
    settings: &Settings,
    ledger: &Ledger,
    staged: &Path,
    folder_unit: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Verdict, Option<SelfScores>), IntakeError> {
    let ctx = Context {
        cluster: &settings.cluster,
        tables: &settings.tables,
        folder_unit,
        self_scores: None,
        ballot: None,
    };
    let verdict = review_file(staged, &settings.limits, &ctx);
    if verdict.kind == Some(SubmissionKind::Ballot)
        && let Some(year) = verdict.year
    {
        // Checked again against the candidates and whether the vote is closed.
        let bc = crate::app::standings::ballot_context(settings, ledger, year, now)?;
        let verdict = review_file(
            staged,
            &settings.limits,
            &Context {
                ballot: Some(&bc),
                ..ctx
            },
        );
        return Ok((verdict, None));
    }
    if verdict.kind != Some(SubmissionKind::CrossCheck) {
        return Ok((verdict, None));
    }
    let (Some(inspected), Some(year)) = (verdict.inspected.as_deref(), verdict.year) else {
        return Ok((verdict, None));
    };
    let Some(sub) = ledger.latest_accepted(inspected, year)? else {
        return Ok((verdict, None));
    };
    let scores: SelfScores = ledger.scores(sub.id)?.into_iter().collect();
    let verdict = review_file(
        staged,
        &settings.limits,
        &Context {
            self_scores: Some(&scores),
            ..ctx
        },
    );
    Ok((verdict, Some(scores)))
}
