//! Running a job: its plan's documents written (each atomically), its mails
//! queued in one transaction, the run recorded from start to outcome. A
//! run repeated for the same scheduled time (after a crash) rewrites the
//! same files and queues nothing twice. A failure is recorded, logged and
//! mailed to the secretariat; the caller keeps going. `Running` keeps a job
//! from overlapping itself.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tracing::{error, info, warn};

use super::plan::{Make, Plan, PlanError, plan_year, year_of};
use crate::app::mail_texts::Texts;
use crate::app::papers;
use crate::app::standings;
use crate::config::Settings;
use crate::domain::schedule::JobKind;
use crate::domain::time::{format_time, local};
use crate::io::ledger::{JobOutcome, Ledger, LedgerError, QueuedMail};
use crate::io::pdf::Documents;
use crate::io::workbook::form::{FormSpec, write_form};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Paper(#[from] papers::PaperError),
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    /// Too early in the year's order (see `guard`): recorded as skipped.
    #[error("{0}")]
    Refused(String),
}

fn io(path: &Path, e: impl std::fmt::Display) -> JobError {
    JobError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub run: i64,
    pub documents: Vec<String>,
    /// Mails queued by this run (a repeated run queues only what is new).
    pub queued: usize,
    pub error: Option<String>,
    /// The run was refused as too early (`error` says why), not failed.
    pub refused: bool,
}

/// Writes a document whole (see [`crate::io::atomic_file`]).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), JobError> {
    crate::io::atomic_file::write(path, bytes).map_err(|e| io(path, e))
}

/// The paper `make` stands for, from the year's scores.
fn make_paper(
    settings: &Settings,
    docs: &Documents,
    ledger: &Ledger,
    make: &Make,
    scored: &standings::Standings,
    units: &[crate::domain::scoring::UnitInput],
    (date, event): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<papers::Paper, JobError> {
    // The conference's papers carry its date (`event`); the others the run's.
    Ok(match make {
        Make::Ranking { provisional } => {
            let on = if *provisional { date } else { event };
            papers::ranking_in(settings, docs, scored, *provisional, on)?
        }
        Make::Proposals => papers::proposals_in(settings, docs, scored, event)?,
        Make::Agreement => papers::agreement(settings, docs, scored.year, event)?,
        Make::Minutes => papers::minutes_in(settings, ledger, docs, scored, event)?,
        Make::Sheet { unit } => {
            let evidence = match units
                .iter()
                .find(|u| &u.code == unit)
                .and_then(|u| u.submission.as_ref())
            {
                Some(s) => ledger.evidence(s.id)?,
                None => BTreeMap::new(),
            };
            papers::sheet_in(settings, docs, scored, units, unit, &evidence, date)?
        }
        Make::Form { .. } | Make::Ballot { .. } | Make::Word(_) | Make::RankingWorkbook => {
            return Err(JobError::Io {
                path: String::new(),
                reason: format!("{make:?} is not a paper"),
            });
        }
    })
}

/// Writes the plan's documents.
fn write_documents(
    settings: &Settings,
    docs: &Documents,
    ledger: &Ledger,
    p: &Plan,
    skipped: &mut Vec<std::path::PathBuf>,
) -> Result<Vec<String>, JobError> {
    let year = p.year;
    let date = local(p.scheduled_at).date_naive();
    // The conference's papers carry its date.
    let event = papers::event_date(settings, year, date);
    // The year is read from the ledger and scored once for every document
    // of the run that shows scores.
    let needs_scores = p.docs.iter().any(|d| {
        matches!(
            d.make,
            Make::Ranking { .. }
                | Make::Proposals
                | Make::Minutes
                | Make::Sheet { .. }
                | Make::Word(_)
                | Make::RankingWorkbook
        )
    });
    let read;
    // Scored by the plan for its mails, else here.
    let (units, scored) = if let Some(y) = &p.scored {
        (&y.units, &y.standings)
    } else {
        read = if needs_scores {
            let units = standings::gather(settings, ledger, year)?;
            let scored = standings::with_vote(settings, ledger, year, &units)?;
            (units, scored)
        } else {
            (
                Vec::new(),
                standings::Standings::without_vote(standings::score(settings, year, &[])),
            )
        };
        (&read.0, &read.1)
    };
    let mut written = Vec::new();
    // The candidates and the close, read at the first ballot for all of them.
    let mut ballots: Option<papers::Ballots> = None;
    let mut papers_made: Vec<(Make, papers::Paper)> = Vec::new();
    for d in &p.docs {
        match &d.make {
            Make::Form { unit } => {
                let u = settings
                    .cluster
                    .unit(unit)
                    .ok_or_else(|| io(&d.path, format!("{unit} is not configured")))?;
                let table = settings.tables.get(&u.unit_type, year).ok_or_else(|| {
                    io(
                        &d.path,
                        format!("no criteria table for {} in {year}", u.unit_type),
                    )
                })?;
                let dir = d.path.parent().unwrap_or(Path::new("."));
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                let spec = FormSpec {
                    cluster_name: &settings.cluster.name_in(year),
                    table,
                    unit: u,
                    year,
                };
                write_form(&d.path, &spec, None).map_err(|e| io(&d.path, e))?;
            }
            Make::Ballot { unit } => {
                let u = settings
                    .cluster
                    .unit(unit)
                    .ok_or_else(|| io(&d.path, format!("{unit} is not configured")))?;
                if ballots.is_none() {
                    ballots = Some(papers::Ballots::read(
                        settings,
                        ledger,
                        year,
                        p.scheduled_at,
                    )?);
                }
                let shared = ballots.as_ref().expect("read above");
                let bytes = papers::ballot_form_in(settings, shared, u, year)?;
                write_file(&d.path, &bytes)?;
            }
            Make::RankingWorkbook => {
                let bytes = crate::app::ranking_book::workbook(settings, scored)
                    .map_err(|e| io(&d.path, e))?;
                write_file(&d.path, &bytes)?;
            }
            make => {
                let (inner, format) = match make {
                    Make::Word(inner) => (inner.as_ref(), papers::Format::Docx),
                    other => (other, papers::Format::Pdf),
                };
                // A paper's block tree is made once for its PDF and its
                // Word file, and kept by its place in `papers_made`.
                let found = papers_made.iter().position(|(m, _)| m == inner);
                let at = match found {
                    Some(i) => i,
                    None => match make_paper(
                        settings,
                        docs,
                        ledger,
                        inner,
                        scored,
                        units,
                        (date, event),
                    ) {
                        Ok(paper) => {
                            papers_made.push((inner.clone(), paper));
                            papers_made.len() - 1
                        }
                        // One unit's sheet that cannot be made (text no PDF
                        // can hold, say) does not stop everyone's package:
                        // its mail goes without it and the run says so.
                        Err(e) if matches!(inner, Make::Sheet { .. }) => {
                            warn!(path = %d.path.display(), error = %e, "score sheet left out of the run");
                            skipped.push(d.path.clone());
                            continue;
                        }
                        Err(e) => return Err(e),
                    },
                };
                let bytes = match papers_made[at].1.bytes(docs, format) {
                    Ok(bytes) => bytes,
                    Err(e) if matches!(inner, Make::Sheet { .. }) => {
                        warn!(path = %d.path.display(), error = %e, "score sheet left out of the run");
                        skipped.push(d.path.clone());
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                write_file(&d.path, &bytes)?;
            }
        }
        written.push(d.path.display().to_string());
    }
    Ok(written)
}

/// Runs `kind` for the time `at` under the run row `run` (already begun),
/// and records the outcome.
#[allow(clippy::too_many_arguments)]
pub fn execute(
    settings: &Settings,
    texts: &Texts,
    docs: &Documents,
    ledger: &mut Ledger,
    kind: JobKind,
    at: DateTime<Utc>,
    run: i64,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Done, LedgerError> {
    let attempt = (|| -> Result<(Vec<String>, usize), JobError> {
        // Refused before anything is read, scored or rendered.
        let year = year_of(settings, kind, at)?;
        if let Some(why) = super::guard::too_early(settings, ledger, kind, year, at)? {
            return Err(JobError::Refused(why));
        }
        let p = plan_year(settings, texts, ledger, kind, at, Some(run), year)?;
        if kind == JobKind::CloseVote {
            ledger.close_vote(p.year, at)?;
        }
        let mut skipped = Vec::new();
        let written = write_documents(settings, docs, ledger, &p, &mut skipped)?;
        fault_point("after-documents");
        let mut mails = p.mails.clone();
        for m in &mut mails {
            m.attachments.retain(|a| !skipped.contains(a));
        }
        let queued = ledger.enqueue_all(&mails, now())?;
        Ok((written, queued))
    })();
    match attempt {
        Ok((documents, queued)) => {
            ledger.job_finish(run, JobOutcome::Ok, None, &documents, queued, now())?;
            ledger.set_job_checked(kind, at)?;
            info!(job = kind.name(), scheduled = %at, documents = documents.len(), mails = queued, "job done");
            Ok(Done {
                run,
                documents,
                queued,
                error: None,
                refused: false,
            })
        }
        Err(JobError::Refused(reason)) => {
            warn!(job = kind.name(), scheduled = %at, reason = %reason, "job refused: too early");
            ledger.job_finish(run, JobOutcome::Skipped, Some(&reason), &[], 0, now())?;
            ledger.set_job_checked(kind, at)?;
            Ok(Done {
                run,
                documents: Vec::new(),
                queued: 0,
                error: Some(reason),
                refused: true,
            })
        }
        Err(e) => {
            let reason = e.to_string();
            error!(job = kind.name(), scheduled = %at, error = %reason, "job failed");
            ledger.job_finish(run, JobOutcome::Failed, Some(&reason), &[], 0, now())?;
            ledger.set_job_checked(kind, at)?;
            let ctx = minijinja::context! {
                cluster_short => &settings.cluster.short_name,
                job => kind.name(),
                scheduled => format_time(at),
                error => &reason,
            };
            match texts.render("mail/job-failed.txt.j2", &ctx) {
                Ok(r) => {
                    ledger.enqueue(
                        &QueuedMail {
                            key: format!("job-failed:{}:{}", kind.name(), at.to_rfc3339()),
                            to: vec![settings.mail.from.clone()],
                            cc: Vec::new(),
                            subject: r.subject,
                            body: r.body,
                            attachments: Vec::new(),
                            in_reply_to: None,
                            shown: crate::io::ledger::Shown::default(),
                        },
                        now(),
                    )?;
                }
                Err(t) => error!(error = %t, "cannot even write the failure mail"),
            }
            Ok(Done {
                run,
                documents: Vec::new(),
                queued: 0,
                error: Some(reason),
                refused: false,
            })
        }
    }
}

/// A test hook: with `THIDUA_FAULT=<point>` in a debug build the process
/// aborts there, as a crash would.
fn fault_point(point: &str) {
    if cfg!(debug_assertions) && std::env::var("THIDUA_FAULT").is_ok_and(|v| v == point) {
        std::process::abort();
    }
}

/// The jobs running now, so none runs twice at once.
#[derive(Debug, Clone, Default)]
pub struct Running(Arc<Mutex<HashSet<JobKind>>>);

/// Held while a job runs; dropping it frees the job.
#[derive(Debug)]
pub struct Slot {
    set: Running,
    kind: JobKind,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.kind);
    }
}

impl Running {
    /// The job's slot, or `None` while a run of it is going.
    pub fn try_start(&self, kind: JobKind) -> Option<Slot> {
        let mut set = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        set.insert(kind).then(|| Slot {
            set: self.clone(),
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_cannot_start_while_it_runs_but_others_can() {
        let r = Running::default();
        let slot = r.try_start(JobKind::YearEnd).unwrap();
        assert!(r.try_start(JobKind::YearEnd).is_none());
        assert!(r.try_start(JobKind::Reminder).is_some());
        drop(slot);
        assert!(r.try_start(JobKind::YearEnd).is_some());
    }
}
