//! The outbox worker: sends due mails through the configured transport
//! with exponential backoff and records each outcome in the ledger. Only a
//! server's refusal of the mail itself (an unknown address, say) fails a
//! mail for good; an outage, a timeout or a refused login leaves it waiting,
//! retried with waits that double up to `mail.retry_max_secs`, until the
//! operator has put things right.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::{info, warn};

use crate::config::MailSettings;
use crate::io::ledger::{Ledger, OutboxRow};

use crate::io::mail::{MailError, SendError, Sender, Transport, compose};

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// The wait before attempt `attempts + 1`: `base · 2^attempts`, at most `max`.
pub fn backoff(base: Duration, attempts: u32, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempts.min(20));
    base.saturating_mul(factor).min(max)
}

/// Mails sent at once: each SMTP exchange waits on round trips (and on
/// delayed ACKs, since lettre writes the final dot separately), so a few
/// connections in parallel keep a burst of receipts quick (lettre's pool
/// keeps up to 10 connections). Six keep up with a burst of score sheets
/// on two cores; ten gave no quicker receipts and more threads competing
/// for the allocator.
const PARALLEL_SENDS: usize = 6;

/// How often the outbox is looked at again while mails are being sent, so
/// that mails queued meanwhile (a burst's later receipts) join at once.
const LOOK_AGAIN: Duration = Duration::from_millis(25);

/// Sends every due mail once, on up to [`PARALLEL_SENDS`] senders that each
/// take the next mail as soon as they are free; returns when nothing is due
/// and nothing is being sent. `now` is read for every look at the outbox.
pub fn drain(
    ledger: &mut Ledger,
    transport: &Transport,
    settings: &MailSettings,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Drained, MailError> {
    use std::collections::{HashMap, VecDeque};
    use std::sync::{Condvar, Mutex};

    // The mails waiting for a sender, and whether the senders should stop.
    let queue = Mutex::new((VecDeque::<OutboxRow>::new(), false));
    let ready = Condvar::new();
    std::thread::scope(|scope| -> Result<Drained, MailError> {
        let (tx, rx) = std::sync::mpsc::channel::<(i64, Result<(), SendError>)>();
        for _ in 0..PARALLEL_SENDS {
            let tx = tx.clone();
            let (queue, ready) = (&queue, &ready);
            scope.spawn(move || {
                loop {
                    let row = {
                        let mut q = queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        loop {
                            if q.1 {
                                return;
                            }
                            if let Some(row) = q.0.pop_front() {
                                break row;
                            }
                            q = ready
                                .wait(q)
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                        }
                    };
                    if tx
                        .send((row.id, send_one(transport, settings, &row)))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // The senders stop however this thread leaves the scope, a panic
        // included: the scope waits for them before it returns.
        let _stop = StopSenders(&queue, &ready);
        let mut done = Drained::default();
        // Mails handed to the senders and not yet recorded.
        let mut out: HashMap<i64, OutboxRow> = HashMap::new();
        let mut looked: Option<std::time::Instant> = None;
        loop {
            // Record each mail the moment its server answers, so a stop
            // (even a kill) loses as little as the protocol allows: a
            // mail is re-sent only if the process died between the
            // server's 250 and this record.
            if !out.is_empty() {
                let wait =
                    looked.map_or(Duration::ZERO, |t| LOOK_AGAIN.saturating_sub(t.elapsed()));
                match rx.recv_timeout(wait) {
                    Ok(first) => {
                        for (id, outcome) in std::iter::once(first).chain(rx.try_iter()) {
                            if let Some(row) = out.remove(&id) {
                                record(ledger, settings, &row, outcome, now, &mut done)?;
                            }
                        }
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(MailError::Setup("the mail senders stopped".into()));
                    }
                }
            }
            // Keep every sender busy: when fewer mails are out than
            // senders, or every LOOK_AGAIN, hand out due mails not yet
            // out, up to a second round's worth.
            let stale = looked.is_none_or(|t| t.elapsed() >= LOOK_AGAIN);
            // Once the transport is stopping, only the mails out are waited for.
            if (out.len() < PARALLEL_SENDS || stale) && !transport.stopped() {
                looked = Some(std::time::Instant::now());
                let room = (PARALLEL_SENDS * 2).saturating_sub(out.len());
                let fresh: Vec<_> = ledger
                    .due(now(), out.len() + room)?
                    .into_iter()
                    .filter(|r| !out.contains_key(&r.id))
                    .take(room)
                    .collect();
                if !fresh.is_empty() {
                    let mut q = queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    for row in fresh {
                        q.0.push_back(row.clone());
                        out.insert(row.id, row);
                    }
                    drop(q);
                    ready.notify_all();
                }
            }
            if out.is_empty() {
                return Ok(done);
            }
        }
    })
}

/// Tells the senders of [`drain`] to stop when dropped.
struct StopSenders<'a>(
    &'a std::sync::Mutex<(std::collections::VecDeque<OutboxRow>, bool)>,
    &'a std::sync::Condvar,
);

impl Drop for StopSenders<'_> {
    fn drop(&mut self) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1 = true;
        self.1.notify_all();
    }
}

/// Composes and sends one mail. A panic (a bug) in a sender is that mail's
/// transient failure, not the end of the outbox worker.
fn send_one(
    transport: &Transport,
    settings: &MailSettings,
    row: &OutboxRow,
) -> Result<(), SendError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compose(
            &row.mail,
            Sender {
                address: &settings.from,
                name: &settings.from_name,
            },
        )
        .map_err(SendError::Permanent)
        .and_then(|msg| transport.send(&msg, &row.mail.key))
    }))
    .unwrap_or_else(|_| Err(SendError::Transient("internal error while sending".into())))
}

fn record(
    ledger: &mut Ledger,
    settings: &MailSettings,
    row: &OutboxRow,
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
        // Stopped mid-way: not an attempt; it is sent after the restart.
        Err(SendError::Interrupted) => {}
        Err(SendError::Transient(e)) => {
            let wait = backoff(settings.retry, row.attempts, settings.retry_max);
            let next =
                now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
            ledger.mark_retry(row.id, next, &e)?;
            let attempt = row.attempts + 1;
            if attempt >= settings.max_attempts {
                tracing::error!(key = %row.mail.key, attempt, retry_in_s = wait.as_secs_f64(), error = %e, "mail still not sent; it waits for the mail server (see `thidua status`)");
            } else {
                warn!(key = %row.mail.key, attempt, retry_in_s = wait.as_secs_f64(), error = %e, "mail not sent, will retry");
            }
            done.retried += 1;
        }
        Err(SendError::Permanent(e)) => {
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
        let hour = Duration::from_secs(3600);
        assert_eq!(backoff(b, 0, hour), Duration::from_secs(30));
        assert_eq!(backoff(b, 3, hour), Duration::from_secs(240));
        assert_eq!(backoff(b, 30, hour), hour);
        assert_eq!(
            backoff(b, 5, Duration::from_secs(600)),
            Duration::from_secs(600)
        );
    }
}
