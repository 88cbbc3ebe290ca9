//! `thidua job NAME`: a job's schedule and last runs; `--now` runs it (in
//! this process when no daemon holds the data folder, else by asking the
//! daemon and waiting for it); `--dry-run` lists what it would write and
//! send. [`schedule_line`] is a job's line in `thidua status` too.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::exit::{Exit, Failure};
use crate::app::jobs::due::{Tools, trigger};
use crate::app::jobs::plan::plan;
use crate::app::jobs::run::Running;
use crate::app::mail_texts::Texts;
use crate::app::overview::describe;
use crate::app::overview::{schedule_line, unscheduled_line};
use crate::config::Settings;
use crate::domain::schedule::JobKind;
use crate::io::ledger::{JobOutcome, Ledger};
use crate::io::mail::Transport;
use crate::io::pdf::Documents;
use crate::service::daemon::{DaemonError, lock};
use crate::service::outbox::drain;

/// `thidua job --help`: the job names, from [`JobKind::ALL`].
pub(super) fn after_help() -> String {
    let names: Vec<&str> = JobKind::ALL.iter().map(|k| k.name()).collect();
    format!(
        "Jobs: {}.\n\nExamples:\n  thidua job year-end                  # schedule, next time, last runs\n  thidua job year-end --now --dry-run  # what it would write and send\n  thidua job reminder --now            # run it now (asks the running daemon if there is one)",
        names.join(", ")
    )
}

pub(super) fn job(
    settings: &Settings,
    name: &str,
    now: bool,
    dry_run: bool,
) -> Result<Exit, Failure> {
    let kind = JobKind::from_name(name).ok_or_else(|| {
        Failure::usage(format!(
            "NAME: `{name}` is not a job; use {}",
            JobKind::names()
        ))
    })?;
    let mut out = std::io::stdout().lock();
    let mut w = |line: String| writeln!(out, "{line}").map_err(Failure::runtime);
    if dry_run {
        let texts = Texts::load(settings.paths.templates.as_deref()).map_err(Failure::usage)?;
        // A dry run writes nothing, not even a new ledger.
        let scratch = tempfile_dir()?;
        let path = if settings.paths.ledger.exists() {
            settings.paths.ledger.clone()
        } else {
            scratch.join("empty.sqlite")
        };
        let ledger = Ledger::open(&path)?;
        let p = plan(settings, &texts, &ledger, kind, Utc::now(), None)?;
        w(format!(
            "{} (năm {}), chạy thử: {} văn bản, {} thư; không ghi, không gửi gì.",
            kind.name(),
            p.year,
            p.docs.len(),
            p.mails.len()
        ))?;
        w("Văn bản:".to_string())?;
        for d in &p.docs {
            w(format!("  {}", d.path.display()))?;
        }
        w("Thư:".to_string())?;
        for m in &p.mails {
            let names: Vec<String> = m
                .attachments
                .iter()
                .filter_map(|a| a.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            w(format!("  {} — {}", m.to.join(", "), m.subject))?;
            if !names.is_empty() {
                w(format!("      đính kèm: {}", names.join(", ")))?;
            }
        }
        drop(ledger);
        let _ = std::fs::remove_dir_all(&scratch);
        return Ok(Exit::Done);
    }
    if !now {
        match settings.jobs.iter().find(|s| s.kind == kind) {
            Some(spec) => w(schedule_line(
                spec.kind.name(),
                &spec.schedule.expr,
                &crate::app::overview::next_run(spec, Utc::now()),
            ))?,
            None => w(unscheduled_line(kind.name()))?,
        }
        let ledger = Ledger::open(&settings.paths.ledger)?;
        for r in ledger.job_history(kind, 10)? {
            w(format!("      {}", describe(&r)))?;
        }
        return Ok(Exit::Done);
    }
    match lock(settings) {
        Ok(_lock) => run_here(settings, kind, &mut w),
        Err(DaemonError::Locked { pid, .. }) => ask_daemon(settings, kind, &pid, &mut w),
        Err(e) => Err(e.into()),
    }
}

/// A private scratch folder under the system's temporary folder.
fn tempfile_dir() -> Result<std::path::PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("thidua-dry-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::runtime(format!("{}: {e}", dir.display())))?;
    Ok(dir)
}

/// No daemon: run the job here and send its mail.
pub(super) fn run_here(
    settings: &Settings,
    kind: JobKind,
    w: &mut impl FnMut(String) -> Result<(), Failure>,
) -> Result<Exit, Failure> {
    let texts = Texts::load(settings.paths.templates.as_deref()).map_err(Failure::usage)?;
    let docs = Documents::load(settings.paths.templates.as_deref()).map_err(Failure::usage)?;
    let mut ledger = Ledger::open(&settings.paths.ledger)?;
    let tools = Tools {
        settings,
        texts: &texts,
        docs: &docs,
    };
    let done = trigger(
        &tools,
        &mut ledger,
        &Running::default(),
        kind,
        Utc::now(),
        None,
        &Utc::now,
    )?
    .ok_or_else(|| Failure::runtime("the job is already running"))?;
    let transport = Transport::from_settings(&settings.mail, settings.paths.outbox.clone())?;
    let sent = drain(&mut ledger, &transport, &settings.mail, &Utc::now)?;
    if done.refused {
        // Too early in the year's order: nothing written or sent.
        w(format!(
            "Từ chối: {}",
            done.error.as_deref().unwrap_or_default()
        ))?;
        return Ok(Exit::Rejected);
    }
    report(&done.documents, done.queued, done.error.as_deref(), w)?;
    w(format!("Đã gửi {} thư.", sent.sent))?;
    Ok(outcome(done.error.is_none()))
}

/// A daemon holds the folder: leave it a request and wait for the outcome.
fn ask_daemon(
    settings: &Settings,
    kind: JobKind,
    pid: &str,
    w: &mut impl FnMut(String) -> Result<(), Failure>,
) -> Result<Exit, Failure> {
    let mut ledger = Ledger::open(&settings.paths.ledger)?;
    let id = ledger.job_request(kind, Utc::now())?;
    w(format!(
        "thidua đang chạy{pid}; đã yêu cầu chạy {} ngay, đang chờ…",
        kind.name()
    ))?;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(600) {
        std::thread::sleep(Duration::from_millis(200));
        if let Some(r) = ledger.job_run(id)?
            && !matches!(r.outcome, JobOutcome::Requested | JobOutcome::Running)
        {
            report(&r.documents, r.emails as usize, r.detail.as_deref(), w)?;
            w("Thư được thidua đang chạy gửi đi.".to_string())?;
            // Skipped here is a refusal: too early in the year's order.
            if r.outcome == JobOutcome::Skipped {
                return Ok(Exit::Rejected);
            }
            return Ok(outcome(r.outcome == JobOutcome::Ok));
        }
    }
    // Withdraw the request if nobody took it, so it cannot run later.
    let _ = ledger.job_withdraw(id, "not taken by the daemon within 10 minutes", Utc::now());
    Err(Failure::runtime(format!(
        "the daemon has not finished {} in 10 minutes; see `thidua job {}` later",
        kind.name(),
        kind.name()
    )))
}

/// A run that reported an error has printed it (`Lỗi: …`) with the rest
/// of its output; its exit status says so.
fn outcome(ok: bool) -> Exit {
    if ok { Exit::Done } else { Exit::Runtime }
}

fn report(
    documents: &[String],
    queued: usize,
    error: Option<&str>,
    w: &mut impl FnMut(String) -> Result<(), Failure>,
) -> Result<(), Failure> {
    if let Some(e) = error {
        w(format!("Lỗi: {e}"))?;
        return Ok(());
    }
    w(format!("Đã ghi {} văn bản:", documents.len()))?;
    for d in documents {
        w(format!("  {d}"))?;
    }
    w(format!("Đã xếp {queued} thư mới vào hộp thư đi."))
}
