//! The service: the daemon and what runs inside it — the inbox watcher and
//! intake, the scheduler (tokio-cron-scheduler), the outbox worker, the
//! status page and the heap's upkeep.

pub mod daemon;
pub mod health;
pub mod imap;
pub mod inbox;
pub mod memory;
pub mod outbox;
pub mod scheduler;
pub mod web;
