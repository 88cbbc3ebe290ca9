//! Mail out: composing a queued mail into a MIME message and the
//! transports (`.eml` files or SMTP through lettre). The worker that drains
//! the outbox is the service's (`service::outbox`).

mod compose;
pub mod incoming;
mod smtp;
mod transport;

pub use compose::{Sender, compose, message_id};
pub use transport::Transport;

use crate::io::ledger::LedgerError;

/// Why a mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth another try later (server down, 4xx).
    Transient(String),
    /// Will never work (5xx, bad address).
    Permanent(String),
    /// Not tried to the end because thidua is stopping: not an attempt.
    Interrupted,
}

/// Why mail could not be set up or recorded.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail: {0}")]
    Setup(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}
