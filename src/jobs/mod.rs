//! Scheduled jobs: the kick-off mail with each unit's blank form, reminders
//! to units that have not sent a workbook, the provisional ranking, the
//! year-end run (final ranking, proposals, agreement, the vote's minutes),
//! and the commendation vote (ballots out, the vote closed). tokio-cron-scheduler
//! fires them in the daemon; the ledger keeps each run and how far each
//! job's schedule has been looked at, so a run missed while the daemon was
//! down is caught up once (or skipped), a crash mid-run is finished on
//! restart without sending anything twice, and no job overlaps itself.

pub mod due;
pub mod plan;
pub mod run;
mod schedule;
pub mod worker;

use chrono::{DateTime, Utc};

pub use schedule::{Schedule, TZ};

/// The jobs thidua knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobKind {
    Kickoff,
    Reminder,
    Provisional,
    YearEnd,
    /// Mails each member its commendation ballot.
    Ballot,
    /// Closes the vote and writes its minutes.
    CloseVote,
}

impl JobKind {
    pub const ALL: [JobKind; 6] = [
        JobKind::Kickoff,
        JobKind::Reminder,
        JobKind::Provisional,
        JobKind::YearEnd,
        JobKind::Ballot,
        JobKind::CloseVote,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JobKind::Kickoff => "kickoff",
            JobKind::Reminder => "reminder",
            JobKind::Provisional => "provisional",
            JobKind::YearEnd => "year-end",
            JobKind::Ballot => "ballot",
            JobKind::CloseVote => "close-vote",
        }
    }

    pub fn from_name(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Names for messages: "kickoff, reminder, …, ballot or close-vote".
    pub fn names() -> String {
        let n: Vec<&str> = JobKind::ALL.iter().map(|k| k.name()).collect();
        format!("{} or {}", n[..n.len() - 1].join(", "), n[n.len() - 1])
    }
}

/// What to do with a run whose time passed while the daemon was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// Run it once at start (the latest missed time), however many were missed.
    Once,
    /// Record it as skipped.
    Skip,
}

/// A configured job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    pub kind: JobKind,
    pub schedule: Schedule,
    pub enabled: bool,
    pub catch_up: CatchUp,
}

/// What to do at start about the times a job's schedule named while nobody
/// was looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    /// Nothing was missed (or the schedule was never looked at before).
    Nothing,
    /// Run now for this scheduled time.
    Run(DateTime<Utc>),
    /// Record this scheduled time as skipped.
    Skip(DateTime<Utc>),
}

/// `checked_until`: how far the ledger says the schedule was looked at;
/// `None` the first time the job is seen, which misses nothing.
pub fn missed(spec: &JobSpec, checked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Missed {
    let Some(since) = checked_until else {
        return Missed::Nothing;
    };
    match spec.schedule.last_until(now) {
        Some(at) if at > since && spec.enabled => match spec.catch_up {
            CatchUp::Once => Missed::Run(at),
            CatchUp::Skip => Missed::Skip(at),
        },
        _ => Missed::Nothing,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod missed_tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn spec(catch_up: CatchUp) -> JobSpec {
        JobSpec {
            kind: JobKind::Reminder,
            // Mondays at 08:00 in Viet Nam (01:00 UTC).
            schedule: Schedule::parse("0 0 8 * * Mon").unwrap(),
            enabled: true,
            catch_up,
        }
    }

    #[test]
    fn a_run_missed_while_down_is_caught_up_once_as_the_latest() {
        // Down from Sunday 1 November to Wednesday 18 November 2026: two
        // Mondays (9th and 16th) were missed; one run, for the 16th.
        let down = utc("2026-11-01T10:00:00Z");
        let up = utc("2026-11-18T03:00:00Z");
        assert_eq!(
            missed(&spec(CatchUp::Once), Some(down), up),
            Missed::Run(utc("2026-11-16T01:00:00Z"))
        );
        assert_eq!(
            missed(&spec(CatchUp::Skip), Some(down), up),
            Missed::Skip(utc("2026-11-16T01:00:00Z"))
        );
    }

    #[test]
    fn nothing_is_caught_up_when_nothing_was_missed() {
        let s = spec(CatchUp::Once);
        // Looked at up to the Monday run itself: nothing new.
        assert_eq!(
            missed(
                &s,
                Some(utc("2026-11-16T01:00:00Z")),
                utc("2026-11-18T03:00:00Z")
            ),
            Missed::Nothing
        );
        // First start: the schedule's past is not this deployment's.
        assert_eq!(
            missed(&s, None, utc("2026-11-18T03:00:00Z")),
            Missed::Nothing
        );
        // A disabled job misses nothing.
        let off = JobSpec {
            enabled: false,
            ..s
        };
        assert_eq!(
            missed(
                &off,
                Some(utc("2026-11-01T00:00:00Z")),
                utc("2026-11-18T03:00:00Z")
            ),
            Missed::Nothing
        );
    }

    #[test]
    fn names_round_trip() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::from_name(k.name()), Some(k));
        }
        assert_eq!(
            JobKind::names(),
            "kickoff, reminder, provisional, year-end, ballot or close-vote"
        );
    }
}
