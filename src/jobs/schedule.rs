//! A job's schedule: a six-field cron expression (seconds first, as
//! tokio-cron-scheduler reads it; day of month and day of week must both
//! match) evaluated in Viet Nam's time, and the times it names. Pure: the
//! time to compute from is always passed in, so tests can set the clock.

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

/// The cluster's timezone; Viet Nam keeps UTC+7 all year.
pub const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

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
