//! Taking one file in, in an order that survives a crash at any point:
//!
//! 1. copy it into the staging folder while hashing it (SHA-256), so later
//!    steps work on a snapshot the unit cannot change underneath;
//! 2. review the copy (read and validate);
//! 3. record the intent in the ledger (status `processing`, planned path);
//! 4. rename the copy to its place in `archive/` or `rejected/` (and write
//!    the `.findings.txt` beside a rejected one);
//! 5. record the outcome, the findings and the answer's mail in one transaction;
//! 6. remove the inbox file, if it is still the file that was taken.
//!
//! Until step 6 the inbox file exists, so a crash leaves it to be taken
//! again; `recover` removes what steps 1–4 left behind and finishes step 6.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tracing::info;

use super::Shape;
use super::names::filed_path;
use crate::config::Settings;
use crate::findings::{Code, Finding};
use crate::ledger::{Filed, Intake, Ledger, LedgerError, Status};
use crate::mail::texts::{TextError, Texts};
use crate::receipts::{Received, answer, crosscheck_notice, group_totals};
use crate::review::review_file;
use crate::validate::{Context, SelfScores, SubmissionKind, Verdict};

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
    pub unit: Option<String>,
    pub year: Option<i32>,
    pub stored: PathBuf,
    pub errors: usize,
    pub warnings: usize,
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
    Ok((crate::digest::hex(&hasher.finalize()), size))
}

/// The SHA-256 of a file, hex.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut input = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut input, &mut hasher)?;
    Ok(crate::digest::hex(&hasher.finalize()))
}

/// Moves within the data folder (same file system): a rename.
fn place(from: &Path, to: &Path) -> Result<(), IntakeError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    std::fs::rename(from, to).map_err(|e| io_err(to, e))
}

/// Takes in one file of the inbox. `shape` is what the file looked like
/// when it was judged stable; `now` is the time of receipt.
pub fn take(
    settings: &Settings,
    texts: &Texts,
    ledger: &mut Ledger,
    path: &Path,
    shape: Shape,
    now: DateTime<Utc>,
) -> Result<Taken, IntakeError> {
    let paths = &settings.paths;
    let folder_unit = super::folder_unit(&paths.inbox, path, &settings.cluster);
    let original_name = path
        .file_name()
        .map_or_else(|| "tep".to_string(), |n| n.to_string_lossy().into_owned());
    std::fs::create_dir_all(&paths.staging).map_err(|e| io_err(&paths.staging, e))?;
    let staged = paths.staging.join(format!(
        "{}-{}",
        now.timestamp_nanos_opt().unwrap_or_default(),
        std::process::id()
    ));

    // 1–2: a snapshot, hashed, then reviewed. A symbolic link is never followed.
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let mut self_scores = None;
    let (hash, size, verdict) = if is_link {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        std::fs::rename(path, &staged).map_err(|e| io_err(path, e))?;
        let hash = format!(
            "{:x}",
            Sha256::digest(format!("symlink:{target}").as_bytes())
        );
        let f = Finding::error(
            Code::UnreadableFile,
            format!(
                "Không đọc được tệp: đây là một liên kết (symbolic link) tới {}, không phải tệp; hãy gửi chính tệp bảng tính.",
                crate::vn::quote(&target)
            ),
        );
        (hash, 0, Verdict::single(f))
    } else {
        let (hash, size) = match copy_hashed(path, &staged) {
            Ok(x) => x,
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                return Err(io_err(path, e));
            }
        };
        let (verdict, own) = review(settings, ledger, &staged, folder_unit.as_deref())?;
        self_scores = own;
        (hash, size, verdict)
    };

    // The unit the file counts for, and whether it repeats an earlier file.
    // The sender: the unit whose folder held the file, or for a file in
    // the inbox root the unit it declares.
    let unit = folder_unit.clone().or_else(|| {
        verdict
            .unit
            .clone()
            .filter(|c| settings.cluster.unit(c).is_some())
    });
    let same = ledger.find_same(unit.as_deref(), verdict.year, &hash)?;
    let status = match (&same, verdict.accepted()) {
        (Some(_), _) => Status::Duplicate,
        (None, true) => Status::Accepted,
        (None, false) => Status::Rejected,
    };
    let root = match same.as_ref().map_or(status, |s| s.status) {
        Status::Accepted => &paths.archive,
        _ => &paths.rejected,
    };
    let stored = filed_path(
        root,
        verdict.year,
        unit.as_deref(),
        now,
        &hash,
        &original_name,
    );
    let kind = match verdict.kind {
        Some(SubmissionKind::CrossCheck) => "cross-check",
        Some(SubmissionKind::SelfScoring) => "self-scoring",
        None => "unknown",
    };

    // 3: the intent.
    let id = ledger.begin(&Intake {
        kind: kind.to_string(),
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
    })?;

    // 4: filed.
    place(&staged, &stored)?;
    // The table of the unit whose scores these are (for a cross-check, the inspected unit's).
    let table = verdict
        .inspected
        .as_deref()
        .or(unit.as_deref())
        .and_then(|c| settings.cluster.unit(c))
        .zip(verdict.year)
        .and_then(|(u, y)| settings.tables.get(&u.unit_type, y));
    let received = Received {
        original_name: &original_name,
        folder_unit: folder_unit.as_deref(),
        received_at: now,
        hash: &hash,
    };
    let mut mails = Vec::new();
    if status != Status::Duplicate {
        let a = answer(
            texts,
            &settings.cluster,
            table,
            &verdict,
            &received,
            &settings.mail.from,
        )?;
        if let Some(txt) = &a.findings_txt {
            let report = stored.with_file_name(format!(
                "{}.findings.txt",
                stored
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
            std::fs::write(&report, txt).map_err(|e| io_err(&report, e))?;
        }
        mails.push(a.mail);
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
    }

    // 5: the outcome.
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
    };
    ledger.finish(id, status, &filed, &mails, now)?;

    // 6: the inbox file goes, unless the unit replaced it meanwhile.
    if !is_link && Shape::of(path) == Some(shape) {
        let _ = std::fs::remove_file(path);
    }
    let errors = verdict.findings.iter().filter(|f| f.is_error()).count();
    let taken = Taken {
        id,
        status,
        unit,
        year: verdict.year,
        stored,
        errors,
        warnings: verdict.findings.len() - errors,
    };
    info!(
        file = %path.display(),
        unit = taken.unit.as_deref().unwrap_or("?"),
        year = taken.year.map_or_else(|| "?".to_string(), |y| y.to_string()),
        status = status.as_str(),
        errors,
        warnings = taken.warnings,
        filed = %taken.stored.display(),
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
) -> Result<(Verdict, Option<SelfScores>), IntakeError> {
    let ctx = Context {
        cluster: &settings.cluster,
        tables: &settings.tables,
        folder_unit,
        self_scores: None,
    };
    let verdict = review_file(staged, &settings.limits, &ctx);
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
