//! Mail out: composing a queued mail into a MIME message and the
//! transports (`.eml` files or SMTP through lettre). The worker that drains
//! the outbox is the service's (`service::outbox`).

mod compose;
pub mod incoming;
mod transport;

pub use compose::{compose, message_id};
pub use transport::{SendError, Transport};

use crate::io::ledger::LedgerError;

/// Why mail could not be set up or recorded.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail: {0}")]
    Setup(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}
