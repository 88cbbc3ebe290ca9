//! Scheduled jobs: the kick-off mail with each unit's blank form, reminders
//! to units that have not sent a workbook, the provisional ranking, the
//! year-end run (final ranking, proposals, agreement, the vote's minutes),
//! and the commendation vote (ballots out, the vote closed). tokio-cron-scheduler
//! fires them in the daemon; the ledger keeps each run and how far each
//! job's schedule has been looked at, so a run missed while the daemon was
//! down is caught up once (or skipped), a crash mid-run is finished on
//! restart without sending anything twice, and no job overlaps itself.

pub mod due;
pub mod guard;
pub mod plan;
pub mod run;

#[cfg(test)]
mod tests;
