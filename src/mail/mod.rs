//! Mail: the texts (templates), composing a queued mail into a message, the
//! transports (`.eml` files or SMTP through lettre), and the outbox worker
//! that sends due mails with exponential backoff and records the outcome.

mod compose;
pub mod texts;
mod transport;

use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::{info, warn};

use crate::config::MailSettings;
use crate::ledger::{Ledger, LedgerError};

pub use compose::{compose, message_id};
pub use transport::{SendError, Transport};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail: {0}")]
    Setup(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// The wait before attempt `attempts + 1`: `base · 2^attempts`, at most an hour.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.min(20));
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// Mails sent at once: each SMTP exchange waits on round trips (and on
/// delayed ACKs, since lettre writes the final dot separately), so a few
/// connections in parallel keep a burst of receipts quick (lettre's pool
/// keeps up to 10 connections).
const PARALLEL_SENDS: usize = 10;

/// Sends every due mail once; `now` is read before each batch.
pub fn drain(
    ledger: &mut Ledger,
    transport: &Transport,
    settings: &MailSettings,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Drained, MailError> {
    let mut done = Drained::default();
    loop {
        let due = ledger.due(now(), PARALLEL_SENDS * 4)?;
        if due.is_empty() {
            return Ok(done);
        }
        // Send a round in parallel and record each mail the moment its
        // server answers, so a stop (even a kill) loses as little as the
        // protocol allows: a mail is re-sent only if the process died
        // between the server's 250 and this record.
        for rows in due.chunks(PARALLEL_SENDS) {
            std::thread::scope(|scope| -> Result<(), MailError> {
                let (tx, rx) = std::sync::mpsc::channel();
                for (i, row) in rows.iter().enumerate() {
                    let tx = tx.clone();
                    scope.spawn(move || {
                        // A panic (a bug) in one sender is that mail's
                        // transient failure, not the worker's end: the scope
                        // would re-raise it after joining.
                        let outcome =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                compose(&row.mail, &settings.from)
                                    .map_err(SendError::Permanent)
                                    .and_then(|msg| transport.send(&msg, &row.mail.key))
                            }))
                            .unwrap_or_else(|_| {
                                Err(SendError::Transient("internal error while sending".into()))
                            });
                        let _ = tx.send((i, outcome));
                    });
                }
                drop(tx);
                for (i, outcome) in rx {
                    record(ledger, settings, &rows[i], outcome, now, &mut done)?;
                }
                Ok(())
            })?;
        }
    }
}

fn record(
    ledger: &mut Ledger,
    settings: &MailSettings,
    row: &crate::ledger::OutboxRow,
    outcome: Result<(), SendError>,
    now: &dyn Fn() -> DateTime<Utc>,
    done: &mut Drained,
) -> Result<(), MailError> {
    match outcome {
        Ok(()) => {
            ledger.mark_sent(row.id, now())?;
            info!(key = %row.mail.key, to = %row.mail.to.join(", "), "mail sent");
            done.sent += 1;
        }
        Err(SendError::Transient(e)) if row.attempts + 1 < settings.max_attempts => {
            let wait = backoff(settings.retry, row.attempts);
            let next =
                now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
            ledger.mark_retry(row.id, next, &e)?;
            warn!(key = %row.mail.key, attempt = row.attempts + 1, retry_in_s = wait.as_secs_f64(), error = %e, "mail not sent, will retry");
            done.retried += 1;
        }
        Err(SendError::Transient(e) | SendError::Permanent(e)) => {
            ledger.mark_failed(row.id, &e)?;
            warn!(key = %row.mail.key, attempts = row.attempts + 1, error = %e, "mail failed for good; see `thidua status`");
            done.failed += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let b = Duration::from_secs(30);
        assert_eq!(backoff(b, 0), Duration::from_secs(30));
        assert_eq!(backoff(b, 3), Duration::from_secs(240));
        assert_eq!(backoff(b, 30), Duration::from_secs(3600));
    }
}
