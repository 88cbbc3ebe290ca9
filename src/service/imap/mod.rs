//! The submission mailbox as a second inbox (contract §7): a task that
//! keeps a connection to the IMAP folder, waits with IDLE where the server
//! offers it (else looks every `poll_secs`), and hands each mail it has not
//! handled to [`take`]. Which mails were handled is the ledger's record of
//! folder, UIDVALIDITY and UID, never the Seen flag a person can change; a
//! handled mail is flagged `$ThiduaHandled` (or moved to `done_folder`) and
//! never deleted. A lost connection is made again with a capped backoff.

mod connect;
pub mod take;

use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

use crate::app::mail_texts::Texts;
use crate::config::{ImapSettings, Settings};
use crate::io::ledger::{HandledMail, Ledger, MailOutcome};
use crate::io::mail::incoming::{IncomingMail, read_mail};
use crate::io::pdf::Documents;
pub use connect::PASSWORD_VAR;
use connect::{ImapSession, connect};
use take::{MailAt, handle, handle_read, limits};

/// What the mailbox task needs of the daemon.
pub trait MailHost: Send + Sync {
    fn settings(&self) -> &Settings;
    fn texts(&self) -> &Texts;
    fn docs(&self) -> &Documents;
    /// The intake's ledger, held while a mail is taken.
    fn ledger(&self) -> MutexGuard<'_, Ledger>;
    /// Mail was queued: wake the mail worker.
    fn mail_queued(&self);
}

/// The keyword set on a handled mail (for people looking at the mailbox;
/// the ledger, not this flag, says what was handled).
pub const HANDLED_FLAG: &str = "$ThiduaHandled";

/// Attempts at one mail before it is set aside as unreadable.
const MAX_FAILURES: u32 = 5;

/// Failed attempts per mail (UIDVALIDITY, UID), across connections.
static FAILURES: std::sync::Mutex<std::collections::BTreeMap<(u32, u32), u32>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Longest wait between two attempts to connect.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Runs until `stop` turns true.
pub async fn run<H: MailHost + 'static>(
    host: Arc<H>,
    settings: ImapSettings,
    mut stop: watch::Receiver<bool>,
) {
    // Files a crashed run wrote out of mails: their mails are taken again.
    let _ = std::fs::remove_dir_all(take::spool(host.as_ref()));
    let mut backoff = Duration::from_secs(1);
    info!(host = %settings.host, port = settings.port, folder = %settings.folder, "watching the submission mailbox");
    while !*stop.borrow() {
        match session(&host, &settings, &mut stop).await {
            Ok(()) => break,
            Err(e) => {
                warn!(host = %settings.host, error = %e, retry_in = ?backoff, "submission mailbox unavailable");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => break,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Looks at the mailbox once: takes every mail not handled yet, then
/// logs out (for `thidua run --once`).
pub async fn once<H: MailHost + 'static>(
    host: &Arc<H>,
    settings: &ImapSettings,
) -> Result<usize, String> {
    let _ = std::fs::remove_dir_all(take::spool(host.as_ref()));
    let mut s = connect(settings).await?;
    let (uidvalidity, _, _) = open(&mut s, settings).await?;
    let n = take_new(host, &mut s, settings, uidvalidity).await?;
    let _ = s.logout().await;
    Ok(n)
}

/// Selects the folder; returns its UIDVALIDITY, whether the server has
/// IDLE and whether it has MOVE.
async fn open(s: &mut ImapSession, settings: &ImapSettings) -> Result<(u32, bool, bool), String> {
    let caps = s
        .capabilities()
        .await
        .map_err(|e| format!("CAPABILITY: {e}"))?;
    let idle = caps.has_str("IDLE");
    let moves = caps.has_str("MOVE");
    if let Some(done) = &settings.done_folder {
        // Made once; an error here means it exists already (or the move will say why).
        let _ = s.create(done).await;
    }
    let mailbox = s
        .select(&settings.folder)
        .await
        .map_err(|e| format!("cannot open the folder {}: {e}", settings.folder))?;
    let uidvalidity = mailbox
        .uid_validity
        .ok_or_else(|| format!("the folder {} has no UIDVALIDITY", settings.folder))?;
    Ok((uidvalidity, idle, moves))
}

/// One connection's life: open the folder, take what is new, wait, again.
/// `Ok` when `stop` turned true; `Err` when the connection failed.
async fn session<H: MailHost + 'static>(
    host: &Arc<H>,
    settings: &ImapSettings,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), String> {
    let mut s = connect(settings).await?;
    let (uidvalidity, idle, _) = open(&mut s, settings).await?;
    info!(folder = %settings.folder, uidvalidity, idle, "submission mailbox open");
    loop {
        let taken = take_new(host, &mut s, settings, uidvalidity).await?;
        debug!(taken, "submission mailbox read");
        if *stop.borrow() {
            let _ = s.logout().await;
            return Ok(());
        }
        if idle {
            let mut handle = s.idle();
            handle.init().await.map_err(|e| format!("IDLE: {e}"))?;
            let stopped = {
                let (wait, _interrupt) = handle.wait_with_timeout(
                    settings
                        .poll
                        .max(Duration::from_secs(60))
                        .min(Duration::from_secs(25 * 60)),
                );
                tokio::select! {
                    r = wait => {
                        r.map_err(|e| format!("IDLE: {e}"))?;
                        false
                    }
                    _ = stop.changed() => true,
                }
            };
            if stopped {
                return Ok(());
            }
            s = handle.done().await.map_err(|e| format!("IDLE DONE: {e}"))?;
        } else {
            tokio::select! {
                () = tokio::time::sleep(settings.poll) => {}
                _ = stop.changed() => {
                    let _ = s.logout().await;
                    return Ok(());
                }
            }
            s.noop().await.map_err(|e| format!("NOOP: {e}"))?;
        }
    }
}

/// Takes every mail of the folder the ledger has not recorded, oldest
/// first; returns how many were handled.
async fn take_new<H: MailHost + 'static>(
    host: &Arc<H>,
    s: &mut ImapSession,
    settings: &ImapSettings,
    uidvalidity: u32,
) -> Result<usize, String> {
    let all = s
        .uid_search("ALL")
        .await
        .map_err(|e| format!("SEARCH: {e}"))?;
    let handled = host
        .ledger()
        .handled_uids(&settings.folder, uidvalidity)
        .map_err(|e| e.to_string())?;
    let mut todo: Vec<u32> = all.into_iter().filter(|u| !handled.contains(u)).collect();
    todo.sort_unstable();
    let mut n = 0;
    for uid in todo {
        let at = MailAt {
            folder: settings.folder.clone(),
            uidvalidity,
            uid,
        };
        let size = fetch_one(s, uid, "(UID RFC822.SIZE)")
            .await?
            .and_then(|f| f.size)
            .map_or(0, u64::from);
        let max = limits(host.as_ref()).max_mail_bytes;
        let h = host.clone();
        let now = Utc::now();
        let result = if size > max {
            let header = fetch_one(s, uid, "(UID BODY.PEEK[HEADER])")
                .await?
                .and_then(|f| f.header().map(<[u8]>::to_vec))
                .unwrap_or_default();
            let mut mail: IncomingMail = read_mail(&header, &limits(host.as_ref()));
            mail.files.clear();
            mail.refused.push(format!(
                "thư nặng {} byte, vượt giới hạn {} byte một thư: không tệp nào trong thư được đọc; hãy gửi mỗi tệp trong một thư",
                crate::domain::vn::format_number(size as f64),
                crate::domain::vn::format_number(max as f64)
            ));
            tokio::task::spawn_blocking(move || handle_read(h.as_ref(), &at, &mail, now)).await
        } else {
            let Some(raw) = fetch_one(s, uid, "(UID BODY.PEEK[])")
                .await?
                .and_then(|f| f.body().map(<[u8]>::to_vec))
            else {
                debug!(uid, "mail gone before it was read");
                continue;
            };
            tokio::task::spawn_blocking(move || handle(h.as_ref(), &at, &raw, now)).await
        };
        let failed = match result {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(format!("internal error (a bug in thidua): {e}")),
        };
        if let Some(e) = failed {
            // The mail stays unrecorded and is taken again on the next look,
            // unless it failed so often that it would hold up the others.
            let n = {
                let mut f = FAILURES
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let n = f.entry((uidvalidity, uid)).or_insert(0);
                *n += 1;
                *n
            };
            if n < MAX_FAILURES {
                return Err(format!("mail {uid}: {e}"));
            }
            error!(uid, error = %e, "a mail failed {MAX_FAILURES} times; it is recorded as unreadable and left on the server for a person");
            let h = host.clone();
            let folder = settings.folder.clone();
            tokio::task::spawn_blocking(move || {
                h.ledger().record_mail(
                    &HandledMail {
                        folder: &folder,
                        uidvalidity,
                        uid,
                        message_id: None,
                        sender: "",
                        unit: None,
                        outcome: MailOutcome::Unreadable,
                        files: 0,
                    },
                    &[],
                    Utc::now(),
                )
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            continue;
        }
        n += 1;
        mark(s, settings, uid).await;
    }
    Ok(n)
}

async fn fetch_one(
    s: &mut ImapSession,
    uid: u32,
    query: &str,
) -> Result<Option<async_imap::types::Fetch>, String> {
    let mut stream = s
        .uid_fetch(uid.to_string(), query)
        .await
        .map_err(|e| format!("FETCH: {e}"))?;
    let mut found = None;
    while let Some(f) = stream.next().await {
        let f = f.map_err(|e| format!("FETCH: {e}"))?;
        if f.uid == Some(uid) {
            found = Some(f);
        }
    }
    Ok(found)
}

/// Flags a handled mail, or moves it to `done_folder`. A failure is only
/// logged: the ledger already holds that the mail was handled.
async fn mark(s: &mut ImapSession, settings: &ImapSettings, uid: u32) {
    let result = match &settings.done_folder {
        Some(done) => s.uid_mv(uid.to_string(), done).await,
        None => match s
            .uid_store(uid.to_string(), format!("+FLAGS.SILENT ({HANDLED_FLAG})"))
            .await
        {
            Ok(stream) => {
                let _: Vec<_> = stream.collect().await;
                Ok(())
            }
            Err(e) => Err(e),
        },
    };
    if let Err(e) = result {
        warn!(uid, error = %e, "cannot flag or move a handled mail; it is recorded as handled all the same");
    }
}
