//! The jobs inside the daemon: tokio-cron-scheduler fires each enabled
//! job at its times (in Viet Nam's time); the worker runs each fire on a
//! blocking thread with its own ledger connection, picks up what
//! `thidua job NAME --now` asked for, and wakes the mail worker.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};
use tracing::{error, info};

use crate::app::jobs::due::{Tools, requests, trigger};
use crate::app::jobs::run::Running;
use crate::domain::schedule::{JobKind, JobSpec};
use crate::domain::time::TZ;
use crate::io::ledger::Ledger;

/// What the worker needs from the daemon.
pub trait Host: Send + Sync + 'static {
    fn tools(&self) -> Tools<'_>;
    fn ledger_path(&self) -> PathBuf;
    /// Mail was queued: send it now.
    fn mail_queued(&self);
}

/// Starts the scheduler: each enabled job sends its kind on `tx` when due.
pub async fn schedule(
    specs: &[JobSpec],
    tx: &mpsc::UnboundedSender<JobKind>,
) -> Result<JobScheduler, JobSchedulerError> {
    let sched = JobScheduler::new().await?;
    for spec in specs.iter().filter(|s| s.enabled) {
        let tx = tx.clone();
        let kind = spec.kind;
        let job = Job::new_async_tz(spec.schedule.expr.as_str(), TZ, move |_id, _lock| {
            let tx = tx.clone();
            Box::pin(async move {
                let _ = tx.send(kind);
            })
        })?;
        sched.add(job).await?;
        info!(job = kind.name(), schedule = spec.schedule.expr, next = ?spec.schedule.next_after(Utc::now()), "job scheduled");
    }
    sched.start().await?;
    Ok(sched)
}

fn run_blocking<H: Host>(host: &Arc<H>, running: &Running, what: Option<JobKind>) {
    let host = host.clone();
    let running = running.clone();
    tokio::task::spawn_blocking(move || {
        let mut ledger = match Ledger::open(&host.ledger_path()) {
            Ok(l) => l,
            Err(e) => {
                error!(error = %e, "jobs: cannot open the ledger");
                return;
            }
        };
        let tools = host.tools();
        let result = match what {
            Some(kind) => {
                let now = Utc::now();
                let at = tools
                    .settings
                    .jobs
                    .iter()
                    .find(|s| s.kind == kind)
                    .and_then(|s| s.schedule.last_until(now))
                    .unwrap_or(now);
                trigger(&tools, &mut ledger, &running, kind, at, None, &Utc::now)
                    .map(|d| d.is_some())
            }
            None => requests(&tools, &mut ledger, &running, &Utc::now).map(|d| !d.is_empty()),
        };
        match result {
            Ok(true) => host.mail_queued(),
            Ok(false) => {}
            Err(e) => error!(error = %e, "jobs: the ledger cannot record a run"),
        }
    });
}

/// Runs fired jobs and requests until `stop`.
pub async fn worker<H: Host>(
    host: Arc<H>,
    running: Running,
    mut fired: mpsc::UnboundedReceiver<JobKind>,
    mut stop: watch::Receiver<bool>,
) {
    let mut poll = tokio::time::interval(Duration::from_secs(1));
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut poller: Option<Ledger> = None;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            Some(kind) = fired.recv() => run_blocking(&host, &running, Some(kind)),
            _ = poll.tick() => {
                if poller.is_none() {
                    poller = Ledger::open(&host.ledger_path()).ok();
                }
                let pending = poller
                    .as_ref()
                    .and_then(|l| l.has_job_requests().ok())
                    .unwrap_or(false);
                if pending {
                    run_blocking(&host, &running, None);
                }
            }
        }
    }
}
