//! `thidua run`: the daemon on a tokio runtime of its own, stopped cleanly
//! by SIGINT or SIGTERM; with `--once`, one pass and a line saying what it
//! did.

use super::exit::{Exit, Failure};
use crate::config::Settings;
use crate::service::daemon::{self, RunOptions};

/// The runtime the daemon runs on, with two worker threads; `demo` runs
/// its pass of the daemon on one too.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the runtime: {e}")))
}

pub(super) fn run(settings: Settings, once: bool, new_ledger: bool) -> Result<Exit, Failure> {
    crate::service::memory::fewer_arenas();
    let report = runtime()?.block_on(async {
        // The handlers are in place before the daemon logs that it has
        // started, so a SIGTERM from then on is always a clean stop.
        let stop = stop_signal();
        daemon::run(settings, RunOptions { once, new_ledger }, stop).await
    })?;
    if once {
        say!(
            "Đã xử lý {} tệp, đã gửi {} thư.",
            report.files,
            report.mails_sent
        );
    }
    Ok(Exit::Done)
}

/// A future that resolves on SIGINT or SIGTERM. The handlers are
/// registered when this is called (inside the runtime), not when the
/// future is first polled.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut int, mut term) = signals;
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(int.take()) => {}
                () = wait(term.take()) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stop requested; finishing the file in hand");
    }
}
