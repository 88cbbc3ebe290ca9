//! The daemon: wires the inbox, the ledger and the mail worker. It holds a
//! lock on the data folder (one daemon per folder), recovers from an
//! unclean stop, then watches the inbox (notify events, plus a full rescan
//! on an interval for network shares where events never come), takes each
//! file once it has held still, and sends the outbox. `shutdown` resolving
//! lets the file in hand finish, then everything stops.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use notify::{RecursiveMode, Watcher};
use tokio::sync::{Notify, mpsc, watch};
use tracing::{debug, error, info, warn};

use crate::app::jobs::due::{Tools, startup};
use crate::app::jobs::run::Running;
use crate::app::mail_texts::{TextError, Texts};
use crate::config::Settings;
use crate::io::ledger::{Ledger, LedgerError};
use crate::io::mail::{MailError, Transport};
use crate::io::pdf::{DocumentError, Documents};
use crate::io::private::prepare_folders;
use crate::service::health::{Beat, Health, Part};
use crate::service::inbox::events::{Seen, refuse_unreadable_unit_links, seen};
use crate::service::inbox::intake::{IntakeError, Prepared, Taken, commit, prepare};
use crate::service::inbox::recover::recover;
use crate::service::inbox::{Folder, Shape, Stability, folder, scan};
use crate::service::outbox;
use crate::service::scheduler::{Host, schedule, worker};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(
        "another thidua is already running on the data folder {folder} (lock file {lock}{pid}); stop it first"
    )]
    Locked {
        folder: String,
        lock: String,
        pid: String,
    },
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error("scheduler: {0}")]
    Scheduler(String),
    #[error(transparent)]
    Web(#[from] crate::service::web::WebError),
    #[error("internal error (a bug in thidua): {0}")]
    Internal(String),
    #[error(
        "the ledger {ledger} is missing, but {archive} holds {files} filed workbooks: without the ledger, thidua would count no submissions and act on that (reminders, year-end). Restore the ledger from a backup (`thidua backup`), or start afresh with an empty ledger with `thidua run --new-ledger`"
    )]
    LedgerMissing {
        ledger: String,
        archive: String,
        files: usize,
    },
}

/// How to run.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Process what is in the inboxes, drain the outbox once, and return.
    pub once: bool,
    /// Start with an empty ledger although the archive holds files.
    pub new_ledger: bool,
}

/// Files under `dir`, at any depth (0 if it does not exist).
fn files_under(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => files_under(&e.path()),
            Ok(_) => 1,
            Err(_) => 0,
        })
        .sum()
}

/// A ledger deleted (or a wrong `paths.ledger`) beside an archive that
/// holds files stops the start, unless the operator asked for a new one.
fn ledger_present(settings: &Settings, opts: RunOptions) -> Result<(), DaemonError> {
    let p = &settings.paths;
    if p.ledger.exists() || opts.new_ledger {
        return Ok(());
    }
    let files = files_under(&p.archive);
    if files == 0 {
        return Ok(());
    }
    Err(DaemonError::LedgerMissing {
        ledger: p.ledger.display().to_string(),
        archive: p.archive.display().to_string(),
        files,
    })
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub files: usize,
    pub mails_sent: usize,
}

/// The lock on a data folder, held for the daemon's life.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

/// Takes the data folder's lock, or says who holds it.
pub fn lock(settings: &Settings) -> Result<FolderLock, DaemonError> {
    let path = &settings.paths.lock;
    if let Some(dir) = path.parent() {
        crate::io::private::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| io(path, e))?;
    if file.try_lock().is_err() {
        let pid = std::fs::read_to_string(path).unwrap_or_default();
        return Err(DaemonError::Locked {
            folder: settings.paths.data.display().to_string(),
            lock: path.display().to_string(),
            pid: if pid.trim().is_empty() {
                String::new()
            } else {
                format!(", pid {}", pid.trim())
            },
        });
    }
    file.set_len(0).map_err(|e| io(path, e))?;
    writeln!(file, "{}", std::process::id()).map_err(|e| io(path, e))?;
    Ok(FolderLock { _file: file })
}

fn io(path: &Path, e: impl std::fmt::Display) -> DaemonError {
    DaemonError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

struct Shared {
    settings: Settings,
    texts: Texts,
    docs: Documents,
    ledger: Mutex<Ledger>,
    /// Read-only connections for preparing files, kept for one batch.
    readers: Mutex<Vec<Ledger>>,
    mail_wake: Notify,
}

impl Shared {
    fn reader(&self) -> Result<Ledger, LedgerError> {
        let spare = self
            .readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        spare.map_or_else(|| Ledger::open(&self.settings.paths.ledger), Ok)
    }

    fn give_back(&self, ledger: Ledger) {
        self.readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(ledger);
    }
}

impl crate::service::imap::MailHost for Shared {
    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn texts(&self) -> &Texts {
        &self.texts
    }

    fn docs(&self) -> &Documents {
        &self.docs
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn mail_queued(&self) {
        self.mail_wake.notify_one();
    }
}

impl Host for Shared {
    fn tools(&self) -> Tools<'_> {
        Tools {
            settings: &self.settings,
            texts: &self.texts,
            docs: &self.docs,
        }
    }

    fn ledger_path(&self) -> PathBuf {
        self.settings.paths.ledger.clone()
    }

    fn mail_queued(&self) {
        self.mail_wake.notify_one();
    }
}

/// Finishes interrupted job runs and catches up missed ones, on a blocking thread.
async fn jobs_at_start(shared: &Arc<Shared>, running: &Running) -> Result<(), DaemonError> {
    let s = shared.clone();
    let running = running.clone();
    tokio::task::spawn_blocking(move || {
        let mut ledger = Ledger::open(&s.settings.paths.ledger)?;
        startup(&s.tools(), &mut ledger, &running, &Utc::now)?;
        Ok::<_, DaemonError>(())
    })
    .await
    .map_err(|e| DaemonError::Internal(e.to_string()))?
}

/// Runs the daemon until `shutdown` resolves (or, with `once`, until the
/// inbox and the outbox have been worked through once).
pub async fn run(
    settings: Settings,
    opts: RunOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<RunReport, DaemonError> {
    let _lock = lock(&settings)?;
    ledger_present(&settings, opts)?;
    if opts.new_ledger && !settings.paths.ledger.exists() {
        warn!(ledger = %settings.paths.ledger.display(), "starting with a new, empty ledger (--new-ledger)");
    }
    refuse_unreadable_unit_links(&settings.paths.inbox, &settings.cluster)
        .map_err(|(path, reason)| DaemonError::Io { path, reason })?;
    prepare_folders(&settings).map_err(|(dir, e)| io(&dir, e))?;
    let texts = Texts::load(settings.paths.templates.as_deref())?;
    let docs = Documents::load(settings.paths.templates.as_deref())?;
    let transport = Arc::new(Transport::from_settings(
        &settings.mail,
        settings.paths.outbox.clone(),
    )?);
    let mut ledger = Ledger::open(&settings.paths.ledger)?;
    let (_, left) = recover(&settings.paths, &mut ledger)?;
    info!(
        data = %settings.paths.data.display(),
        config = %settings.source,
        templates = %texts.source,
        transport = ?transport,
        "thidua started"
    );
    let samples = crate::app::overview::sample_tables(&settings);
    if !samples.is_empty() {
        warn!(
            tables = %samples.join(", "),
            "sample criteria tables (sample = true) are in use: scores and papers are only a sample; replace them with the real tables"
        );
    }
    let shared = Arc::new(Shared {
        settings,
        texts,
        docs,
        ledger: Mutex::new(ledger),
        readers: Mutex::new(Vec::new()),
        mail_wake: Notify::new(),
    });
    let running = Running::default();
    jobs_at_start(&shared, &running).await?;
    if opts.once {
        return run_once(&shared, &transport).await;
    }
    let health = Arc::new(Health::default());
    // Both parts count as running from here: they start before anything
    // could ask the page.
    let watch_beat = health.beat(Part::Watcher);
    let mail_beat = health.beat(Part::MailWorker);
    let _page = match shared.settings.http_listen {
        Some(addr) => Some(
            crate::service::web::StatusPage::start(shared.settings.clone(), addr, health.clone())
                .await?,
        ),
        None => None,
    };

    let (stop_tx, stop_rx) = watch::channel(false);
    // The mail worker has its own connection, so a slow mail server never
    // holds up the intake.
    let mail_ledger = Ledger::open(&shared.settings.paths.ledger)?;
    let mailer = tokio::spawn(mail_worker(
        shared.clone(),
        mail_ledger,
        transport.clone(),
        stop_rx.clone(),
        (health.clone(), mail_beat),
    ));
    let (fire_tx, fire_rx) = mpsc::unbounded_channel();
    let mut scheduler = schedule(&shared.settings.jobs, &fire_tx)
        .await
        .map_err(|e| DaemonError::Scheduler(e.to_string()))?;
    // The submission mailbox, when configured: a second inbox.
    let mailbox = shared.settings.imap.clone().map(|imap| {
        tokio::spawn(crate::service::imap::run(
            shared.clone(),
            imap,
            stop_rx.clone(),
        ))
    });
    let jobs = tokio::spawn(worker(shared.clone(), running, fire_rx, stop_rx));
    // Under systemd (Type=notify): ready now that every part runs, and the
    // watchdog fed while they all do.
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    let watchdog = sd_notify::watchdog_enabled().map(|every| {
        let health = health.clone();
        tokio::spawn(async move {
            loop {
                if health.stopped().is_empty() {
                    let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
                }
                tokio::time::sleep(every / 3).await;
            }
        })
    });
    let files = watch_inbox(&shared, &health, left, shutdown).await;
    if let Some(w) = watchdog {
        w.abort();
    }
    drop(watch_beat);
    let _ = stop_tx.send(true);
    // Whatever the mail server does, the exchanges in progress end now;
    // their mails stay queued for the next start.
    transport.stop();
    if let Some(m) = mailbox {
        let _ = m.await;
    }
    if let Err(e) = scheduler.shutdown().await {
        warn!(error = %e, "scheduler did not stop cleanly");
    }
    let _ = jobs.await;
    let sent = mailer
        .await
        .map_err(|e| DaemonError::Internal(e.to_string()))??;
    let files = files?;
    info!(files, mails_sent = sent, "thidua stopped");
    Ok(RunReport {
        files,
        mails_sent: sent,
    })
}

async fn run_once(
    shared: &Arc<Shared>,
    transport: &Arc<Transport>,
) -> Result<RunReport, DaemonError> {
    let root = shared.settings.paths.inbox.clone();
    let window = shared.settings.inbox.stable;
    let mut stability = Stability::new(window);
    let start = Instant::now();
    let found = scan(&root);
    for p in &found {
        stability.observe(p, start);
    }
    if !found.is_empty() {
        tokio::time::sleep(window).await;
    }
    let now = Instant::now();
    let ready: Vec<_> = found
        .iter()
        .filter_map(|p| stability.observe(p, now).map(|s| (p.clone(), s)))
        .collect();
    let never = std::future::pending::<()>();
    tokio::pin!(never);
    let (mut files, _) = take_batch(
        shared,
        ready,
        &mut HashMap::new(),
        &mut HashMap::new(),
        &mut never,
    )
    .await?;
    if let Some(imap) = &shared.settings.imap {
        // The mailbox is looked at once too; a mailbox that cannot be
        // reached is said and left for the next run.
        match crate::service::imap::once(shared, imap).await {
            Ok(n) => files += n,
            Err(e) => warn!(host = %imap.host, error = %e, "submission mailbox unavailable"),
        }
    }
    let mail_ledger = Arc::new(Mutex::new(Ledger::open(&shared.settings.paths.ledger)?));
    let (sent, _) = drain(shared, mail_ledger, transport).await?;
    Ok(RunReport {
        files,
        mails_sent: sent,
    })
}

/// Takes a batch of stable files, in the batch's order. Several files at
/// a time are copied, read, reviewed and given their score sheet on
/// blocking threads, each with its own read-only ledger connection; each is
/// then recorded under the intake's ledger lock, one after another. A file
/// whose review or sheet a file recorded meanwhile can change (see
/// [`Prepared::depends_on`]) is prepared again under the lock first, so the
/// outcome is the one of taking the files one by one. Files that are
/// thidua's own and untouched (see [`crate::app::init::own`]) are added to
/// `own` with their shape. Returns the files taken and whether `shutdown`
/// resolved before the batch was done.
async fn take_batch<F: Future<Output = ()>>(
    shared: &Arc<Shared>,
    ready: Vec<(PathBuf, Shape)>,
    own: &mut HashMap<PathBuf, Shape>,
    left: &mut HashMap<PathBuf, Shape>,
    shutdown: &mut std::pin::Pin<&mut F>,
) -> Result<(usize, bool), DaemonError> {
    type Preparing = tokio::task::JoinHandle<Result<Option<Prepared>, (PathBuf, IntakeError)>>;
    let width = prepare_width();
    if !ready.is_empty() {
        debug!(
            files = ready.len(),
            "taking a batch of files that held still"
        );
    }
    // Files in a folder named after no unit: one log line and one answer
    // for each such folder in the batch, not one per file.
    let mut stray: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for (path, _) in &ready {
        if let Folder::Stray(name) =
            folder(&shared.settings.paths.inbox, path, &shared.settings.cluster)
        {
            stray.entry(name).or_default().push(path.clone());
        }
    }
    for (name, files) in &stray {
        warn!(
            folder = %name.escape_debug(),
            files = files.len(),
            "files in a folder named after no unit: taken for no unit, answered to the secretariat in one mail for the folder"
        );
    }
    let mut stray_reported: HashSet<String> = HashSet::new();
    let mut items = ready.into_iter();
    let mut pending: VecDeque<(usize, (PathBuf, Shape), Preparing)> = VecDeque::new();
    let mut recorded: Vec<Taken> = Vec::new();
    let mut files = 0;
    let mut stopped = false;
    // A failure stops taking new files; those being prepared are dropped
    // (their staged copies removed) before it is returned.
    let mut failure: Option<DaemonError> = None;
    let mut fail = |e: DaemonError, stopped: &mut bool| {
        failure.get_or_insert(e);
        *stopped = true;
    };
    loop {
        if !stopped && futures_ready(shutdown) {
            // The files not yet recorded stay in the inbox for the next start.
            stopped = true;
        }
        while !stopped && pending.len() < width {
            let Some((path, shape)) = items.next() else {
                break;
            };
            let s = shared.clone();
            pending.push_back((
                recorded.len(),
                (path.clone(), shape),
                tokio::task::spawn_blocking(move || {
                    let ledger = s.reader().map_err(|e| (path.clone(), e.into()))?;
                    // The guide and blank form `thidua init` wrote stay put.
                    let p = match crate::app::init::own::untouched(
                        &ledger,
                        &s.settings.paths.inbox,
                        &path,
                    ) {
                        Ok(true) => Ok(None),
                        Ok(false) => {
                            prepare(&s.settings, &s.docs, &ledger, &path, shape, Utc::now())
                                .map(Some)
                        }
                        Err(e) => Err(e.into()),
                    };
                    s.give_back(ledger);
                    debug!(file = %crate::service::inbox::shown(&path), "prepared");
                    p.map_err(|e| (path, e))
                }),
            ));
        }
        let Some((seen, (path, shape), handle)) = pending.pop_front() else {
            break;
        };
        let prepared = match (handle.await, stopped) {
            (Err(e), _) => {
                fail(DaemonError::Internal(e.to_string()), &mut stopped);
                continue;
            }
            (Ok(Ok(None)), _) => {
                own.insert(path, shape);
                continue;
            }
            // Dropped because the daemon is stopping.
            (Ok(Err(_)), true) => continue,
            (Ok(Ok(Some(p))), true) => {
                p.discard();
                continue;
            }
            (Ok(Ok(Some(p))), false) => p,
            (Ok(Err(e)), false) => {
                if let Err(e) = retry_later(e) {
                    fail(e, &mut stopped);
                }
                continue;
            }
        };
        // The first of a stray folder's files recorded answers for them all;
        // the folder counts as reported once that file is committed, so if
        // its commit fails the next file of the folder reports it.
        let reporter = prepared
            .stray_folder()
            .filter(|name| !stray_reported.contains(*name))
            .map(str::to_string);
        let others: Option<Vec<String>> = reporter.as_ref().map(|name| {
            stray
                .get(name)
                .into_iter()
                .flatten()
                .filter(|p| p.as_path() != prepared.path())
                .map(|p| {
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        });
        let s = shared.clone();
        // Recorded since it was prepared, by this task alone.
        let again = recorded[seen..].iter().any(|t| prepared.depends_on(t));
        let taken = tokio::task::spawn_blocking(move || {
            let mut ledger = s
                .ledger
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let path = prepared.path().to_path_buf();
            let prepared = if again {
                debug!(file = %crate::service::inbox::shown(&path), "prepared again");
                prepared
                    .again(&s.settings, &s.docs, &ledger)
                    .map_err(|e| (path.clone(), e))?
            } else {
                prepared
            };
            let mut prepared = prepared;
            match &others {
                Some(others) => prepared.report_folder(others),
                // Another file of its folder reports it (if it is in one).
                None => prepared.reported_with_folder(),
            }
            commit(&s.settings, &s.texts, &mut ledger, prepared).map_err(|e| (path, e))
        })
        .await;
        match taken {
            Ok(Ok(t)) => {
                if let Some(name) = reporter {
                    stray_reported.insert(name);
                }
                if t.left_in_inbox {
                    left.insert(path, shape);
                }
                recorded.push(t);
                files += 1;
                shared.mail_wake.notify_one();
            }
            Ok(Err(e)) => {
                if let Err(e) = retry_later(e) {
                    fail(e, &mut stopped);
                }
            }
            Err(e) => fail(DaemonError::Internal(e.to_string()), &mut stopped),
        }
    }
    // The read connections' page caches are not worth keeping between
    // bursts; the next batch opens new ones.
    shared
        .readers
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clear();
    match failure {
        Some(e) => Err(e),
        None => Ok((files, stopped)),
    }
}

/// How many files are prepared at once: as many as the cores (one more was
/// measured slower on two cores: the recording, the mail worker and the
/// extra preparation crowd each other). A debug build takes
/// `THIDUA_PREPARE_WIDTH` instead, so that a test reaches the files prepared
/// again on a machine of any size.
fn prepare_width() -> usize {
    let forced = cfg!(debug_assertions)
        .then(|| std::env::var("THIDUA_PREPARE_WIDTH").ok())
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    forced
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .map_or(2, |n| n.clamp(1, 8))
}

/// A file that vanished or cannot be read now is left for the next scan;
/// a ledger failure stops the daemon (nothing can be recorded).
fn retry_later((path, e): (PathBuf, IntakeError)) -> Result<(), DaemonError> {
    match e {
        IntakeError::Io { reason, .. } => {
            warn!(file = %crate::service::inbox::shown(&path), error = %reason, "file not taken; will retry on the next scan");
            Ok(())
        }
        e => Err(e.into()),
    }
}

/// Drains the outbox on a blocking thread, with the mail worker's own
/// ledger connection; returns the mails sent and the next attempt due.
async fn drain(
    shared: &Arc<Shared>,
    ledger: Arc<Mutex<Ledger>>,
    transport: &Arc<Transport>,
) -> Result<(usize, Option<chrono::DateTime<Utc>>), DaemonError> {
    let s = shared.clone();
    let t = transport.clone();
    tokio::task::spawn_blocking(move || {
        let mut ledger = ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let d = outbox::drain(&mut ledger, &t, &s.settings.mail, &Utc::now)?;
        Ok((d.sent, ledger.next_attempt()?))
    })
    .await
    .map_err(|e| DaemonError::Internal(e.to_string()))?
}

/// How often the watcher makes sure the inbox folder is still there.
const INBOX_CHECK: Duration = Duration::from_secs(1);

/// Whether the inbox folder can be read; the reason when it cannot.
fn inbox_readable(root: &Path) -> Result<(), String> {
    match std::fs::read_dir(root) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "the inbox folder {} cannot be read: {e}",
            root.display()
        )),
    }
}

async fn watch_inbox(
    shared: &Arc<Shared>,
    health: &Health,
    left_at_start: Vec<PathBuf>,
    shutdown: impl Future<Output = ()>,
) -> Result<usize, DaemonError> {
    let settings = &shared.settings;
    let root = settings.paths.inbox.clone();
    let (tx, mut rx) = mpsc::unbounded_channel::<(PathBuf, Seen)>();
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            for p in seen(&ev) {
                let _ = tx.send(p);
            }
        }
    })
    .map_err(|e| io(&root, e))?;
    if let Err(e) = watcher.watch(&root, RecursiveMode::Recursive) {
        warn!(inbox = %root.display(), error = %e, "cannot watch the inbox for events; relying on rescans");
    }
    let mut stability = Stability::new(settings.inbox.stable);
    let mut own: HashMap<PathBuf, Shape> = HashMap::new();
    // Files taken and recorded that stay in the inbox as they were (thidua
    // cannot remove them, or may not read them): not taken again unless
    // they change.
    let mut left: HashMap<PathBuf, Shape> = left_at_start
        .into_iter()
        .filter_map(|p| Shape::of(&p).map(|s| (p, s)))
        .collect();
    let mut next_rescan = Instant::now();
    // A folder deleted or unreadable (a share gone) takes no file: said on
    // /healthz and in the log until it is back, then watched again.
    let mut next_check = Instant::now();
    let mut inbox_lost = false;
    // A second after a burst of files (their receipts sent by then), the
    // memory their score sheets used goes back to the system.
    let mut release_at: Option<Instant> = None;
    let mut files = 0;
    tokio::pin!(shutdown);
    loop {
        // Look again when the earliest file will have held still for the
        // window, at the next rescan, and at least every second.
        let now = Instant::now();
        let wake = stability
            .next_due()
            .into_iter()
            .chain(release_at)
            .fold(next_rescan, Instant::min)
            .clamp(
                now + Duration::from_millis(50),
                now + Duration::from_secs(1),
            );
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some((path, what)) = rx.recv() => {
                let wanted = path
                    .file_name()
                    .is_some_and(|n| !crate::service::inbox::ignored(&n.to_string_lossy()));
                if wanted && (path.is_file() || path.is_symlink()) {
                    match what {
                        Seen::Changed => {
                            stability.observe(&path, Instant::now());
                        }
                        Seen::Closed => stability.closed(&path, Instant::now()),
                    }
                }
            }
            () = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if release_at.is_some_and(|t| now >= t) {
                    crate::service::memory::release();
                    release_at = None;
                }
                if now >= next_check {
                    next_check = now + INBOX_CHECK;
                    match (inbox_readable(&root), inbox_lost) {
                        (Err(why), false) => {
                            error!(inbox = %root.display(), error = %why, "the inbox watcher has stopped: no file is taken until the inbox folder is back");
                            health.trouble(Part::Watcher, why);
                            inbox_lost = true;
                        }
                        (Ok(()), true) => {
                            // Its old watch went with the folder.
                            let _ = watcher.unwatch(&root);
                            if let Err(e) = watcher.watch(&root, RecursiveMode::Recursive) {
                                warn!(inbox = %root.display(), error = %e, "cannot watch the inbox for events; relying on rescans");
                            }
                            info!(inbox = %root.display(), "the inbox folder is back; the inbox watcher takes files again");
                            health.fine(Part::Watcher);
                            inbox_lost = false;
                            next_rescan = now;
                        }
                        _ => {}
                    }
                }
                if now >= next_rescan {
                    for p in scan(&root) {
                        stability.observe(&p, now);
                    }
                    next_rescan = now + settings.inbox.rescan;
                }
                let mut ready: Vec<_> = stability
                    .pending()
                    .into_iter()
                    .filter_map(|p| stability.observe(&p, now).map(|s| (p, s)))
                    .collect();
                // Where the system can tell, a file a writer still holds
                // open is not complete, however long it has held still (a
                // writer that paused).
                ready.retain(|(p, _)| {
                    let open = crate::io::writers::held_for_writing(p) == Some(true);
                    if open {
                        stability.hold(p, now);
                    }
                    !open
                });
                ready.sort_by(|a, b| a.0.cmp(&b.0));
                for (path, _) in &ready {
                    stability.forget(path);
                }
                // thidua's own guide and blank forms stay in the inbox; each
                // rescan finds them again, and they are looked at again only
                // once they change.
                ready.retain(|(p, s)| own.get(p) != Some(s) && left.get(p) != Some(s));
                match take_batch(shared, ready, &mut own, &mut left, &mut shutdown).await {
                    Ok((n, stopped)) => {
                        files += n;
                        if stopped {
                            return Ok(files);
                        }
                        if n > 0 {
                            release_at = Some(Instant::now() + Duration::from_secs(1));
                        }
                    }
                    Err(e) => {
                        error!(error = %e, "stopping: the ledger cannot record files");
                        return Err(e);
                    }
                }
            }
        }
    }
    Ok(files)
}

/// Whether the shutdown future has resolved, without waiting.
fn futures_ready<F: Future<Output = ()>>(f: &mut std::pin::Pin<&mut F>) -> bool {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    f.as_mut().poll(&mut cx).is_ready()
}

/// How soon the mail worker tries again after it could not work the outbox.
const MAIL_WORKER_AGAIN: Duration = Duration::from_secs(5);

async fn mail_worker(
    shared: Arc<Shared>,
    ledger: Ledger,
    transport: Arc<Transport>,
    mut stop: watch::Receiver<bool>,
    (health, _beat): (Arc<Health>, Beat),
) -> Result<usize, DaemonError> {
    let ledger = Arc::new(Mutex::new(ledger));
    let mut sent = 0;
    loop {
        let next = match drain(&shared, ledger.clone(), &transport).await {
            Ok((n, next)) => {
                health.fine(Part::MailWorker);
                sent += n;
                next
            }
            Err(e) => {
                // Not the mail server (that is a mail waiting): the worker
                // itself cannot read or record the outbox. It tries again
                // soon, and /healthz says so meanwhile.
                error!(error = %e, "mail worker: cannot work the outbox; trying again in {} s", MAIL_WORKER_AGAIN.as_secs());
                health.trouble(Part::MailWorker, format!("cannot work the outbox: {e}"));
                Some(Utc::now() + MAIL_WORKER_AGAIN)
            }
        };
        let wait = next.map_or(Duration::from_secs(60), |t| {
            (t - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .max(Duration::from_millis(100))
        });
        tokio::select! {
            _ = stop.changed() => return Ok(sent),
            () = shared.mail_wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}
