//! When jobs run: at start (a run a crash interrupted is finished; a time
//! missed while thidua was down is caught up once or skipped), on each
//! trigger (a cron fire or a `thidua job --now` request), never two runs of
//! one job at once. The clock comes in as a function, so tests can set it.

use chrono::{DateTime, Utc};
use tracing::{info, warn};

use super::run::{Done, Running, execute};
use crate::app::mail_texts::Texts;
use crate::config::Settings;
use crate::domain::schedule::{JobKind, Missed, missed};
use crate::io::ledger::{JobOutcome, Ledger, LedgerError};
use crate::io::pdf::Documents;

/// What a job needs to run.
pub struct Tools<'a> {
    pub settings: &'a Settings,
    pub texts: &'a Texts,
    pub docs: &'a Documents,
}

/// At start: finishes interrupted runs, then catches up or skips what was
/// missed; returns the runs made.
pub fn startup(
    tools: &Tools,
    ledger: &mut Ledger,
    running: &Running,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Vec<Done>, LedgerError> {
    let mut done = Vec::new();
    done.extend(requests(tools, ledger, running, now)?);
    for r in ledger.jobs_unfinished()? {
        let Some(at) = r.scheduled_at else {
            ledger.job_finish(
                r.id,
                JobOutcome::Failed,
                Some("no scheduled time"),
                &[],
                0,
                now(),
            )?;
            continue;
        };
        warn!(job = r.job.name(), scheduled = %at, "finishing a run that a stop interrupted");
        if let Some(d) = trigger(tools, ledger, running, r.job, at, Some(r.id), now)? {
            done.push(d);
        }
    }
    for spec in &tools.settings.jobs {
        let name = spec.kind.name();
        let t = now();
        match missed(spec, ledger.job_checked_until(spec.kind)?, t) {
            Missed::Nothing => ledger.set_job_checked(spec.kind, t)?,
            Missed::Skip(at) => {
                info!(job = name, scheduled = %at, "skipping a run missed while thidua was not running");
                ledger.job_skipped(
                    spec.kind,
                    at,
                    "missed while thidua was not running (catch_up = \"skip\")",
                    t,
                )?;
                ledger.set_job_checked(spec.kind, t)?;
            }
            Missed::TooLate(at) => {
                let hours = spec.catch_up_within.num_minutes() as f64 / 60.0;
                warn!(job = name, scheduled = %at, catch_up_within_hours = hours, "not catching up a run missed too long ago; recorded as skipped");
                ledger.job_skipped(
                    spec.kind,
                    at,
                    &format!(
                        "missed while thidua was not running, {} hours late (more than catch_up_within_hours = {hours})",
                        (t - at).num_hours()
                    ),
                    t,
                )?;
                ledger.set_job_checked(spec.kind, t)?;
            }
            // Already run for that time (a stop came between the run's end
            // and the note of how far the schedule was looked at).
            Missed::Run(at)
                if ledger.job_history(spec.kind, 20)?.iter().any(|r| {
                    r.scheduled_at == Some(at)
                        && matches!(r.outcome, JobOutcome::Ok | JobOutcome::Failed)
                }) =>
            {
                ledger.set_job_checked(spec.kind, t)?;
            }
            Missed::Run(at) => {
                info!(job = name, scheduled = %at, "catching up a run missed while thidua was not running");
                if let Some(d) = trigger(tools, ledger, running, spec.kind, at, None, now)? {
                    done.push(d);
                }
                ledger.set_job_checked(spec.kind, t)?;
            }
        }
    }
    Ok(done)
}

/// Runs what `thidua job NAME --now` asked for while this process held
/// the data folder.
pub fn requests(
    tools: &Tools,
    ledger: &mut Ledger,
    running: &Running,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Vec<Done>, LedgerError> {
    let mut done = Vec::new();
    for r in ledger.job_requests()? {
        let kind = r.job;
        let at = r.scheduled_at.unwrap_or_else(now);
        // A request nobody took within an hour is stale: whoever asked has
        // given up, and running it now would surprise them.
        if now() - at > chrono::Duration::hours(1) {
            ledger.job_withdraw(r.id, "asked for by hand but not run within an hour", now())?;
            continue;
        }
        if ledger.job_claim(r.id, now())? {
            info!(job = kind.name(), "running a job asked for by hand");
            if let Some(d) = trigger(tools, ledger, running, kind, at, Some(r.id), now)? {
                done.push(d);
            }
        }
    }
    Ok(done)
}

/// Runs `kind` for `at` unless a run of it is going (then the trigger is
/// recorded as skipped and `None` returned). `run` is an existing row to
/// run under (a claimed request or an interrupted run).
pub fn trigger(
    tools: &Tools,
    ledger: &mut Ledger,
    running: &Running,
    kind: JobKind,
    at: DateTime<Utc>,
    run: Option<i64>,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Option<Done>, LedgerError> {
    let Some(_slot) = running.try_start(kind) else {
        warn!(job = kind.name(), scheduled = %at, "skipped: the previous run is still going");
        match run {
            Some(id) => ledger.job_finish(
                id,
                JobOutcome::Skipped,
                Some("the previous run was still going"),
                &[],
                0,
                now(),
            )?,
            None => {
                ledger.job_skipped(kind, at, "the previous run was still going", now())?;
            }
        }
        return Ok(None);
    };
    let id = match run {
        Some(id) => id,
        None => ledger.job_begin(kind, at, now())?,
    };
    let Tools {
        settings,
        texts,
        docs,
    } = tools;
    execute(settings, texts, docs, ledger, kind, at, id, now).map(Some)
}
