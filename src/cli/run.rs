//! `thidua run`: the daemon on a tokio runtime of its own, stopped cleanly
//! by SIGINT or SIGTERM; with `--once`, one pass and a line saying what it
//! did. SIGHUP reloads the configuration, the templates and the criteria:
//! the new ones are loaded and checked first, and only if all of them are
//! good does the daemon stop taking files (the one in hand is finished, the
//! rest stay in the inbox), then start again in this process with them; a
//! broken new configuration is logged with its key and the running one kept.

use std::sync::{Arc, Mutex};

use super::exit::{Exit, Failure};
use crate::app::mail_texts::Texts;
use crate::config::Settings;
use crate::io::pdf::Documents;
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

pub(super) fn run(
    settings: Settings,
    config: Option<&std::path::Path>,
    once: bool,
    new_ledger: bool,
) -> Result<Exit, Failure> {
    crate::service::memory::fewer_arenas();
    let report = runtime()?.block_on(async {
        // The handlers are in place before the daemon logs that it has
        // started, so a SIGTERM from then on is always a clean stop, and a
        // SIGHUP never the default end of the process.
        let signals = Arc::new(tokio::sync::Mutex::new(Signals::new()));
        let mut settings = settings;
        loop {
            let reloaded: Arc<Mutex<Option<Settings>>> = Arc::default();
            let shutdown = {
                let signals = signals.clone();
                let reloaded = reloaded.clone();
                let config = config.map(std::path::Path::to_path_buf);
                async move {
                    let mut s = signals.lock().await;
                    loop {
                        match s.next().await {
                            Sig::Stop => {
                                tracing::info!("stop requested; finishing the file in hand");
                                let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
                                return;
                            }
                            Sig::Reload => {
                                if let Some(new) = load_checked(config.as_deref()) {
                                    *reloaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                                        Some(new);
                                    tracing::info!(
                                        "reloading: finishing the file in hand, then starting again with the new configuration"
                                    );
                                    // The daemon says READY=1 again once restarted.
                                    let mut state = vec![sd_notify::NotifyState::Reloading];
                                    if let Ok(now) = sd_notify::NotifyState::monotonic_usec_now() {
                                        state.push(now);
                                    }
                                    let _ = sd_notify::notify(&state);
                                    return;
                                }
                            }
                        }
                    }
                }
            };
            let report = daemon::run(
                settings,
                RunOptions {
                    once,
                    new_ledger,
                },
                shutdown,
            )
            .await?;
            let next = reloaded
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            match next {
                Some(new) => {
                    settings = new;
                    tracing::info!(config = %settings.source, "configuration reloaded");
                }
                None => return Ok::<_, Failure>(report),
            }
        }
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

/// The configuration, criteria and templates as they now are on disk, if
/// all of them load; otherwise the error (naming the key or file) is logged.
fn load_checked(config: Option<&std::path::Path>) -> Option<Settings> {
    let settings = match Settings::load(config) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "reload refused: the new configuration is broken; the running one is kept");
            return None;
        }
    };
    let templates = settings.paths.templates.as_deref();
    if let Err(e) = Texts::load(templates) {
        tracing::error!(error = %e, "reload refused: a mail text is broken; the running configuration is kept");
        return None;
    }
    if let Err(e) = Documents::load(templates) {
        tracing::error!(error = %e, "reload refused: a document template is broken; the running configuration is kept");
        return None;
    }
    Some(settings)
}

enum Sig {
    Stop,
    Reload,
}

/// SIGINT, SIGTERM and SIGHUP, registered once for the process's life.
struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn next(&mut self) -> Sig {
        #[cfg(unix)]
        {
            async fn wait(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = wait(&mut self.int) => Sig::Stop,
                () = wait(&mut self.term) => Sig::Stop,
                () = wait(&mut self.hup) => Sig::Reload,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Sig::Stop
        }
    }
}
