//! Schedule values: the jobs thidua knows ([`JobKind`]), a configured job
//! ([`JobSpec`]), its schedule (a six-field cron expression, seconds first,
//! as tokio-cron-scheduler reads it; day of month and day of week must both
//! match) evaluated in Viet Nam's time, and what a start-up does about the
//! times missed while nobody was looking. Pure: the time to compute from is
//! always passed in, so tests can set the clock.

use chrono::{DateTime, Timelike, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds};

use crate::domain::time::TZ;

#[derive(Debug, Clone)]
pub struct Schedule {
    /// The expression as configured.
    pub expr: String,
    cron: Cron,
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Schedule) -> bool {
        self.expr == other.expr
    }
}

impl Schedule {
    /// Parses an expression the way tokio-cron-scheduler does.
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        let fields = expr.split_whitespace().count();
        if !(6..=7).contains(&fields) {
            return Err(format!(
                "`{expr}` has {fields} fields; six are needed, seconds first: \"sec min hour day month weekday\", e.g. \"0 0 7 5 1 *\" for 07:00 on 5 January"
            ));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Required)
            .dom_and_dow(true)
            .build()
            .parse(expr)
            .map_err(|e| format!("`{expr}`: {e}"))?;
        Ok(Schedule {
            expr: expr.to_string(),
            cron,
        })
    }

    /// The first time after `t` (strictly).
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&whole_seconds(t).with_timezone(&TZ), false)
            .ok()
            .map(|x| x.with_timezone(&Utc))
    }

    /// The last time at or before `t`.
    pub fn last_until(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_previous_occurrence(&whole_seconds(t).with_timezone(&TZ), true)
            .ok()
            .map(|x| x.with_timezone(&Utc))
    }
}

/// Cron times are whole seconds; croner keeps the fraction it is given.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

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
    /// How late a missed time may still be caught up; older ones are skipped.
    pub catch_up_within: chrono::Duration,
}

/// The default of `catch_up_within_hours`.
pub const CATCH_UP_WITHIN_HOURS: i64 = 72;

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
    /// Record this scheduled time as skipped: older than the job's
    /// `catch_up_within` when the daemon started.
    TooLate(DateTime<Utc>),
}

/// `checked_until`: how far the ledger says the schedule was looked at;
/// `None` the first time the job is seen, which misses nothing.
pub fn missed(spec: &JobSpec, checked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Missed {
    let Some(since) = checked_until else {
        return Missed::Nothing;
    };
    match spec.schedule.last_until(now) {
        Some(at) if at > since && spec.enabled => match spec.catch_up {
            CatchUp::Once if now - at > spec.catch_up_within => Missed::TooLate(at),
            CatchUp::Once => Missed::Run(at),
            CatchUp::Skip => Missed::Skip(at),
        },
        _ => Missed::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn seven_in_the_morning_in_hanoi_is_midnight_utc() {
        let s = Schedule::parse("0 0 7 * * *").unwrap();
        // 23:59:59 UTC on the 4th is 06:59:59 on the 5th in Viet Nam.
        assert_eq!(
            s.next_after(utc("2026-12-04T23:59:59Z")),
            Some(utc("2026-12-05T00:00:00Z"))
        );
        assert_eq!(
            s.next_after(utc("2026-12-05T00:00:00Z")),
            Some(utc("2026-12-06T00:00:00Z"))
        );
        // The day boundary is Viet Nam's: 16:59 UTC is 23:59 local.
        let s = Schedule::parse("0 30 0 5 12 *").unwrap();
        assert_eq!(
            s.next_after(utc("2026-12-04T16:59:00Z")),
            Some(utc("2026-12-04T17:30:00Z"))
        );
        assert_eq!(
            s.last_until(utc("2026-12-04T17:30:00Z")),
            Some(utc("2026-12-04T17:30:00Z"))
        );
    }

    #[test]
    fn times_are_whole_seconds_even_from_a_fractional_now() {
        let s = Schedule::parse("*/2 * * * * *").unwrap();
        let now = utc("2026-11-27T10:59:21.107279649Z");
        assert_eq!(s.last_until(now), Some(utc("2026-11-27T10:59:20Z")));
        assert_eq!(s.next_after(now), Some(utc("2026-11-27T10:59:22Z")));
    }

    #[test]
    fn day_and_weekday_must_both_match() {
        // Mondays from the 15th to the 31st of October.
        let s = Schedule::parse("0 0 8 15-31 10 Mon").unwrap();
        assert_eq!(
            s.next_after(utc("2026-10-01T00:00:00Z")),
            Some(utc("2026-10-19T01:00:00Z"))
        );
    }

    #[test]
    fn five_fields_are_refused_with_an_example() {
        let e = Schedule::parse("0 7 * * *").unwrap_err();
        assert!(e.contains("six are needed"), "{e}");
        assert!(Schedule::parse("0 0 25 * * *").is_err());
    }
}

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
            catch_up_within: chrono::Duration::hours(CATCH_UP_WITHIN_HOURS),
        }
    }

    #[test]
    fn a_missed_time_older_than_the_lateness_is_skipped_not_run() {
        // The daemon started on Thursday 19 November at 10:00 (03:00 UTC):
        // Monday the 16th is 74 hours late, past the 72 allowed.
        let down = utc("2026-11-14T10:00:00Z");
        let up = utc("2026-11-19T03:00:00Z");
        assert_eq!(
            missed(&spec(CatchUp::Once), Some(down), up),
            Missed::TooLate(utc("2026-11-16T01:00:00Z"))
        );
        let week = JobSpec {
            catch_up_within: chrono::Duration::hours(24 * 7),
            ..spec(CatchUp::Once)
        };
        assert_eq!(
            missed(&week, Some(down), up),
            Missed::Run(utc("2026-11-16T01:00:00Z"))
        );
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
